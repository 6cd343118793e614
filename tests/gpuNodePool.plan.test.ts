// GPU node pool, capacity and cost in the plan: expectations come from upstream facts (EC2 GPU
// counts, list prices, the NVIDIA device plugin chart, the vllm-stack chart's values), not from
// the package's own tables read back.
import * as assert from "assert";
import { planGpuNodePool, planInference, PlanValidationError } from "../components";
import type { GpuNodePoolArgs, LlmInferenceArgs, Model } from "../components";
import { nodesForReplicas } from "../components/plan/capacity";
import { gkeInitialNodeCount } from "../components/plan/nodePool";
import { llama } from "./fixtures";

const eks = (instanceTypes: string[], extra: Partial<NonNullable<GpuNodePoolArgs["eks"]>> = {}): NonNullable<GpuNodePoolArgs["eks"]> => ({
    clusterName: "prod",
    nodeRoleArn: "arn:aws:iam::123456789012:role/eks-gpu-nodes",
    subnetIds: ["subnet-0123456789abcdef0"],
    instanceTypes,
    ...extra,
});
const gke = (machineType: string, acceleratorType: string, acceleratorCount: number, extra: Partial<NonNullable<GpuNodePoolArgs["gke"]>> = {}) =>
    ({ cluster: "prod", location: "us-central1", machineType, acceleratorType, acceleratorCount, ...extra });

function args(models: Model[], gpuNodePool?: GpuNodePoolArgs, extra: Partial<LlmInferenceArgs> = {}): LlmInferenceArgs {
    return { models, ...(gpuNodePool ? { gpuNodePool } : {}), ...extra };
}
const model = (name: string, gpusPerReplica: number, maxReplicas: number, minReplicas = 0): Model =>
    llama({ name, modelUrl: `org/${name}`, gpusPerReplica, autoscaling: { minReplicas, maxReplicas } });

