// Scaling-signal presets (`autoscaling.strategy`) and the per-trigger overrides on top of them.
// A preset only chooses which triggers exist and their default targets; every field can be
// overridden per trigger (`load`, `kvCache`, `queueDepth`, `ttft`). The numbers below are the ones
// `npm run bench:policies` measured on the reference engine and traces (see docs/scaling.md).
import { Strategy, type Autoscaling, type Signal } from "../args";
import { DEFAULTS } from "./defaults";
import { fieldsOf, Problems, unknownKeys } from "./problems";

/** One trigger after preset and overrides. */
export interface ResolvedSignal {
    enabled: boolean;
    /** KEDA AverageValue threshold per replica, in the signal's unit. */
    target: number;
    /** KEDA activationThreshold. */
    activation: number;
    /**
     * Load only: requests per engine added to the query and to the threshold (see loadQuery), so
     * that a replica is given back only once the load fits one fewer with this many to spare.
     */
    hysteresis?: number;
    /**
     * Load only: read the load as the concurrency the arrivals need (queries.ts loadQuery with a
     * LoadDemand), so that a queue piled up during a cold start does not read as demand.
     */
    demand?: boolean;
}

export interface ResolvedSignals {
    /** Running + waiting requests per replica. */
    load: ResolvedSignal;
    /** Summed KV-cache usage (0..1 per engine) per replica. */
    kvCache: ResolvedSignal;
    /** Waiting requests per replica. */
    queueDepth: ResolvedSignal;
    /** p95 TTFT (seconds) x engines, per replica: target = the SLO. */
    ttft: ResolvedSignal;
    /** GPU utilization (percent, dcgm-exporter) summed over the engines' per-pod averages, per replica. Off in every preset. */
    gpuUtilization: ResolvedSignal;
}

/** What a preset turns on, and its default targets. */
export interface StrategyPreset {
    /** One line for the docs and the `plan` view. */
    summary: string;
    load: boolean;
    /** Load target per replica as a fraction of maxNumSeqs. */
    loadFraction: number;
    /** Scale-down margin of the load trigger as a fraction of its target (0: none). */
    loadHysteresis: number;
    /** Load from arrivals x service time (plus the backlog drained over DEFAULTS.backlogDrainSeconds), not running + waiting. */
    loadDemand: boolean;
    kvCache: boolean;
    kvCacheTarget: number;
    queueDepth: boolean;
    /** Queue-depth target per replica when the user sets none (undefined: DEFAULTS.targetQueueDepth). */
    queueDepthTarget?: (targetConcurrency: number) => number;
    ttft: boolean;
    /** Seconds the load's peak is held (a load_peak trigger); 0: none. */
    peakHoldSeconds: number;
}

/**
 * The load trigger's scale-down margin, as a fraction of its target. The summed load is not
 * independent of the replica count: engines sharing the same traffic run smaller batches, each
 * token is faster, requests finish sooner, and by Little's law the sum drops (on the reference
 * engine ~25% from 1 to 2 replicas at the scale-up point). Without a margin a steady rate between
 * those two levels makes the fleet flap N-1 <-> N every stabilization window.
 */
export const LOAD_HYSTERESIS = 0.4;

/** The default preset; burst-ready is built on it. */
const BALANCED: StrategyPreset = {
    summary: "load (the concurrency the arrivals need, the backlog drained over 5 min) at ~70% of max-num-seqs per replica, KV-cache at 70%",
    load: true,
    // 0.6 before the load read demand instead of running + waiting; with demand 0.7 keeps every
    // request of the steady and diurnal benchmarks in time at 1.01x the oracle's GPU-hours.
    loadFraction: 0.7,
    loadHysteresis: LOAD_HYSTERESIS,
    loadDemand: true,
    kvCache: true,
    kvCacheTarget: DEFAULTS.kvCacheTarget,
    // No queue-depth backstop: waiting / 5 per replica is the very cold-start overshoot the
    // demand-based load avoids (the backlog is in the load, drained over a horizon).
    queueDepth: false,
    ttft: false,
    peakHoldSeconds: 0,
};

