// GpuNodePool and the simulator engine under Pulumi's mocks: the cloud resources with the input
// names pulumi-gcp 9.x / pulumi-aws 7.x take, the device plugin exactly when the AMI lacks it,
// the engines' scheduling reaching the chart, and the order pool -> chart -> ScaledObject.
import * as assert from "assert";
import { GpuNodePool, GPU_NODE_POOL_TYPE, LlmInference, PlanValidationError } from "../components";
import type { GpuNodePoolArgs, LlmInferenceArgs } from "../components";
import { llama } from "./fixtures";
import { promiseOf, Registration, runWithMocks } from "./support/pulumiMocks";

const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const CHART = "kubernetes:helm.sh/v4:Chart";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const KARPENTER_NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const KARPENTER_NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

const gkePool: GpuNodePoolArgs = {
    gke: { cluster: "prod", location: "us-central1", project: "acme-ml", machineType: "g2-standard-8", acceleratorType: "nvidia-l4", acceleratorCount: 1, spot: true },
    minNodes: 0,
    maxNodes: 3,
};
/** An EKS pool; `karpenter: false` leaves the nodes to a node autoscaler of the cluster's own (a managed node group). */
const eksPool = (amiType?: "AL2023_x86_64_NVIDIA" | "BOTTLEROCKET_x86_64_NVIDIA", karpenter = true): GpuNodePoolArgs => ({
    eks: {
        clusterName: "prod",
        nodeRoleArn: "arn:aws:iam::123456789012:role/eks-gpu-nodes",
        subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        instanceTypes: ["g6.12xlarge"],
        ...(amiType ? { amiType } : {}),
        ...(karpenter ? {} : { karpenter: { enabled: false } }),
    },
    minNodes: 0,
    maxNodes: 2,
});

async function deploy(args: LlmInferenceArgs) {
    const { registrations } = await runWithMocks(() => new LlmInference("chat", args));
    const byType = (type: string) => registrations.filter((r) => r.type === type);
    const one = (type: string) => {
        const found = byType(type);
        assert.strictEqual(found.length, 1, `expected one ${type}, got ${found.length}: ${registrations.map((r) => r.type).join(", ")}`);
        return found[0];
    };
    return { registrations, byType, one };
}

// The clouds spell taint effects NO_SCHEDULE/...; Kubernetes (and tolerations) NoSchedule/...
const K8S_EFFECT: Record<string, string> = { NO_SCHEDULE: "NoSchedule", PREFER_NO_SCHEDULE: "PreferNoSchedule", NO_EXECUTE: "NoExecute" };

/** The chart's engines tolerate the registered taints and select the registered labels (Kubernetes semantics). */
function assertEnginesLandOn(chart: Registration, labels: Record<string, string>, taints: Array<{ key: string; value: string; effect: string }>) {
    for (const spec of chart.inputs.values.servingEngineSpec.modelSpec) {
        for (const taint of taints) {
            const ok = spec.tolerations.some((t: any) => t.key === taint.key && t.effect === K8S_EFFECT[taint.effect] &&
                (t.operator === "Exists" || (t.operator === "Equal" && t.value === taint.value)));
            assert.ok(ok, `${spec.name} does not tolerate ${JSON.stringify(taint)}: ${JSON.stringify(spec.tolerations)}`);
        }
        const selected = spec.nodeSelectorTerms.some((term: any) => term.matchExpressions.every((e: any) => e.operator === "In" && e.values.includes(labels[e.key])));
        assert.ok(selected, `${spec.name}'s nodeSelectorTerms do not select ${JSON.stringify(labels)}`);
    }
}

