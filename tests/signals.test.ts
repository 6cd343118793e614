// Signal planning: strategy presets, per-trigger overrides, schedules, scalingModifiers, and
// every ScaledObject they produce checked against KEDA 2.20.2's own CRD schema.
import * as assert from "assert";
import { planInference, PlanValidationError, Strategy, type Autoscaling } from "../components";
import type { ScaledObjectManifest } from "../components";
import { evaluateFormula, parseFormula } from "../components/plan/formula";
import { SCHEDULE_TRIGGER_PREFIX, TRIGGER } from "../components/plan/triggers";
import { cronMatches, parseCron, scheduleWindow } from "../components/plan/schedules";
import { argsWith, llama } from "./fixtures";
import { KEDA_CRD, scaledObjectValidator, skipUnlessPresent } from "./support/reference";

function names(so: ScaledObjectManifest): string[] {
    return so.spec.triggers.map((t) => t.name!);
}

function trig(so: ScaledObjectManifest, name: string) {
    const t = so.spec.triggers.find((x) => x.name === name);
    assert.ok(t, `no trigger ${name} in ${names(so).join(", ")}`);
    return t;
}

function planWith(autoscaling: Autoscaling, model: Record<string, unknown> = {}) {
    return planInference("chat", argsWith({ models: [llama({ ...model, autoscaling })] }));
}

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof PlanValidationError, String(e));
        return e.problems;
    }
    assert.fail("expected a PlanValidationError");
}

