// Engines that follow the cluster: pods on kwok nodes run no containers, so this test-harness
// module plays the vLLM engines and the router for the real scaling loop. Every second it reads
// the engine Deployments and their pods from the API server; for each READY pod (Ready
// condition true, not terminating) it serves, through the VllmEmulator, the metrics Prometheus
// would scrape from that pod (`vllm:num_requests_waiting`, `vllm:num_requests_running`,
// `vllm:kv_cache_usage_perc`, the TTFT histogram; target labels namespace, pod, service, and
// `model_name` on the series), and it serves the router's `vllm:num_incoming_requests_total{model}`
// (a router target in the models' namespace). A pod that goes away stops being served (its target
// answers an empty body, so Prometheus marks its series stale at once).
//
// Load: a trace (requests per second, one entry per second) per model, fed through the
// simulator's engine model (components/sim/engine.ts EnginePool, the very model `npm run
// simulate` uses), with as many ready engines as the cluster has ready pods. The router spreads
// requests evenly over the ready pods (EnginePool is pooled over them), so each pod serves an
// equal share of the pool's gauges; arrivals count on the router counter whether or not an
// engine is ready (the router counts requests it cannot route), and the pool refuses them
// while no engine is ready, as the router answers 503 then.
//
// kube-state-metrics: with `kubeStateMetricsId` (an exporter target of the emulator, scraped with
// honor_labels as kube-prometheus-stack's ServiceMonitor does) the same read of each engine
// Deployment also serves what kube-state-metrics would derive from that object:
// `kube_deployment_spec_replicas` and `kube_deployment_status_replicas_ready`, labelled namespace
// and deployment, present while the Deployment exists (the dashboard's replicas panel reads them).
//
// Everything listens on 127.0.0.1 (the emulator's server); nothing here outlives stop(), and a
// run stops by itself after `maxSeconds`.
import type { ExporterSeries, VllmEmulator, EngineFlavor } from "./vllmEmulator";
import { EnginePool, type EngineParams } from "../../components/sim/engine";
import type { LocalCluster } from "./cluster";
import { HEADROOM_COMPONENT_LABEL } from "../../components/plan/headroom";

export interface FollowedModel {
    /** The chart's modelSpec name (the plan's ModelPlan.name). */
    name: string;
    namespace: string;
    deploymentName: string;
    /** `model_name` on engine series, `model` on the router counter. */
    servedModelName: string;
    /** Engine parameters (components/sim/run.ts paramsForPlan(plan, i).engine). */
    engine: EngineParams;
    /** `simulator` (llm-d inference simulator's exposition) or `vllm`. */
    engineKind: string;
    /** Helm release of the vllm-stack chart (engine Service names). */
    release: string;
}

/** One second of the loop as this harness saw it. */
export interface LoopSample {
    /** Seconds since start(). */
    t: number;
    model: string;
    rps: number;
    /** Second of the trace being played (play/setRate), undefined once it has ended. */
    traceSecond?: number;
    /** The Deployment's spec.replicas (what KEDA / the HPA asked for); undefined before it exists. */
    desired?: number;
    /** Ready, not terminating pods of the Deployment (the engines served). */
    ready: number;
    waiting: number;
    running: number;
    /** With a node pool to follow: its NodeClaims (instances launched, what a cloud bills), and those whose node is Ready. */
    nodes?: number;
    nodesReady?: number;
    /** The model's warm-headroom placeholders that are Running (plan/headroom.ts labels them with the model's name). */
    placeholders: number;
}

interface ModelState {
    m: FollowedModel;
    pool: EnginePool;
    trace: readonly number[];
    traceStart: number;
    /** Pods currently served, by pod name (= emulator target id). */
    served: Set<string>;
    desired?: number;
    readyPods: string[];
    /** Running placeholders of the model's warm headroom, as last read. */
    placeholders: number;
    /** Fractional arrivals not yet counted on the router's integer counter. */
    routerCarry: number;
    /** Fractional TTFT observations not yet recorded. */
    ttftCarry: number;
    /** Completed requests not yet observed as whole ones. */
    doneCarry: number;
    rr: number;
}

