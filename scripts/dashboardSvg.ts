// `npm run dashboard:svg -- --stack <name> --prometheus <url> [--minutes 30] [--step 15] [--out dashboard.svg]`:
// a picture of the dashboard's data. No Grafana runs here: it asks a Prometheus (a port-forward to
// the stack's, or the end-to-end suite's) the same range queries the dashboard's panels run, and
// draws every panel as a small chart, one row per model, into a self-contained SVG.
import * as fs from "fs";
import { parseArgs } from "util";
import type { DashboardPanel } from "../components/plan/dashboard";
import { esc, niceMax } from "../components/sim/svg";
import { planStack } from "../stacks/load";

/** One line of a panel: its legend (labels filled in) and its points (unix seconds, value). */
export interface PanelSeries {
    legend: string;
    points: [number, number][];
}

export interface PanelData {
    panel: DashboardPanel;
    series: PanelSeries[];
    /** A query Prometheus rejected, with its error: drawn in the panel instead of lines. */
    errors: string[];
}

/** Grafana's `{{label}}` legend format. */
export function formatLegend(legend: string, metric: Record<string, string>): string {
    return legend.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, l: string) => metric[l] ?? "");
}

/** Runs every panel's queries as range queries against `prometheusUrl` (Prometheus' HTTP API). */
export async function fetchPanelData(prometheusUrl: string, panels: readonly DashboardPanel[], startSec: number, endSec: number, stepSec: number): Promise<PanelData[]> {
    const out: PanelData[] = [];
    for (const panel of panels) {
        const data: PanelData = { panel, series: [], errors: [] };
        for (const q of panel.queries) {
            const body = new URLSearchParams({ query: q.expr, start: String(startSec), end: String(endSec), step: `${stepSec}s` });
            const res = await fetch(new URL("/api/v1/query_range", prometheusUrl), {
                method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" },
            });
            const json = await res.json() as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } };
            if (json.status !== "success" || !json.data) {
                data.errors.push(`${q.legend}: ${json.error ?? res.status}`);
                continue;
            }
            for (const s of json.data.result) {
                data.series.push({ legend: formatLegend(q.legend, s.metric), points: s.values.map(([t, v]) => [t, Number(v)]) });
            }
        }
        out.push(data);
    }
    return out;
}

const COLORS = ["#08519c", "#e6550d", "#31a354", "#756bb1", "#636363", "#d6616b", "#3182bd", "#8c6d31"];
const PW = 330;
const PH = 190;
const GAP = 14;
const COLS = 3;

function fmt(v: number): string {
    if (v === 0) return "0";
    const a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 1 ? (+v.toFixed(2)).toString() : (+v.toPrecision(2)).toString();
}

/** The length of a time range as the x axis's end label: seconds up to 10 min, then minutes. */
export function elapsed(seconds: number): string {
    return seconds <= 600 ? `${Math.round(seconds)} s` : `${+(seconds / 60).toFixed(1)} min`;
}

/** One panel at (x0, y0): frame, title, y axis from 0, x axis from 0 to the range's length, a polyline per series, legend below. */
function panelSvg(d: PanelData, x0: number, y0: number, t0: number, t1: number): string {
    const L = 44;
    const T = 22;
    const plotW = PW - L - 10;
    const plotH = PH - T - 48;
    const finite = d.series.flatMap((s) => s.points.map((p) => p[1]).filter(Number.isFinite));
    const yMax = niceMax(Math.max(0, ...finite));
    const x = (t: number) => (x0 + L + ((t - t0) / Math.max(1, t1 - t0)) * plotW).toFixed(1);
    const y = (v: number) => (y0 + T + plotH - (Math.max(0, v) / yMax) * plotH).toFixed(1);
    const parts = [
        `<rect x="${x0}" y="${y0}" width="${PW}" height="${PH}" fill="white" stroke="#ccc"/>`,
        `<text x="${x0 + 6}" y="${y0 + 15}" font-weight="bold">${esc(d.panel.title)} <tspan fill="#777" font-weight="normal">[${esc(d.panel.unit)}]</tspan></text>`,
        `<rect x="${x0 + L}" y="${y0 + T}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
        `<text x="${x0 + L - 4}" y="${y0 + T + 4}" text-anchor="end" font-size="10">${fmt(yMax)}</text>`,
        `<text x="${x0 + L - 4}" y="${y0 + T + plotH}" text-anchor="end" font-size="10">0</text>`,
        `<text x="${x0 + L}" y="${y0 + T + plotH + 9}" font-size="9" fill="#777">0</text>`,
        `<text x="${x0 + L + plotW}" y="${y0 + T + plotH + 10}" text-anchor="end" font-size="9" fill="#777">${esc(elapsed(t1 - t0))}</text>`,
    ];
    d.series.forEach((s, i) => {
        const pts = s.points.filter((p) => Number.isFinite(p[1]));
        const c = COLORS[i % COLORS.length];
        if (pts.length === 1) parts.push(`<circle cx="${x(pts[0][0])}" cy="${y(pts[0][1])}" r="2" fill="${c}"/>`);
        else if (pts.length > 1) parts.push(`<polyline points="${pts.map((p) => `${x(p[0])},${y(p[1])}`).join(" ")}" fill="none" stroke="${c}" stroke-width="1.6"/>`);
        const last = pts.length ? fmt(pts[pts.length - 1][1]) : "-";
        const lx = x0 + 6 + (i % 2) * (PW / 2);
        const ly = y0 + T + plotH + 20 + Math.floor(i / 2) * 12;
        if (ly < y0 + PH - 2) parts.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${c}"/><text x="${lx + 14}" y="${ly}" font-size="10">${esc(s.legend)}: ${last}</text>`);
    });
    if (d.series.length === 0 && d.errors.length === 0) parts.push(`<text x="${x0 + L + 8}" y="${y0 + T + 18}" fill="#777" font-size="11">no series</text>`);
    d.errors.forEach((e, i) => parts.push(`<text x="${x0 + L + 8}" y="${y0 + T + 18 + 13 * i}" fill="#c00" font-size="10">${esc(e.slice(0, 60))}</text>`));
    return parts.join("\n");
}