describe("signals: strategy presets and triggers", () => {
    it("default (balanced): demand-based load at 70% of maxNumSeqs, KV cache at 0.7, no queue-depth trigger, wake from zero unchanged", () => {
        const p = planWith({ minReplicas: 0, maxReplicas: 4 });
        const so = p.scaledObjects[0];
        assert.deepStrictEqual(names(so), [TRIGGER.load, TRIGGER.kvCache, TRIGGER.wakeOnRequest]);
        // Arrivals (the router's counter) plus the backlog over the drain horizon, times the mean inference time.
        assert.deepStrictEqual(p.models[0].loadDemand, { windowSeconds: 60, drainSeconds: 300 });
        assert.match(trig(so, TRIGGER.load).metadata.query,
            /^\(\(\(sum\(rate\(vllm:num_incoming_requests_total\{namespace="llm",model="meta-llama\/Llama-3.1-8B-Instruct"\}\[60s\]\)\) \+ \(sum\(vllm:num_requests_waiting\{[^}]*\}\) or vector\(0\)\) \/ 300\) \* sum\(rate\(vllm:request_inference_time_seconds_sum\{[^}]*\}\[60s\]\)\) \/ \(sum\(rate\(vllm:request_inference_time_seconds_count\{[^}]*\}\[60s\]\)\) > 0\)\) or \(/);
        const load = trig(so, TRIGGER.load);
        assert.strictEqual(load.metricType, "AverageValue");
        // Target 45 (70% of 64) plus the scale-down margin, 40% of it, per busy engine in the query.
        assert.strictEqual(load.metadata.threshold, String(45 + 18));
        assert.match(load.metadata.query, / \+ 18 \* \(count\(vllm:num_requests_running\{[^}]*\} > 0\) or vector\(0\)\)$/);
        assert.strictEqual(load.metadata.ignoreNullValues, "false");
        assert.match(load.metadata.query, /vllm:num_requests_running\{namespace="llm",model_name="meta-llama\/Llama-3.1-8B-Instruct"\}/);
        assert.strictEqual(trig(so, TRIGGER.kvCache).metadata.threshold, "0.7");
        assert.match(trig(so, TRIGGER.kvCache).metadata.query, /vllm:kv_cache_usage_perc\{.*\} or vllm:gpu_cache_usage_perc\{/);
    });

    it("turns the queue-depth trigger on in balanced only when a queue setting is given, and off when told", () => {
        for (const given of [{ targetQueueDepth: 7 }, { activationQueueDepth: 1 }, { queueDepth: { target: 7 } }, { queueDepth: { activation: 1 } }]) {
            assert.ok(names(planWith({ maxReplicas: 4, ...given }).scaledObjects[0]).includes(TRIGGER.queueDepth), JSON.stringify(given));
        }
        assert.ok(!names(planWith({ maxReplicas: 4, targetQueueDepth: 7, queueDepth: { enabled: false } }).scaledObjects[0]).includes(TRIGGER.queueDepth));
        assert.ok(!names(planWith({ maxReplicas: 4 }).scaledObjects[0]).includes(TRIGGER.queueDepth));
        // queue-depth's load trigger is off, so it carries no demand data.
        assert.strictEqual(planWith({ maxReplicas: 4, strategy: Strategy.QueueDepth }).models[0].loadDemand, undefined);
    });

    it("derives the load target from the model's maxNumSeqs and sets --max-num-seqs on the engine", () => {
        const p = planWith({ maxReplicas: 4 }, { maxNumSeqs: 20 });
        assert.strictEqual(trig(p.scaledObjects[0], TRIGGER.load).metadata.threshold, String(14 + 6));
        assert.strictEqual(p.charts.vllmStack.values.servingEngineSpec.modelSpec[0].vllmConfig.maxNumSeqs, 20);
    });

    it("queue-depth reproduces the public guides' configuration: one trigger, waiting requests, 5 per replica", () => {
        const so = planWith({ minReplicas: 1, maxReplicas: 4, strategy: Strategy.QueueDepth, targetQueueDepth: undefined }).scaledObjects[0];
        assert.deepStrictEqual(names(so), [TRIGGER.queueDepth]);
        assert.strictEqual(trig(so, TRIGGER.queueDepth).metadata.threshold, "5");
    });

    it("burst-ready: demand-based load at 85% of maxNumSeqs, KV cache, and the load's peak held 2 h against the same threshold", () => {
        const p = planWith({ minReplicas: 1, maxReplicas: 8, strategy: Strategy.BurstReady });
        const so = p.scaledObjects[0];
        assert.deepStrictEqual(names(so), [TRIGGER.load, TRIGGER.loadPeak, TRIGGER.kvCache]);
        const load = trig(so, TRIGGER.load);
        const peak = trig(so, TRIGGER.loadPeak);
        assert.strictEqual(load.metadata.threshold, String(54 + 22));
        assert.strictEqual(peak.metadata.threshold, load.metadata.threshold);
        assert.strictEqual(peak.metadata.query, `max_over_time((${load.metadata.query})[7200s:30s]) or vector(0)`);
        assert.strictEqual(p.models[0].loadPeakHoldSeconds, 7200);
        // Any preset can hold its peak; the formula can read it.
        const b = planWith({ maxReplicas: 8, peakHoldSeconds: 3600, scalingModifiers: { formula: "max(load, load_peak)", target: 63 } }).scaledObjects[0];
        assert.match(trig(b, TRIGGER.loadPeak).metadata.query, /\[3600s:30s\]\) or vector\(0\)$/);
    });

    it("latency-first adds the p95 TTFT trigger against the SLO and lowers the load target", () => {
        const so = planWith({ minReplicas: 1, maxReplicas: 4, strategy: Strategy.LatencyFirst, ttft: { target: 1.5 } }).scaledObjects[0];
        assert.deepStrictEqual(names(so), [TRIGGER.queueDepth, TRIGGER.load, TRIGGER.kvCache, TRIGGER.ttft]);
        const t = trig(so, TRIGGER.ttft);
        assert.strictEqual(t.metadata.threshold, "1.5");
        assert.match(t.metadata.query, /histogram_quantile\(0\.95, sum by \(le\) \(rate\(vllm:time_to_first_token_seconds_bucket\{/);
        assert.strictEqual(trig(so, TRIGGER.load).metadata.threshold, String(26 + 10));
    });

    it("tunes and toggles every trigger one by one", () => {
        const so = planWith({
            minReplicas: 1, maxReplicas: 6, targetQueueDepth: undefined,
            load: { target: 10, activation: 2 }, kvCache: { enabled: false }, queueDepth: { target: 9 }, ttft: { enabled: true },
        }).scaledObjects[0];
        // queueDepth.target given: the queue trigger is on although balanced has it off.
        assert.deepStrictEqual(names(so), [TRIGGER.queueDepth, TRIGGER.load, TRIGGER.ttft]);
        assert.deepStrictEqual([trig(so, TRIGGER.load).metadata.threshold, trig(so, TRIGGER.load).metadata.activationThreshold], [String(10 + 4), "2"]);
        assert.strictEqual(trig(so, TRIGGER.queueDepth).metadata.threshold, "9");
        assert.strictEqual(trig(so, TRIGGER.ttft).metadata.threshold, "2");
    });

    it("adds cron triggers for schedules and a scalingModifiers formula (AverageValue, so the fallback stays on)", () => {
        const so = planWith({
            minReplicas: 0, maxReplicas: 6,
            schedules: [{ name: "workday", start: "0 8 * * 1-5", end: "0 18 * * 1-5", timezone: "Europe/Berlin", replicas: 2 }],
            targetQueueDepth: 5,
            scalingModifiers: { formula: "max(load / 38, queue_depth / 5, schedule_workday)", target: 1 },
        }).scaledObjects[0];
        const cron = trig(so, `${SCHEDULE_TRIGGER_PREFIX}workday`);
        assert.strictEqual(cron.type, "cron");
        assert.deepStrictEqual(cron.metadata, { timezone: "Europe/Berlin", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: "2" });
        assert.deepStrictEqual(so.spec.advanced!.scalingModifiers,
            { formula: "max(load / 38, queue_depth / 5, schedule_workday)", target: "1", activationTarget: "0", metricType: "AverageValue" });
    });

    it("every preset, with schedules, modifiers and scale to zero, is valid against the KEDA 2.20.2 CRD (unknown fields included)", function () {
        skipUnlessPresent(this, KEDA_CRD);
        const validate = scaledObjectValidator();
        const variants: Autoscaling[] = [
            { minReplicas: 0, maxReplicas: 2, targetQueueDepth: 5, cooldownSeconds: 300 }, // today's dev stack
            { minReplicas: 1, maxReplicas: 4 },
            ...Object.values(Strategy).map((strategy) => ({ minReplicas: 0, maxReplicas: 8, strategy })),
            {
                maxReplicas: 8, strategy: Strategy.LatencyFirst, paused: true,
                schedules: [{ name: "peak", start: "30 7 * * MON-FRI", end: "0 20 * * MON-FRI", replicas: 3 }],
                scalingModifiers: { formula: "load > 40 ? load / 20 : ttft_p95", target: 2, activationTarget: 1 },
            },
        ];
        for (const a of variants) {
            const so = planWith(a).scaledObjects[0];
            assert.deepStrictEqual(validate(so), [], JSON.stringify(a));
        }
        // The validator does reject what the API server would prune or refuse.
        const bad = structuredClone(planWith({ maxReplicas: 2 }).scaledObjects[0]) as any;
        bad.spec.triggers[0].metricTyp = "AverageValue";
        assert.ok(validate(bad).some((e) => /metricTyp/.test(e)), validate(bad).join("\n"));
    });
});

describe("signals: validation, all problems at once", () => {
    it("reports a bad strategy, bad overrides, schedules and formula together, each with its path", () => {
        const problems = problemsOf(() => planWith({
            maxReplicas: 3, strategy: "fastest" as Strategy, targetQueueDepth: 5,
            queueDepth: { target: 4 }, kvCache: { target: 1.5 }, load: { target: -1, bogus: 1 } as any,
            schedules: [
                { name: "Peak-Hours", start: "0 8 * *", end: "0 8 * *", timezone: "Mars/Olympus", replicas: 9 },
                { name: "night", start: "0 22 * * *", end: "61 6 * * *", replicas: 2 },
            ],
            scalingModifiers: { formula: "max(load, queue-depth)", target: 1.5 },
        }));
        const paths = problems.map((p) => p.path);
        const at = "models[0].autoscaling";
        for (const expected of [
            `${at}.strategy`, `${at}.queueDepth.target`, `${at}.kvCache.target`, `${at}.load.target`, `${at}.load.bogus`,
            `${at}.schedules[0].name`, `${at}.schedules[0].start`, `${at}.schedules[0].end`, `${at}.schedules[0].timezone`,
            `${at}.schedules[0].replicas`, `${at}.schedules[1].end`, `${at}.scalingModifiers.formula`, `${at}.scalingModifiers.target`,
        ]) assert.ok(paths.includes(expected), `missing ${expected} in ${JSON.stringify(problems, null, 1)}`);
        const formula = problems.find((p) => p.path === `${at}.scalingModifiers.formula`)!;
        assert.match(formula.message, /"queue", which is not a trigger/, "queue-depth parses as queue - depth, as expr would");
        assert.match(problems.find((p) => p.path === `${at}.strategy`)!.message, /"balanced", "queue-depth", "latency-first"/);
    });

    it("rejects a model whose every signal is off, and maxNumSeqs out of range", () => {
        const problems = problemsOf(() => planWith(
            { maxReplicas: 2, strategy: Strategy.QueueDepth, queueDepth: { enabled: false } }, { maxNumSeqs: 0 }));
        assert.deepStrictEqual(problems.map((p) => p.path).sort(), ["models[0].autoscaling", "models[0].maxNumSeqs"]);
    });

    it("rejects a schedule that cannot change anything (replicas <= minReplicas)", () => {
        const problems = problemsOf(() => planWith({ minReplicas: 2, maxReplicas: 4, schedules: [{ name: "x", start: "0 8 * * *", end: "0 9 * * *", replicas: 2 }] }));
        assert.deepStrictEqual(problems.map((p) => p.path), ["models[0].autoscaling.schedules[0].replicas"]);
    });
});

describe("signals: cron and formula semantics", () => {
    it("parses five-field cron like robfig/cron's standard parser (names, ranges, steps, '?')", () => {
        const c = parseCron("*/15 8-18 ? JAN-mar mon-FRI");
        assert.deepStrictEqual([...c.minute], [0, 15, 30, 45]);
        assert.deepStrictEqual([...c.month], [1, 2, 3]);
        assert.deepStrictEqual([...c.dow], [1, 2, 3, 4, 5]);
        assert.throws(() => parseCron("0 8 * * 7"), /day of week: 7 is outside 0-6/);
        assert.throws(() => parseCron("@daily"), /descriptors/);
    });

    it("uses the OR rule when both day fields are restricted, AND when one is '*'", () => {
        // 2026-01-05 is a Monday.
        const mon5 = Date.UTC(2026, 0, 5, 8, 0);
        assert.ok(cronMatches(parseCron("0 8 1 * 1"), mon5, "UTC"), "day-of-week matches: OR");
        assert.ok(!cronMatches(parseCron("0 8 1 * *"), mon5, "UTC"));
        assert.ok(!cronMatches(parseCron("0 8 * * 2"), mon5, "UTC"));
    });

    it("opens a window at start and closes it at end in the schedule's time zone", () => {
        const from = Date.UTC(2026, 0, 5, 0, 0); // Monday 01:00 in Berlin (UTC+1)
        const open = scheduleWindow({ name: "w", start: "0 8 * * 1-5", end: "0 18 * * 1-5", timezone: "Europe/Berlin", replicas: 2 }, from, from + 86_400_000);
        assert.strictEqual(open(Date.UTC(2026, 0, 5, 6, 59)), false); // 07:59 Berlin
        assert.strictEqual(open(Date.UTC(2026, 0, 5, 7, 0)), true); // 08:00 Berlin
        assert.strictEqual(open(Date.UTC(2026, 0, 5, 16, 59)), true);
        assert.strictEqual(open(Date.UTC(2026, 0, 5, 17, 0)), false);
        // A window open across midnight is found open at the start of the run (look-back).
        const night = scheduleWindow({ name: "n", start: "0 22 * * *", end: "0 6 * * *", timezone: "UTC", replicas: 2 }, from, from + 3_600_000);
        assert.strictEqual(night(from), true);
    });

    it("evaluates formulas with expr's precedence", () => {
        const f = parseFormula("float(load > 40 ? load / 20 : max(queue_depth / 5, 1) + 2 ** 2 * 3)");
        assert.strictEqual(evaluateFormula(f, { load: 60, queue_depth: 0 }), 3);
        assert.strictEqual(evaluateFormula(f, { load: 10, queue_depth: 20 }), 16);
    });
});
