// Karpenter for an EKS GPU pool: what the package installs so that the pool grows on Pending GPU
// engines and shrinks when idle, with nothing else installed by the user. Pure: the plan holds
// every value that does not depend on a cloud lookup (the NodePool, the EC2NodeClass without its
// role and selectors, the charts' values without the cluster name and queue, the EventBridge
// patterns), and controllerPolicy() turns the looked-up facts (partition, region, account, queue
// and node role ARNs) into the controller's least-privilege IAM policy.
// Sources: aws/karpenter-provider-aws v1.14.1 (charts/karpenter values.yaml, the CRDs in
// charts/karpenter-crd) and its getting-started cloudformation.yaml (the controller policy, the
// node role's managed policies, the queue and its four rules).
import type { ChartPlan } from "./chartSource";
import { chartSource, ChartSourceKind, chartSourceKind, HELM_RESOURCE_POLICY } from "./chartSource";
import type { Values } from "./merge";
import { CHARTS } from "./versions";

/** Karpenter runs where its docs put it: `kube-system`, on nodes it does not manage. */
export const KARPENTER_NAMESPACE = "kube-system";
/** The controller's ServiceAccount (the chart's fullname), which the Pod Identity association names. */
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
export const KARPENTER_RELEASE = "karpenter";
export const KARPENTER_CRD_RELEASE = "karpenter-crd";
export const NODE_POOL_API_VERSION = "karpenter.sh/v1";
export const EC2_NODE_CLASS_API_VERSION = "karpenter.k8s.aws/v1";
/** The label Karpenter puts on its nodes (the chart keeps the controller off them by it). */
export const KARPENTER_NODEPOOL_LABEL = "karpenter.sh/nodepool";

export const KARPENTER_DEFAULTS = {
    consolidateAfterSeconds: 600,
    amiAlias: { AL2023_x86_64_NVIDIA: "al2023@latest", BOTTLEROCKET_x86_64_NVIDIA: "bottlerocket@latest" } as Record<string, string>,
} as const;

/** The node role's AWS managed policies (cloudformation.yaml KarpenterNodeRole). */
export const KARPENTER_NODE_POLICIES = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
] as const;

