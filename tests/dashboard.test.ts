// The dashboard ConfigMap, dcgm-exporter (gpuMetrics) and the gpuUtilization trigger in the plan,
// against upstream facts: kube-prometheus-stack 82.4.3's Grafana sidecar label (../shared/charts),
// the Prometheus Operator's ServiceMonitor CRD, and dcgm-exporter 4.8.2's chart as NVIDIA publishes
// it (recorded below with its source, since that chart is not in ../shared).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { planInference, PlanValidationError, Strategy } from "../components";
import { dashboardFor } from "../components/plan";
import { DASHBOARD_MANIFEST_KEY, helmTplLiteral } from "../components/plan/charts";
import type { LlmInferenceArgs } from "../components";
import { TRIGGER } from "../components/plan/triggers";
import { listStacks, planStack } from "../stacks/load";
import { renderPlan } from "../scripts/plan";
import { argsWith, dashboardPlan, llama } from "./fixtures";
import { isSecret, runWithMocks } from "./support/pulumiMocks";
import { LlmInference } from "../components";
import { crdValidator, REPO_ROOT, SERVICE_MONITOR_CRD, skipUnlessPresent } from "./support/reference";

const KPS_VALUES = path.resolve(REPO_ROOT, "../shared/charts/kube-prometheus-stack/values.yaml");

/**
 * NVIDIA/dcgm-exporter at d5e5f510 (2026-05-12, tag 4.5.3-4.8.2), deployment/: Chart.yaml
 * `version: "4.8.2"`; templates/_helpers.tpl selectorLabels `app.kubernetes.io/name: <chart name>`,
 * `app.kubernetes.io/instance: <release>`; templates/service.yaml port name "metrics" (9400);
 * values.yaml top-level `serviceMonitor.enabled` (true), `nodeSelector` ({}), `tolerations` ([]);
 * templates/daemonset.yaml sets DCGM_EXPORTER_KUBERNETES=true (pod-resources mapping: the
 * namespace, pod and container labels, internal/pkg/transformation/const.go).
 */
const DCGM = {
    chartVersion: "4.8.2",
    repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    selector: (release: string) => ({ "app.kubernetes.io/name": "dcgm-exporter", "app.kubernetes.io/instance": release }),
    port: "metrics",
    valueKeys: ["serviceMonitor", "nodeSelector", "tolerations"],
};

