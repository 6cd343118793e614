// `npm run demo` as a newcomer runs it, and the simulator held against the real loop:
// the demo deploys the demo stack (e2e/stacks/demo.yaml: a CPU simulator model, and a vLLM model
// on a GPU pool that Karpenter's real core grows, with one warm-headroom slot) on a fresh local
// cluster with the real Pulumi engine, plays the compressed trace e2e/stacks/loop-trace.csv
// through engines that follow the cluster's pods while real KEDA and the real HPA scale them, and
// writes the real timeline and the simulator's prediction of the same trace with the same
// parameters (scrape interval, HPA sync, model load = pod readiness delay; for the pool's model,
// node boot = the KWOKNodeClass's registration delay, idle removal = consolidateAfter plus
// Karpenter's own delay). This suite fails when their replica-seconds, or the pool's
// node-seconds, differ by more than 15%, and checks the real timeline against the rules of
// docs/scaling.md for a scale-down and the return to zero (the loop suite checks scale-out and
// ownership), and the headroom: a node held from the start, the first engine on it without a boot.
// The same run draws the package's dashboard panels for the deployed plan from the demo's
// Prometheus: this suite checks every planned panel is drawn, every series the panels read held
// data (KEDA's from the real operator, kube-state-metrics' served from the API server), the
// replicas panel follows the real timeline, and KEDA's values come one per trigger.
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { dashboardFor } from "../../components/plan";
import { queryWindowSeconds } from "../../components/plan/queries";
import { TRIGGER } from "../../components/plan/triggers";
import type { Agreement } from "../../components/sim/agreement";
import { esc } from "../../components/sim/svg";
import { traceFromCsv } from "../../components/sim/traces";
import { DEMO_DASHBOARD_RATE_WINDOW_SECONDS, missingSources, type DemoDashboardResult } from "../../scripts/demo/dashboard";
import { argsFromConfig } from "../../stacks/config";
import { SCRAPE_INTERVAL_SECONDS } from "../../e2e/support/prometheusHarness";
import { CLUSTER_SCRIPT } from "../../e2e/support/cluster";
import { e2eStack } from "../../e2e/support/e2eStacks";
import { REPO_ROOT, requireTools } from "../../e2e/support/paths";
import { run, type RunResult } from "../../e2e/support/proc";

/** The bound the issue sets on the simulator's replica-seconds against the real loop's. */
const MAX_REPLICA_SECONDS_DIFF = 0.15;
/** Slack for the API server, kubectl reads and the harness's 1 s steps, added to every derived bound. */
const SLACK_SECONDS = 5;

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

interface DemoResult {
    rps: number[];
    loop: { scrapeIntervalSeconds: number; hpaSyncSeconds: number; podReadyDelaySeconds: number };
    models: {
        model: string; agreement: Agreement; real: { replicas: number[]; ready: number[] }; simulated: { replicas: number[]; ready: number[] }; simulateCommand: string;
        nodes?: { real: number[]; realReady: number[]; simulated: number[]; agreement: Agreement; realPlaceholders: number[]; simulatedPlaceholders: number[] };
    }[];
    dashboard: DemoDashboardResult;
}

