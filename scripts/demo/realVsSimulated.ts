// The pure part of `npm run demo` and of the end-to-end comparison: the simulator parameters that
// stand for the local loop (so both run "the same stack and the same trace with the same
// parameters"), the real loop's per-second timeline from the harness's samples, the equivalent
// `npm run simulate` command line, and the progress line printed while the trace plays.
import type { InferencePlan } from "../../components/plan/types";
import { DEFAULT_CLUSTER } from "../../components/sim/cluster";
import type { SimParams } from "../../components/sim/run";

/** What the local loop runs with, each a parameter of the simulator. */
export interface LocalLoop {
    /** The suite's Prometheus scrape interval. */
    scrapeIntervalSeconds: number;
    /** kube-controller-manager's HPA sync period (e2e/cluster/cluster.sh). */
    hpaSyncSeconds: number;
    /** kwok's pod readiness delay, standing for model load. */
    podReadyDelaySeconds: number;
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
export function localLoopOverrides(plan: InferencePlan, loop: LocalLoop): Partial<SimParams> {
    return {
        scrapeIntervalSeconds: loop.scrapeIntervalSeconds,
        hpaSyncSeconds: loop.hpaSyncSeconds,
        warmStart: false,
        recordSeconds: true,
        engine: { modelLoadSeconds: loop.podReadyDelaySeconds } as SimParams["engine"],
        cluster: {
            ...DEFAULT_CLUSTER,
            nodeBootSeconds: 0,
            initialNodes: alwaysThereNodes(plan),
        },
    };
}

/** `npm run simulate` with the same parameters (what a reader runs to reproduce the prediction). */
export function simulateCommand(plan: InferencePlan, stackFile: string, traceFile: string, model: string, loop: LocalLoop): string {
    return `npm run simulate -- --stack ${stackFile} --trace ${traceFile} --model ${model} --cold ` +
        `--scrape-interval-seconds ${loop.scrapeIntervalSeconds} --hpa-sync-seconds ${loop.hpaSyncSeconds} ` +
        `--model-load-seconds ${loop.podReadyDelaySeconds} --node-boot-seconds 0 --initial-nodes ${alwaysThereNodes(plan)}`;
}

/** One second of the real loop as the harness saw it (e2e/support/loopEngines.ts LoopSample). */
export interface SeenSecond {
    model: string;
    traceSecond?: number;
    desired?: number;
    ready: number;
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
export function progressLine(p: { second: number; model: string; rps: number; waiting: number; running: number; desired?: number; ready: number; predicted?: number }): string {
    const pad = (s: string, n: number) => s.padStart(n);
    return `t=${pad(String(p.second), 4)}s  ${p.model}  demand ${pad(p.rps.toFixed(1), 4)} req/s  running ${pad(p.running.toFixed(1), 5)}  ` +
        `queue ${pad(p.waiting.toFixed(1), 5)}  desired ${pad(String(p.desired ?? "-"), 2)}  ready ${pad(String(p.ready), 2)}  ` +
        `(simulator: ${p.predicted ?? "-"})`;
}