function problems(args: LlmInferenceArgs): string[] {
    try {
        planInference("chat", args);
        return [];
    } catch (e) {
        if (!(e instanceof PlanValidationError)) throw e;
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
}

describe("dashboard: plan", () => {
    it("is a ConfigMap in the monitoring namespace with the label kube-prometheus-stack's Grafana sidecar loads", function () {
        skipUnlessPresent(this, KPS_VALUES);
        const sidecar = YAML.parse(fs.readFileSync(KPS_VALUES, "utf8")).grafana.sidecar.dashboards;
        assert.strictEqual(sidecar.enabled, true);
        const cm = planInference("chat", argsWith()).dashboard!.configMap;
        assert.strictEqual(cm.metadata.labels[sidecar.label], String(sidecar.labelValue));
        assert.strictEqual(cm.metadata.namespace, "monitoring");
        assert.strictEqual(cm.kind, "ConfigMap");
        // The sidecar watches every namespace by default; the dashboard still sits with Grafana.
        assert.strictEqual(sidecar.searchNamespace, "ALL");
        const [file, json] = Object.entries(cm.data)[0];
        assert.ok(file.endsWith(".json"));
        const d = JSON.parse(json);
        assert.ok(d.uid.length <= 40, "Grafana uids have at most 40 characters");
        assert.deepStrictEqual(d.panels.filter((p: { type: string }) => p.type === "row").map((p: { title: string }) => p.title),
            ["llama3-8b (meta-llama/Llama-3.1-8B-Instruct)"]);
    });

    it("is on with kube-prometheus-stack, off without it, on request, off on request", () => {
        assert.ok(planInference("chat", argsWith()).dashboard);
        const own = { install: false, prometheusUrl: "http://prom.example:9090" };
        assert.strictEqual(planInference("chat", argsWith({ monitoring: own })).dashboard, undefined);
        assert.strictEqual(planInference("chat", argsWith({ monitoring: { ...own, namespace: "obs", dashboard: { enabled: true } } })).dashboard!.configMap.metadata.namespace, "obs");
        assert.strictEqual(planInference("chat", argsWith({ monitoring: { dashboard: { enabled: false } } })).dashboard, undefined);
    });

    it("per model: demand, requests, replicas, KV cache, TTFT vs the model's SLO, cost only with a price, KEDA; GPU panels with GPU metrics", () => {
        const titles = (p: ReturnType<typeof planInference>, model: string) => p.dashboard!.panels.filter((x) => x.model === model).map((x) => x.title);
        const plain = planInference("chat", argsWith());
        assert.deepStrictEqual(titles(plain, "llama3-8b"), ["Demand (router requests/s)", "Requests running and waiting", "Replicas: desired vs ready",
            "KV-cache usage (average per engine)", "TTFT p95 vs SLO (2 s)", "KEDA: scaler values (per trigger)", "KEDA: errors"]);
        const slo = planInference("chat", argsWith({ models: [llama({ autoscaling: { maxReplicas: 2, strategy: "latency-first", ttft: { target: 1.5 } } })] }));
        assert.ok(titles(slo, "llama3-8b").includes("TTFT p95 vs SLO (1.5 s)"));
        const gpu = dashboardPlan();
        assert.deepStrictEqual(titles(gpu, "llama3-8b").filter((t) => /GPU/.test(t)), [
            "GPU cost rate (per hour, in the pool price's currency)", "GPU utilization (dcgm-exporter, average per engine GPU)", "GPU memory used (dcgm-exporter, all engine GPUs)"]);
        assert.deepStrictEqual(titles(gpu, "small").filter((t) => /GPU/.test(t)), [], "the simulator model holds no GPU");
        const ids = gpu.dashboard!.panels.map((p) => p.id);
        assert.strictEqual(new Set(ids).size, ids.length);
    });

    it("dashboardFor: the dashboard planInference writes, also for a stack that turns it off, with another rate window on request", () => {
        const gpuArgs: LlmInferenceArgs = {
            models: [
                llama({ autoscaling: { minReplicas: 0, maxReplicas: 4, strategy: "latency-first", gpuUtilization: { enabled: true } } }),
                llama({ name: "small", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { minReplicas: 1, maxReplicas: 2, strategy: "queue-depth" } }),
            ],
            gpuNodePool: { existing: true, maxNodes: 4, gpusPerNode: 2, hourlyCost: 1.5 },
            gpuMetrics: { install: true },
        };
        const { writtenBy, ...planned } = planInference("chat", gpuArgs).dashboard!;
        assert.strictEqual(writtenBy, "kube-prometheus-stack");
        assert.deepStrictEqual(dashboardFor("chat", gpuArgs), planned);
        const { writtenBy: _, ...fixture } = dashboardPlan().dashboard!;
        assert.deepStrictEqual(dashboardFor("chat", gpuArgs), fixture, "the fixture is the same args");
        const off = { ...gpuArgs, monitoring: { install: false, prometheusUrl: "http://prom.example:9090" } };
        assert.strictEqual(planInference("chat", off).dashboard, undefined);
        const exprs = (d: ReturnType<typeof dashboardFor>) => d.panels.flatMap((p) => p.queries.map((q) => q.expr));
        assert.deepStrictEqual(exprs(dashboardFor("chat", off)), exprs(planInference("chat", gpuArgs).dashboard!), "the same queries with the dashboard off");
        const short = dashboardFor("chat", off, { rateWindowSeconds: 10 });
        assert.deepStrictEqual(short.panels.map((p) => p.title), planInference("chat", gpuArgs).dashboard!.panels.map((p) => p.title));
        assert.ok(exprs(short).some((e) => e.includes("[10s]")) && !exprs(short).some((e) => e.includes("[300s]")), "every rate over 10 s");
        assert.deepStrictEqual(exprs(short).map((e) => e.replace(/\[10s\]/g, "[300s]")), exprs(dashboardFor("chat", off)), "nothing else changes");
        assert.throws(() => dashboardFor("chat", { models: [] }), PlanValidationError);
    });

    it("npm run plan lists the panels", () => {
        const out = renderPlan("dev", planStack("dev"));
        assert.match(out, /== Dashboard \(Grafana\) ==/);
        assert.match(out, /vllm-autoscaling-dashboard \(ConfigMap for Grafana's dashboard sidecar: grafana_dashboard=1; in kube-prometheus-stack's release, updated in place\)/);
        assert.match(out, /: TTFT p95 vs SLO \(2 s\) \[s\] <- p95 TTFT, SLO/);
    });

    it("rides in kube-prometheus-stack's release (extraManifests, Grafana's braces as template literals) when the component installs it", () => {
        const p = planInference("chat", argsWith({ monitoring: { values: { extraManifests: { mine: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "mine" } } } } } }));
        const d = p.dashboard!;
        assert.strictEqual(d.writtenBy, "kube-prometheus-stack");
        const manifests = p.charts.kubePrometheusStack!.values.extraManifests;
        assert.deepStrictEqual(Object.keys(manifests).sort(), ["mine", DASHBOARD_MANIFEST_KEY], "the user's map entry merged beside the package's");
        const carried = manifests[DASHBOARD_MANIFEST_KEY];
        assert.deepStrictEqual({ ...carried, data: undefined }, { ...d.configMap, data: undefined });
        const [key, json] = Object.entries(d.configMap.data)[0];
        assert.ok(json.includes("{{scaler}}"), "the plan's JSON holds Grafana legends");
        const escaped = carried.data[key] as string;
        // Every {{ is inside a raw-string action that prints it, and only there; undone, it is the JSON.
        const action = "{{`{{`}}";
        assert.ok(!escaped.split(action).join("").includes("{{"), "no {{ left for tpl to read as an action");
        assert.strictEqual(escaped.split(action).join("{{"), json);
        assert.strictEqual(helmTplLiteral("a {{b}} {{{c}}}"), "a {{`{{`}}b}} {{`{{`}}{c}}}");
        assert.strictEqual(helmTplLiteral("no braces"), "no braces");
    });

    it("is the component's own ConfigMap with a Grafana of the user's (monitoring.install false), and refuses a list of extraManifests", () => {
        const own = { install: false, prometheusUrl: "http://prom.example:9090", dashboard: { enabled: true } };
        const p = planInference("chat", argsWith({ monitoring: own }));
        assert.strictEqual(p.dashboard!.writtenBy, "component");
        assert.strictEqual(p.charts.kubePrometheusStack, undefined);
        assert.deepStrictEqual(problems(argsWith({ monitoring: { values: { extraManifests: [{ apiVersion: "v1", kind: "ConfigMap" }] } } })), [
            "monitoring.values.extraManifests: is a list, but the package's dashboard is one of kube-prometheus-stack's extraManifests: give yours as a map " +
            "(the chart ignores its keys), e.g. { my-config: { apiVersion: v1, kind: ConfigMap, ... } }, or set monitoring.dashboard.enabled to false",
        ]);
        // Without the dashboard, a list is the user's business.
        assert.deepStrictEqual(problems(argsWith({ monitoring: { dashboard: { enabled: false }, values: { extraManifests: [] } } })), []);
    });

    it("validates monitoring.dashboard", () => {
        assert.deepStrictEqual(problems(argsWith({ monitoring: { dashboard: { enabled: "yes" as unknown as boolean, folder: "x" } as never } })).sort(), [
            "monitoring.dashboard.enabled: \"yes\" is not a boolean; use true or false",
            "monitoring.dashboard.folder: is not a known field; known fields here: enabled",
        ].sort());
    });
});

