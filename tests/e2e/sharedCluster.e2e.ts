// Two LlmInference stacks in one cluster, as platform teams run them: stack A installs KEDA and
// kube-prometheus-stack, stack B (another team's models, another namespace) installs neither and
// uses A's. On the real Pulumi engine and a real control plane (e2e/cluster/cluster.sh):
// - neither takes over the other's objects (each previews no changes after a refresh);
// - a model added and removed updates A's dashboard ConfigMap in place (same object, same uid);
// - destroying B leaves A whole and scaling; destroying A leaves B's ScaledObjects and KEDA's CRDs
//   (kept by design), and B takes KEDA over with `keda.install: true`;
// - at the end, nothing is left but what docs/resources.md says destroy leaves.
// KEDA's operator and adapter run out of cluster here (the harness's, not the chart's pods): what
// destroying A does to KEDA's pods in a real cluster is in docs/resources.md, not proven here.
import * as assert from "node:assert";
import { LocalCluster } from "../../e2e/support/cluster";
import { e2eStack, type E2eStack } from "../../e2e/support/e2eStacks";
import { inventory, leftBehind } from "../../e2e/support/inventory";
import { requireTools } from "../../e2e/support/paths";
import { need, waitFor } from "../../e2e/support/proc";
import { PrometheusHarness } from "../../e2e/support/prometheusHarness";
import { PulumiProject, PulumiStack } from "../../e2e/support/pulumiStack";
import { mergeValues, type Values } from "../../components/plan/merge";

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** B: the dev stack's model under another name and namespace, KEDA and monitoring left to A. */
const B_CONFIG: Values = { name: "team-b", namespace: "team-b", keda: { install: false }, monitoring: { install: false } };
/** The model A adds and removes again (the dev model's settings under another name). */
const EXTRA_MODEL = "qwen-extra";
const KEDA_CRD = "scaledobjects.keda.sh";

interface Deployed {
    e2e: E2eStack;
    stack: PulumiStack;
    /** Router id in the suite's metrics emulator. */
    router: string;
}

