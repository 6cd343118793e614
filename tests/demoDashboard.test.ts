// The pure parts of `npm run demo`'s dashboard picture (scripts/demo/dashboard.ts): the panels it
// plans for the loop stack, the notes on the panels left out, the series selectors it checks.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dashboardFor } from "../components/plan";
import type { DashboardPanel } from "../components/plan/dashboard";
import {
    DEMO_DASHBOARD_RATE_WINDOW_SECONDS, missingPanelNotes, missingSources, panelSelectors, selectorMetric,
} from "../scripts/demo/dashboard";
import { argsFromConfig } from "../stacks/config";
import { planStackFile } from "../stacks/load";
import { dashboardPlan } from "./fixtures";
import { REPO_ROOT } from "./support/reference";

const LOOP_STACK = path.join(REPO_ROOT, "e2e", "stacks", "loop.yaml");

function loopDashboard() {
    const { componentName, args } = argsFromConfig(YAML.parse(fs.readFileSync(LOOP_STACK, "utf8")));
    return dashboardFor(componentName, args, { rateWindowSeconds: DEMO_DASHBOARD_RATE_WINDOW_SECONDS });
}

describe("demo dashboard: the loop stack's panels", () => {
    it("plans the panels the loop stack would get with the dashboard on: no GPU cost or GPU panels for the simulator engine, and says why", () => {
        const plan = planStackFile(LOOP_STACK);
        assert.strictEqual(plan.dashboard, undefined, "the loop stack itself writes no dashboard");
        const dash = loopDashboard();
        assert.deepStrictEqual(dash.panels.map((p) => p.title), ["Demand (router requests/s)", "Requests running and waiting", "Replicas: desired vs ready",
            "KV-cache usage (average per engine)", "TTFT p95 vs SLO (2 s)", "KEDA: scaler values (per trigger)", "KEDA: errors"]);
        assert.deepStrictEqual(missingPanelNotes(plan, dash.panels), [
            "chat: no GPU cost panel: the simulator engine holds no GPU",
            "chat: no GPU utilization or memory panels: the simulator engine holds no GPU, so no dcgm-exporter",
        ]);
        const gpu = dashboardPlan();
        assert.deepStrictEqual(missingPanelNotes(gpu, gpu.dashboard!.panels), [
            "small: no GPU cost panel: the simulator engine holds no GPU",
            "small: no GPU utilization or memory panels: the simulator engine holds no GPU, so no dcgm-exporter",
        ], "the GPU model has them all");
    });

    it("lists every series selector the queries read, once, with quoted braces kept", () => {
        const sels = panelSelectors(loopDashboard().panels);
        assert.deepStrictEqual(sels.map(selectorMetric), [
            "vllm:num_incoming_requests_total", "vllm:num_requests_running", "vllm:num_requests_waiting",
            "kube_deployment_spec_replicas", "kube_deployment_status_replicas_ready",
            "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "vllm:time_to_first_token_seconds_bucket",
            "keda_scaler_metrics_value", "keda_scaled_object_errors_total", "keda_scaler_detail_errors_total",
            "keda_scaler_http_requests_total", "keda_scaler_empty_upstream_responses_total",
        ]);
        assert.ok(sels.includes('kube_deployment_spec_replicas{namespace="llm",deployment="loop-chat-deployment-vllm"}'));
        assert.ok(sels.includes('keda_scaler_metrics_value{namespace="llm",scaledObject="loop-chat",type="scaledobject"}'));
        const odd: DashboardPanel = { id: 1, model: "m", title: "t", unit: "short", queries: [
            { refId: "A", expr: 'sum(a{x="}{"}) + sum(a{x="}{"}) + vector(1) + b{y="\\"q\\""}', legend: "l", series: "one" },
        ] };
        assert.deepStrictEqual(panelSelectors([odd]), ['a{x="}{"}', 'b{y="\\"q\\""}']);
    });

    it("names the sources without data, except the ones the demo cannot have", () => {
        assert.deepStrictEqual(missingSources([
            { selector: 'kube_deployment_spec_replicas{namespace="llm"}', series: 1 },
            { selector: 'vllm:gpu_cache_usage_perc{namespace="llm"}', series: 0 },
            { selector: 'keda_scaler_metrics_value{namespace="llm"}', series: 0 },
        ]), ['keda_scaler_metrics_value{namespace="llm"}']);
    });
});
