// The CPU simulator engine in the plan, checked against the facts it must agree with: the
// vllm-stack chart 0.1.12 (engine Service name, port name, ServiceMonitor selector, router label
// selector) and llm-d-inference-sim v0.9.2 (flags, port, readiness endpoint).
import * as assert from "assert";
import { planInference, PlanValidationError } from "../components";
import type { Model } from "../components";
import { llama } from "./fixtures";

const sim = (overrides: Partial<Model> = {}): Model =>
    llama({ name: "sim", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { minReplicas: 0, maxReplicas: 3 }, ...overrides });

/** helm/templates/servicemonitor-engine.yaml (0.1.12): spec.selector.matchLabels. */
function engineServiceMonitorSelector(release: string, engineLabels: Record<string, string>): Record<string, string> {
    return {
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/component": "serving-engine",
        "app.kubernetes.io/part-of": "vllm-stack", // {{ .Chart.Name }}
        ...engineLabels,
    };
}

function includes(labels: Record<string, string>, wanted: Record<string, string>): boolean {
    return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** Value of a flag in an argument list (`--flag value`). */
function flag(args: string[], name: string): string | undefined {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
}

describe("simulator engine: plan", () => {
    const plan = planInference("chat", { models: [llama(), sim()] });
    const s = plan.simulators[0];
    const container = s.podSpec.containers[0];

    it("is left out of the chart's modelSpec list; GPU models stay", () => {
        assert.deepStrictEqual(plan.charts.vllmStack.values.servingEngineSpec.modelSpec.map((m: any) => m.name), ["llama3-8b"]);
        assert.deepStrictEqual(plan.simulators.map((x) => x.model), ["sim"]);
        assert.deepStrictEqual(plan.models.map((m) => m.engine), ["vllm", "simulator"]);
    });

    it("has the chart's engine Service name and port name, so the engine ServiceMonitor scrapes it", () => {
        assert.strictEqual(s.serviceName, "chat-sim-engine-service");
        assert.strictEqual(s.serviceSpec.ports[0].name, "service-port");
        assert.strictEqual(s.serviceSpec.ports[0].targetPort, container.ports[0].name);
        const engineLabels = plan.charts.vllmStack.values.servingEngineSpec.labels;
        assert.ok(includes(s.serviceLabels, engineServiceMonitorSelector("chat", engineLabels)), JSON.stringify(s.serviceLabels));
    });

    it("carries the router's engine label selector and the chart's `model` pod label", () => {
        // deployment-router.yaml: --k8s-label-selector from servingEngineSpec.labels; service_discovery.py reads pod label `model`.
        const engineLabels = plan.charts.vllmStack.values.servingEngineSpec.labels;
        assert.ok(Object.keys(engineLabels).length > 0);
        assert.ok(includes(s.podLabels, engineLabels));
        assert.strictEqual(s.podLabels.model, "sim");
        assert.ok(includes(s.podLabels, s.selector), "the selector selects the pods");
        assert.ok(includes(s.podLabels, s.serviceSpec.selector), "the Service selects the pods");
    });

    it("follows servingEngineSpec.labels when the user overrides them", () => {
        const custom = planInference("chat", { models: [sim()], vllmStack: { values: { servingEngineSpec: { labels: { team: "ml" } } } } });
        const labels = custom.charts.vllmStack.values.servingEngineSpec.labels;
        assert.strictEqual(labels.team, "ml");
        assert.ok(includes(custom.simulators[0].podLabels, labels));
        assert.ok(includes(custom.simulators[0].serviceLabels, engineServiceMonitorSelector("chat", labels)));
    });

    it("listens on port 8000 (the router asks each engine pod on port 8000) and is ready only after --startup-duration", () => {
        assert.strictEqual(container.ports[0].containerPort, 8000);
        assert.strictEqual(flag(container.args, "--port"), "8000");
        assert.strictEqual(container.readinessProbe.httpGet.path, "/health/ready");
    });

    it("runs llm-d-inference-sim with the served model name and Go duration flags, on CPU only", () => {
        assert.strictEqual(container.image, "ghcr.io/llm-d/llm-d-inference-sim:v0.9.2");
        assert.strictEqual(flag(container.args, "--served-model-name"), "Qwen/Qwen2.5-0.5B-Instruct");
        assert.strictEqual(flag(container.args, "--time-to-first-token"), "200ms");
        assert.strictEqual(flag(container.args, "--inter-token-latency"), "50ms");
        assert.strictEqual(flag(container.args, "--startup-duration"), "10s");
        assert.ok(container.args.includes("--force-dummy-tokenizer"), "v0.9+ would fetch a real model's tokenizer otherwise");
        // Queues where the model's maxNumSeqs says vLLM would (the load signal's target derives from it).
        assert.strictEqual(flag(container.args, "--max-num-seqs"), String(plan.charts.vllmStack.values.servingEngineSpec.modelSpec[0].vllmConfig.maxNumSeqs));
        assert.strictEqual(JSON.stringify(container.resources).includes("nvidia.com/gpu"), false);
    });

    it("takes the simulator settings and maxNumSeqs from the args", () => {
        const p = planInference("chat", { models: [sim({ maxNumSeqs: 5, simulator: { timeToFirstTokenMs: 500, interTokenLatencyMs: 20, startupSeconds: 0, cpu: "250m" } })] });
        const args = p.simulators[0].podSpec.containers[0].args;
        assert.deepStrictEqual([flag(args, "--max-num-seqs"), flag(args, "--time-to-first-token"), flag(args, "--inter-token-latency"), flag(args, "--startup-duration")],
            ["5", "500ms", "20ms", "0s"]);
        assert.strictEqual(p.simulators[0].podSpec.containers[0].resources.requests.cpu, "250m");
    });

    it("is what the ScaledObject targets, created at minReplicas", () => {
        assert.strictEqual(plan.scaledObjects[1].spec.scaleTargetRef.name, s.deploymentName);
        assert.strictEqual(s.deploymentName, "chat-sim-deployment-vllm");
        assert.strictEqual(s.replicas, 0);
    });

    it("needs no GPU pool capacity and warns about vLLM-only settings", () => {
        const p = planInference("chat", { models: [sim({ gpusPerReplica: 2, cacheSize: "10Gi" })] });
        assert.ok(p.warnings.some((w) => /simulator/.test(w) && /gpusPerReplica/.test(w) && /cacheSize/.test(w)), p.warnings.join("\n"));
    });

    it("rejects an unknown engine, simulator settings on a vLLM model, and bad simulator values", () => {
        assert.throws(() => planInference("chat", {
            models: [
                llama({ engine: "sglang" as any }),
                llama({ name: "b", modelUrl: "b/b", simulator: { timeToFirstTokenMs: 5 } }),
                sim({ simulator: { timeToFirstTokenMs: -1, startupSeconds: 1.5, cpu: "lots", extra: 1 } as any }),
            ],
        }), (e: unknown) => {
            assert.ok(e instanceof PlanValidationError);
            const paths = e.problems.map((p) => p.path);
            for (const path of ["models[0].engine", "models[1].simulator", "models[2].simulator.timeToFirstTokenMs",
                "models[2].simulator.startupSeconds", "models[2].simulator.cpu", "models[2].simulator.extra"]) {
                assert.ok(paths.includes(path), `${path} missing in ${paths.join(", ")}`);
            }
            return true;
        });
    });
});
