// The simulator against upstream semantics: the Kubernetes replica calculator's external-metric
// cases, the HPA's stabilization window and scaling policies, KEDA's 0<->1 (activation,
// cooldown), its fallback and cron triggers, all driven through ScaledObject manifests.
import * as assert from "assert";
import { planInference, Strategy } from "../components";
import type { InferencePlan, ScaledObjectManifest } from "../components";
import { hpaBehavior } from "../components/plan/scaledObject";
import { TRIGGER } from "../components/plan/triggers";
import { behaviorWithDefaults, externalPerPodReplicas, externalValueReplicas, HpaState, milli } from "../components/sim/hpa";
import { KedaController, bindTriggers, scaledModelOf, type ControllerView, type ScaledModel, type Scrape } from "../components/sim/keda";
import { Cluster, DEFAULT_CLUSTER } from "../components/sim/cluster";
import { concurrencyLimit, DEFAULT_COLD_START, DEFAULT_ENGINE, throughput, withColdStart } from "../components/sim/engine";
import { burstOnsets, paramsForPlan, simulatePlan } from "../components/sim/run";
import { chartSvg } from "../components/sim/svg";
import { referenceTrace, traceFromCsv, TraceKind } from "../components/sim/traces";
import { listStacks, planStack } from "../stacks/load";
import { llama } from "./fixtures";

function plan(autoscaling: Record<string, unknown>) {
    return planInference("chat", { models: [llama({ autoscaling: { maxReplicas: 10, ...autoscaling } as any })] });
}

const T0 = Date.UTC(2026, 0, 5, 6, 0);
function scrape(s: Partial<Scrape> = {}): Scrape {
    return { waiting: 0, running: 0, kvUsage: 0, engines: 0, ttftP95: () => NaN, routerRequests: () => 0, completions: () => 0, inferenceSeconds: () => 0, ...s };
}
function view(now: number, replicas: number, s: Partial<Scrape> = {}, extra: Partial<ControllerView> = {}): ControllerView {
    return { now, epochMs: T0 + now * 1000, replicas, readyPods: replicas, scrape: scrape(s), prometheusDown: false, ...extra };
}

/** A ScaledObject with one load trigger of the given threshold and metric type. */
function loadOnly(threshold: string, metricType: "AverageValue" | "Value" = "AverageValue"): ScaledModel {
    const m = scaledModelOf(plan({ minReplicas: 1, load: { target: 1 }, kvCache: { enabled: false }, queueDepth: { enabled: false }, targetQueueDepth: undefined }), 0);
    const so = structuredClone(m.scaledObject);
    so.spec.triggers[0].metadata.threshold = threshold;
    so.spec.triggers[0].metricType = metricType;
    return { ...m, scaledObject: so };
}

/** Model 0 of a plan with its ScaledObject replaced (a test's edit of the manifest). */
function withScaledObject(p: InferencePlan, so: ScaledObjectManifest): ScaledModel {
    return { ...scaledModelOf(p, 0), scaledObject: so };
}

/** Runs a controller to the first HPA sync at or after `from` and returns what it set. */
function firstHpaDecision(k: KedaController, from: number, replicas: number, s: Partial<Scrape>, extra: Partial<ControllerView> = {}): number | undefined {
    for (let t = from; t < from + 15; t++) {
        const r = k.tick(view(t, replicas, s, extra));
        if (r !== undefined) return r;
    }
    return undefined;
}

