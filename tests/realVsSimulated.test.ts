// The pure parts of the real-vs-simulated comparison (npm run demo, tests/e2e/demo.e2e.ts): the
// agreement numbers, the real timeline read from the harness's samples, the simulator's
// parameters for the local loop and the `npm run simulate` line that reproduces them, the chart.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { agreement, agreementTable, timelineFacts } from "../components/sim/agreement";
import { paramsForPlan, simulatePlan } from "../components/sim/run";
import { timelineSvg } from "../components/sim/svg";
import { traceFromCsv } from "../components/sim/traces";
import { localLoopOverrides, progressLine, realTimeline, simulateCommand, type LocalLoop } from "../scripts/demo/realVsSimulated";
import { planStackFile } from "../stacks/load";

const ROOT = path.resolve(__dirname, "..", "..");
const LOOP_STACK = path.join("e2e", "stacks", "loop.yaml");
const LOOP_TRACE = path.join("e2e", "stacks", "loop-trace.csv");
const LOOP: LocalLoop = { scrapeIntervalSeconds: 1, hpaSyncSeconds: 2, podReadyDelaySeconds: 10 };

describe("real vs simulated: agreement of two replica timelines", () => {
    it("sums replica-seconds, finds the first scale-up, the peak and the changes", () => {
        assert.deepStrictEqual(timelineFacts([0, 0, 1, 1, 2, 2, 0]), { replicaSeconds: 6, firstScaleUp: 2, peak: 2, changes: 3 });
        assert.deepStrictEqual(timelineFacts([2, 2, 1]), { replicaSeconds: 5, firstScaleUp: undefined, peak: 2, changes: 1 });
    });

    it("reports the replica-seconds difference relative to the real loop, over the seconds both cover", () => {
        const a = agreement([0, 0, 1, 1, 2, 2, 0], [0, 1, 1, 2, 2, 2, 0, 9, 9]);
        assert.strictEqual(a.seconds, 7);
        assert.strictEqual(a.real.replicaSeconds, 6);
        assert.strictEqual(a.simulated.replicaSeconds, 8);
        assert.strictEqual(a.replicaSecondsDiff, 2 / 6);
        assert.strictEqual(a.firstScaleUpDelta, -1);
        assert.match(agreementTable(a).join("\n"), /\| replica-seconds \| 6 \| 8 \| 33\.3% \|/);
        assert.strictEqual(agreement([0, 0], [0, 0]).replicaSecondsDiff, 0);
        assert.strictEqual(agreement([0, 0], [0, 1]).replicaSecondsDiff, Infinity);
    });
});

describe("real vs simulated: the real loop's timeline from the harness's samples", () => {
    it("takes spec.replicas per trace second, 0 before the Deployment exists, and carries a missed second forward", () => {
        const samples = [
            { model: "chat", traceSecond: undefined, desired: 5, ready: 5 }, // before the trace
            { model: "chat", traceSecond: 0, desired: undefined, ready: 0 },
            { model: "chat", traceSecond: 1, desired: 1, ready: 0 },
            { model: "other", traceSecond: 2, desired: 7, ready: 7 },
            { model: "chat", traceSecond: 3, desired: 2, ready: 1 },
            { model: "chat", traceSecond: 9, desired: 4, ready: 4 }, // past the length
        ];
        assert.deepStrictEqual(realTimeline(samples, "chat", 5), { replicas: [0, 1, 1, 2, 2], ready: [0, 0, 0, 1, 1] });
    });

    it("prints a progress line with demand, queue, desired, ready and the prediction", () => {
        const line = progressLine({ second: 35, model: "chat", rps: 3, waiting: 2.5, running: 8, desired: 1, ready: 1, predicted: 2 });
        assert.match(line, /t= {2}35s {2}chat {2}demand {2}3\.0 req\/s {2}running {3}8\.0 {2}queue {3}2\.5 {2}desired {2}1 {2}ready {2}1 {2}\(simulator: 2\)/);
    });
});

