// Warm headroom (`autoscaling.headroomSlots`): the placeholders the plan writes (engine-sized, the
// engines' placement and image, a PriorityClass neither node autoscaler ignores), their cost, the
// validation of bad input (all problems at once, before any resource), and what the component
// registers under Pulumi's mocks.
import * as assert from "assert";
import { LlmInference, PlanValidationError } from "../components";
import type { GpuNodePoolArgs, LlmInferenceArgs } from "../components";
import { planInference } from "../components/plan";
import { CLUSTER_AUTOSCALER_EXPENDABLE_CUTOFF, HEADROOM_PRIORITY, headroomDeploymentManifest } from "../components/plan/headroom";
import { HOURS_PER_MONTH } from "../components/plan/cost";
import { llama, planProblems } from "./fixtures";
import { runWithMocks } from "./support/pulumiMocks";
import { renderPlan } from "../scripts/plan";

const GKE: GpuNodePoolArgs = {
    gke: { cluster: "prod", location: "us-central1-a", project: "acme-ml", machineType: "g2-standard-8", acceleratorType: "nvidia-l4", acceleratorCount: 1 },
    minNodes: 0,
    maxNodes: 4,
};

function args(slots: number | undefined, over: Partial<LlmInferenceArgs> = {}, model: Record<string, unknown> = {}): LlmInferenceArgs {
    return {
        models: [llama({ autoscaling: { minReplicas: 1, maxReplicas: 3, ...(slots !== undefined ? { headroomSlots: slots } : {}) }, ...model })],
        gpuNodePool: GKE,
        ...over,
    };
}

const problems = (a: LlmInferenceArgs) => planProblems(a);

