// The GPU NodePool the package plans for an EKS pool, under Karpenter's real core (its kwok cloud
// provider: sigs.k8s.io/karpenter at the pinned chart's line, e2e/tools/karpenter) as the local
// cluster's node autoscaler. The NodePool is the plan's, byte for byte, except its nodeClassRef:
// a KWOKNodeClass whose registration delay stands in for an instance's boot, instead of the
// EC2NodeClass (EC2 is not here). The real Pulumi engine deploys it with the package's own
// registration (e2e/programs/karpenterPool.ts), and deploys the changed pool with `pulumi up`.
// The engine is a Deployment with the GPU request, toleration and node affinity the plan gives
// the chart's engines. Asserted: a Pending engine gets a node of the pool's type, label and taint,
// and runs; the NodePool's GPU limit caps the nodes; `pulumi up` with a changed pool updates the
// NodePool in place, lets more engines run and replaces no busy node; an idle node goes after
// consolidateAfter and not before; warm headroom: the plan's placeholder gets a node and keeps it
// past the idle time, an engine preempts it through the real kube-scheduler and runs on that
// node, and the evicted placeholder gets a new node.
import * as assert from "node:assert";
import * as YAML from "yaml";
import { LocalCluster } from "../../e2e/support/cluster";
import { requireTools } from "../../e2e/support/paths";
import { need, waitFor } from "../../e2e/support/proc";
import { PulumiProject, PulumiStack } from "../../e2e/support/pulumiStack";
import { gpuSchedulingValues, GPU_POOL_LABEL, planGpuNodePool } from "../../components/plan/nodePool";
import type { NodePoolPlan } from "../../components/plan/nodePool";
import { headroomDeploymentManifest, headroomPriorityClass, planHeadroom, priorityClassManifest } from "../../components/plan/headroom";
import { IMAGES } from "../../components/plan/versions";

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** Short enough for CI, long enough to tell "after the idle time" from "at once". */
const CONSOLIDATE_AFTER_SECONDS = 20;
/** The KWOKNodeClass's stand-in for an instance's boot and join. */
const REGISTRATION_DELAY_SECONDS = 10;
const NAMESPACE = "default";
const ENGINE = "engine";

/** The pool as first deployed, and as changed later (one more node, and L40S instead of L4 instances). */
const POOL = { name: "chat-gpu", maxNodes: 2, instanceTypes: ["g6.12xlarge"] };
const CHANGED = { ...POOL, maxNodes: 3, instanceTypes: ["g6e.12xlarge"] };
const planPool = (p: typeof POOL): NodePoolPlan => planGpuNodePool(p.name, {
    eks: { clusterName: "prod", subnetIds: ["subnet-0123456789abcdef0"], instanceTypes: p.instanceTypes, karpenter: { consolidateAfterSeconds: CONSOLIDATE_AFTER_SECONDS } },
    minNodes: 0,
    maxNodes: p.maxNodes,
});
const pool = planPool(POOL);
const changed = planPool(CHANGED);
const karpenter = pool.eks!.karpenter!;

/** The program's config (e2e/programs/karpenterPool.ts) for a pool. */
const stackConfig = (p: typeof POOL) => ({
    pool: p.name, maxNodes: p.maxNodes, instanceTypes: p.instanceTypes,
    consolidateAfterSeconds: CONSOLIDATE_AFTER_SECONDS, registrationDelaySeconds: REGISTRATION_DELAY_SECONDS,
});

/** A plan's NodePool spec, on a KWOKNodeClass instead of the EC2NodeClass. */
function kwokNodePoolSpec(p: NodePoolPlan): any {
    const spec = structuredClone(p.eks!.karpenter!.nodePool.spec);
    spec.template.spec.nodeClassRef = { group: "karpenter.kwok.sh", kind: "KWOKNodeClass", name: p.name };
    return spec;
}

/** The fields of `want` that `got` lacks or holds otherwise (the API server adds defaults beside them). */
function missingFrom(got: any, want: any, at = "spec"): string[] {
    if (Array.isArray(want)) {
        if (!Array.isArray(got) || got.length !== want.length) return [`${at}: ${JSON.stringify(got)} is not ${JSON.stringify(want)}`];
        return want.flatMap((w, i) => missingFrom(got[i], w, `${at}[${i}]`));
    }
    if (want !== null && typeof want === "object") {
        if (got === null || typeof got !== "object") return [`${at}: ${JSON.stringify(got)} is not an object`];
        return Object.entries(want).flatMap(([k, w]) => missingFrom(got[k], w, `${at}.${k}`));
    }
    return got === want ? [] : [`${at}: ${JSON.stringify(got)} is not ${JSON.stringify(want)}`];
}

