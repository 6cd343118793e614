// The generated alert rules under Prometheus's own rule checker and unit-test runner (Debian's
// promtool 2.42): `promtool check rules` on the plan's rule groups, and `promtool test rules` with
// series fixtures for every alert firing and not firing. The fixtures are what a healthy cluster
// exports (vLLM engines, the router, kube-state-metrics, KEDA's operator, with the labels each
// really carries; see components/plan/alerts.ts), with one fault at a time; the expected alerts
// are written from the issue's words (which alert, for which model), and promtool decides.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { InferencePlan, ModelPlan } from "../components";
import type { AlertingRule } from "../components/plan/alerts";
import { listStacks, planStack } from "../stacks/load";
import { alertsPlan } from "./fixtures";

const PROMTOOL = process.env.PROMTOOL_BIN ?? "/usr/bin/promtool";
const NS = "llm";
/** Samples per series at the 1m interval: longer than the longest `for` (1 h) plus the eval times. */
const STEPS = 100;

type Series = Map<string, string>; // series selector -> promtool values notation

function sel(name: string, labels: Record<string, string>): string {
    return `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

/** What a healthy model's world exports: one ready engine, traffic, KEDA reconciling without errors, below maxReplicas. */
function healthy(m: ModelPlan, out: Series = new Map()): Series {
    const engine = { namespace: NS, model_name: m.servedModelName, pod: `${m.name}-0` };
    out.set(sel("kube_deployment_status_replicas_available", { namespace: NS, deployment: m.deploymentName }), `1x${STEPS}`);
    out.set(sel("vllm:num_requests_waiting", engine), `0x${STEPS}`);
    out.set(sel("vllm:num_requests_running", engine), `1x${STEPS}`);
    out.set(sel("vllm:kv_cache_usage_perc", engine), `0.2x${STEPS}`);
    // Every request under 0.5 s to first token.
    out.set(sel("vllm:time_to_first_token_seconds_bucket", { ...engine, le: "0.5" }), `0+10x${STEPS}`);
    out.set(sel("vllm:time_to_first_token_seconds_bucket", { ...engine, le: "+Inf" }), `0+10x${STEPS}`);
    out.set(sel("vllm:num_incoming_requests_total", { namespace: NS, model: m.servedModelName }), `0+10x${STEPS}`);
    const so = { namespace: NS, scaledObject: m.scaledObjectName };
    out.set(sel("keda_scaled_object_paused", so), `0x${STEPS}`);
    out.set(sel("keda_scaled_object_errors_total", so), `0x${STEPS}`);
    // KEDA's query to Prometheus for each trigger, answered 200 (the real label set, http_roundtripper.go).
    out.set(sel("keda_scaler_http_requests_total", kedaQuery(m, "200")), `0+4x${STEPS}`);
    const hpa = { namespace: NS, horizontalpodautoscaler: m.hpaName };
    out.set(sel("kube_horizontalpodautoscaler_status_current_replicas", hpa), `1x${STEPS}`);
    out.set(sel("kube_horizontalpodautoscaler_spec_max_replicas", hpa), `${m.maxReplicas}x${STEPS}`);
    return out;
}

function kedaQuery(m: ModelPlan, status: string): Record<string, string> {
    return { namespace: NS, scaled_resource: m.scaledObjectName, scaler: "prometheus", trigger_name: "load", metric_name: "s0-load", status_code: status };
}

function world(plan: InferencePlan, fault?: { model: string; apply: (s: Series, m: ModelPlan) => void }): Series {
    const s: Series = new Map();
    for (const m of plan.models) {
        const own: Series = healthy(m);
        if (fault && (fault.model === "*" || fault.model === m.name)) fault.apply(own, m);
        for (const [k, v] of own) s.set(k, v);
    }
    return s;
}

function drop(s: Series, metricName: string): void {
    for (const k of [...s.keys()]) if (k.startsWith(`${metricName}{`)) s.delete(k);
}

function set(s: Series, metricName: string, values: string): void {
    for (const k of [...s.keys()]) if (k.startsWith(`${metricName}{`)) s.set(k, values);
}

interface Case {
    name: string;
    series: Series;
    /** [eval time, alert name, models expected to fire (by model name; metric label for SignalMissing)] */
    expect: Array<[string, string, Array<{ model: string; metric?: string }>]>;
}

function expAlerts(rules: AlertingRule[], alert: string, firing: Array<{ model: string; metric?: string }>) {
    return firing.map((f) => {
        const rule = rules.find((r) => r.alert === alert && r.labels.model === f.model && (f.metric === undefined || r.labels.metric === f.metric));
        assert.ok(rule, `no rule ${alert} for model ${f.model}${f.metric ? ` metric ${f.metric}` : ""}`);
        return { exp_labels: rule.labels, exp_annotations: rule.annotations };
    });
}

function promtoolTests(plan: InferencePlan, rulesFile: string, cases: Case[]) {
    const rules = plan.prometheusRules[0].spec.groups.flatMap((g) => g.rules);
    return {
        rule_files: [rulesFile],
        evaluation_interval: "1m",
        tests: cases.map((c) => ({
            name: c.name,
            interval: "1m",
            input_series: [...c.series].map(([series, values]) => ({ series, values })),
            alert_rule_test: c.expect.map(([evalTime, alert, firing]) => ({ eval_time: evalTime, alertname: alert, exp_alerts: expAlerts(rules, alert, firing) })),
        })),
    };
}

function promtool(args: string[]): { status: number; output: string } {
    const r = spawnSync(PROMTOOL, args, { encoding: "utf8", timeout: 60_000 });
    if (r.error) throw new Error(`could not run ${PROMTOOL} (${r.error.message}); these tests need Debian's prometheus package (apt-get install prometheus), or PROMTOOL_BIN`);
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe("alert rules under promtool (check rules, test rules with fixtures)", function () {
    this.timeout(120_000);
    const plan = alertsPlan();
    const [gpu, sim] = plan.models;
    let dir = "";
    let rulesFile = "";
    const all = ["VllmAutoscalingSignalMissing", "VllmAutoscalingScalerErrors", "VllmAutoscalingKedaMetricsMissing",
        "VllmAutoscalingAtMaxReplicasSloBreached", "VllmAutoscalingPausedOnGpu", "VllmAutoscalingRequestsRefused"];
    const quiet = (at: string, except: string[] = []): Case["expect"] => all.filter((a) => !except.includes(a)).map((a) => [at, a, []]);

    before(function () {
        if (!fs.existsSync(PROMTOOL)) {
            throw new Error(`promtool not found at ${PROMTOOL}: install Debian's prometheus package (apt-get install prometheus; .ci/run does), or set PROMTOOL_BIN`);
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "vllm-autoscaling-rules-"));
        rulesFile = path.join(dir, "rules.yaml");
        // The PrometheusRule's spec is a Prometheus rule file; JSON is YAML.
        fs.writeFileSync(rulesFile, JSON.stringify({ groups: plan.prometheusRules[0].spec.groups }, null, 2));
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function run(cases: Case[]): { status: number; output: string } {
        const file = path.join(dir, "tests.yaml");
        fs.writeFileSync(file, JSON.stringify(promtoolTests(plan, rulesFile, cases), null, 2));
        return promtool(["test", "rules", file]);
    }
    function passes(cases: Case[]): void {
        const r = run(cases);
        assert.strictEqual(r.status, 0, `promtool test rules failed:\n${r.output}`);
    }

    it("promtool check rules accepts every rule", () => {
        const r = promtool(["check", "rules", rulesFile]);
        assert.strictEqual(r.status, 0, r.output);
        const n = plan.prometheusRules[0].spec.groups[0].rules.length;
        assert.match(r.output, new RegExp(`SUCCESS: ${n} rules found`), r.output);
    });

    it("promtool check rules accepts every stack's rules", () => {
        for (const stack of listStacks()) {
            const file = path.join(dir, `rules-${stack}.yaml`);
            fs.writeFileSync(file, JSON.stringify({ groups: planStack(stack).prometheusRules.flatMap((p) => p.spec.groups) }, null, 2));
            const r = promtool(["check", "rules", file]);
            assert.strictEqual(r.status, 0, `stack ${stack}: ${r.output}`);
        }
    });

    it("the runner can fail: expecting an alert in a healthy world is reported", () => {
        const r = run([{ name: "wrong on purpose", series: world(plan), expect: [["70m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]]] }]);
        assert.notStrictEqual(r.status, 0, r.output);
        assert.match(r.output, /VllmAutoscalingScalerErrors/);
    });

    it("healthy: no alert fires, even after the longest `for`", () => {
        passes([{ name: "healthy", series: world(plan), expect: quiet("70m") }]);
    });

    it("a metric a trigger reads disappears while the engines are ready: SignalMissing names it, after 5 minutes", () => {
        const cases: Case[] = [];
        // The GPU model (latency-first, minReplicas 0) reads waiting, running, KV and the TTFT histogram.
        for (const metric of ["vllm:num_requests_waiting", "vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:time_to_first_token_seconds_bucket"]) {
            const label = metric === "vllm:kv_cache_usage_perc" ? "vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc" : metric;
            cases.push({
                name: `${gpu.name} without ${metric}`,
                series: world(plan, { model: gpu.name, apply: (s) => drop(s, metric) }),
                expect: [["3m", "VllmAutoscalingSignalMissing", []], ["10m", "VllmAutoscalingSignalMissing", [{ model: gpu.name, metric: label }]]],
            });
        }
        // The simulator model on queue-depth reads only waiting requests: losing the others is no fault for it.
        cases.push({
            name: `${sim.name} without waiting`,
            series: world(plan, { model: sim.name, apply: (s) => drop(s, "vllm:num_requests_waiting") }),
            expect: [["10m", "VllmAutoscalingSignalMissing", [{ model: sim.name, metric: "vllm:num_requests_waiting" }]]],
        });
        cases.push({
            name: `${sim.name} without running, KV, TTFT`,
            series: world(plan, { model: sim.name, apply: (s) => ["vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:time_to_first_token_seconds_bucket"].forEach((x) => drop(s, x)) }),
            expect: [["10m", "VllmAutoscalingSignalMissing", []]],
        });
        // The KV trigger accepts the pre-0.9 name: an engine exporting only that one is fine.
        cases.push({
            name: "pre-0.9 KV name only",
            series: world(plan, {
                model: gpu.name, apply: (s, m) => {
                    drop(s, "vllm:kv_cache_usage_perc");
                    s.set(sel("vllm:gpu_cache_usage_perc", { namespace: NS, model_name: m.servedModelName, pod: `${m.name}-0` }), `0.2x${STEPS}`);
                },
            }),
            expect: [["10m", "VllmAutoscalingSignalMissing", []]],
        });
        // No ready engine (scaled to zero): nothing exports, nothing is missing.
        cases.push({
            name: "scaled to zero",
            series: world(plan, { model: gpu.name, apply: (s) => {
                set(s, "kube_deployment_status_replicas_available", `0x${STEPS}`);
                ["vllm:num_requests_waiting", "vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:time_to_first_token_seconds_bucket"].forEach((x) => drop(s, x));
                set(s, "vllm:num_incoming_requests_total", `5x${STEPS}`);
            } }),
            expect: quiet("70m"),
        });
        passes(cases);
    });

    it("KEDA counts errors for a ScaledObject: ScalerErrors for that model, one alert per model when both fail", () => {
        passes([
            { name: "gpu errors", series: world(plan, { model: gpu.name, apply: (s) => set(s, "keda_scaled_object_errors_total", `0+1x${STEPS}`) }),
                expect: [["4m", "VllmAutoscalingScalerErrors", []], ["10m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]]] },
            { name: "both error", series: world(plan, { model: "*", apply: (s) => set(s, "keda_scaled_object_errors_total", `0+1x${STEPS}`) }),
                expect: [["10m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }, { model: sim.name }]]] },
            { name: "errors stopped 10 minutes ago", series: world(plan, { model: gpu.name, apply: (s) => set(s, "keda_scaled_object_errors_total", `0+1x20 20x${STEPS - 20}`) }),
                expect: [["15m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]], ["35m", "VllmAutoscalingScalerErrors", []]] },
        ]);
    });

    // KEDA 2.20.2 counts errors until its fallback serves, then none (GetMetricsWithFallback returns no
    // error), as the loop suite measured: errors_total +12, then flat. The failed and the empty answers
    // are still counted at every query, for as long as the fault lasts.
    it("a lasting fault once KEDA's fallback serves (errors counted for 3 minutes, then flat): ScalerErrors fires and stays firing", () => {
        const fallback = (s: Series) => set(s, "keda_scaled_object_errors_total", `0+4x3 12x${STEPS - 3}`);
        const failing = (status: string) => (s: Series, m: ModelPlan) => { fallback(s); s.set(sel("keda_scaler_http_requests_total", kedaQuery(m, status)), `0+4x${STEPS}`); };
        const empty = (s: Series, m: ModelPlan) => {
            fallback(s);
            s.set(sel("keda_scaler_empty_upstream_responses_total", {
                namespace: NS, scaledResource: m.scaledObjectName, triggerName: "load", metricName: "s0-load", resourceType: "scaledobject", ignoreNullValues: "false",
            }), `0+4x${STEPS}`);
        };
        const lasting: Case["expect"] = [["4m", "VllmAutoscalingScalerErrors", []], ["10m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]],
            ["30m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]], ["90m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]]];
        passes([
            { name: "Prometheus unreachable (status_code error)", series: world(plan, { model: gpu.name, apply: failing("error") }), expect: lasting },
            { name: "a query rejected (status_code 400)", series: world(plan, { model: gpu.name, apply: failing("400") }), expect: lasting },
            { name: "answers with no sample", series: world(plan, { model: gpu.name, apply: empty }), expect: lasting },
            // What the rule read before: it fired for about 2 minutes, then resolved while the fault went on.
            { name: "the error counter alone goes quiet", series: world(plan, { model: gpu.name, apply: fallback }),
                expect: [["7m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]], ["10m", "VllmAutoscalingScalerErrors", []], ["30m", "VllmAutoscalingScalerErrors", []]] },
            { name: "the fault over 10 minutes ago", series: world(plan, { model: gpu.name, apply: (s, m) => {
                fallback(s);
                s.set(sel("keda_scaler_http_requests_total", kedaQuery(m, "error")), `0+4x20 80x${STEPS - 20}`);
            } }), expect: [["15m", "VllmAutoscalingScalerErrors", [{ model: gpu.name }]], ["35m", "VllmAutoscalingScalerErrors", []]] },
        ]);
    });

    it("no KEDA metrics for a ScaledObject: KedaMetricsMissing after 15 minutes", () => {
        passes([{ name: "keda not scraped", series: world(plan, { model: sim.name, apply: (s) => { drop(s, "keda_scaled_object_paused"); drop(s, "keda_scaled_object_errors_total"); } }),
            expect: [["10m", "VllmAutoscalingKedaMetricsMissing", []], ["20m", "VllmAutoscalingKedaMetricsMissing", [{ model: sim.name }]]] }]);
    });

    it("at maxReplicas with the SLO signal breached for 15 minutes: AtMaxReplicasSloBreached; not below max, not within the SLO", () => {
        const atMax = (s: Series, m: ModelPlan) => set(s, "kube_horizontalpodautoscaler_status_current_replicas", `${m.maxReplicas}x${STEPS}`);
        // The presets' queue-depth target is 5 waiting requests per engine; the GPU model's TTFT SLO is 2 s.
        const waiting = (n: number) => (s: Series) => set(s, "vllm:num_requests_waiting", `${n}x${STEPS}`);
        passes([
            { name: "at max, 6 waiting per engine", series: world(plan, { model: "*", apply: (s, m) => { atMax(s, m); waiting(6)(s); } }),
                expect: [["10m", "VllmAutoscalingAtMaxReplicasSloBreached", []], ["20m", "VllmAutoscalingAtMaxReplicasSloBreached", [{ model: gpu.name }, { model: sim.name }]]] },
            { name: "at max, 5 waiting per engine (at the target, not above)", series: world(plan, { model: "*", apply: (s, m) => { atMax(s, m); waiting(5)(s); } }),
                expect: [["20m", "VllmAutoscalingAtMaxReplicasSloBreached", []]] },
            { name: "below max, 6 waiting per engine", series: world(plan, { model: "*", apply: (s, m) => { set(s, "kube_horizontalpodautoscaler_status_current_replicas", `${m.maxReplicas - 1}x${STEPS}`); waiting(6)(s); } }),
                expect: [["20m", "VllmAutoscalingAtMaxReplicasSloBreached", []]] },
            { name: "at max, queue empty, p95 TTFT 4.9 s (SLO 2 s): the GPU model, which scales on TTFT", series: world(plan, { model: "*", apply: (s, m) => {
                atMax(s, m);
                const engine = { namespace: NS, model_name: m.servedModelName, pod: `${m.name}-0` };
                drop(s, "vllm:time_to_first_token_seconds_bucket");
                s.set(sel("vllm:time_to_first_token_seconds_bucket", { ...engine, le: "2.5" }), `0x${STEPS}`);
                s.set(sel("vllm:time_to_first_token_seconds_bucket", { ...engine, le: "5" }), `0+10x${STEPS}`);
                s.set(sel("vllm:time_to_first_token_seconds_bucket", { ...engine, le: "+Inf" }), `0+10x${STEPS}`);
            } }), expect: [["20m", "VllmAutoscalingAtMaxReplicasSloBreached", [{ model: gpu.name }]]] },
        ]);
    });

    it("a paused ScaledObject on a GPU model: PausedOnGpu after an hour; never for the simulator model", () => {
        passes([
            { name: "both paused", series: world(plan, { model: "*", apply: (s) => set(s, "keda_scaled_object_paused", `1x${STEPS}`) }),
                expect: [["50m", "VllmAutoscalingPausedOnGpu", []], ["70m", "VllmAutoscalingPausedOnGpu", [{ model: gpu.name }]]] },
        ]);
    });

    it("requests arrive while no engine is ready: RequestsRefused after 15 minutes; not while an engine is ready, not without requests", () => {
        const noEngine = (s: Series) => set(s, "kube_deployment_status_replicas_available", `0x${STEPS}`);
        passes([
            { name: "no engine, requests", series: world(plan, { model: gpu.name, apply: noEngine }),
                expect: [["10m", "VllmAutoscalingRequestsRefused", []], ["20m", "VllmAutoscalingRequestsRefused", [{ model: gpu.name }]]] },
            { name: "no engine, no requests", series: world(plan, { model: gpu.name, apply: (s) => { noEngine(s); set(s, "vllm:num_incoming_requests_total", `7x${STEPS}`); } }),
                expect: [["20m", "VllmAutoscalingRequestsRefused", []]] },
            { name: "woke after 10 minutes", series: world(plan, { model: gpu.name, apply: (s) => set(s, "kube_deployment_status_replicas_available", `0x10 1x${STEPS - 10}`) }),
                expect: [["30m", "VllmAutoscalingRequestsRefused", []]] },
        ]);
    });
});
