// Karpenter on EKS: the plan (NodePool, EC2NodeClass, charts, the controller's IAM policy) against
// the pinned charts' CRDs and values (../shared/charts/karpenter*), the validation of the pool's
// Karpenter inputs, and the resources the GpuNodePool registers under Pulumi's mocks.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { GpuNodePool, LlmInference, PlanValidationError } from "../components";
import type { GpuNodePoolArgs } from "../components";
import { planGpuNodePool } from "../components/plan/nodePool";
import { controllerPolicy, INTERRUPTION_EVENTS, KARPENTER_NODE_POLICIES } from "../components/plan/karpenter";
import { llama } from "./fixtures";
import { MOCK_AWS, Registration, runWithMocks } from "./support/pulumiMocks";
import { crdValidator, REPO_ROOT, skipUnlessPresent } from "./support/reference";
import { renderPlan } from "../scripts/plan";
import { planStack } from "../stacks/load";

const SHARED = path.resolve(REPO_ROOT, "../shared/charts");
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

const pool = (over: Partial<GpuNodePoolArgs> = {}, eks: Record<string, unknown> = {}): GpuNodePoolArgs => ({
    eks: {
        clusterName: "prod",
        subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        instanceTypes: ["g6.12xlarge"],
        ...eks,
    },
    minNodes: 0,
    maxNodes: 2,
    ...over,
});