export const STRATEGY_PRESETS: Readonly<Record<Strategy, StrategyPreset>> = {
    [Strategy.Balanced]: BALANCED,
    [Strategy.QueueDepth]: {
        summary: "waiting requests only, 5 per replica (the Production Stack tutorial's and the KEDA articles' behaviour)",
        load: false,
        loadFraction: 0.6,
        loadHysteresis: 0,
        loadDemand: false,
        kvCache: false,
        kvCacheTarget: DEFAULTS.kvCacheTarget,
        queueDepth: true,
        ttft: false,
        peakHoldSeconds: 0,
    },
    [Strategy.LatencyFirst]: {
        summary: "load (as balanced) at ~40% of max-num-seqs per replica, KV-cache at 60%, queue depth, and p95 time to first token against the SLO",
        load: true,
        loadFraction: 0.4,
        loadHysteresis: LOAD_HYSTERESIS,
        loadDemand: true,
        kvCache: true,
        kvCacheTarget: 0.6,
        queueDepth: true,
        ttft: true,
        peakHoldSeconds: 0,
    },
    // Balanced, with the load's peak held and fuller batches.
    [Strategy.BurstReady]: {
        ...BALANCED,
        summary: "load (as balanced) at ~85% of max-num-seqs per replica, KV-cache at 70%, and the replicas the load's peak needed held for 2 h (load_peak)",
        // Held engines absorb a burst at up to a full batch: near-full targets keep the held fleet small.
        loadFraction: 0.85,
        peakHoldSeconds: 7200,
    },
};

const STRATEGIES: readonly string[] = Object.values(Strategy);
const SIGNAL_KEYS = fieldsOf<Signal>({ enabled: true, target: true, activation: true });

/** Load target per replica for a preset and max-num-seqs: at least 1 request. */
export function targetConcurrency(strategy: Strategy, maxNumSeqs: number): number {
    return Math.max(1, Math.round(STRATEGY_PRESETS[strategy].loadFraction * maxNumSeqs));
}

function signal(p: Problems, path: string, s: Signal | undefined, preset: { enabled: boolean; target: number; activation: number; hysteresis?: number; demand?: boolean },
    opts: { maxTarget?: number; unit: string }): ResolvedSignal {
    if (!p.object(path, s, { optional: true }) || s === undefined) return { ...preset };
    unknownKeys(p, path, s, SIGNAL_KEYS);
    p.boolean(`${path}.enabled`, s.enabled);
    if (p.positive(`${path}.target`, s.target, { optional: true }) && s.target !== undefined && opts.maxTarget !== undefined && s.target > opts.maxTarget) {
        p.add(`${path}.target`, `${s.target} is above ${opts.maxTarget}; use a ${opts.unit} from 0 (exclusive) to ${opts.maxTarget}`);
    }
    p.positive(`${path}.activation`, s.activation, { optional: true, allowZero: true });
    const target = typeof s.target === "number" ? s.target : preset.target;
    return {
        enabled: typeof s.enabled === "boolean" ? s.enabled : preset.enabled,
        target,
        activation: typeof s.activation === "number" ? s.activation : preset.activation,
        // The margin scales with the target the user chose (preset.hysteresis is for preset.target).
        ...(preset.hysteresis !== undefined ? { hysteresis: preset.target > 0 ? Math.round(preset.hysteresis * target / preset.target) : 0 } : {}),
        ...(preset.demand !== undefined ? { demand: preset.demand } : {}),
    };
}

/** Whether the user set a queue-depth target or activation (either spelling). */
function queueSettingsGiven(a: Autoscaling): boolean {
    const qd = (a.queueDepth ?? {}) as Signal;
    return a.targetQueueDepth !== undefined || a.activationQueueDepth !== undefined || qd.target !== undefined || qd.activation !== undefined;
}

