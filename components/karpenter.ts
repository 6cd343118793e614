// Karpenter for an EKS GPU pool, as plan/karpenter.ts decided it: the cloud side (IAM, the
// interruption queue and its rules, Pod Identity, the node role's access entry), the two Helm
// releases, and the pool's NodePool and EC2NodeClass. Children of the GpuNodePool.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EksNodeGroup } from "./args";
import { helmChartInputs } from "./plan/chartSource";
import type { ChartPlan } from "./plan/chartSource";
import {
    controllerPolicy, INTERRUPTION_EVENTS, KARPENTER_NODE_POLICIES, nodeTrustPolicy, podIdentityTrustPolicy, queuePolicy,
} from "./plan/karpenter";
import type { KarpenterPlan } from "./plan/karpenter";
import { ec2NodeClassResource, nodePoolResource } from "./karpenterResources";

function release(parent: pulumi.Resource, name: string, chart: ChartPlan, values: pulumi.Input<Record<string, unknown>>, dependsOn: pulumi.Resource[]) {
    return new k8s.helm.v3.Release(name, {
        name: chart.releaseName,
        ...helmChartInputs(chart),
        namespace: chart.namespace,
        createNamespace: false,
        skipCrds: chart.skipCrds ?? false,
        values,
    }, { parent, dependsOn });
}

/** Creates Karpenter for the pool; returns the NodePool (the last resource, after the controller). */
export function createKarpenter(parent: pulumi.Resource, name: string, plan: KarpenterPlan, eks: EksNodeGroup): pulumi.Resource {
    const opts = { parent };
    const partition = aws.getPartitionOutput({}, opts);
    const region = aws.getRegionOutput({}, opts).region;
    const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
    // The cluster's own security group, which EKS attaches to control plane and managed nodes alike.
    const clusterSecurityGroupId = aws.eks.getClusterOutput({ name: eks.clusterName }, opts).vpcConfig.clusterSecurityGroupId;

    // Interruption handling: Spot warnings, rebalance recommendations, scheduled maintenance and
    // instance state changes reach Karpenter through this queue, so it drains a node before EC2 takes it.
    const queue = new aws.sqs.Queue(`${name}-karpenter-interruption`, { messageRetentionSeconds: 300, sqsManagedSseEnabled: true }, opts);
    new aws.sqs.QueuePolicy(`${name}-karpenter-interruption`, {
        queueUrl: queue.id,
        policy: queue.arn.apply((arn) => JSON.stringify(queuePolicy(arn))),
    }, opts);
    for (const e of INTERRUPTION_EVENTS) {
        const rule = new aws.cloudwatch.EventRule(`${name}-karpenter-${e.name}`, {
            description: `Karpenter (${name}): ${e.detailType}`,
            eventPattern: JSON.stringify({ source: [e.source], "detail-type": [e.detailType] }),
        }, opts);
        new aws.cloudwatch.EventTarget(`${name}-karpenter-${e.name}`, { rule: rule.name, arn: queue.arn, targetId: "KarpenterInterruptionQueueTarget" }, opts);
    }

    // The nodes' role, and the access entry that lets them join the cluster.
    const nodeRole = new aws.iam.Role(`${name}-karpenter-node`, {
        description: `Nodes Karpenter launches for GPU pool ${plan.nodePool.metadata.name}`,
        assumeRolePolicy: partition.dnsSuffix.apply((dns) => JSON.stringify(nodeTrustPolicy(dns))),
    }, opts);
    const attachments = KARPENTER_NODE_POLICIES.map((policy) => new aws.iam.RolePolicyAttachment(`${name}-karpenter-node-${policy}`, {
        role: nodeRole.name,
        policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}`,
    }, opts));
    const accessEntry = new aws.eks.AccessEntry(`${name}-karpenter-node`, { clusterName: eks.clusterName, principalArn: nodeRole.arn, type: "EC2_LINUX" }, opts);

    // The controller's role, assumed through EKS Pod Identity by the karpenter ServiceAccount.
    const controllerRole = new aws.iam.Role(`${name}-karpenter-controller`, {
        description: `Karpenter's controller for GPU pool ${plan.nodePool.metadata.name}`,
        assumeRolePolicy: accountId.apply((id) => JSON.stringify(podIdentityTrustPolicy(id))),
    }, opts);
    const controllerRolePolicy = new aws.iam.RolePolicy(`${name}-karpenter-controller`, {
        role: controllerRole.id,
        policy: pulumi.all([partition.partition, region, accountId, eks.clusterName, queue.arn, nodeRole.arn])
            .apply(([p, r, a, clusterName, queueArn, nodeRoleArn]) => JSON.stringify(controllerPolicy({
                partition: p, region: r, accountId: a, clusterName, queueArn, nodeRoleArn,
            }))),
    }, opts);
    const podIdentity = new aws.eks.PodIdentityAssociation(`${name}-karpenter`, {
        clusterName: eks.clusterName,
        namespace: plan.namespace,
        serviceAccount: plan.serviceAccount,
        roleArn: controllerRole.arn,
    }, opts);

    const crds = release(parent, `${name}-karpenter-crd`, plan.crdChart, plan.crdChart.values, []);
    const controller = release(parent, `${name}-karpenter`, plan.controllerChart,
        pulumi.all([eks.clusterName, queue.name]).apply(([clusterName, interruptionQueue]) => ({
            ...plan.controllerChart.values,
            settings: { ...(plan.controllerChart.values.settings ?? {}), clusterName, interruptionQueue },
        })),
        [crds, podIdentity, controllerRolePolicy]);

    // The NodePool and EC2NodeClass after the controller and deleted before it, so that on destroy
    // Karpenter itself terminates the nodes it made (their finalizers need it running).
    const nodeClass = ec2NodeClassResource(parent, name, plan.ec2NodeClass, {
        ...plan.ec2NodeClass.spec,
        role: nodeRole.name,
        subnetSelectorTerms: pulumi.output(eks.subnetIds).apply((ids) => ids.map((id) => ({ id }))),
        securityGroupSelectorTerms: [{ id: clusterSecurityGroupId }],
    }, [controller, accessEntry, ...attachments]);
    return nodePoolResource(parent, name, plan.nodePool, plan.nodePool.spec, [controller, nodeClass]);
}
