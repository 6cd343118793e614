// Demand traces for the simulator: request arrival rate (requests/s) for every second.
// The reference traces are deterministic (seeded) so benchmark tables are reproducible.

export interface Trace {
    name: string;
    /** Arrival rate per second of simulated time, one entry per second. */
    rps: Float64Array;
    /** Wall-clock instant of second 0 (cron schedules are evaluated against it). */
    startEpochMs: number;
}

export const TraceKind = {
    Steady: "steady",
    Diurnal: "diurnal",
    Bursty: "bursty",
    OnOff: "onoff",
} as const;
export type TraceKind = (typeof TraceKind)[keyof typeof TraceKind];

export interface TraceOptions {
    /** Length in hours. Default 8. */
    hours?: number;
    /** Peak arrival rate (requests/s). Default 40. */
    peakRps?: number;
    /** PRNG seed. Default 1. */
    seed?: number;
    /** Second 0 as a wall-clock instant. Default Monday 2026-01-05 06:00 UTC. */
    startEpochMs?: number;
}

export const DEFAULT_TRACE_START = Date.UTC(2026, 0, 5, 6, 0);

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Multiplicative noise that changes every minute (+-10%), so the HPA sees a realistic wobble. */
function minuteNoise(seconds: number, rand: () => number): Float64Array {
    const out = new Float64Array(seconds);
    let level = 1;
    for (let s = 0; s < seconds; s++) {
        if (s % 60 === 0) level = 0.9 + 0.2 * rand();
        out[s] = level;
    }
    return out;
}

/** One of the reference traces. */
export function referenceTrace(kind: TraceKind, opts: TraceOptions = {}): Trace {
    const hours = opts.hours ?? 8;
    const peak = opts.peakRps ?? 40;
    const seconds = Math.round(hours * 3600);
    const rand = prng(opts.seed ?? 1);
    const noise = minuteNoise(seconds, rand);
    const rps = new Float64Array(seconds);
    switch (kind) {
        case TraceKind.Steady:
            for (let s = 0; s < seconds; s++) rps[s] = 0.5 * peak * noise[s];
            break;
        case TraceKind.Diurnal:
            // Night -> midday peak -> evening: 10% to 100% of peak and back.
            for (let s = 0; s < seconds; s++) rps[s] = peak * (0.1 + 0.9 * Math.sin((Math.PI * s) / seconds) ** 2) * noise[s];
            break;
        case TraceKind.Bursty: {
            // A quarter of peak, plus bursts to the full peak every 30-60 min lasting 2-12 min
            // (some shorter than a cold start, which no reactive policy can catch).
            const base = 0.25 * peak;
            for (let s = 0; s < seconds; s++) rps[s] = base * noise[s];
            let t = 20 * 60;
            while (t < seconds) {
                const len = Math.round((2 + 10 * rand()) * 60);
                for (let s = t; s < Math.min(seconds, t + len); s++) rps[s] = peak * noise[s];
                t += len + Math.round((30 + 30 * rand()) * 60);
            }
            break;
        }
        case TraceKind.OnOff: {
            // 20 min of traffic at 40% of peak, then 40 min of silence: scale to zero and back.
            for (let s = 0; s < seconds; s++) rps[s] = s % 3600 < 1200 ? 0.4 * peak * noise[s] : 0;
            break;
        }
        default:
            throw new Error(`unknown trace ${String(kind)}; use steady, diurnal, bursty, onoff or a .csv file`);
    }
    return { name: kind, rps, startEpochMs: opts.startEpochMs ?? DEFAULT_TRACE_START };
}

/**
 * A trace from CSV text: lines `seconds,rps` (a header line is skipped), the rate holding from
 * each time to the next; the trace ends at the last line's time (or one minute after it).
 */
export function traceFromCsv(name: string, text: string, startEpochMs = DEFAULT_TRACE_START): Trace {
    const points: [number, number][] = [];
    text.split(/\r?\n/).forEach((line, i) => {
        const l = line.trim();
        if (l === "" || l.startsWith("#")) return;
        const [a, b, ...rest] = l.split(",").map((x) => x.trim());
        if (rest.length > 0 || b === undefined) throw new Error(`${name}:${i + 1}: expected "seconds,rps", got "${l}"`);
        const t = Number(a);
        const r = Number(b);
        if (!Number.isFinite(t) || !Number.isFinite(r)) {
            if (points.length === 0 && i === 0) return; // header
            throw new Error(`${name}:${i + 1}: "${l}" is not two numbers`);
        }
        if (t < 0 || r < 0) throw new Error(`${name}:${i + 1}: negative time or rate`);
        if (points.length > 0 && t <= points[points.length - 1][0]) throw new Error(`${name}:${i + 1}: times must increase`);
        points.push([t, r]);
    });
    if (points.length === 0) throw new Error(`${name}: no data lines`);
    const end = Math.max(60, Math.ceil(points[points.length - 1][0]) + (points.length === 1 ? 60 : 0));
    const rps = new Float64Array(end);
    let j = 0;
    for (let s = 0; s < end; s++) {
        while (j + 1 < points.length && points[j + 1][0] <= s) j++;
        rps[s] = s >= points[0][0] ? points[j][1] : 0;
    }
    return { name, rps, startEpochMs };
}
