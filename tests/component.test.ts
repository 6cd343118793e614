// LlmInference under Pulumi's mocks: what it registers, with which inputs and options.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { LlmInference, LLM_INFERENCE_TYPE, PlanValidationError } from "../components";
import type { LlmInferenceArgs } from "../components";
import { argsWith, llama } from "./fixtures";
import { isSecret, promiseOf, Registration, reveal, runWithMocks } from "./support/pulumiMocks";

async function deploy(args: LlmInferenceArgs, name = "chat") {
    const { registrations, result } = await runWithMocks(() => {
        const llm = new LlmInference(name, args);
        return {
            endpoint: llm.endpoint, namespace: llm.namespace, routerServiceName: llm.routerServiceName,
            scaledObjectNames: llm.scaledObjectNames, prometheusUrl: llm.prometheusUrl, grafanaAdminSecret: llm.grafanaAdminSecret,
        };
    });
    const byType = (type: string) => registrations.filter((r) => r.type === type);
    const one = (type: string) => {
        const found = byType(type);
        assert.strictEqual(found.length, 1, `expected one ${type}, got ${found.length}`);
        return found[0];
    };
    return { registrations, outputs: result as Record<string, pulumi.Output<any>>, byType, one };
}

function dependsOnResource(r: Registration, target: Registration): boolean {
    return r.dependsOn.includes(target.urn);
}

