// The chart transform, as a plain function on the objects helm.v4.Chart would register.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { planInference } from "../components";
import { enginePdbName } from "../components/plan/names";
import { DEPLOYMENT_TYPE, engineDisruptionBudgets, gracefulEngineShutdown, ignoreEngineReplicas, PDB_TYPE } from "../components/plan/transforms";
import { argsWith, llama } from "./fixtures";
import { REPO_ROOT, skipUnlessPresent } from "./support/reference";

function args(type: string, name: string, opts: pulumi.CustomResourceOptions = {}): pulumi.ResourceTransformArgs {
    return {
        type,
        name: `chat:llm/${name}`,
        custom: true,
        props: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "llm" }, spec: { replicas: 0 } },
        opts,
    };
}

describe("ignoreEngineReplicas transform", () => {
    const transform = ignoreEngineReplicas(["chat-llama3-8b-deployment-vllm"]);

    it("adds ignoreChanges spec.replicas to the engine Deployment and keeps its props and other options", async () => {
        const out = await transform(args(DEPLOYMENT_TYPE, "chat-llama3-8b-deployment-vllm", { ignoreChanges: ["metadata.labels"], protect: true }));
        assert.ok(out);
        assert.deepStrictEqual(out.opts.ignoreChanges, ["metadata.labels", "spec.replicas"]);
        assert.strictEqual(out.opts.protect, true);
        assert.deepStrictEqual(out.props.spec, { replicas: 0 }, "the initial count is still created");
    });

    it("leaves the router Deployment alone", async () => {
        assert.strictEqual(await transform(args(DEPLOYMENT_TYPE, "chat-deployment-router")), undefined);
    });

    it("leaves other kinds with the same name alone", async () => {
        assert.strictEqual(await transform(args("kubernetes:core/v1:Service", "chat-llama3-8b-deployment-vllm")), undefined);
    });
});

// The chart's engine Deployment as templates/deployment-vllm-multi.yaml (0.1.12) renders it: one
// container named "vllm", no grace period and no lifecycle (checked against the template below).
function engineDeployment(name: string, extraContainers: any[] = []): any {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: "llm" },
        spec: {
            replicas: 1,
            template: {
                metadata: { labels: { model: "llama3-8b" } },
                spec: {
                    containers: [{ name: "vllm", image: "vllm/vllm-openai:v0.24.0", args: ["--port", "8000"], readinessProbe: { httpGet: { path: "/health", port: 8000 } } }, ...extraContainers],
                    volumes: [{ name: "shm", emptyDir: { medium: "Memory" } }],
                },
            },
        },
    };
}

describe("gracefulEngineShutdown transform", () => {
    const name = "chat-llama3-8b-deployment-vllm";
    const transform = gracefulEngineShutdown({ [name]: { terminationGracePeriodSeconds: 135, preStopSeconds: 5 } });
    const call = (props: any, type = DEPLOYMENT_TYPE, opts: pulumi.CustomResourceOptions = {}) =>
        transform({ type, name: `chat:llm/${props.metadata.name}`, custom: true, props, opts });

    it("sets the pod's grace period and a native preStop sleep on the vllm container, keeping everything else", async () => {
        const sidecar = { name: "lmcache", image: "x", lifecycle: { postStart: { exec: { command: ["true"] } } } };
        const input = engineDeployment(name, [sidecar]);
        const before = structuredClone(input);
        const out = await call(input, DEPLOYMENT_TYPE, { ignoreChanges: ["spec.replicas"] });
        assert.ok(out);
        const spec = out.props.spec.template.spec;
        assert.strictEqual(spec.terminationGracePeriodSeconds, 135);
        assert.deepStrictEqual(spec.containers[0].lifecycle, { preStop: { sleep: { seconds: 5 } } });
        assert.deepStrictEqual(spec.containers[0].readinessProbe, before.spec.template.spec.containers[0].readinessProbe);
        assert.deepStrictEqual(spec.containers[1], sidecar, "other containers are left alone");
        assert.deepStrictEqual(spec.volumes, before.spec.template.spec.volumes);
        assert.strictEqual(out.props.spec.replicas, 1);
        assert.deepStrictEqual(out.opts.ignoreChanges, ["spec.replicas"], "options pass through");
        assert.deepStrictEqual(input, before, "the input object is not mutated");
    });

    it("keeps a postStart hook the vllm container already has", async () => {
        const input = engineDeployment(name);
        input.spec.template.spec.containers[0].lifecycle = { postStart: { exec: { command: ["true"] } } };
        const out = await call(input);
        assert.deepStrictEqual(out!.props.spec.template.spec.containers[0].lifecycle,
            { postStart: { exec: { command: ["true"] } }, preStop: { sleep: { seconds: 5 } } });
    });

    it("leaves other Deployments, other kinds and a Deployment without a vllm container alone", async () => {
        assert.strictEqual(await call(engineDeployment("chat-deployment-router")), undefined);
        assert.strictEqual(await call(engineDeployment(name), "kubernetes:core/v1:Service"), undefined);
        const renamed = engineDeployment(name);
        renamed.spec.template.spec.containers[0].name = "engine";
        assert.strictEqual(await call(renamed), undefined);
    });

    it("the plan sizes it: grace = preStop + drain + margin, and the model's vLLM gets --shutdown-timeout", () => {
        const p = planInference("chat", argsWith({ models: [llama({ drainSeconds: 300 })] }));
        assert.deepStrictEqual(p.models[0].drain, { drainSeconds: 300, preStopSeconds: 5, terminationGracePeriodSeconds: 315 });
        const args: string[] = p.charts.vllmStack.values.servingEngineSpec.modelSpec[0].vllmConfig.extraArgs;
        assert.deepStrictEqual(args.slice(args.indexOf("--shutdown-timeout"), args.indexOf("--shutdown-timeout") + 2), ["--shutdown-timeout", "300"]);
        const none = planInference("chat", argsWith({ models: [llama({ drainSeconds: 0 })] }));
        assert.ok(!none.charts.vllmStack.values.servingEngineSpec.modelSpec[0].vllmConfig.extraArgs.includes("--shutdown-timeout"));
        assert.strictEqual(none.models[0].drain.terminationGracePeriodSeconds, 30, "never below Kubernetes' default");
    });
});

