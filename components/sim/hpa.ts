// The Kubernetes HPA controller as KEDA drives it, transcribed from
// kubernetes/kubernetes pkg/controller/podautoscaler (replica_calculator.go, horizontal.go):
// external metrics in milli-units, tolerance 0.1, AverageValue against the status replica count,
// Value against the ready pods, the max over metrics, then stabilization windows and the
// scaling policies with selectPolicy.

/** --horizontal-pod-autoscaler-tolerance default. */
export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-sync-period default (seconds). */
export const HPA_SYNC_SECONDS = 15;

/** Go's int64(f * 1000): quantities are compared in milli-units, truncated. */
export function milli(value: number): number {
    return Math.trunc(value * 1000);
}

/**
 * GetExternalPerPodMetricReplicas (AverageValue): usage and target in milli-units;
 * statusReplicas counts every pod of the target, ready or not.
 */
export function externalPerPodReplicas(statusReplicas: number, usageMilli: number, targetPerPodMilli: number, tolerance = DEFAULT_TOLERANCE): { replicas: number; utilizationMilli: number } {
    let replicas = statusReplicas;
    const usageRatio = usageMilli / (targetPerPodMilli * replicas);
    if (Math.abs(1 - usageRatio) > tolerance) replicas = Math.ceil(usageMilli / targetPerPodMilli);
    return { replicas, utilizationMilli: Math.ceil(usageMilli / statusReplicas) };
}

/**
 * GetExternalMetricReplicas (Value) through getUsageRatioReplicaCount: with current replicas
 * > 0, outside the tolerance, desired = ceil(usage / target x ready pods) (unready pods do not count).
 */
export function externalValueReplicas(currentReplicas: number, readyPods: number, usageMilli: number, targetMilli: number, tolerance = DEFAULT_TOLERANCE): number {
    const usageRatio = usageMilli / targetMilli;
    if (currentReplicas !== 0) {
        if (Math.abs(1 - usageRatio) <= tolerance) return currentReplicas;
        return Math.ceil(usageRatio * readyPods);
    }
    return Math.ceil(usageRatio);
}

export interface ScalingPolicy {
    type: string;
    value: number;
    periodSeconds: number;
}

export interface ScalingRules {
    stabilizationWindowSeconds: number;
    selectPolicy: string;
    policies: ScalingPolicy[];
}

export interface Behavior {
    scaleUp: ScalingRules;
    scaleDown: ScalingRules;
}

/** SetDefaults_HorizontalPodAutoscalerBehavior (autoscaling/v2), field by field. */
export function behaviorWithDefaults(b: any): Behavior {
    const up = b?.scaleUp ?? {};
    const down = b?.scaleDown ?? {};
    return {
        scaleUp: {
            stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
            selectPolicy: up.selectPolicy ?? "Max",
            policies: up.policies ?? [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }],
        },
        scaleDown: {
            stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? 300,
            selectPolicy: down.selectPolicy ?? "Max",
            policies: down.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }],
        },
    };
}

interface Recommendation { replicas: number; at: number }
interface ScaleEvent { change: number; at: number }

/** Replicas changed by events within the last `periodSeconds` (getReplicasChangePerPeriod). */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
    let sum = 0;
    for (const e of events) if (e.at > now - periodSeconds) sum += e.change;
    return sum;
}

export function scaleUpLimit(current: number, up: readonly ScaleEvent[], down: readonly ScaleEvent[], rules: ScalingRules, now: number): number {
    if (rules.selectPolicy === "Disabled") return current;
    const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
    let result = rules.selectPolicy === "Min" ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
    for (const p of rules.policies) {
        const periodStart = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
        const proposed = p.type === "Pods" ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
        result = pick(result, proposed);
    }
    return result;
}

export function scaleDownLimit(current: number, up: readonly ScaleEvent[], down: readonly ScaleEvent[], rules: ScalingRules, now: number): number {
    if (rules.selectPolicy === "Disabled") return current;
    const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
    let result = rules.selectPolicy === "Min" ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
    for (const p of rules.policies) {
        const periodStart = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
        const proposed = p.type === "Pods" ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
        result = pick(result, proposed);
    }
    return result;
}

/** One HPA object's memory: recommendations and scale events, and the normalization steps. */
export class HpaState {
    private recommendations: Recommendation[] = [];
    private upEvents: ScaleEvent[] = [];
    private downEvents: ScaleEvent[] = [];

    constructor(readonly behavior: Behavior, readonly minReplicas: number, readonly maxReplicas: number) {}

    /** stabilizeRecommendationWithBehaviors: clamp to [min of the up window, max of the down window]. */
    stabilize(current: number, desired: number, now: number): number {
        const upCutoff = now - this.behavior.scaleUp.stabilizationWindowSeconds;
        const downCutoff = now - this.behavior.scaleDown.stabilizationWindowSeconds;
        let upRec = desired;
        let downRec = desired;
        let oldIndex = -1;
        this.recommendations.forEach((r, i) => {
            if (r.at > upCutoff) upRec = Math.min(r.replicas, upRec);
            if (r.at > downCutoff) downRec = Math.max(r.replicas, downRec);
            if (r.at < upCutoff && r.at < downCutoff) oldIndex = i;
        });
        let rec = current;
        if (rec < upRec) rec = upRec;
        if (rec > downRec) rec = downRec;
        if (oldIndex >= 0) this.recommendations[oldIndex] = { replicas: desired, at: now };
        else this.recommendations.push({ replicas: desired, at: now });
        return rec;
    }

    /** convertDesiredReplicasWithBehaviorRate: the policies' limits and min/max. */
    limit(current: number, desired: number, now: number): number {
        if (desired > current) {
            let upLimit = scaleUpLimit(current, this.upEvents, this.downEvents, this.behavior.scaleUp, now);
            if (upLimit < current) upLimit = current;
            const maxAllowed = Math.min(this.maxReplicas, upLimit);
            return desired > maxAllowed ? maxAllowed : desired;
        }
        if (desired < current) {
            let downLimit = scaleDownLimit(current, this.upEvents, this.downEvents, this.behavior.scaleDown, now);
            if (downLimit > current) downLimit = current;
            const minAllowed = Math.max(this.minReplicas, downLimit);
            return desired < minAllowed ? minAllowed : desired;
        }
        return desired;
    }

    /** normalizeDesiredReplicasWithBehaviors, then records the scale event when it rescales. */
    normalize(current: number, desired: number, now: number): number {
        const stabilized = this.stabilize(current, desired, now);
        const next = this.limit(current, stabilized, now);
        if (next !== current) this.record(current, next, now);
        return next;
    }

    /** storeScaleEvent: keeps the events of the longest policy period. */
    record(from: number, to: number, now: number): void {
        const keep = (rules: ScalingRules) => Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
        if (to > from) this.upEvents.push({ change: to - from, at: now });
        else this.downEvents.push({ change: from - to, at: now });
        this.upEvents = this.upEvents.filter((e) => e.at > now - keep(this.behavior.scaleUp));
        this.downEvents = this.downEvents.filter((e) => e.at > now - keep(this.behavior.scaleDown));
    }
}
