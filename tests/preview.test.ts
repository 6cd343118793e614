// helm.v4.Chart previews no object while any of its inputs is unknown. In a preview that also
// creates the GPU pool, every cloud-computed output of the pool is unknown: the chart's inputs
// must not depend on any of them, so that the preview still shows each chart object.
import * as assert from "assert";
import { LlmInference } from "../components";
import type { GpuNodePoolArgs } from "../components";
import { llama } from "./fixtures";
import { runWithMocks } from "./support/pulumiMocks";

/** Pulumi's wire marker for a value not known until the resource exists. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function unknownPaths(value: unknown, at = ""): string[] {
    if (value === UNKNOWN) return [at || "/"];
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${at}[${i}]`));
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, `${at}.${k}`));
    return [];
}

const pools: Record<string, GpuNodePoolArgs> = {
    gke: { gke: { cluster: "prod", location: "us-central1", machineType: "g2-standard-8", acceleratorType: "nvidia-l4", acceleratorCount: 1 }, minNodes: 0, maxNodes: 4 },
    eks: { eks: { clusterName: "prod", subnetIds: ["subnet-1"], instanceTypes: ["g6e.12xlarge"] }, minNodes: 0, maxNodes: 4 },
    "eks node group": {
        eks: { clusterName: "prod", nodeRoleArn: "arn:aws:iam::123456789012:role/eks-gpu-nodes", subnetIds: ["subnet-1"], instanceTypes: ["g6e.12xlarge"], karpenter: { enabled: false } },
        minNodes: 0, maxNodes: 4,
    },
};
/** The resource that makes the pool's nodes: GKE's node pool, Karpenter's NodePool (whose IAM and queue are unknown in the preview), the node group. */
const POOL_TYPE: Record<string, string> = {
    gke: "gcp:container/nodePool:NodePool", eks: "kubernetes:karpenter.sh/v1:NodePool", "eks node group": "aws:eks/nodeGroup:NodeGroup",
};

describe("preview with a new GPU pool", function () {
    this.timeout(30000);
    for (const [cloud, gpuNodePool] of Object.entries(pools)) {
        it(`keeps every vllm-stack Chart input known while the ${cloud} pool's outputs are unknown`, async () => {
            const { registrations } = await runWithMocks(() => {
                new LlmInference("chat", { models: [llama({ gpusPerReplica: cloud === "gke" ? 1 : 4 })], gpuNodePool });
            }, {
                preview: true,
                // A resource being created in a preview reports no outputs: all of them are unknown.
                newResource: (args) => ({ id: undefined, state: args.type.startsWith("kubernetes:") ? args.inputs : {} }),
            });
            const poolResource = registrations.find((r) => r.type === POOL_TYPE[cloud]);
            assert.ok(poolResource, "the pool is created in the same run");
            const chart = registrations.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
            assert.deepStrictEqual(unknownPaths(chart.inputs), []);
            const spec = chart.inputs.values.servingEngineSpec.modelSpec[0];
            assert.ok(spec.tolerations.some((t: any) => t.key === "nvidia.com/gpu"), "the pool's toleration reached the values");
            assert.ok(chart.dependsOn.some((urn) => urn.includes("GpuNodePool")), "the chart still waits for the pool");
        });
    }

    it("the check can fail: an unknown value in the inputs is found", () => {
        assert.deepStrictEqual(unknownPaths({ values: { a: [1, UNKNOWN] } }), [".values.a[1]"]);
    });
});