/** Every problem of a plan that must fail, as "path: message". */
function problems(a: LlmInferenceArgs): string[] {
    try {
        planInference("chat", a);
    } catch (e) {
        assert.ok(e instanceof PlanValidationError, String(e));
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail("the plan was expected to fail");
}

function has(list: string[], path: string, ...fragments: (string | RegExp)[]): void {
    const hit = list.find((l) => l.startsWith(`${path}: `) && fragments.every((f) => (typeof f === "string" ? l.includes(f) : f.test(l))));
    assert.ok(hit, `no problem at ${path} with ${fragments.join(" / ")}; got:\n${list.join("\n")}`);
}

// Kubernetes scheduling semantics (k8s.io/api core/v1 Toleration.ToleratesTaint, NodeSelectorRequirement "In").
type Toleration = { key?: string; operator?: string; value?: string; effect?: string };
function tolerates(t: Toleration, taint: { key: string; value: string; effect: string }): boolean {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    return t.operator === "Exists" || ((t.operator ?? "Equal") === "Equal" && t.value === taint.value);
}
function selects(terms: any[], labels: Record<string, string>): boolean {
    return terms.some((term) => (term.matchExpressions ?? []).every((e: any) => e.operator === "In" && e.values.includes(labels[e.key])));
}

describe("GPU node pool: GPUs per node", () => {
    // EC2 GPU counts (AWS instance type docs, as in instances.vantage.sh data).
    const facts: Array<[string, number]> = [["g5.xlarge", 1], ["g5.12xlarge", 4], ["g5.48xlarge", 8], ["g6.xlarge", 1], ["g6.12xlarge", 4],
        ["g6e.xlarge", 1], ["g6e.12xlarge", 4], ["g6e.48xlarge", 8], ["p4d.24xlarge", 8], ["p5.48xlarge", 8]];
    for (const [type, gpus] of facts) {
        it(`EKS ${type} has ${gpus} GPU${gpus === 1 ? "" : "s"} per node`, () => {
            const plan = planInference("chat", args([model("m", 1, 1)], { eks: eks([type]), maxNodes: 1 }));
            assert.strictEqual(plan.gpuNodePool?.gpusPerNode, gpus);
        });
    }

    it("GKE nodes have acceleratorCount GPUs", () => {
        const plan = planInference("chat", args([model("m", 1, 1)], { gke: gke("a2-highgpu-4g", "nvidia-tesla-a100", 4), maxNodes: 1 }));
        assert.strictEqual(plan.gpuNodePool?.gpusPerNode, 4);
    });

    it("takes gpusPerNode for an instance type the package does not know, and requires it otherwise", () => {
        has(problems(args([model("m", 1, 1)], { eks: eks(["g7e.2xlarge"]), maxNodes: 1 })), "gpuNodePool.eks.instanceTypes", "g7e.2xlarge", "gpuNodePool.gpusPerNode");
        const plan = planInference("chat", args([model("m", 1, 1)], { eks: eks(["g7e.2xlarge"]), maxNodes: 1, gpusPerNode: 1 }));
        assert.strictEqual(plan.gpuNodePool?.gpusPerNode, 1);
    });
});

describe("GPU node pool: capacity", () => {
    it("packs whole replicas: first-fit decreasing", () => {
        assert.strictEqual(nodesForReplicas([1, 1, 1, 1], 1), 4);
        assert.strictEqual(nodesForReplicas([2, 2, 2, 1, 1], 4), 2);
        // 8 GPUs in all, but a 3-GPU replica leaves 1 GPU that the 2-GPU replica cannot use.
        assert.strictEqual(nodesForReplicas([3, 3, 2], 4), 3);
        assert.strictEqual(nodesForReplicas([], 8), 0);
        assert.throws(() => nodesForReplicas([5], 4), RangeError);
    });

    it("reports the GPUs available at maxNodes and the GPUs the models need at maxReplicas", () => {
        const plan = planInference("chat", args([model("a", 1, 4), model("b", 1, 2)], { eks: eks(["g6.xlarge"]), maxNodes: 6 }));
        assert.deepStrictEqual(plan.capacity.pools.map((c) => [c.pool, c.gpusPerNode, c.maxNodes, c.gpusAvailable, c.gpusNeeded, c.nodesNeeded, c.fits]),
            [["chat-gpu", 1, 6, 6, 6, 6, true]]);
        assert.strictEqual(plan.capacity.checked, true);
    });

    it("fits a tensor-parallel model only on nodes with enough GPUs", () => {
        const tp4 = llama({ gpusPerReplica: 4, autoscaling: { minReplicas: 0, maxReplicas: 2 } });
        // g6.xlarge has 1 L4: a 4-way tensor-parallel replica cannot be scheduled at all.
        const small = problems(args([tp4], { eks: eks(["g6.xlarge"]), maxNodes: 8 }));
        has(small, "models[0].gpusPerReplica", "4 GPUs per replica", "has 1", "use at most 1");
        // g6.12xlarge has 4 L4s: one replica per node, two nodes for maxReplicas 2.
        const plan = planInference("chat", args([tp4], { eks: eks(["g6.12xlarge"]), maxNodes: 2 }));
        assert.deepStrictEqual([plan.capacity.pools[0].nodesNeeded, plan.capacity.pools[0].fits], [2, true]);
        assert.strictEqual(plan.charts.vllmStack.values.servingEngineSpec.modelSpec[0].vllmConfig.tensorParallelSize, 4);
        has(problems(args([tp4], { eks: eks(["g6.12xlarge"]), maxNodes: 1 })), "gpuNodePool.maxNodes", "llama3-8b 2 x 4 GPUs", "need 2 nodes", "use maxNodes >= 2");
    });

    it("names the models, the numbers and the smallest maxNodes that fits, and that maxNodes does fit", () => {
        const models = [model("a", 3, 2), model("b", 2, 1)];
        const pool = (maxNodes: number): GpuNodePoolArgs => ({ gke: gke("a2-highgpu-4g", "nvidia-tesla-a100", 4), maxNodes });
        const list = problems(args(models, pool(2)));
        has(list, "gpuNodePool.maxNodes", "2 x 4 GPUs (8 GPUs)", "a 2 x 3 GPUs + b 1 x 2 GPUs = 8 GPUs", "need 3 nodes", "use maxNodes >= 3");
        assert.strictEqual(planInference("chat", args(models, pool(3))).capacity.pools[0].fits, true);
    });

    it("does not count simulator models, and skips the check without a pool (and says so)", () => {
        const sim = llama({ name: "sim", engine: "simulator", autoscaling: { maxReplicas: 50 } });
        const plan = planInference("chat", args([model("a", 1, 2), sim], { eks: eks(["g6.xlarge"]), maxNodes: 2 }));
        assert.strictEqual(plan.capacity.pools[0].gpusNeeded, 2);
        const none = planInference("chat", args([model("a", 8, 10)]));
        assert.strictEqual(none.capacity.checked, false);
        assert.match(none.capacity.note, /no gpuNodePool/);
        assert.deepStrictEqual(none.capacity.pools, []);
    });
});

describe("GPU node pool: cost", () => {
    it("prices EKS nodes at the dated us-east-1 on-demand list price, 730 hours a month", () => {
        // g6.xlarge: $0.8048/h on demand in us-east-1 (AWS price list via instances.vantage.sh, 2026).
        const plan = planInference("chat", args([model("a", 1, 2)], { eks: eks(["g6.xlarge"]), minNodes: 0, maxNodes: 2 }));
        assert.deepStrictEqual({ ...plan.cost, source: undefined }, { hourlyMin: 0, hourlyMax: 1.6096, monthlyMin: 0, monthlyMax: 1175.01, headroomNodes: 0, monthlyHeadroom: 0, source: undefined });
        assert.match(plan.cost!.source, /us-east-1/);
        assert.match(plan.cost!.source, /2026-08/);
    });

    it("prices GKE nodes with their GPUs (g2-standard-8 = host + 1 L4) in us-central1", () => {
        // L4 $0.56004/GPU-h + g2-standard-8 host $0.29359/h (SkyPilot GCP catalog).
        const plan = planInference("chat", args([model("a", 1, 3)], { gke: gke("g2-standard-8", "nvidia-l4", 1), minNodes: 1, maxNodes: 3 }));
        assert.deepStrictEqual([plan.cost?.hourlyMin, plan.cost?.hourlyMax, plan.cost?.monthlyMin, plan.cost?.monthlyMax], [0.85363, 2.56089, 623.15, 1869.45]);
    });

    it("prefers the user's hourlyCost, and the dearest type when several are allowed", () => {
        const own = planInference("chat", args([model("a", 1, 3)], { eks: eks(["g6.xlarge"]), maxNodes: 3, hourlyCost: 0.4 }));
        assert.deepStrictEqual([own.cost?.hourlyMax, own.cost?.monthlyMax], [1.2, 876]);
        assert.match(own.cost!.source, /gpuNodePool\.hourlyCost/);
        const mixed = planInference("chat", args([model("a", 1, 1)], { eks: eks(["g6.xlarge", "g5.xlarge"]), maxNodes: 1 }));
        assert.strictEqual(mixed.cost?.hourlyMax, 1.006);
    });

    it("costs nothing without a pool, and is unknown (with a warning) for an unpriced type", () => {
        assert.deepStrictEqual(
            (({ source: _s, ...c }) => c)(planInference("chat", args([model("a", 1, 1)])).cost!),
            { hourlyMin: 0, hourlyMax: 0, monthlyMin: 0, monthlyMax: 0, headroomNodes: 0, monthlyHeadroom: 0 });
        const unpriced = planInference("chat", args([model("a", 1, 1)], { gke: gke("a3-highgpu-8g", "nvidia-h100-80gb", 8), maxNodes: 1 }));
        assert.strictEqual(unpriced.cost, undefined);
        assert.ok(unpriced.warnings.some((w) => /a3-highgpu-8g/.test(w) && /hourlyCost/.test(w)), unpriced.warnings.join("\n"));
    });

    it("warns that spot capacity is priced at the on-demand list price", () => {
        const plan = planInference("chat", args([model("a", 1, 1)], { eks: eks(["g6.xlarge"], { capacityType: "SPOT" }), maxNodes: 1 }));
        assert.ok(plan.warnings.some((w) => /spot/.test(w) && /on-demand/.test(w)), plan.warnings.join("\n"));
    });
});

describe("GPU node pool: maxMonthlyCost guard", () => {
    const pool: GpuNodePoolArgs = { eks: eks(["g6.xlarge"]), maxNodes: 2 };

    it("fails when the pool at maxNodes costs more, with both numbers and the largest maxNodes within budget", () => {
        has(problems(args([model("a", 1, 2)], pool, { maxMonthlyCost: 1000 })), "maxMonthlyCost",
            "1175.01", "2 nodes x 0.8048/h x 730 h", "more than maxMonthlyCost 1000", "gpuNodePool.maxNodes to at most 1");
    });

    it("passes within budget", () => {
        assert.strictEqual(planInference("chat", args([model("a", 1, 2)], pool, { maxMonthlyCost: 1200 })).cost?.monthlyMax, 1175.01);
    });

    it("needs a price to guard", () => {
        has(problems(args([model("a", 1, 1)], { gke: gke("a3-highgpu-8g", "nvidia-h100-80gb", 8), maxNodes: 1 }, { maxMonthlyCost: 50000 })),
            "gpuNodePool.hourlyCost", "a3-highgpu-8g");
    });
});

describe("GPU node pool: bad input, all problems at once", () => {
    it("rejects more than one and none of gke/eks/existing", () => {
        has(problems(args([model("a", 1, 1)], { gke: gke("g2-standard-8", "nvidia-l4", 1), eks: eks(["g6.xlarge"]), maxNodes: 1 })), "gpuNodePool", "sets gke and eks", "set exactly one");
        has(problems(args([model("a", 1, 1)], { eks: eks(["g6.xlarge"]), existing: true, gpusPerNode: 1, maxNodes: 1 })), "gpuNodePool", "sets eks and existing");
        has(problems(args([model("a", 1, 1)], { maxNodes: 1 })), "gpuNodePool", "sets none of gke, eks and existing");
    });

    it("schedules onto an existing pool by its label and taint, creating nothing, and needs its GPUs per node", () => {
        const plan = planInference("chat", args([model("a", 1, 2)], { existing: true, name: "l4-pool", gpusPerNode: 1, maxNodes: 2 }));
        assert.strictEqual(plan.gpuNodePool!.provider, "existing");
        assert.strictEqual(plan.gpuNodePool!.devicePlugin, undefined);
        const spec = plan.charts.vllmStack.values.servingEngineSpec.modelSpec[0];
        assert.deepStrictEqual(spec.nodeSelectorTerms, [{ matchExpressions: [{ key: "vllm-autoscaling/gpu-pool", operator: "In", values: ["l4-pool"] }] }]);
        assert.deepStrictEqual(spec.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }]);
        assert.strictEqual(plan.capacity.pools![0].fits, true);
        has(problems(args([model("a", 1, 1)], { existing: true, maxNodes: 1 })), "gpuNodePool.gpusPerNode", "required with existing: true");
        has(problems(args([model("a", 1, 3)], { existing: true, gpusPerNode: 1, maxNodes: 2 })), "gpuNodePool.maxNodes", "use maxNodes >= 3");
        assert.throws(() => planGpuNodePool("pool", { existing: true, gpusPerNode: 1, maxNodes: 1 }), /existing: is for LlmInference's gpuNodePool/);
    });

    it("rejects maxNodes < minNodes, negative costs and a budget <= 0", () => {
        const list = problems(args([model("a", 1, 1)], { eks: eks(["g6.xlarge"]), minNodes: 3, maxNodes: 2, hourlyCost: -1 }, { maxMonthlyCost: -5 }));
        has(list, "gpuNodePool.maxNodes", "2 is less than minNodes (3)");
        has(list, "gpuNodePool.hourlyCost", "-1 is not allowed", ">= 0");
        has(list, "maxMonthlyCost", "-5 is not allowed", "> 0");
    });

    it("rejects GKE settings that contradict the machine type, and unknown enum values", () => {
        const list = problems(args([model("a", 1, 1)], {
            gke: gke("g2-standard-8", "nvidia-tesla-a100", 2, { driverVersion: "NEWEST" as any }), maxNodes: 1,
        }));
        has(list, "gpuNodePool.gke.acceleratorType", "comes with nvidia-l4");
        has(list, "gpuNodePool.gke.acceleratorCount", "comes with 1 GPU");
        has(list, "gpuNodePool.gke.driverVersion", "\"NEWEST\"", "\"LATEST\"");
        const e = problems(args([model("a", 1, 1)], { eks: eks(["g6.xlarge"], { amiType: "AL2_x86_64_GPU" as any, capacityType: "spot" as any }), maxNodes: 1 }));
        has(e, "gpuNodePool.eks.amiType", "AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA");
        has(e, "gpuNodePool.eks.capacityType", "\"ON_DEMAND\", \"SPOT\"");
    });

    it("rejects missing cloud fields, a bad role ARN, mixed GPU counts and unknown keys", () => {
        const list = problems(args([model("a", 1, 1)], {
            eks: { clusterName: "prod", nodeRoleArn: "eks-gpu-nodes", subnetIds: [], instanceTypes: ["g6.xlarge", "g6.12xlarge"], diskSize: 100 } as any,
            maxNodes: 1,
        }));
        has(list, "gpuNodePool.eks.nodeRoleArn", "arn:aws:iam::");
        has(list, "gpuNodePool.eks.subnetIds", "non-empty");
        has(list, "gpuNodePool.eks.instanceTypes", "different GPU counts", "g6.xlarge: 1", "g6.12xlarge: 4");
        has(list, "gpuNodePool.eks.diskSize", "not a known field");
        const g = problems(args([model("a", 1, 1)], { gke: { machineType: "g2-standard-8", acceleratorType: "nvidia-l4", acceleratorCount: 1 } as any, maxNodes: 1 }));
        has(g, "gpuNodePool.gke.cluster", "is required");
        has(g, "gpuNodePool.gke.location", "is required");
    });

    it("reports pool, capacity and model problems together", () => {
        const list = problems(args([model("a", 2, 1), { ...model("b", 1, 1), engine: "gpu" as any }], { eks: eks(["g9z.large"]), maxNodes: 0, hourlyCost: -2 }));
        has(list, "gpuNodePool.maxNodes", "out of range");
        has(list, "gpuNodePool.hourlyCost", "-2");
        has(list, "gpuNodePool.eks.instanceTypes", "g9z.large");
        has(list, "models[1].engine", "\"gpu\"", "\"simulator\"");
    });
});