describe("dashboard: under mocks", () => {
    it("is in kube-prometheus-stack's release values, with no ConfigMap resource of the component's (a model change updates it in place)", async () => {
        const { registrations } = await runWithMocks(() => {
            new LlmInference("chat", argsWith());
            return {};
        });
        const kps = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "kube-prometheus-stack")!;
        const cm = kps.inputs.values.extraManifests[DASHBOARD_MANIFEST_KEY];
        assert.strictEqual(cm.kind, "ConfigMap");
        assert.strictEqual(cm.metadata.labels.grafana_dashboard, "1");
        assert.deepStrictEqual(registrations.filter((r) => r.type === "kubernetes:core/v1:ConfigMap"), []);
    });

    it("is the component's ConfigMap with a Grafana of the user's", async () => {
        const { registrations } = await runWithMocks(() => {
            new LlmInference("chat", argsWith({ monitoring: { install: false, prometheusUrl: "http://prom.example:9090", dashboard: { enabled: true } } }));
            return {};
        });
        const cms = registrations.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
        assert.strictEqual(cms.length, 1);
        assert.strictEqual(cms[0].inputs.metadata.labels.grafana_dashboard, "1");
        assert.ok(!isSecret(cms[0].inputs));
        assert.ok(!registrations.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "kube-prometheus-stack"));
    });
});

