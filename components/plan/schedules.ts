// KEDA cron triggers for known peaks: validation (five-field cron as KEDA's robfig/cron standard
// parser reads it, an IANA time zone, start != end, replicas within bounds) and evaluation (the
// simulator asks whether a window is open at an instant, the way KEDA's cron scaler decides it).
import type { Schedule } from "../args";
import { DEFAULTS } from "./defaults";
import { fieldsOf, Problems, unknownKeys } from "./problems";

export interface ResolvedSchedule {
    name: string;
    start: string;
    end: string;
    timezone: string;
    replicas: number;
}

const SCHEDULE_KEYS = fieldsOf<Schedule>({ name: true, start: true, end: true, timezone: true, replicas: true });
/** Schedule names become part of a trigger name a scalingModifiers formula can use: an identifier. */
const SCHEDULE_NAME = /^[a-z][a-z0-9_]{0,39}$/;

interface Field {
    name: string;
    min: number;
    max: number;
    names?: Record<string, number>;
    /** `?` allowed (robfig/cron: day of month and day of week). */
    question?: boolean;
}

const MONTHS = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: readonly Field[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31, question: true },
    { name: "month", min: 1, max: 12, names: MONTHS },
    { name: "day of week", min: 0, max: 6, names: DAYS, question: true },
];

/** A parsed cron expression: the allowed values of each field, and whether dom/dow were `*`. */
export interface CronSpec {
    minute: Set<number>;
    hour: Set<number>;
    dom: Set<number>;
    month: Set<number>;
    dow: Set<number>;
    domStar: boolean;
    dowStar: boolean;
}

function parseValue(f: Field, s: string): number {
    const lower = s.toLowerCase();
    if (f.names && lower in f.names) return f.names[lower];
    if (!/^\d+$/.test(s)) throw new Error(`${f.name}: "${s}" is not a number${f.names ? " or a name" : ""}`);
    const v = Number(s);
    if (v < f.min || v > f.max) throw new Error(`${f.name}: ${v} is outside ${f.min}-${f.max}`);
    return v;
}

function parseField(f: Field, text: string): { values: Set<number>; star: boolean } {
    const values = new Set<number>();
    let star = false;
    for (const part of text.split(",")) {
        const [range, stepText, extra] = part.split("/");
        if (extra !== undefined || range === "") throw new Error(`${f.name}: "${part}" is not a valid item`);
        let lo: number;
        let hi: number;
        if (range === "*" || (range === "?" && f.question)) {
            lo = f.min;
            hi = f.max;
            if (stepText === undefined) star = true;
        } else if (range.includes("-")) {
            const [a, b, more] = range.split("-");
            if (more !== undefined) throw new Error(`${f.name}: "${range}" is not a valid range`);
            lo = parseValue(f, a);
            hi = parseValue(f, b);
            if (lo > hi) throw new Error(`${f.name}: range ${range} runs backwards`);
        } else {
            lo = parseValue(f, range);
            hi = stepText === undefined ? lo : f.max;
        }
        let step = 1;
        if (stepText !== undefined) {
            if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new Error(`${f.name}: step "${stepText}" must be a positive whole number`);
            step = Number(stepText);
        }
        for (let v = lo; v <= hi; v += step) values.add(v);
    }
    return { values, star };
}

/** Parses a five-field cron expression (minute hour day-of-month month day-of-week); throws with the reason. */
export function parseCron(expr: string): CronSpec {
    const fields = expr.trim().split(/\s+/);
    if (expr.trim().startsWith("@")) throw new Error("descriptors such as @daily are not accepted here; write the five fields");
    if (fields.length !== 5) throw new Error(`has ${fields.length} field${fields.length === 1 ? "" : "s"}; use five: minute hour day-of-month month day-of-week`);
    const [minute, hour, dom, month, dow] = fields.map((t, i) => parseField(FIELDS[i], t));
    return { minute: minute.values, hour: hour.values, dom: dom.values, month: month.values, dow: dow.values, domStar: dom.star, dowStar: dow.star };
}

/** Whether the zone is one Go's time.LoadLocation (KEDA) and this runtime both know. */
export function isKnownTimezone(tz: string): boolean {
    if (tz !== "UTC" && !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(tz)) return false;
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
    } catch {
        return false;
    }
}