describe("GPU node pool: taint, label and the engines' scheduling", () => {
    const plan = planInference("chat", args([model("a", 1, 2), model("b", 2, 1)], { eks: eks(["g6.12xlarge"]), maxNodes: 2 }));
    const pool = plan.gpuNodePool!;

    it("taints the nodes nvidia.com/gpu=present:NoSchedule and labels them deterministically", () => {
        assert.deepStrictEqual(pool.taint, { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" });
        assert.strictEqual(pool.labels["vllm-autoscaling/gpu-pool"], "chat-gpu");
        const named = planInference("chat", args([model("a", 1, 1)], { eks: eks(["g6.xlarge"]), maxNodes: 1, name: "team-l4" }));
        assert.strictEqual(named.gpuNodePool?.labels["vllm-autoscaling/gpu-pool"], "team-l4");
    });

    it("gives every GPU engine, through the chart's modelSpec, a toleration and node affinity that match the pool", () => {
        const specs = plan.charts.vllmStack.values.servingEngineSpec.modelSpec;
        assert.strictEqual(specs.length, 2);
        for (const spec of specs) {
            // vllm-stack 0.1.12 deployment-vllm-multi.yaml reads modelSpec.tolerations and modelSpec.nodeSelectorTerms.
            assert.ok(spec.tolerations.some((t: Toleration) => tolerates(t, pool.taint)), JSON.stringify(spec.tolerations));
            assert.ok(selects(spec.nodeSelectorTerms, pool.labels), JSON.stringify(spec.nodeSelectorTerms));
            assert.ok(!selects(spec.nodeSelectorTerms, { "vllm-autoscaling/gpu-pool": "other" }));
        }
        const without = planInference("chat", args([model("a", 1, 1)])).charts.vllmStack.values.servingEngineSpec.modelSpec[0];
        assert.strictEqual(without.tolerations, undefined);
        assert.strictEqual(without.nodeSelectorTerms, undefined);
    });

    it("lets a model's values override the scheduling (Helm-style merge)", () => {
        const custom = planInference("chat", args([llama({ values: { nodeSelectorTerms: [{ matchExpressions: [{ key: "x", operator: "In", values: ["y"] }] }] } })],
            { eks: eks(["g6.xlarge"]), maxNodes: 4 }));
        assert.strictEqual(custom.charts.vllmStack.values.servingEngineSpec.modelSpec[0].nodeSelectorTerms[0].matchExpressions[0].key, "x");
    });
});

describe("GPU node pool: NVIDIA device plugin", () => {
    it("is planned for the EKS AL2023 NVIDIA AMI only, pinned, on the pool's nodes", () => {
        const al2023 = planInference("chat", args([model("a", 1, 1)], { eks: eks(["g6.xlarge"]), maxNodes: 1 })).gpuNodePool!;
        const dp = al2023.devicePlugin!;
        // https://nvidia.github.io/k8s-device-plugin index.yaml: nvidia-device-plugin 0.20.0 is the newest (2026-08-20).
        assert.deepStrictEqual([dp.chart, dp.repo, dp.version], ["nvidia-device-plugin", "https://nvidia.github.io/k8s-device-plugin", "0.20.0"]);
        assert.notStrictEqual(dp.namespace, "default", "the chart refuses the default namespace (allowDefaultNamespace: false)");
        assert.deepStrictEqual(dp.values.nodeSelector, { "vllm-autoscaling/gpu-pool": "chat-gpu" });
        // The chart's default affinity (values.yaml v0.20.0) needs NFD's PCI label or nvidia.com/gpu.present=true.
        assert.strictEqual(al2023.labels["nvidia.com/gpu.present"], "true");
        const bottlerocket = planInference("chat", args([model("a", 1, 1)], { eks: eks(["g6.xlarge"], { amiType: "BOTTLEROCKET_x86_64_NVIDIA" }), maxNodes: 1 }));
        assert.strictEqual(bottlerocket.gpuNodePool!.devicePlugin, undefined);
        const onGke = planInference("chat", args([model("a", 1, 1)], { gke: gke("g2-standard-8", "nvidia-l4", 1), maxNodes: 1 }));
        assert.strictEqual(onGke.gpuNodePool!.devicePlugin, undefined);
    });
});

describe("GPU node pool: standalone planning and GKE details", () => {
    it("validates a GpuNodePool's own args with paths relative to it and its class in the message", () => {
        assert.throws(() => planGpuNodePool("pool", { maxNodes: 1 } as GpuNodePoolArgs), (e: unknown) => {
            assert.ok(e instanceof PlanValidationError);
            assert.match(e.message, /^GpuNodePool "pool": 1 problem/);
            assert.deepStrictEqual(e.problems.map((p) => p.path), ["args"]);
            return true;
        });
        assert.throws(() => planGpuNodePool("Bad Name!", { eks: eks(["g6.xlarge"]), maxNodes: 1 }), /name \(default: "Bad Name!"\)/);
        assert.strictEqual(planGpuNodePool("l4-pool", { eks: eks(["g6.xlarge"]), maxNodes: 1 }).name, "l4-pool");
    });

    it("starts a zonal pool at minNodes and a regional one with at most one node per zone", () => {
        assert.strictEqual(gkeInitialNodeCount("us-central1-a", 2), 2);
        assert.strictEqual(gkeInitialNodeCount("us-central1", 2), 1);
        assert.strictEqual(gkeInitialNodeCount("us-central1", 0), 0);
    });
});
