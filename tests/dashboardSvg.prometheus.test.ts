// scripts/dashboardSvg.ts against a real Prometheus: the dashboard's own range queries over an
// emulated minute-long story (load rises, then falls), drawn to an SVG with a line per series.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { elapsed, fetchPanelData, formatLegend, renderDashboardSvg } from "../scripts/dashboardSvg";
import type { DashboardPanel } from "../components/plan/dashboard";
import { esc } from "../components/sim/svg";
import { dashboardPlan } from "./fixtures";
import { withPrometheus } from "../e2e/support/prometheusHarness";
import { REPO_ROOT } from "./support/reference";

const NS = "llm";

describe("dashboard picture (scripts/dashboardSvg.ts) from a real Prometheus", function () {
    this.timeout(120_000);
    const plan = dashboardPlan();
    const [gpuModel, sim] = plan.models;
    const f = withPrometheus({
        setup: (emu) => {
            emu.addEngine("gpu-0", { model: gpuModel.servedModelName, namespace: NS, release: "chat", modelSpecName: gpuModel.name });
            emu.addEngine("sim-0", { model: sim.servedModelName, namespace: NS, release: "chat", modelSpecName: sim.name, flavor: "llm-d-sim" });
            emu.addRouter("router", { namespace: NS, release: "chat" });
            emu.addExporter("ksm", { namespace: "monitoring", service: "kube-prometheus-stack-kube-state-metrics" });
            emu.addExporter("keda", { namespace: "keda", service: "keda-operator" });
            plan.models.forEach((m, i) => plan.scaledObjects[i].spec.triggers.forEach((t, idx) => emu.setSeries("keda", { name: "keda_scaler_metrics_value",
                labels: { namespace: NS, scaledObject: m.scaledObjectName, scaler: t.name!, triggerIndex: String(idx), metric: `s${idx}-${t.name}`, type: "scaledobject" }, value: idx })));
            for (const m of plan.models) {
                emu.routerRequest(m.servedModelName, 1);
                emu.setSeries("ksm", { name: "kube_deployment_spec_replicas", labels: { namespace: NS, deployment: m.deploymentName }, value: 1 });
                emu.setSeries("ksm", { name: "kube_deployment_status_replicas_ready", labels: { namespace: NS, deployment: m.deploymentName }, value: 1 });
                emu.incSeries("keda", { name: "keda_scaled_object_errors_total", labels: { namespace: NS, scaledObject: m.scaledObjectName } }, 0);
            }
        },
    });

    it("formats Grafana legends from the series' labels", () => {
        assert.strictEqual(formatLegend("{{scaler}} errors/s", { scaler: "kv_cache" }), "kv_cache errors/s");
        assert.strictEqual(formatLegend("running", {}), "running");
    });

    it("draws every panel's series over time, with the values the engines reported", async () => {
        const start = Math.floor(Date.now() / 1000);
        for (const [running, replicas] of [[2, 1], [12, 2], [30, 3], [5, 3]]) {
            f.emu.setEngine("gpu-0", { running, waiting: running > 20 ? 4 : 0, kvCacheUsage: running / 64 });
            f.emu.setSeries("ksm", { name: "kube_deployment_spec_replicas", labels: { namespace: NS, deployment: gpuModel.deploymentName }, value: replicas });
            f.emu.routerRequest(gpuModel.servedModelName, running);
            await f.prom.waitForScrapes(2);
        }
        const end = Math.ceil(Date.now() / 1000);
        const data = await fetchPanelData(`http://127.0.0.1:${f.prom.port}`, plan.dashboard!.panels, start, end, 1);
        assert.deepStrictEqual(data.flatMap((d) => d.errors), [], "Prometheus accepted every query");
        assert.strictEqual(data.length, plan.dashboard!.panels.length);
        const running = data.find((d) => d.panel.model === gpuModel.name && d.panel.title.startsWith("Requests"))!.series.find((s) => s.legend === "running")!;
        const seen = new Set(running.points.map((p) => p[1]));
        for (const v of [2, 12, 30, 5]) assert.ok(seen.has(v), `running = ${v} drawn (saw ${[...seen]})`);
        const cost = data.find((d) => d.panel.title.startsWith("GPU cost"))!.series[0];
        assert.ok(cost.points.some((p) => p[1] === 3 * 0.75), "cost follows the desired replicas x GPU price");

        const svg = renderDashboardSvg(plan.dashboard!.title, data, start, end);
        const out = path.join(REPO_ROOT, ".tmp", "dashboard-test.svg");
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, svg);
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.strictEqual(svg.match(/<svg /g)!.length, 1);
        assert.ok(svg.trimEnd().endsWith("</svg>"));
        assert.ok(!/NaN|undefined|Infinity/.test(svg), "no broken coordinates or labels");
        for (const p of plan.dashboard!.panels) assert.ok(svg.includes(`>${esc(p.title)} <tspan`), `panel "${p.title}" drawn`);
        const drawn = (svg.match(/<polyline /g) ?? []).length + (svg.match(/<circle /g) ?? []).length;
        const withPoints = data.reduce((n, d) => n + d.series.filter((s) => s.points.some((p) => Number.isFinite(p[1]))).length, 0);
        assert.strictEqual(drawn, withPoints, "one line per series with data");
        assert.ok(withPoints >= plan.dashboard!.panels.length, "every panel has at least one line");
    });
});

describe("dashboard picture: notes under the heading and the time axis (no Prometheus)", () => {
    const panel: DashboardPanel = { id: 1, model: "chat", title: "Replicas", unit: "short", queries: [{ refId: "A", expr: "x", legend: "desired", series: "one" }] };
    const data = [{ panel, series: [{ legend: "desired", points: [[100, 0], [160, 2], [310, 1]] as [number, number][] }], errors: [] }];

    it("writes each note under the heading (escaped) and moves the panels down to make room", () => {
        const plain = renderDashboardSvg("T", data, 100, 310);
        const noted = renderDashboardSvg("T", data, 100, 310, { notes: ["engines <emulated>", "keda: real"] });
        assert.ok(noted.includes(">engines &lt;emulated&gt;</text>") && noted.includes(">keda: real</text>"));
        const height = (svg: string) => Number(/ height="(\d+)"/.exec(svg)![1]);
        assert.strictEqual(height(noted) - height(plain), 30);
        assert.ok(!/NaN|undefined/.test(noted));
    });

    it("labels the x axis from 0 to the range's length", () => {
        assert.strictEqual(elapsed(210), "210 s");
        assert.strictEqual(elapsed(1800), "30 min");
        assert.strictEqual(elapsed(5400), "90 min");
        assert.ok(renderDashboardSvg("T", data, 100, 310).includes(">210 s</text>"));
    });
});