/** Validates `strategy` and the per-signal overrides; returns the strategy, the signals and the peak hold. */
export function resolveSignals(p: Problems, path: string, a: Autoscaling, maxNumSeqs: number): { strategy: Strategy; signals: ResolvedSignals; peakHoldSeconds: number } {
    let strategy = (a.strategy ?? DEFAULTS.strategy) as Strategy;
    if (!STRATEGIES.includes(strategy)) {
        p.add(`${path}.strategy`, `${JSON.stringify(a.strategy)} is not a strategy; use one of ${STRATEGIES.map((s) => `"${s}"`).join(", ")}`);
        strategy = DEFAULTS.strategy as Strategy;
    }
    const preset = STRATEGY_PRESETS[strategy];
    const concurrency = targetConcurrency(strategy, maxNumSeqs);

    const qd = (a.queueDepth ?? {}) as Signal;
    if (a.targetQueueDepth !== undefined && qd.target !== undefined) {
        p.add(`${path}.queueDepth.target`, "is set together with targetQueueDepth; set one of them");
    }
    if (a.activationQueueDepth !== undefined && qd.activation !== undefined) {
        p.add(`${path}.queueDepth.activation`, "is set together with activationQueueDepth; set one of them");
    }
    const queueTarget = a.targetQueueDepth ?? (preset.queueDepthTarget ? preset.queueDepthTarget(concurrency) : DEFAULTS.targetQueueDepth);

    const signals: ResolvedSignals = {
        load: signal(p, `${path}.load`, a.load, { enabled: preset.load, target: concurrency, activation: 0, hysteresis: Math.round(preset.loadHysteresis * concurrency), demand: preset.loadDemand },
            { unit: "request count" }),
        kvCache: signal(p, `${path}.kvCache`, a.kvCache, { enabled: preset.kvCache, target: preset.kvCacheTarget, activation: 0 },
            { maxTarget: 1, unit: "fraction of one engine's KV cache" }),
        // A queue setting given explicitly turns the trigger on where the preset has it off
        // (balanced): it is never accepted and then ignored.
        queueDepth: signal(p, `${path}.queueDepth`, a.queueDepth,
            { enabled: preset.queueDepth || queueSettingsGiven(a), target: queueTarget, activation: a.activationQueueDepth ?? DEFAULTS.activationQueueDepth },
            { unit: "request count" }),
        ttft: signal(p, `${path}.ttft`, a.ttft, { enabled: preset.ttft, target: DEFAULTS.ttftSloSeconds, activation: 0 }, { unit: "number of seconds" }),
        // Opt-in only: a busy GPU is an efficient one, not an overloaded one (docs/operating.md, GPU metrics).
        gpuUtilization: signal(p, `${path}.gpuUtilization`, a.gpuUtilization, { enabled: false, target: DEFAULTS.gpuUtilizationTarget, activation: 0 },
            { maxTarget: 100, unit: "percentage" }),
    };
    if (!signals.load.enabled && !signals.kvCache.enabled && !signals.queueDepth.enabled && !signals.ttft.enabled && !signals.gpuUtilization.enabled) {
        p.add(`${path}`, "every load signal is disabled (load, kvCache, queueDepth, ttft, gpuUtilization); enable at least one, or the model could never scale beyond its minimum");
    }
    let peakHoldSeconds = preset.peakHoldSeconds;
    if (a.peakHoldSeconds !== undefined && p.integer(`${path}.peakHoldSeconds`, a.peakHoldSeconds, 0, { max: 86400 })) {
        if (a.peakHoldSeconds > 0 && a.peakHoldSeconds < 300) {
            p.add(`${path}.peakHoldSeconds`, `${a.peakHoldSeconds} is shorter than the HPA's own scale-down window (300 s by default) and would hold nothing; use 0 (off) or 300 to 86400`);
        } else if (a.peakHoldSeconds > 0 && !signals.load.enabled) {
            p.add(`${path}.peakHoldSeconds`, "holds the load trigger's peak, but load is disabled; enable load or set 0");
        } else {
            peakHoldSeconds = a.peakHoldSeconds;
        }
    }
    // A preset's hold follows its load trigger: turning load off turns the hold off with it.
    if (!signals.load.enabled) peakHoldSeconds = 0;
    return { strategy, signals, peakHoldSeconds };
}

/** The preset summary, for docs and the `plan` view. */
export function describeStrategy(strategy: Strategy): string {
    return STRATEGY_PRESETS[strategy].summary;
}
