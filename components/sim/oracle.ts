// Baselines that are not ScaledObjects: an oracle with perfect foresight of demand (it orders
// each replica one cold start ahead, exactly as many as full batches need) and static fleets.
import type { ClusterParams } from "./cluster";
import { concurrencyLimit, throughput, type EngineParams } from "./engine";
import type { ControllerView } from "./keda";
import type { Trace } from "./traces";

export interface Controller {
    name: string;
    initialReplicas: number;
    /** A fixed fleet: no warm start beyond its own size. */
    fixed?: boolean;
    tick(v: ControllerView): number | undefined;
}

/** Share of full-batch throughput the oracle plans for: the slack that lets a backlog drain. */
export const ORACLE_UTILIZATION = 0.9;

/** Replicas that serve `rps` with every engine at 90% of its full-batch throughput (the cheapest fleet that keeps up). */
export function replicasFor(rps: number, e: EngineParams): number {
    return rps <= 0 ? 0 : Math.ceil(rps / (ORACLE_UTILIZATION * throughput(e, concurrencyLimit(e))) - 1e-9);
}

/** Seconds from ordering a replica on a new node to it serving. */
export function coldStartSeconds(e: EngineParams, c: ClusterParams): number {
    return c.nodeBootSeconds + e.modelLoadSeconds;
}

/**
 * Perfect foresight: at t it runs the replicas the demand of [t, t + cold start + 60 s] needs,
 * so that every replica is ordered one cold start before its demand arrives, and releases them
 * once that need has been lower for two minutes (running requests finish where they run).
 */
export function oracle(trace: Trace, e: EngineParams, c: ClusterParams, minReplicas = 0): Controller {
    const lead = coldStartSeconds(e, c);
    const need = Array.from(trace.rps, (r) => replicasFor(r, e));
    // Sliding maximum of the need over [s, s + lead + 60]: what is needed now, and what must be
    // ordered now to be ready in time.
    const at = (s: number) => {
        let n = minReplicas;
        // Negative times (a pre-roll, SimParams.preRollSeconds) read the trace as periodic.
        const len = need.length;
        for (let t = s; t < Math.min(len, s + lead + 60); t++) n = Math.max(n, need[((t % len) + len) % len]);
        return n;
    };
    const history: number[] = [];
    return {
        name: "oracle",
        initialReplicas: at(0),
        tick: (v) => {
            history.push(at(v.now));
            const n = Math.max(...history.slice(-120));
            return n !== v.replicas ? n : undefined;
        },
    };
}

/** A fixed fleet. */
export function staticFleet(name: string, replicas: number): Controller {
    return { name, initialReplicas: replicas, fixed: true, tick: (v) => (v.replicas !== replicas ? replicas : undefined) };
}

/** The fleet the trace's peak needs, all the time. */
export function staticPeak(trace: Trace, e: EngineParams): Controller {
    return staticFleet("static peak", Math.max(1, ...Array.from(trace.rps, (r) => replicasFor(r, e))));
}

/** The fleet the trace's mean demand needs, all the time. */
export function staticMean(trace: Trace, e: EngineParams): Controller {
    const mean = trace.rps.reduce((s, r) => s + r, 0) / trace.rps.length;
    return staticFleet("static mean", Math.max(1, replicasFor(mean, e)));
}
