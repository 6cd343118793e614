// A self-contained SVG chart of one run: demand (in full-batch replicas), desired (spec) and
// ready replicas on the left axis, the engines' queue on the right axis, time in hours.
import type { SimResult } from "./run";

export function esc(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function niceMax(x: number): number {
    if (x <= 0) return 1;
    const p = 10 ** Math.floor(Math.log10(x));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
    return 10 * p;
}

/** A 1000 px wide chart of height H: margins (left, top) and the plot's width and height, B px left below it. */
function frame(H: number, B: number): { W: number; H: number; L: number; T: number; pw: number; ph: number } {
    const W = 1000;
    const L = 60;
    const R = 70;
    const T = 50;
    return { W, H, L, T, pw: W - L - R, ph: H - T - B };
}

/** The opening of a chart: the svg element, a white background, the title and a grey subtitle. */
function chartHead(W: number, H: number, L: number, title: string, subtitle: string): string[] {
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
        `<rect width="${W}" height="${H}" fill="white"/>`,
        `<text x="${L}" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
        `<text x="${L}" y="38" fill="#444">${esc(subtitle)}</text>`,
    ];
}

/** "replicas" up the left axis, and the right axis's title in its colour. */
function axisTitles(W: number, T: number, ph: number, right: string, rightColor: string): string[] {
    return [
        `<text x="16" y="${T + ph / 2}" transform="rotate(-90 16 ${T + ph / 2})" text-anchor="middle">replicas</text>`,
        `<text x="${W - 14}" y="${T + ph / 2}" transform="rotate(90 ${W - 14} ${T + ph / 2})" text-anchor="middle" fill="${rightColor}">${esc(right)}</text>`,
    ];
}

export function chartSvg(r: SimResult, title: string): string {
    const { W, H, L, T, pw, ph } = frame(420, 50);
    const pts = r.series;
    const minutes = Math.max(1, pts.length);
    const top = Math.max(1, ...pts.map((p) => Math.max(p.replicas, p.ready, p.demandReplicas)));
    // Whole replicas on the grid: four ticks, each a whole number.
    const yMax = top <= 20 ? Math.ceil((top + 0.01) / 4) * 4 : niceMax(top);
    const qMax = niceMax(Math.max(1, ...pts.map((p) => p.waiting)));
    const x = (m: number) => (L + (m / minutes) * pw).toFixed(1);
    const y = (v: number) => (T + ph - (v / yMax) * ph).toFixed(1);
    const yq = (v: number) => (T + ph - (v / qMax) * ph).toFixed(1);
    const line = (f: (p: (typeof pts)[number]) => number, yf: (v: number) => string, step: boolean) => pts.map((p, i) => {
        const v = yf(f(p));
        return step && i > 0 ? `${x(p.minute)},${yf(f(pts[i - 1]))} ${x(p.minute)},${v}` : `${x(p.minute)},${v}`;
    }).join(" ");
    const demandArea = `${x(0)},${y(0)} ${line((p) => p.demandReplicas, y, false)} ${x(pts.length ? pts[pts.length - 1].minute : 0)},${y(0)}`;
    const hours = r.hours;
    const xTicks: string[] = [];
    const stepH = hours > 12 ? 2 : hours > 4 ? 1 : 0.5;
    for (let h = 0; h <= hours + 1e-9; h += stepH) {
        const xx = x(h * 60);
        xTicks.push(`<line x1="${xx}" y1="${T + ph}" x2="${xx}" y2="${T + ph + 5}" stroke="#444"/><text x="${xx}" y="${T + ph + 20}" text-anchor="middle">${h}h</text>`);
    }
    const yTicks: string[] = [];
    for (let i = 0; i <= 4; i++) {
        const v = (yMax * i) / 4;
        const q = (qMax * i) / 4;
        yTicks.push(`<line x1="${L}" y1="${y(v)}" x2="${L + pw}" y2="${y(v)}" stroke="#eee"/>` +
            `<text x="${L - 8}" y="${y(v)}" text-anchor="end" dominant-baseline="middle">${+v.toFixed(1)}</text>` +
            `<text x="${L + pw + 8}" y="${yq(q)}" dominant-baseline="middle" fill="#b35900">${qMax < 10 ? +q.toFixed(1) : Math.round(q)}</text>`);
    }
    const summary = `GPU-h ${r.gpuHours.toFixed(1)} · wait≤SLO ${(100 * r.waitSlo).toFixed(1)}% · TTFT≤SLO ${(100 * r.ttftSlo).toFixed(1)}% · ` +
        `p95 wait ${r.p95WaitSeconds.toFixed(1)} s · refused ${Math.round(r.refused)} · changes ${r.replicaChanges}`;
    const legend = [
        ["#9ecae1", "demand (replicas at full batch)", "rect"],
        ["#08519c", "desired replicas (spec)", "line"],
        ["#31a354", "ready replicas", "line"],
        ["#e6550d", "queue (waiting requests, right axis)", "line"],
    ].map(([c, label, kind], i) => {
        const lx = L + i * 235;
        const mark = kind === "rect" ? `<rect x="${lx}" y="${H - 16}" width="14" height="10" fill="${c}"/>` : `<line x1="${lx}" y1="${H - 11}" x2="${lx + 14}" y2="${H - 11}" stroke="${c}" stroke-width="2.5"/>`;
        return `${mark}<text x="${lx + 20}" y="${H - 7}">${esc(label)}</text>`;
    });
    return [
        ...chartHead(W, H, L, title, summary),
        ...yTicks,
        `<polygon points="${demandArea}" fill="#9ecae1" fill-opacity="0.7"/>`,
        `<polyline points="${line((p) => p.waiting, yq, false)}" fill="none" stroke="#e6550d" stroke-width="1.2"/>`,
        `<polyline points="${line((p) => p.replicas, y, true)}" fill="none" stroke="#08519c" stroke-width="2"/>`,
        `<polyline points="${line((p) => p.ready, y, true)}" fill="none" stroke="#31a354" stroke-width="2" stroke-dasharray="5,3"/>`,
        `<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
        ...xTicks,
        ...axisTitles(W, T, ph, "waiting requests", "#b35900"),
        ...legend,
        `</svg>`,
    ].join("\n") + "\n";
}