/** The events Karpenter drains and replaces nodes on (cloudformation.yaml's four rules). */
export const INTERRUPTION_EVENTS: readonly { name: string; source: string; detailType: string }[] = [
    { name: "health", source: "aws.health", detailType: "AWS Health Event" },
    { name: "spot-interruption", source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
    { name: "rebalance", source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
    { name: "state-change", source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
];

export interface KarpenterManifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; labels?: Record<string, string> };
    spec: Values;
}

export interface KarpenterPlan {
    /** The CRDs (NodePool, NodeClaim, EC2NodeClass, ...), kept on uninstall (docs/resources.md). */
    crdChart: ChartPlan;
    /** The controller, without its CRDs; `settings.clusterName` and `settings.interruptionQueue` are added by the component. */
    controllerChart: ChartPlan;
    namespace: string;
    serviceAccount: string;
    /** The GPU NodePool: the pool's label and taint, its instance types and capacity type, GPU limits. */
    nodePool: KarpenterManifest;
    /** The EC2NodeClass; the component adds `role`, `subnetSelectorTerms` and `securityGroupSelectorTerms`. */
    ec2NodeClass: KarpenterManifest;
    /** GPUs Karpenter may add (the NodePool's `limits`): nodes above the floor times GPUs per node. */
    gpuLimit: number;
    /** Nodes Karpenter may add above the managed node group's floor. */
    maxNodes: number;
    consolidateAfterSeconds: number;
    amiAlias: string;
}

/** The resolved `eks.karpenter` settings. */
export interface KarpenterSettings {
    version?: string;
    repo?: string;
    consolidateAfterSeconds: number;
    amiAlias: string;
}

/** The pool as Karpenter needs it. */
export interface KarpenterPool {
    name: string;
    labels: Record<string, string>;
    taint: { key: string; value: string; effect: string };
    minNodes: number;
    maxNodes: number;
    gpusPerNode: number;
    instanceTypes: string[];
    /** `ON_DEMAND` or `SPOT` (the node group's spelling). */
    capacityType: string;
    diskSizeGb: number;
}

/** A chart of the Karpenter pair: a local path names the folder that holds both charts. */
function karpenterChartSource(pin: typeof CHARTS.karpenter | typeof CHARTS.karpenterCrd, s: KarpenterSettings) {
    if (s.repo !== undefined && chartSourceKind(s.repo) === ChartSourceKind.Path) {
        return chartSource(pin, `${s.repo.replace(/\/+$/, "")}/${pin.chart}`);
    }
    return chartSource(pin, s.repo, s.version);
}

export function planKarpenter(pool: KarpenterPool, s: KarpenterSettings): KarpenterPlan {
    const maxNodes = pool.maxNodes - pool.minNodes;
    const gpuLimit = maxNodes * pool.gpusPerNode;
    const nodePool: KarpenterManifest = {
        apiVersion: NODE_POOL_API_VERSION,
        kind: "NodePool",
        metadata: { name: pool.name },
        spec: {
            template: {
                metadata: { labels: { ...pool.labels } },
                spec: {
                    nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: pool.name },
                    requirements: [
                        { key: "node.kubernetes.io/instance-type", operator: "In", values: [...pool.instanceTypes] },
                        { key: "karpenter.sh/capacity-type", operator: "In", values: [pool.capacityType === "SPOT" ? "spot" : "on-demand"] },
                        { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
                        { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                    ],
                    taints: [{ ...pool.taint }],
                },
            },
            // GPUs, not nodes: Karpenter's limits are resources; a node of gpusPerNode GPUs fits while
            // the pool's GPUs stay within them.
            limits: { "nvidia.com/gpu": String(gpuLimit) },
            disruption: {
                // Only empty nodes go, after the idle time: an engine is never moved to pack nodes
                // tighter (a restart costs minutes of model loading).
                consolidationPolicy: "WhenEmpty",
                consolidateAfter: `${s.consolidateAfterSeconds}s`,
                // A changed pool (instance types, AMI) drifts the nodes it made; none is replaced
                // for that while it runs an engine: new nodes take the change, old ones go when empty.
                budgets: [{ nodes: "0", reasons: ["Drifted"] }],
            },
        },
    };
    const ec2NodeClass: KarpenterManifest = {
        apiVersion: EC2_NODE_CLASS_API_VERSION,
        kind: "EC2NodeClass",
        metadata: { name: pool.name },
        spec: {
            amiSelectorTerms: [{ alias: s.amiAlias }],
            blockDeviceMappings: [{
                // The root volume of both AMI families' GPU variants.
                deviceName: s.amiAlias.startsWith("bottlerocket") ? "/dev/xvdb" : "/dev/xvda",
                ebs: { volumeSize: `${pool.diskSizeGb}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
            }],
            // IMDSv2 only, and no hop for pods: they cannot borrow the node role.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        },
    };
    return {
        crdChart: {
            ...karpenterChartSource(CHARTS.karpenterCrd, s),
            namespace: KARPENTER_NAMESPACE,
            releaseName: KARPENTER_CRD_RELEASE,
            values: { additionalAnnotations: { [HELM_RESOURCE_POLICY]: "keep" } },
        },
        controllerChart: {
            ...karpenterChartSource(CHARTS.karpenter, s),
            namespace: KARPENTER_NAMESPACE,
            releaseName: KARPENTER_RELEASE,
            values: {
                serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT },
            },
            skipCrds: true,
        },
        namespace: KARPENTER_NAMESPACE,
        serviceAccount: KARPENTER_SERVICE_ACCOUNT,
        nodePool,
        ec2NodeClass,
        gpuLimit,
        maxNodes,
        consolidateAfterSeconds: s.consolidateAfterSeconds,
        amiAlias: s.amiAlias,
    };
}

/** What the controller policy is scoped to, looked up or created at deploy time. */
export interface ControllerPolicyScope {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
    queueArn: string;
    nodeRoleArn: string;
}

/**
 * The controller's IAM policy: cloudformation.yaml's KarpenterControllerPolicy, with PassRole
 * limited to the package's node role. Every write is scoped to the cluster's tag
 * (`kubernetes.io/cluster/<name>: owned`) and Karpenter's own tags, every read to the region.
 */
export function controllerPolicy(c: ControllerPolicyScope): { Version: string; Statement: Values[] } {
    const ec2 = (resource: string, account = "*") => `arn:${c.partition}:ec2:${c.region}:${account}:${resource}`;
    const clusterTag = `kubernetes.io/cluster/${c.clusterName}`;
    const launched = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*"].map((r) => ec2(r));
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AllowScopedEC2InstanceActions", Effect: "Allow",
                Resource: [ec2("image/*", ""), ec2("snapshot/*", ""), ec2("spot-instances-request/*"), ec2("security-group/*"), ec2("subnet/*"), ec2("launch-template/*")],
                Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            },
            {
                Sid: "AllowScopedEC2InstanceActionsWithTags", Effect: "Allow", Resource: launched,
                Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                Condition: { StringEquals: { [`aws:RequestTag/${clusterTag}`]: "owned" }, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowScopedResourceCreationTagging", Effect: "Allow", Resource: launched, Action: "ec2:CreateTags",
                Condition: {
                    StringEquals: { [`aws:RequestTag/${clusterTag}`]: "owned", "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                    StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
                },
            },
            {
                Sid: "AllowScopedResourceTagging", Effect: "Allow", Resource: ec2("instance/*"), Action: "ec2:CreateTags",
                Condition: {
                    StringEquals: { [`aws:ResourceTag/${clusterTag}`]: "owned" },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                    "ForAllValues:StringEquals": { "aws:TagKeys": ["karpenter.sh/nodeclaim", "Name"] },
                },
            },
            {
                Sid: "AllowScopedDeletion", Effect: "Allow", Resource: [ec2("instance/*"), ec2("launch-template/*")],
                Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                Condition: { StringEquals: { [`aws:ResourceTag/${clusterTag}`]: "owned" }, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowRegionalReadActions", Effect: "Allow", Resource: "*",
                Action: ["ec2:DescribeAvailabilityZones", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets"],
                Condition: { StringEquals: { "aws:RequestedRegion": c.region } },
            },
            { Sid: "AllowSSMReadActions", Effect: "Allow", Resource: `arn:${c.partition}:ssm:${c.region}::parameter/aws/service/*`, Action: "ssm:GetParameter" },
            { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
            {
                Sid: "AllowInterruptionQueueActions", Effect: "Allow", Resource: c.queueArn,
                Action: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            },
            {
                Sid: "AllowPassingInstanceRole", Effect: "Allow", Resource: c.nodeRoleArn, Action: "iam:PassRole",
                Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
            },
            {
                Sid: "AllowScopedInstanceProfileCreationActions", Effect: "Allow", Resource: "*", Action: ["iam:CreateInstanceProfile"],
                Condition: {
                    StringEquals: { [`aws:RequestTag/${clusterTag}`]: "owned", "aws:RequestTag/topology.kubernetes.io/region": c.region },
                    StringLike: { "aws:RequestTag/karpenter.sh/nodeclass": "*" },
                },
            },
            {
                Sid: "AllowScopedInstanceProfileTagActions", Effect: "Allow", Resource: "*", Action: ["iam:TagInstanceProfile"],
                Condition: {
                    StringEquals: {
                        [`aws:ResourceTag/${clusterTag}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": c.region,
                        [`aws:RequestTag/${clusterTag}`]: "owned", "aws:RequestTag/topology.kubernetes.io/region": c.region,
                    },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodeclass": "*", "aws:RequestTag/karpenter.sh/nodeclass": "*" },
                },
            },
            {
                Sid: "AllowScopedInstanceProfileActions", Effect: "Allow", Resource: "*",
                Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
                Condition: {
                    StringEquals: { [`aws:ResourceTag/${clusterTag}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": c.region },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodeclass": "*" },
                },
            },
            { Sid: "AllowInstanceProfileReadActions", Effect: "Allow", Resource: "*", Action: "iam:GetInstanceProfile" },
            {
                Sid: "AllowAPIServerEndpointDiscovery", Effect: "Allow",
                Resource: `arn:${c.partition}:eks:${c.region}:${c.accountId}:cluster/${c.clusterName}`, Action: "eks:DescribeCluster",
            },
        ],
    };
}

/** The controller role's trust policy: EKS Pod Identity (no OIDC provider, no cluster-specific issuer in the role). */
export function podIdentityTrustPolicy(accountId: string): Values {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        }],
    };
}

/** The node role's trust policy: EC2 instances (cloudformation.yaml KarpenterNodeRole). */
export function nodeTrustPolicy(dnsSuffix: string): Values {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: `ec2.${dnsSuffix}` }, Action: ["sts:AssumeRole"] }],
    };
}

/** The interruption queue's policy: EventBridge (and SQS) may send to it, over TLS only. */
export function queuePolicy(queueArn: string): Values {
    return {
        Version: "2012-10-17",
        Id: "EC2InterruptionPolicy",
        Statement: [
            { Effect: "Allow", Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] }, Action: "sqs:SendMessage", Resource: queueArn },
            {
                Sid: "DenyHTTP", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}
