// The package deployed by the real Pulumi engine onto a real Kubernetes control plane, with real
// KEDA acting on it (scripts/e2e/cluster.sh; pods made Ready by kwok). Per stack, on a fresh
// cluster: the first preview, up, the live objects against the plan, KEDA's view, a preview with
// no changes, secrets never in the clear, and a destroy that leaves nothing behind.
import * as assert from "node:assert";
import { PrometheusHarness } from "../support/prometheusHarness";
import { LocalCluster } from "./support/cluster";
import { e2eStack, E2eStack } from "./support/e2eStacks";
import { requireTools, tool } from "./support/paths";
import { run, waitFor } from "./support/proc";
import { parseEngineEvents, PulumiProject, PulumiStack } from "./support/pulumiStack";

/** Secret config values; each must stay ciphertext in state and appear in no object but Secrets. */
const HF_TOKEN = { hfToken: "hf_e2eTOKENnotReal1234567890" };
const GRAFANA_PASSWORD = { grafanaAdminPassword: "e2e-Grafana-pw-0451" };
/** What `pulumi destroy` may leave by design (README): CRDs Helm installed from a chart's crds/ folder. */
const LEFT_BY_DESIGN = [/^CustomResourceDefinition\/\/[a-z0-9]+\.monitoring\.coreos\.com$/];
/** The harness's own namespace (scripts/e2e/cluster.sh: the ExternalName Service KEDA's APIService points at). */
const HARNESS_NAMESPACE = "e2e-system";
/** Objects that come and go on their own (events, leases, the API server's own bookkeeping). */
const IGNORED_KINDS = new Set(["Event", "Lease", "EndpointSlice", "Endpoints", "ControllerRevision", "APIService"]);

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** Every object of every listable kind, as `Kind/namespace/name`. */
async function inventory(cluster: LocalCluster): Promise<{ ids: Set<string>; json: string }> {
    const kinds = (await cluster.kubectl(["api-resources", "--verbs=list", "-o", "name"])).stdout.split("\n").filter(Boolean);
    const r = await cluster.kubectl(["get", kinds.join(","), "-A", "-o", "json", "--ignore-not-found"], { timeoutMs: 120_000 });
    const items: any[] = JSON.parse(r.stdout).items ?? [];
    const ids = new Set(items
        .filter((o) => !IGNORED_KINDS.has(o.kind) && o.metadata.namespace !== HARNESS_NAMESPACE
            && !(o.kind === "Namespace" && o.metadata.name === HARNESS_NAMESPACE))
        .map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`));
    // Secrets may hold the secrets; everything else must not.
    return { ids, json: JSON.stringify(items.filter((o) => o.kind !== "Secret")) };
}

function condition(obj: any, type: string): any {
    return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Shared steps for one stack on a fresh cluster. */
function deployStack(title: string, base: string, secrets: Record<string, string>,
    checks: (ctx: { cluster: () => LocalCluster; stack: () => E2eStack }) => void): void {
    describe(title, function () {
        this.timeout(20 * 60_000);
        let cluster: LocalCluster | undefined;
        let prom: PrometheusHarness | undefined;
        let project: PulumiProject | undefined;
        let stack: PulumiStack | undefined;
        let e2e: E2eStack | undefined;
        let baseline: Set<string> | undefined;
        let destroyed = false;
        const need = <T>(v: T | undefined, what: string): T => {
            if (v === undefined) throw new Error(`${what} is not set up (an earlier step failed)`);
            return v;
        };

        before(async () => {
            requireTools();
            cluster = await LocalCluster.fresh();
            prom = await PrometheusHarness.start();
            e2e = e2eStack(base, prom.url, secrets);
            for (const s of e2e.chartSources) log(`chart ${s}`);
            project = await PulumiProject.create(cluster.kubeconfig);
            stack = await project.stack(`e2e-${e2e.plan.name}`, e2e.config, secrets);
            baseline = (await inventory(cluster)).ids;
        });

        after(async () => {
            // Best effort: whatever the tests did, leave no stack, process or folder behind.
            if (stack && !destroyed) await stack.destroy().catch((e) => log(`cleanup destroy failed: ${String(e).slice(0, 300)}`));
            await prom?.stop();
            await cluster?.down();
            project?.remove();
            e2e?.removeTemporary();
        });

        it("previews on the fresh cluster (every kind the charts render resolves before any CRD is installed)", async () => {
            const r = await need(stack, "stack").preview();
            const summary = r.stdout.split("\n").filter((l) => /to create|Resources:/.test(l)).join(" ").replace(/\s+/g, " ");
            log(`preview: ${summary} (${(r.ms / 1000).toFixed(1)} s)`);
            assert.match(r.stdout, /\+ \d+ to create/);
        });

        it("deploys with pulumi up", async () => {
            const r = await need(stack, "stack").up();
            const created = r.stdout.split("\n").find((l) => /^\s+\+ \d+ created/.test(l))?.trim();
            log(`up: ${(r.ms / 1000).toFixed(1)} s, ${created ?? "(no summary line)"}`);
        });

        it("has every namespace, Secret, ServiceMonitor, ScaledObject and chart object the plan names, where it names them", async () => {
            const c = need(cluster, "cluster");
            const plan = need(e2e, "stack").plan;
            const missing: string[] = [];
            const expect = async (kind: string, name: string, namespace?: string) => {
                if (!(await c.get([kind, name, ...(namespace ? ["-n", namespace] : [])]))) missing.push(`${kind} ${namespace ?? ""}/${name}`);
            };
            for (const ns of plan.namespaces) await expect("namespace", ns);
            for (const s of plan.secrets) await expect("secret", s.name, s.namespace);
            for (const sm of plan.serviceMonitors) await expect("servicemonitors.monitoring.coreos.com", sm.metadata.name, sm.metadata.namespace);
            for (const so of plan.scaledObjects) await expect("scaledobjects.keda.sh", so.metadata!.name!, so.metadata!.namespace);
            for (const m of plan.models) {
                await expect("deployment", m.deploymentName, plan.namespace);
                await expect("service", m.serviceName, plan.namespace);
            }
            await expect("deployment", `${plan.charts.vllmStack.releaseName}-deployment-router`, plan.namespace);
            await expect("service", plan.routerServiceName, plan.namespace);
            for (const r of [plan.charts.keda, plan.charts.kubePrometheusStack]) {
                // Helm's own record of the release.
                if (r) await expect("secret", `sh.helm.release.v1.${r.releaseName}.v1`, r.namespace);
            }
            assert.deepStrictEqual(missing, [], "objects the plan names but the cluster lacks");
        });

        it("makes each ScaledObject Ready in real KEDA, with an HPA on the engine Deployment the plan targets", async () => {
            const c = need(cluster, "cluster");
            const plan = need(e2e, "stack").plan;
            for (const [i, so] of plan.scaledObjects.entries()) {
                const name = so.metadata!.name!;
                const started = Date.now();
                const live = await waitFor(`ScaledObject ${name} Ready`, 90_000, async () => {
                    const o = await c.get(["scaledobjects.keda.sh", name, "-n", plan.namespace]);
                    return condition(o, "Ready")?.status === "True" ? o : undefined;
                });
                const hpaName = live.status?.hpaName ?? `keda-hpa-${name}`;
                const hpa = await waitFor(`HPA ${hpaName}`, 60_000, () => c.get(["hpa", hpaName, "-n", plan.namespace]));
                assert.deepStrictEqual([hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name], ["Deployment", plan.models[i].deploymentName]);
                assert.strictEqual(hpa.spec.maxReplicas, plan.models[i].maxReplicas);
                assert.strictEqual(live.spec.scaleTargetRef.name, plan.models[i].deploymentName);
                log(`${name}: Ready, ${hpaName} -> Deployment ${hpa.spec.scaleTargetRef.name} (max ${hpa.spec.maxReplicas}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            }
        });

        checks({ cluster: () => need(cluster, "cluster"), stack: () => need(e2e, "stack") });

        it("previews no changes on a second run (pulumi preview --expect-no-changes)", async () => {
            const r = await need(stack, "stack").preview(["--expect-no-changes"], { allowFailure: true });
            assert.strictEqual(r.code, 0, `the second preview wants changes:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
        });

        it("never holds a secret in the clear: not in the state file, not in any object but Secrets", async () => {
            const state = need(stack, "stack").stateFileText();
            const objects = (await inventory(need(cluster, "cluster"))).json;
            assert.ok(Object.keys(secrets).length > 0);
            for (const [key, value] of Object.entries(secrets)) {
                assert.ok(!state.includes(value), `${key} is in the clear in the stack's state file`);
                assert.ok(!objects.includes(value), `${key} is in the clear in a non-Secret object`);
            }
            assert.match(state, /"secure"|ciphertext/, "the state holds the secrets as ciphertext");
        });

        it("destroys everything it created, deleting the ScaledObjects before KEDA", async () => {
            const s = need(stack, "stack");
            const c = need(cluster, "cluster");
            const r = await s.destroy(["--json"]);
            destroyed = true;
            log(`destroy: ${(r.ms / 1000).toFixed(1)} s`);
            const events = parseEngineEvents(r.stdout);
            const deleted = (type: string, pred: (urn: string) => boolean = () => true) =>
                events.filter((e) => e.op === "delete" && e.type === type && pred(e.urn ?? ""));
            const soDone = deleted("kubernetes:keda.sh/v1alpha1:ScaledObject").filter((e) => e.kind === "outputs").map((e) => e.sequence);
            const kedaStart = deleted("kubernetes:helm.sh/v3:Release", (u) => u.endsWith("-keda")).filter((e) => e.kind === "pre").map((e) => e.sequence);
            assert.strictEqual(soDone.length, need(e2e, "stack").plan.scaledObjects.length, "every ScaledObject deleted");
            if (kedaStart.length > 0) assert.ok(Math.max(...soDone) < Math.min(...kedaStart), "a ScaledObject outlived the KEDA release");

            const plan = need(e2e, "stack").plan;
            await waitFor("the stack's namespaces to be gone", 120_000, async () => {
                for (const ns of plan.namespaces) if (await c.get(["namespace", ns])) return undefined;
                return true;
            });
            const after = (await inventory(c)).ids;
            const left = [...after].filter((id) => !need(baseline, "inventory").has(id) && !LEFT_BY_DESIGN.some((re) => re.test(id)));
            assert.deepStrictEqual(left, [], "objects the stack created that destroy left behind");
        });
    });
}

