// The GKE side of a GpuNodePool: the cloud's node pool, autoscaled by GKE's own autoscaler.
// Loaded only for a pool with `gke` (gpuNodePool.ts), so that no other stack loads @pulumi/gcp.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GkeNodePool } from "./args";
import { gkeInitialNodeCount } from "./plan/nodePool";
import type { NodePoolPlan } from "./plan/nodePool";
import type { CloudTaint } from "./gpuNodePool";

/** Creates the GKE node pool; returns its name. */
export function createGkeNodePool(parent: pulumi.Resource, name: string, plan: NodePoolPlan, gke: GkeNodePool, taint: CloudTaint): pulumi.Output<string> {
    const g = plan.gke!;
    const pool = new gcp.container.NodePool(`${name}-nodepool`, {
        cluster: gke.cluster,
        location: gke.location,
        ...(gke.project !== undefined ? { project: gke.project } : {}),
        // Per zone; the autoscaler's total limits bound the whole pool.
        initialNodeCount: pulumi.output(gke.location).apply((loc) => gkeInitialNodeCount(loc, plan.minNodes)),
        autoscaling: {
            totalMinNodeCount: plan.minNodes,
            totalMaxNodeCount: plan.maxNodes,
            // Take GPUs in whichever zone has them (GPUs are often short in one zone).
            locationPolicy: "ANY",
        },
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
            machineType: g.machineType,
            spot: g.spot,
            diskSizeGb: g.diskSizeGb,
            guestAccelerators: [{
                type: g.acceleratorType,
                count: g.acceleratorCount,
                gpuDriverInstallationConfig: { gpuDriverVersion: g.driverVersion },
            }],
            labels: plan.labels,
            taints: [taint],
        },
    }, { parent });
    return pool.name;
}