describe("gpuMetrics: dcgm-exporter on the GPU pool", () => {
    const pool = { existing: true, maxNodes: 4, gpusPerNode: 1, name: "l4-pool" };

    it("is off by default: no chart, no namespace, no ServiceMonitor", () => {
        const p = planInference("chat", argsWith({ gpuNodePool: pool }));
        assert.strictEqual(p.charts.gpuMetrics, undefined);
        assert.ok(!p.namespaces.includes("gpu-metrics"));
        assert.ok(!p.serviceMonitors.some((s) => s.metadata.name === "dcgm-exporter"));
    });

    it("installs the pinned chart from NVIDIA's repository into a namespace the component owns, on the pool's nodes", () => {
        const p = planInference("chat", argsWith({ gpuNodePool: pool, gpuMetrics: { install: true } }));
        const c = p.charts.gpuMetrics!;
        assert.deepStrictEqual([c.chart, c.version, c.repo, c.namespace, c.releaseName],
            ["dcgm-exporter", DCGM.chartVersion, DCGM.repo, "gpu-metrics", "dcgm-exporter"]);
        assert.ok(p.namespaces.includes("gpu-metrics"));
        for (const k of Object.keys(c.values)) assert.ok(DCGM.valueKeys.includes(k), `${k} is not a top-level value of the chart`);
        // Same taint and label the engines tolerate and select (nodePool.ts), in the chart's plain nodeSelector form.
        const engine = p.charts.vllmStack.values.servingEngineSpec.modelSpec[0];
        assert.deepStrictEqual(c.values.tolerations, engine.tolerations);
        assert.deepStrictEqual(c.values.nodeSelector, { [engine.nodeSelectorTerms[0].matchExpressions[0].key]: engine.nodeSelectorTerms[0].matchExpressions[0].values[0] });
        assert.deepStrictEqual(c.values.serviceMonitor, { enabled: false });
        assert.deepStrictEqual(p.warnings.filter((w) => w.startsWith("gpuMetrics")), []);
    });

    it("is scraped by the package's ServiceMonitor with honorLabels, selecting the chart's Service (valid for the Prometheus Operator CRD)", function () {
        const p = planInference("chat", argsWith({ gpuNodePool: pool, gpuMetrics: { install: true } }));
        const sm = p.serviceMonitors.find((s) => s.metadata.name === "dcgm-exporter")!;
        assert.strictEqual(sm.metadata.namespace, "gpu-metrics");
        assert.deepStrictEqual(sm.spec.selector.matchLabels, DCGM.selector(p.charts.gpuMetrics!.releaseName));
        assert.deepStrictEqual(sm.spec.namespaceSelector, { matchNames: ["gpu-metrics"] });
        assert.strictEqual(sm.spec.endpoints[0].port, DCGM.port);
        assert.strictEqual(sm.spec.endpoints[0].honorLabels, true, "the GPU's pod labels must win over the exporter pod's");
        skipUnlessPresent(this, SERVICE_MONITOR_CRD);
        assert.deepStrictEqual(crdValidator(SERVICE_MONITOR_CRD)(sm), []);
    });

    it("takes a repo override, version and values like the other charts", () => {
        const local = planInference("chat", argsWith({ gpuNodePool: pool, gpuMetrics: { install: true, repo: "./charts/dcgm-exporter", values: { nodeSelector: { gpu: "yes" } } } })).charts.gpuMetrics!;
        assert.deepStrictEqual([local.repo, local.source, local.version, local.values.nodeSelector], ["./charts/dcgm-exporter", "path", undefined, { "vllm-autoscaling/gpu-pool": "l4-pool", gpu: "yes" }], "merged like Helm: objects key by key");
        const oci = planInference("chat", argsWith({ gpuMetrics: { install: true, repo: "oci://registry.example.com/charts", version: "4.8.1" } })).charts.gpuMetrics!;
        assert.deepStrictEqual([oci.source, oci.version], ["oci", "4.8.1"]);
    });

    it("warns without a pool (the DaemonSet would select no GPU nodes) and without ServiceMonitors", () => {
        const p = planInference("chat", argsWith({ gpuMetrics: { install: true }, monitoring: { install: false, prometheusUrl: "http://p:9090" } }));
        assert.strictEqual(p.warnings.filter((w) => w.startsWith("gpuMetrics")).length, 2);
        assert.deepStrictEqual(p.charts.gpuMetrics!.values.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    });

    it("validates gpuMetrics (every problem at once)", () => {
        assert.deepStrictEqual(problems(argsWith({
            namespace: "gpu",
            gpuMetrics: { install: "yes" as unknown as boolean, namespace: "gpu", repo: "ftp://x", extra: 1 } as never,
        })).sort(), [
            "gpuMetrics.extra: is not a known field; known fields here: install, namespace, version, repo, values",
            "gpuMetrics.install: \"yes\" is not a boolean; use true or false",
            "gpuMetrics.repo: \"ftp://x\" is not a chart source; use a chart repository URL (\"https://charts.example.com\"), an OCI registry (\"oci://registry.example.com/charts\") or a local chart directory or .tgz (a path starting with \"/\", \"./\" or \"../\")",
        ].sort());
        assert.deepStrictEqual(problems(argsWith({ gpuMetrics: { install: true, namespace: "llm" } })),
            ["gpuMetrics.namespace: \"llm\" is also the models' namespace; give dcgm-exporter its own (default \"gpu-metrics\")"]);
        assert.deepStrictEqual(problems(argsWith({ gpuMetrics: { install: true, namespace: "monitoring" } })),
            ["gpuMetrics.namespace: \"monitoring\" is also monitoring.namespace; give dcgm-exporter its own (default \"gpu-metrics\")"]);
    });

    it("is registered as a Helm release after the namespace (under mocks)", async () => {
        const { registrations } = await runWithMocks(() => {
            new LlmInference("chat", argsWith({ gpuNodePool: pool, gpuMetrics: { install: true } }));
            return {};
        });
        const rel = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "dcgm-exporter")!;
        assert.deepStrictEqual([rel.inputs.chart, rel.inputs.version, rel.inputs.namespace, rel.inputs.repositoryOpts.repo],
            ["dcgm-exporter", DCGM.chartVersion, "gpu-metrics", DCGM.repo]);
        const ns = registrations.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "gpu-metrics")!;
        assert.ok(rel.dependsOn.includes(ns.urn));
        assert.ok(registrations.some((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && r.inputs.metadata.name === "dcgm-exporter"));
    });
});

