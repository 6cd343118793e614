// The dashboard's panel queries and the opt-in gpu_utilization trigger on a real Prometheus
// (Debian's 2.42) scraping emulated vLLM engines, the router, kube-state-metrics, KEDA's operator
// and NVIDIA's dcgm-exporter. dcgm-exporter's series are shaped as its 4.8.2 source renders them
// (internal/pkg/rendermetrics/render_metrics.go: gpu, UUID, pci_bus_id, device, modelName,
// hostname, then the pod-resources attributes namespace, pod, container of the pod holding the
// GPU; none of the three for a GPU no pod holds) and scraped with honor_labels, as the package's
// ServiceMonitor does: a GPU no pod holds then carries the exporter pod's own namespace and pod.
import * as assert from "assert";
import type { DashboardPanel } from "../components/plan/dashboard";
import { gpuUtilizationQuery } from "../components/plan/queries";
import { TRIGGER } from "../components/plan/triggers";
import { dashboardPlan } from "./fixtures";
import { withPrometheus } from "../e2e/support/prometheusHarness";
import type { VllmEmulator } from "../e2e/support/vllmEmulator";

const NS = "llm";

/** One GPU as dcgm-exporter 4.8.2 renders it; `holder` = the pod-resources attributes of the pod using it. */
function gpu(emu: VllmEmulator, exporter: string, index: number, util: number, fbMiB: number, holder?: { namespace: string; pod: string }): void {
    const labels = {
        gpu: String(index), UUID: `GPU-${exporter}-${index}`, pci_bus_id: `00000000:00:0${index}.0`, device: `nvidia${index}`,
        modelName: "NVIDIA L4", hostname: `${exporter}-node`,
        ...(holder ? { container: "vllm", namespace: holder.namespace, pod: holder.pod } : {}),
    };
    emu.setSeries(exporter, { name: "DCGM_FI_DEV_GPU_UTIL", labels, value: util });
    emu.setSeries(exporter, { name: "DCGM_FI_DEV_FB_USED", labels, value: fbMiB });
}

describe("the gpu_utilization trigger on a real Prometheus (one sample in every state, the model's engine pods only)", function () {
    this.timeout(120_000);
    const plan = dashboardPlan();
    const m = plan.models[0];
    const podA = `${m.deploymentName}-7d9f8b6c5d-abcde`;
    const podB = `${m.deploymentName}-7d9f8b6c5d-fghij`;
    const query = gpuUtilizationQuery({ namespace: NS, servedModelName: m.servedModelName, deploymentName: m.deploymentName });
    const f = withPrometheus({
        setup: (emu) => {
            // Two GPU nodes' exporters in the package's namespace for them.
            emu.addExporter("dcgm-0", { namespace: "gpu-metrics", service: "dcgm-exporter" });
            emu.addExporter("dcgm-1", { namespace: "gpu-metrics", service: "dcgm-exporter" });
        },
    });
    const value = async () => {
        const samples = await f.prom.query(query);
        assert.strictEqual(samples.length, 1, `one sample, as KEDA needs: ${JSON.stringify(samples)}`);
        return samples[0].value;
    };

    it("is the trigger the ScaledObject gets, AverageValue against 80 (percent per engine)", () => {
        const t = plan.scaledObjects[0].spec.triggers.find((x) => x.name === TRIGGER.gpuUtilization)!;
        assert.strictEqual((t.metadata as Record<string, string>).query, query);
        assert.strictEqual((t.metadata as Record<string, string>).threshold, "80");
        assert.strictEqual(t.metricType, "AverageValue");
    });

    it("0 engine pods (GPUs idle, held by no pod; decoys busy): one sample of 0", async () => {
        gpu(f.emu, "dcgm-0", 0, 0, 0);
        gpu(f.emu, "dcgm-0", 1, 0, 0);
        // Decoys: a pod of another model whose name extends this one's, the same pod name in another namespace.
        gpu(f.emu, "dcgm-1", 0, 99, 20000, { namespace: NS, pod: `chat-llama3-8b-deployment-vllm-b-deployment-vllm-5f6d7-xyz12` });
        gpu(f.emu, "dcgm-1", 1, 97, 20000, { namespace: "other", pod: podA });
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await value(), 0);
    });

    it("1 engine pod with 2 GPUs (tensor parallel, 40% and 80%): its average, 60", async () => {
        gpu(f.emu, "dcgm-0", 0, 40, 15000, { namespace: NS, pod: podA });
        gpu(f.emu, "dcgm-0", 1, 80, 15000, { namespace: NS, pod: podA });
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await value(), 60);
    });

    it("2 engine pods on two nodes (60% and 30%): per-pod averages summed, 90 (the HPA divides by the replicas)", async () => {
        f.emu.deleteSeries("dcgm-1", "DCGM_FI_DEV_GPU_UTIL", { namespace: "other" });
        gpu(f.emu, "dcgm-1", 1, 30, 12000, { namespace: NS, pod: podB });
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await value(), 90);
    });

    it("no data (dcgm-exporter gone or not scraped): one sample of 0, which the SignalMissing alert covers", async () => {
        f.emu.removeTarget("dcgm-0");
        f.emu.removeTarget("dcgm-1");
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await value(), 0);
        const rule = plan.prometheusRules[0].spec.groups.flatMap((g) => g.rules).find((r) => r.labels.metric === "DCGM_FI_DEV_GPU_UTIL");
        assert.ok(rule, "a SignalMissing rule for DCGM_FI_DEV_GPU_UTIL");
    });
});