describe("engineDisruptionBudgets transform", () => {
    const transform = engineDisruptionBudgets(["chat-llama3-8b-pdb-vllm"]);
    const pdb = (name: string) => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { model: "llama3-8b" } } } });

    it("lets an engine that is not ready be evicted (AlwaysAllow), keeping minAvailable", async () => {
        const out = await transform({ type: PDB_TYPE, name: "x", custom: true, props: pdb("chat-llama3-8b-pdb-vllm"), opts: {} });
        assert.deepStrictEqual(out!.props.spec, { minAvailable: 1, selector: { matchLabels: { model: "llama3-8b" } }, unhealthyPodEvictionPolicy: "AlwaysAllow" });
    });

    it("leaves the router's PDB alone", async () => {
        assert.strictEqual(await transform({ type: PDB_TYPE, name: "x", custom: true, props: pdb("chat-router-pdb"), opts: {} }), undefined);
    });
});

describe("the chart templates the transforms and PDB values rely on (vllm-stack 0.1.12)", function () {
    const chart = path.resolve(REPO_ROOT, "../shared/charts/vllm-stack/templates");
    const read = (f: string) => fs.readFileSync(path.join(chart, f), "utf8");
    before(function () {
        skipUnlessPresent(this, chart);
    });

    it("the engine Deployment's container is named vllm and the chart sets no grace period or lifecycle of its own", () => {
        const t = read("deployment-vllm-multi.yaml");
        assert.match(t, /containers:\s*\n\s*- name: "vllm"/);
        assert.doesNotMatch(t, /terminationGracePeriodSeconds|lifecycle:|preStop/);
        assert.match(t, /range \.extraArgs/, "vllmConfig.extraArgs reach the command line (where --shutdown-timeout goes)");
    });

    it("modelSpec[].pdb renders <release>-<model>-pdb-vllm with minAvailable, selecting the model's engine pods", () => {
        const t = read("pdb-vllm-multi.yaml");
        assert.match(t, /name: "\{\{ \.Release\.Name \}\}-\{\{ \$modelSpec\.name \}\}-pdb-vllm"/);
        assert.strictEqual(enginePdbName("chat", "llama3-8b"), "chat-llama3-8b-pdb-vllm");
        assert.match(t, /if and \$modelSpec\.pdb \$modelSpec\.pdb\.enabled/);
        assert.match(t, /minAvailable: \{\{ \$modelSpec\.pdb\.minAvailable \| default 0 \}\}/);
        assert.match(t, /model: \{\{ \$modelSpec\.name \}\}/);
        const p = planInference("chat", argsWith({ models: [llama({ autoscaling: { minReplicas: 1, maxReplicas: 4 } }), llama({ name: "zero", servedModelName: "z" })] }));
        const [one, zero] = p.charts.vllmStack.values.servingEngineSpec.modelSpec;
        assert.deepStrictEqual(one.pdb, { enabled: true, minAvailable: 1 });
        assert.strictEqual(zero.pdb, undefined, "a model that may scale to zero gets no PDB");
        assert.deepStrictEqual(p.models.map((m) => m.pdbName), ["chat-llama3-8b-pdb-vllm", undefined]);
    });
});
