// KEDA 2.20 driving the HPA, read from a ScaledObject manifest (the one planInference
// produces): triggers (by name -> simulated signal), thresholds, activation, metricType,
// pollingInterval, cooldownPeriod, min/max, fallback (incl. behavior), HPA behavior, cron
// triggers and scalingModifiers. Semantics follow kedacore/keda: pkg/scaling/executor
// (0<->1: scale from zero when any trigger is active, to zero only after cooldownPeriod
// since the last active poll), pkg/fallback (after more than failureThreshold consecutive
// failures the metric becomes fallback replicas x target), pkg/scalers/cron_scaler.go (active
// while the window is open; metric desiredReplicas, else 1, against a target of 1),
// pkg/scaling/modifiers (one composite metric from the formula).
import type { InferencePlan, ScaledObjectManifest } from "../plan/types";
import { evaluateFormula, parseFormula, type FormulaNode } from "../plan/formula";
import { SCHEDULE_TRIGGER_PREFIX, TRIGGER } from "../plan/triggers";
import { queryWindowSeconds, type LoadDemand } from "../plan/queries";
import { scheduleWindow } from "../plan/schedules";
import { behaviorWithDefaults, DEFAULT_TOLERANCE, externalPerPodReplicas, externalValueReplicas, HpaState, HPA_SYNC_SECONDS, milli } from "./hpa";

/** What Prometheus last scraped from the model's engines and router. */
export interface Scrape {
    waiting: number;
    running: number;
    /** Summed KV-cache usage over ready engines. */
    kvUsage: number;
    /** Engines exporting metrics (ready pods). */
    engines: number;
    /** p95 TTFT over a window (NaN when idle), by window length in seconds. */
    ttftP95: (windowSeconds: number) => number;
    /** Router requests for the model within the last `windowSeconds`. */
    routerRequests: (windowSeconds: number) => number;
    /** Requests the engines completed within the last `windowSeconds` (`vllm:request_inference_time_seconds` count). */
    completions: (windowSeconds: number) => number;
    /** Seconds those requests ran, summed (the same histogram's sum). */
    inferenceSeconds: (windowSeconds: number) => number;
}

/** A trigger of the manifest, bound to the simulated signal its name says it reads. */
export interface SimTrigger {
    name: string;
    type: string;
    metricType: "AverageValue" | "Value";
    /** Per-replica target (AverageValue) or total target (Value). */
    target: number;
    activation: number;
    /** The value the trigger's query returns for a scrape at an instant; throws during a Prometheus outage. */
    value: (scrape: Scrape, epochMs: number) => number;
    /** For cron: whether the window is open. */
    active?: (epochMs: number) => boolean;
}

function windowOf(query: string, trigger: string): number {
    const w = queryWindowSeconds(query);
    if (w === undefined) throw new Error(`trigger ${trigger}: no [<n>s] range in its query, cannot tell its window: ${query}`);
    return w;
}

/**
 * A model's autoscaling as the simulator reads it: the ScaledObject `pulumi up` applies, and what
 * the plan decided that the manifest only holds inside query text (the load trigger's margin).
 */
export interface ScaledModel {
    scaledObject: ScaledObjectManifest;
    /** ModelPlan.loadHysteresis: requests per busy engine added to the load query (0: none). */
    loadHysteresis: number;
    /** ModelPlan.loadDemand: the load read as arrivals x service time (absent: running + waiting). */
    loadDemand?: LoadDemand;
    /** ModelPlan.loadPeakHoldSeconds: the load_peak trigger's window (0: none). */
    loadPeakHoldSeconds?: number;
    /** ModelPlan.coldStartRouteTarget: the cold-start route's concurrency target per replica (absent: no route). */
    coldStartRouteTarget?: number;
}

/** Model `i` of a plan, for the simulator. */
export function scaledModelOf(plan: InferencePlan, i: number): ScaledModel {
    const scaledObject = plan.scaledObjects[i];
    if (!scaledObject) throw new Error(`the plan has ${plan.scaledObjects.length} model(s); no model ${i}`);
    const m = plan.models[i];
    return { scaledObject, loadHysteresis: m.loadHysteresis, ...(m.loadDemand ? { loadDemand: m.loadDemand } : {}), loadPeakHoldSeconds: m.loadPeakHoldSeconds,
        ...(m.coldStartRouteTarget !== undefined ? { coldStartRouteTarget: m.coldStartRouteTarget } : {}) };
}