describe("warm headroom: plan", () => {
    it("writes nothing without headroomSlots", () => {
        const p = planInference("chat", args(undefined));
        assert.deepStrictEqual(p.headroom, []);
        assert.strictEqual(p.headroomPriorityClass, undefined);
        assert.strictEqual(p.cost!.headroomNodes, 0);
    });

    it("placeholders are engine-sized, placed like the engines, run the engine image, and sit at a priority neither autoscaler ignores", () => {
        const p = planInference("chat", args(2, {}, { image: { repository: "vllm/vllm-openai", tag: "v0.24.0" }, cpu: 6, memory: "20Gi" }));
        assert.strictEqual(p.headroom.length, 1);
        const h = p.headroom[0];
        assert.strictEqual(h.replicas, 2);
        assert.strictEqual(h.gpus, 2);
        const pc = p.headroomPriorityClass!;
        assert.strictEqual(pc.value, HEADROOM_PRIORITY);
        // cluster-autoscaler ignores pods strictly below its cutoff; the engines (priority 0) preempt.
        assert.ok(!(pc.value < CLUSTER_AUTOSCALER_EXPENDABLE_CUTOFF) && pc.value < 0);
        assert.strictEqual(pc.preemptionPolicy, "Never");
        assert.strictEqual(pc.globalDefault, false);
        assert.strictEqual(h.podSpec.priorityClassName, pc.name);
        const c = h.podSpec.containers[0];
        assert.strictEqual(c.image, "vllm/vllm-openai:v0.24.0");
        assert.deepStrictEqual(c.command, ["sleep", "infinity"]);
        assert.deepStrictEqual(c.resources.requests, { "nvidia.com/gpu": "1", cpu: "6", memory: "20Gi" });
        assert.deepStrictEqual(c.resources.limits, { "nvidia.com/gpu": "1" });
        // The same toleration and node affinity the chart's engine gets.
        const engine = p.charts.vllmStack.values.servingEngineSpec.modelSpec[0];
        assert.deepStrictEqual(h.podSpec.tolerations, engine.tolerations);
        assert.deepStrictEqual(h.podSpec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, engine.nodeSelectorTerms);
        assert.deepStrictEqual([engine.requestGPU, engine.requestCPU, engine.requestMemory], [1, 6, "20Gi"], "the engine asks for what the placeholder holds");
        const d = headroomDeploymentManifest(h);
        assert.deepStrictEqual(d.spec.selector.matchLabels, d.spec.template.metadata.labels);
        assert.strictEqual(d.metadata.annotations["pulumi.com/skipAwait"], "true");
    });

    it("a tensor-parallel engine's placeholder holds all its GPUs; the cost counts the nodes the slots hold around the clock", () => {
        const pool: GpuNodePoolArgs = { ...GKE, gke: { ...GKE.gke!, machineType: "a2-highgpu-4g", acceleratorType: "nvidia-tesla-a100", acceleratorCount: 4 }, maxNodes: 3 };
        const p = planInference("chat", args(3, { gpuNodePool: pool }, { gpusPerReplica: 2 }));
        assert.strictEqual(p.headroom[0].podSpec.containers[0].resources.requests["nvidia.com/gpu"], "2");
        assert.strictEqual(p.headroom[0].gpus, 6);
        // 6 GPUs on 4-GPU nodes: 2 nodes.
        assert.strictEqual(p.cost!.headroomNodes, 2);
        assert.strictEqual(p.cost!.monthlyHeadroom, Math.round(2 * 14.69354 * HOURS_PER_MONTH * 100) / 100);
        assert.ok(p.cost!.monthlyHeadroom <= p.cost!.monthlyMax);
    });

    it("npm run plan shows the placeholders, their priority and what they cost", () => {
        const text = renderPlan("dev", planInference("chat", args(2)));
        assert.match(text, /== Warm headroom \(placeholders engines preempt\) ==/);
        assert.match(text, /PriorityClass llm-chat-headroom: value -10, preemptionPolicy Never/);
        assert.match(text, /llama3-8b: Deployment chat-llama3-8b-headroom in llm, 2 slot\(s\) of \{"nvidia.com\/gpu":"1"/);
        assert.match(text, /warm headroom: 2 node\(s\) held around the clock by placeholders, 1,246\.30 per month/, "2 x 0.85363 x 730");
    });

    it("without a pool of the package's: placeholders without placement of their own, and a warning that the cluster's autoscaler must grow the nodes", () => {
        const p = planInference("chat", args(1, { gpuNodePool: undefined }));
        assert.strictEqual(p.headroom[0].podSpec.tolerations, undefined);
        assert.ok(p.warnings.some((w) => /warm headroom .*without a gpuNodePool/.test(w)), p.warnings.join("\n"));
    });
});

describe("warm headroom: bad input, every problem at once, naming the field", () => {
    it("rejects a negative or fractional count", () => {
        const got = problems(args(-1)).concat(problems(args(1.5)));
        assert.strictEqual(got.filter((g) => g.startsWith("models[0].autoscaling.headroomSlots")).length, 2, got.join("\n"));
    });

    it("rejects headroom above what maxNodes can hold, saying how many slots fit", () => {
        const got = problems(args(5));
        assert.ok(got.some((g) => /^models\[0\]\.autoscaling\.headroomSlots: .*needs 5 GPUs, more than gpuNodePool's maxNodes can hold \(4 x 1\).*at most 4 slot/.test(g)), got.join("\n"));
    });

    it("rejects headroom on a pool that nothing grows, and on the CPU simulator, in one error", () => {
        const a: LlmInferenceArgs = {
            models: [
                llama({ autoscaling: { maxReplicas: 2, headroomSlots: 1 } }),
                llama({ name: "small", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { maxReplicas: 2, headroomSlots: 1 } }),
            ],
            gpuNodePool: { ...GKE, minNodes: 2, maxNodes: 2 },
        };
        const got = problems(a);
        assert.ok(got.some((g) => /^models\[0\]\.autoscaling\.headroomSlots: .*fixed size \(minNodes = maxNodes = 2\)/.test(g)), got.join("\n"));
        assert.ok(got.some((g) => /^models\[1\]\.autoscaling\.headroomSlots: .*CPU simulator/.test(g)), got.join("\n"));
    });
});

describe("warm headroom: component (Pulumi mocks)", () => {
    it("registers the PriorityClass and the placeholder Deployment after the pool, Pulumi owning its replicas", async () => {
        const { registrations } = await runWithMocks(() => new LlmInference("chat", args(2)));
        const pcs = registrations.filter((r) => r.type === "kubernetes:scheduling.k8s.io/v1:PriorityClass");
        assert.strictEqual(pcs.length, 1);
        assert.strictEqual(pcs[0].inputs.value, HEADROOM_PRIORITY);
        const deps = registrations.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata?.name?.endsWith("-headroom"));
        assert.strictEqual(deps.length, 1);
        const d = deps[0];
        assert.strictEqual(d.inputs.spec.replicas, 2);
        assert.deepStrictEqual(d.ignoreChanges, [], "nothing else scales the placeholders");
        assert.strictEqual(d.inputs.spec.template.spec.priorityClassName, pcs[0].inputs.metadata.name);
        // A component in dependsOn stands for its children: the GKE node pool itself.
        const pool = registrations.find((r) => r.type === "gcp:container/nodePool:NodePool")!;
        assert.ok(d.dependsOn.includes(pool.urn) && d.dependsOn.includes(pcs[0].urn), d.dependsOn.join(", "));
    });

    it("registers nothing at all for bad headroom", async () => {
        const { registrations } = await runWithMocks(() => {
            try {
                new LlmInference("chat", args(9));
            } catch (e) {
                if (!(e instanceof PlanValidationError)) throw e;
            }
        });
        assert.deepStrictEqual(registrations, []);
    });
});

describe("cold start, phase by phase", () => {
    it("splits the reference cold start into its five phases, none cut by default", () => {
        const c = planInference("chat", args(undefined)).models[0].coldStart;
        assert.deepStrictEqual(c.phases.map((p) => p.phase), ["node boot", "image pull", "weight download", "weight load", "warm-up"]);
        assert.strictEqual(c.referenceSeconds, 150 + 120, "node boot plus the simulator's default model load");
        assert.strictEqual(c.remainingSeconds, c.referenceSeconds);
    });

    it("marks what each option cuts: headroom (boot, pull), a weight cache (download), load format, eager mode", () => {
        const c = planInference("chat", args(1, {}, { cacheSize: "50Gi", extraArgs: ["--load-format", "runai_streamer", "--enforce-eager"] })).models[0].coldStart;
        assert.ok(c.phases.every((p) => p.applied), JSON.stringify(c.phases));
        assert.strictEqual(c.remainingSeconds, 0);
        const h = planInference("chat", args(1)).models[0].coldStart;
        assert.deepStrictEqual(h.phases.filter((p) => p.applied).map((p) => p.phase), ["node boot", "image pull"]);
        assert.strictEqual(h.remainingSeconds, 35 + 25 + 15);
        assert.match(renderPlan("dev", planInference("chat", args(1))), /llama3-8b: ~75 s of the reference ~270 s remain with this model's options\n {2}- node boot ~150 s: CUT/);
    });
});
