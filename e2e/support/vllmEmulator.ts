// Emulates the /metrics endpoints of vLLM engine pods and the vLLM Production Stack router, as
// the Prometheus Operator would scrape them through the chart's ServiceMonitors. One HTTP server
// serves every target at its own path, so a single Prometheus job can scrape "many pods".
//
// Fidelity notes (checked against upstream sources):
// - vLLM V1 creates every labelled child (gauges, counters, histograms) at start-up, so all engine
//   series exist from the first scrape with value 0; labels are `model_name` (served model name)
//   and `engine` (engine index, "0" without data parallelism). Python's client prints floats as
//   "1.0" (also in `le`).
// - The llm-d inference simulator (v0.9.x, pkg/llm-d-inference-sim/metrics.go) labels only with
//   `model_name` (its first served model name), sets the three gauges to 0 at start-up, but its
//   histograms and counters are client_golang Vec children that appear only on first observation.
//   Go prints floats as "1" (also in `le`). Its queue-time histogram uses the same 0.3..7680
//   buckets as vLLM.
// - The router (src/vllm_router/services/metrics_service) declares `vllm:num_requests_running`
//   and `vllm:num_requests_waiting` with label `server`, clears them on every scrape and sets
//   only `running` (and `current_qps`) per known server: through chart 0.1.12 and main it never
//   sets `num_requests_waiting`, so that family has HELP/TYPE lines and no samples unless a test
//   opts in with `RouterServerGauges.waiting`. Its counter `vllm:num_incoming_requests_total{model}`
//   is a prometheus_client label child: absent until the first request for that model, then
//   present with the first increment already counted; prometheus_client also emits a
//   `vllm:num_incoming_requests_created` gauge per child.

import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** vLLM's (and the simulator's) `vllm:time_to_first_token_seconds` bucket bounds. */
export const TTFT_BUCKETS: readonly number[] = [
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
    160, 640, 2560,
];

/** vLLM's request latency bucket bounds, used by `vllm:request_queue_time_seconds`. */
export const REQUEST_LATENCY_BUCKETS: readonly number[] = [
    0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
];

/**
 * Which engine implementation to emulate:
 * - `vllm`: vLLM >= 0.9 V1 engine (`vllm:kv_cache_usage_perc`);
 * - `vllm-pre-0.9`: same, but the KV gauge is still called `vllm:gpu_cache_usage_perc`;
 * - `llm-d-sim`: the llm-d inference simulator (no `engine` label, lazy histograms/counters).
 */
export type EngineFlavor = "vllm" | "vllm-pre-0.9" | "llm-d-sim";

export type TargetKind = "engine" | "router" | "exporter";

/** The labels the Prometheus Operator attaches to a target discovered through a ServiceMonitor. */
export interface TargetLabels {
    namespace: string;
    service: string;
    pod: string;
    /** The Operator's default job label is the Service name. */
    job: string;
    /** The ServiceMonitor endpoint's port name. */
    endpoint: string;
    container: string;
    /** `<pod IP>:<port>`; a fake, unique IP per target so that `instance` identifies it. */
    instance: string;
}

export interface EngineGauges {
    /** `vllm:num_requests_waiting` */
    waiting: number;
    /** `vllm:num_requests_running` */
    running: number;
    /** `vllm:kv_cache_usage_perc` (or `vllm:gpu_cache_usage_perc`), 0..1 */
    kvCacheUsage: number;
}

export interface EngineSpec extends Partial<EngineGauges> {
    /** Served model name: the value of `model_name`. */
    model: string;
    flavor?: EngineFlavor;
    /** Default `llm`. */
    namespace?: string;
    /** Helm release of the vllm-stack chart; default `vllm`. */
    release?: string;
    /** The chart's `modelSpec.name`; default: the model name made DNS-safe. */
    modelSpecName?: string;
    /** Pod name; default: the target id. */
    pod?: string;
    /** Default true. false = the pod does not exist (yet). */
    present?: boolean;
}

export interface RouterSpec {
    namespace?: string;
    release?: string;
    pod?: string;
    present?: boolean;
}

