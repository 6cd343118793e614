// The package's queries, unchanged, on simulator-style series: every trigger of a plan whose models
// run on the llm-d inference simulator, evaluated as KEDA would on a real Prometheus scraping
// emulated simulator pods (flavor "llm-d-sim": `model_name` only, no `engine` label, histograms
// and counters absent until the first request) behind the Service the plan gives them.
import * as assert from "assert";
import { planInference } from "../components";
import type { Model } from "../components";
import { TRIGGER } from "../components/plan/triggers";
import { llama } from "./fixtures";
import { withPrometheus } from "../e2e/support/prometheusHarness";

const NS = "llm";
const sim = (name: string, modelUrl: string, autoscaling: Model["autoscaling"]): Model =>
    llama({ name, modelUrl, engine: "simulator", maxNumSeqs: 8, autoscaling });

const plan = planInference("chat", {
    models: [
        sim("qwen", "Qwen/Qwen2.5-0.5B-Instruct", { minReplicas: 0, maxReplicas: 4 }),
        sim("llama", "meta-llama/Llama-3.1-8B-Instruct", { minReplicas: 0, maxReplicas: 4, strategy: "latency-first" }),
    ],
});

interface Pod { present: boolean; waiting: number; running: number; ttft: number[] }
const pods: Record<string, Pod[]> = {};
const routerRequests: Record<string, number> = {};

/** histogram_quantile(0.95) of observations that all fall into the vLLM bucket (lo, hi]. */
function p95InOneBucket(lo: number, hi: number): number {
    return lo + (hi - lo) * 0.95;
}

describe("simulator engines: the package's queries on simulator-style series (real Prometheus)", function () {
    this.timeout(120_000);
    const f = withPrometheus({
        setup: (emu) => {
            plan.simulators.forEach((s, i) => {
                const model = plan.models[i].servedModelName;
                pods[model] = [];
                for (const n of [0, 1, 2]) {
                    const info = emu.addEngine(`${s.model}-${n}`, { model, namespace: NS, release: "chat", modelSpecName: s.model, flavor: "llm-d-sim", present: false });
                    // Prometheus sees the pod through the Service the plan writes for it.
                    assert.strictEqual(info.labels.service, s.serviceName);
                    assert.strictEqual(info.labels.endpoint, s.serviceSpec.ports[0].name);
                    pods[model].push({ present: false, waiting: 0, running: 0, ttft: [] });
                }
            });
            emu.addRouter("router", { namespace: NS, release: "chat" });
        },
    });

    function expected(trigger: string, model: string, query: string): number {
        const up = pods[model].filter((p) => p.present);
        switch (trigger) {
            case TRIGGER.queueDepth: return up.reduce((s, p) => s + p.waiting, 0);
            // Plus the preset's scale-down margin (the number in the query) per pod running a request.
            case TRIGGER.load: {
                const h = Number(/ \+ (\d+) \* \(count\(/.exec(query)?.[1] ?? 0);
                return up.reduce((s, p) => s + p.waiting + p.running + (p.running > 0 ? h : 0), 0);
            }
            // The simulator's KV gauge stays 0 without --enable-kvcache.
            case TRIGGER.kvCache: return 0;
            case TRIGGER.wakeOnRequest: return (routerRequests[model] ?? 0) > 0 ? 1 : 0;
            case TRIGGER.ttft: {
                const observed = up.some((p) => p.ttft.length > 0);
                // p95 x engines; every observation in the test is 0.3 s, bucket (0.25, 0.5].
                return observed ? p95InOneBucket(0.25, 0.5) * up.length : 0;
            }
            default: throw new Error(`no expectation for trigger ${trigger}`);
        }
    }

    async function checkAll(state: string): Promise<void> {
        plan.simulators.forEach((s, i) => {
            pods[plan.models[i].servedModelName].forEach((p, n) => {
                const id = `${s.model}-${n}`;
                if (!p.present) {
                    f.emu.removeTarget(id);
                    return;
                }
                f.emu.restoreTarget(id);
                f.emu.setEngine(id, { waiting: p.waiting, running: p.running });
            });
        });
        await f.prom.waitForScrapes(2);
        let checked = 0;
        for (const [i, so] of plan.scaledObjects.entries()) {
            const model = plan.models[i].servedModelName;
            for (const t of so.spec.triggers.filter((x) => x.type === "prometheus")) {
                const want = expected(t.name ?? "", model, t.metadata.query);
                const value = await f.prom.kedaValue(t.metadata.query); // throws like KEDA on 0 or 2+ samples, NaN, Inf
                const what = `${so.metadata?.name} / ${t.name} in state "${state}": ${value}\n${t.metadata.query}`;
                assert.ok(Math.abs(value - want) < 1e-9, `${what}, expected ${want}`);
                checked += 1;
            }
        }
        assert.ok(checked >= 7, `only ${checked} triggers checked`);
    }

    it("plans triggers the test knows: queue depth, load, KV cache, wake on request, and p95 TTFT for latency-first", () => {
        const names = new Set(plan.scaledObjects.flatMap((so) => so.spec.triggers.map((t) => t.name)));
        for (const n of [TRIGGER.queueDepth, TRIGGER.load, TRIGGER.kvCache, TRIGGER.wakeOnRequest, TRIGGER.ttft]) assert.ok(names.has(n), n);
    });

    it("no simulator pod: one sample of 0 everywhere", async () => {
        await checkAll("0 pods");
    });

    it("the first request at zero wakes each model through the router's counter", async () => {
        for (const model of Object.keys(pods)) {
            f.emu.routerRequest(model, 1, "router");
            routerRequests[model] = 1;
        }
        await checkAll("first request");
    });

    it("one pod that has served nothing yet (histograms and counters absent): still one sample each", async () => {
        for (const list of Object.values(pods)) Object.assign(list[0], { present: true, waiting: 0, running: 0 });
        await checkAll("1 idle pod");
    });

    it("three pods queueing beyond --max-num-seqs", async () => {
        for (const list of Object.values(pods)) list.forEach((p, n) => Object.assign(p, { present: true, running: 8, waiting: 3 + n }));
        await checkAll("3 busy pods");
    });

    it("p95 time to first token from the simulator's lazily created histogram", async () => {
        const i = plan.models.findIndex((m) => m.name === "llama");
        const model = plan.models[i].servedModelName;
        const id = (n: number) => `${plan.simulators[i].model}-${n}`;
        // The first observation creates the series; rate() needs an increase after that.
        f.emu.observeTtft(id(0), 0.3, 1);
        await f.prom.waitForScrapes(2);
        f.emu.observeTtft(id(0), 0.3, 20);
        pods[model][0].ttft.push(0.3);
        await checkAll("ttft observed");
    });
});
