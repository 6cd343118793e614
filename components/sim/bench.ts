// The policy benchmark: the package's presets (ScaledObjects from planInference), the configurations
// of public guides (queue depth only), static fleets and the oracle, on the reference traces, through
// the same simulator. Pure: scripts/benchPolicies.ts prints it, docs/scaling.md quotes it.
import { Strategy, type Autoscaling, type LlmInferenceArgs } from "../args";
import { planInference } from "../plan";
import { scaledModelOf, type ScaledModel } from "./keda";
import { oracle, staticMean, staticPeak, type Controller } from "./oracle";
import { paramsForPlan, scaledObjectController, simulate, type SimOverrides, type SimParams, type SimResult } from "./run";
import { referenceTrace, TraceKind, type Trace } from "./traces";

/** The reference model of the benchmark: one 1-GPU replica per node, up to 16 replicas. */
export const BENCH_MAX_REPLICAS = 16;
/**
 * Every run first plays the trace's last 2 hours (the traces taken as periodic: a day of such
 * traffic has hours before the 8 measured), so that each policy starts in the state it keeps,
 * including what a peak hold remembers, instead of at the warm start's guess.
 */
export const BENCH_PRE_ROLL_SECONDS = 7200;

export interface BenchPolicy {
    name: string;
    /** The model's ScaledObject (with the plan's trigger data), or a baseline controller factory. */
    model?: ScaledModel;
    baseline?: (trace: Trace, params: SimParams) => Controller;
    /** The policy's warm headroom (its plan's headroomSlots), which the cluster simulates. */
    headroomSlots?: number;
    note: string;
}

function benchArgs(autoscaling: Partial<Autoscaling>): LlmInferenceArgs {
    return {
        models: [{ name: "llama3-8b", modelUrl: "meta-llama/Llama-3.1-8B-Instruct", autoscaling: { maxReplicas: BENCH_MAX_REPLICAS, ...autoscaling } }],
    };
}

function presetPlan(autoscaling: Partial<Autoscaling>) {
    return planInference("bench", benchArgs(autoscaling));
}

/** A public guide's configuration: queue depth only, its threshold, polling and cooldown, and no HPA behavior (Kubernetes defaults). */
function guideConfig(threshold: number, polling: number, cooldown: number): ScaledModel {
    const m = scaledModelOf(presetPlan({ minReplicas: 1, strategy: Strategy.QueueDepth, targetQueueDepth: threshold, pollingIntervalSeconds: polling, cooldownSeconds: cooldown }), 0);
    const so = structuredClone(m.scaledObject);
    delete so.spec.advanced!.horizontalPodAutoscalerConfig;
    return { ...m, scaledObject: so };
}

export function benchPolicies(): BenchPolicy[] {
    const preset = (strategy: Strategy, extra: Partial<Autoscaling> = {}) => scaledModelOf(presetPlan({ minReplicas: 1, strategy, ...extra }), 0);
    return [
        { name: "balanced (default)", model: preset(Strategy.Balanced), note: "the package's default preset, minReplicas 1" },
        { name: "balanced, min 0", model: preset(Strategy.Balanced, { minReplicas: 0 }), note: "same, scale to zero, woken by the router's request counter" },
        {
            name: "burst-ready", model: preset(Strategy.BurstReady),
            note: "preset for bursty traffic: load at 85% of maxNumSeqs, KV cache, the load's peak held 2 h (load_peak)",
        },
        {
            name: "balanced, headroom 2", model: preset(Strategy.Balanced, { headroomSlots: 2 }), headroomSlots: 2,
            note: "same, with 2 warm GPU slots (placeholders engines preempt: no node boot, the model load remains)",
        },
        { name: "latency-first", model: preset(Strategy.LatencyFirst), note: "preset: more headroom plus p95 TTFT" },
        { name: "queue-depth", model: preset(Strategy.QueueDepth), note: "preset: waiting requests 5/replica with the package's HPA behavior" },
        { name: "guide: Production Stack tutorial", model: guideConfig(5, 15, 30), note: "queue 5/replica, polling 15 s, cooldown 30 s, default HPA behavior (query summed; the tutorial's unsummed query errors at 2+ pods)" },
        { name: "guide: KEDA-article style, queue 10, polling 30", model: guideConfig(10, 30, 300), note: "queue 10/replica, polling 30 s, cooldown 300 s, default HPA behavior (the KEDA-article style; its exact numbers were not verifiable offline)" },
        { name: "static peak", baseline: (t, p) => staticPeak(t, p.engine), note: "the peak's full-batch fleet, always on" },
        { name: "static mean", baseline: (t, p) => staticMean(t, p.engine), note: "the mean demand's full-batch fleet, always on" },
        { name: "oracle", baseline: (t, p) => oracle(t, p.engine, p.cluster), note: "perfect foresight: full batches, ordered one cold start ahead" },
    ];
}