/** Per-engine (`server` label = engine URL) gauges the router exports. */
export interface RouterServerGauges {
    /** `vllm:current_qps{server}` */
    qps?: number;
    /** `vllm:num_requests_running{server}` (prefill + decoding requests the router has in flight) */
    running?: number;
    /**
     * `vllm:num_requests_waiting{server}`. The real router never sets this (see the file comment);
     * leave it undefined to be faithful, set it to model a router that would.
     */
    waiting?: number;
}

export interface TargetInfo {
    id: string;
    kind: TargetKind;
    labels: TargetLabels;
    /** URL path on the emulator, e.g. `/t/<id>/metrics`. */
    metricsPath: string;
    present: boolean;
    /**
     * Scraped with honor_labels (exporters such as kube-state-metrics and KEDA's operator, whose
     * series carry the `namespace` of the object they describe, as their ServiceMonitors keep it).
     */
    honorLabels?: boolean;
}

/** A series an exporter target serves: name, labels, value (rendered as Go's client prints it). */
export interface ExporterSeries {
    name: string;
    labels: Record<string, string>;
    value: number;
    type?: "gauge" | "counter";
}

/** Cumulative bucket counts are computed at render time; we keep per-bucket counts. */
class Histogram {
    private readonly counts: number[];
    sum = 0;
    count = 0;

    constructor(readonly bounds: readonly number[]) {
        this.counts = new Array<number>(bounds.length + 1).fill(0);
    }

    observe(value: number, times: number): void {
        let i = this.bounds.findIndex((b) => value <= b);
        if (i < 0) i = this.bounds.length;
        this.counts[i] += times;
        this.sum += value * times;
        this.count += times;
    }

    cumulative(): number[] {
        let acc = 0;
        return this.counts.map((c) => (acc += c));
    }
}

interface ScrapeLog {
    count: number;
    /** Arrival time (ms since epoch) of every scrape, indexed by scrape number - 1. */
    arrivals: number[];
}

interface EngineTarget {
    kind: "engine";
    info: TargetInfo;
    model: string;
    flavor: EngineFlavor;
    gauges: EngineGauges;
    // undefined = the client library has not created the child yet (simulator before first use)
    ttft?: Histogram;
    queueTime?: Histogram;
    inferenceTime?: Histogram;
    promptTokens?: number;
    generationTokens?: number;
    /** Metric families exported under another name (a vLLM release renaming one). */
    renames?: Map<string, string>;
    scrapes: ScrapeLog;
}

interface RouterTarget {
    kind: "router";
    info: TargetInfo;
    servers: Map<string, RouterServerGauges>;
    incoming: Map<string, { value: number; created: number }>;
    scrapes: ScrapeLog;
}

/** kube-state-metrics or KEDA's operator: whatever series a test sets. */
interface ExporterTarget {
    kind: "exporter";
    info: TargetInfo;
    /** Keyed by name + labels. */
    series: Map<string, ExporterSeries>;
    scrapes: ScrapeLog;
}

type Target = EngineTarget | RouterTarget | ExporterTarget;

export type TargetsChangedListener = (targets: TargetInfo[]) => void;

function dnsSafe(s: string): string {
    return s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
}

function escapeLabelValue(v: string): string {
    return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function special(v: number): string | undefined {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "+Inf";
    if (v === -Infinity) return "-Inf";
    return undefined;
}

// prometheus_client's floatToGoString (vLLM, router): Python's repr, so integral values keep
// ".0", except that positive values with more than 6 integer digits get Go-like exponents.
function pyFloat(v: number): string {
    const sp = special(v);
    if (sp !== undefined) return sp;
    const s = Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
    const dot = s.indexOf(".");
    if (v > 0 && dot > 6) {
        const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, "");
        return `${mantissa}e+0${dot - 1}`;
    }
    return s;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) for the values we use (simulator)
function goFloat(v: number): string {
    return special(v) ?? String(v);
}

type FloatFormat = (v: number) => string;

class Exposition {
    private readonly lines: string[] = [];
    constructor(private readonly fmt: FloatFormat) {}

    family(name: string, type: "gauge" | "counter" | "histogram", help: string): this {
        this.lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
        this.lines.push(`# TYPE ${name} ${type}`);
        return this;
    }