/** Simulated signals by trigger name: the only names the simulator understands. */
const SIGNALS: Record<string, (query: string, name: string, model: ScaledModel) => (s: Scrape, epochMs: number) => number> = {
    [TRIGGER.queueDepth]: () => (s) => s.waiting,
    [TRIGGER.load]: (_q, _n, model) => {
        const h = model.loadHysteresis;
        const d = model.loadDemand;
        return (s) => {
            let load = s.waiting + s.running;
            if (d) {
                // queries.ts loadQuery: (arrivals + waiting / drain) x mean inference time,
                // falling back to running + waiting while nothing completed in the window.
                const completed = s.completions(d.windowSeconds);
                if (completed > 0) load = (s.routerRequests(d.windowSeconds) / d.windowSeconds + s.waiting / d.drainSeconds) * (s.inferenceSeconds(d.windowSeconds) / completed);
            }
            // Engines running a request: the pooled engines are all busy or all idle.
            return load + (s.running > 0 ? h * s.engines : 0);
        };
    },
    // queries.ts peakQuery over the load: the largest load value of the window, from the values
    // this trigger read at each poll (Prometheus samples the inner query every 30 s instead).
    [TRIGGER.loadPeak]: (q, n, model) => {
        const hold = model.loadPeakHoldSeconds ?? 0;
        if (hold <= 0) throw new Error(`trigger ${n}: the model's plan holds no peak (ModelPlan.loadPeakHoldSeconds is 0)`);
        const load = SIGNALS[TRIGGER.load](q, n, model);
        const seen: { at: number; v: number }[] = [];
        return (s, at) => {
            seen.push({ at, v: load(s, at) });
            while (seen.length > 0 && seen[0].at <= at - hold * 1000) seen.shift();
            return seen.reduce((m, x) => Math.max(m, x.v), 0);
        };
    },
    [TRIGGER.kvCache]: () => (s) => s.kvUsage,
    [TRIGGER.ttft]: (q, n) => {
        const w = windowOf(q, n);
        return (s) => {
            const p = s.ttftP95(w) * s.engines;
            return Number.isFinite(p) && p >= 0 ? p : 0;
        };
    },
    // DCGM_FI_DEV_GPU_UTIL is the share of time a kernel ran: an engine decoding even one request
    // reads ~100%, an idle one 0 (the model keeps no finer GPU state). Summed per engine like the
    // query (per-pod averages); the pooled engines are all busy or all idle. So the trigger says
    // "engines busy", not "engines overloaded": why it is off in every preset.
    [TRIGGER.gpuUtilization]: () => (s) => (s.running > 0 ? 100 * s.engines : 0),
    [TRIGGER.wakeOnRequest]: (q, n) => {
        const w = windowOf(q, n);
        // A request seen within the window, or one still running on an engine (queries.ts).
        return (s) => (s.routerRequests(w) > 0 || s.running > 0 ? 1 : 0);
    },
};

/** Binds every trigger of a model's ScaledObject to its signal; an unknown name is an error. */
export function bindTriggers(model: ScaledModel, fromMs: number, toMs: number): SimTrigger[] {
    return model.scaledObject.spec.triggers.map((t) => {
        const name = t.name ?? "";
        const metricType = (t.metricType ?? "AverageValue") as "AverageValue" | "Value";
        if (t.type === "cron") {
            if (!name.startsWith(SCHEDULE_TRIGGER_PREFIX)) throw new Error(`cron trigger "${name}": the simulator expects cron triggers named ${SCHEDULE_TRIGGER_PREFIX}<schedule>`);
            const m = t.metadata as Record<string, string>;
            const open = scheduleWindow({ name, start: m.start, end: m.end, timezone: m.timezone, replicas: Number(m.desiredReplicas) }, fromMs, toMs);
            const desired = Number(m.desiredReplicas);
            return { name, type: "cron", metricType, target: 1, activation: 0, value: (_s, at) => (open(at) ? desired : 1), active: open };
        }
        if (t.type === "external-push" && name === TRIGGER.coldStartRoute) {
            // The HTTP add-on's scaler: requests in flight through the interceptor (held at zero,
            // then queued or running on the engines) against the route's concurrency target; it
            // pushes "active" as soon as one waits. The interceptor sees what arrives even with no
            // engine, as the router does.
            const target = model.coldStartRouteTarget;
            if (target === undefined) throw new Error(`trigger ${name}: the model's plan has no cold-start route (ModelPlan.coldStartRouteTarget)`);
            const value = (s: Scrape) => Math.max(s.running + s.waiting, s.engines === 0 && s.routerRequests(60) > 0 ? 1 : 0);
            return { name, type: "external-push", metricType, target, activation: 0, value: (s) => value(s) };
        }
        if (t.type !== "prometheus") throw new Error(`trigger "${name}" has type ${t.type}; the simulator knows prometheus, cron and the cold-start route's external-push triggers`);
        const signal = SIGNALS[name];
        if (!signal) {
            throw new Error(`trigger "${name}" is not one the simulator can map to a signal (known: ${Object.keys(SIGNALS).join(", ")}, ${SCHEDULE_TRIGGER_PREFIX}<name>); ` +
                "add it to components/sim/keda.ts SIGNALS with the value its query returns");
        }
        const md = t.metadata as Record<string, string>;
        const read = signal(md.query, name, model);
        return {
            name, type: "prometheus", metricType,
            target: Number(md.threshold), activation: Number(md.activationThreshold ?? "0"),
            value: (s, at) => read(s, at),
        };
    });
}