export const BENCH_TRACES: readonly TraceKind[] = [TraceKind.Steady, TraceKind.Diurnal, TraceKind.Bursty, TraceKind.OnOff];

export interface BenchCell extends SimResult {
    /** GPU-hours relative to the oracle on the same trace. */
    vsOracle: number;
}

/** Every policy on every trace. */
export function runBench(traces: readonly TraceKind[] = BENCH_TRACES, overrides: SimOverrides = {}): { policies: BenchPolicy[]; cells: BenchCell[][] } {
    const policies = benchPolicies();
    const params = paramsForPlan(presetPlan({ minReplicas: 1 }), 0, { preRollSeconds: BENCH_PRE_ROLL_SECONDS, ...overrides });
    const cells = policies.map(() => [] as BenchCell[]);
    traces.forEach((kind) => {
        const trace = referenceTrace(kind);
        const results = policies.map((p) => {
            const ps = p.headroomSlots ? { ...params, cluster: { ...params.cluster, headroomSlots: p.headroomSlots } } : params;
            return simulate(trace, p.model ? scaledObjectController(p.name, p.model, trace) : p.baseline!(trace, ps), ps);
        });
        const o = results[policies.findIndex((p) => p.name === "oracle")];
        results.forEach((r, i) => cells[i].push({ ...r, vsOracle: r.gpuHours / o.gpuHours }));
    });
    return { policies, cells };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The table as Markdown: per trace, GPU-hours (x oracle) and wait-SLO attainment. */
export function benchTable(bench: { policies: BenchPolicy[]; cells: BenchCell[][] }, traces: readonly TraceKind[] = BENCH_TRACES): string {
    const head = `| policy | ${traces.map((t) => `${t}: GPU-h (x oracle) / wait<=2s / p95 wait`).join(" | ")} |`;
    const sep = `|---|${traces.map(() => "---").join("|")}|`;
    const rows = bench.policies.map((p, i) => `| ${p.name} | ${bench.cells[i].map((c) =>
        `${c.gpuHours.toFixed(1)} (${c.vsOracle.toFixed(2)}x) / ${pct(c.waitSlo)} / ${c.p95WaitSeconds.toFixed(1)}s`).join(" | ")} |`);
    return [head, sep, ...rows].join("\n");
}

const seconds = (x: number | undefined, bursts: number) => (bursts === 0 ? "no burst" : x === undefined ? "none in 15 min" : `${Math.round(x)} s`);

/**
 * Per trace with bursts (the onsets burstOnsets finds): median seconds from a burst's onset to the
 * first replica the policy adds, and to the first engine that becomes ready. Static fleets add none.
 */
export function burstTable(bench: { policies: BenchPolicy[]; cells: BenchCell[][] }, traces: readonly TraceKind[] = BENCH_TRACES): string {
    const withBursts = traces.map((t, i) => ({ t, i })).filter(({ i }) => bench.cells.some((row) => row[i].bursts > 0));
    const head = `| policy | ${withBursts.map(({ t }) => `${t}: first replica added / first engine ready (median of ${bench.cells[0][withBursts.find((x) => x.t === t)!.i].bursts} bursts)`).join(" | ")} |`;
    const sep = `|---|${withBursts.map(() => "---").join("|")}|`;
    const rows = bench.policies.map((p, k) => `| ${p.name} | ${withBursts.map(({ i }) => {
        const c = bench.cells[k][i];
        return `${seconds(c.burstReactionSeconds, c.bursts)} / ${seconds(c.burstReadySeconds, c.bursts)}`;
    }).join(" | ")} |`);
    return [head, sep, ...rows].join("\n");
}