    sample(name: string, labels: Record<string, string>, value: number): this {
        const ls = Object.entries(labels)
            .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
            .join(",");
        this.lines.push(`${name}${ls ? `{${ls}}` : ""} ${this.fmt(value)}`);
        return this;
    }

    histogram(name: string, labels: Record<string, string>, h: Histogram): this {
        const cum = h.cumulative();
        h.bounds.forEach((b, i) => this.sample(`${name}_bucket`, { ...labels, le: this.fmt(b) }, cum[i]));
        this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, cum[h.bounds.length]);
        this.sample(`${name}_sum`, labels, h.sum);
        this.sample(`${name}_count`, labels, h.count);
        return this;
    }

    toString(): string {
        return this.lines.length ? this.lines.join("\n") + "\n" : "";
    }
}

/**
 * The emulator. Create with `new VllmEmulator()`, declare targets, `await start()`, then change
 * state from tests; every scrape renders the state current at the time of the request.
 */
export class VllmEmulator {
    private readonly targets = new Map<string, Target>();
    private readonly listeners: TargetsChangedListener[] = [];
    private server?: http.Server;
    private nextIp = 1;
    private port_?: number;

    /** Port the server listens on (127.0.0.1); throws before `start()`. */
    get port(): number {
        if (this.port_ === undefined) throw new Error("VllmEmulator: not started");
        return this.port_;
    }

    /** `127.0.0.1:<port>`, the address Prometheus scrapes. */
    get address(): string {
        return `127.0.0.1:${this.port}`;
    }

    async start(): Promise<void> {
        if (this.server) return;
        const server = http.createServer((req, res) => this.handle(req, res));
        // Prometheus keeps connections alive; don't let them hold `close()` up.
        server.keepAliveTimeout = 2000;
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        this.server = server;
        this.port_ = (server.address() as AddressInfo).port;
    }

