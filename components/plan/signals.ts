// The triggers of a model's ScaledObject, from its resolved signals and schedules: which exist,
// their queries and thresholds, and the optional scalingModifiers formula over them. Every
// Prometheus trigger is AverageValue on a summed query (one sample in every state), so the HPA
// computes desired = ceil(value / target) and KEDA's fallback applies to each of them.
import type { ScalingModifiers } from "../args";
import { checkFormula } from "./formula";
import { Problems, unknownKeys } from "./problems";
import { gpuUtilizationQuery, kvCacheQuery, loadQuery, queueDepthQuery, ttftPressureQuery, wakeOnRequestQuery } from "./queries";
import type { ResolvedSchedule } from "./schedules";
import { prometheusTrigger, SCHEDULE_TRIGGER_PREFIX, TRIGGER, type ScaledObjectInput } from "./scaledObject";
import type { ResolvedSignals } from "./strategy";

export interface ResolvedScalingModifiers {
    formula: string;
    target: number;
    activationTarget: number;
}

/** Name of the cron trigger of a schedule. */
export function scheduleTriggerName(scheduleName: string): string {
    return `${SCHEDULE_TRIGGER_PREFIX}${scheduleName}`;
}

/** Names of the triggers a ScaledObject gets, in order (what a formula may read). */
export function triggerNames(signals: ResolvedSignals | undefined, schedules: readonly ResolvedSchedule[], minReplicas: number): string[] {
    const names: string[] = [];
    if (!signals || signals.queueDepth.enabled) names.push(TRIGGER.queueDepth);
    if (signals?.load.enabled) names.push(TRIGGER.load);
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

/** The triggers, in the order of triggerNames(). */
export function buildTriggers(input: ScaledObjectInput) {
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
            const h = sig.load.hysteresis ?? 0;
            triggers.push(prometheusTrigger(TRIGGER.load, url, loadQuery(input.scope, h), sig.load.target + h, sig.load.activation));
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
    return triggers;
}

/** KEDA `advanced.scalingModifiers`; AverageValue so that the fallback keeps working. */
export function scalingModifiersSpec(m: ResolvedScalingModifiers) {
    return {
        formula: m.formula,
        target: String(m.target),
        activationTarget: String(m.activationTarget),
        metricType: "AverageValue" as const,
    };
}

const MODIFIER_KEYS = ["formula", "target", "activationTarget"] as const;

/** Validates `autoscaling.scalingModifiers` against the triggers the ScaledObject will have. */
export function resolveScalingModifiers(p: Problems, path: string, m: ScalingModifiers | undefined, names: readonly string[]): ResolvedScalingModifiers | undefined {
    if (!p.object(path, m, { optional: true }) || m === undefined) return undefined;
    unknownKeys(p, path, m, MODIFIER_KEYS);
    let ok = p.string(`${path}.formula`, m.formula, { hint: "use an expression over trigger names, e.g. \"max(load / 53, queue_depth / 5)\"" });
    if (ok) {
        for (const problem of checkFormula(m.formula, names)) {
            p.add(`${path}.formula`, problem);
            ok = false;
        }
    }
    // KEDA's fallback parses the composite target as an integer (pkg/fallback HasValidFallback).
    ok = p.integer(`${path}.target`, m.target, 1) && ok;
    ok = p.positive(`${path}.activationTarget`, m.activationTarget, { optional: true, allowZero: true }) && ok;
    if (!ok) return undefined;
    return { formula: m.formula, target: m.target, activationTarget: m.activationTarget ?? 0 };
}
