// The discrete-time loop (1 s steps): cluster, engines, Prometheus scrapes, and a controller
// (a ScaledObject through KEDA and the HPA, or a baseline), and the report of one run.
import type { InferencePlan } from "../plan/types";
import { DEFAULTS } from "../plan/defaults";
import { Cluster, DEFAULT_CLUSTER, type ClusterParams } from "./cluster";
import { DEFAULT_ENGINE, EnginePool, concurrencyLimit, throughput, type EngineParams } from "./engine";
import { HPA_SYNC_SECONDS } from "./hpa";
import { KedaController, scaledModelOf, type Outage, type ScaledModel, type Scrape } from "./keda";
import { replicasFor, type Controller } from "./oracle";
import type { Trace } from "./traces";

export interface SimParams {
    engine: EngineParams;
    cluster: ClusterParams;
    /** Prometheus scrape interval (the plan's). Default 15. */
    scrapeIntervalSeconds: number;
    /** SLO on the time a request waits before it runs. Default 2 s. */
    waitSloSeconds: number;
    /** SLO on time to first token. Default 2 s. */
    ttftSloSeconds: number;
    /** Prometheus outages (KEDA's fallback covers them). Default none. */
    outages: Outage[];
    /**
     * Start as if the policy had been running: the replicas the first five minutes' demand needs
     * at full batches are up and ready at second 0 (never fewer than the policy's minimum).
     * Default true, so that no policy pays for a cold start the trace did not cause.
     */
    warmStart: boolean;
    /** The HPA controller's sync period (kube-controller-manager --horizontal-pod-autoscaler-sync-period). Default 15. */
    hpaSyncSeconds: number;
    /** Keep every second of the run in SimResult.seconds (for comparing with a real loop). Default false. */
    recordSeconds: boolean;
    /**
     * Seconds of the trace's own end played before second 0 (the trace taken as periodic), then
     * every count reset: the run starts in the state the policy keeps, not in the warm start's.
     * A policy that holds capacity for a while after a peak holds what the previous period's peak
     * asked for. Default 0 (the warm start alone).
     */
    preRollSeconds: number;
}

export const DEFAULT_SIM: SimParams = {
    engine: DEFAULT_ENGINE,
    cluster: DEFAULT_CLUSTER,
    scrapeIntervalSeconds: 15,
    waitSloSeconds: 2,
    ttftSloSeconds: 2,
    outages: [],
    warmStart: true,
    hpaSyncSeconds: HPA_SYNC_SECONDS,
    recordSeconds: false,
    preRollSeconds: 0,
};

/** One second of the run (SimParams.recordSeconds), the state after that second's controller tick. */
export interface SecondPoint {
    t: number;
    rps: number;
    /** The Deployment's spec.replicas. */
    replicas: number;
    ready: number;
    waiting: number;
    running: number;
    /** GPU nodes that exist (booting included: what a cloud bills). */
    nodes: number;
    /** Warm-headroom placeholders on a node (not evicted and waiting for one). */
    placeholders: number;
}

/** One minute of the run, for the chart. */
export interface MinutePoint {
    minute: number;
    rps: number;
    /** Demand in replicas at full batches (what the oracle would run). */
    demandReplicas: number;
    replicas: number;
    ready: number;
    waiting: number;
}

export interface SimResult {
    policy: string;
    trace: string;
    hours: number;
    gpuHours: number;
    cost: number;
    /** Fraction of arrived requests that started within the wait SLO (refused ones count as misses). */
    waitSlo: number;
    /** Fraction of arrived requests with TTFT within its SLO (refused ones count as misses). */
    ttftSlo: number;
    p95WaitSeconds: number;
    p95TtftSeconds: number;
    refused: number;
    arrived: number;
    replicaChanges: number;
    /** Median seconds from a burst's onset to the first replica added (undefined: no burst). */
    burstReactionSeconds?: number;
    /** Median seconds from a burst's onset to the first engine that became ready after it (undefined: no burst, or none within 15 minutes). */
    burstReadySeconds?: number;
    bursts: number;
    maxReplicas: number;
    series: MinutePoint[];
    /** Every second, when SimParams.recordSeconds is set. */
    seconds?: SecondPoint[];
}

