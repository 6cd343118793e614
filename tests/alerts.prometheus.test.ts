// Every alert rule's expression evaluated by a real Prometheus (Debian's 2.42) against emulated
// vLLM engines, the router, kube-state-metrics and KEDA's operator, scraped the way the package's
// and kube-prometheus-stack's ServiceMonitors scrape them (honorLabels for the exporters). In each
// state, the rules that should hold return exactly one sample (one per model), every other rule
// returns none, and Prometheus accepts every expression. (`for:` is promtool's part:
// alerts.promtool.test.ts.)
import * as assert from "assert";
import type { InferencePlan, ModelPlan } from "../components";
import type { AlertingRule } from "../components/plan/alerts";
import { listStacks, planStack } from "../stacks/load";
import { alertsPlan } from "./fixtures";
import { withPrometheus } from "../e2e/support/prometheusHarness";
import type { VllmEmulator } from "../e2e/support/vllmEmulator";

const NS = "llm";

/** Rule ids that should return one sample: `<alert>/<model>` or `<alert>/<model>/<metric label>`. */
type Firing = string[];

function id(r: AlertingRule): string {
    return [r.alert.replace(/^VllmAutoscaling/, ""), r.labels.model, ...(r.labels.metric ? [r.labels.metric] : [])].join("/");
}