/**
 * The whole picture: a row of panels per model (three to a line), a heading with the time range,
 * and `notes` (where the data came from, panels left out and why), one line each under it.
 */
export function renderDashboardSvg(title: string, data: readonly PanelData[], startSec: number, endSec: number, opts: { notes?: readonly string[] } = {}): string {
    const models = [...new Set(data.map((d) => d.panel.model))];
    const notes = opts.notes ?? [];
    const parts: string[] = notes.map((n, i) => `<text x="${GAP}" y="${58 + 15 * i}" fill="#444" font-size="11">${esc(n)}</text>`);
    let y = 50 + 15 * notes.length;
    for (const m of models) {
        const panels = data.filter((d) => d.panel.model === m);
        parts.push(`<text x="${GAP}" y="${y + 14}" font-size="14" font-weight="bold">${esc(m)}</text>`);
        y += 22;
        panels.forEach((d, i) => parts.push(panelSvg(d, GAP + (i % COLS) * (PW + GAP), y + Math.floor(i / COLS) * (PH + GAP), startSec, endSec)));
        y += Math.ceil(panels.length / COLS) * (PH + GAP);
    }
    const W = GAP + COLS * (PW + GAP);
    const H = y + 10;
    const range = `${new Date(startSec * 1000).toISOString()} to ${new Date(endSec * 1000).toISOString()}`;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
        `<rect width="${W}" height="${H}" fill="#f7f7f7"/>`,
        `<text x="${GAP}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`,
        `<text x="${GAP}" y="40" fill="#444">${esc(range)} · the dashboard's own queries, answered by Prometheus</text>`,
        ...parts,
        `</svg>`,
    ].join("\n") + "\n";
}

const USAGE = `usage: npm run dashboard:svg -- --prometheus <url> [--stack dev] [--minutes 30] [--step 15] [--out dashboard.svg]
  --prometheus  Prometheus base URL, e.g. http://127.0.0.1:9090 (kubectl port-forward svc/prometheus-operated 9090 -n monitoring)
  --stack       stack whose dashboard to draw (default: dev)
  --minutes     time range ending now (default 30)
  --step        seconds between points (default 15)
  --out         SVG file to write (default: dashboard-<stack>.svg)`;

async function main(): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({ options: {
            stack: { type: "string", default: "dev" }, prometheus: { type: "string" }, minutes: { type: "string", default: "30" },
            step: { type: "string", default: "15" }, out: { type: "string" }, help: { type: "boolean", short: "h" },
        } }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (values.help || !values.prometheus) {
        process.stdout.write(`${USAGE}\n`);
        return values.help ? 0 : 2;
    }
    const plan = planStack(values.stack!);
    if (!plan.dashboard) {
        process.stderr.write(`stack ${values.stack} has no dashboard (monitoring.dashboard.enabled is false)\n`);
        return 1;
    }
    const end = Math.floor(Date.now() / 1000);
    const start = end - Number(values.minutes) * 60;
    const data = await fetchPanelData(values.prometheus, plan.dashboard.panels, start, end, Number(values.step));
    const out = values.out ?? `dashboard-${values.stack}.svg`;
    fs.writeFileSync(out, renderDashboardSvg(plan.dashboard.title, data, start, end));
    const errors = data.flatMap((d) => d.errors.map((e) => `${d.panel.model}: ${d.panel.title}: ${e}`));
    process.stdout.write(`wrote ${out}: ${data.length} panels, ${data.reduce((n, d) => n + d.series.length, 0)} series\n`);
    for (const e of errors) process.stderr.write(`query rejected: ${e}\n`);
    return errors.length > 0 ? 1 : 0;
}

if (require.main === module) main().then((c) => { process.exitCode = c; }, (e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exitCode = 1; });