function problems(args: GpuNodePoolArgs): string[] {
    try {
        planGpuNodePool("gpu", args);
        return [];
    } catch (e) {
        if (!(e instanceof PlanValidationError)) throw e;
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
}

describe("Karpenter on EKS: plan", () => {
    it("is the default for an EKS pool: NodePool with the pool's label, taint, types, capacity, GPU limits and empty-node consolidation", () => {
        const p = planGpuNodePool("gpu", pool());
        const k = p.eks!.karpenter!;
        assert.ok(k, "Karpenter is on by default");
        assert.strictEqual(p.eks!.nodeGroup, undefined, "no managed node group at minNodes 0");
        const spec = k.nodePool.spec;
        assert.deepStrictEqual(spec.template.metadata.labels, { "vllm-autoscaling/gpu-pool": "gpu", "nvidia.com/gpu.present": "true" });
        assert.deepStrictEqual(spec.template.spec.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }]);
        const req = Object.fromEntries(spec.template.spec.requirements.map((r: any) => [r.key, r.values]));
        assert.deepStrictEqual(req["node.kubernetes.io/instance-type"], ["g6.12xlarge"]);
        assert.deepStrictEqual(req["karpenter.sh/capacity-type"], ["on-demand"]);
        // g6.12xlarge has 4 GPUs; two nodes at most.
        assert.deepStrictEqual(spec.limits, { "nvidia.com/gpu": "8" });
        assert.deepStrictEqual(spec.disruption, { consolidationPolicy: "WhenEmpty", consolidateAfter: "600s", budgets: [{ nodes: "0", reasons: ["Drifted"] }] });
        assert.deepStrictEqual(spec.template.spec.nodeClassRef, { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "gpu" });
        assert.deepStrictEqual(k.ec2NodeClass.spec.amiSelectorTerms, [{ alias: "al2023@latest" }]);
        assert.strictEqual(k.ec2NodeClass.spec.blockDeviceMappings[0].ebs.volumeSize, "100Gi");
        assert.deepStrictEqual([k.crdChart.chart, k.crdChart.version, k.crdChart.source, k.controllerChart.chart, k.controllerChart.skipCrds],
            ["karpenter-crd", "1.14.1", "oci", "karpenter", true]);
        assert.deepStrictEqual(k.crdChart.values, { additionalAnnotations: { "helm.sh/resource-policy": "keep" } });
    });

    it("holds minNodes above 0 with a fixed-size managed node group, Karpenter adding the rest", () => {
        const p = planGpuNodePool("gpu", pool({ minNodes: 1, maxNodes: 3 }, { nodeRoleArn: "arn:aws:iam::123456789012:role/gpu-nodes" }));
        assert.deepStrictEqual(p.eks!.nodeGroup, { minSize: 1, maxSize: 1, desiredSize: 1 });
        assert.deepStrictEqual(p.eks!.karpenter!.nodePool.spec.limits, { "nvidia.com/gpu": "8" }, "(3 - 1) nodes x 4 GPUs");
        const off = planGpuNodePool("gpu", pool({ minNodes: 1, maxNodes: 3 }, { nodeRoleArn: "arn:aws:iam::123456789012:role/gpu-nodes", karpenter: { enabled: false } }));
        assert.strictEqual(off.eks!.karpenter, undefined);
        assert.deepStrictEqual(off.eks!.nodeGroup, { minSize: 1, maxSize: 3, desiredSize: 1 });
    });

    it("validates against the pinned CRDs (NodePool, EC2NodeClass with the component's role and selectors)", function () {
        skipUnlessPresent(this, path.join(SHARED, "karpenter-crd"));
        const k = planGpuNodePool("gpu", pool({}, { capacityType: "SPOT", karpenter: { consolidateAfterSeconds: 300, amiAlias: "al2023@v20251120" } })).eks!.karpenter!;
        const crd = (file: string) => crdValidator(path.join(SHARED, "karpenter-crd", "templates", file));
        const nodePools = crd("karpenter.sh_nodepools.yaml");
        assert.deepStrictEqual(nodePools(k.nodePool), []);
        const nodeClass = { ...k.ec2NodeClass, spec: { ...k.ec2NodeClass.spec, role: "gpu-karpenter-node", subnetSelectorTerms: [{ id: "subnet-0123456789abcdef0" }], securityGroupSelectorTerms: [{ id: "sg-0123456789abcdef0" }] } };
        assert.deepStrictEqual(crd("karpenter.k8s.aws_ec2nodeclasses.yaml")(nodeClass), []);
        // The schema catches what it should: a limit that is not a quantity.
        assert.notDeepStrictEqual(nodePools({ ...k.nodePool, spec: { ...k.nodePool.spec, disruption: { consolidateAfter: "ten minutes" } } }), []);
    });

    it("sets only chart values the pinned karpenter chart has (serviceAccount.name, settings.clusterName, settings.interruptionQueue)", function () {
        skipUnlessPresent(this, path.join(SHARED, "karpenter"));
        const values = YAML.parse(fs.readFileSync(path.join(SHARED, "karpenter", "values.yaml"), "utf8"));
        assert.strictEqual(typeof values.serviceAccount.name, "string");
        assert.strictEqual(typeof values.settings.clusterName, "string");
        assert.strictEqual(typeof values.settings.interruptionQueue, "string");
        // The controller stays off Karpenter's own nodes by default (docs/node-pools.md says where it runs).
        assert.deepStrictEqual(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0],
            { key: "karpenter.sh/nodepool", operator: "DoesNotExist" });
        const crdValues = YAML.parse(fs.readFileSync(path.join(SHARED, "karpenter-crd", "values.yaml"), "utf8"));
        assert.ok("additionalAnnotations" in crdValues);
    });

    it("the controller's policy: writes scoped to the cluster's tag or to named resources, reads to the region, PassRole to the node role only", () => {
        const doc = controllerPolicy({ partition: "aws", region: "eu-west-1", accountId: "123456789012", clusterName: "prod", queueArn: "arn:aws:sqs:eu-west-1:123456789012:q", nodeRoleArn: "arn:aws:iam::123456789012:role/n" });
        const byId = Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
        const actions = (s: any) => [s.Action].flat() as string[];
        const writes = doc.Statement.filter((s: any) => actions(s).some((a) => !/^(ec2:Describe|ssm:Get|pricing:Get|iam:GetInstanceProfile|eks:Describe|sqs:(Get|Receive|Delete))/.test(a)));
        for (const s of writes) {
            const resources = [s.Resource].flat() as string[];
            const scoped = s.Condition !== undefined || resources.every((r) => r !== "*" && !r.includes(":*:instance/"));
            assert.ok(scoped, `${s.Sid} writes unscoped: ${JSON.stringify(s)}`);
        }
        assert.strictEqual(byId.AllowPassingInstanceRole.Resource, "arn:aws:iam::123456789012:role/n");
        assert.deepStrictEqual(byId.AllowScopedDeletion.Condition.StringEquals, { "aws:ResourceTag/kubernetes.io/cluster/prod": "owned" });
        assert.deepStrictEqual(byId.AllowRegionalReadActions.Condition, { StringEquals: { "aws:RequestedRegion": "eu-west-1" } });
        assert.strictEqual(byId.AllowAPIServerEndpointDiscovery.Resource, "arn:aws:eks:eu-west-1:123456789012:cluster/prod");
        assert.strictEqual(byId.AllowInterruptionQueueActions.Resource, "arn:aws:sqs:eu-west-1:123456789012:q");
        assert.ok(!JSON.stringify(doc).includes("undefined"));
    });

    it("refuses what it cannot hold, every problem at once: minNodes without a node role, GPU-less or arm64 types, no room above the floor, a foreign AMI alias", () => {
        assert.deepStrictEqual(problems(pool({ minNodes: 2, maxNodes: 2 }, {
            instanceTypes: ["m5.large", "g5g.xlarge"],
            karpenter: { amiAlias: "bottlerocket@latest", size: 1 },
        })).sort(), [
            "eks.instanceTypes[0]: \"m5.large\" has no NVIDIA GPU (EC2's GPU families start with g, gr or p); use e.g. \"g6.xlarge\" or \"g6e.12xlarge\"",
            "eks.instanceTypes[1]: \"g5g.xlarge\" is arm64 (Graviton), but the NVIDIA AMI types are x86_64; use an x86_64 GPU type such as \"g6.xlarge\"",
            "eks.karpenter.amiAlias: \"bottlerocket@latest\" is another AMI family than amiType AL2023_x86_64_NVIDIA; use \"al2023@latest\" or \"al2023@v<version>\", or change amiType",
            "eks.karpenter.size: is not a known field; known fields here: enabled, version, repo, consolidateAfterSeconds, amiAlias",
            "eks.nodeRoleArn: is required; the managed node group that holds minNodes (2) assumes it (Karpenter has no minimum); or set minNodes to 0; " +
                "use the ARN of the node IAM role, e.g. \"arn:aws:iam::123456789012:role/eks-gpu-nodes\"",
            "maxNodes: 2 leaves Karpenter no node to add above minNodes (2), which the managed node group holds; raise maxNodes above 2, or set eks.karpenter.enabled to false for a fixed-size node group",
        ].sort());
        // Without Karpenter the node group needs the role at any size.
        assert.deepStrictEqual(problems(pool({}, { karpenter: { enabled: false } })), [
            "eks.nodeRoleArn: is required; the managed node group's nodes assume it (without Karpenter); use the ARN of the node IAM role, e.g. \"arn:aws:iam::123456789012:role/eks-gpu-nodes\"",
        ]);
        assert.deepStrictEqual(problems(pool()), []);
        // GPU families the check must let through (gpusPerNode for those outside the package's table).
        assert.deepStrictEqual(problems(pool({ gpusPerNode: 1 }, { instanceTypes: ["gr6.4xlarge"] })), []);
        assert.deepStrictEqual(problems(pool({}, { instanceTypes: ["g4dn.xlarge"] })), []);
        assert.deepStrictEqual(problems(pool({}, { karpenter: { consolidateAfterSeconds: -1 } })).length, 1);
    });

    it("shows in npm run plan's picture of the eks stack: the charts, the NodePool's limit and idle time, the AMI", () => {
        const out = renderPlan("eks", planStack("eks"));
        assert.match(out, /"chat-gpu": EKS Karpenter NodePool on cluster llm-prod: g6e\.12xlarge/);
        assert.match(out, /Karpenter: karpenter 1\.14\.1 from oci:\/\/public\.ecr\.aws\/karpenter \(CRDs: karpenter-crd 1\.14\.1 from oci:\/\/public\.ecr\.aws\/karpenter\) in kube-system/);
        // Two g6e.12xlarge nodes of 4 GPUs each; the stack keeps the default idle time and AMI.
        assert.match(out, /NodePool "chat-gpu": up to 2 node\(s\) \(limit nvidia\.com\/gpu=8\), empty nodes removed after 600 s; EC2NodeClass "chat-gpu": AMI al2023@latest/);
        assert.doesNotMatch(out, /managed NodeGroup/, "minNodes 0: no node group");
    });
});