    async close(): Promise<void> {
        const server = this.server;
        if (!server) return;
        this.server = undefined;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    // ---- targets -------------------------------------------------------------------------------

    /** Declares an engine pod. Its counters and histograms start at 0 (vLLM) or absent (simulator). */
    addEngine(id: string, spec: EngineSpec): TargetInfo {
        const namespace = spec.namespace ?? "llm";
        const release = spec.release ?? "vllm";
        const service = `${release}-${spec.modelSpecName ?? dnsSafe(spec.model)}-engine-service`;
        const flavor = spec.flavor ?? "vllm";
        const lazy = flavor === "llm-d-sim";
        const t: EngineTarget = {
            kind: "engine",
            info: this.info(id, "engine", spec.present ?? true, {
                namespace,
                service,
                pod: spec.pod ?? id,
                job: service,
                endpoint: "service-port",
                container: "vllm",
                instance: `${this.fakeIp()}:8000`,
            }),
            model: spec.model,
            flavor,
            gauges: {
                waiting: spec.waiting ?? 0,
                running: spec.running ?? 0,
                kvCacheUsage: spec.kvCacheUsage ?? 0,
            },
            ttft: lazy ? undefined : new Histogram(TTFT_BUCKETS),
            queueTime: lazy ? undefined : new Histogram(REQUEST_LATENCY_BUCKETS),
            inferenceTime: lazy ? undefined : new Histogram(REQUEST_LATENCY_BUCKETS),
            promptTokens: lazy ? undefined : 0,
            generationTokens: lazy ? undefined : 0,
            scrapes: { count: 0, arrivals: [] },
        };
        this.add(t);
        return t.info;
    }

    /** Declares a router pod (`<release>-deployment-router-...`, Service `<release>-router-service`). */
    addRouter(id: string, spec: RouterSpec = {}): TargetInfo {
        const release = spec.release ?? "vllm";
        const service = `${release}-router-service`;
        const t: RouterTarget = {
            kind: "router",
            info: this.info(id, "router", spec.present ?? true, {
                namespace: spec.namespace ?? "llm",
                service,
                pod: spec.pod ?? id,
                job: service,
                endpoint: "router-sport",
                container: "router-container",
                instance: `${this.fakeIp()}:8000`,
            }),
            servers: new Map(),
            incoming: new Map(),
            scrapes: { count: 0, arrivals: [] },
        };
        this.add(t);
        return t.info;
    }

    /** Pod gone: its endpoint serves an empty body, so Prometheus writes stale markers at once. */
    /**
     * Declares an exporter pod (kube-state-metrics, KEDA's operator) in `namespace`, scraped with
     * honor_labels; its series are set with setSeries().
     */
    addExporter(id: string, spec: { namespace?: string; service: string; present?: boolean }): TargetInfo {
        const t: ExporterTarget = {
            kind: "exporter",
            info: {
                ...this.info(id, "exporter", spec.present ?? true, {
                    namespace: spec.namespace ?? "monitoring",
                    service: spec.service,
                    pod: id,
                    job: spec.service,
                    endpoint: "metrics",
                    container: spec.service,
                    instance: `${this.fakeIp()}:8080`,
                }),
                honorLabels: true,
            },
            series: new Map(),
            scrapes: { count: 0, arrivals: [] },
        };
        this.add(t);
        return t.info;
    }

    /** Sets (or adds) one series of an exporter. */
    setSeries(id: string, series: ExporterSeries): void {
        this.exporter(id).series.set(seriesKey(series), { ...series, labels: { ...series.labels } });
    }

    /** Adds `by` to a counter series of an exporter (created at `by` when new). */
    incSeries(id: string, series: Omit<ExporterSeries, "value" | "type">, by = 1): void {
        const t = this.exporter(id);
        const key = seriesKey(series);
        const old = t.series.get(key);
        t.series.set(key, { ...series, labels: { ...series.labels }, type: "counter", value: (old?.value ?? 0) + by });
    }

    /** Removes every series of an exporter with this name whose labels include `labels`. */
    deleteSeries(id: string, name: string, labels: Record<string, string> = {}): void {
        const t = this.exporter(id);
        for (const [k, v] of t.series) {
            if (v.name === name && Object.entries(labels).every(([l, x]) => v.labels[l] === x)) t.series.delete(k);
        }
    }

    removeTarget(id: string): void {
        this.get(id).info.present = false;
    }

    /** Pod back (same name and state; use a new id for a realistic new pod). */
    restoreTarget(id: string): void {
        this.get(id).info.present = true;
    }

    targetInfos(): TargetInfo[] {
        return [...this.targets.values()].map((t) => ({ ...t.info, labels: { ...t.info.labels } }));
    }

    /** Called synchronously whenever a target is added (the harness rewrites its file_sd then). */
    onTargetsChanged(listener: TargetsChangedListener): void {
        this.listeners.push(listener);
    }

    // ---- engine state --------------------------------------------------------------------------

    /** Sets an engine's gauges; omitted fields keep their value. */
    setEngine(id: string, gauges: Partial<EngineGauges>): void {
        const t = this.engine(id);
        t.gauges = { ...t.gauges, ...definedOnly(gauges) };
    }

    /**
     * From now on the engine exports the family `from` as `to` (a vLLM upgrade renaming a metric;
     * histogram series follow their base name); `to` undefined restores the name.
     */
    renameMetric(id: string, from: string, to: string | undefined): void {
        const t = this.engine(id);
        t.renames ??= new Map();
        if (to === undefined) t.renames.delete(from);
        else t.renames.set(from, to);
    }

    /** Records `count` requests whose time to first token was `seconds`. */
    observeTtft(id: string, seconds: number, count = 1): void {
        const t = this.engine(id);
        (t.ttft ??= new Histogram(TTFT_BUCKETS)).observe(seconds, count);
    }

    /** Records `count` requests that waited `seconds` in the engine's queue. */
    observeQueueTime(id: string, seconds: number, count = 1): void {
        const t = this.engine(id);
        (t.queueTime ??= new Histogram(REQUEST_LATENCY_BUCKETS)).observe(seconds, count);
    }

    /** Records `count` finished requests that ran `seconds` (RUNNING phase: prefill + decode). */
    observeInferenceTime(id: string, seconds: number, count = 1): void {
        const t = this.engine(id);
        (t.inferenceTime ??= new Histogram(REQUEST_LATENCY_BUCKETS)).observe(seconds, count);
    }

    addTokens(id: string, tokens: { prompt?: number; generation?: number }): void {
        const t = this.engine(id);
        if (tokens.prompt !== undefined) t.promptTokens = (t.promptTokens ?? 0) + tokens.prompt;
        if (tokens.generation !== undefined) t.generationTokens = (t.generationTokens ?? 0) + tokens.generation;
    }

    // ---- router state --------------------------------------------------------------------------

    /**
     * `n` requests for `model` reach the router (counted even when no engine serves the model).
     * With several routers, name the one; with one, it is found.
     */
    routerRequest(model: string, n = 1, routerId?: string): void {
        const t = this.router(routerId);
        const c = t.incoming.get(model);
        if (c) c.value += n;
        else t.incoming.set(model, { value: n, created: Date.now() / 1000 });
    }

    /** Sets the router's per-engine gauges for `server` (an engine URL such as `http://10.0.0.5:8000`). */
    setRouterServer(server: string, gauges: RouterServerGauges, routerId?: string): void {
        const t = this.router(routerId);
        t.servers.set(server, { ...t.servers.get(server), ...definedOnly(gauges) });
    }

    /** The router no longer knows `server` (it clears its labelled gauges on every scrape). */
    removeRouterServer(server: string, routerId?: string): void {
        this.router(routerId).servers.delete(server);
    }

    // ---- scrape log ----------------------------------------------------------------------------

    /** How many times Prometheus has requested this target's metrics. */
    scrapeCount(id: string): number {
        return this.get(id).scrapes.count;
    }

    /** Arrival time (ms since epoch) of scrape number `n` (1-based) of a target. */
    scrapeArrival(id: string, n: number): number | undefined {
        return this.get(id).scrapes.arrivals[n - 1];
    }

    /** The exposition a scrape would get now ("" for an absent target). */
    render(id: string): string {
        const t = this.get(id);
        if (!t.info.present) return "";
        if (t.kind === "engine") return renamed(renderEngine(t), t.renames);
        return t.kind === "router" ? renderRouter(t) : renderExporter(t);
    }

    // ---- internals -----------------------------------------------------------------------------

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const m = /^\/t\/([^/]+)\/metrics$/.exec((req.url ?? "").split("?")[0]);
        const t = m ? this.targets.get(decodeURIComponent(m[1])) : undefined;
        if (!t || req.method !== "GET") {
            res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
            return;
        }
        // Logged before rendering: a scrape that is counted always saw the state of its arrival.
        t.scrapes.count++;
        t.scrapes.arrivals.push(Date.now());
        const body = this.render(t.info.id);
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(body);
    }