describe("dashboard panels on a real Prometheus (every query accepted, the expected series per model, values from the emulated state)", function () {
    this.timeout(120_000);
    const plan = dashboardPlan();
    const dash = plan.dashboard!;
    const [gpuModel, sim] = plan.models;
    const podA = `${gpuModel.deploymentName}-7d9f8b6c5d-abcde`;
    const triggersOf = (i: number) => plan.scaledObjects[i].spec.triggers.map((t) => t.name!);
    const kedaQuery = (scaledObject: string, trigger: string, idx: number, status: string) =>
        ({ namespace: NS, scaled_resource: scaledObject, scaler: "prometheus", trigger_name: trigger, metric_name: `s${idx}-${trigger}`, status_code: status });

    const f = withPrometheus({
        setup: (emu) => {
            emu.addEngine("gpu-0", { model: gpuModel.servedModelName, namespace: NS, release: "chat", modelSpecName: gpuModel.name, pod: podA });
            emu.addEngine("sim-0", { model: sim.servedModelName, namespace: NS, release: "chat", modelSpecName: sim.name, flavor: "llm-d-sim" });
            emu.addRouter("router", { namespace: NS, release: "chat" });
            emu.addExporter("ksm", { namespace: "monitoring", service: "kube-prometheus-stack-kube-state-metrics" });
            emu.addExporter("keda", { namespace: "keda", service: "keda-operator" });
            emu.addExporter("dcgm", { namespace: "gpu-metrics", service: "dcgm-exporter" });
            plan.models.forEach((m, i) => {
                const d = { namespace: NS, deployment: m.deploymentName };
                emu.setSeries("ksm", { name: "kube_deployment_spec_replicas", labels: d, value: 3 - i });
                emu.setSeries("ksm", { name: "kube_deployment_status_replicas_ready", labels: d, value: 2 - i });
                const so = { namespace: NS, scaledObject: m.scaledObjectName };
                emu.incSeries("keda", { name: "keda_scaled_object_errors_total", labels: so }, 0);
                // KEDA 2.20.2 records every trigger's value, labelled scaler = the trigger's name (pkg/scaling/scale_handler.go),
                // and starts every trigger's error counter at 0 (seen from the real operator in npm run demo).
                triggersOf(i).forEach((t, idx) => {
                    const labels = { ...so, scaler: t, triggerIndex: String(idx), metric: `s${idx}-${t}`, type: "scaledobject" };
                    emu.setSeries("keda", { name: "keda_scaler_metrics_value", labels, value: idx + 1 });
                    emu.incSeries("keda", { name: "keda_scaler_detail_errors_total", labels }, 0);
                    // Each trigger's queries to Prometheus, answered (KEDA's http_roundtripper.go labels).
                    emu.incSeries("keda", { name: "keda_scaler_http_requests_total", labels: kedaQuery(m.scaledObjectName, t, idx, "200") }, 5);
                });
            });
            // The router's counter is born at its first request; rate() needs it to grow after that.
            for (const m of plan.models) emu.routerRequest(m.servedModelName, 1);
            gpu(emu, "dcgm", 0, 50, 16000, { namespace: NS, pod: podA });
            gpu(emu, "dcgm", 1, 70, 18000, { namespace: NS, pod: podA });
        },
    });

    async function evaluate(): Promise<Map<string, { panel: DashboardPanel; samples: { metric: Record<string, string>; value: number }[] }>> {
        await f.prom.waitForScrapes(2);
        const out = new Map<string, { panel: DashboardPanel; samples: { metric: Record<string, string>; value: number }[] }>();
        for (const p of dash.panels) {
            for (const q of p.queries) out.set(`${p.model}/${p.title}/${q.legend}`, { panel: p, samples: await f.prom.query(q.expr) });
        }
        return out;
    }

    it("the ConfigMap's dashboard JSON runs exactly the panels' queries", () => {
        const json = JSON.parse(Object.values(dash.configMap.data)[0]);
        const targets = json.panels.filter((p: { type: string }) => p.type === "timeseries").flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
        assert.deepStrictEqual(targets, dash.panels.flatMap((p) => p.queries.map((q) => q.expr)));
        assert.strictEqual(new Set(json.panels.map((p: { id: number }) => p.id)).size, json.panels.length, "panel ids unique");
    });

    it("healthy, with traffic: one series per `one` query, one per trigger for KEDA's values, none for trigger errors", async () => {
        f.emu.routerRequest(gpuModel.servedModelName, 30);
        f.emu.routerRequest(sim.servedModelName, 10);
        f.emu.setEngine("gpu-0", { running: 7, waiting: 2, kvCacheUsage: 0.4 });
        f.emu.setEngine("sim-0", { running: 3, waiting: 1, kvCacheUsage: 0 });
        f.emu.observeTtft("gpu-0", 0.3, 100);
        const r = await evaluate();
        const wrong: string[] = [];
        for (const [key, { panel, samples }] of r) {
            const q = panel.queries.find((x) => key.endsWith(`/${x.legend}`))!;
            const i = plan.models.findIndex((m) => m.name === panel.model);
            if (q.series === "one" && samples.length !== 1) wrong.push(`${key}: ${samples.length} series`);
            if (q.series === "perTrigger") {
                const got = samples.map((s) => s.metric.scaler).sort();
                if (JSON.stringify(got) !== JSON.stringify([...triggersOf(i)].sort())) wrong.push(`${key}: scalers ${got}, expected ${triggersOf(i)}`);
            }
            if (q.series === "perFailingTrigger" && samples.length !== 0) wrong.push(`${key}: ${samples.length} series with no errors`);
            for (const s of samples) if (Number.isNaN(s.value)) wrong.push(`${key}: NaN`);
        }
        assert.deepStrictEqual(wrong, []);
        const v = (model: string, title: string, legend: string) => {
            const hit = [...r.entries()].find(([k]) => k.startsWith(`${model}/${title}`) && k.endsWith(`/${legend}`));
            assert.ok(hit, `no panel ${model}/${title}/${legend}`);
            return hit[1].samples[0].value;
        };
        assert.ok(v(gpuModel.name, "Demand", "requests/s") > 0, "demand: the router's counter grew");
        assert.strictEqual(v(gpuModel.name, "Requests", "running"), 7);
        assert.strictEqual(v(gpuModel.name, "Requests", "waiting"), 2);
        assert.strictEqual(v(sim.name, "Requests", "waiting"), 1);
        assert.strictEqual(v(gpuModel.name, "Replicas", "desired (spec)"), 3);
        assert.strictEqual(v(gpuModel.name, "Replicas", "ready"), 2);
        assert.strictEqual(v(sim.name, "Replicas", "ready"), 1);
        assert.strictEqual(v(gpuModel.name, "Replicas", "maxReplicas"), 4);
        assert.strictEqual(v(gpuModel.name, "KV-cache", "KV cache"), 0.4);
        // 100 requests at 0.3 s: bucket (0.25, 0.5], p95 = 0.25 + 0.25 x 95/100.
        assert.ok(Math.abs(v(gpuModel.name, "TTFT", "p95 TTFT") - 0.4875) < 1e-9);
        assert.strictEqual(v(gpuModel.name, "TTFT", "SLO"), 2);
        // 3 replicas x 1 GPU x (1.5 per node / 2 GPUs per node).
        assert.strictEqual(v(gpuModel.name, "GPU cost", "replicas x 1 GPU x 0.75 per GPU-hour"), 2.25);
        assert.strictEqual(v(gpuModel.name, "GPU utilization", "GPU utilization"), 60);
        assert.strictEqual(v(gpuModel.name, "GPU memory", "framebuffer used"), 34000);
        assert.strictEqual(v(gpuModel.name, "KEDA: errors", "ScaledObject errors/s"), 0);
        // The simulator model holds no GPU: neither a cost nor GPU panels.
        assert.ok(!dash.panels.some((p) => p.model === sim.name && /GPU/.test(p.title)));
    });

    it("a trigger fails: the errors panel shows that trigger only, and the ScaledObject's error rate", async () => {
        const so = { namespace: NS, scaledObject: gpuModel.scaledObjectName };
        const failing = TRIGGER.kvCache;
        const labels = { ...so, scaler: failing, triggerIndex: "2", metric: `s2-${failing}`, type: "scaledobject" };
        f.emu.incSeries("keda", { name: "keda_scaler_detail_errors_total", labels }, 0);
        await f.prom.waitForScrapes(2);
        for (let i = 0; i < 4; i++) {
            f.emu.incSeries("keda", { name: "keda_scaler_detail_errors_total", labels }, 1);
            f.emu.incSeries("keda", { name: "keda_scaled_object_errors_total", labels: so }, 1);
            await f.prom.waitForScrapes(1);
        }
        const r = await evaluate();
        const errs = [...r.entries()].filter(([k]) => k.includes("KEDA: errors"));
        const byScaler = errs.find(([k]) => k.startsWith(gpuModel.name) && k.endsWith("{{scaler}} errors/s"))![1].samples;
        assert.deepStrictEqual(byScaler.map((s) => s.metric.scaler), [failing]);
        assert.ok(byScaler[0].value > 0);
        assert.ok(errs.find(([k]) => k.startsWith(gpuModel.name) && k.endsWith("ScaledObject errors/s"))![1].samples[0].value > 0);
        assert.deepStrictEqual(errs.find(([k]) => k.startsWith(sim.name) && k.endsWith("{{scaler}} errors/s"))![1].samples, [], "the other model's panel stays empty");
    });

    // KEDA's fallback serving: no more errors are counted, but the failed and the empty answers are, per trigger.
    it("the fallback serves: the errors panel shows each trigger's failed queries and empty answers, the healthy ones' 200s not", async () => {
        const idx = triggersOf(0).indexOf(TRIGGER.load);
        const failed = kedaQuery(gpuModel.scaledObjectName, TRIGGER.load, idx, "error");
        const empty = { namespace: NS, scaledResource: sim.scaledObjectName, triggerName: TRIGGER.queueDepth, metricName: "s0-queue_depth", resourceType: "scaledobject", ignoreNullValues: "false" };
        for (let i = 0; i < 4; i++) {
            f.emu.incSeries("keda", { name: "keda_scaler_http_requests_total", labels: failed }, 2);
            f.emu.incSeries("keda", { name: "keda_scaler_empty_upstream_responses_total", labels: empty }, 1);
            triggersOf(1).forEach((t, j) => f.emu.incSeries("keda", { name: "keda_scaler_http_requests_total", labels: kedaQuery(sim.scaledObjectName, t, j, "200") }, 1));
            await f.prom.waitForScrapes(1);
        }
        const r = await evaluate();
        const errs = (model: string, legend: string) => [...r.entries()].find(([k]) => k.startsWith(`${model}/KEDA: errors`) && k.endsWith(legend))![1].samples;
        assert.deepStrictEqual(errs(gpuModel.name, "{{trigger_name}} failed queries/s").map((x) => x.metric.trigger_name), [TRIGGER.load]);
        assert.ok(errs(gpuModel.name, "{{trigger_name}} failed queries/s")[0].value > 0);
        assert.deepStrictEqual(errs(sim.name, "{{trigger_name}} failed queries/s"), [], "answered queries are not failures");
        assert.deepStrictEqual(errs(sim.name, "{{triggerName}} empty answers/s").map((x) => x.metric.triggerName), [TRIGGER.queueDepth]);
        assert.deepStrictEqual(errs(gpuModel.name, "{{triggerName}} empty answers/s"), [], "the other model's empty answers are not its own");
    });

    it("0 engine pods, no traffic, no GPU series: every `one` query still answers one sample of 0", async () => {
        for (const id of ["gpu-0", "sim-0", "dcgm"]) f.emu.removeTarget(id);
        const r = await evaluate();
        const wrong = [...r.entries()].filter(([k, { panel, samples }]) => panel.queries.find((q) => k.endsWith(`/${q.legend}`))!.series === "one"
            && samples.length !== 1).map(([k, { samples }]) => `${k}: ${samples.length}`);
        assert.deepStrictEqual(wrong, []);
    });
});