describe("Karpenter on EKS: under mocks", function () {
    this.timeout(30000);

    async function register(args: GpuNodePoolArgs) {
        const { registrations } = await runWithMocks(() => new GpuNodePool("gpu", args));
        const of = (type: string) => registrations.filter((r) => r.type === type);
        const one = (type: string, pred: (r: Registration) => boolean = () => true) => {
            const found = of(type).filter(pred);
            assert.strictEqual(found.length, 1, `expected one ${type}, got ${found.length}`);
            return found[0];
        };
        return { registrations, of, one };
    }

    it("registers the releases, IAM, queue and rules, Pod Identity, access entry, NodePool and EC2NodeClass, in order", async () => {
        const { of, one } = await register(pool());
        const crd = one(HELM_RELEASE, (r) => r.inputs.name === "karpenter-crd");
        const controller = one(HELM_RELEASE, (r) => r.inputs.name === "karpenter");
        assert.deepStrictEqual([crd.inputs.chart, crd.inputs.version, crd.inputs.namespace], ["oci://public.ecr.aws/karpenter/karpenter-crd", "1.14.1", "kube-system"]);
        assert.deepStrictEqual([controller.inputs.chart, controller.inputs.skipCrds, controller.inputs.namespace], ["oci://public.ecr.aws/karpenter/karpenter", true, "kube-system"]);
        const queue = one("aws:sqs/queue:Queue");
        assert.deepStrictEqual(controller.inputs.values.settings, { clusterName: "prod", interruptionQueue: queue.name });
        assert.strictEqual(controller.inputs.values.serviceAccount.name, "karpenter");

        const rules = of("aws:cloudwatch/eventRule:EventRule").map((r) => JSON.parse(r.inputs.eventPattern));
        assert.deepStrictEqual(rules, INTERRUPTION_EVENTS.map((e) => ({ source: [e.source], "detail-type": [e.detailType] })));
        assert.strictEqual(of("aws:cloudwatch/eventTarget:EventTarget").length, INTERRUPTION_EVENTS.length);
        assert.match(one("aws:sqs/queuePolicy:QueuePolicy").inputs.policy, /events\.amazonaws\.com/);

        const roles = of("aws:iam/role:Role");
        const trust = (r: Registration) => JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Principal.Service;
        const controllerRole = roles.find((r) => trust(r) === "pods.eks.amazonaws.com")!;
        const nodeRole = roles.find((r) => trust(r) === "ec2.amazonaws.com")!;
        assert.ok(controllerRole && nodeRole, roles.map((r) => r.inputs.assumeRolePolicy).join(" "));
        assert.deepStrictEqual(of("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn).sort(),
            KARPENTER_NODE_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`).sort());
        const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
        const nodeRoleArn = `arn:aws:iam:${MOCK_AWS.region}:${MOCK_AWS.accountId}:${nodeRole.name}`;
        assert.deepStrictEqual(policy, controllerPolicy({
            partition: "aws", region: MOCK_AWS.region, accountId: MOCK_AWS.accountId, clusterName: "prod", queueArn: `arn:aws:sqs:${MOCK_AWS.region}:${MOCK_AWS.accountId}:${queue.name}`, nodeRoleArn,
        }));
        const pia = one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs;
        assert.deepStrictEqual([pia.clusterName, pia.namespace, pia.serviceAccount], ["prod", "kube-system", "karpenter"]);
        const entry = one("aws:eks/accessEntry:AccessEntry").inputs;
        assert.deepStrictEqual([entry.clusterName, entry.principalArn, entry.type], ["prod", nodeRoleArn, "EC2_LINUX"]);

        const nodeClass = one(NODE_CLASS);
        assert.strictEqual(nodeClass.inputs.spec.role, nodeRole.name);
        assert.deepStrictEqual(nodeClass.inputs.spec.subnetSelectorTerms, [{ id: "subnet-0123456789abcdef0" }, { id: "subnet-0fedcba9876543210" }]);
        assert.deepStrictEqual(nodeClass.inputs.spec.securityGroupSelectorTerms, [{ id: MOCK_AWS.clusterSecurityGroupId }]);
        const nodePool = one(NODE_POOL);
        assert.deepStrictEqual(nodePool.inputs.metadata.name, "gpu");

        // Order: CRDs, then the controller (with its identity and policy), then the NodeClass and NodePool (deleted first on destroy).
        const urn = (r: Registration) => r.urn;
        assert.ok(controller.dependsOn.includes(urn(crd)));
        assert.ok(controller.dependsOn.includes(one("aws:eks/podIdentityAssociation:PodIdentityAssociation").urn));
        assert.ok(controller.dependsOn.includes(one("aws:iam/rolePolicy:RolePolicy").urn));
        assert.ok(nodeClass.dependsOn.includes(urn(controller)) && nodeClass.dependsOn.includes(one("aws:eks/accessEntry:AccessEntry").urn));
        assert.ok(nodePool.dependsOn.includes(urn(controller)) && nodePool.dependsOn.includes(urn(nodeClass)));
        assert.strictEqual(of("aws:eks/nodeGroup:NodeGroup").length, 0);
    });

    it("in LlmInference, the engines' chart waits for the NodePool; with minNodes 1 a fixed node group holds the floor", async () => {
        const { registrations } = await runWithMocks(() => new LlmInference("chat", {
            models: [llama({ gpusPerReplica: 4, autoscaling: { minReplicas: 1, maxReplicas: 2 } })],
            gpuNodePool: pool({ minNodes: 1, maxNodes: 3 }, { nodeRoleArn: "arn:aws:iam::123456789012:role/gpu-nodes" }),
        }));
        const chart = registrations.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
        const nodePool = registrations.find((r) => r.type === NODE_POOL)!;
        assert.ok(chart.dependsOn.includes(nodePool.urn), chart.dependsOn.join(", "));
        const group = registrations.find((r) => r.type === "aws:eks/nodeGroup:NodeGroup")!;
        assert.deepStrictEqual(group.inputs.scalingConfig, { minSize: 1, maxSize: 1, desiredSize: 1 });
        assert.strictEqual(nodePool.inputs.spec.limits["nvidia.com/gpu"], "8");
    });

    it("registers none of it with karpenter.enabled false, and nothing at all for bad input", async () => {
        const { registrations } = await register(pool({}, { nodeRoleArn: "arn:aws:iam::123456789012:role/gpu-nodes", karpenter: { enabled: false } }));
        assert.deepStrictEqual(registrations.filter((r) => /karpenter|sqs|cloudwatch|iam|podIdentity|accessEntry/i.test(r.type)), []);
        let error: unknown;
        const bad = await runWithMocks(() => {
            try {
                new GpuNodePool("gpu", pool({}, { instanceTypes: ["m5.large"] }));
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof PlanValidationError, String(error));
        assert.deepStrictEqual(bad.registrations.filter((r) => r.type !== "vllm-autoscaling:index:GpuNodePool"), []);
    });
});