/** One step line of a per-second chart. */
export interface TimelineLine {
    label: string;
    color: string;
    /** One value per second. */
    values: readonly number[];
    dashed?: boolean;
    /** Stroke width; lines are drawn thinnest first, so the widest stay on top. Default 2. */
    width?: number;
}

/**
 * A per-second chart of replica counts (left axis, whole numbers) over the request rate (shaded,
 * right axis): the real loop beside the simulator's prediction of the same trace.
 */
export function timelineSvg(title: string, subtitle: string, rps: readonly number[], lines: readonly TimelineLine[]): string {
    const { W, H, L, T, pw, ph } = frame(400, 70);
    const n = Math.max(1, rps.length, ...lines.map((l) => l.values.length));
    const top = Math.max(1, ...lines.flatMap((l) => l.values));
    // Room above the highest count; a tick per replica while they fit.
    const yMax = top + 1 <= 10 ? top + 1 : Math.ceil((top + 1) / 4) * 4;
    const yTickCount = yMax <= 10 ? yMax : 4;
    const rMax = niceMax(Math.max(0.1, ...rps));
    const x = (s: number) => (L + (s / n) * pw).toFixed(1);
    const y = (v: number) => (T + ph - (v / yMax) * ph).toFixed(1);
    const yr = (v: number) => (T + ph - (v / rMax) * ph).toFixed(1);
    const step = (values: readonly number[], yf: (v: number) => string) =>
        values.map((v, i) => `${x(i)},${yf(i > 0 ? values[i - 1] : v)} ${x(i)},${yf(v)}`).join(" ") +
        (values.length ? ` ${x(values.length)},${yf(values[values.length - 1])}` : "");
    const area = `${x(0)},${yr(0)} ${step(rps, yr)} ${x(rps.length)},${yr(0)}`;
    const tickEvery = n > 600 ? 120 : n > 240 ? 60 : 30;
    const xTicks: string[] = [];
    for (let s = 0; s <= n; s += tickEvery) {
        xTicks.push(`<line x1="${x(s)}" y1="${T + ph}" x2="${x(s)}" y2="${T + ph + 5}" stroke="#444"/><text x="${x(s)}" y="${T + ph + 20}" text-anchor="middle">${s}s</text>`);
    }
    const yTicks: string[] = [];
    for (let i = 0; i <= yTickCount; i++) {
        const v = (yMax * i) / yTickCount;
        yTicks.push(`<line x1="${L}" y1="${y(v)}" x2="${L + pw}" y2="${y(v)}" stroke="#eee"/>` +
            `<text x="${L - 8}" y="${y(v)}" text-anchor="end" dominant-baseline="middle">${+v.toFixed(1)}</text>`);
    }
    for (let i = 0; i <= 4; i++) {
        const r = (rMax * i) / 4;
        yTicks.push(`<text x="${L + pw + 8}" y="${yr(r)}" dominant-baseline="middle" fill="#3182bd">${+r.toFixed(2)}</text>`);
    }
    const drawn = [...lines].sort((a, b) => (a.width ?? 2) - (b.width ?? 2));
    const legendItems: [string, string, boolean | "area"][] = [["#9ecae1", "requests/s (right axis)", "area"], ...lines.map((l): [string, string, boolean] => [l.color, l.label, !!l.dashed])];
    const legend = legendItems.map(([c, label, kind], i) => {
        const lx = L + (i % 3) * 300;
        const ly = H - 30 + Math.floor(i / 3) * 18;
        const mark = kind === "area" ? `<rect x="${lx}" y="${ly - 5}" width="14" height="10" fill="${c}"/>`
            : `<line x1="${lx}" y1="${ly}" x2="${lx + 14}" y2="${ly}" stroke="${c}" stroke-width="2.5"${kind ? ' stroke-dasharray="4,3"' : ""}/>`;
        return `${mark}<text x="${lx + 20}" y="${ly + 4}">${esc(label)}</text>`;
    });
    return [
        ...chartHead(W, H, L, title, subtitle),
        ...yTicks,
        `<polygon points="${area}" fill="#9ecae1" fill-opacity="0.6"/>`,
        ...drawn.map((l) => `<polyline points="${step(l.values, y)}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 2}"${l.dashed ? ' stroke-dasharray="6,3"' : ""}><title>${esc(l.label)}</title></polyline>`),
        `<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
        ...xTicks,
        ...axisTitles(W, T, ph, "requests/s", "#3182bd"),
        ...legend,
        `</svg>`,
    ].join("\n") + "\n";
}
