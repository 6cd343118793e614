// What the GPU node pool costs, decided before anything is created: a small, dated table of
// on-demand list prices for the machine types the package knows, or the user's `hourlyCost`.
// Prices vary by region and change over time; the table is a default, not a quote.

/** Hours in the month the plan prices (365 x 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** When the table's prices were read, and where. */
export const PRICE_TABLE_DATE = "2026-08";

/**
 * EC2 on-demand Linux list prices in us-east-1, USD per instance-hour, from the
 * instances.vantage.sh data (AWS Price List API) published in github.com/tsaol/aws-gpu
 * data/all_gpu_instances.js (snapshot of 2026-01-21; the g5 rows re-checked against its
 * 2026-08-26 snapshot, unchanged). p5e.48xlarge had no us-east-1 price there.
 */
export const EC2_ON_DEMAND_USD: Readonly<Record<string, number>> = {
    "g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752, "g4dn.4xlarge": 1.204, "g4dn.8xlarge": 2.176, "g4dn.12xlarge": 3.912,
    "g4dn.16xlarge": 4.352, "g4dn.metal": 7.824,
    "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.8xlarge": 2.448, "g5.12xlarge": 5.672,
    "g5.16xlarge": 4.096, "g5.24xlarge": 8.144, "g5.48xlarge": 16.288,
    "g6.xlarge": 0.8048, "g6.2xlarge": 0.9776, "g6.4xlarge": 1.3232, "g6.8xlarge": 2.0144, "g6.12xlarge": 4.6016,
    "g6.16xlarge": 3.3968, "g6.24xlarge": 6.6752, "g6.48xlarge": 13.3504,
    "g6e.xlarge": 1.861, "g6e.2xlarge": 2.24208, "g6e.4xlarge": 3.00424, "g6e.8xlarge": 4.52856, "g6e.12xlarge": 10.49264,
    "g6e.16xlarge": 7.57719, "g6e.24xlarge": 15.06559, "g6e.48xlarge": 30.13118,
    "p4d.24xlarge": 21.957642, "p4de.24xlarge": 27.44705,
    "p5.4xlarge": 6.88, "p5.48xlarge": 55.04, "p5en.48xlarge": 63.296,
};

/**
 * GKE node (Compute Engine) on-demand prices in us-central1, USD per node-hour, GPUs included:
 * the machine's vCPU/memory price plus its GPUs, from SkyPilot's GCP catalog
 * (github.com/skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv, read 2026-08): L4 $0.56004
 * and A100 40GB $2.93391 per GPU-hour; g2-standard-12/16/24 hosts as listed and the other g2 hosts
 * at the same rate per (vCPU + 4 GB), $0.44038 / 12; a2-highgpu hosts as listed. Not included
 * (pass `hourlyCost`): a2-ultragpu, a3 and N1 with attached GPUs, whose catalog rows disagree
 * between regions by more than list prices do.
 */
export const GCE_ON_DEMAND_USD: Readonly<Record<string, number>> = {
    "g2-standard-4": 0.70683, "g2-standard-8": 0.85363, "g2-standard-12": 1.00042, "g2-standard-16": 1.14721,
    "g2-standard-24": 2.00083, "g2-standard-32": 1.73439, "g2-standard-48": 4.00168, "g2-standard-96": 8.00336,
    "a2-highgpu-1g": 3.67339, "a2-highgpu-2g": 7.34677, "a2-highgpu-4g": 14.69354, "a2-highgpu-8g": 29.38708,
};

/**
 * The table's price of one pool node, or undefined. For several EKS instance types the dearest
 * one counts (the worst case), and a type without a price makes the price unknown.
 */
/** What a pool's price depends on: its machine or instance types (a NodePoolPlan has them). */
export interface PricedPool {
    gke?: { machineType: string };
    eks?: { instanceTypes: string[] };
}

export function tablePrice(pool: PricedPool): { hourly: number; source: string } | undefined {
    if (pool.gke) {
        const price = GCE_ON_DEMAND_USD[pool.gke.machineType];
        if (price === undefined) return undefined;
        return { hourly: price, source: `on-demand list price of ${pool.gke.machineType} in us-central1, USD (table of ${PRICE_TABLE_DATE})` };
    }
    if (pool.eks && pool.eks.instanceTypes.length > 0) {
        const prices = pool.eks.instanceTypes.map((t) => EC2_ON_DEMAND_USD[t]);
        if (prices.some((x) => x === undefined)) return undefined;
        const hourly = Math.max(...(prices as number[]));
        const which = pool.eks.instanceTypes.length === 1 ? pool.eks.instanceTypes[0] : `the dearest of ${pool.eks.instanceTypes.join(", ")}`;
        return { hourly, source: `on-demand list price of ${which} in us-east-1, USD (table of ${PRICE_TABLE_DATE})` };
    }
    return undefined;
}

/** `plan.cost`: the pool at `minNodes` and at `maxNodes`, per hour and per 730-hour month. */
export interface CostPlan {
    hourlyMin: number;
    hourlyMax: number;
    monthlyMin: number;
    monthlyMax: number;
    /**
     * Warm headroom (`headroomSlots`): the nodes its placeholders hold around the clock (GPUs held
     * / GPUs per node, rounded up), and what they cost per month. Part of the pool's floor: with
     * no engine running, at least max(minNodes, these) nodes exist. Within monthlyMax (the
     * placeholders never grow the pool beyond maxNodes).
     */
    headroomNodes: number;
    monthlyHeadroom: number;
    /** Where the node price came from, or why there is no cost. */
    source: string;
}

function round(x: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

/** Hourly figures to 5 decimals, monthly ones to cents. */
export function costOf(nodeHourly: number, minNodes: number, maxNodes: number, source: string, headroomNodes = 0): CostPlan {
    return {
        headroomNodes,
        monthlyHeadroom: round(nodeHourly * headroomNodes * HOURS_PER_MONTH, 2),
        hourlyMin: round(nodeHourly * minNodes, 5),
        hourlyMax: round(nodeHourly * maxNodes, 5),
        monthlyMin: round(nodeHourly * minNodes * HOURS_PER_MONTH, 2),
        monthlyMax: round(nodeHourly * maxNodes * HOURS_PER_MONTH, 2),
        source,
    };
}

/**
 * The plan's cost: zero without a pool (the package adds no billable nodes), undefined when the
 * pool's node price is unknown.
 */
/** What a pool's cost depends on: its node price and bounds (a NodePoolPlan has them). */
export interface CostedPool {
    minNodes: number;
    maxNodes: number;
    gpusPerNode: number;
    hourlyCost?: number;
    hourlyCostSource?: string;
}

/** `headroomGpus`: the GPUs warm-headroom placeholders hold (HeadroomPlan.gpus, summed). */
export function planCost(pool: CostedPool | undefined, headroomGpus = 0): CostPlan | undefined {
    if (!pool) return costOf(0, 0, 0, "no gpuNodePool: the package creates no billable nodes (the cluster's own nodes are not counted)");
    if (pool.hourlyCost === undefined) return undefined;
    const headroomNodes = Math.min(pool.maxNodes, Math.ceil(headroomGpus / Math.max(1, pool.gpusPerNode)));
    return costOf(pool.hourlyCost, pool.minNodes, pool.maxNodes, `${pool.maxNodes} x ${pool.hourlyCost}/h at most: ${pool.hourlyCostSource}`, headroomNodes);
}
