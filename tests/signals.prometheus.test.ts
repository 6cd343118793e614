// The issue-5 signal queries on a real Prometheus: the KV-cache query across vLLM generations
// (the pre-0.9 gauge name in the same query), the load sum, and the p95 TTFT pressure query,
// whose intended value is computed by hand from histogram_quantile's documented linear
// interpolation inside a bucket, in the states 0 pods / 1 pod / 3 pods / no traffic.
import * as assert from "assert";
import { kvCacheQuery, loadQuery, queueDepthQuery, ttftP95Query, ttftPressureQuery } from "../components/plan/queries";
import { withPrometheus } from "../e2e/support/prometheusHarness";

const NS = "llm";
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const scope = { namespace: NS, servedModelName: MODEL };
/** Short rate window so the "no traffic" state arrives within the test's time. */
const WINDOW = 4;

function near(actual: number, expected: number, what: string): void {
    assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: got ${actual}, expected ${expected}`);
}

describe("issue-5 signal queries on a real Prometheus (one sample, intended value)", function () {
    this.timeout(120_000);
    const f = withPrometheus({
        setup: (emu) => {
            // Three pods of the model, each a different engine generation, all absent at first.
            emu.addEngine("new", { model: MODEL, namespace: NS, release: "chat", present: false });
            emu.addEngine("old", { model: MODEL, namespace: NS, release: "chat", flavor: "vllm-pre-0.9", present: false });
            emu.addEngine("sim", { model: MODEL, namespace: NS, release: "chat", flavor: "llm-d-sim", present: false });
            // Same model elsewhere, busy and slow: must never leak in.
            emu.addEngine("decoy", { model: MODEL, namespace: "other", release: "chat", waiting: 40, running: 9, kvCacheUsage: 0.9 });
            emu.observeTtft("decoy", 30, 50);
            emu.addRouter("router", { namespace: NS, release: "chat" });
            emu.setRouterServer("http://10.0.0.1:8000", { waiting: 7, running: 7 }, "router");
        },
    });
    const kv = () => f.prom.kedaValue(kvCacheQuery(scope));
    const load = () => f.prom.kedaValue(loadQuery(scope));
    const queue = () => f.prom.kedaValue(queueDepthQuery(scope));
    const ttft = () => f.prom.kedaValue(ttftPressureQuery(scope, WINDOW));
    const p95 = () => f.prom.kedaValue(ttftP95Query(scope, WINDOW));

    it("0 pods: every query is one sample of 0 (the decoy and the router's gauges do not count)", async () => {
        await f.prom.waitForScrapes(2);
        assert.deepStrictEqual([await kv(), await load(), await queue(), await ttft(), await p95()], [0, 0, 0, 0, 0]);
    });

    it("1 pod (vLLM >= 0.9): load = running + waiting, KV = its usage, p95 TTFT x 1 engine", async () => {
        f.emu.restoreTarget("new");
        f.emu.setEngine("new", { running: 12, waiting: 3, kvCacheUsage: 0.5 });
        await f.prom.waitForScrapes(2);
        // 100 requests, all with TTFT 0.3 s: bucket (0.25, 0.5]; p95 = 0.25 + 0.25 x 95/100.
        f.emu.observeTtft("new", 0.3, 100);
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await load(), 15);
        assert.strictEqual(await queue(), 3);
        assert.strictEqual(await kv(), 0.5);
        near(await p95(), 0.4875, "p95");
        near(await ttft(), 0.4875, "p95 x engines");
    });

    it("3 pods of three generations: KV sums the new and the pre-0.9 gauge, p95 interpolates the merged buckets, x 3 engines", async () => {
        f.emu.restoreTarget("old");
        f.emu.restoreTarget("sim");
        f.emu.setEngine("old", { running: 4, waiting: 0, kvCacheUsage: 0.25 });
        f.emu.setEngine("sim", { running: 5, waiting: 1, kvCacheUsage: 0.125 });
        // Let the previous test's observations leave the rate window.
        await new Promise((r) => setTimeout(r, (WINDOW + 1) * 1000));
        await f.prom.waitForScrapes(2);
        // 90 fast (0.05 s, bucket (0.04, 0.06]) and 10 slow (3 s, bucket (2.5, 5]): rank 95 lies 5 into
        // the 10 slow ones, 2.5 + 2.5 x 5/10 = 3.75. All on one pod: rate() extrapolates each pod's
        // series by its own scrape phase, so splitting them across pods would skew the mix slightly.
        // The old pod's buckets (all zero increase) and the llm-d simulator's (no series until its
        // first observation) are in the sum by (le) and change nothing.
        f.emu.observeTtft("new", 0.05, 90);
        f.emu.observeTtft("new", 3, 10);
        await f.prom.waitForScrapes(2);
        assert.strictEqual(await load(), 15 + 4 + 6);
        assert.strictEqual(await queue(), 4);
        assert.strictEqual(await kv(), 0.875);
        near(await p95(), 3.75, "p95 over the window's new observations");
        near(await ttft(), 3 * 3.75, "p95 x 3 engines");
    });

    it("3 pods, no traffic: load, queue and KV read 0, and the idle p95 (NaN) reads 0", async () => {
        for (const id of ["new", "old", "sim"]) f.emu.setEngine(id, { running: 0, waiting: 0, kvCacheUsage: 0 });
        await new Promise((r) => setTimeout(r, (WINDOW + 2) * 1000));
        await f.prom.waitForScrapes(2);
        const raw = await f.prom.queryResult(
            `histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{namespace="${NS}",model_name="${MODEL}"}[${WINDOW}s])))`);
        assert.ok(raw.resultType === "vector" && raw.samples.length === 1 && Number.isNaN(raw.samples[0].value),
            `the bare quantile is NaN when idle (what KEDA would reject with ignoreNullValues false): ${JSON.stringify(raw)}`);
        assert.deepStrictEqual([await kv(), await load(), await queue(), await ttft(), await p95()], [0, 0, 0, 0, 0]);
    });

    it("back to 0 pods: one sample of 0 again, from the stale-marked series", async () => {
        for (const id of ["new", "old", "sim"]) f.emu.removeTarget(id);
        await f.prom.waitForScrapes(2);
        assert.deepStrictEqual([await kv(), await load(), await queue(), await ttft(), await p95()], [0, 0, 0, 0, 0]);
    });
});
