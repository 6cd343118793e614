// Does every GPU model fit on the pool at its maxReplicas? A replica never spans nodes (vLLM's
// tensor parallelism stays on one node here), so replicas are packed onto nodes whole.
import type { NodePoolPlan } from "./nodePool";
import { HOURS_PER_MONTH } from "./cost";
import type { CostPlan } from "./cost";
import { Problems } from "./problems";

/** A model as the capacity check sees it. */
export interface CapacityModel {
    index: number;
    name: string;
    gpusPerReplica: number;
    maxReplicas: number;
}

export interface ModelCapacity {
    name: string;
    gpusPerReplica: number;
    maxReplicas: number;
    /** maxReplicas x gpusPerReplica. */
    gpus: number;
}

export interface PoolCapacity {
    pool: string;
    gpusPerNode: number;
    maxNodes: number;
    /** gpusPerNode x maxNodes. */
    gpusAvailable: number;
    /** Sum over the GPU models of maxReplicas x gpusPerReplica. */
    gpusNeeded: number;
    /** Nodes the replicas need when packed whole (first-fit decreasing); undefined when a replica is larger than a node. */
    nodesNeeded?: number;
    fits: boolean;
    models: ModelCapacity[];
}

/** `plan.capacity`. */
export interface CapacityPlan {
    /** Whether the check ran (it needs a gpuNodePool). */
    checked: boolean;
    /** What was checked, or why not. */
    note: string;
    pools: PoolCapacity[];
}

/**
 * Nodes of `gpusPerNode` GPUs needed to hold replicas of the given sizes, each on one node:
 * first-fit decreasing. Optimal whenever every size divides the node size (1, 2, 4, 8 GPUs on
 * 8-GPU nodes, the usual tensor-parallel degrees); never more than 11/9 of optimal + 1 otherwise.
 */
export function nodesForReplicas(sizes: number[], gpusPerNode: number): number {
    const free: number[] = [];
    for (const size of [...sizes].sort((a, b) => b - a)) {
        if (size > gpusPerNode) throw new RangeError(`a replica of ${size} GPUs does not fit on a node of ${gpusPerNode}`);
        const i = free.findIndex((f) => f >= size);
        if (i >= 0) free[i] -= size;
        else free.push(gpusPerNode - size);
    }
    return free.length;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The capacity of the pool against the GPU models (simulator models need no GPU and are not passed). */
export function planCapacity(gpuModels: CapacityModel[], pool: NodePoolPlan | undefined): CapacityPlan {
    if (!pool) {
        return {
            checked: false,
            note: "no gpuNodePool: GPU capacity is not checked; the engines use the cluster's existing GPU nodes",
            pools: [],
        };
    }
    const models = gpuModels.map((m) => ({ name: m.name, gpusPerReplica: m.gpusPerReplica, maxReplicas: m.maxReplicas, gpus: m.gpusPerReplica * m.maxReplicas }));
    const oversized = gpuModels.some((m) => m.gpusPerReplica > pool.gpusPerNode);
    const sizes = gpuModels.flatMap((m) => Array<number>(m.maxReplicas).fill(m.gpusPerReplica));
    const nodesNeeded = oversized ? undefined : nodesForReplicas(sizes, pool.gpusPerNode);
    const capacity: PoolCapacity = {
        pool: pool.name,
        gpusPerNode: pool.gpusPerNode,
        maxNodes: pool.maxNodes,
        gpusAvailable: pool.gpusPerNode * pool.maxNodes,
        gpusNeeded: models.reduce((s, m) => s + m.gpus, 0),
        ...(nodesNeeded !== undefined ? { nodesNeeded } : {}),
        fits: nodesNeeded !== undefined && nodesNeeded <= pool.maxNodes,
        models,
    };
    return {
        checked: true,
        note: `every GPU model at maxReplicas, whole replicas per node, on ${plural(pool.maxNodes, "node")} of ${plural(pool.gpusPerNode, "GPU")}`,
        pools: [capacity],
    };
}

/** Records why the models do not fit: per oversized model, then the pool as a whole. */
export function capacityProblems(p: Problems, gpuModels: CapacityModel[], pool: NodePoolPlan, poolPath: string): void {
    const prefix = poolPath === "" ? "" : `${poolPath}.`;
    for (const m of gpuModels) {
        if (m.gpusPerReplica > pool.gpusPerNode) {
            p.add(`models[${m.index}].gpusPerReplica`, `${m.name} needs ${plural(m.gpusPerReplica, "GPU")} per replica, but a node of the GPU pool has ` +
                `${pool.gpusPerNode} (${pool.gpusPerNodeSource}) and a replica cannot span nodes; use at most ${pool.gpusPerNode}, ` +
                `or a machine type with at least ${m.gpusPerReplica} GPUs per node`);
        }
    }
    const capacity = planCapacity(gpuModels, pool).pools[0];
    if (capacity.nodesNeeded !== undefined && capacity.nodesNeeded > pool.maxNodes) {
        const parts = capacity.models.filter((m) => m.gpus > 0).map((m) => `${m.name} ${m.maxReplicas} x ${plural(m.gpusPerReplica, "GPU")}`);
        p.add(`${prefix}maxNodes`, `${pool.maxNodes} x ${plural(pool.gpusPerNode, "GPU")} (${capacity.gpusAvailable} GPUs) cannot hold the models at maxReplicas: ` +
            `${parts.join(" + ")} = ${capacity.gpusNeeded} GPUs need ${plural(capacity.nodesNeeded, "node")} packed by whole replicas; ` +
            `use maxNodes >= ${capacity.nodesNeeded}, or lower the models' maxReplicas`);
    }
}

/** Fails the plan when the pool at maxNodes costs more per month than `maxMonthlyCost`. */
export function costGuardProblems(p: Problems, cost: CostPlan | undefined, pool: NodePoolPlan | undefined, maxMonthlyCost: number | undefined, poolPath: string): void {
    if (maxMonthlyCost === undefined || !pool) return;
    const prefix = poolPath === "" ? "" : `${poolPath}.`;
    if (!cost || pool.hourlyCost === undefined) {
        const what = pool.gke ? pool.gke.machineType : pool.eks?.instanceTypes.join(", ");
        p.add(`${prefix}hourlyCost`, `is required when maxMonthlyCost is set and the package's price table has no price for ${what}; ` +
            "give the price of one node per hour");
        return;
    }
    if (cost.monthlyMax > maxMonthlyCost) {
        const perNodeMonth = pool.hourlyCost * HOURS_PER_MONTH;
        const affordable = perNodeMonth > 0 ? Math.floor(maxMonthlyCost / perNodeMonth + 1e-9) : pool.maxNodes;
        p.add("maxMonthlyCost", `the worst case costs ${cost.monthlyMax.toFixed(2)} per month (${pool.maxNodes} nodes x ${pool.hourlyCost}/h x ${HOURS_PER_MONTH} h), ` +
            `more than maxMonthlyCost ${maxMonthlyCost}; ` +
            (affordable >= 1 ? `lower ${prefix}maxNodes to at most ${affordable}, ` : "") + "raise maxMonthlyCost, or choose cheaper nodes");
    }
}
