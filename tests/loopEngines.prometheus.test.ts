// The end-to-end harness's kube-state-metrics (e2e/support/loopEngines.ts), on a real
// Prometheus: ClusterEngines reads a Deployment (here from a stand-in for kubectl, as the loop
// reads the local cluster's API server) and serves what kube-state-metrics would export of it; the
// dashboard's replicas panel, planned for the loop stack, reads it back through the emulator's
// kube-state-metrics target (scraped with honor_labels, as kube-prometheus-stack scrapes it).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dashboardFor } from "../components/plan";
import { paramsForPlan } from "../components/sim/run";
import { argsFromConfig } from "../stacks/config";
import { planStackFile } from "../stacks/load";
import { KEDA_OPERATOR_METRICS_ADDRESS, KEDA_OPERATOR_POD_NAME, parseEnv, type LocalCluster } from "../e2e/support/cluster";
import { ClusterEngines, kubeStateMetricsSeries, routerTargetId } from "../e2e/support/loopEngines";
import { kedaOperatorScrapeTarget, KUBE_STATE_METRICS_ID } from "../e2e/support/loopSession";
import { withPrometheus } from "../e2e/support/prometheusHarness";
import { REPO_ROOT } from "./support/reference";

const LOOP_STACK = path.join(REPO_ROOT, "e2e", "stacks", "loop.yaml");

describe("loop harness: kube-state-metrics' Deployment series on a real Prometheus (the dashboard's replicas panel)", function () {
    this.timeout(90_000);
    const plan = planStackFile(LOOP_STACK);
    const m = plan.models[0];
    const { componentName, args } = argsFromConfig(YAML.parse(fs.readFileSync(LOOP_STACK, "utf8")));
    const replicasPanel = dashboardFor(componentName, args).panels.find((p) => p.title.startsWith("Replicas"))!;
    const routerId = routerTargetId(plan.namespace);
    // What `kubectl get deployments,pods -n <ns> -o json` answers; changed by the tests.
    let items: unknown[] = [];
    const cluster = {
        kubectl: async () => ({ code: 0, signal: null, stdout: JSON.stringify({ items }), stderr: "", ms: 1 }),
    } as unknown as LocalCluster;
    let engines: ClusterEngines | undefined;
    const f = withPrometheus({
        setup: (emu) => {
            emu.addRouter(routerId, { namespace: plan.namespace, release: plan.charts.vllmStack.releaseName });
            emu.addExporter(KUBE_STATE_METRICS_ID, { namespace: "monitoring", service: "kube-prometheus-stack-kube-state-metrics" });
        },
    });
    before(async () => {
        engines = await ClusterEngines.start({
            cluster, emulator: f.emu, routerId, kubeStateMetricsId: KUBE_STATE_METRICS_ID, maxSeconds: 80,
            models: [{ name: m.name, namespace: plan.namespace, deploymentName: m.deploymentName, servedModelName: m.servedModelName,
                engine: paramsForPlan(plan, 0).engine, engineKind: m.engine, release: plan.charts.vllmStack.releaseName }],
        });
    });
    after(() => engines?.stop());

    const deployment = (replicas: number, readyReplicas?: number) => ({
        kind: "Deployment", metadata: { name: m.deploymentName, namespace: plan.namespace },
        spec: { replicas, selector: { matchLabels: { app: "engine" } } }, status: readyReplicas === undefined ? {} : { readyReplicas },
    });
    /** The panel's answers (desired, ready, maxReplicas) once the harness has polled and Prometheus scraped twice. */
    const panel = async () => {
        await new Promise((r) => setTimeout(r, 1500));
        await f.prom.waitForScrapes(2);
        const out: Record<string, number> = {};
        for (const q of replicasPanel.queries) {
            const s = await f.prom.query(q.expr);
            assert.strictEqual(s.length, 1, `${q.legend}: one series`);
            out[q.legend] = s[0].value;
        }
        return out;
    };
    const raw = async () => (await f.prom.query(`kube_deployment_spec_replicas{deployment="${m.deploymentName}"}`)).map((s) => s.metric);

    it("before the Deployment exists: no series (the panel's fallback 0)", async () => {
        assert.deepStrictEqual(await panel(), { "desired (spec)": 0, ready: 0, maxReplicas: 4 });
        assert.deepStrictEqual(await raw(), []);
    });

    it("spec.replicas 3, status.readyReplicas 2: the panel reads 3 and 2, labelled as kube-state-metrics labels them", async () => {
        items = [deployment(3, 2)];
        assert.deepStrictEqual(await panel(), { "desired (spec)": 3, ready: 2, maxReplicas: 4 });
        const [metric] = await raw();
        assert.strictEqual(metric.namespace, plan.namespace, "the Deployment's namespace, not the exporter's (honor_labels)");
        assert.strictEqual(metric.deployment, m.deploymentName);
        assert.strictEqual(metric.job, "kube-prometheus-stack-kube-state-metrics");
    });

    it("scaled to zero (no readyReplicas in the status), then deleted: 0 and 0, then no series", async () => {
        items = [deployment(0)];
        assert.deepStrictEqual(await panel(), { "desired (spec)": 0, ready: 0, maxReplicas: 4 });
        assert.strictEqual((await raw()).length, 1, "a Deployment at zero still has its series");
        items = [];
        await panel();
        assert.deepStrictEqual(await raw(), []);
    });
});