describe("GpuNodePool under mocks", function () {
    this.timeout(30000);

    it("GKE: a NodePool on the existing cluster with the L4 accelerator, LATEST driver, spot, taint, label and total autoscaling bounds", async () => {
        const { one, byType } = await deploy({ models: [llama()], gpuNodePool: { ...gkePool, maxNodes: 4 } });
        const pool = one(GKE_NODE_POOL);
        const i = pool.inputs;
        assert.deepStrictEqual([i.cluster, i.location, i.project], ["prod", "us-central1", "acme-ml"]);
        assert.deepStrictEqual(i.nodeConfig.guestAccelerators, [{ type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } }]);
        assert.strictEqual(i.nodeConfig.machineType, "g2-standard-8");
        assert.strictEqual(i.nodeConfig.spot, true);
        assert.deepStrictEqual(i.nodeConfig.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
        assert.deepStrictEqual(i.nodeConfig.labels, { "vllm-autoscaling/gpu-pool": "chat-gpu" });
        assert.deepStrictEqual([i.autoscaling.totalMinNodeCount, i.autoscaling.totalMaxNodeCount], [0, 4]);
        assert.deepStrictEqual(i.management, { autoRepair: true, autoUpgrade: true });
        assert.strictEqual(i.initialNodeCount, 0);
        assert.strictEqual(byType(HELM_RELEASE).filter((r) => r.inputs.chart === "nvidia-device-plugin").length, 0, "GKE installs the device plugin itself");
        assertEnginesLandOn(one(CHART), i.nodeConfig.labels, i.nodeConfig.taints);
    });

    it("EKS AL2023 without Karpenter: a NodeGroup with AMI and capacity type, scaling bounds (desiredSize left to the autoscaler) and the device plugin on its nodes", async () => {
        const { one, byType } = await deploy({ models: [llama({ gpusPerReplica: 4, autoscaling: { minReplicas: 0, maxReplicas: 2 } })], gpuNodePool: eksPool(undefined, false) });
        const group = one(EKS_NODE_GROUP);
        const i = group.inputs;
        assert.deepStrictEqual([i.clusterName, i.nodeRoleArn, i.subnetIds, i.instanceTypes],
            ["prod", "arn:aws:iam::123456789012:role/eks-gpu-nodes", ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], ["g6.12xlarge"]]);
        assert.deepStrictEqual([i.amiType, i.capacityType], ["AL2023_x86_64_NVIDIA", "ON_DEMAND"]);
        assert.deepStrictEqual(i.scalingConfig, { minSize: 0, maxSize: 2, desiredSize: 0 });
        assert.ok(group.ignoreChanges.includes("scalingConfig.desiredSize"), JSON.stringify(group.ignoreChanges));
        assert.deepStrictEqual(i.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
        assert.strictEqual(i.labels["vllm-autoscaling/gpu-pool"], "chat-gpu");
        const plugins = byType(HELM_RELEASE).filter((r) => r.inputs.chart === "nvidia-device-plugin");
        assert.strictEqual(plugins.length, 1);
        const dp = plugins[0].inputs;
        assert.deepStrictEqual([dp.version, dp.repositoryOpts.repo], ["0.20.0", "https://nvidia.github.io/k8s-device-plugin"]);
        // Its DaemonSet runs where its nodeSelector and its default affinity (nvidia.com/gpu.present=true) both match.
        for (const [k, v] of Object.entries(dp.values.nodeSelector as Record<string, string>)) assert.strictEqual(i.labels[k], v);
        assert.strictEqual(i.labels["nvidia.com/gpu.present"], "true");
        assertEnginesLandOn(one(CHART), i.labels, i.taints);
        // The engines wait for the node group and the device plugin that makes its GPUs schedulable.
        assert.ok(one(CHART).dependsOn.includes(group.urn) && one(CHART).dependsOn.includes(plugins[0].urn), one(CHART).dependsOn.join(", "));
    });

    it("EKS Bottlerocket and SPOT: no device plugin (the AMI ships it), with a node group or with Karpenter", async () => {
        const pool = eksPool("BOTTLEROCKET_x86_64_NVIDIA", false);
        pool.eks!.capacityType = "SPOT";
        const { one, byType } = await deploy({ models: [llama()], gpuNodePool: pool });
        assert.deepStrictEqual([one(EKS_NODE_GROUP).inputs.amiType, one(EKS_NODE_GROUP).inputs.capacityType], ["BOTTLEROCKET_x86_64_NVIDIA", "SPOT"]);
        assert.strictEqual(byType(HELM_RELEASE).filter((r) => r.inputs.chart === "nvidia-device-plugin").length, 0);
        const k = eksPool("BOTTLEROCKET_x86_64_NVIDIA");
        k.eks!.capacityType = "SPOT";
        const withKarpenter = await deploy({ models: [llama()], gpuNodePool: k });
        const nodePool = withKarpenter.one(KARPENTER_NODE_POOL).inputs.spec;
        assert.deepStrictEqual(nodePool.template.spec.requirements.find((r: any) => r.key === "karpenter.sh/capacity-type").values, ["spot"]);
        assert.deepStrictEqual(withKarpenter.one(KARPENTER_NODE_CLASS).inputs.spec.amiSelectorTerms, [{ alias: "bottlerocket@latest" }]);
        assert.strictEqual(withKarpenter.byType(HELM_RELEASE).filter((r) => r.inputs.chart === "nvidia-device-plugin").length, 0);
        assert.strictEqual(withKarpenter.byType(EKS_NODE_GROUP).length, 0);
    });

    it("creates the pool before the vllm-stack chart, inside the component", async () => {
        const { one, registrations } = await deploy({ models: [llama()], gpuNodePool: { ...gkePool, maxNodes: 4 } });
        const component = one("vllm-autoscaling:index:LlmInference");
        const pool = one(GPU_NODE_POOL_TYPE);
        const chart = one(CHART);
        const nodePool = one(GKE_NODE_POOL);
        // dependsOn a component reaches the engine as its custom-resource children.
        assert.ok(chart.dependsOn.includes(nodePool.urn), `the chart's engines need the pool's nodes; dependsOn: ${chart.dependsOn.join(", ")}`);
        assert.strictEqual(pool.parent, component.urn);
        assert.strictEqual(nodePool.parent, pool.urn);
        const withoutPool = await deploy({ models: [llama()] });
        assert.strictEqual(withoutPool.byType(GPU_NODE_POOL_TYPE).length, 0);
        assert.ok(registrations.length > withoutPool.registrations.length);
    });

    it("works alone, with outputs a workload can use, and validates before registering children", async () => {
        const { registrations, result } = await runWithMocks(() => {
            const pool = new GpuNodePool("l4-pool", eksPool());
            return { poolName: pool.poolName, nodeSelector: pool.nodeSelector, taint: pool.taint, gpusPerNode: pool.gpusPerNode };
        });
        const out = result as Record<string, any>;
        assert.strictEqual(await promiseOf(out.poolName), "l4-pool");
        assert.deepStrictEqual(await promiseOf(out.nodeSelector), { "vllm-autoscaling/gpu-pool": "l4-pool" });
        assert.strictEqual(await promiseOf(out.taint), "nvidia.com/gpu=present:NoSchedule");
        assert.strictEqual(await promiseOf(out.gpusPerNode), 4);
        // Karpenter makes the nodes of a pool at minNodes 0: no node group, one NodePool.
        assert.strictEqual(registrations.filter((r) => r.type === EKS_NODE_GROUP).length, 0);
        assert.strictEqual(registrations.filter((r) => r.type === KARPENTER_NODE_POOL).length, 1);

        let error: unknown;
        const bad = await runWithMocks(() => {
            try {
                new GpuNodePool("l4-pool", { ...eksPool(), gke: gkePool.gke });
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof PlanValidationError && /^GpuNodePool "l4-pool"/.test(error.message), String(error));
        assert.deepStrictEqual(bad.registrations.filter((r) => r.type !== GPU_NODE_POOL_TYPE), []);
    });
});

describe("simulator engine under mocks", function () {
    this.timeout(30000);
    const sim = llama({ name: "sim", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { minReplicas: 0, maxReplicas: 3 } });

    it("writes a Deployment and a Service named like the chart's engine, and leaves the model out of the chart", async () => {
        const { byType, one } = await deploy({ models: [llama(), sim] });
        const chart = one(CHART);
        assert.deepStrictEqual(chart.inputs.values.servingEngineSpec.modelSpec.map((m: any) => m.name), ["llama3-8b"]);
        const dep = byType(DEPLOYMENT).find((d) => d.inputs.metadata.name === "chat-sim-deployment-vllm")!;
        assert.ok(dep, "simulator Deployment");
        assert.ok(dep.ignoreChanges.includes("spec.replicas"), "KEDA owns the replica count");
        assert.strictEqual(dep.inputs.spec.replicas, 0);
        const podLabels = dep.inputs.spec.template.metadata.labels;
        for (const [k, v] of Object.entries(dep.inputs.spec.selector.matchLabels as Record<string, string>)) assert.strictEqual(podLabels[k], v);
        // The router selects engine pods by servingEngineSpec.labels (--k8s-label-selector).
        for (const [k, v] of Object.entries(chart.inputs.values.servingEngineSpec.labels as Record<string, string>)) assert.strictEqual(podLabels[k], v, k);
        const container = dep.inputs.spec.template.spec.containers[0];
        assert.match(container.image, /^ghcr\.io\/llm-d\/llm-d-inference-sim:v/);
        assert.deepStrictEqual(container.ports, [{ name: "container-port", containerPort: 8000, protocol: "TCP" }]);
        assert.ok(!JSON.stringify(container.resources ?? {}).includes("nvidia.com/gpu"));
        // Graceful scale-down reaches the registered Deployment through kubernetesx's PodBuilder.
        assert.strictEqual(dep.inputs.spec.template.spec.terminationGracePeriodSeconds, 135);
        assert.deepStrictEqual(container.lifecycle, { preStop: { sleep: { seconds: 5 } } });

        const svc = byType(SERVICE).find((s) => s.inputs.metadata.name === "chat-sim-engine-service")!;
        assert.ok(svc, "simulator Service");
        assert.strictEqual(svc.inputs.spec.ports[0].name, "service-port");
        for (const [k, v] of Object.entries(svc.inputs.spec.selector as Record<string, string>)) assert.strictEqual(podLabels[k], v);
        // helm/templates/servicemonitor-engine.yaml (0.1.12) selector.
        const monitorSelector = { "app.kubernetes.io/instance": "chat", "app.kubernetes.io/component": "serving-engine", "app.kubernetes.io/part-of": "vllm-stack",
            ...chart.inputs.values.servingEngineSpec.labels };
        for (const [k, v] of Object.entries(monitorSelector)) assert.strictEqual(svc.inputs.metadata.labels[k], v, k);
    });

    it("is the target of its ScaledObject, which waits for it", async () => {
        const { byType } = await deploy({ models: [sim] });
        const dep = byType(DEPLOYMENT).find((d) => d.inputs.metadata.name === "chat-sim-deployment-vllm")!;
        const so = byType(SCALED_OBJECT).find((s) => s.inputs.metadata.name === "chat-sim")!;
        assert.strictEqual(so.inputs.spec.scaleTargetRef.name, dep.inputs.metadata.name);
        assert.ok(so.dependsOn.includes(dep.urn));
    });
});
