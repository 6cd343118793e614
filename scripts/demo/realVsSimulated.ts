// The pure part of `npm run demo` and of the end-to-end comparison: the simulator parameters that
// stand for the local loop (so both run "the same stack and the same trace with the same
// parameters"), the real loop's per-second timeline from the harness's samples, the equivalent
// `npm run simulate` command line, and the progress line printed while the trace plays.
import type { InferencePlan } from "../../components/plan/types";
import { DEFAULT_CLUSTER } from "../../components/sim/cluster";
import type { SimOverrides } from "../../components/sim/run";
import { KARPENTER_EMPTY_NODE_DELAY_SECONDS } from "../../e2e/support/karpenterPool";

/** What the local loop runs with, each a parameter of the simulator. */
export interface LocalLoop {
    /** The suite's Prometheus scrape interval. */
    scrapeIntervalSeconds: number;
    /** kube-controller-manager's HPA sync period (e2e/cluster/cluster.sh). */
    hpaSyncSeconds: number;
    /** kwok's pod readiness delay, standing for model load. */
    podReadyDelaySeconds: number;
    /**
     * The GPU pool Karpenter's core grows, when the stack has one: its NodePool's name, the
     * KWOKNodeClass's registration delay (node boot) and consolidateAfter (idle removal).
     */
    pool?: { name: string; registrationDelaySeconds: number; consolidateAfterSeconds: number };
}

/**
 * Karpenter's batching before it launches (BATCH_IDLE_DURATION 200 ms, e2e/cluster/cluster.sh) and
 * kwok's node start, rounded up to a second: added to the registration delay as the node boot.
 */
const LAUNCH_SECONDS = 1;

/** Whether model `i` runs on the pool Karpenter grows (a GPU engine, with a pool in the loop). */
export function onPool(plan: InferencePlan, i: number, loop: LocalLoop): boolean {
    return loop.pool !== undefined && plan.gpuNodePool !== undefined && plan.models[i].engine !== "simulator";
}

/** kwok's fake nodes stand for a pool that always has room: as many nodes as the largest model may need. */
function alwaysThereNodes(plan: InferencePlan): number {
    return Math.max(...plan.models.map((m) => m.maxReplicas * m.gpusPerReplica), 1);
}

/**
 * The simulator's overrides for the local loop: its scrape interval and HPA sync, model load =
 * the readiness delay, a cold start at the policy's minimum, and nodes that are always there
 * (kwok's fixed nodes; no cluster autoscaler runs here, so no node boot).
 */
export function localLoopOverrides(plan: InferencePlan, loop: LocalLoop, modelIndex = 0): SimOverrides {
    // A model on the Karpenter pool: nodes come and go. Boot: the registration delay plus the
    // launch; idle removal: consolidateAfter plus Karpenter's own delay (karpenterPool.ts).
    const pool = onPool(plan, modelIndex, loop) ? loop.pool! : undefined;
    return {
        scrapeIntervalSeconds: loop.scrapeIntervalSeconds,
        hpaSyncSeconds: loop.hpaSyncSeconds,
        warmStart: false,
        recordSeconds: true,
        // kwok's readiness delay holds for every pod on every node: no image to pull, none to skip.
        engine: { modelLoadSeconds: loop.podReadyDelaySeconds, imagePullSeconds: 0 },
        cluster: pool ? {
            nodeBootSeconds: pool.registrationDelaySeconds + LAUNCH_SECONDS,
            idleNodeRemovalSeconds: pool.consolidateAfterSeconds + KARPENTER_EMPTY_NODE_DELAY_SECONDS,
            initialNodes: 0,
            gpusPerNode: plan.gpuNodePool!.gpusPerNode,
        } : {
            ...DEFAULT_CLUSTER,
            nodeBootSeconds: 0,
            initialNodes: alwaysThereNodes(plan),
            headroomSlots: 0,
        },
    };
}

