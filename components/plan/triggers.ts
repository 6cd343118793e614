// The triggers of a model's ScaledObject, by name and as KEDA reads them: which exist (from the
// resolved signals, schedules and minReplicas), their queries, thresholds and activation. A leaf
// module: the plan (scaledObject.ts, signals.ts, alerts.ts, describeTriggers.ts) and the
// simulator import the names and builders from here, and it imports none of them. Every
// Prometheus trigger is AverageValue on a summed query (one sample in every state), so the HPA
// computes desired = ceil(value / target) and KEDA's fallback applies to each of them.
import type { LoadDemand, SeriesScope } from "./queries";
import { DEFAULTS } from "./defaults";
import { gpuUtilizationQuery, kvCacheQuery, loadQuery, peakQuery, queueDepthQuery, ttftPressureQuery, wakeOnRequestQuery } from "./queries";
import type { ResolvedSchedule } from "./schedules";
import type { ResolvedSignals } from "./strategy";

/**
 * Trigger names: the `plan` view, the simulator and the Prometheus tests key on them, and a
 * scalingModifiers formula reads triggers by name, so they are expr identifiers (no '-').
 */
export const TRIGGER = {
    queueDepth: "queue_depth",
    wakeOnRequest: "wake_on_request",
    load: "load",
    loadPeak: "load_peak",
    kvCache: "kv_cache",
    ttft: "ttft_p95",
    gpuUtilization: "gpu_utilization",
    coldStartRoute: "cold_start_route",
} as const;

/** Cron triggers are named `schedule_<schedule name>`. */
export const SCHEDULE_TRIGGER_PREFIX = "schedule_";

/** The autoscaling settings the triggers depend on (ResolvedAutoscaling has them all). */
export interface TriggerSettings {
    minReplicas: number;
    targetQueueDepth: number;
    activationQueueDepth: number;
    /** Signal preset and per-trigger settings; absent = queue depth only (targetQueueDepth). */
    signals?: ResolvedSignals;
    schedules?: ResolvedSchedule[];
    /** Seconds the load's peak is held by a load_peak trigger (0 or absent: none). */
    peakHoldSeconds?: number;
}

/** Resolution of the load_peak subquery: a few samples a minute is plenty for a hold of hours. */
export const PEAK_STEP_SECONDS = 30;

/**
 * The load trigger's scale-down margin: requests per engine running any, added to its query and
 * its threshold (queries.ts loadQuery); 0 without a load trigger. The plan carries it
 * (ModelPlan.loadHysteresis) so that readers of the triggers, the simulator first, take it as data.
 */
export function loadHysteresis(a: TriggerSettings): number {
    return a.signals?.load.enabled ? (a.signals.load.hysteresis ?? 0) : 0;
}

/**
 * The demand half of the load trigger (queries.ts loadQuery), or undefined when the load is read
 * as running + waiting (or there is no load trigger). Carried by the plan (ModelPlan.loadDemand)
 * for the simulator, like the margin.
 */
export function loadDemand(a: TriggerSettings, windowSeconds: number): LoadDemand | undefined {
    return a.signals?.load.enabled && a.signals.load.demand ? { windowSeconds, drainSeconds: DEFAULTS.backlogDrainSeconds } : undefined;
}

/** What the triggers of one model's ScaledObject are built from. */
export interface TriggerInput {
    deploymentName: string;
    scope: SeriesScope;
    prometheusUrl: string;
    /** Router request window of the wake trigger; a few scrapes long so one scrape never misses it. */
    wakeWindowSeconds: number;
    /** Range of the load's arrival and inference-time rates (index.ts loadRateWindowFor). */
    loadRateWindowSeconds: number;
    autoscaling: TriggerSettings;
    /** The model's cold-start route (coldStartRoute.ts): its InterceptorRoute and the add-on scaler's address. */
    coldStartRoute?: { routeName: string; scalerAddress: string };
}

export function prometheusTrigger(name: string, serverAddress: string, query: string, threshold: number, activation: number) {
    return {
        type: "prometheus",
        name,
        metricType: "AverageValue" as const,
        metadata: {
            serverAddress,
            query,
            threshold: String(threshold),
            activationThreshold: String(activation),
            // Our queries always return one sample; an empty answer is a fault for the fallback.
            ignoreNullValues: "false",
        },
    };
}

/** Name of the cron trigger of a schedule. */
export function scheduleTriggerName(scheduleName: string): string {
    return `${SCHEDULE_TRIGGER_PREFIX}${scheduleName}`;
}