/** The engine Deployment at zero. */
function engineManifest(): string {
    const scheduling = gpuSchedulingValues(pool);
    const engine = {
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: ENGINE, namespace: NAMESPACE },
        spec: {
            replicas: 0,
            selector: { matchLabels: { app: ENGINE } },
            template: {
                metadata: { labels: { app: ENGINE } },
                spec: {
                    tolerations: scheduling.tolerations,
                    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: scheduling.nodeSelectorTerms } } },
                    containers: [{
                        name: "vllm", image: "vllm/vllm-openai",
                        // A whole node's GPUs: one engine per node, as a 4-way tensor-parallel model runs.
                        resources: { requests: { cpu: "1", memory: "1Gi", "nvidia.com/gpu": String(pool.gpusPerNode) }, limits: { "nvidia.com/gpu": String(pool.gpusPerNode) } },
                    }],
                },
            },
        },
    };
    return YAML.stringify(engine);
}

describe("end-to-end: the package's EKS NodePool under Karpenter's real core (kwok provider)", function () {
    this.timeout(10 * 60_000);
    let cluster: LocalCluster | undefined;
    let project: PulumiProject | undefined;
    let stack: PulumiStack | undefined;
    const c = () => {
        if (!cluster) throw new Error("the cluster is not up (an earlier step failed)");
        return cluster;
    };
    const poolNodes = async (): Promise<any[]> => (await c().get(["nodes", "-l", `${GPU_POOL_LABEL}=${pool.name}`]))?.items ?? [];
    const enginePods = async (): Promise<any[]> => (await c().get(["pods", "-n", NAMESPACE, "-l", `app=${ENGINE}`]))?.items ?? [];
    const scale = (n: number) => c().kubectl(["scale", "deployment", ENGINE, "-n", NAMESPACE, `--replicas=${n}`]);

    before(async () => {
        requireTools();
        cluster = await LocalCluster.fresh({ karpenter: true });
        project = await PulumiProject.create(c().kubeconfig, { main: "e2e/programs/karpenterPool.ts" });
        stack = await project.stack("pool", stackConfig(POOL));
        await stack.up();
        await c().kubectl(["apply", "-f", "-"], { input: engineManifest() });
        const live = await waitFor("NodePool Ready", 60_000, async () => {
            const np = await c().get(["nodepool", pool.name]);
            return (np?.status?.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True") ? np : undefined;
        });
        assert.deepStrictEqual(missingFrom(live.spec, kwokNodePoolSpec(pool)), [], "the live NodePool is the plan's");
    });

    after(async () => {
        await cluster?.down();
        project?.remove();
    });

    it("gives a Pending engine a node of the pool's type, label and taint after the boot delay, and runs it there", async () => {
        assert.deepStrictEqual(await poolNodes(), [], "no GPU node while no engine asks for one");
        const started = Date.now();
        await scale(1);
        const pod = await waitFor("the engine to run", 120_000, async () => {
            const p = (await enginePods())[0];
            return p?.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True") ? p : undefined;
        });
        const seconds = (Date.now() - started) / 1000;
        const node = await c().get(["node", pod.spec.nodeName]);
        const labels = node.metadata.labels;
        assert.strictEqual(labels[GPU_POOL_LABEL], pool.name);
        assert.strictEqual(labels["node.kubernetes.io/instance-type"], "g6.12xlarge");
        assert.strictEqual(labels["karpenter.sh/capacity-type"], "on-demand");
        assert.strictEqual(labels["karpenter.sh/nodepool"], pool.name);
        assert.deepStrictEqual((node.spec.taints ?? []).filter((t: any) => t.key === pool.taint.key), [{ ...pool.taint }]);
        assert.strictEqual(node.status.allocatable["nvidia.com/gpu"], String(pool.gpusPerNode));
        assert.ok(seconds >= REGISTRATION_DELAY_SECONDS, `running after ${seconds} s, before the node could boot`);
        log(`engine Pending -> Ready on ${node.metadata.name} (${labels["node.kubernetes.io/instance-type"]}) in ${seconds.toFixed(1)} s (boot delay ${REGISTRATION_DELAY_SECONDS} s)`);
    });

    it("stops at the NodePool's GPU limit: maxNodes x gpusPerNode (a third whole-node engine stays Pending)", async () => {
        assert.deepStrictEqual(karpenter.nodePool.spec.limits, { "nvidia.com/gpu": String(pool.maxNodes * pool.gpusPerNode) });
        await scale(3);
        await waitFor("two engines running", 120_000, async () =>
            (await enginePods()).filter((p) => p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True")).length === 2 ? true : undefined);
        // Karpenter batches for at most 2 s here and launches in well under 10: a third node would show by now.
        await new Promise((r) => setTimeout(r, (REGISTRATION_DELAY_SECONDS + 10) * 1000));
        const nodes = await poolNodes();
        const claims = (await c().get(["nodeclaims"]))?.items ?? [];
        const pending = (await enginePods()).filter((p) => p.status?.phase === "Pending");
        assert.strictEqual(nodes.length, pool.maxNodes, `nodes: ${nodes.map((n) => n.metadata.name).join(", ")}`);
        assert.strictEqual(claims.length, pool.maxNodes, "no NodeClaim beyond the limit");
        assert.strictEqual(pending.length, 1);
        log(`3 engines of ${pool.gpusPerNode} GPUs: ${nodes.length} nodes (limit ${karpenter.gpuLimit} GPUs), 1 engine Pending`);
    });

    it("pulumi up with a changed pool (maxNodes 3, g6e instead of g6) updates the NodePool in place, runs the third engine on the new type, and replaces no busy node it drifted (budget 0)", async () => {
        const running = async () => (await enginePods()).filter((p) => p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True"));
        const before = await running();
        assert.strictEqual(before.length, 2);
        const nodesBefore = (await poolNodes()).map((n) => n.metadata.uid).sort();
        const npBefore = await c().get(["nodepool", pool.name]);
        // What the pull request's preview would show: the NodePool updated, nothing replaced or deleted.
        const s = need(stack, "stack");
        s.setConfig(stackConfig(CHANGED));
        const steps: { op: string; urn: string }[] = JSON.parse((await s.project.pulumi(["preview", "-s", s.name, "--json"])).stdout).steps ?? [];
        const changes = steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.urn.split("::").pop()}`);
        assert.deepStrictEqual(changes, [`update ${pool.name}-nodepool`], `preview: ${changes.join(", ")}`);
        await s.up();
        const npAfter = await c().get(["nodepool", pool.name]);
        assert.strictEqual(npAfter.metadata.uid, npBefore.metadata.uid, "the NodePool was replaced, not updated");
        assert.ok(npAfter.metadata.generation > npBefore.metadata.generation);
        assert.deepStrictEqual(missingFrom(npAfter.spec, kwokNodePoolSpec(changed)), [], "the live NodePool is the changed plan's");
        await waitFor("the third engine to run", 120_000, async () => ((await running()).length === 3 ? true : undefined));
        // The g6 nodes no longer match the NodePool: Karpenter marks them Drifted, and would replace
        // them (restarting their engines) but for the budget. Then its disruption loop gets 30 s.
        const driftedClaims = async () => ((await c().get(["nodeclaims"]))?.items ?? [])
            .filter((x: any) => x.status?.conditions?.some((k: any) => k.type === "Drifted" && k.status === "True"));
        const drifted = await waitFor("the g6 nodes to drift", 120_000, async () => {
            const d = await driftedClaims();
            return d.length === nodesBefore.length ? d : undefined;
        }, 1000);
        await new Promise((r) => setTimeout(r, 30_000));
        const after = await running();
        const uids = (pods: any[]) => pods.map((p) => p.metadata.uid);
        for (const p of before) {
            assert.ok(uids(after).includes(p.metadata.uid), `engine ${p.metadata.name} was replaced after the pool changed`);
            assert.strictEqual(p.status.containerStatuses?.[0]?.restartCount ?? 0, 0);
        }
        const nodes = await poolNodes();
        const nodesAfter = nodes.map((n) => n.metadata.uid);
        for (const uid of nodesBefore) assert.ok(nodesAfter.includes(uid), "a node that runs an engine was replaced");
        const types = nodes.map((n) => n.metadata.labels["node.kubernetes.io/instance-type"]).sort();
        assert.deepStrictEqual(types, ["g6.12xlarge", "g6.12xlarge", "g6e.12xlarge"]);
        log(`pulumi up changed the pool under 2 running engines (NodePool generation ${npBefore.metadata.generation} -> ${npAfter.metadata.generation}, same uid): the third runs on ${types[2]}; ${drifted.length} drifted g6 node(s) kept while busy; no engine restarted`);
    });

    it("removes idle nodes after consolidateAfter, not before, down to none", async () => {
        await scale(0);
        const idle = Date.now();
        await waitFor("the engines to go", 60_000, async () => ((await enginePods()).length === 0 ? true : undefined));
        // Still there just before the idle time is up.
        const before = CONSOLIDATE_AFTER_SECONDS * 1000 - (Date.now() - idle) - 2000;
        if (before > 0) await new Promise((r) => setTimeout(r, before));
        assert.strictEqual((await poolNodes()).length, changed.maxNodes, `a node went before ${CONSOLIDATE_AFTER_SECONDS} s idle`);
        await waitFor("the idle nodes to go", (CONSOLIDATE_AFTER_SECONDS + 150) * 1000, async () => ((await poolNodes()).length === 0 ? true : undefined), 1000);
        const seconds = (Date.now() - idle) / 1000;
        assert.ok(seconds >= CONSOLIDATE_AFTER_SECONDS, `gone after ${seconds} s`);
        log(`${changed.maxNodes} idle nodes removed ${seconds.toFixed(1)} s after the last engine left (consolidateAfter ${CONSOLIDATE_AFTER_SECONDS} s)`);
    });

    it("warm headroom: a placeholder keeps its node past the idle time; an engine preempts it there, and the evicted placeholder gets a new node", async () => {
        // The plan's own objects (what LlmInference applies for headroomSlots: 1), for a whole-node engine.
        const headroom = planHeadroom({
            release: "chat", namespace: NAMESPACE, model: "m", slots: 1, image: IMAGES.vllm,
            gpusPerReplica: changed.gpusPerNode, cpu: "1", memory: "1Gi", pool: changed,
        });
        const pc = headroomPriorityClass(NAMESPACE, "chat");
        await c().kubectl(["apply", "-f", "-"], { input: [priorityClassManifest(pc), headroomDeploymentManifest(headroom)].map((o) => YAML.stringify(o)).join("---\n") });
        const placeholders = async (): Promise<any[]> => (await c().get(["pods", "-n", NAMESPACE, "-l", `vllm-autoscaling/headroom=m`]))?.items ?? [];
        const runningOn = async (pods: () => Promise<any[]>): Promise<string | undefined> =>
            (await pods()).find((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp)?.spec?.nodeName;
        const first = await waitFor("the placeholder to run on a node Karpenter adds", 120_000, async () => runningOn(placeholders), 1000);
        // Past the idle time (and Karpenter's disruption loop): the node holds no engine, only the placeholder.
        await new Promise((r) => setTimeout(r, (CONSOLIDATE_AFTER_SECONDS + 25) * 1000));
        assert.deepStrictEqual((await poolNodes()).map((n) => n.metadata.name), [first], "the placeholder's node was consolidated");
        const started = Date.now();
        await scale(1);
        const engineNode = await waitFor("the engine to run", 60_000, async () => runningOn(enginePods), 500);
        const engineSeconds = (Date.now() - started) / 1000;
        assert.strictEqual(engineNode, first, "the engine runs where the placeholder was (preempted), not on a new node");
        assert.ok(engineSeconds < REGISTRATION_DELAY_SECONDS, `the engine ran after ${engineSeconds} s: it waited for a node`);
        const second = await waitFor("the evicted placeholder to run on a new node", 120_000, async () => {
            const n = await runningOn(placeholders);
            return n !== undefined && n !== first ? n : undefined;
        }, 1000);
        const events = (await c().get(["events", "-n", NAMESPACE, "--field-selector", "reason=Preempted"]))?.items ?? [];
        assert.ok(events.length >= 1, "kube-scheduler recorded the preemption");
        log(`placeholder kept ${first} ${CONSOLIDATE_AFTER_SECONDS + 25} s idle; engine preempted it there in ${engineSeconds.toFixed(1)} s; placeholder moved to new node ${second}`);
    });
});