describe("end-to-end: the real Pulumi engine on a local cluster", function () {
    before(async () => {
        requireTools();
        // Nothing may leave the machine: this process, and all it starts, sees only loopback.
        const links = (await run("ip", ["-o", "link", "show"], { timeoutMs: 10_000 })).stdout.trim().split("\n");
        const names = links.map((l) => l.split(":")[1]?.trim().split("@")[0]);
        assert.deepStrictEqual(names, ["lo"], `the suite must run in a loopback-only network namespace (scripts/e2e/in-netns.sh); interfaces: ${names.join(", ")}`);
        const versions = await Promise.all([
            run(tool("pulumi"), ["version"], { timeoutMs: 30_000 }).then((r) => `pulumi ${r.stdout.trim()}`),
            run(tool("kubectl"), ["version", "--client", "-o", "json"], { timeoutMs: 30_000 }).then((r) => `kubectl ${JSON.parse(r.stdout).clientVersion.gitVersion}`),
            run(tool("etcd"), ["--version"], { timeoutMs: 30_000 }).then((r) => r.stdout.split("\n")[0]),
            run(tool("kwok"), ["--version"], { timeoutMs: 30_000, allowFailure: true }).then((r) => `kwok ${(r.stdout || r.stderr).trim().split("\n")[0]}`),
        ]);
        for (const v of versions) log(v);
    });

    it("runs inside a network namespace whose only interface is lo", async () => {
        const r = await run("ip", ["-o", "link", "show"], { timeoutMs: 10_000 });
        assert.deepStrictEqual(r.stdout.trim().split("\n").map((l) => l.split(":")[1].trim()), ["lo"]);
    });

    // First: a cluster that never gets the Prometheus Operator CRDs.
    deployStack("GPU stack (e2e/stacks/gpu.yaml): chart engines on GKE L4-like nodes, monitoring not installed", "gpu.yaml", HF_TOKEN, ({ cluster, stack }) => {
        it("renders each GPU engine as the plan promised and schedules it on a GPU node (no RuntimeClass, as on GKE)", async () => {
            const c = cluster();
            const plan = stack().plan;
            const specs = plan.charts.vllmStack.values.servingEngineSpec.modelSpec as any[];
            for (const m of plan.models) {
                const d = await c.get(["deployment", m.deploymentName, "-n", plan.namespace]);
                const pod = d.spec.template.spec;
                const container = pod.containers.find((x: any) => x.resources?.limits?.["nvidia.com/gpu"] !== undefined);
                assert.ok(container, `${m.deploymentName} requests no GPU`);
                assert.strictEqual(String(container.resources.limits["nvidia.com/gpu"]), String(m.gpusPerReplica));
                const values = specs.find((s) => s.name === m.name);
                assert.deepStrictEqual(pod.tolerations, values.tolerations, "tolerations as planned");
                assert.deepStrictEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, values.nodeSelectorTerms);
                assert.strictEqual(pod.runtimeClassName, undefined, "no RuntimeClass: the cluster, like GKE, has none");
                assert.strictEqual(d.spec.replicas, m.minReplicas, "created at minReplicas");
                const selector = Object.entries(d.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
                const pods = (await c.get(["pods", "-n", plan.namespace, "-l", selector])).items;
                assert.strictEqual(pods.length, m.minReplicas);
                for (const p of pods) {
                    assert.match(p.spec.nodeName ?? "", /^gke-l4-/, `${p.metadata.name} runs on ${p.spec.nodeName}`);
                    assert.strictEqual(condition(p, "Ready")?.status, "True");
                }
                log(`${m.deploymentName}: ${pods.length} pod(s) on ${pods.map((p: any) => p.spec.nodeName).join(", ") || "-"}`);
            }
            const routerPods = (await c.get(["pods", "-n", plan.namespace, "-l", "app.kubernetes.io/component=router"])).items;
            assert.ok(routerPods.length > 0);
            for (const p of routerPods) assert.doesNotMatch(p.spec.nodeName ?? "", /^gke-l4-/, "a pod without the toleration stays off the GPU nodes");
        });

        it("deployed without the Prometheus Operator CRDs (monitoring.install: false writes no ServiceMonitor)", async () => {
            assert.strictEqual(stack().plan.serviceMonitors.length, 0);
            assert.strictEqual(await cluster().get(["crd", "servicemonitors.monitoring.coreos.com"]), undefined);
        });
    });

    deployStack("dev stack (stacks/Pulumi.dev.yaml): kube-prometheus-stack, KEDA and the simulator engine", "dev", GRAFANA_PASSWORD, ({ cluster, stack }) => {
        it("points each ServiceMonitor at live Services of the release", async () => {
            const plan = stack().plan;
            // The engines' and the router's, and KEDA's operator one when the package installs KEDA (README, Arguments).
            assert.strictEqual(plan.serviceMonitors.length, 2 + (plan.charts.keda ? 1 : 0));
            for (const sm of plan.serviceMonitors) {
                const services = await cluster().list("services", sm.spec.namespaceSelector?.matchNames?.[0] ?? sm.metadata.namespace);
                const want = sm.spec.selector.matchLabels as Record<string, string>;
                const port = sm.spec.endpoints[0].port;
                const hits = services.filter((s) => Object.entries(want).every(([k, v]) => s.metadata.labels?.[k] === v)
                    && s.spec.ports.some((p: any) => p.name === port));
                assert.ok(hits.length > 0, `${sm.metadata.name} selects no Service with port ${port}`);
                log(`${sm.metadata.name} -> ${hits.map((s) => s.metadata.name).join(", ")}`);
            }
        });

        it("writes Grafana's admin password where Grafana reads it", async () => {
            const plan = stack().plan;
            const [ns, name] = plan.grafanaAdminSecret!.split("/");
            const secret = await cluster().get(["secret", name, "-n", ns]);
            assert.strictEqual(Buffer.from(secret.data["admin-password"], "base64").toString("utf8"), GRAFANA_PASSWORD.grafanaAdminPassword);
        });
    });
});
