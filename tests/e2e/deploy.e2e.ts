// The package deployed by the real Pulumi engine onto a real Kubernetes control plane, with real
// KEDA acting on it (e2e/cluster/cluster.sh; pods made Ready by kwok). Per stack, on a fresh
// cluster: the first preview, up, the live objects against the plan, KEDA's view, a preview with
// no changes, secrets never in the clear, and a destroy that leaves nothing behind.
import * as assert from "node:assert";
import { PrometheusHarness } from "../../e2e/support/prometheusHarness";
import { LocalCluster } from "../../e2e/support/cluster";
import { e2eStack, E2eStack } from "../../e2e/support/e2eStacks";
import { inventory, leftBehind } from "../../e2e/support/inventory";
import * as path from "node:path";
import { REPO_ROOT, requireTools, tool } from "../../e2e/support/paths";
import { need, run, waitFor } from "../../e2e/support/proc";
import { parseEngineEvents, PulumiProject, PulumiStack } from "../../e2e/support/pulumiStack";

/** Secret config values; each must stay ciphertext in state and appear in no object but Secrets. */
const HF_TOKEN = { hfToken: "hf_e2eTOKENnotReal1234567890" };
const GRAFANA_PASSWORD = { grafanaAdminPassword: "e2e-Grafana-pw-0451" };

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** `npm run doctor` on a deployed stack, as a user runs it (the built script), against the suite's Prometheus. */
async function doctor(ctx: StackContext): Promise<{ code: number | null; out: string }> {
    const p = ctx.pulumi();
    const r = await run(process.execPath, [
        path.join(REPO_ROOT, "dist", "scripts", "doctor.js"), "--stack", p.name, "--stack-dir", p.project.dir,
        "--prometheus-url", ctx.prom().url, "--kubectl", tool("kubectl"), "--kubeconfig", ctx.cluster().kubeconfig,
    ], { timeoutMs: 120_000, allowFailure: true });
    return { code: r.code, out: r.stdout + r.stderr };
}