describe("LlmInference under mocks", function () {
    this.timeout(30000);

    it("registers KEDA and kube-prometheus-stack Helm releases, the vllm-stack Chart and one ScaledObject per model", async () => {
        const { registrations, byType, one } = await deploy(argsWith({ models: [llama(), llama({ name: "small", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct" })] }));
        const component = one(LLM_INFERENCE_TYPE);
        assert.strictEqual(component.name, "chat");
        const releases = byType("kubernetes:helm.sh/v3:Release");
        assert.deepStrictEqual(releases.map((r) => [r.inputs.name, r.inputs.chart, r.inputs.version, r.inputs.namespace]).sort(), [
            ["keda", "keda", "2.20.2", "keda"],
            ["kube-prometheus-stack", "kube-prometheus-stack", "82.4.3", "monitoring"],
        ]);
        assert.deepStrictEqual(releases.map((r) => r.inputs.repositoryOpts.repo).sort(),
            ["https://kedacore.github.io/charts", "https://prometheus-community.github.io/helm-charts"]);
        const chart = one("kubernetes:helm.sh/v4:Chart");
        assert.deepStrictEqual([chart.inputs.name, chart.inputs.chart, chart.inputs.version, chart.inputs.namespace],
            ["chat", "vllm-stack", "0.1.12", "llm"]);
        assert.strictEqual(chart.inputs.values.servingEngineSpec.modelSpec.length, 2);
        assert.strictEqual(chart.inputs.skipCrds, true, "the chart's cluster-scoped LoraAdapter CRD belongs to no release");
        const sos = byType("kubernetes:keda.sh/v1alpha1:ScaledObject");
        assert.deepStrictEqual(sos.map((s) => s.inputs.metadata.name), ["chat-llama3-8b", "chat-small"]);
        assert.deepStrictEqual(sos.map((s) => s.inputs.spec.scaleTargetRef.name), ["chat-llama3-8b-deployment-vllm", "chat-small-deployment-vllm"]);
        for (const r of registrations.filter((x) => x !== component)) {
            assert.ok(r.parent, `${r.type} ${r.name} has no parent`);
        }
        assert.ok(registrations.filter((r) => r.parent === component.urn).length >= 6, "children are parented to the component");
    });

    it("orders the ScaledObject after KEDA and the chart, the ServiceMonitors after the monitoring release, the chart after its namespace", async () => {
        const { byType, one, registrations } = await deploy(argsWith({ models: [llama({ hfToken: pulumi.secret("hf_x") })] }));
        const [keda, kps] = ["keda", "kube-prometheus-stack"].map((n) => byType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === n)!);
        const chart = one("kubernetes:helm.sh/v4:Chart");
        const so = one("kubernetes:keda.sh/v1alpha1:ScaledObject");
        const llmNs = registrations.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "llm")!;
        const token = registrations.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "chat-hf-token")!;
        assert.ok(dependsOnResource(so, keda), "ScaledObject must wait for the KEDA CRDs");
        assert.ok(dependsOnResource(so, chart), "ScaledObject must wait for its Deployment");
        const sms = byType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        assert.deepStrictEqual(sms.map((s) => s.inputs.metadata.name).sort(), ["chat-engine-servicemonitor", "chat-router-servicemonitor", "keda-operator-metrics"]);
        for (const sm of sms) assert.ok(dependsOnResource(sm, kps), "ServiceMonitors need the Prometheus Operator CRDs");
        const kedaNs = registrations.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "keda")!;
        assert.ok(dependsOnResource(sms.find((s) => s.inputs.metadata.name === "keda-operator-metrics")!, kedaNs), "KEDA's ServiceMonitor lives in KEDA's namespace");
        const rule = one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        assert.strictEqual(rule.inputs.metadata.name, "chat-vllm-autoscaling-alerts");
        assert.ok(dependsOnResource(rule, kps), "the PrometheusRule needs the Prometheus Operator CRDs");
        assert.ok(dependsOnResource(rule, llmNs));
        assert.ok(!dependsOnResource(chart, kps), "the chart renders no Prometheus Operator kind, so it need not wait for the release");
        assert.ok(dependsOnResource(chart, llmNs));
        assert.ok(dependsOnResource(chart, token), "engines read the token Secret at start");
        assert.ok(!dependsOnResource(keda, chart), "no cycle");
    });

    it("gives the chart its transforms: engine replicas ignored, engine shutdown (grace, preStop), engine PDBs", async () => {
        const { one } = await deploy(argsWith());
        assert.strictEqual(one("kubernetes:helm.sh/v4:Chart").transforms, 3);
    });

    it("keeps the Hugging Face token secret in the Kubernetes Secret it writes", async () => {
        const { registrations } = await deploy(argsWith({ models: [llama({ hfToken: pulumi.secret("hf_abc") })] }));
        const secret = registrations.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "chat-hf-token")!;
        assert.ok(isSecret(secret.inputs.stringData), "stringData must reach the engine as a secret");
        assert.deepStrictEqual(reveal(secret.inputs.stringData), { "hf-token-llama3-8b": "hf_abc" });
        assert.strictEqual(secret.inputs.metadata.namespace, "llm");
        const chart = registrations.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
        assert.ok(!JSON.stringify(chart.inputs).includes("hf_abc"), "the chart values never carry the token");
    });

    it("makes a plain-string token secret too, also in the component's own recorded inputs", async () => {
        const { registrations } = await deploy(argsWith({ models: [llama({ hfToken: "hf_plain" })] }));
        const secret = registrations.find((r) => r.inputs.metadata?.name === "chat-hf-token")!;
        assert.ok(isSecret(secret.inputs.stringData));
        const component = registrations.find((r) => r.type === LLM_INFERENCE_TYPE)!;
        const recorded = component.inputs.models[0].hfToken;
        assert.ok(isSecret(recorded), `the component's inputs hold the token as ${JSON.stringify(recorded)}`);
        for (const r of registrations) {
            const clear = JSON.stringify(r.inputs).includes("hf_plain") && !isSecret(r.inputs.stringData) && r !== component;
            assert.ok(!clear, `${r.type} ${r.name} carries the token in the clear`);
        }
    });

    it("writes a given Grafana password to a Secret Grafana reads, kept secret end to end", async () => {
        const { registrations, outputs } = await deploy(argsWith({ monitoring: { grafanaAdminPassword: "pw-plain" } }));
        const secret = registrations.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "kube-prometheus-stack-grafana-admin")!;
        assert.strictEqual(secret.inputs.metadata.namespace, "monitoring");
        assert.ok(isSecret(secret.inputs.stringData));
        assert.deepStrictEqual(reveal(secret.inputs.stringData), { "admin-user": "admin", "admin-password": "pw-plain" });
        const component = registrations.find((r) => r.type === LLM_INFERENCE_TYPE)!;
        assert.ok(isSecret(component.inputs.monitoring.grafanaAdminPassword), "a plain-string password is recorded as a secret");
        for (const r of registrations.filter((x) => x !== secret && x !== component)) {
            assert.ok(!JSON.stringify(r.inputs).includes("pw-plain"), `${r.type} ${r.name} carries the password in the clear`);
        }
        const kps = registrations.find((r) => r.inputs.name === "kube-prometheus-stack")!;
        assert.ok(dependsOnResource(kps, secret), "Grafana starts only once its admin Secret exists");
        assert.strictEqual(await promiseOf(outputs.grafanaAdminSecret), "monitoring/kube-prometheus-stack-grafana-admin");
    });

    it("writes no Grafana Secret when the chart generates the password, and needs no @pulumi/random", async () => {
        const { registrations, outputs } = await deploy(argsWith());
        assert.ok(!registrations.some((r) => r.type === "kubernetes:core/v1:Secret" && /grafana/.test(r.inputs.metadata.name)));
        assert.ok(!registrations.some((r) => r.type.startsWith("random:")), "no registry here serves the random provider");
        assert.strictEqual(await promiseOf(outputs.grafanaAdminSecret), "monitoring/kube-prometheus-stack-grafana");
    });

    it("owns every namespace it installs into, and installs the releases into them without createNamespace", async () => {
        const { byType } = await deploy(argsWith());
        const namespaces = byType("kubernetes:core/v1:Namespace");
        assert.deepStrictEqual(namespaces.map((n) => n.inputs.metadata.name).sort(), ["keda", "llm", "monitoring"]);
        for (const release of byType("kubernetes:helm.sh/v3:Release")) {
            assert.strictEqual(release.inputs.createNamespace, false, `${release.inputs.name}: Helm would create a namespace destroy leaves behind`);
            const ns = namespaces.find((n) => n.inputs.metadata.name === release.inputs.namespace)!;
            assert.ok(dependsOnResource(release, ns), `${release.inputs.name} waits for its namespace`);
        }
    });

    it("installs the charts from the given sources: a local path (no version), an OCI registry, a mirror", async () => {
        const { byType, one } = await deploy(argsWith({
            keda: { repo: "../shared/charts/keda" },
            monitoring: { repo: "oci://registry.example.com/charts/", version: "82.4.3" },
            vllmStack: { repo: "https://mirror.example.com/vllm" },
        }));
        const releases = Object.fromEntries(byType("kubernetes:helm.sh/v3:Release").map((r) => [r.inputs.name, r.inputs]));
        assert.deepStrictEqual([releases.keda.chart, releases.keda.version, releases.keda.repositoryOpts], ["../shared/charts/keda", undefined, undefined]);
        assert.deepStrictEqual([releases["kube-prometheus-stack"].chart, releases["kube-prometheus-stack"].version],
            ["oci://registry.example.com/charts/kube-prometheus-stack", "82.4.3"]);
        const chart = one("kubernetes:helm.sh/v4:Chart").inputs;
        assert.deepStrictEqual([chart.chart, chart.version, chart.repositoryOpts.repo], ["vllm-stack", "0.1.12", "https://mirror.example.com/vllm"]);
    });

    it("installs neither release when turned off, and skips the namespace when told it exists", async () => {
        const { byType, registrations, outputs } = await deploy(argsWith({
            keda: { install: false }, monitoring: { install: false, prometheusUrl: "http://prom.obs.svc:9090" }, createNamespace: false,
        }));
        assert.strictEqual(byType("kubernetes:helm.sh/v3:Release").length, 0);
        assert.strictEqual(byType("kubernetes:core/v1:Namespace").length, 0);
        assert.strictEqual(byType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").length, 0);
        assert.strictEqual(byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length, 0, "no alerts without the Operator's CRDs unless asked");
        assert.strictEqual(registrations.filter((r) => r.type !== LLM_INFERENCE_TYPE).length, 2, "only the chart and the ScaledObject");
        assert.strictEqual(await promiseOf(outputs.prometheusUrl), "http://prom.obs.svc:9090");
        const so = byType("kubernetes:keda.sh/v1alpha1:ScaledObject")[0];
        assert.deepStrictEqual(so.dependsOn, [byType("kubernetes:helm.sh/v4:Chart")[0].urn]);
    });

    it("exposes the outputs the contract names", async () => {
        const { outputs } = await deploy(argsWith());
        assert.strictEqual(await promiseOf(outputs.namespace), "llm");
        assert.strictEqual(await promiseOf(outputs.endpoint), "http://chat-router-service.llm.svc.cluster.local/v1");
        assert.strictEqual(await promiseOf(outputs.routerServiceName), "chat-router-service");
        assert.deepStrictEqual(await promiseOf(outputs.scaledObjectNames), ["chat-llama3-8b"]);
        assert.strictEqual(await promiseOf(outputs.prometheusUrl), "http://prometheus-operated.monitoring.svc:9090");
    });

    it("registers nothing when the args are invalid", async () => {
        let error: unknown;
        const { registrations } = await runWithMocks(() => {
            try {
                new LlmInference("chat", argsWith({ models: [llama({ autoscaling: { minReplicas: 3, maxReplicas: 1 } })] }));
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof PlanValidationError);
        assert.deepStrictEqual(registrations, []);
    });
});
