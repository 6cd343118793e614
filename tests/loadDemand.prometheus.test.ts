// The demand-based load query (queries.ts loadQuery with a LoadDemand) on a real Prometheus: one
// sample in every state, the fallback to running + waiting while nothing has completed, and
// (arrivals + waiting / drain) x mean inference time once requests complete, with another
// namespace's router and engine never leaking in. The intended values are computed here from what
// the emulator was told: a constant arrival rate on the router's counter and requests that all ran
// the same time (so the mean inference time is exact, whatever rate()'s extrapolation).
import * as assert from "assert";
import { loadQuery, peakQuery } from "../components/plan/queries";
import { withPrometheus } from "../e2e/support/prometheusHarness";

const NS = "llm";
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const scope = { namespace: NS, servedModelName: MODEL };
const demand = { windowSeconds: 10, drainSeconds: 300 };
/** Requests per second the router sees while traffic runs, and the time every one of them runs. */
const RPS = 4;
const RUN_SECONDS = 5;

describe("demand-based load and its peak hold on a real Prometheus (one sample; arrivals x inference time, the backlog drained)", function () {
    this.timeout(120_000);
    let timer: NodeJS.Timeout | undefined;
    const f = withPrometheus({
        setup: (emu) => {
            emu.addEngine("e1", { model: MODEL, namespace: NS, release: "chat", present: false });
            emu.addRouter("router", { namespace: NS, release: "chat" });
            // Another namespace's router and engine for the same model name, busy: must never count.
            emu.addRouter("other-router", { namespace: "other", release: "chat" });
            emu.addEngine("decoy", { model: MODEL, namespace: "other", release: "chat", waiting: 40, running: 9, kvCacheUsage: 0.9 });
            emu.observeInferenceTime("decoy", 60, 500);
        },
    });
    after(() => {
        if (timer) clearInterval(timer);
    });
    const load = (h = 0) => f.prom.kedaValue(loadQuery(scope, h, demand));
    const traffic = (withCompletions: boolean) => {
        if (timer) clearInterval(timer);
        timer = setInterval(() => {
            f.emu.routerRequest(MODEL, RPS, "router");
            f.emu.routerRequest(MODEL, 50, "other-router");
            if (withCompletions) f.emu.observeInferenceTime("e1", RUN_SECONDS, RPS);
        }, 1000);
    };

    it("no engine, no traffic: one sample of 0", async () => {
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await load(), 0);
        assert.strictEqual(await load(15), 0);
    });

    it("requests arrive at the router, no engine yet: 0 (nothing running or waiting, nothing completed)", async () => {
        traffic(false);
        await f.prom.waitForScrapes(3);
        assert.strictEqual(await load(), 0);
    });

    it("an engine runs the first requests, none completed: running + waiting (the fallback)", async () => {
        f.emu.restoreTarget("e1");
        f.emu.setEngine("e1", { running: 12, waiting: 3, kvCacheUsage: 0.5 });
        await f.prom.waitForScrapes(3);
        assert.strictEqual(await load(), 15);
        assert.strictEqual(await load(15), 15 + 15, "the margin is added to the fallback too");
    });

    it("requests complete: (arrival rate + waiting / drain) x mean inference time, not running + waiting", async () => {
        traffic(true);
        // The whole window filled with the constant rate.
        await new Promise((r) => setTimeout(r, (demand.windowSeconds + 2) * 1000));
        await f.prom.waitForScrapes(2);
        const intended = (RPS + 3 / demand.drainSeconds) * RUN_SECONDS;
        const got = await load();
        // rate() extrapolates to the window's edges: a few percent, never the other namespace's 50/s.
        assert.ok(Math.abs(got - intended) / intended < 0.1, `load ${got}, intended ${intended}`);
        const withMargin = await load(15);
        assert.ok(Math.abs(withMargin - got - 15) < 0.1 * intended, `margin: ${withMargin} vs ${got} + 15 (one busy engine)`);
    });

    it("a backlog counts only as what draining it over the horizon needs", async () => {
        f.emu.setEngine("e1", { running: 12, waiting: 3000, kvCacheUsage: 1 });
        await f.prom.waitForScrapes(2);
        const intended = (RPS + 3000 / demand.drainSeconds) * RUN_SECONDS;
        const got = await load();
        assert.ok(Math.abs(got - intended) / intended < 0.1, `load ${got}, intended ${intended}`);
        assert.ok(got < 12 + 3000, "far below running + waiting, which would have asked for a replica per few waiting requests");
    });

    it("the peak hold (load_peak) keeps the largest value of its window, one sample, then lets it go", async () => {
        const hold = 8;
        const peak = () => f.prom.kedaValue(peakQuery(loadQuery(scope), hold, 1));
        f.emu.setEngine("e1", { running: 40, waiting: 0, kvCacheUsage: 0.5 });
        // The previous test's backlog leaves the window first.
        await new Promise((r) => setTimeout(r, (hold + 2) * 1000));
        assert.strictEqual(await peak(), 40);
        f.emu.setEngine("e1", { running: 5, waiting: 0, kvCacheUsage: 0.1 });
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await f.prom.kedaValue(loadQuery(scope)), 5, "the load itself has dropped");
        assert.strictEqual(await peak(), 40, "the peak is held");
        await new Promise((r) => setTimeout(r, (hold + 2) * 1000));
        assert.strictEqual(await peak(), 5, "the peak left the window");
    });

    it("engine gone, traffic stopped: back to one sample of 0", async () => {
        if (timer) clearInterval(timer);
        timer = undefined;
        f.emu.removeTarget("e1");
        await new Promise((r) => setTimeout(r, (demand.windowSeconds + 2) * 1000));
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await load(), 0);
        assert.strictEqual(await f.prom.kedaValue(peakQuery(loadQuery(scope), 8, 1)), 0, "the held peak too, once the window has passed");
    });
});