/** What each trigger's query answers for a scrape, by trigger name (cron: its metric at `epochMs`). */
export function triggerValues(model: ScaledModel, scrape: Scrape, epochMs: number): Record<string, number> {
    return Object.fromEntries(bindTriggers(model, epochMs, epochMs + 1).map((t) => [t.name, t.value(scrape, epochMs)]));
}

/** The replica calculator's proposal for one external metric: AverageValue against the current count, Value against the ready pods. */
export function metricProposal(metricType: string, value: number, target: number, currentReplicas: number, readyPods: number, tolerance = DEFAULT_TOLERANCE): number {
    return metricType === "Value"
        ? externalValueReplicas(currentReplicas, readyPods, milli(value), milli(target), tolerance)
        : externalPerPodReplicas(currentReplicas, milli(value), milli(target), tolerance).replicas;
}

/**
 * The HPA's desired count from the triggers' values, before its behavior (stabilization windows,
 * policies): one proposal per trigger by the replica calculator, the max, within the bounds KEDA
 * gives its HPA, [max(minReplicaCount, 1), maxReplicaCount]. Every value answered: no fallback.
 * `tolerance` 0 gives the bare rule, ceil(value / threshold).
 */
export function hpaProposal(model: ScaledModel, values: Readonly<Record<string, number>>, currentReplicas: number,
    readyPods = currentReplicas, tolerance = DEFAULT_TOLERANCE): number {
    const spec = model.scaledObject.spec;
    if (spec.advanced?.scalingModifiers?.formula) throw new Error("hpaProposal: a scalingModifiers formula makes one composite metric; use KedaController");
    const proposals = bindTriggers(model, 0, 1).map((t) => {
        const v = values[t.name];
        if (v === undefined) throw new Error(`hpaProposal: no value for trigger ${t.name}`);
        return metricProposal(t.metricType, v, t.target, currentReplicas, readyPods, tolerance);
    });
    return Math.min(spec.maxReplicaCount ?? 100, Math.max(Math.max(spec.minReplicaCount ?? 0, 1), ...proposals));
}

/** A Prometheus outage: every prometheus trigger errors in [from, to) (seconds of simulated time). */
export interface Outage { from: number; to: number }

export interface ControllerView {
    now: number;
    epochMs: number;
    /** Deployment spec.replicas. */
    replicas: number;
    readyPods: number;
    scrape: Scrape;
    prometheusDown: boolean;
}

/** KEDA operator + metrics adapter + the HPA it owns, for one ScaledObject. */
export class KedaController {
    readonly triggers: SimTrigger[];
    readonly polling: number;
    readonly cooldown: number;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    private readonly hpa: HpaState;
    private readonly fallback?: { failureThreshold: number; replicas: number; behavior: string };
    private readonly failures = new Map<string, number>();
    private readonly formula?: { node: FormulaNode; target: number; activation: number };
    private lastActive: number | null = null;
    private readonly hpaPhase: number;
    readonly paused: boolean;

    /** `hpaSyncSeconds`: kube-controller-manager's --horizontal-pod-autoscaler-sync-period (default 15 s). */
    constructor(readonly model: ScaledModel, fromMs: number, toMs: number, readonly hpaSyncSeconds = HPA_SYNC_SECONDS) {
        const so = model.scaledObject;
        const s = so.spec;
        this.triggers = bindTriggers(model, fromMs, toMs);
        this.polling = s.pollingInterval ?? 30;
        this.cooldown = s.cooldownPeriod ?? 300;
        this.minReplicas = s.minReplicaCount ?? 0;
        this.maxReplicas = s.maxReplicaCount ?? 100;
        this.paused = so.metadata?.annotations?.["autoscaling.keda.sh/paused"] === "true";
        const behavior = behaviorWithDefaults(s.advanced?.horizontalPodAutoscalerConfig?.behavior);
        // KEDA's HPA: minReplicas = max(minReplicaCount, 1) (GetHPAMinReplicas).
        this.hpa = new HpaState(behavior, Math.max(1, this.minReplicas), this.maxReplicas);
        if (s.fallback) this.fallback = { failureThreshold: s.fallback.failureThreshold, replicas: s.fallback.replicas, behavior: s.fallback.behavior ?? "static" };
        const sm = s.advanced?.scalingModifiers;
        if (sm?.formula) {
            this.formula = { node: parseFormula(sm.formula), target: Number(sm.target), activation: Number(sm.activationTarget ?? "0") };
        }
        // The HPA controller's sync is not aligned with KEDA's polling.
        this.hpaPhase = Math.floor(hpaSyncSeconds / 2);
    }