/** `npm run simulate` with the same parameters (what a reader runs to reproduce the prediction). */
export function simulateCommand(plan: InferencePlan, stackFile: string, traceFile: string, model: string, loop: LocalLoop): string {
    const i = plan.models.findIndex((m) => m.name === model);
    const c = localLoopOverrides(plan, loop, i).cluster!;
    const nodes = onPool(plan, i, loop)
        ? `--node-boot-seconds ${c.nodeBootSeconds} --idle-node-seconds ${c.idleNodeRemovalSeconds} --gpus-per-node ${c.gpusPerNode}`
        : `--node-boot-seconds 0 --initial-nodes ${alwaysThereNodes(plan)} --headroom-slots 0`;
    return `npm run simulate -- --stack ${stackFile} --trace ${traceFile} --model ${model} --cold ` +
        `--scrape-interval-seconds ${loop.scrapeIntervalSeconds} --hpa-sync-seconds ${loop.hpaSyncSeconds} ` +
        `--model-load-seconds ${loop.podReadyDelaySeconds} ${nodes}`;
}

/** One second of the real loop as the harness saw it (e2e/support/loopEngines.ts LoopSample). */
export interface SeenSecond {
    model: string;
    traceSecond?: number;
    desired?: number;
    ready: number;
    nodes?: number;
    nodesReady?: number;
    placeholders?: number;
}

/**
 * The followed pool's NodeClaims (launched) and Ready nodes per second of the trace, from the
 * samples of `model` (the pool is read once a second for every model alike); gaps as realTimeline.
 */
export function realNodes(samples: readonly SeenSecond[], model: string, length: number): { launched: number[]; ready: number[]; placeholders: number[] } {
    const launched = new Array<number>(length).fill(NaN);
    const ready = new Array<number>(length).fill(NaN);
    const placeholders = new Array<number>(length).fill(NaN);
    for (const s of samples) {
        if (s.model !== model || s.traceSecond === undefined || s.traceSecond >= length || s.nodes === undefined) continue;
        launched[s.traceSecond] = s.nodes;
        ready[s.traceSecond] = s.nodesReady ?? 0;
        placeholders[s.traceSecond] = s.placeholders ?? 0;
    }
    for (const xs of [launched, ready, placeholders]) {
        for (let i = 0; i < length; i++) if (Number.isNaN(xs[i])) xs[i] = i > 0 ? xs[i - 1] : 0;
    }
    return { launched, ready, placeholders };
}

/**
 * The real loop's spec.replicas and ready pods per second of the trace. A second the harness did
 * not sample (a late timer) takes the previous second's values; before the Deployment exists, 0.
 */
export function realTimeline(samples: readonly SeenSecond[], model: string, length: number): { replicas: number[]; ready: number[] } {
    const replicas = new Array<number>(length).fill(NaN);
    const ready = new Array<number>(length).fill(NaN);
    for (const s of samples) {
        if (s.model !== model || s.traceSecond === undefined || s.traceSecond >= length) continue;
        replicas[s.traceSecond] = s.desired ?? 0;
        ready[s.traceSecond] = s.ready;
    }
    for (let i = 0; i < length; i++) {
        if (Number.isNaN(replicas[i])) replicas[i] = i > 0 ? replicas[i - 1] : 0;
        if (Number.isNaN(ready[i])) ready[i] = i > 0 ? ready[i - 1] : 0;
    }
    return { replicas, ready };
}

/** The live line: demand, queue, desired and ready replicas, and what the simulator predicted for this second. */
export function progressLine(p: {
    second: number; model: string; rps: number; waiting: number; running: number; desired?: number; ready: number; predicted?: number;
    /** A model on the Karpenter pool: the pool's nodes (NodeClaims) now, and the simulator's. */
    nodes?: number; predictedNodes?: number;
}): string {
    const pad = (s: string, n: number) => s.padStart(n);
    const nodes = p.nodes !== undefined || p.predictedNodes !== undefined ? `  nodes ${p.nodes ?? "-"} (simulator: ${p.predictedNodes ?? "-"})` : "";
    return `t=${pad(String(p.second), 4)}s  ${p.model}  demand ${pad(p.rps.toFixed(1), 4)} req/s  running ${pad(p.running.toFixed(1), 5)}  ` +
        `queue ${pad(p.waiting.toFixed(1), 5)}  desired ${pad(String(p.desired ?? "-"), 2)}  ready ${pad(String(p.ready), 2)}  ` +
        `(simulator: ${p.predicted ?? "-"})${nodes}`;
}