describe("real vs simulated: the simulator's parameters for the local loop", () => {
    const plan = planStackFile(path.join(ROOT, LOOP_STACK));
    const trace = traceFromCsv("loop-trace.csv", fs.readFileSync(path.join(ROOT, LOOP_TRACE), "utf8"));

    it("uses the loop's scrape interval, HPA sync and model load, a cold start and no node boot", () => {
        const p = paramsForPlan(plan, 0, localLoopOverrides(plan, LOOP));
        assert.strictEqual(p.scrapeIntervalSeconds, 1, "an override's scrape interval wins over the plan's");
        assert.strictEqual(p.hpaSyncSeconds, 2);
        assert.strictEqual(p.engine.modelLoadSeconds, 10);
        assert.strictEqual(p.engine.maxNumSeqs, plan.models[0].maxNumSeqs, "the model's own batch size");
        assert.strictEqual(p.warmStart, false);
        assert.strictEqual(p.cluster.nodeBootSeconds, 0);
        assert.strictEqual(paramsForPlan(plan, 0).scrapeIntervalSeconds, plan.scrapeIntervalSeconds);
    });

    it("records every second, starting at zero replicas, and the HPA's sync period changes when it reacts", () => {
        const fast = simulatePlan(plan, 0, trace, localLoopOverrides(plan, LOOP));
        const slow = simulatePlan(plan, 0, trace, { ...localLoopOverrides(plan, LOOP), hpaSyncSeconds: 15 });
        assert.strictEqual(fast.seconds?.length, trace.rps.length);
        assert.strictEqual(fast.seconds?.[0].replicas, 0);
        const changes = fast.seconds!.filter((s, i) => i > 0 && s.replicas !== fast.seconds![i - 1].replicas).length;
        assert.strictEqual(changes, fast.replicaChanges);
        // The first step above one replica is the HPA's (KEDA only activates to one).
        const aboveOne = (r: typeof fast) => r.seconds!.findIndex((s) => s.replicas > 1);
        assert.ok(aboveOne(fast) >= 0 && aboveOne(fast) < aboveOne(slow), `HPA sync 2 s scaled out at ${aboveOne(fast)} s, 15 s at ${aboveOne(slow)} s`);
        assert.strictEqual(simulatePlan(plan, 0, trace).seconds, undefined, "not recorded unless asked");
    });

    it("prints an `npm run simulate` line that reproduces the same run", function () {
        this.timeout(30_000);
        const cmd = simulateCommand(plan, LOOP_STACK, LOOP_TRACE, plan.models[0].name, LOOP);
        const args = cmd.replace(/^npm run simulate -- /, "").split(" ");
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sim-cmd-")), "chart.svg");
        try {
            const r = spawnSync(process.execPath, [path.join(ROOT, "dist", "scripts", "simulate.js"), ...args, "--json", "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
            assert.strictEqual(r.status, 0, r.stderr);
            const cli = JSON.parse(r.stdout)[0];
            const direct = simulatePlan(plan, 0, trace, localLoopOverrides(plan, LOOP));
            for (const k of ["replicaChanges", "maxReplicas", "refused", "arrived", "p95WaitSeconds", "p95TtftSeconds"] as const) {
                assert.strictEqual(cli[k], direct[k], `${k}: the command gives ${cli[k]}, the comparison ${direct[k]}`);
            }
        } finally {
            fs.rmSync(path.dirname(out), { recursive: true, force: true });
        }
    });
});

describe("real vs simulated: the timeline chart", () => {
    it("draws the rate and one step line per series over every second, with labels", () => {
        const svg = timelineSvg("t <demo>", "sub", [0, 1, 1, 0], [
            { label: "desired, real loop", color: "#000", values: [0, 1, 2, 0] },
            { label: "desired, simulator", color: "#f00", values: [0, 1, 1, 0], dashed: true },
        ]);
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.ok(svg.includes("t &lt;demo&gt;"), "the title is escaped");
        assert.ok(svg.includes("<title>desired, real loop</title>") && svg.includes("<title>desired, simulator</title>"));
        const polylines = [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1].split(" ").length);
        assert.deepStrictEqual(polylines, [9, 9], "two vertices per second plus the end");
        assert.strictEqual((svg.match(/stroke-dasharray="6,3"/g) ?? []).length, 1);
    });
});
