// The `plan` view's part about where engines run: the GPU node pool, whether the models fit on
// it, what it costs, and the simulator engines the component writes itself.
import * as YAML from "yaml";
import type { InferencePlan } from "../components/plan/types";
import { HOURS_PER_MONTH } from "../components/plan/cost";
import { describeChartSource } from "../components/plan/chartSource";

function money(x: number): string {
    return x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Lines for the readable plan, each section headed by `section(title)`. */
export function renderPlacement(plan: InferencePlan, section: (title: string) => string): string[] {
    const out: string[] = [];
    const pool = plan.gpuNodePool;
    out.push(section("GPU node pool"));
    if (!pool) {
        out.push("none: the engines use the cluster's existing nodes");
    } else {
        const where = pool.gke
            ? `GKE NodePool on cluster ${pool.gke.cluster} (${pool.gke.location}): ${pool.gke.machineType}, ${pool.gke.acceleratorCount} x ${pool.gke.acceleratorType}` +
              `${pool.gke.spot ? ", spot" : ""}, driver ${pool.gke.driverVersion}`
            : pool.eks
                ? `EKS ${pool.eks.karpenter ? "Karpenter NodePool" : "NodeGroup"} on cluster ${pool.eks.clusterName}: ${pool.eks.instanceTypes.join(", ")}, ${pool.eks.amiType}, ${pool.eks.capacityType}`
                : "an existing pool (the package creates no nodes; they must carry the label and taint below)";
        out.push(`"${pool.name}": ${where}`);
        const k = pool.eks?.karpenter;
        if (k) {
            out.push(`Karpenter: ${describeChartSource(k.controllerChart)} (CRDs: ${describeChartSource(k.crdChart)}) in ${k.namespace}, ` +
                "IAM role through EKS Pod Identity, an interruption queue and 4 EventBridge rules, a node role with its access entry");
            out.push(`  NodePool "${k.nodePool.metadata.name}": up to ${k.maxNodes} node(s) (limit nvidia.com/gpu=${k.gpuLimit}), empty nodes removed after ${k.consolidateAfterSeconds} s; ` +
                `EC2NodeClass "${k.ec2NodeClass.metadata.name}": AMI ${k.amiAlias}, ${pool.eks!.diskSizeGb} GiB gp3`);
        }
        if (pool.eks?.nodeGroup) {
            const g = pool.eks.nodeGroup;
            out.push(k ? `  managed NodeGroup holding the floor: ${g.minSize} node(s) (Karpenter has no minimum)`
                : `  managed NodeGroup: ${g.minSize}..${g.maxSize} node(s), scaled by the cluster's own node autoscaler`);
        }
        out.push(`nodes: ${pool.minNodes}..${pool.maxNodes}, ${pool.gpusPerNode} GPU(s) each (from ${pool.gpusPerNodeSource})`);
        out.push(`taint: ${pool.taint.key}=${pool.taint.value}:${pool.taint.effect}; labels: ${Object.entries(pool.labels).map(([k, v]) => `${k}=${v}`).join(", ")}`);
        out.push(pool.devicePlugin
            ? `NVIDIA device plugin: ${describeChartSource(pool.devicePlugin)} -> release "${pool.devicePlugin.releaseName}" in ${pool.devicePlugin.namespace}`
            : "NVIDIA device plugin: not needed (provided by the node image or GKE)");
    }

    out.push(section("Capacity"));
    out.push(plan.capacity.note);
    for (const c of plan.capacity.pools) {
        for (const m of c.models) out.push(`  ${m.name}: ${m.maxReplicas} replicas x ${m.gpusPerReplica} GPU(s) = ${m.gpus} GPUs at maxReplicas`);
        out.push(`  needed ${c.gpusNeeded} GPUs on ${c.nodesNeeded ?? "?"} node(s); available ${c.gpusAvailable} GPUs on ${c.maxNodes} node(s): ${c.fits ? "fits" : "DOES NOT FIT"}`);
    }

    out.push(section(`Cost (${HOURS_PER_MONTH}-hour month)`));
    if (!plan.cost) {
        out.push("unknown: no price for the pool's machine type; set gpuNodePool.hourlyCost");
    } else {
        const c = plan.cost;
        out.push(`per hour:  ${money(c.hourlyMin)} at minNodes .. ${money(c.hourlyMax)} at maxNodes`);
        out.push(`per month: ${money(c.monthlyMin)} at minNodes .. ${money(c.monthlyMax)} at maxNodes`);
        if (c.headroomNodes > 0) {
            out.push(`warm headroom: ${c.headroomNodes} node(s) held around the clock by placeholders, ${money(c.monthlyHeadroom)} per month (within the maxNodes figure)`);
        }
        out.push(`price: ${c.source}`);
    }

    if (plan.headroom.length > 0) {
        out.push(section("Warm headroom (placeholders engines preempt)"));
        const pc = plan.headroomPriorityClass!;
        out.push(`PriorityClass ${pc.name}: value ${pc.value}, preemptionPolicy ${pc.preemptionPolicy} (engines run at 0 and preempt; not below cluster-autoscaler's expendable cutoff -10)`);
        for (const h of plan.headroom) {
            const c = h.podSpec.containers[0];
            out.push(`${h.model}: Deployment ${h.deploymentName} in ${h.namespace}, ${h.replicas} slot(s) of ${JSON.stringify(c.resources.requests)}, image ${c.image} (pre-pulled for the engines)`);
        }
    }

    if (plan.simulators.length > 0) {
        out.push(section("Simulator engines (CPU, written by the component)"));
        for (const s of plan.simulators) {
            const c = s.podSpec.containers[0];
            out.push(`${s.model}: Deployment ${s.deploymentName} + Service ${s.serviceName} in ${s.namespace}, ${s.replicas} replica(s) at creation`);
            out.push(YAML.stringify({ image: c.image, args: c.args, podLabels: s.podLabels }).trimEnd().replace(/^/gm, "  "));
        }
    }
    return out;
}
