// The Grafana dashboard of a release: one row per model with its demand, requests, replicas,
// KV cache, TTFT against its SLO, GPU cost rate, KEDA's view, and (with GPU metrics) GPU
// utilization and memory. Pure: the panels and their PromQL are plan data (the tests run every
// query on a real Prometheus, `npm run plan` lists them, scripts/dashboardSvg.ts draws their
// answers); the ConfigMap carries the dashboard JSON for kube-prometheus-stack's Grafana sidecar.
import { DEFAULTS } from "./defaults";
import { engineSelector, gpuSelector, promString, routerSelector, ttftP95Query, type SeriesScope } from "./queries";

/** One PromQL target of a panel. */
export interface DashboardQuery {
    refId: string;
    expr: string;
    /** Grafana legend format (`{{scaler}}` for per-trigger series). */
    legend: string;
    /**
     * How many series the query answers for the model: `one` (always exactly one, 0 when idle),
     * `perTrigger` (one per ScaledObject trigger KEDA evaluates), `perFailingTrigger` (one per
     * trigger with errors, failed or empty answers in the window, none when healthy).
     */
    series: string;
}

export interface DashboardPanel {
    /** Grafana panel id, unique in the dashboard. */
    id: number;
    /** The model's name (`models[].name`). */
    model: string;
    title: string;
    /** Grafana unit id: `reqps`, `short`, `percentunit`, `s`, `percent`, `decmbytes`. */
    unit: string;
    queries: DashboardQuery[];
}

/** The ConfigMap Grafana's dashboard sidecar loads (label `grafana_dashboard: "1"` in kube-prometheus-stack). */
export interface DashboardConfigMap {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    data: Record<string, string>;
}

export interface DashboardPlan {
    uid: string;
    title: string;
    panels: DashboardPanel[];
    configMap: DashboardConfigMap;
}

/** What the dashboard shows of one model, from its own plan. */
export interface DashboardModel {
    name: string;
    namespace: string;
    servedModelName: string;
    deploymentName: string;
    scaledObjectName: string;
    maxReplicas: number;
    gpusPerReplica: number;
    /** p95 TTFT SLO in seconds (the ttft trigger's target, enabled or not). */
    ttftSloSeconds: number;
    /** Price of one GPU-hour (pool node price / GPUs per node), when the plan has a price and the model uses GPUs. */
    pricePerGpuHour?: number;
    /** GPU utilization and memory panels (dcgm-exporter installed or the gpuUtilization trigger on; GPU engines only). */
    gpuPanels: boolean;
}

export const CONFIG_MAP_API_VERSION = "v1";
export const CONFIG_MAP_KIND = "ConfigMap";

/** The ConfigMap's name; also the dashboard's uid (Grafana allows 40 characters). */
export function dashboardName(release: string): string {
    return `${release}-vllm-autoscaling-dashboard`;
}

function matchers(labels: Record<string, string>): string {
    return `{${Object.entries(labels).map(([k, v]) => `${k}=${promString(v)}`).join(",")}}`;
}

/** The panels of one model, ids from `firstId`. */
export function modelPanels(m: DashboardModel, firstId: number, rateWindowSeconds: number): DashboardPanel[] {
    const scope: SeriesScope = { namespace: m.namespace, servedModelName: m.servedModelName };
    const sel = engineSelector(scope);
    const w = `${rateWindowSeconds}s`;
    const deployment = matchers({ namespace: m.namespace, deployment: m.deploymentName });
    const keda = matchers({ namespace: m.namespace, scaledObject: m.scaledObjectName, type: "scaledobject" });
    const kedaSo = matchers({ namespace: m.namespace, scaledObject: m.scaledObjectName });
    const desired = `sum(kube_deployment_spec_replicas${deployment}) or vector(0)`;
    const one = (refId: string, expr: string, legend: string): DashboardQuery => ({ refId, expr, legend, series: "one" });
    const panels: Omit<DashboardPanel, "id" | "model">[] = [
        { title: "Demand (router requests/s)", unit: "reqps", queries: [
            one("A", `sum(rate(vllm:num_incoming_requests_total${routerSelector(scope)}[${w}])) or vector(0)`, "requests/s"),
        ] },
        { title: "Requests running and waiting", unit: "short", queries: [
            one("A", `sum(vllm:num_requests_running${sel}) or vector(0)`, "running"),
            one("B", `sum(vllm:num_requests_waiting${sel}) or vector(0)`, "waiting"),
        ] },
        { title: "Replicas: desired vs ready", unit: "short", queries: [
            one("A", desired, "desired (spec)"),
            one("B", `sum(kube_deployment_status_replicas_ready${deployment}) or vector(0)`, "ready"),
            one("C", `vector(${m.maxReplicas})`, "maxReplicas"),
        ] },
        { title: "KV-cache usage (average per engine)", unit: "percentunit", queries: [
            one("A", `avg(vllm:kv_cache_usage_perc${sel} or vllm:gpu_cache_usage_perc${sel}) or vector(0)`, "KV cache"),
        ] },
        { title: `TTFT p95 vs SLO (${m.ttftSloSeconds} s)`, unit: "s", queries: [
            one("A", ttftP95Query(scope, rateWindowSeconds), "p95 TTFT"),
            one("B", `vector(${m.ttftSloSeconds})`, "SLO"),
        ] },
        ...(m.pricePerGpuHour !== undefined ? [{ title: "GPU cost rate (per hour, in the pool price's currency)", unit: "short", queries: [
            one("A", `(${desired}) * ${m.gpusPerReplica * m.pricePerGpuHour}`,
                `replicas x ${m.gpusPerReplica} GPU x ${m.pricePerGpuHour} per GPU-hour`),
        ] }] : []),
        { title: "KEDA: scaler values (per trigger)", unit: "short", queries: [
            { refId: "A", expr: `max by (scaler) (keda_scaler_metrics_value${keda})`, legend: "{{scaler}}", series: "perTrigger" },
        ] },
        { title: "KEDA: errors", unit: "short", queries: [
            one("A", `sum(rate(keda_scaled_object_errors_total${kedaSo}[${w}])) or vector(0)`, "ScaledObject errors/s"),
            // KEDA starts every trigger's counter at 0: `> 0` keeps the failing ones only.
            { refId: "B", expr: `sum by (scaler) (rate(keda_scaler_detail_errors_total${keda}[${w}])) > 0`, legend: "{{scaler}} errors/s", series: "perFailingTrigger" },
            // Once the fallback serves KEDA counts no more errors, but it still counts these on every query (alerts.ts).
            { refId: "C", expr: `sum by (trigger_name) (rate(keda_scaler_http_requests_total{namespace=${promString(m.namespace)},scaled_resource=${promString(m.scaledObjectName)},status_code!~"2.."}[${w}])) > 0`,
                legend: "{{trigger_name}} failed queries/s", series: "perFailingTrigger" },
            { refId: "D", expr: `sum by (triggerName) (rate(keda_scaler_empty_upstream_responses_total${matchers({ namespace: m.namespace, scaledResource: m.scaledObjectName })}[${w}])) > 0`,
                legend: "{{triggerName}} empty answers/s", series: "perFailingTrigger" },
        ] },
        ...(m.gpuPanels ? [
            { title: "GPU utilization (dcgm-exporter, average per engine GPU)", unit: "percent", queries: [
                one("A", `avg(avg by (pod) (DCGM_FI_DEV_GPU_UTIL${gpuSelector({ ...scope, deploymentName: m.deploymentName })})) or vector(0)`, "GPU utilization"),
            ] },
            { title: "GPU memory used (dcgm-exporter, all engine GPUs)", unit: "decmbytes", queries: [
                one("A", `sum(DCGM_FI_DEV_FB_USED${gpuSelector({ ...scope, deploymentName: m.deploymentName })}) or vector(0)`, "framebuffer used"),
            ] },
        ] : []),
    ];
    return panels.map((p, i) => ({ id: firstId + i, model: m.name, ...p }));
}

