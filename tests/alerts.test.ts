// The alerts in the plan: which rules each model gets (from the trigger table in docs/scaling.md, not
// from the code), thresholds from the model's own plan, the monitoring.alerts switches and their
// validation, and the manifests against the upstream CRDs and the KEDA chart they rely on.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { planInference, PlanValidationError } from "../components";
import type { LlmInferenceArgs, Model } from "../components";
import { argsWith, llama } from "./fixtures";
import { crdValidator, KEDA_CHART, PROMETHEUS_RULE_CRD, SERVICE_MONITOR_CRD, skipUnlessPresent } from "./support/reference";

const rulesOf = (args: LlmInferenceArgs) => planInference("chat", args).prometheusRules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules));
const one = (model: Partial<Model>) => argsWith({ models: [llama(model)] });
const missingMetrics = (args: LlmInferenceArgs) => rulesOf(args).filter((r) => r.alert === "VllmAutoscalingSignalMissing").map((r) => r.labels.metric).sort();

const WAITING = "vllm:num_requests_waiting";
const RUNNING = "vllm:num_requests_running";
const KV = "vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc";
const TTFT = "vllm:time_to_first_token_seconds_bucket";

describe("alerts: the rules each model gets", () => {
    it("SignalMissing covers exactly the engine series the model's triggers read (docs/scaling.md, The scaling rules)", () => {
        const cases: Array<[string, Partial<Model>, string[]]> = [
            // queue_depth: waiting; load: running + waiting; kv_cache: the KV gauge (either name).
            ["balanced, minReplicas 1", { autoscaling: { minReplicas: 1, maxReplicas: 4 } }, [WAITING, RUNNING, KV]],
            ["queue-depth, minReplicas 1", { autoscaling: { minReplicas: 1, maxReplicas: 4, strategy: "queue-depth" } }, [WAITING]],
            // wake_on_request also reads the engines' running requests.
            ["queue-depth, minReplicas 0", { autoscaling: { minReplicas: 0, maxReplicas: 4, strategy: "queue-depth" } }, [WAITING, RUNNING]],
            // ttft_p95: the TTFT histogram and running (engine count).
            ["latency-first on vLLM", { autoscaling: { minReplicas: 1, maxReplicas: 4, strategy: "latency-first" } }, [WAITING, RUNNING, KV, TTFT]],
            // The simulator creates its histograms only on the first request: their absence is no fault.
            ["latency-first on the simulator", { engine: "simulator", autoscaling: { minReplicas: 1, maxReplicas: 4, strategy: "latency-first" } }, [WAITING, RUNNING, KV]],
            ["queue-depth trigger off, load on", { autoscaling: { minReplicas: 1, maxReplicas: 4, strategy: "queue-depth", queueDepth: { enabled: false }, load: { enabled: true } } }, [WAITING, RUNNING]],
        ];
        for (const [what, model, metrics] of cases) assert.deepStrictEqual(missingMetrics(one(model)), [...metrics].sort(), what);
    });

    it("every model gets the other alerts once; PausedOnGpu only GPU models", () => {
        const rules = rulesOf(argsWith({ models: [llama(), llama({ name: "sim", servedModelName: "sim", engine: "simulator" })] }));
        const count = (alert: string, model: string) => rules.filter((r) => r.alert === alert && r.labels.model === model).length;
        for (const alert of ["VllmAutoscalingScalerErrors", "VllmAutoscalingKedaMetricsMissing", "VllmAutoscalingAtMaxReplicasSloBreached", "VllmAutoscalingRequestsRefused"]) {
            assert.strictEqual(count(alert, "llama3-8b"), 1, alert);
            assert.strictEqual(count(alert, "sim"), 1, alert);
        }
        assert.strictEqual(count("VllmAutoscalingPausedOnGpu", "llama3-8b"), 1);
        assert.strictEqual(count("VllmAutoscalingPausedOnGpu", "sim"), 0);
    });

    it("thresholds come from the model's plan: its queue-depth target, its TTFT SLO, its HPA (keda-hpa-<ScaledObject>)", () => {
        const rules = rulesOf(one({ autoscaling: { minReplicas: 1, maxReplicas: 6, strategy: "latency-first", targetQueueDepth: 8, ttft: { target: 1.5 } } }));
        const atMax = rules.find((r) => r.alert === "VllmAutoscalingAtMaxReplicasSloBreached")!;
        assert.match(atMax.expr, / > 8\)/);
        assert.match(atMax.expr, / > 1\.5\)/);
        // KEDA 2.20.2 controllers/keda/hpa.go getDefaultHpaName.
        assert.match(atMax.expr, /horizontalpodautoscaler="keda-hpa-chat-llama3-8b"/);
        assert.match(atMax.annotations.summary, /\(6\)/);
        const balanced = rulesOf(one({ autoscaling: { minReplicas: 1, maxReplicas: 6 } })).find((r) => r.alert === "VllmAutoscalingAtMaxReplicasSloBreached")!;
        assert.doesNotMatch(balanced.expr, /time_to_first_token/, "no TTFT condition for a model that does not scale on it");
    });

    it("each alert says what is wrong and what to do, and SignalMissing names its metric", () => {
        for (const r of rulesOf(argsWith())) {
            for (const k of ["summary", "description", "runbook"] as const) assert.ok(r.annotations[k].length > 20, `${r.alert} ${k}`);
            assert.ok(!/\{\{/.test(JSON.stringify(r.annotations)), "no template syntax: Prometheus would expand it");
            if (r.alert === "VllmAutoscalingSignalMissing") assert.ok(r.annotations.summary.includes(r.labels.metric));
        }
    });
});