describe("loop harness: the sources of the dashboard's replicas and KEDA panels (no Prometheus)", () => {
    it("kube-state-metrics of a Deployment: spec.replicas and status.readyReplicas (0 when unset), namespace and deployment; nothing without one", () => {
        const labels = { namespace: "llm", deployment: "d" };
        assert.deepStrictEqual(kubeStateMetricsSeries("llm", "d", { spec: { replicas: 3 }, status: { readyReplicas: 2, replicas: 3 } }), [
            { name: "kube_deployment_spec_replicas", labels, value: 3, type: "gauge" },
            { name: "kube_deployment_status_replicas_ready", labels, value: 2, type: "gauge" },
        ]);
        assert.deepStrictEqual(kubeStateMetricsSeries("llm", "d", { spec: { replicas: 0 }, status: {} }).map((s) => s.value), [0, 0]);
        assert.deepStrictEqual(kubeStateMetricsSeries("llm", "d", undefined), []);
    });

    it("the real KEDA operator is scraped as the package's KEDA ServiceMonitor says: job keda-operator, honor_labels, /metrics, in KEDA's namespace", () => {
        const plan = planStackFile(LOOP_STACK);
        assert.deepStrictEqual(kedaOperatorScrapeTarget(plan), {
            job: "keda-operator", address: "127.0.0.1:18080", metricsPath: "/metrics", honorLabels: true,
            labels: { namespace: "keda", service: "keda-operator", endpoint: "metrics", pod: "keda-operator-e2e", container: "keda-operator" },
        });
        assert.strictEqual(kedaOperatorScrapeTarget({ ...plan, charts: { vllmStack: plan.charts.vllmStack } }), undefined, "no KEDA installed, no target");
    });

    it("the KEDA operator's metrics address and pod name are the ones e2e/cluster/cluster.sh starts it with, both read from cluster.env", () => {
        const dir = path.join(REPO_ROOT, "e2e", "cluster");
        const sh = fs.readFileSync(path.join(dir, "cluster.sh"), "utf8");
        const env = parseEnv(fs.readFileSync(path.join(dir, "cluster.env"), "utf8"));
        assert.match(sh, /^source "\$HERE\/cluster\.env"$/m, "cluster.sh reads cluster.env");
        assert.strictEqual(KEDA_OPERATOR_METRICS_ADDRESS, `127.0.0.1:${env.P_KEDA_METRICS}`);
        assert.match(sh, /--metrics-bind-address "127\.0\.0\.1:\$P_KEDA_METRICS"/);
        assert.strictEqual(KEDA_OPERATOR_POD_NAME, env.KEDA_OPERATOR_POD_NAME);
        assert.match(sh, /POD_NAME="\$KEDA_OPERATOR_POD_NAME" /);
        // Declared once: no value of cluster.env is written again in the script (the namespace's name
        // is also the kubeconfig's cluster and user name there, a name, not a copy of the setting).
        const copies = Object.entries(env).filter(([k, v]) => k !== "NETNS_DEFAULT" && v.length >= 4 && sh.includes(v)).map(([k, v]) => `${k}=${v}`);
        assert.deepStrictEqual(copies, [], "cluster.sh repeats values of cluster.env");
    });
});
