// The dashboard picture of `npm run demo`: the package's dashboard panels for the deployed plan
// (planned whether or not the stack turns the dashboard on), their queries answered by the demo's
// Prometheus over the trace's time range, and a check of where each panel's data came from: every
// series selector the queries use, with the number of series Prometheus held for it during the
// trace (a query such as `sum(x{...}) or vector(0)` draws a line of zeros whether or not `x`
// exists; the selector count tells a zero from a missing source).
import type { DashboardPanel } from "../../components/plan/dashboard";
import type { InferencePlan } from "../../components/plan/types";
import type { PanelData } from "../dashboardSvg";

/**
 * The panels' rate window in the demo. The dashboard's own (DEFAULTS.dashboardRateWindowSeconds,
 * 5 min) is longer than the whole compressed trace, so its rates would smear the trace into a
 * ramp; ten 1 s scrapes keep the detail, the queries are otherwise the dashboard's.
 */
export const DEMO_DASHBOARD_RATE_WINDOW_SECONDS = 10;

/** Every distinct series selector (`name{matchers}`) in the panels' queries, in order of appearance. */
export function panelSelectors(panels: readonly DashboardPanel[]): string[] {
    const out: string[] = [];
    // A metric name directly followed by its matchers; label values are quoted strings that may hold braces.
    const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g;
    for (const p of panels) {
        for (const q of p.queries) {
            for (const m of q.expr.matchAll(re)) {
                const sel = `${m[1]}{${m[2]}}`;
                if (!out.includes(sel)) out.push(sel);
            }
        }
    }
    return out;
}

/** The metric name of a selector from panelSelectors(). */
export function selectorMetric(selector: string): string {
    return selector.slice(0, selector.indexOf("{"));
}

/**
 * Series the demo cannot have, with the reason: every other selector must have held at least one
 * series during the trace, or the panel that reads it is drawn from its `or vector(0)` fallback.
 */
export const EXPECTED_ABSENT: Readonly<Record<string, string>> = {
    "vllm:gpu_cache_usage_perc": "vLLM before 0.9's name of the KV-cache gauge; the emulated simulator engine exports vllm:kv_cache_usage_perc",
    // The errors panel selects only failures, and the demo runs without a fault.
    "keda_scaler_http_requests_total": "only KEDA's failed queries (status_code not 2xx) are selected; every query of the demo is answered",
    "keda_scaler_empty_upstream_responses_total": "KEDA creates it at a query's first empty answer; the demo's Prometheus answers every query",
};

/** Why a model of the plan has no GPU cost or GPU panels (lines under the picture's heading). */
export function missingPanelNotes(plan: InferencePlan, panels: readonly DashboardPanel[]): string[] {
    const notes: string[] = [];
    for (const m of plan.models) {
        const titles = panels.filter((p) => p.model === m.name).map((p) => p.title);
        const gpu = m.engine !== "simulator" && m.gpusPerReplica > 0;
        if (!titles.some((t) => t.startsWith("GPU cost"))) {
            notes.push(`${m.name}: no GPU cost panel: ${gpu ? "the plan has no GPU price (gpuNodePool hourlyCost or the price table)" : "the simulator engine holds no GPU"}`);
        }
        if (!titles.some((t) => t.startsWith("GPU utilization"))) {
            notes.push(`${m.name}: no GPU utilization or memory panels: ${gpu ? "dcgm-exporter is off (gpuMetrics.install false, no gpuUtilization trigger)" : "the simulator engine holds no GPU, so no dcgm-exporter"}`);
        }
    }
    return notes;
}

/** One selector and how many series Prometheus held for it at any time in the range. */
export interface SelectorSeen {
    selector: string;
    series: number;
}

/** For each selector: `count(last_over_time(sel[range]))` at the range's end (0 when none). */
export async function selectorsSeen(prometheusUrl: string, selectors: readonly string[], startSec: number, endSec: number): Promise<SelectorSeen[]> {
    const out: SelectorSeen[] = [];
    for (const selector of selectors) {
        const body = new URLSearchParams({ query: `count(last_over_time(${selector}[${Math.max(1, Math.ceil(endSec - startSec))}s]))`, time: String(endSec) });
        const res = await fetch(new URL("/api/v1/query", prometheusUrl), { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
        const json = await res.json() as { status: string; error?: string; data?: { result: { value: [number, string] }[] } };
        if (json.status !== "success" || !json.data) throw new Error(`Prometheus rejected the count of ${selector}: ${json.error ?? res.status}`);
        out.push({ selector, series: json.data.result.length ? Number(json.data.result[0].value[1]) : 0 });
    }
    return out;
}

/** Selectors that held no series and are not expected to be absent (each a panel drawn from its fallback). */
export function missingSources(seen: readonly SelectorSeen[]): string[] {
    return seen.filter((s) => s.series === 0 && !(selectorMetric(s.selector) in EXPECTED_ABSENT)).map((s) => s.selector);
}

/** What --json records of the dashboard picture. */
export interface DemoDashboardResult {
    file: string;
    /** The trace's first second and the range drawn (unix seconds), the step between points. */
    traceStartSec: number;
    startSec: number;
    endSec: number;
    stepSec: number;
    rateWindowSeconds: number;
    notes: string[];
    panels: { model: string; title: string; queries: DashboardPanel["queries"]; series: PanelData["series"]; errors: string[] }[];
    sources: SelectorSeen[];
}