    /** The replicas to set now, or undefined to leave them. */
    tick(v: ControllerView): number | undefined {
        if (this.paused) return undefined;
        let next: number | undefined;
        if (v.now % this.polling === 0) next = this.operatorPoll(v);
        const current = next ?? v.replicas;
        if (current > 0 && (v.now + this.hpaPhase) % this.hpaSyncSeconds === 0) {
            const h = this.hpaSync({ ...v, replicas: current });
            if (h !== undefined) next = h;
        }
        return next;
    }

    /** Each trigger's value now, or an Error while Prometheus is down. */
    private values(v: ControllerView): Map<string, number | Error> {
        const out = new Map<string, number | Error>();
        for (const t of this.triggers) {
            if (t.type === "prometheus" && v.prometheusDown) out.set(t.name, new Error("prometheus unreachable"));
            else out.set(t.name, t.value(v.scrape, v.epochMs));
        }
        return out;
    }

    /** pkg/scaling/executor RequestScale, once per pollingInterval. */
    private operatorPoll(v: ControllerView): number | undefined {
        const vals = this.values(v);
        let active = false;
        let error = false;
        if (this.formula) {
            const composite = this.composite(vals);
            if (composite instanceof Error) error = true;
            else active = composite > this.formula.activation;
        } else {
            for (const t of this.triggers) {
                const x = vals.get(t.name)!;
                if (x instanceof Error) error = true;
                else if (t.active ? t.active(v.epochMs) : x > t.activation) active = true;
            }
        }
        // pkg/scaling/executor/scale_scaledobjects.go (RequestScale), case by case.
        if (active) {
            if (v.replicas === 0) {
                this.lastActive = v.now;
                return Math.max(1, this.minReplicas);
            }
            if (!error) this.lastActive = v.now; // an erroring trigger leaves LastActiveTime alone
            return undefined;
        }
        // Erroring triggers: nothing here; with a fallback the HPA applies it after failureThreshold.
        if (error) return undefined;
        if (v.replicas > 0 && this.minReplicas === 0) {
            if (this.lastActive === null || this.lastActive + this.cooldown < v.now) return 0;
            return undefined;
        }
        if (v.replicas < this.minReplicas) return this.minReplicas;
        return undefined;
    }

    private composite(vals: Map<string, number | Error>): number | Error {
        const env: Record<string, number> = {};
        for (const [k, x] of vals) {
            if (x instanceof Error) return x;
            env[k] = x;
        }
        return evaluateFormula(this.formula!.node, env);
    }

    /** pkg/fallback: after more than failureThreshold consecutive failures, replicas x target. */
    private withFallback(name: string, x: number | Error, target: number, current: number): number | undefined {
        if (!(x instanceof Error)) {
            this.failures.set(name, 0);
            return x;
        }
        const n = (this.failures.get(name) ?? 0) + 1;
        this.failures.set(name, n);
        if (!this.fallback || n <= this.fallback.failureThreshold) return undefined;
        const f = this.fallback;
        const replicas = f.behavior === "currentReplicas" ? current
            : f.behavior === "currentReplicasIfHigher" ? Math.max(current, f.replicas)
                : f.behavior === "currentReplicasIfLower" ? Math.min(current, f.replicas) : f.replicas;
        return Math.trunc(target) * replicas;
    }

    /** The HPA's reconcile: one proposal per metric, the max, then behavior. */
    private hpaSync(v: ControllerView): number | undefined {
        const vals = this.values(v);
        const proposals: number[] = [];
        const propose = (value: number, target: number, metricType: string) => {
            proposals.push(metricProposal(metricType, value, target, v.replicas, v.readyPods));
        };
        if (this.formula) {
            const c = this.withFallback("composite-metric", this.composite(vals), this.formula.target, v.replicas);
            if (c !== undefined) propose(c, this.formula.target, "AverageValue");
        } else {
            for (const t of this.triggers) {
                const x = t.metricType === "AverageValue" ? this.withFallback(t.name, vals.get(t.name)!, t.target, v.replicas) : vals.get(t.name)!;
                if (x === undefined || x instanceof Error) continue;
                propose(x, t.target, t.metricType);
            }
        }
        if (proposals.length === 0) return undefined; // every metric failed: the HPA does not scale
        const desired = Math.max(...proposals);
        const next = this.hpa.normalize(v.replicas, desired, v.now);
        return next !== v.replicas ? next : undefined;
    }
}