describe("alerts: monitoring.alerts", () => {
    it("on with kube-prometheus-stack, off without it, on request with your own Prometheus Operator", () => {
        assert.strictEqual(planInference("chat", argsWith()).prometheusRules.length, 1);
        const own = { install: false, prometheusUrl: "http://prom:9090" };
        assert.strictEqual(planInference("chat", argsWith({ monitoring: own })).prometheusRules.length, 0);
        assert.strictEqual(planInference("chat", argsWith({ monitoring: { ...own, alerts: { enabled: true } } })).prometheusRules.length, 1);
        assert.strictEqual(planInference("chat", argsWith({ monitoring: { alerts: { enabled: false } } })).prometheusRules.length, 0);
    });

    it("turns one alert off, and sets for and severity per alert", () => {
        const rules = rulesOf(argsWith({ monitoring: { alerts: { paused: { enabled: false }, atMaxReplicas: { forSeconds: 1800, severity: "critical" } } } }));
        assert.ok(!rules.some((r) => r.alert === "VllmAutoscalingPausedOnGpu"));
        const atMax = rules.find((r) => r.alert === "VllmAutoscalingAtMaxReplicasSloBreached")!;
        assert.strictEqual(atMax.for, "1800s");
        assert.strictEqual(atMax.labels.severity, "critical");
        const errors = rules.find((r) => r.alert === "VllmAutoscalingScalerErrors")!;
        assert.deepStrictEqual([errors.for, errors.labels.severity], ["300s", "critical"], "others keep their defaults");
    });

    it("reports every problem at once, with its path", () => {
        try {
            planInference("chat", argsWith({ monitoring: { alerts: {
                enabled: "yes" as any, paused: { forSeconds: -5, severity: "page" }, scalerErrors: { enabeld: true } as any, ...({ bogus: {} } as any),
            } } }));
            assert.fail("expected a PlanValidationError");
        } catch (e) {
            assert.ok(e instanceof PlanValidationError, String(e));
            assert.deepStrictEqual(e.problems.map((p) => p.path).sort(), [
                "monitoring.alerts.bogus", "monitoring.alerts.enabled", "monitoring.alerts.paused.forSeconds",
                "monitoring.alerts.paused.severity", "monitoring.alerts.scalerErrors.enabeld",
            ]);
            assert.match(e.message, /use one of "critical", "warning", "info"/);
        }
    });
});

describe("alerts: manifests against upstream CRDs and the KEDA chart", () => {
    it("the PrometheusRule is valid for the Prometheus Operator CRD kube-prometheus-stack 82.4.3 installs (undeclared fields rejected)", function () {
        skipUnlessPresent(this, PROMETHEUS_RULE_CRD);
        const validate = crdValidator(PROMETHEUS_RULE_CRD);
        const rule = planInference("chat", argsWith({ models: [llama({ autoscaling: { minReplicas: 0, maxReplicas: 3, strategy: "latency-first" } })] })).prometheusRules[0];
        assert.deepStrictEqual(validate(rule), []);
        const broken = structuredClone(rule) as any;
        broken.spec.groups[0].rules[0].fore = "5m";
        assert.ok(validate(broken).length > 0, "the check can fail");
    });

    it("KEDA's operator metrics: the package turns them on and its ServiceMonitor selects the chart's Service and port, with honorLabels", function () {
        skipUnlessPresent(this, KEDA_CHART);
        skipUnlessPresent(this, SERVICE_MONITOR_CRD);
        const p = planInference("chat", argsWith());
        assert.deepStrictEqual(p.charts.keda!.values.prometheus, { operator: { enabled: true } });
        const sm = p.serviceMonitors.find((s) => s.metadata.namespace === "keda")!;
        assert.ok(sm, "a ServiceMonitor in KEDA's namespace");
        assert.deepStrictEqual(crdValidator(SERVICE_MONITOR_CRD)(sm), []);
        const values = YAML.parse(fs.readFileSync(path.join(KEDA_CHART, "values.yaml"), "utf8"));
        const service = fs.readFileSync(path.join(KEDA_CHART, "templates/manager/service.yaml"), "utf8");
        // templates/manager/service.yaml: labels app.kubernetes.io/name: {{ .Values.operator.name }}; port `metrics` only with prometheus.operator.enabled.
        assert.match(service, /app\.kubernetes\.io\/name: \{\{ \.Values\.operator\.name \}\}/);
        assert.match(service, /if \.Values\.prometheus\.operator\.enabled \}\}\s*\n\s*- name: metrics\n\s*port: \{\{ \.Values\.prometheus\.operator\.port \}\}/);
        assert.deepStrictEqual(sm.spec.selector.matchLabels, { "app.kubernetes.io/name": values.operator.name });
        assert.strictEqual(sm.spec.endpoints[0].port, "metrics");
        assert.strictEqual(sm.spec.endpoints[0].honorLabels, true, "keep the metrics' namespace (the ScaledObject's), not the target's");
        assert.deepStrictEqual(sm.spec.namespaceSelector, { matchNames: ["keda"] });
    });

    it("no KEDA ServiceMonitor or metrics values when the package does not install KEDA", () => {
        const p = planInference("chat", argsWith({ keda: { install: false } }));
        assert.ok(!p.serviceMonitors.some((s) => s.metadata.namespace === "keda"));
    });
});