const PANEL_WIDTH = 8;
const PANEL_HEIGHT = 8;

/** Grafana dashboard JSON (schemaVersion 39): a collapsible row per model, its panels three to a line. */
export function dashboardJson(uid: string, title: string, release: string, models: readonly DashboardModel[], panels: readonly DashboardPanel[]): string {
    const grafanaPanels: object[] = [];
    let y = 0;
    let rowId = 1000;
    for (const m of models) {
        grafanaPanels.push({ type: "row", id: rowId++, title: `${m.name} (${m.servedModelName})`, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
        y += 1;
        panels.filter((p) => p.model === m.name).forEach((p, i) => {
            grafanaPanels.push({
                type: "timeseries",
                id: p.id,
                title: p.title,
                datasource: { type: "prometheus", uid: "${datasource}" },
                gridPos: { h: PANEL_HEIGHT, w: PANEL_WIDTH, x: (i % 3) * PANEL_WIDTH, y: y + Math.floor(i / 3) * PANEL_HEIGHT },
                fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
                options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
                targets: p.queries.map((q) => ({ refId: q.refId, expr: q.expr, legendFormat: q.legend, datasource: { type: "prometheus", uid: "${datasource}" } })),
            });
        });
        y += Math.ceil(panels.filter((p) => p.model === m.name).length / 3) * PANEL_HEIGHT;
    }
    return JSON.stringify({
        uid,
        title,
        tags: ["vllm-autoscaling", release],
        timezone: "browser",
        schemaVersion: 39,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        editable: true,
        templating: { list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", current: { text: "Prometheus", value: "prometheus" } }] },
        panels: grafanaPanels,
    }, null, 2);
}

/** The release's dashboard and the ConfigMap that carries it. */
export function planDashboard(input: {
    release: string; namespace: string; labels: Record<string, string>; models: readonly DashboardModel[]; rateWindowSeconds?: number;
}): DashboardPlan {
    const name = dashboardName(input.release);
    const window = input.rateWindowSeconds ?? DEFAULTS.dashboardRateWindowSeconds;
    const panels: DashboardPanel[] = [];
    for (const m of input.models) panels.push(...modelPanels(m, panels.length + 1, window));
    const uid = name.slice(0, 40);
    const title = `vLLM autoscaling: ${input.release}`;
    return {
        uid,
        title,
        panels,
        configMap: {
            apiVersion: CONFIG_MAP_API_VERSION,
            kind: CONFIG_MAP_KIND,
            metadata: {
                name,
                namespace: input.namespace,
                labels: { ...input.labels, [DEFAULTS.grafanaDashboardLabel]: DEFAULTS.grafanaDashboardLabelValue },
            },
            data: { [`${name}.json`]: dashboardJson(uid, title, input.release, input.models, panels) },
        },
    };
}

/** One line per panel for `npm run plan`. */
export function describePanel(p: DashboardPanel): string {
    return `${p.model}: ${p.title} [${p.unit}] <- ${p.queries.map((q) => q.legend).join(", ")}`;
}
