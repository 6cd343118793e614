// Where the engines run and what that costs: the GPU node pool, its capacity against the GPU
// models, its cost, and the simulator engines the component writes itself.
import { Engine } from "../args";
import { drainPlan } from "./drain";
import type { LlmInferenceArgs } from "../args";
import { planCapacity } from "./capacity";
import type { CapacityPlan } from "./capacity";
import { engineLabels, PULUMI_TIMEOUT_ANNOTATION } from "./charts";
import { planCost } from "./cost";
import type { CostPlan } from "./cost";
import type { Values } from "./merge";
import { isGkeZone } from "./nodePool";
import type { NodePoolPlan } from "./nodePool";
import type { ResolvedArgs } from "./resolve";
import { simulatorPlan, simulatorWarnings } from "./simulatorEngine";
import type { SimulatorPlan } from "./simulatorEngine";
import { headroomPriorityClass, planHeadroom } from "./headroom";
import type { HeadroomPlan, PriorityClassPlan } from "./headroom";
import { IMAGES } from "./versions";

export interface PlacementPlan {
    gpuNodePool?: NodePoolPlan;
    capacity: CapacityPlan;
    cost?: CostPlan;
    simulators: SimulatorPlan[];
    /** Warm headroom placeholders, one Deployment per model that has `headroomSlots`. */
    headroom: HeadroomPlan[];
    /** Their PriorityClass (cluster-scoped), when any model has headroom. */
    headroomPriorityClass?: PriorityClassPlan;
    warnings: string[];
}

/** `vllmStackValues`: the values the chart is installed with (the router selects engines by their servingEngineSpec.labels). */
export function planPlacement(r: ResolvedArgs, args: LlmInferenceArgs, vllmStackValues: Values): PlacementPlan {
    const pool = r.gpuNodePool;
    const gpuModels = r.models.filter((m) => m.engine !== Engine.Simulator);
    const capacity = planCapacity(gpuModels.map((m) => ({
        index: m.index, name: m.name, gpusPerReplica: m.gpusPerReplica, maxReplicas: m.autoscaling.maxReplicas,
    })), pool);
    const headroom = gpuModels.filter((m) => m.autoscaling.headroomSlots > 0).map((m) => planHeadroom({
        release: r.releaseName, namespace: r.namespace, model: m.name, slots: m.autoscaling.headroomSlots,
        image: m.image ?? IMAGES.vllm, gpusPerReplica: m.gpusPerReplica, cpu: m.cpu, memory: m.memory,
        ...(pool ? { pool } : {}),
    }));
    const cost = planCost(pool, headroom.reduce((s, h) => s + h.gpus, 0));
    const labels: Record<string, string> = vllmStackValues?.servingEngineSpec?.labels ?? engineLabels(r.releaseName);
    const simulators = r.models.filter((m) => m.engine === Engine.Simulator && m.simulator).map((m) => simulatorPlan({
        release: r.releaseName,
        namespace: r.namespace,
        model: m.name,
        modelUrl: m.modelUrl,
        servedModelName: m.servedModelName,
        minReplicas: m.autoscaling.minReplicas,
        readyTimeoutSeconds: m.readyTimeoutSeconds,
        engineLabels: labels,
        simulator: m.simulator!,
        timeoutAnnotation: PULUMI_TIMEOUT_ANNOTATION,
        drain: drainPlan(m.drainSeconds),
    }));

    const warnings: string[] = [];
    (args.models ?? []).forEach((m, i) => warnings.push(...simulatorWarnings(i, m)));
    if (pool && gpuModels.length === 0) {
        warnings.push(`gpuNodePool "${pool.name}": every model runs on the simulator, so no engine needs the GPU pool; drop gpuNodePool to save its cost.`);
    }
    if (pool && pool.hourlyCost === undefined) {
        const what = pool.gke ? pool.gke.machineType : pool.eks ? pool.eks.instanceTypes.join(", ") : "an existing pool's nodes";
        warnings.push(`gpuNodePool "${pool.name}": the package's price table has no price for ${what}; ` +
            "set gpuNodePool.hourlyCost to see the cost and to use maxMonthlyCost.");
    }
    if (!pool && headroom.length > 0) {
        warnings.push(`warm headroom (${headroom.map((h) => `${h.model}: ${h.replicas}`).join(", ")}) without a gpuNodePool: it needs the cluster's own node autoscaler ` +
            "to add a node for each placeholder an engine evicts, and placeholders tolerate no taint and select no node of their own (the engines' placement is the chart's values).");
    }
    const spot = pool?.gke?.spot === true || pool?.eks?.capacityType === "SPOT";
    if (pool && spot && pool.hourlyCostSource && !pool.hourlyCostSource.startsWith("gpuNodePool.")) {
        warnings.push(`gpuNodePool "${pool.name}": the cost uses the on-demand list price; spot capacity is usually much cheaper, ` +
            "so set gpuNodePool.hourlyCost to your spot price for a closer figure.");
    }
    if (pool?.gke && pool.minNodes > 0 && !isGkeZone(pool.gke.location)) {
        warnings.push(`gpuNodePool "${pool.name}": GKE starts a regional pool (or one whose location is an output) with one node per zone (initialNodeCount is per zone); ` +
            `the cluster autoscaler then keeps the total between ${pool.minNodes} and ${pool.maxNodes}.`);
    }
    return {
        ...(pool ? { gpuNodePool: pool } : {}), capacity, ...(cost ? { cost } : {}), simulators,
        headroom, ...(headroom.length > 0 ? { headroomPriorityClass: headroomPriorityClass(r.namespace, r.releaseName) } : {}),
        warnings,
    };
}