describe("end-to-end: two stacks in one cluster (shared KEDA and monitoring)", function () {
    this.timeout(30 * 60_000);
    let cluster: LocalCluster | undefined;
    let prom: PrometheusHarness | undefined;
    let project: PulumiProject | undefined;
    let baseline: Set<string> | undefined;
    const deployed: Partial<Record<"a" | "b", Deployed>> = {};
    const live = new Set<"a" | "b">();
    const c = () => need(cluster, "cluster");
    const a = () => need(deployed.a, "stack A");
    const b = () => need(deployed.b, "stack B");

    before(async () => {
        requireTools();
        cluster = await LocalCluster.fresh();
        prom = await PrometheusHarness.start();
        project = await PulumiProject.create(cluster.kubeconfig);
        for (const [key, extra] of [["a", {}], ["b", B_CONFIG]] as const) {
            const e2e = e2eStack("dev", prom.url, {}, extra);
            const stack = await project.stack(`shared-${key}`, e2e.config);
            // The router each stack's first request reaches (no container runs here): its counter wakes the model.
            prom.emulator.addRouter(`router-${key}`, { namespace: e2e.plan.namespace, release: e2e.plan.charts.vllmStack.releaseName });
            deployed[key] = { e2e, stack, router: `router-${key}` };
        }
        baseline = (await inventory(cluster)).ids;
    });

    after(async () => {
        // Best effort, B first (it uses A's KEDA): leave no stack, process or folder behind.
        for (const key of ["b", "a"] as const) {
            if (live.has(key)) await deployed[key]?.stack.destroy().catch((e) => log(`cleanup destroy of ${key} failed: ${String(e).slice(0, 300)}`));
        }
        await prom?.stop();
        await cluster?.down();
        project?.remove();
        for (const d of Object.values(deployed)) d?.e2e.removeTemporary();
    });

    async function up(key: "a" | "b"): Promise<void> {
        const r = await need(deployed[key], `stack ${key}`).stack.up();
        live.add(key);
        log(`up ${key}: ${(r.ms / 1000).toFixed(1)} s, ${r.stdout.split("\n").find((l) => /^\s+[+~-] \d+ (created|updated|deleted)/.test(l))?.trim() ?? ""}`);
    }

    async function destroy(key: "a" | "b"): Promise<void> {
        const r = await need(deployed[key], `stack ${key}`).stack.destroy();
        live.delete(key);
        log(`destroy ${key}: ${(r.ms / 1000).toFixed(1)} s`);
    }

    /** What drift detection runs: the live objects read back, then no change wanted. */
    async function noDriftAfterRefresh(d: Deployed): Promise<void> {
        const r = await d.stack.preview(["--refresh", "--expect-no-changes"], { allowFailure: true });
        assert.strictEqual(r.code, 0, `${d.stack.name}: preview --refresh wants changes:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    }

    /**
     * Each ScaledObject Ready in KEDA, and KEDA still at work on it: after a request reaches the
     * model's router, the operator finds its trigger active (status.lastActiveTime advances) and
     * the Deployment runs at least one replica (from zero: the wake).
     */
    async function scales(d: Deployed): Promise<void> {
        const plan = d.e2e.plan;
        for (const [i, so] of plan.scaledObjects.entries()) {
            const name = so.metadata!.name!;
            const get = () => c().get(["scaledobjects.keda.sh", name, "-n", plan.namespace]);
            await waitFor(`ScaledObject ${name} Ready`, 90_000, async () =>
                ((await get())?.status?.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True") ? true : undefined);
            const m = plan.models[i];
            const replicas = async (): Promise<number> => (await c().get(["deployment", m.deploymentName, "-n", plan.namespace]))?.spec?.replicas ?? 0;
            const from = await replicas();
            // lastActiveTime has whole seconds.
            const since = Math.floor(Date.now() / 1000) * 1000;
            need(prom, "Prometheus").emulator.routerRequest(m.servedModelName, 1, d.router);
            const bound = Number(so.spec.pollingInterval ?? 30) + 60;
            await waitFor(`${name} active after the request and ${m.deploymentName} running`, bound * 1000, async () => {
                const last = Date.parse((await get())?.status?.lastActiveTime ?? "");
                return last >= since && (await replicas()) >= 1 ? true : undefined;
            });
            log(`${plan.namespace}/${name}: Ready, active ${((Date.now() - since) / 1000).toFixed(1)} s after a request; ${m.deploymentName} ${from} -> ${await replicas()}`);
        }
    }

    async function dashboardConfigMap(): Promise<any> {
        const cm = need(a().e2e.plan.dashboard, "A's dashboard").configMap;
        return c().get(["configmap", cm.metadata.name, "-n", cm.metadata.namespace]);
    }

    it("deploys A (KEDA, kube-prometheus-stack, the dashboard), then B into the same cluster with neither installed", async () => {
        assert.ok(a().e2e.plan.charts.keda && a().e2e.plan.charts.kubePrometheusStack);
        assert.strictEqual(a().e2e.plan.dashboard?.writtenBy, "kube-prometheus-stack");
        assert.ok(!b().e2e.plan.charts.keda && !b().e2e.plan.charts.kubePrometheusStack && !b().e2e.plan.dashboard);
        await up("a");
        await up("b");
        for (const d of [a(), b()]) await scales(d);
    });

    it("neither stack takes over the other's objects: each previews no changes after a refresh", async () => {
        for (const d of [a(), b()]) await noDriftAfterRefresh(d);
    });

    it("a model added and removed updates the dashboard's ConfigMap in place: the same object (uid), the planned JSON each time", async () => {
        const before = await dashboardConfigMap();
        assert.ok(before, "A's dashboard ConfigMap exists");
        const base = a().e2e.config;
        const models = base.models as Values[];
        const withExtra = mergeValues(base, { models: [...models, { ...models[0], name: EXTRA_MODEL, modelUrl: "Qwen/Qwen2.5-1.5B-Instruct" }] });
        for (const [step, config] of [["added", withExtra], ["removed", base]] as const) {
            a().stack.setConfig(config);
            await up("a");
            const planned = need(e2eStack("dev", need(prom, "Prometheus").url, {}, { models: config.models }).plan.dashboard, "dashboard").configMap;
            const now = await dashboardConfigMap();
            assert.strictEqual(now?.metadata?.uid, before.metadata.uid, `model ${step}: the dashboard's ConfigMap was replaced`);
            // Byte for byte: Helm's tpl printed Grafana's {{legends}} as they are.
            assert.deepStrictEqual(now.data, planned.data, `model ${step}: the live dashboard is not the planned one`);
            const rows = JSON.parse(Object.values(now.data as Record<string, string>)[0]).panels.filter((p: any) => p.type === "row").length;
            log(`model ${step}: ConfigMap ${now.metadata.name} uid ${now.metadata.uid} kept, resourceVersion ${before.metadata.resourceVersion} -> ${now.metadata.resourceVersion}, ${rows} model row(s)`);
            assert.strictEqual(rows, (config.models as unknown[]).length);
        }
        await noDriftAfterRefresh(a());
    });

    it("destroying B leaves A whole: no drift after a refresh, KEDA's CRDs in place, its ScaledObject scaling", async () => {
        await destroy("b");
        await noDriftAfterRefresh(a());
        assert.ok(await c().get(["crd", KEDA_CRD]), `${KEDA_CRD} is still installed`);
        await scales(a());
    });

    it("destroying A keeps KEDA's CRDs, so B's ScaledObjects survive it (no drift); B then takes KEDA over with keda.install: true", async () => {
        await up("b");
        await destroy("a");
        const crd = await c().get(["crd", KEDA_CRD]);
        assert.ok(crd, `${KEDA_CRD} survived A's destroy (helm.sh/resource-policy: keep)`);
        assert.strictEqual(crd.metadata.annotations?.["helm.sh/resource-policy"], "keep");
        for (const so of b().e2e.plan.scaledObjects) {
            assert.ok(await c().get(["scaledobjects.keda.sh", so.metadata!.name!, "-n", b().e2e.plan.namespace]), `B's ${so.metadata!.name} survived`);
        }
        await noDriftAfterRefresh(b());
        // The hand-over docs/resources.md describes: B installs KEDA itself; Helm adopts the kept CRDs.
        const takeOver = mergeValues(b().e2e.config, { keda: { install: true } });
        b().stack.setConfig(takeOver);
        deployed.b = { ...b(), e2e: e2eStack("dev", need(prom, "Prometheus").url, {}, mergeValues(B_CONFIG, { keda: { install: true } })) };
        assert.ok(b().e2e.plan.charts.keda);
        await up("b");
        await noDriftAfterRefresh(b());
        await scales(b());
    });

    it("destroying B last leaves nothing but what docs/resources.md says destroy leaves (the CRDs)", async () => {
        await destroy("b");
        await waitFor("the stacks' namespaces to be gone", 120_000, async () => {
            for (const ns of [...a().e2e.plan.namespaces, ...b().e2e.plan.namespaces]) if (await c().get(["namespace", ns])) return undefined;
            return true;
        });
        const left = leftBehind(need(baseline, "inventory"), (await inventory(c())).ids);
        assert.deepStrictEqual(left, [], "objects the stacks created that destroy left behind");
    });
});