function condition(obj: any, type: string): any {
    return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Shared steps for one stack on a fresh cluster. */
/** What a stack's own checks get: the live cluster, the stack's plan, its Prometheus and Pulumi stack. */
interface StackContext {
    cluster: () => LocalCluster;
    stack: () => E2eStack;
    prom: () => PrometheusHarness;
    pulumi: () => PulumiStack;
}

function deployStack(title: string, base: string, secrets: Record<string, string>, checks: (ctx: StackContext) => void,
    extra: Record<string, unknown> = {}): void {
    describe(title, function () {
        this.timeout(20 * 60_000);
        let cluster: LocalCluster | undefined;
        let prom: PrometheusHarness | undefined;
        let project: PulumiProject | undefined;
        let stack: PulumiStack | undefined;
        let e2e: E2eStack | undefined;
        let baseline: Set<string> | undefined;
        let destroyed = false;

        before(async () => {
            requireTools();
            cluster = await LocalCluster.fresh();
            const server = JSON.parse((await cluster.kubectl(["version", "-o", "json"])).stdout).serverVersion;
            log(`cluster: kube-apiserver ${server.gitVersion} (${server.platform})`);
            prom = await PrometheusHarness.start();
            e2e = e2eStack(base, prom.url, secrets, extra);
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
            for (const r of plan.prometheusRules) await expect("prometheusrules.monitoring.coreos.com", r.metadata.name, r.metadata.namespace);
            if (plan.dashboard) await expect("configmap", plan.dashboard.configMap.metadata.name, plan.dashboard.configMap.metadata.namespace);
            for (const so of plan.scaledObjects) await expect("scaledobjects.keda.sh", so.metadata!.name!, so.metadata!.namespace);
            for (const m of plan.models) if (m.pdbName) await expect("poddisruptionbudget", m.pdbName, plan.namespace);
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

        checks({
            cluster: () => need(cluster, "cluster"), stack: () => need(e2e, "stack"),
            prom: () => need(prom, "Prometheus"), pulumi: () => need(stack, "Pulumi stack"),
        });

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
            const left = leftBehind(need(baseline, "inventory"), after);
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
        assert.deepStrictEqual(names, ["lo"], `the suite must run in a loopback-only network namespace (e2e/cluster/in-netns.sh); interfaces: ${names.join(", ")}`);
        // The versions that really run (the registries serve some engines only at other versions: docs/end-to-end.md).
        const builtFrom = async (bin: Parameters<typeof tool>[0], module: string) => {
            const info = await run("go", ["version", "-m", tool(bin)], { timeoutMs: 30_000, allowFailure: true });
            const line = info.stdout.split("\n").map((l) => l.trim().split(/\s+/)).find((f) => f[0] === "mod" && f[1] === module);
            return `${bin}: ${module} ${line?.[2] ?? "(no Go build info)"}`;
        };
        const versions = await Promise.all([
            run(tool("pulumi"), ["version"], { timeoutMs: 30_000 }).then((r) => `pulumi: ${r.stdout.trim()}`),
            builtFrom("pulumi-language-nodejs", "github.com/pulumi/pulumi/sdk/v3"),
            builtFrom("pulumi-resource-kubernetes", "github.com/pulumi/pulumi-kubernetes/provider/v4"),
            run(tool("kubectl"), ["version", "--client", "-o", "json"], { timeoutMs: 30_000 })
                .then((r) => `kube-apiserver, kube-controller-manager, kube-scheduler, kubectl: ${JSON.parse(r.stdout).clientVersion.gitVersion}`),
            run(tool("etcd"), ["--version"], { timeoutMs: 30_000 }).then((r) => `etcd: ${r.stdout.split("\n")[0]}`),
            run(tool("kwok"), ["--version"], { timeoutMs: 30_000, allowFailure: true }).then((r) => `kwok: ${(r.stdout || r.stderr).trim().split("\n")[0]}`),
            builtFrom("keda-operator", "github.com/kedacore/keda/v2"),
            builtFrom("keda-adapter", "github.com/kedacore/keda/v2"),
            run("/usr/bin/prometheus", ["--version"], { timeoutMs: 30_000, allowFailure: true }).then((r) => `prometheus: ${(r.stdout || r.stderr).split("\n")[0]}`),
            Promise.resolve(`node: ${process.version}`),
        ]);
        for (const v of versions) log(v);
    });

    it("runs inside a network namespace whose only interface is lo", async () => {
        const r = await run("ip", ["-o", "link", "show"], { timeoutMs: 10_000 });
        assert.deepStrictEqual(r.stdout.trim().split("\n").map((l) => l.split(":")[1].trim()), ["lo"]);
    });

    // First: a cluster that never gets the Prometheus Operator CRDs.
    deployStack("GPU stack (e2e/stacks/gpu.yaml): chart engines on GKE L4-like nodes, monitoring not installed", "gpu.yaml", HF_TOKEN, (ctx) => {
        const { cluster, stack, prom } = ctx;
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
                // The drain the plan promised, through the chart transform (the chart has no such values).
                assert.strictEqual(pod.terminationGracePeriodSeconds, m.drain.terminationGracePeriodSeconds);
                const engine = pod.containers.find((x: any) => x.name === "vllm");
                assert.deepStrictEqual(engine?.lifecycle?.preStop, { sleep: { seconds: m.drain.preStopSeconds } });
                const argv = [...(engine.command ?? []), ...(engine.args ?? [])].join(" ");
                assert.ok(argv.includes(`--shutdown-timeout ${m.drain.drainSeconds}`), `vLLM drains for drainSeconds; it runs: ${argv}`);
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

        it("npm run doctor: healthy on the live stack, then a problem once an engine pod stops exporting a series its triggers read", async () => {
            const plan = stack().plan;
            const m = plan.models.find((x) => x.minReplicas > 0)!;
            const d = await cluster().get(["deployment", m.deploymentName, "-n", plan.namespace]);
            const selector = Object.entries(d.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
            const pods: string[] = (await cluster().get(["pods", "-n", plan.namespace, "-l", selector])).items.map((p: any) => p.metadata.name);
            assert.ok(pods.length > 0);
            // The engine's metrics as Prometheus would scrape them from each ready pod (no container runs here).
            for (const pod of pods) {
                prom().emulator.addEngine(pod, { namespace: plan.namespace, model: m.servedModelName, pod, release: plan.charts.vllmStack.releaseName, modelSpecName: m.name });
            }
            const waiting = `vllm:num_requests_waiting{namespace="${plan.namespace}",model_name="${m.servedModelName}"}`;
            await waitFor("Prometheus to scrape the engine pods", 60_000, async () => ((await prom().query(`count(${waiting})`))[0]?.value === pods.length ? true : undefined));
            const healthy = await doctor(ctx);
            log(healthy.out.split("\n").filter((l) => /^(MODEL|healthy|\d+ problem)/.test(l) || l.includes(m.name)).slice(0, 12).join("\n      "));
            assert.strictEqual(healthy.code, 0, healthy.out);

            prom().emulator.renameMetric(pods[0], "vllm:num_requests_waiting", "vllm:num_requests_waiting_renamed");
            await waitFor("the renamed series to go stale", 60_000, async () => ((await prom().query(`count(${waiting}) or vector(0)`))[0]?.value === pods.length - 1 ? true : undefined));
            const sick = await doctor(ctx);
            assert.strictEqual(sick.code, 1, sick.out);
            assert.match(sick.out, new RegExp(`series vllm:num_requests_waiting\\s+FAIL\\s+1 of ${pods.length} ready engine pods export none \\(${pods[0]}\\)`));
            prom().emulator.renameMetric(pods[0], "vllm:num_requests_waiting", undefined);
        });

        it("deployed without the Prometheus Operator CRDs (monitoring.install: false writes no ServiceMonitor)", async () => {
            assert.strictEqual(stack().plan.serviceMonitors.length, 0);
            assert.strictEqual(await cluster().get(["crd", "servicemonitors.monitoring.coreos.com"]), undefined);
        });
    });

    deployStack("dev stack (stacks/Pulumi.dev.yaml): kube-prometheus-stack, KEDA and the simulator engine", "dev", GRAFANA_PASSWORD, (ctx) => {
        const { cluster, stack } = ctx;
        it("points each ServiceMonitor (engines, router, KEDA's operator) at live Services", async () => {
            const plan = stack().plan;
            assert.ok(plan.serviceMonitors.length >= 2);
            for (const sm of plan.serviceMonitors) {
                const services = await cluster().list("services", sm.metadata.namespace);
                const want = sm.spec.selector.matchLabels as Record<string, string>;
                const port = sm.spec.endpoints[0].port;
                const hits = services.filter((s) => Object.entries(want).every(([k, v]) => s.metadata.labels?.[k] === v)
                    && s.spec.ports.some((p: any) => p.name === port));
                assert.ok(hits.length > 0, `${sm.metadata.name} selects no Service with port ${port}`);
                log(`${sm.metadata.name} -> ${hits.map((s) => s.metadata.name).join(", ")}`);
            }
        });

        it("npm run doctor: healthy, then every trigger flagged once Prometheus is down", async () => {
            const healthy = await doctor(ctx);
            assert.strictEqual(healthy.code, 0, healthy.out);
            await ctx.prom().stopPrometheus();
            const sick = await doctor(ctx);
            assert.strictEqual(sick.code, 1, sick.out);
            for (const t of stack().plan.scaledObjects[0].spec.triggers) {
                assert.match(sick.out, new RegExp(`trigger ${t.name}\\s+FAIL`), `trigger ${t.name} not flagged:\n${sick.out}`);
            }
            await ctx.prom().startAgain();
        });

        it("fires the missing-signal alert on the real Prometheus with the deployed rules, once an engine stops exporting a series", async () => {
            const plan = stack().plan;
            const m = plan.models[0];
            // The PrometheusRule as deployed (its `for:` is 0 s through this stack's config, below).
            const live = await cluster().list("prometheusrules.monitoring.coreos.com", plan.namespace);
            assert.strictEqual(live.length, plan.prometheusRules.length);
            await ctx.prom().loadRules(live.flatMap((r: any) => r.spec.groups));
            // What kube-state-metrics and one ready engine pod would export (no container runs here).
            const emu = ctx.prom().emulator;
            emu.addExporter("ksm", { service: "kube-state-metrics" });
            emu.setSeries("ksm", { name: "kube_deployment_status_replicas_available", labels: { namespace: plan.namespace, deployment: m.deploymentName }, value: 1 });
            emu.addEngine("engine-0", { namespace: plan.namespace, model: m.servedModelName, pod: "engine-0", flavor: "llm-d-sim" });
            const missing = (a: { labels: Record<string, string>; state: string }) =>
                a.labels.alertname === "VllmAutoscalingSignalMissing" && a.labels.model === m.name && a.state === "firing";
            await waitFor("the engine's series to be scraped", 60_000, async () => ((await ctx.prom().query(`count(vllm:num_requests_waiting{model_name="${m.servedModelName}"})`))[0]?.value === 1 ? true : undefined));
            await new Promise((r) => setTimeout(r, 5000));
            assert.deepStrictEqual((await ctx.prom().alerts()).filter(missing), [], "no alert while every series is there");
            emu.renameMetric("engine-0", "vllm:num_requests_waiting", "vllm:num_requests_waiting_renamed");
            const started = Date.now();
            const firing = await waitFor("VllmAutoscalingSignalMissing to fire", 90_000, async () => {
                const a = (await ctx.prom().alerts()).filter(missing);
                return a.length > 0 ? a : undefined;
            });
            assert.ok(firing.some((a) => a.labels.metric === "vllm:num_requests_waiting"), `the alert names the missing metric: ${JSON.stringify(firing.map((a) => a.labels))}`);
            log(`${firing[0].labels.alertname} firing for ${m.name} ${((Date.now() - started) / 1000).toFixed(1)} s after the rename: ${firing.map((a) => a.labels.metric ?? "").join(", ")}`);
        });

        it("writes Grafana's admin password where Grafana reads it", async () => {
            const plan = stack().plan;
            const [ns, name] = plan.grafanaAdminSecret!.split("/");
            const secret = await cluster().get(["secret", name, "-n", ns]);
            assert.strictEqual(Buffer.from(secret.data["admin-password"], "base64").toString("utf8"), GRAFANA_PASSWORD.grafanaAdminPassword);
        });
    }, { monitoring: { alerts: { signalMissing: { forSeconds: 0 } } } }); // alerts fire at once, so the test need not wait 5 minutes
});