/** Names of the triggers a ScaledObject gets, in order (what a formula may read). */
export function triggerNames(signals: ResolvedSignals | undefined, schedules: readonly ResolvedSchedule[], minReplicas: number, peakHoldSeconds = 0): string[] {
    const names: string[] = [];
    if (!signals || signals.queueDepth.enabled) names.push(TRIGGER.queueDepth);
    if (signals?.load.enabled) names.push(TRIGGER.load);
    if (signals?.load.enabled && peakHoldSeconds > 0) names.push(TRIGGER.loadPeak);
    if (signals?.kvCache.enabled) names.push(TRIGGER.kvCache);
    if (signals?.ttft.enabled) names.push(TRIGGER.ttft);
    if (signals?.gpuUtilization.enabled) names.push(TRIGGER.gpuUtilization);
    for (const s of schedules) names.push(scheduleTriggerName(s.name));
    if (minReplicas === 0) names.push(TRIGGER.wakeOnRequest);
    return names;
}

function cronTrigger(s: ResolvedSchedule) {
    return {
        type: "cron",
        name: scheduleTriggerName(s.name),
        metadata: { timezone: s.timezone, start: s.start, end: s.end, desiredReplicas: String(s.replicas) },
    };
}

/**
 * The KEDA HTTP add-on's scaler for a model's InterceptorRoute (kedacore/http-add-on v0.15.0
 * pkg/k8s/scaledobject.go: `external-push`, metadata `scalerAddress` and `interceptorRoute`, the
 * route in the ScaledObject's namespace). It pushes "active" the moment a request waits at the
 * interceptor, and reports the requests in flight against the route's concurrency target.
 * Always last, after every trigger triggerNames() lists (a scalingModifiers formula cannot read it).
 */
export function coldStartRouteTrigger(routeName: string, scalerAddress: string) {
    return { type: "external-push", name: TRIGGER.coldStartRoute, metadata: { scalerAddress, interceptorRoute: routeName } };
}

/** The triggers, in the order of triggerNames(), then the cold-start route's. */
export function buildTriggers(input: TriggerInput) {
    const a = input.autoscaling;
    const url = input.prometheusUrl;
    const sig = a.signals;
    const triggers: Array<ReturnType<typeof prometheusTrigger> | ReturnType<typeof cronTrigger>> = [];
    if (!sig) {
        triggers.push(prometheusTrigger(TRIGGER.queueDepth, url, queueDepthQuery(input.scope), a.targetQueueDepth, a.activationQueueDepth));
    } else {
        if (sig.queueDepth.enabled) {
            triggers.push(prometheusTrigger(TRIGGER.queueDepth, url, queueDepthQuery(input.scope), sig.queueDepth.target, sig.queueDepth.activation));
        }
        if (sig.load.enabled) {
            const h = loadHysteresis(a);
            const load = loadQuery(input.scope, h, loadDemand(a, input.loadRateWindowSeconds));
            triggers.push(prometheusTrigger(TRIGGER.load, url, load, sig.load.target + h, sig.load.activation));
            if ((a.peakHoldSeconds ?? 0) > 0) {
                triggers.push(prometheusTrigger(TRIGGER.loadPeak, url, peakQuery(load, a.peakHoldSeconds!, PEAK_STEP_SECONDS), sig.load.target + h, sig.load.activation));
            }
        }
        if (sig.kvCache.enabled) {
            triggers.push(prometheusTrigger(TRIGGER.kvCache, url, kvCacheQuery(input.scope), sig.kvCache.target, sig.kvCache.activation));
        }
        if (sig.ttft.enabled) {
            triggers.push(prometheusTrigger(TRIGGER.ttft, url, ttftPressureQuery(input.scope, input.wakeWindowSeconds), sig.ttft.target, sig.ttft.activation));
        }
        if (sig.gpuUtilization.enabled) {
            triggers.push(prometheusTrigger(TRIGGER.gpuUtilization, url, gpuUtilizationQuery({ ...input.scope, deploymentName: input.deploymentName }),
                sig.gpuUtilization.target, sig.gpuUtilization.activation));
        }
    }
    for (const s of a.schedules ?? []) triggers.push(cronTrigger(s));
    if (a.minReplicas === 0) {
        // At zero replicas no engine series exist; only the router sees the first request.
        triggers.push(prometheusTrigger(TRIGGER.wakeOnRequest, url, wakeOnRequestQuery(input.scope, input.wakeWindowSeconds), 1, 0));
    }
    const route = input.coldStartRoute;
    const all: Array<ReturnType<typeof prometheusTrigger> | ReturnType<typeof cronTrigger> | ReturnType<typeof coldStartRouteTrigger>> = triggers;
    if (route) all.push(coldStartRouteTrigger(route.routeName, route.scalerAddress));
    return all;
}