describe("simulator: Kubernetes replica calculator (external metrics)", () => {
    // kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go, *PerPod*External cases.
    it("AverageValue: current 3, metric 8.6, target 2.15 per pod -> 4 (utilization 2867m per pod)", () => {
        assert.deepStrictEqual(externalPerPodReplicas(3, milli(8.6), milli(2.15)), { replicas: 4, utilizationMilli: 2867 });
    });
    it("AverageValue: current 5, metric 8.6, target 2.867 per pod -> 3", () => {
        assert.strictEqual(externalPerPodReplicas(5, milli(8.6), milli(2.867)).replicas, 3);
    });
    it("AverageValue: current 3, metric 8.6, target 2.9 per pod -> 3 (within the 0.1 tolerance)", () => {
        assert.strictEqual(externalPerPodReplicas(3, milli(8.6), milli(2.9)).replicas, 3);
    });
    it("Value: desired = ceil(metric / target x ready pods); unready pods do not count (getUsageRatioReplicaCount)", () => {
        assert.strictEqual(externalValueReplicas(1, 1, 8600, 4400), 2);
        assert.strictEqual(externalValueReplicas(3, 1, 8600, 4400), 2, "3 pods, 1 ready");
        assert.strictEqual(externalValueReplicas(3, 3, 8600, 8000), 3, "ratio 1.075: within tolerance");
    });
    it("the same numbers come out of a ScaledObject's trigger through KEDA and the HPA", () => {
        const k = new KedaController(loadOnly("2.15"), T0, T0 + 3_600_000);
        assert.strictEqual(firstHpaDecision(k, 1, 3, { running: 8.6, engines: 3 }), 4);
        const k2 = new KedaController(loadOnly("2.9"), T0, T0 + 3_600_000);
        assert.strictEqual(firstHpaDecision(k2, 1, 3, { running: 8.6, engines: 3 }), undefined, "within tolerance: no change");
        const k3 = new KedaController(loadOnly("4.4", "Value"), T0, T0 + 3_600_000);
        assert.strictEqual(firstHpaDecision(k3, 1, 3, { running: 8.6 }, { readyPods: 1 }), 2, "Value counts ready pods only");
    });
});

describe("simulator: HPA behavior (horizontal.go)", () => {
    const a = plan({ minReplicas: 1 });
    it("scale-down stabilization keeps the highest recommendation of the window", () => {
        const h = new HpaState(behaviorWithDefaults({ ...hpaBehavior({ ...(a as any), scaleDownStabilizationSeconds: 300, scaleUpStabilizationSeconds: 0, scaleDownPodsPerPeriod: 10, scaleDownPeriodSeconds: 60 }) }), 1, 10);
        assert.strictEqual(h.stabilize(10, 10, 0), 10);
        assert.strictEqual(h.stabilize(10, 4, 60), 10, "4 recommended, 10 still in the window");
        assert.strictEqual(h.stabilize(10, 4, 299), 10);
        assert.strictEqual(h.stabilize(10, 4, 301), 4, "the 10 left the window");
    });
    it("scale-up policies with selectPolicy Max: +4 pods or +100% per 15 s, counted from the period's start", () => {
        const h = new HpaState(behaviorWithDefaults(undefined), 1, 100);
        assert.strictEqual(h.normalize(1, 50, 0), 5, "max(1 + 4, 2 x 1)");
        assert.strictEqual(h.normalize(5, 50, 10), 5, "the period still counts the +4: its start was 1");
        assert.strictEqual(h.normalize(5, 50, 15), 10, "max(5 + 4, 2 x 5)");
        assert.strictEqual(h.normalize(10, 50, 30), 20);
    });
    it("the package's scale-down policy removes one pod per period after the stabilization window", () => {
        const so = plan({ minReplicas: 1 }).scaledObjects[0];
        const h = new HpaState(behaviorWithDefaults(so.spec.advanced!.horizontalPodAutoscalerConfig!.behavior), 1, 10);
        h.normalize(6, 6, 0);
        assert.strictEqual(h.normalize(6, 2, 100), 6, "within 300 s of the 6");
        assert.strictEqual(h.normalize(6, 2, 315), 5, "one pod");
        assert.strictEqual(h.normalize(5, 2, 345), 5, "one per 60 s");
        assert.strictEqual(h.normalize(5, 2, 376), 4);
    });
    it("a missing behavior gets Kubernetes' defaults (300 s down window, 100% per 15 s)", () => {
        const b = behaviorWithDefaults(undefined);
        assert.strictEqual(b.scaleDown.stabilizationWindowSeconds, 300);
        assert.deepStrictEqual(b.scaleDown.policies, [{ type: "Percent", value: 100, periodSeconds: 15 }]);
        assert.strictEqual(b.scaleUp.stabilizationWindowSeconds, 0);
    });
});