/** Burst onsets: the second the rate jumps, for each minute whose mean rate is >= 1.5x the previous 10 minutes' and >= 20% of the peak above it. */
export function burstOnsets(trace: Trace): number[] {
    const minutes = Math.floor(trace.rps.length / 60);
    const m: number[] = [];
    for (let k = 0; k < minutes; k++) {
        let s = 0;
        for (let i = 0; i < 60; i++) s += trace.rps[k * 60 + i];
        m.push(s / 60);
    }
    const peak = Math.max(...m, 0);
    const onsets: number[] = [];
    for (let k = 10; k < minutes; k++) {
        const prev = m.slice(k - 10, k).reduce((a, b) => a + b, 0) / 10;
        if (m[k] >= 1.5 * prev && m[k] - prev >= 0.2 * peak && (onsets.length === 0 || k * 60 - onsets[onsets.length - 1] >= 600)) {
            // The second the rate first jumps, within that minute.
            let s = k * 60;
            while (s < k * 60 + 59 && trace.rps[s] < 1.5 * prev) s++;
            // A jump late in the previous minute only lifts this minute's mean: go back to it.
            while (s > (k - 1) * 60 && trace.rps[s - 1] >= 1.5 * prev) s--;
            onsets.push(s);
        }
    }
    return onsets;
}

