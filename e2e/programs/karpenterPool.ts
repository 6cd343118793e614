// The Karpenter suite's Pulumi program: an EKS pool's NodePool as the package plans and registers
// it (planGpuNodePool, nodePoolResource), deployed by the real Pulumi engine, so that a changed
// pool goes through `pulumi up` as it would for a user. Only the node class differs: a
// KWOKNodeClass, whose registration delay stands in for an instance's boot, instead of the
// EC2NodeClass and the AWS resources around it (EC2 and IAM are not here).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { nodePoolResource } from "../../components/karpenterResources";
import { planGpuNodePool } from "../../components/plan/nodePool";

const config = new pulumi.Config();
const name = config.require("pool");
const plan = planGpuNodePool(name, {
    eks: {
        clusterName: "prod", subnetIds: ["subnet-0123456789abcdef0"],
        instanceTypes: config.requireObject<string[]>("instanceTypes"),
        karpenter: { consolidateAfterSeconds: config.requireNumber("consolidateAfterSeconds") },
    },
    minNodes: 0,
    maxNodes: config.requireNumber("maxNodes"),
});
const nodePool = plan.eks!.karpenter!.nodePool;

const nodeClass = new k8s.apiextensions.CustomResource("kwok-nodeclass", {
    apiVersion: "karpenter.kwok.sh/v1alpha1", kind: "KWOKNodeClass", metadata: { name },
    spec: { nodeRegistrationDelay: `${config.requireNumber("registrationDelaySeconds")}s` },
});
const spec = structuredClone(nodePool.spec);
spec.template.spec.nodeClassRef = { group: "karpenter.kwok.sh", kind: "KWOKNodeClass", name };
nodePoolResource(undefined, name, nodePool, spec, [nodeClass]);