describe("simulator: KEDA (executor, fallback, cron, trigger mapping)", () => {
    it("0 -> 1 at the first poll with an active trigger; 1 -> 0 only once cooldownPeriod has passed since the last active poll", () => {
        const k = new KedaController(scaledModelOf(plan({ minReplicas: 0, pollingIntervalSeconds: 15, cooldownSeconds: 300 }), 0), T0, T0 + 3_600_000);
        assert.strictEqual(k.tick(view(15, 0)), undefined, "nothing active");
        assert.strictEqual(k.tick(view(30, 0, { routerRequests: () => 1 })), 1, "the wake trigger activates it");
        // Idle from now on; the HPA keeps 1 (its minimum), KEDA waits for the cooldown.
        for (let t = 31; t <= 330; t++) assert.notStrictEqual(k.tick(view(t, 1)), 0, `scaled to zero at ${t}, before 30 + 300`);
        let zeroAt: number | undefined;
        for (let t = 331; t <= 400 && zeroAt === undefined; t++) if (k.tick(view(t, 1)) === 0) zeroAt = t;
        assert.strictEqual(zeroAt, 345, "the first poll after 330");
    });
    it("activationThreshold: a value at the threshold is not active (value > activation)", () => {
        // Waiting requests only: a running one would also activate wake_on_request (it keeps a replica while answers run).
        const k = new KedaController(scaledModelOf(plan({ minReplicas: 0, load: { activation: 2 }, queueDepth: { enabled: false } }), 0), T0, T0 + 3_600_000);
        assert.strictEqual(k.tick(view(15, 0, { waiting: 2 })), undefined);
        assert.strictEqual(k.tick(view(30, 0, { waiting: 2.5 })), 1);
    });
    it("fallback: from the 4th failed read (failureThreshold 3) the HPA sees fallback replicas x target; currentReplicasIfHigher never scales down", () => {
        const p3 = plan({ minReplicas: 0, fallbackReplicas: 3 });
        const so = p3.scaledObjects[0];
        assert.strictEqual(so.spec.fallback!.failureThreshold, 3);
        assert.strictEqual(so.spec.fallback!.behavior, "currentReplicasIfHigher");
        const run = (replicas: number, seconds: number) => {
            const k = new KedaController(scaledModelOf(p3, 0), T0, T0 + 3_600_000);
            const changes: [number, number][] = [];
            for (let t = 1; t < seconds; t++) {
                const r = k.tick(view(t, replicas, {}, { prometheusDown: true }));
                if (r !== undefined) {
                    changes.push([t, r]);
                    replicas = r;
                }
            }
            return { replicas, changes };
        };
        // HPA syncs every 15 s; reads 1-3 fail without effect, the 4th returns 3 x target.
        const up = run(1, 120);
        assert.deepStrictEqual(up.changes, [[53, 3]], "one change, at the 4th HPA read (t = 8, 23, 38, 53)");
        // Above the fallback: kept, and KEDA does not scale to zero while triggers error (minReplicas 0).
        assert.deepStrictEqual(run(6, 1800).changes, []);
    });
    it("cron: an open window holds desiredReplicas (metric desiredReplicas against target 1), closed it asks for 1", () => {
        const m = scaledModelOf(plan({ minReplicas: 1, schedules: [{ name: "peak", start: "0 8 * * *", end: "0 9 * * *", timezone: "UTC", replicas: 4 }] }), 0);
        const k = new KedaController(m, T0, T0 + 4 * 3_600_000);
        const inWindow = 2 * 3600 + 60; // 08:01 UTC
        assert.strictEqual(firstHpaDecision(k, inWindow, 1, {}), 4);
        const cron = bindTriggers(m, T0, T0 + 4 * 3_600_000).find((t) => t.type === "cron")!;
        assert.strictEqual(cron.value(scrape(), T0 + 60_000), 1);
    });
    it("maps triggers by name; an unknown trigger name is an error, not a silent zero", () => {
        const p1 = plan({ minReplicas: 1 });
        const so = structuredClone(p1.scaledObjects[0]);
        so.spec.triggers[0].name = "queue-length";
        assert.throws(() => bindTriggers(withScaledObject(p1, so), T0, T0 + 1000), /trigger "queue-length" is not one the simulator can map/);
        assert.deepStrictEqual(bindTriggers(scaledModelOf(plan({ minReplicas: 0, strategy: Strategy.LatencyFirst }), 0), T0, T0 + 1000).map((t) => t.name),
            [TRIGGER.queueDepth, TRIGGER.load, TRIGGER.kvCache, TRIGGER.ttft, TRIGGER.wakeOnRequest]);
    });
    it("knows every trigger the package can generate, and every stack's ScaledObjects bind", () => {
        const all = planInference("chat", { models: [llama({
            autoscaling: {
                maxReplicas: 10, minReplicas: 0, strategy: Strategy.LatencyFirst, gpuUtilization: { enabled: true }, peakHoldSeconds: 3600,
                schedules: [{ name: "peak", start: "0 8 * * *", end: "0 9 * * *", replicas: 2 }],
            },
            coldStartRoute: {},
        })] });
        const bound = bindTriggers(scaledModelOf(all, 0), T0, T0 + 1000).map((t) => t.name);
        for (const name of Object.values(TRIGGER)) assert.ok(bound.includes(name), `TRIGGER ${name} is not simulated`);
        // GPU utilization as DCGM reports it: an engine running anything is ~100% busy, an idle one 0,
        // whatever the batch: the trigger sees "busy", never "how busy" (why no preset enables it).
        const gpu = bindTriggers(scaledModelOf(all, 0), T0, T0 + 1000).find((t) => t.name === TRIGGER.gpuUtilization)!;
        assert.deepStrictEqual([gpu.value(scrape({ engines: 2, running: 0 }), T0), gpu.value(scrape({ engines: 2, running: 1 }), T0),
            gpu.value(scrape({ engines: 2, running: 120, waiting: 50 }), T0)], [0, 200, 200]);
        assert.strictEqual(gpu.target, 80);
        for (const stack of listStacks()) {
            const p = planStack(stack);
            p.scaledObjects.forEach((_so, i) => assert.doesNotThrow(() => bindTriggers(scaledModelOf(p, i), T0, T0 + 1000), `stack ${stack}`));
        }
    });
    it("scalingModifiers: the HPA sees one composite metric (formula over trigger values) against its target", () => {
        const k = new KedaController(scaledModelOf(plan({ minReplicas: 1, targetQueueDepth: 5, scalingModifiers: { formula: "queue_depth + load", target: 10 } }), 0), T0, T0 + 3_600_000);
        assert.strictEqual(firstHpaDecision(k, 1, 1, { waiting: 20, running: 20, engines: 1 }), 5, "ceil((20 + 40) / 10) = 6, limited to 1 + 4");
    });
});