    private info(id: string, kind: TargetKind, present: boolean, labels: TargetLabels): TargetInfo {
        if (this.targets.has(id)) throw new Error(`VllmEmulator: target ${id} already exists`);
        if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error(`VllmEmulator: target id ${id} must match [A-Za-z0-9._-]+`);
        return { id, kind, labels, metricsPath: `/t/${id}/metrics`, present };
    }

    private add(t: Target): void {
        this.targets.set(t.info.id, t);
        const infos = this.targetInfos();
        for (const l of this.listeners) l(infos);
    }

    private fakeIp(): string {
        const n = this.nextIp++;
        return `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    }

    private get(id: string): Target {
        const t = this.targets.get(id);
        if (!t) throw new Error(`VllmEmulator: no target ${id}`);
        return t;
    }

    private engine(id: string): EngineTarget {
        const t = this.get(id);
        if (t.kind !== "engine") throw new Error(`VllmEmulator: target ${id} is a ${t.kind}, not an engine`);
        return t;
    }

    private exporter(id: string): ExporterTarget {
        const t = this.get(id);
        if (t.kind !== "exporter") throw new Error(`VllmEmulator: target ${id} is a ${t.kind}, not an exporter`);
        return t;
    }

    private router(id?: string): RouterTarget {
        if (id !== undefined) {
            const t = this.get(id);
            if (t.kind !== "router") throw new Error(`VllmEmulator: target ${id} is an ${t.kind}, not a router`);
            return t;
        }
        const routers = [...this.targets.values()].filter((t): t is RouterTarget => t.kind === "router");
        if (routers.length !== 1) throw new Error(`VllmEmulator: ${routers.length} routers; name one`);
        return routers[0];
    }
}

function definedOnly<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function renderEngine(t: EngineTarget): string {
    const sim = t.flavor === "llm-d-sim";
    const e = new Exposition(sim ? goFloat : pyFloat);
    const labels: Record<string, string> = sim ? { model_name: t.model } : { model_name: t.model, engine: "0" };
    const kvName = t.flavor === "vllm-pre-0.9" ? "vllm:gpu_cache_usage_perc" : "vllm:kv_cache_usage_perc";

    e.family("vllm:num_requests_running", "gauge", "Number of requests in model execution batches.")
        .sample("vllm:num_requests_running", labels, t.gauges.running);
    e.family("vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.")
        .sample("vllm:num_requests_waiting", labels, t.gauges.waiting);
    e.family(kvName, "gauge", "KV-cache usage. 1 means 100 percent usage.")
        .sample(kvName, labels, t.gauges.kvCacheUsage);

    // Families are declared even without children, as both client libraries do.
    e.family("vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.");
    if (t.promptTokens !== undefined) e.sample("vllm:prompt_tokens_total", labels, t.promptTokens);
    e.family("vllm:generation_tokens_total", "counter", "Number of generation tokens processed.");
    if (t.generationTokens !== undefined) e.sample("vllm:generation_tokens_total", labels, t.generationTokens);

    // client_golang omits a Vec family that has no children at all; prometheus_client keeps it.
    if (!sim || t.ttft) e.family("vllm:time_to_first_token_seconds", "histogram", "Histogram of time to first token in seconds.");
    if (t.ttft) e.histogram("vllm:time_to_first_token_seconds", labels, t.ttft);
    if (!sim || t.queueTime) e.family("vllm:request_queue_time_seconds", "histogram", "Histogram of time spent in WAITING phase for request.");
    if (t.queueTime) e.histogram("vllm:request_queue_time_seconds", labels, t.queueTime);
    if (!sim || t.inferenceTime) e.family("vllm:request_inference_time_seconds", "histogram", "Histogram of time spent in RUNNING phase for request.");
    if (t.inferenceTime) e.histogram("vllm:request_inference_time_seconds", labels, t.inferenceTime);
    return e.toString();
}

function renamed(text: string, renames: Map<string, string> | undefined): string {
    let out = text;
    for (const [from, to] of renames ?? []) {
        const name = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        out = out.replace(new RegExp(`^((?:# (?:HELP|TYPE) )?)${name}(?=[{ _])`, "gm"), `$1${to}`);
    }
    return out;
}

function seriesKey(s: { name: string; labels: Record<string, string> }): string {
    return `${s.name}${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

function renderExporter(t: ExporterTarget): string {
    const e = new Exposition(goFloat);
    const byName = new Map<string, ExporterSeries[]>();
    for (const s of t.series.values()) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    for (const [name, list] of byName) {
        e.family(name, list[0].type ?? "gauge", name);
        for (const s of list) e.sample(name, s.labels, s.value);
    }
    return e.toString();
}

function renderRouter(t: RouterTarget): string {
    const e = new Exposition(pyFloat);
    const servers = [...t.servers.entries()];
    const gauge = (name: string, help: string, pick: (g: RouterServerGauges) => number | undefined) => {
        e.family(name, "gauge", help);
        for (const [server, g] of servers) {
            const v = pick(g);
            if (v !== undefined) e.sample(name, { server }, v);
        }
    };
    gauge("vllm:num_requests_running", "Number of running requests", (g) => g.running ?? 0);
    gauge("vllm:num_requests_waiting", "Number of waiting requests", (g) => g.waiting);
    gauge("vllm:current_qps", "Current Queries Per Second", (g) => g.qps ?? 0);

    e.family(
        "vllm:num_incoming_requests_total",
        "counter",
        "Total valid incoming requests to router (including when no backends available).",
    );
    for (const [model, c] of t.incoming) e.sample("vllm:num_incoming_requests_total", { model }, c.value);
    if (t.incoming.size) {
        e.family(
            "vllm:num_incoming_requests_created",
            "gauge",
            "Total valid incoming requests to router (including when no backends available).",
        );
        for (const [model, c] of t.incoming) e.sample("vllm:num_incoming_requests_created", { model }, c.created);
    }
    return e.toString();
}