describe("end-to-end: npm run demo, the real loop against the simulator on the same trace (e2e/stacks/demo.yaml, loop-trace.csv)", function () {
    this.timeout(15 * 60_000);
    let dir = "";
    let demo: RunResult | undefined;
    let result: DemoResult | undefined;
    const plan = () => {
        const s = e2eStack("demo.yaml", "http://127.0.0.1:9", {});
        s.removeTemporary();
        return s.plan;
    };
    const need = <T>(v: T | undefined, what: string): T => {
        if (v === undefined) throw new Error(`${what} is not there (the demo failed: see the first test)`);
        return v;
    };

    before(async () => {
        requireTools();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "vllm-autoscaling-demo-"));
        // The compiled demo as `npm run demo` runs it after its build (already inside the network namespace here).
        demo = await run(process.execPath, [path.join(REPO_ROOT, "dist", "scripts", "demo.js"), "--json", path.join(dir, "result.json"), "--out", path.join(dir, "timeline.svg"),
            "--dashboard", path.join(dir, "dashboard.svg")],
            { cwd: REPO_ROOT, timeoutMs: 12 * 60_000, allowFailure: true });
        if (fs.existsSync(path.join(dir, "result.json"))) result = JSON.parse(fs.readFileSync(path.join(dir, "result.json"), "utf8"));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("runs to the end and tears everything down (exit 0, the local cluster stopped)", async () => {
        const d = need(demo, "the demo's run");
        for (const line of d.stdout.split("\n").filter((l) => /^\[|^ {2}(t=|\||replica-seconds|the same| *\d+ series)|^dashboard:/.test(l))) log(line);
        assert.strictEqual(d.code, 0, `npm run demo failed:\n${d.stdout.slice(-4000)}\n${d.stderr.slice(-3000)}`);
        assert.match(d.stdout, /nothing left running/);
        const status = await run("bash", [CLUSTER_SCRIPT, "status"], { cwd: REPO_ROOT, timeoutMs: 60_000, allowFailure: true });
        // `status` exits 1 when the cluster is down; any other code (127: no such script) proves nothing.
        assert.strictEqual(status.code, 1, `the demo left the cluster running, or its status did not answer:\n${status.stdout}\n${status.stderr}`);
    });

    it("the simulator predicts the real loop's replica-seconds within 15% (same stack, trace and parameters)", () => {
        const r = need(result, "the demo's result");
        const trace = traceFromCsv("loop-trace.csv", fs.readFileSync(path.join(REPO_ROOT, "e2e", "stacks", "loop-trace.csv"), "utf8"));
        assert.deepStrictEqual(r.rps, Array.from(trace.rps), "the demo played the trace file");
        assert.strictEqual(r.loop.scrapeIntervalSeconds, SCRAPE_INTERVAL_SECONDS);
        assert.strictEqual(r.models.length, plan().models.length);
        for (const m of r.models) {
            const a = m.agreement;
            log(`${m.model}: replica-seconds real ${a.real.replicaSeconds} vs simulated ${a.simulated.replicaSeconds} (${(100 * a.replicaSecondsDiff).toFixed(1)}%), ` +
                `first scale-up ${a.real.firstScaleUp ?? "never"} s vs ${a.simulated.firstScaleUp ?? "never"} s, peak ${a.real.peak} vs ${a.simulated.peak}`);
            assert.strictEqual(m.real.replicas.length, trace.rps.length);
            assert.strictEqual(m.simulated.replicas.length, trace.rps.length);
            assert.ok(a.real.replicaSeconds > 0 && a.real.peak > 1, "the trace scaled the real loop out (else the comparison says nothing)");
            assert.ok(a.replicaSecondsDiff <= MAX_REPLICA_SECONDS_DIFF,
                `${m.model}: the simulator's replica-seconds differ from the real loop's by ${(100 * a.replicaSecondsDiff).toFixed(1)}% (> 15%): fix the simulator or document why`);
        }
    });

    it("the real timeline follows the rules: a wake within its bound, never above max, the scale-down window and pace, zero after the cooldown", () => {
        const r = need(result, "the demo's result");
        const p = plan();
        for (const m of r.models) {
            const i = p.models.findIndex((x) => x.name === m.model);
            const spec = p.scaledObjects[i].spec as any;
            const down = spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown;
            const rep = m.real.replicas;
            const rps = r.rps;
            const hpaSync = r.loop.hpaSyncSeconds;
            assert.ok(Math.max(...rep) <= spec.maxReplicaCount, "above maxReplicas");
            // Wake: the first request at zero -> one replica within a scrape, a poll and the HPA's sync.
            const firstRequest = rps.findIndex((x) => x > 0);
            const woke = rep.findIndex((x) => x > 0);
            const wakeBound = SCRAPE_INTERVAL_SECONDS + spec.pollingInterval + hpaSync + SLACK_SECONDS;
            log(`${m.model}: first request at ${firstRequest} s, a replica at ${woke} s (bound +${wakeBound} s)`);
            assert.ok(woke >= firstRequest && woke - firstRequest <= wakeBound, `woke at ${woke} s for a first request at ${firstRequest} s`);
            assert.strictEqual(rep[woke], 1, "KEDA activates to exactly one replica");
            // After each drop in the rate: no step down within the scale-down window of the HPA's last
            // recommendation under load (it recommends once per sync, so that one may precede the drop
            // by a sync period, and the harness samples each second), then at most podsPerPeriod per period.
            for (let s = 1; s < rps.length; s++) {
                if (!(rps[s] < rps[s - 1]) || rep[s] === 0) continue;
                const firstDown = rep.findIndex((x, k) => k > s && x < rep[k - 1]);
                log(`${m.model}: rate ${rps[s - 1]} -> ${rps[s]} req/s at ${s} s, first step down at ${firstDown} s (window ${down.stabilizationWindowSeconds} s)`);
                if (firstDown >= 0) assert.ok(firstDown - s >= down.stabilizationWindowSeconds - hpaSync - 1, `a step down ${firstDown - s} s after the rate dropped, within the window`);
            }
            const steps = rep.map((x, k) => ({ k, from: k > 0 ? rep[k - 1] : x, to: x })).filter((st) => st.to < st.from && st.to >= 1);
            for (const st of steps) {
                const inPeriod = steps.filter((o) => o.k > st.k - down.policies[0].periodSeconds && o.k <= st.k).reduce((n, o) => n + o.from - o.to, 0);
                assert.ok(inPeriod <= down.policies[0].value, `the HPA removed ${inPeriod} pods within ${down.policies[0].periodSeconds} s at ${st.k} s`);
            }
            // Zero: once the wake trigger's window has passed the last request, KEDA waits the cooldown.
            const window = queryWindowSeconds(spec.triggers.find((t: any) => t.name === TRIGGER.wakeOnRequest).metadata.query)!;
            const lastRequest = rps.length - 1 - [...rps].reverse().findIndex((x) => x > 0);
            const zeroAt = rep.findIndex((x, k) => k > lastRequest && x === 0);
            const lower = window + spec.cooldownPeriod - SCRAPE_INTERVAL_SECONDS - spec.pollingInterval - SLACK_SECONDS;
            const upper = window + spec.cooldownPeriod + 2 * spec.pollingInterval + SCRAPE_INTERVAL_SECONDS + hpaSync + SLACK_SECONDS;
            assert.ok(rps.length - 1 - lastRequest >= upper, `the trace ends ${rps.length - 1 - lastRequest} s after its last request, less than the ${upper} s the return to zero may take`);
            log(`${m.model}: last request at ${lastRequest} s, zero at ${zeroAt} s (+${zeroAt - lastRequest} s; bounds: window ${window} + cooldown ${spec.cooldownPeriod} s, -${window + spec.cooldownPeriod - lower} / +${upper - window - spec.cooldownPeriod} s)`);
            assert.ok(zeroAt > lastRequest, "never back to zero within the trace");
            assert.ok(zeroAt - lastRequest >= lower && zeroAt - lastRequest <= upper, `zero ${zeroAt - lastRequest} s after the last request, outside [${lower}, ${upper}] s`);
            assert.strictEqual(rep[zeroAt - 1], 1, "the last step, to zero, is KEDA's from one replica");
        }
    });

    it("the GPU pool under Karpenter: node-seconds within 15% of the simulator's, the headroom's node held throughout, the first engine on it without a boot", () => {
        const r = need(result, "the demo's result");
        const p = plan();
        const onPool = r.models.filter((m) => p.models.find((x) => x.name === m.model)!.engine !== "simulator");
        assert.ok(onPool.length > 0 && p.headroom.length > 0, "the demo stack has a model on the pool, with headroom");
        for (const m of onPool) {
            const n = m.nodes;
            assert.ok(n, `${m.model}: no node lane in the result`);
            const a = n.agreement;
            log(`${m.model}: node-seconds real ${a.real.replicaSeconds} vs simulated ${a.simulated.replicaSeconds} (${(100 * a.replicaSecondsDiff).toFixed(1)}%), ` +
                `peak ${a.real.peak} vs ${a.simulated.peak}; nodes over the trace: ${[...new Set(n.real)].join(", ")}`);
            assert.strictEqual(n.real.length, r.rps.length);
            assert.ok(a.real.peak > 1, "the trace grew the pool beyond the headroom's node (else the comparison says little)");
            assert.ok(a.replicaSecondsDiff <= MAX_REPLICA_SECONDS_DIFF,
                `${m.model}: the simulator's node-seconds differ from Karpenter's by ${(100 * a.replicaSecondsDiff).toFixed(1)}% (> 15%)`);
            // The placeholder keeps a node from the start: the pool is never empty during the trace.
            assert.ok(Math.min(...n.real) >= 1, `the pool had no node at some second: ${n.real.join(",")}`);
            // The headroom on the timeline: the plan's placeholder running, evicted by the first engine,
            // running again on a new node by the trace's end; never more of them than the slots.
            const slots = p.headroom.find((h) => h.model === m.model)!.replicas;
            const changes = n.realPlaceholders.flatMap((x, k) => (k === 0 || x !== n.realPlaceholders[k - 1] ? [`${k} s: ${x}`] : []));
            log(`${m.model}: headroom placeholders running (slots ${slots}), real at ${changes.join(", ")}; simulated ${[...new Set(n.simulatedPlaceholders)].join(", ")}`);
            assert.ok(n.realPlaceholders.includes(slots), "the placeholder never ran during the trace");
            assert.strictEqual(n.realPlaceholders[n.realPlaceholders.length - 1], slots, "the evicted placeholder did not get a node back");
            assert.ok(Math.max(...n.realPlaceholders) <= slots);
            // The first engine preempts the placeholder: ready within the pod's own delay, no node boot.
            const desiredAt = m.real.replicas.findIndex((x) => x > 0);
            const readyAt = m.real.ready.findIndex((x) => x > 0);
            log(`${m.model}: first engine asked at ${desiredAt} s, ready at ${readyAt} s (pod readiness ${r.loop.podReadyDelaySeconds} s)`);
            assert.ok(readyAt - desiredAt <= r.loop.podReadyDelaySeconds + SLACK_SECONDS, `the first engine waited ${readyAt - desiredAt} s: it booted a node instead of taking the headroom's`);
        }
        const svg = fs.readFileSync(path.join(dir, "timeline.svg"), "utf8");
        for (const m of onPool) {
            for (const what of ["GPU nodes launched, real (Karpenter)", "GPU nodes Ready, real", "GPU nodes, simulator", "headroom placeholders, real", "headroom placeholders, simulator"]) {
                assert.ok(svg.includes(`<title>${m.model} ${what}</title>`), `no "${what}" lane for ${m.model}`);
            }
        }
    });

    it("draws the real timeline beside the simulator's prediction (SVG)", () => {
        const svg = fs.readFileSync(path.join(dir, "timeline.svg"), "utf8");
        const r = need(result, "the demo's result");
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        for (const m of r.models) {
            for (const what of ["desired, real loop", "ready, real loop", "desired, simulator", "ready, simulator"]) {
                assert.ok(svg.includes(`<title>${m.model} ${what}</title>`), `no ${what} line for ${m.model}`);
            }
        }
        // One vertex pair per second for every line: the whole trace is drawn.
        const lines = [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((x) => x[1].trim().split(" ").length);
        assert.ok(lines.length >= 4 * r.models.length && lines.every((n) => n >= 2 * r.rps.length), `polylines of ${lines.join(", ")} points for ${r.rps.length} s`);
    });

    it("draws the dashboard's panels for the deployed plan from real sources: KEDA's operator, kube-state-metrics' series, the emulated engines", () => {
        const r = need(result, "the demo's result");
        const d = r.dashboard;
        const { componentName, args } = argsFromConfig(YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "e2e", "stacks", "demo.yaml"), "utf8")));
        const planned = dashboardFor(componentName, args, { rateWindowSeconds: DEMO_DASHBOARD_RATE_WINDOW_SECONDS }).panels;
        const svg = fs.readFileSync(path.join(dir, "dashboard.svg"), "utf8");
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        for (const p of planned) assert.ok(svg.includes(`>${esc(p.title)} <tspan`), `panel "${p.title}" not drawn`);
        assert.deepStrictEqual(d.panels.map((p) => `${p.model}: ${p.title}`), planned.map((p) => `${p.model}: ${p.title}`), "the planned panels, in order");
        assert.deepStrictEqual(d.panels.flatMap((p) => p.errors), [], "Prometheus accepted every query");
        assert.strictEqual(d.endSec - d.startSec, r.rps.length, "the trace's time range");
        assert.ok(d.stepSec <= 2, `a point every ${d.stepSec} s`);
        // `sum(x) or vector(0)` draws zeros without x: every selector must have held series.
        assert.deepStrictEqual(missingSources(d.sources), [], "series the panels read and Prometheus never held");
        for (const p of d.panels) {
            for (const q of p.queries.filter((x) => x.series === "one")) {
                const got = p.series.filter((s) => s.legend === q.legend);
                assert.strictEqual(got.length, 1, `${p.title} / ${q.legend}: ${got.length} series`);
            }
        }
        const p = plan();
        for (const m of r.models) {
            const mine = d.panels.filter((x) => x.model === m.model);
            // Replicas: kube-state-metrics' series, served from the same reads of the API server as the real timeline.
            const replicas = mine.find((x) => x.title.startsWith("Replicas"))!;
            const desired = replicas.series.find((s) => s.legend === "desired (spec)")!.points;
            const ready = replicas.series.find((s) => s.legend === "ready")!.points;
            const max = (pts: [number, number][]) => Math.max(...pts.map((x) => x[1]));
            log(`${m.model}: dashboard desired max ${max(desired)}, ready max ${max(ready)}; real peak ${m.agreement.real.peak}, ready ${Math.max(...m.real.ready)}`);
            assert.strictEqual(max(desired), m.agreement.real.peak, "the desired series' peak is the real loop's");
            assert.strictEqual(max(ready), Math.max(...m.real.ready));
            // Point by point, within the harness's 1 s polls, the scrape and the trace's start in its first second.
            const near = desired.filter(([t, v]) => {
                const s = Math.round(t - d.traceStartSec);
                return [-4, -3, -2, -1, 0, 1, 2].some((k) => m.real.replicas[Math.min(Math.max(s + k, 0), m.real.replicas.length - 1)] === v);
            }).length;
            log(`${m.model}: ${near} of ${desired.length} desired points equal the real timeline within -4..+2 s`);
            assert.ok(near >= 0.95 * desired.length, `only ${near} of ${desired.length} points of the desired series follow the real timeline`);
            // KEDA: one value per Prometheus trigger, from the real operator (labelled scaler = the trigger's name).
            const so = p.scaledObjects[p.models.findIndex((x) => x.name === m.model)].spec as any;
            const triggers = so.triggers.filter((t: any) => t.type === "prometheus").map((t: any) => t.name).sort();
            const values = mine.find((x) => x.title.startsWith("KEDA: scaler values"))!.series;
            log(`${m.model}: KEDA scaler values ${values.map((s) => `${s.legend} max ${max(s.points)}`).join(", ")}`);
            assert.deepStrictEqual(values.map((s) => s.legend).sort(), triggers);
            assert.ok(values.every((s) => s.points.length >= r.rps.length / 2), "every trigger's value over the trace");
            assert.ok(values.some((s) => max(s.points) > 1), "the operator read the load");
            // No trigger failed in this run: the errors panel stays at 0 (KEDA 2.20.2 starts each trigger's counter at 0).
            const errors = mine.find((x) => x.title === "KEDA: errors")!.series;
            log(`${m.model}: KEDA errors panel series: ${errors.map((s) => `${s.legend} max ${max(s.points)}`).join(", ")}`);
            assert.ok(errors.every((s) => max(s.points) === 0), "no KEDA errors in a healthy run");
        }
    });
});
