// Every trigger query of every plan, evaluated the way KEDA would (one sample or an error) on a
// real Prometheus scraping emulated engines and a router, in the states that matter for
// scaling: no engine pod, one, three, no traffic, and the first request at zero.
import * as assert from "assert";
import { planInference } from "../components";
import type { InferencePlan, LlmInferenceArgs } from "../components";
import { wakeOnRequestQuery } from "../components/plan/queries";
import { TRIGGER } from "../components/plan/triggers";
import { listStacks, planStack } from "../stacks/load";
import { llama } from "./fixtures";
import { withPrometheus } from "../e2e/support/prometheusHarness";
import type { VllmEmulator } from "../e2e/support/vllmEmulator";

const NS = "llm";
const A = "meta-llama/Llama-3.1-8B-Instruct";
const B = "Qwen/Qwen2.5-0.5B-Instruct";

/** What the test believes the cluster looks like; expectations are computed from it. */
interface EngineState { model: string; namespace: string; present: boolean; waiting: number; running: number; kv: number }
interface World { engines: Record<string, EngineState>; routerRequests: Record<string, number> }

/** The value each trigger is meant to report for a model, from the scaling rule in words. */
type Expectation = (world: World, servedModel: string, query: string) => number;
const present = (w: World, model: string) => Object.values(w.engines).filter((e) => e.present && e.model === model && e.namespace === NS);
const EXPECTED: Record<string, Expectation> = {
    // Requests waiting in this model's engine queues (never the router's gauge, never another namespace).
    [TRIGGER.queueDepth]: (w, m) => present(w, m).reduce((s, e) => s + e.waiting, 0),
    // 1 once the router has seen a request for the model (within the window), or while any of the
    // model's engines runs a request (so a long answer keeps its replica), else 0.
    [TRIGGER.wakeOnRequest]: (w, m) => ((w.routerRequests[m] ?? 0) > 0 || present(w, m).some((e) => e.running > 0) ? 1 : 0),
    // Requests running plus waiting in this model's engines, plus the preset's scale-down margin
    // (the number in the query) for each of them running a request.
    [TRIGGER.load]: (w, m, q) => {
        const h = Number(/ \+ (\d+) \* \(count\(/.exec(q)?.[1] ?? 0);
        return present(w, m).reduce((s, e) => s + e.running + e.waiting + (e.running > 0 ? h : 0), 0);
    },
    // KV-cache usage summed over this model's engines.
    [TRIGGER.kvCache]: (w, m) => present(w, m).reduce((s, e) => s + e.kv, 0),
};

const argsUnderTest: LlmInferenceArgs = {
    models: [
        llama({ autoscaling: { minReplicas: 0, maxReplicas: 4 } }),
        llama({ name: "small", modelUrl: B, autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
    ],
};

function plansUnderTest(): Array<[string, InferencePlan]> {
    return [["two-model args", planInference("chat", argsUnderTest)], ...listStacks().map((s): [string, InferencePlan] => [`stack ${s}`, planStack(s)])];
}

function apply(emu: VllmEmulator, world: World): void {
    for (const [id, e] of Object.entries(world.engines)) {
        if (e.present) {
            emu.restoreTarget(id);
            emu.setEngine(id, { waiting: e.waiting, running: e.running, kvCacheUsage: e.kv });
        } else {
            emu.removeTarget(id);
        }
    }
}

describe("trigger queries on a real Prometheus (KEDA's view: exactly one sample)", function () {
    this.timeout(120_000);
    const world: World = { engines: {}, routerRequests: {} };
    const models = [A, B, ...new Set(plansUnderTest().flatMap(([, p]) => p.models.map((m) => m.servedModelName)))];
    const served = [...new Set(models)];
    const fixture = withPrometheus({
        setup: (emu) => {
            served.forEach((model, i) => {
                for (const n of [1, 2, 3]) {
                    const id = `m${i}-pod${n}`;
                    world.engines[id] = { model, namespace: NS, present: false, waiting: 0, running: 0, kv: 0 };
                    emu.addEngine(id, { model, namespace: NS, release: "chat", present: false });
                }
            });
            // Same model in another namespace: must never leak into this model's numbers.
            world.engines.decoy = { model: A, namespace: "other", present: true, waiting: 50, running: 7, kv: 0.9 };
            emu.addEngine("decoy", { model: A, namespace: "other", release: "chat", waiting: 50, running: 7, kvCacheUsage: 0.9 });
            emu.addRouter("router", { namespace: NS, release: "chat" });
            // The router's same-named gauges, labelled by server only.
            emu.setRouterServer("http://10.0.0.1:8000", { waiting: 9, running: 9, qps: 3 }, "router");
        },
    });

    async function checkAll(state: string): Promise<void> {
        apply(fixture.emu, world);
        await fixture.prom.waitForScrapes(2);
        for (const [label, plan] of plansUnderTest()) {
            for (const [i, so] of plan.scaledObjects.entries()) {
                const model = plan.models[i].servedModelName;
                for (const t of so.spec.triggers.filter((x) => x.type === "prometheus")) {
                    const expect = EXPECTED[t.name ?? ""];
                    assert.ok(expect, `${label}: trigger "${t.name}" has no expectation in this test; add what it should report`);
                    // kedaValue throws as KEDA's scaler does on several samples, empty, NaN or Inf.
                    const value = await fixture.prom.kedaValue(t.metadata.query);
                    assert.strictEqual(value, expect(world, model, t.metadata.query), `${label} / ${so.metadata?.name} / ${t.name} in state "${state}"\n${t.metadata.query}`);
                }
            }
        }
    }

    const engines = (model: string) => Object.entries(world.engines).filter(([id, e]) => e.model === model && id !== "decoy");
    function setPods(model: string, waiting: number[], running: number[] = waiting.map(() => 2)): void {
        engines(model).forEach(([, e], n) => {
            e.present = n < waiting.length;
            e.waiting = waiting[n] ?? 0;
            e.running = running[n] ?? 0;
        });
    }

    it("0 engine pods, no request yet: every query is one sample of 0", async () => {
        for (const m of served) setPods(m, []);
        await checkAll("0 pods");
    });

    it("1 engine pod per model", async () => {
        served.forEach((m, i) => setPods(m, [4 + i]));
        await checkAll("1 pod");
    });

    it("3 engine pods per model", async () => {
        served.forEach((m, i) => setPods(m, [4, 5, 6 + i]));
        await checkAll("3 pods");
    });

    it("3 pods and no traffic", async () => {
        for (const m of served) setPods(m, [0, 0, 0], [0, 0, 0]);
        await checkAll("no traffic");
    });

    it("back to 0 pods, then the first request for each model wakes it (also the very first the router sees)", async () => {
        for (const m of served) setPods(m, []);
        for (const m of served) {
            fixture.emu.routerRequest(m, 1, "router");
            world.routerRequests[m] = 1;
        }
        await checkAll("first request at zero");
        for (const m of served) {
            fixture.emu.routerRequest(m, 25, "router");
            world.routerRequests[m] += 25;
        }
        await checkAll("traffic flowing");
    });

    it("the wake signal falls back to 0 once no request came within its window", async () => {
        const query = wakeOnRequestQuery({ namespace: NS, servedModelName: "late-model" }, 3);
        fixture.emu.routerRequest("late-model", 1, "router");
        await fixture.prom.waitForScrapes(2);
        assert.strictEqual(await fixture.prom.kedaValue(query), 1);
        // Wait out the window (3 s) plus Prometheus' extrapolation edge, without new requests.
        await new Promise((r) => setTimeout(r, 5000));
        await fixture.prom.waitForScrapes(1);
        assert.strictEqual(await fixture.prom.kedaValue(query), 0);
    });
});