describe("simulator: the load's peak held (load_peak)", () => {
    it("reads the largest load of the hold window, then lets it go once it leaves the window", () => {
        const m = scaledModelOf(plan({ minReplicas: 1, strategy: Strategy.BurstReady, peakHoldSeconds: 600 }), 0);
        assert.strictEqual(m.loadPeakHoldSeconds, 600);
        const t = bindTriggers(m, T0, T0 + 3_600_000);
        const peak = t.find((x) => x.name === TRIGGER.loadPeak)!;
        const load = t.find((x) => x.name === TRIGGER.load)!;
        assert.strictEqual(peak.target, load.target, "against the load's threshold");
        const busy = scrape({ engines: 4, running: 200 });
        const idle = scrape({ engines: 4, running: 10 });
        const atBusy = peak.value(busy, T0);
        assert.strictEqual(atBusy, load.value(busy, T0));
        assert.strictEqual(peak.value(idle, T0 + 300_000), atBusy, "held 5 min later");
        assert.strictEqual(peak.value(idle, T0 + 599_000), atBusy, "held just before the window ends");
        assert.strictEqual(peak.value(idle, T0 + 601_000), load.value(idle, T0), "gone once the peak left the window");
    });

    it("burst-ready holds its peak for 2 h by default; other presets hold none unless asked; the hold needs the load trigger", () => {
        assert.strictEqual(plan({ strategy: Strategy.BurstReady }).models[0].loadPeakHoldSeconds, 7200);
        assert.strictEqual(plan({}).models[0].loadPeakHoldSeconds, 0);
        assert.strictEqual(plan({ strategy: Strategy.BurstReady, peakHoldSeconds: 0 }).models[0].loadPeakHoldSeconds, 0);
        assert.throws(() => plan({ peakHoldSeconds: 60 }), /autoscaling\.peakHoldSeconds: 60 is shorter than the HPA's own scale-down window/);
        assert.throws(() => plan({ peakHoldSeconds: 3600, load: { enabled: false }, queueDepth: { enabled: true } }), /autoscaling\.peakHoldSeconds: holds the load trigger's peak, but load is disabled/);
        assert.throws(() => plan({ peakHoldSeconds: 90000 }), /autoscaling\.peakHoldSeconds/);
    });
});

describe("simulator: traces", () => {
    it("reads a CSV trace step-wise (header skipped) and rejects bad lines with their line number", () => {
        const t = traceFromCsv("x.csv", "seconds,rps\n0,1.5\n10,4\n20,0\n");
        assert.strictEqual(t.rps.length, 60);
        assert.deepStrictEqual([t.rps[0], t.rps[9], t.rps[10], t.rps[19], t.rps[20], t.rps[59]], [1.5, 1.5, 4, 4, 0, 0]);
        assert.throws(() => traceFromCsv("y.csv", "0,1\n5,2\n5,3\n"), /y\.csv:3: times must increase/);
        assert.throws(() => traceFromCsv("z.csv", "0,1\n5,abc\n"), /z\.csv:2: "5,abc" is not two numbers/);
    });
    it("reference traces are deterministic and reach their peak; bursts are detected at their onset", () => {
        const a = referenceTrace(TraceKind.Bursty, { peakRps: 40 });
        assert.deepStrictEqual(Array.from(a.rps.slice(0, 5000)), Array.from(referenceTrace(TraceKind.Bursty, { peakRps: 40 }).rps.slice(0, 5000)));
        assert.ok(Math.max(...a.rps) <= 40 * 1.1 && Math.max(...a.rps) >= 40 * 0.9);
        const onsets = burstOnsets(a);
        assert.strictEqual(onsets[0], 20 * 60, "the first burst starts at minute 20");
        assert.ok(onsets.length >= 6);
        for (const o of onsets) assert.ok(a.rps[o] > 2 * a.rps[o - 1], `onset at ${o}: the rate jumps in that very second`);
        assert.deepStrictEqual(burstOnsets(referenceTrace(TraceKind.Steady)), []);
    });
});

describe("simulator: a short run end to end", () => {
    it("runs a plan's ScaledObject on a CSV trace and draws a chart that parses as SVG", () => {
        const trace = traceFromCsv("t.csv", "seconds,rps\n0,2\n600,20\n1200,2\n1800,2\n");
        const r = simulatePlan(plan({ minReplicas: 1 }), 0, trace);
        assert.ok(r.arrived > 0 && r.gpuHours > 0);
        assert.ok(r.replicaChanges > 0, "the step to 20 req/s scales it up");
        const svg = chartSvg(r, "test");
        assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.strictEqual((svg.match(/<polyline/g) ?? []).length >= 3, true);
        assert.ok(!/NaN|undefined/.test(svg));
    });
});

describe("simulator: the default preset does not flap on a steady rate", () => {
    // stacks/Pulumi.eks.yaml (4 GPUs per replica, maxReplicas 2) on `npm run simulate`'s steady trace
    // (peak 75% of what 2 replicas serve at full batches). The summed load drops ~25% when the second
    // replica is ready (smaller batches finish sooner: Little's law); without the load trigger's
    // scale-down margin the HPA gave it back after every 300 s window: 76 changes in 8 h.
    it("eks steady: a handful of replica changes in 8 h, all within the wait SLO", () => {
        const p = planStack("eks");
        const cluster = { ...DEFAULT_CLUSTER, gpusPerNode: p.gpuNodePool!.gpusPerNode };
        const params = paramsForPlan(p, 0, { cluster });
        const peakRps = Math.round(0.75 * 2 * throughput(params.engine, concurrencyLimit(params.engine)) * 10) / 10;
        const r = simulatePlan(p, 0, referenceTrace(TraceKind.Steady, { peakRps }), { cluster });
        assert.ok(r.replicaChanges <= 4, `${r.replicaChanges} replica changes in 8 h`);
        assert.ok(r.waitSlo >= 0.98, `wait SLO ${r.waitSlo}`);
    });

    it("the load trigger's margin counts only engines running requests: an idle fleet reads 0 (KEDA can still scale to zero)", () => {
        const p0 = plan({ minReplicas: 0 });
        const load = bindTriggers(scaledModelOf(p0, 0), T0, T0 + 1000).find((t) => t.name === TRIGGER.load)!;
        const h = Number(load.target) - Math.round(0.7 * 64);
        assert.ok(h > 0, "the default preset has a margin");
        assert.strictEqual(load.value(scrape({ engines: 2 }), T0), 0);
        assert.strictEqual(load.value(scrape({ engines: 2, running: 30, waiting: 1 }), T0), 31 + 2 * h);
    });

    it("takes the load margin from the plan's data (ModelPlan.loadHysteresis), the one number the query and threshold were built from", () => {
        const p0 = plan({ minReplicas: 0 });
        const m = scaledModelOf(p0, 0);
        const load = p0.scaledObjects[0].spec.triggers.find((t) => t.name === TRIGGER.load)!;
        assert.strictEqual(m.loadHysteresis, p0.models[0].loadHysteresis);
        assert.strictEqual(Number(load.metadata.threshold), Math.round(0.7 * 64) + m.loadHysteresis, "threshold = target + margin");
        const read = (model: ScaledModel) => bindTriggers(model, T0, T0 + 1000).find((t) => t.name === TRIGGER.load)!.value(scrape({ engines: 2, running: 30 }), T0);
        assert.strictEqual(read(m), 30 + 2 * m.loadHysteresis);
        assert.strictEqual(read({ ...m, loadHysteresis: 0 }), 30, "the data, not the query text, decides");
        assert.strictEqual(plan({ minReplicas: 0, strategy: Strategy.QueueDepth }).models[0].loadHysteresis, 0, "no load trigger, no margin");
    });
});

describe("simulator: warm headroom (placeholders engines preempt)", () => {
    const params = { ...DEFAULT_CLUSTER, headroomSlots: 1 };
    it("an engine that fits nowhere takes a placeholder's node at once; the evicted placeholder gets a new node after the boot", () => {
        const c = new Cluster(params, 120);
        c.warmStart(1);
        assert.strictEqual(c.nodeCount, 2, "one engine node and one placeholder node");
        c.scaleTo(2, 10);
        c.step(10);
        // The second engine loads on the placeholder's node: ready after the load alone.
        assert.strictEqual(c.ready(10 + 120), 2);
        assert.strictEqual(c.nodeCount, 3, "a node was ordered for the evicted placeholder");
        for (let t = 11; t < 10 + 150; t++) c.step(t);
        assert.strictEqual(c.nodeCount, 3);
        // Without headroom the same step waits for a node: boot + load.
        const bare = new Cluster(DEFAULT_CLUSTER, 120);
        bare.warmStart(1);
        bare.scaleTo(2, 10);
        for (let t = 10; t <= 10 + 150 + 120; t++) bare.step(t);
        assert.strictEqual(bare.ready(10 + 120), 1);
        assert.strictEqual(bare.ready(10 + 150 + 120), 2);
    });
    it("a node holding a placeholder is never idle-removed, and is billed", () => {
        const c = new Cluster({ ...params, idleNodeRemovalSeconds: 60 }, 120);
        c.warmStart(0);
        for (let t = 0; t < 3600; t++) c.step(t);
        assert.strictEqual(c.nodeCount, 1);
        assert.ok(Math.abs(c.gpuHours() - 1) < 1e-9, `${c.gpuHours()} GPU-h for one placeholder node over an hour`);
    });
    it("the plan's headroomSlots reach the simulated cluster", () => {
        const p = plan({ minReplicas: 1, headroomSlots: 2 });
        assert.strictEqual(paramsForPlan(p, 0).cluster.headroomSlots, 2);
        assert.strictEqual(paramsForPlan(plan({ minReplicas: 1 }), 0).cluster.headroomSlots, 0);
    });
});

describe("simulator: the cold start phase by phase", () => {
    it("the reference phases sum to the default model load; a phase given alone changes the total", () => {
        const e = withColdStart(DEFAULT_ENGINE, DEFAULT_COLD_START);
        assert.strictEqual(e.modelLoadSeconds, DEFAULT_ENGINE.modelLoadSeconds);
        assert.strictEqual(e.imagePullSeconds, DEFAULT_ENGINE.imagePullSeconds);
        assert.strictEqual(withColdStart(DEFAULT_ENGINE, { ...DEFAULT_COLD_START, weightDownloadSeconds: 0 }).modelLoadSeconds, DEFAULT_ENGINE.modelLoadSeconds - DEFAULT_COLD_START.weightDownloadSeconds);
    });
    it("a node that has the engine image skips the pull: the second engine on a reused node loads faster", () => {
        const c = new Cluster({ ...DEFAULT_CLUSTER, idleNodeRemovalSeconds: 3600 }, 120, 45);
        c.scaleTo(1, 0);
        for (let t = 0; t <= 150 + 120; t++) c.step(t);
        assert.strictEqual(c.ready(150 + 120), 1, "fresh node: boot, then the whole load, pull included");
        c.scaleTo(0, 300);
        c.step(300);
        c.scaleTo(1, 400);
        c.step(400);
        assert.strictEqual(c.ready(400 + 120 - 45), 1, "the node kept the image: the load without the pull");
        assert.strictEqual(c.ready(400 + 120 - 45 - 1), 0);
    });
});