describe("alert rule expressions on a real Prometheus (one sample per model when firing, none otherwise)", function () {
    this.timeout(120_000);
    const plan: InferencePlan = alertsPlan();
    const [gpu, sim] = plan.models;
    const rules = plan.prometheusRules[0].spec.groups.flatMap((g) => g.rules);

    function healthy(emu: VllmEmulator): void {
        for (const m of plan.models) {
            emu.restoreTarget(`${m.name}-0`);
            emu.setEngine(`${m.name}-0`, { running: 1, waiting: 0, kvCacheUsage: 0.2 });
            emu.renameMetric(`${m.name}-0`, "vllm:num_requests_waiting", undefined);
            emu.setSeries("ksm", { name: "kube_deployment_status_replicas_available", labels: { namespace: NS, deployment: m.deploymentName }, value: 1 });
            const hpa = { namespace: NS, horizontalpodautoscaler: m.hpaName };
            emu.setSeries("ksm", { name: "kube_horizontalpodautoscaler_status_current_replicas", labels: hpa, value: 1 });
            emu.setSeries("ksm", { name: "kube_horizontalpodautoscaler_spec_max_replicas", labels: hpa, value: m.maxReplicas });
            const so = { namespace: NS, scaledObject: m.scaledObjectName };
            emu.setSeries("keda", { name: "keda_scaled_object_paused", labels: so, value: 0 });
        }
    }

    const promTriggers = (m: ModelPlan) => plan.scaledObjects.find((o) => o.metadata?.name === m.scaledObjectName)!.spec.triggers.filter((x) => x.type === "prometheus");
    /** KEDA's queries to Prometheus, one per trigger of each model, answered with `status` (the real label set). */
    function queries(emu: VllmEmulator, status: string, models: ModelPlan[] = plan.models): void {
        for (const m of models) {
            for (const t of promTriggers(m)) {
                emu.incSeries("keda", { name: "keda_scaler_http_requests_total", labels: {
                    namespace: NS, scaled_resource: m.scaledObjectName, scaler: "prometheus", trigger_name: t.name!, metric_name: `s0-${t.name}`, status_code: status,
                } }, 3);
            }
        }
    }

    const f = withPrometheus({
        setup: (emu) => {
            // The GPU model's engine is vLLM; the simulator model's is llm-d-inference-sim (lazy histograms).
            emu.addEngine(`${gpu.name}-0`, { model: gpu.servedModelName, namespace: NS, release: "chat", modelSpecName: gpu.name });
            emu.addEngine(`${sim.name}-0`, { model: sim.servedModelName, namespace: NS, release: "chat", modelSpecName: sim.name, flavor: "llm-d-sim" });
            emu.addRouter("router", { namespace: NS, release: "chat" });
            // kube-state-metrics (kube-prometheus-stack) and KEDA's operator, in their own namespaces.
            emu.addExporter("ksm", { namespace: "monitoring", service: "kube-prometheus-stack-kube-state-metrics" });
            emu.addExporter("keda", { namespace: "keda", service: "keda-operator" });
            for (const m of plan.models) emu.incSeries("keda", { name: "keda_scaled_object_errors_total", labels: { namespace: NS, scaledObject: m.scaledObjectName } }, 0);
            healthy(emu);
            queries(emu, "200");
        },
    });

    async function check(state: string, firing: Firing): Promise<void> {
        await f.prom.waitForScrapes(2);
        const ids = rules.map(id);
        for (const want of firing) assert.ok(ids.includes(want), `no rule ${want} in the plan (rules: ${ids.join(", ")})`);
        const wrong: string[] = [];
        for (const r of rules) {
            const samples = await f.prom.query(r.expr); // throws on a rejected expression
            const expected = firing.includes(id(r)) ? 1 : 0;
            if (samples.length !== expected) wrong.push(`${id(r)}: ${samples.length} sample(s), expected ${expected}: ${JSON.stringify(samples)}\n    ${r.expr}`);
            if (samples.length === 1) assert.deepStrictEqual(samples[0].metric, {}, `${id(r)}: the result carries no labels of its own (the rule's labels name the model)`);
        }
        assert.deepStrictEqual(wrong, [], `state "${state}":\n  ${wrong.join("\n  ")}`);
    }

    const requests = (m: ModelPlan, n = 3) => f.emu.routerRequest(m.servedModelName, n);

    it("healthy (engines ready, every series present, traffic, KEDA without errors, below max): nothing", async () => {
        requests(gpu);
        requests(sim);
        await check("healthy", []);
    });

    it("vLLM renames a metric the triggers read: SignalMissing for that model and metric only", async () => {
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:num_requests_waiting", "vllm:num_requests_waiting_v2");
        await check("gpu engine renamed waiting", [`SignalMissing/${gpu.name}/vllm:num_requests_waiting`]);
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:num_requests_waiting", undefined);
        f.emu.renameMetric(`${sim.name}-0`, "vllm:num_requests_waiting", "vllm:queue_length");
        await check("sim engine renamed waiting", [`SignalMissing/${sim.name}/vllm:num_requests_waiting`]);
        f.emu.renameMetric(`${sim.name}-0`, "vllm:num_requests_waiting", undefined);
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:kv_cache_usage_perc", "vllm:kv_cache_usage");
        await check("gpu engine renamed KV", [`SignalMissing/${gpu.name}/vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc`]);
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc");
        await check("gpu engine exports the pre-0.9 KV name (the trigger reads it)", []);
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:kv_cache_usage_perc", undefined);
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:time_to_first_token_seconds", "vllm:ttft_seconds");
        await check("gpu engine renamed the TTFT histogram", [`SignalMissing/${gpu.name}/vllm:time_to_first_token_seconds_bucket`]);
        f.emu.renameMetric(`${gpu.name}-0`, "vllm:time_to_first_token_seconds", undefined);
        await check("names back", []);
    });

    // Once its fallback serves, KEDA counts no more errors (GetMetricsWithFallback returns none), but
    // every failed or empty answer is still counted: errors_total stays flat here, as on real KEDA.
    it("KEDA's fallback serves: queries fail (GPU model) or answer nothing (sim model) with no new error counted: ScalerErrors, one per model", async () => {
        queries(f.emu, "200");
        await check("queries answered 200 (healthy, still counted)", []);
        // KEDA creates these series at their first count, which increase() does not see: count twice, a scrape apart.
        const twice = async (count: () => void) => { count(); await f.prom.waitForScrapes(2); count(); };
        await twice(() => queries(f.emu, "error", [gpu]));
        await check("gpu: Prometheus unreachable", [`ScalerErrors/${gpu.name}`]);
        await twice(() => {
            for (const t of promTriggers(sim)) {
                f.emu.incSeries("keda", { name: "keda_scaler_empty_upstream_responses_total", labels: {
                    namespace: NS, scaledResource: sim.scaledObjectName, triggerName: t.name!, metricName: `s0-${t.name}`, resourceType: "scaledobject", ignoreNullValues: "false",
                } }, 1);
            }
            queries(f.emu, "200", [sim]);
        });
        await check("sim: answers with no sample", [`ScalerErrors/${gpu.name}`, `ScalerErrors/${sim.name}`]);
    });

    it("KEDA counts scaler errors for both ScaledObjects: ScalerErrors, one per model", async () => {
        for (const m of plan.models) f.emu.incSeries("keda", { name: "keda_scaled_object_errors_total", labels: { namespace: NS, scaledObject: m.scaledObjectName } }, 2);
        await check("errors", [`ScalerErrors/${gpu.name}`, `ScalerErrors/${sim.name}`]);
    });

    it("KEDA's series for a ScaledObject are gone: KedaMetricsMissing for it", async () => {
        f.emu.deleteSeries("keda", "keda_scaled_object_paused", { scaledObject: sim.scaledObjectName });
        await check("no keda metrics for sim (errors still within the window)", [`KedaMetricsMissing/${sim.name}`, `ScalerErrors/${gpu.name}`, `ScalerErrors/${sim.name}`]);
        f.emu.setSeries("keda", { name: "keda_scaled_object_paused", labels: { namespace: NS, scaledObject: sim.scaledObjectName }, value: 0 });
    });

    it("paused ScaledObjects: PausedOnGpu for the GPU model only", async () => {
        for (const m of plan.models) f.emu.setSeries("keda", { name: "keda_scaled_object_paused", labels: { namespace: NS, scaledObject: m.scaledObjectName }, value: 1 });
        await check("both paused", [`PausedOnGpu/${gpu.name}`, `ScalerErrors/${gpu.name}`, `ScalerErrors/${sim.name}`]);
        for (const m of plan.models) f.emu.setSeries("keda", { name: "keda_scaled_object_paused", labels: { namespace: NS, scaledObject: m.scaledObjectName }, value: 0 });
    });

    it("at maxReplicas with more waiting than the queue target per engine: AtMaxReplicasSloBreached for both; at the target, none", async () => {
        for (const m of plan.models) {
            f.emu.setSeries("ksm", { name: "kube_horizontalpodautoscaler_status_current_replicas", labels: { namespace: NS, horizontalpodautoscaler: m.hpaName }, value: m.maxReplicas });
            f.emu.setEngine(`${m.name}-0`, { waiting: 6 });
        }
        const errors = [`ScalerErrors/${gpu.name}`, `ScalerErrors/${sim.name}`];
        await check("at max, 6 waiting", [`AtMaxReplicasSloBreached/${gpu.name}`, `AtMaxReplicasSloBreached/${sim.name}`, ...errors]);
        for (const m of plan.models) f.emu.setEngine(`${m.name}-0`, { waiting: 5 });
        await check("at max, 5 waiting", errors);
        // The GPU model scales on TTFT (latency-first, SLO 2 s): slow first tokens breach its SLO with an empty queue.
        f.emu.observeTtft(`${gpu.name}-0`, 4, 50);
        await check("at max, p95 TTFT above the SLO", [`AtMaxReplicasSloBreached/${gpu.name}`, ...errors]);
    });

    it("every stack's rules are accepted by Prometheus and return one sample at most", async () => {
        for (const stack of listStacks()) {
            for (const r of planStack(stack).prometheusRules.flatMap((p) => p.spec.groups.flatMap((g) => g.rules))) {
                const samples = await f.prom.query(r.expr);
                assert.ok(samples.length <= 1, `stack ${stack}: ${r.alert} returned ${samples.length} samples`);
            }
        }
    });

    it("requests for a model with no ready engine: RequestsRefused for it (and no SignalMissing: nothing is ready)", async () => {
        healthy(f.emu);
        f.emu.setSeries("ksm", { name: "kube_deployment_status_replicas_available", labels: { namespace: NS, deployment: gpu.deploymentName }, value: 0 });
        f.emu.removeTarget(`${gpu.name}-0`);
        requests(gpu, 5);
        await check("gpu at zero with requests (KEDA's errors still within the window)", [`RequestsRefused/${gpu.name}`, `ScalerErrors/${gpu.name}`, `ScalerErrors/${sim.name}`]);
    });
});