function median(xs: number[]): number | undefined {
    if (xs.length === 0) return undefined;
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs one controller over one trace. */
export function simulate(trace: Trace, controller: Controller, params: SimParams = DEFAULT_SIM): SimResult {
    const e = params.engine;
    const cluster = new Cluster(params.cluster, e.modelLoadSeconds, e.imagePullSeconds ?? 0);
    const pool = new EnginePool(e);
    const n = trace.rps.length;
    // The pre-roll: the trace's last `pre` seconds, then the trace. Loop time u runs over both;
    // trace time s = u - pre is what the result reports.
    const pre = Math.min(Math.max(0, Math.floor(params.preRollSeconds)), n);
    const rps = new Float64Array(pre + n);
    rps.set(trace.rps.subarray(n - pre), 0);
    rps.set(trace.rps, pre);
    const cum = new Float64Array(pre + n + 1);
    for (let u = 0; u < pre + n; u++) cum[u + 1] = cum[u] + rps[u];
    // Requests completed, and the seconds they ran, by the end of each second (vllm:request_inference_time_seconds).
    const served = new Float64Array(pre + n + 1);
    const inference = new Float64Array(pre + n + 1);
    const fullRate = throughput(e, concurrencyLimit(e));

    let first = 0;
    for (let u = 0; u < Math.min(pre + n, 300); u++) first = Math.max(first, rps[u]);
    const warm = params.warmStart && !controller.fixed ? replicasFor(first, e) : 0;
    cluster.warmStart(Math.max(controller.initialReplicas, warm));
    let scrape: Scrape = { waiting: 0, running: 0, kvUsage: 0, engines: 0, ttftP95: () => NaN, routerRequests: () => 0, completions: () => 0, inferenceSeconds: () => 0 };
    const changes: { at: number; from: number; to: number }[] = [];
    const series: MinutePoint[] = [];
    const seconds: SecondPoint[] | undefined = params.recordSeconds ? [] : undefined;
    let maxReplicas = cluster.replicas;
    // Seconds at which the ready count rose.
    const readyUps: number[] = [];
    let lastReady = cluster.ready(0);
    let minuteWaiting = 0;
    for (let u = 0; u < pre + n; u++) {
        const s = u - pre;
        if (u === pre && pre > 0) {
            // The pre-roll is over: count from here.
            cluster.nodeSeconds = 0;
            pool.resetCounts();
            maxReplicas = cluster.replicas;
        }
        cluster.step(u);
        const ready = cluster.ready(u);
        if (s >= 0 && ready > lastReady) readyUps.push(s);
        lastReady = ready;
        pool.step(u, rps[u], ready);
        served[u + 1] = pool.served;
        inference[u + 1] = pool.inferenceSeconds;
        if (u % params.scrapeIntervalSeconds === 0) {
            const at = u;
            const p95 = new Map<number, number>();
            scrape = {
                waiting: ready > 0 ? pool.waiting : 0,
                running: ready > 0 ? pool.running : 0,
                kvUsage: pool.kvUsage(ready),
                engines: ready,
                ttftP95: (w) => {
                    if (!p95.has(w)) p95.set(w, ready > 0 ? pool.ttftP95(at, w) : NaN);
                    return p95.get(w)!;
                },
                // The router's counter, whether or not an engine exists.
                routerRequests: (w) => cum[at + 1] - cum[Math.max(0, at + 1 - w)],
                completions: (w) => served[at + 1] - served[Math.max(0, at + 1 - w)],
                inferenceSeconds: (w) => inference[at + 1] - inference[Math.max(0, at + 1 - w)],
            };
        }
        const down = params.outages.some((o) => s >= o.from && s < o.to);
        // Controllers see trace time (negative during a pre-roll; the oracle reads the trace as periodic).
        const next = controller.tick({ now: s, epochMs: trace.startEpochMs + s * 1000, replicas: cluster.replicas, readyPods: ready, scrape, prometheusDown: down });
        if (next !== undefined && next !== cluster.replicas) {
            if (s >= 0) changes.push({ at: s, from: cluster.replicas, to: next });
            cluster.scaleTo(next, u);
            if (s >= 0) maxReplicas = Math.max(maxReplicas, next);
        }
        if (s < 0) continue;
        minuteWaiting = Math.max(minuteWaiting, pool.waiting);
        seconds?.push({ t: s, rps: trace.rps[s], replicas: cluster.replicas, ready, waiting: pool.waiting, running: pool.running, nodes: cluster.nodeCount, placeholders: cluster.placedHolders });
        if (s % 60 === 59) {
            let r = 0;
            for (let i = s - 59; i <= s; i++) r += trace.rps[i];
            series.push({ minute: (s - 59) / 60, rps: r / 60, demandReplicas: r / 60 / fullRate, replicas: cluster.replicas, ready, waiting: minuteWaiting });
            minuteWaiting = 0;
        }
    }
    pool.drainQueueInto(pre + n);

    const arrived = pool.arrived;
    const onsets = burstOnsets(trace);
    const reactions: number[] = [];
    const readies: number[] = [];
    for (const o of onsets) {
        // The first replica added after the onset, and the first engine ready after it (within 15 minutes).
        const first = changes.find((c) => c.at >= o && c.at < o + 900 && c.to > c.from);
        if (first !== undefined) reactions.push(first.at - o);
        const up = readyUps.find((t) => t >= o && t < o + 900);
        if (up !== undefined) readies.push(up - o);
    }
    const gpuHours = cluster.gpuHours();
    return {
        policy: controller.name,
        trace: trace.name,
        hours: n / 3600,
        gpuHours,
        cost: gpuHours * params.cluster.gpuHourlyPrice,
        waitSlo: arrived > 0 ? pool.wait.massAtMost(params.waitSloSeconds) / arrived : 1,
        ttftSlo: arrived > 0 ? pool.ttft.massAtMost(params.ttftSloSeconds) / arrived : 1,
        p95WaitSeconds: pool.wait.quantile(0.95),
        p95TtftSeconds: pool.ttft.quantile(0.95),
        refused: pool.refused,
        arrived,
        replicaChanges: changes.length,
        burstReactionSeconds: median(reactions),
        burstReadySeconds: median(readies),
        bursts: onsets.length,
        maxReplicas,
        series,
        ...(seconds ? { seconds } : {}),
    };
}

/** A controller for a model's ScaledObject: KEDA + HPA as the manifest says, the HPA synced every `hpaSyncSeconds`. */
export function scaledObjectController(name: string, model: ScaledModel, trace: Trace, hpaSyncSeconds = HPA_SYNC_SECONDS): Controller {
    const k = new KedaController(model, trace.startEpochMs - 60_000, trace.startEpochMs + trace.rps.length * 1000 + 60_000, hpaSyncSeconds);
    const initial = Math.max(model.scaledObject.spec.minReplicaCount ?? 0, 0);
    return { name, initialReplicas: k.paused ? Math.max(initial, 1) : initial, tick: (v) => k.tick(v) };
}

/**
 * Simulation parameters for one model of a plan: its maxNumSeqs, GPUs per replica, warm headroom and scrape
 * interval (an override's scrape interval wins: a Prometheus other than the plan's may scrape).
 */
/** Overrides of a plan's simulation parameters: any field, engine and cluster field by field. */
export type SimOverrides = Partial<Omit<SimParams, "engine" | "cluster">> & { engine?: Partial<EngineParams>; cluster?: Partial<ClusterParams> };

export function paramsForPlan(plan: InferencePlan, modelIndex: number, overrides: SimOverrides = {}): SimParams {
    const m = plan.models[modelIndex];
    const maxNumSeqs = m.maxNumSeqs ?? DEFAULTS.maxNumSeqs;
    return {
        ...DEFAULT_SIM,
        ...overrides,
        scrapeIntervalSeconds: overrides.scrapeIntervalSeconds ?? plan.scrapeIntervalSeconds,
        engine: { ...DEFAULT_ENGINE, ...overrides.engine, maxNumSeqs },
        cluster: {
            ...DEFAULT_CLUSTER,
            // The plan's warm headroom for this model; an override (e.g. `npm run simulate --headroom`) wins.
            headroomSlots: plan.headroom.find((h) => h.model === m.name)?.replicas ?? 0,
            ...overrides.cluster,
            gpusPerReplica: m.gpusPerReplica,
        },
    };
}

/** Runs the plan's ScaledObject for one model: the very manifest LlmInference would apply. */
export function simulatePlan(plan: InferencePlan, modelIndex: number, trace: Trace, overrides: SimOverrides = {}): SimResult {
    const model = scaledModelOf(plan, modelIndex);
    const params = paramsForPlan(plan, modelIndex, overrides);
    return simulate(trace, scaledObjectController(plan.models[modelIndex].name, model, trace, params.hpaSyncSeconds), params);
}
