// The EKS side of a GpuNodePool: Karpenter (karpenter.ts) and, where the plan asks for one, a
// managed node group. Loaded only for a pool with `eks` (gpuNodePool.ts), so that no other stack
// loads @pulumi/aws.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EksNodeGroup } from "./args";
import type { NodePoolPlan } from "./plan/nodePool";
import type { CloudTaint } from "./gpuNodePool";
import { createKarpenter } from "./karpenter";

/** Creates the EKS side of the pool; returns the cloud's name of the pool. */
export function createEksNodePool(parent: pulumi.Resource, name: string, plan: NodePoolPlan, eks: EksNodeGroup, taint: CloudTaint): pulumi.Output<string> {
    const e = plan.eks!;
    // A managed node group: the whole pool for the cluster's own autoscaler, or, beside
    // Karpenter, the fixed floor of minNodes that Karpenter (which has no minimum) cannot hold.
    const group = e.nodeGroup ? new aws.eks.NodeGroup(`${name}-nodegroup`, {
        clusterName: eks.clusterName,
        nodeRoleArn: eks.nodeRoleArn!,
        subnetIds: eks.subnetIds,
        instanceTypes: e.instanceTypes,
        amiType: e.amiType,
        capacityType: e.capacityType,
        diskSize: e.diskSizeGb,
        scalingConfig: { ...e.nodeGroup },
        updateConfig: { maxUnavailable: 1 },
        labels: plan.labels,
        taints: [taint],
    }, {
        parent,
        // A node autoscaler moves desiredSize; Pulumi sets it only on create.
        ignoreChanges: ["scalingConfig.desiredSize"],
    }) : undefined;
    if (e.karpenter) createKarpenter(parent, name, e.karpenter, eks);
    // Karpenter's pool is the NodePool, named after the pool.
    return group ? group.nodeGroupName : pulumi.output(plan.name);
}