/** Validates `autoscaling.schedules`. */
export function resolveSchedules(p: Problems, path: string, schedules: unknown, minReplicas: number, maxReplicas: number): ResolvedSchedule[] {
    if (schedules === undefined) return [];
    if (!Array.isArray(schedules)) {
        p.add(path, "is not a list; use e.g. [{ name: \"workday\", start: \"0 8 * * 1-5\", end: \"0 18 * * 1-5\", timezone: \"Europe/Berlin\", replicas: 2 }]");
        return [];
    }
    const out: ResolvedSchedule[] = [];
    const seen = new Map<string, number>();
    schedules.forEach((s: Schedule, i) => {
        const at = `${path}[${i}]`;
        if (!p.object(at, s)) return;
        unknownKeys(p, at, s, SCHEDULE_KEYS);
        let ok = p.string(`${at}.name`, s.name, { pattern: SCHEDULE_NAME, hint: "use lower-case letters, digits and '_', starting with a letter (e.g. \"workday\")" });
        if (ok) {
            const first = seen.get(s.name);
            if (first !== undefined) {
                p.add(`${at}.name`, `"${s.name}" is also the name of ${path}[${first}]; schedule names must be unique`);
                ok = false;
            } else seen.set(s.name, i);
        }
        for (const key of ["start", "end"] as const) {
            if (!p.string(`${at}.${key}`, s[key], { hint: "use a five-field cron expression such as \"0 8 * * 1-5\"" })) {
                ok = false;
                continue;
            }
            try {
                parseCron(s[key]);
            } catch (e) {
                p.add(`${at}.${key}`, `"${s[key]}" is not a valid cron expression: ${(e as Error).message}`);
                ok = false;
            }
        }
        if (typeof s.start === "string" && typeof s.end === "string" && s.start.trim().split(/\s+/).join(" ") === s.end.trim().split(/\s+/).join(" ")) {
            p.add(`${at}.end`, `is the same as start ("${s.start}"): the window would never open; use a different end`);
            ok = false;
        }
        const timezone = s.timezone ?? DEFAULTS.scheduleTimezone;
        if (typeof timezone !== "string" || !isKnownTimezone(timezone)) {
            p.add(`${at}.timezone`, `${JSON.stringify(s.timezone)} is not a known IANA time zone; use e.g. "Europe/Berlin", "America/New_York" or "UTC"`);
            ok = false;
        }
        if (!p.integer(`${at}.replicas`, s.replicas, 1, { max: Math.max(1, maxReplicas) })) ok = false;
        else if (s.replicas <= minReplicas) {
            p.add(`${at}.replicas`, `${s.replicas} is not above minReplicas (${minReplicas}), so the schedule would never change anything; use ${minReplicas + 1} to ${maxReplicas}`);
            ok = false;
        }
        if (ok) out.push({ name: s.name, start: s.start, end: s.end, timezone, replicas: s.replicas });
    });
    return out;
}

// ---- evaluation ---------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in a time zone. */
export function wallClock(epochMs: number, timezone: string): { minute: number; hour: number; dom: number; month: number; dow: number } {
    let f = formatters.get(timezone);
    if (!f) {
        f = new Intl.DateTimeFormat("en-US", {
            timeZone: timezone, hourCycle: "h23", weekday: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
        });
        formatters.set(timezone, f);
    }
    const parts: Record<string, string> = {};
    for (const part of f.formatToParts(new Date(epochMs))) parts[part.type] = part.value;
    return { minute: Number(parts.minute), hour: Number(parts.hour), dom: Number(parts.day), month: Number(parts.month), dow: WEEKDAYS[parts.weekday] };
}

/** Whether a cron expression fires at the minute that contains the instant (robfig/cron's day rule). */
export function cronMatches(spec: CronSpec, epochMs: number, timezone: string): boolean {
    const w = wallClock(epochMs, timezone);
    if (!spec.minute.has(w.minute) || !spec.hour.has(w.hour) || !spec.month.has(w.month)) return false;
    const domOk = spec.dom.has(w.dom);
    const dowOk = spec.dow.has(w.dow);
    return spec.domStar || spec.dowStar ? domOk && dowOk : domOk || dowOk;
}

/**
 * Open/closed state of a schedule window per minute over [fromMs, toMs), as KEDA's cron scaler
 * decides it: active while the next `end` firing comes before the next `start` firing, i.e. the
 * latest firing at or before now was a start. Looks back `lookbackDays` to find the state at
 * `fromMs` (closed when neither fired in that time).
 */
export function scheduleWindow(s: ResolvedSchedule, fromMs: number, toMs: number, lookbackDays = 8): (epochMs: number) => boolean {
    const start = parseCron(s.start);
    const end = parseCron(s.end);
    const minute = 60_000;
    const first = Math.floor(fromMs / minute) * minute;
    let open = false;
    for (let t = first - lookbackDays * 86_400_000; t < first; t += minute) {
        if (cronMatches(start, t, s.timezone)) open = true;
        else if (cronMatches(end, t, s.timezone)) open = false;
    }
    const states: boolean[] = [];
    for (let t = first; t < toMs; t += minute) {
        // A start and end in the same minute: robfig's Next() of both is the same instant, so
        // end <= start and the window counts as open; the next minute decides.
        if (cronMatches(start, t, s.timezone)) open = true;
        else if (cronMatches(end, t, s.timezone)) open = false;
        states.push(open);
    }
    return (epochMs: number) => {
        const i = Math.floor((epochMs - first) / minute);
        return i >= 0 && i < states.length ? states[i] : false;
    };
}