describe("gpuUtilization trigger: opt-in", () => {
    it("is off in every preset and every stack", () => {
        for (const strategy of Object.values(Strategy)) {
            const so = planInference("chat", argsWith({ models: [llama({ autoscaling: { maxReplicas: 2, strategy } })] })).scaledObjects[0];
            assert.ok(!so.spec.triggers.some((t) => t.name === TRIGGER.gpuUtilization), strategy);
        }
        for (const stack of listStacks()) {
            for (const so of planStack(stack).scaledObjects) assert.ok(!so.spec.triggers.some((t) => t.name === TRIGGER.gpuUtilization), stack);
        }
    });

    it("turns on per model with a target in percent (default 80) and an activation", () => {
        const so = planInference("chat", argsWith({ models: [llama({ autoscaling: { maxReplicas: 2, gpuUtilization: { enabled: true, target: 70, activation: 5 } } })] })).scaledObjects[0];
        const t = so.spec.triggers.find((x) => x.name === TRIGGER.gpuUtilization)!;
        assert.deepStrictEqual([(t.metadata as Record<string, string>).threshold, (t.metadata as Record<string, string>).activationThreshold], ["70", "5"]);
    });

    it("can be the only signal, and a scalingModifiers formula can read it", () => {
        const p = planInference("chat", argsWith({ models: [llama({ autoscaling: { maxReplicas: 2, strategy: "queue-depth", queueDepth: { enabled: false },
            gpuUtilization: { enabled: true }, scalingModifiers: { formula: "gpu_utilization / 80", target: 1 } } })] }));
        assert.deepStrictEqual(p.scaledObjects[0].spec.triggers.map((t) => t.name), [TRIGGER.gpuUtilization]);
    });

    it("validates: a percentage up to 100, never on the simulator engine; warns without gpuMetrics", () => {
        assert.deepStrictEqual(problems(argsWith({ models: [llama({ autoscaling: { maxReplicas: 2, gpuUtilization: { enabled: true, target: 120 } } }),
            llama({ name: "sim", modelUrl: "x/y", engine: "simulator", autoscaling: { maxReplicas: 2, gpuUtilization: { enabled: true } } })] })), [
            "models[0].autoscaling.gpuUtilization.target: 120 is above 100; use a percentage from 0 (exclusive) to 100",
            "models[1].autoscaling.gpuUtilization.enabled: is true, but the model runs the CPU simulator engine, which holds no GPU (its utilization would always read 0); turn it off, or use engine \"vllm\"",
        ]);
        const p = planInference("chat", argsWith({ models: [llama({ autoscaling: { maxReplicas: 2, gpuUtilization: { enabled: true } } })] }));
        assert.ok(p.warnings.some((w) => /gpuUtilization trigger reads dcgm-exporter/.test(w)));
    });
});