export interface ClusterEnginesOptions {
    cluster: LocalCluster;
    emulator: VllmEmulator;
    models: FollowedModel[];
    /** Emulator target id of the router (added by the caller before Prometheus starts). */
    routerId: string;
    /** Emulator exporter target id standing for kube-state-metrics (added by the caller before Prometheus starts); none if absent. */
    kubeStateMetricsId?: string;
    /** Hard bound: everything stops by itself after this long. */
    maxSeconds: number;
    log?: (line: string) => void;
    /** A Karpenter NodePool whose NodeClaims to count every second (LoopSample.nodes). */
    nodePool?: string;
}

function isReady(pod: any): boolean {
    if (pod.metadata?.deletionTimestamp) return false;
    return (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
    return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The router target id for a release's router in `namespace`. */
export function routerTargetId(namespace: string): string {
    return `router-${namespace}`;
}

export class ClusterEngines {
    private readonly states: ModelState[];
    private timer?: NodeJS.Timeout;
    private stopTimer?: NodeJS.Timeout;
    private polling = false;
    private started = 0;
    private tick = 0;
    /** Engine seconds stepped late, to catch up with the wall clock (a busy machine's timers fire late). */
    lateSteps = 0;
    readonly samples: LoopSample[] = [];
    /** Last error reading the API server (reads are retried every second). */
    lastError?: string;
    /** The followed NodePool's NodeClaims at the last read, and those with a Ready node. */
    private poolNodes?: { launched: number; ready: number };

    private constructor(private readonly opts: ClusterEnginesOptions) {
        this.states = opts.models.map((m) => ({
            m, pool: new EnginePool(m.engine), trace: [], traceStart: 0, served: new Set(), readyPods: [], placeholders: 0,
            routerCarry: 0, ttftCarry: 0, doneCarry: 0, rr: 0,
        }));
    }

    /** Starts following the cluster: one read of the API server and one engine step per second. */
    static async start(opts: ClusterEnginesOptions): Promise<ClusterEngines> {
        const e = new ClusterEngines(opts);
        e.started = Date.now();
        await e.poll();
        e.timer = setInterval(() => e.second(), 1000);
        e.stopTimer = setTimeout(() => {
            opts.log?.(`cluster engines: stopping after their bound of ${opts.maxSeconds} s`);
            e.stop();
        }, opts.maxSeconds * 1000);
        return e;
    }

    /** Seconds since start. */
    get now(): number {
        return (Date.now() - this.started) / 1000;
    }

    /** From now on, `model` receives rps[i] requests per second in second i, then none. */
    play(model: string, rps: readonly number[]): void {
        const s = this.state(model);
        s.trace = [...rps];
        s.traceStart = this.tick;
    }

    /** A constant rate from now on (until the next play/setRate, or the run's bound). */
    setRate(model: string, rps: number): void {
        this.play(model, new Array<number>(Math.ceil(this.opts.maxSeconds) + 1).fill(rps));
    }

    /** Ready pods of the model's Deployment as last read, and the Deployment's spec.replicas. */
    view(model: string): { desired?: number; readyPods: string[]; waiting: number; running: number } {
        const s = this.state(model);
        return { desired: s.desired, readyPods: [...s.readyPods], waiting: s.pool.waiting, running: s.pool.running };
    }

    /** Stops the timers and every engine target it added. Idempotent. */
    stop(): void {
        if (this.timer) clearInterval(this.timer);
        if (this.stopTimer) clearTimeout(this.stopTimer);
        this.timer = undefined;
        this.stopTimer = undefined;
        for (const s of this.states) {
            for (const id of s.served) this.opts.emulator.removeTarget(id);
            s.served.clear();
        }
    }

    private state(model: string): ModelState {
        const s = this.states.find((x) => x.m.name === model);
        if (!s) throw new Error(`cluster engines: no model ${model}`);
        return s;
    }

    /**
     * Steps the engines once for every wall-clock second since the last call. A timer that fires
     * late (a busy machine) would otherwise slow the engines' clock against Prometheus's and
     * KEDA's: the rates they read would drop, and the loop would settle below what the traffic needs.
     */
    private second(): void {
        if (!this.timer) return;
        // (+0.5: a timer firing a little early or late at second k still steps k)
        const due = Math.floor(this.now + 0.5);
        if (due - this.tick > 1) this.lateSteps += due - this.tick - 1;
        while (this.timer && this.tick < due) this.step();
        void this.poll();
    }

    private step(): void {
        const t = this.tick++;
        const emu = this.opts.emulator;
        for (const s of this.states) {
            const i = t - s.traceStart;
            const rps = i >= 0 && i < s.trace.length ? s.trace[i] : 0;
            // The router counts every request, routable or not.
            s.routerCarry += rps;
            const whole = Math.floor(s.routerCarry);
            if (whole > 0) {
                emu.routerRequest(s.m.servedModelName, whole, this.opts.routerId);
                s.routerCarry -= whole;
            }
            const ready = s.readyPods.length;
            const admittedBefore = s.pool.ttft.total;
            const servedBefore = s.pool.served;
            const ranBefore = s.pool.inferenceSeconds;
            s.pool.step(t, rps, ready);
            if (ready > 0) {
                const share = {
                    waiting: s.pool.waiting / ready,
                    running: s.pool.running / ready,
                    kvCacheUsage: s.pool.kvUsage(ready) / ready,
                };
                for (const pod of s.readyPods) emu.setEngine(pod, share);
                // Requests admitted this second: their TTFT (the p95 of this second's admissions),
                // as whole observations spread round-robin over the ready pods.
                s.ttftCarry += s.pool.ttft.total - admittedBefore;
                const ttft = s.pool.ttftP95(t, 1);
                while (s.ttftCarry >= 1 && Number.isFinite(ttft)) {
                    emu.observeTtft(s.readyPods[s.rr++ % ready], ttft, 1);
                    s.ttftCarry -= 1;
                }
                // Requests completed this second, with the mean time they ran (the load trigger's
                // vllm:request_inference_time_seconds), as whole observations like the TTFTs.
                const done = s.pool.served - servedBefore;
                s.doneCarry += done;
                const ran = done > 0 ? (s.pool.inferenceSeconds - ranBefore) / done : 0;
                while (s.doneCarry >= 1 && ran > 0) {
                    emu.observeInferenceTime(s.readyPods[s.rr++ % ready], ran, 1);
                    s.doneCarry -= 1;
                }
            }
            this.samples.push({
                t: Math.round(this.now * 10) / 10, model: s.m.name, rps, traceSecond: i >= 0 && i < s.trace.length ? i : undefined,
                desired: s.desired, ready, waiting: s.pool.waiting, running: s.pool.running, placeholders: s.placeholders,
                ...(this.poolNodes ? { nodes: this.poolNodes.launched, nodesReady: this.poolNodes.ready } : {}),
            });
        }
    }

    /** Reads Deployments and pods (one kubectl per namespace) and adds or removes engine targets. */
    private async poll(): Promise<void> {
        if (this.polling) return;
        this.polling = true;
        try {
            for (const ns of new Set(this.states.map((s) => s.m.namespace))) {
                const r = await this.opts.cluster.kubectl(["get", "deployments,pods", "-n", ns, "-o", "json"], { allowFailure: true, timeoutMs: 10_000 });
                if (r.code !== 0) {
                    this.lastError = r.stderr.slice(0, 300);
                    continue;
                }
                const items: any[] = JSON.parse(r.stdout).items ?? [];
                for (const s of this.states.filter((x) => x.m.namespace === ns)) {
                    const d = items.find((o) => o.kind === "Deployment" && o.metadata.name === s.m.deploymentName);
                    s.desired = d?.spec?.replicas;
                    this.serveKubeStateMetrics(s.m, d);
                    const selector: Record<string, string> | undefined = d?.spec?.selector?.matchLabels;
                    const pods = selector ? items.filter((o) => o.kind === "Pod" && matches(o.metadata.labels, selector) && isReady(o)) : [];
                    s.readyPods = pods.map((p) => p.metadata.name as string).sort();
                    s.placeholders = items.filter((o) => o.kind === "Pod" && o.metadata.labels?.[HEADROOM_COMPONENT_LABEL] === s.m.name &&
                        o.status?.phase === "Running" && !o.metadata.deletionTimestamp).length;
                    this.follow(s);
                }
            }
            if (this.opts.nodePool) {
                const r = await this.opts.cluster.kubectl(["get", "nodeclaims", "-l", `karpenter.sh/nodepool=${this.opts.nodePool}`, "-o", "json"], { allowFailure: true, timeoutMs: 10_000 });
                if (r.code === 0) {
                    const claims: any[] = JSON.parse(r.stdout).items ?? [];
                    const ready = claims.filter((c) => (c.status?.conditions ?? []).some((k: any) => k.type === "Initialized" && k.status === "True")).length;
                    this.poolNodes = { launched: claims.length, ready };
                } else {
                    this.lastError = r.stderr.slice(0, 300);
                }
            }
        } catch (e) {
            this.lastError = String(e).slice(0, 300);
        } finally {
            this.polling = false;
        }
    }

    private serveKubeStateMetrics(m: FollowedModel, deployment: any | undefined): void {
        const id = this.opts.kubeStateMetricsId;
        if (id === undefined || (!this.timer && this.tick > 0)) return;
        const emu = this.opts.emulator;
        const labels = { namespace: m.namespace, deployment: m.deploymentName };
        for (const name of KUBE_STATE_METRICS_DEPLOYMENT_SERIES) emu.deleteSeries(id, name, labels);
        for (const series of kubeStateMetricsSeries(m.namespace, m.deploymentName, deployment)) emu.setSeries(id, series);
    }

    private follow(s: ModelState): void {
        if (!this.timer && this.tick > 0) return;
        const emu = this.opts.emulator;
        const ready = new Set(s.readyPods);
        for (const id of s.served) {
            if (!ready.has(id)) {
                emu.removeTarget(id);
                s.served.delete(id);
            }
        }
        const flavor: EngineFlavor = s.m.engineKind === "simulator" ? "llm-d-sim" : "vllm";
        for (const pod of s.readyPods) {
            if (s.served.has(pod)) continue;
            const n = s.readyPods.length;
            const known = emu.targetInfos().some((t) => t.id === pod);
            if (known) emu.restoreTarget(pod);
            else {
                emu.addEngine(pod, {
                    model: s.m.servedModelName, flavor, namespace: s.m.namespace, release: s.m.release,
                    modelSpecName: s.m.name, pod,
                    // A pod joins with its share of what the pool runs now.
                    waiting: s.pool.waiting / n, running: s.pool.running / n, kvCacheUsage: s.pool.kvUsage(n) / n,
                });
            }
            s.served.add(pod);
        }
    }
}

/** The kube-state-metrics families served for each engine Deployment. */
export const KUBE_STATE_METRICS_DEPLOYMENT_SERIES = ["kube_deployment_spec_replicas", "kube_deployment_status_replicas_ready"] as const;

/**
 * What kube-state-metrics (v2, internal/store/deployment.go) exports of a Deployment object for
 * the two families above: `spec.replicas` (when set) and `status.readyReplicas` (0 when the
 * status has none yet), labelled with the object's namespace and name. Nothing for a Deployment
 * that does not exist (undefined).
 */
export function kubeStateMetricsSeries(namespace: string, name: string, deployment: any | undefined): ExporterSeries[] {
    if (!deployment) return [];
    const labels = { namespace, deployment: name };
    const replicas = deployment.spec?.replicas;
    return [
        ...(typeof replicas === "number" ? [{ name: "kube_deployment_spec_replicas", labels, value: replicas, type: "gauge" as const }] : []),
        { name: "kube_deployment_status_replicas_ready", labels: { ...labels }, value: deployment.status?.readyReplicas ?? 0, type: "gauge" as const },
    ];
}

/**
 * What the model's engines settle at under a constant rate with `ready` engines: the engine model
 * run for `seconds` (the same EnginePool the harness and the simulator step).
 */
export function steadyState(engine: EngineParams, rps: number, ready: number, seconds = 600): { running: number; waiting: number; kvUsage: number } {
    const pool = new EnginePool(engine);
    for (let t = 0; t < seconds; t++) pool.step(t, rps, ready);
    return { running: pool.running, waiting: pool.waiting, kvUsage: pool.kvUsage(ready) };
}
