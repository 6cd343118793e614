// One KEDA ScaledObject per model. KEDA owns 0<->1 (activation, cooldown); the HPA it creates
// owns 1<->N from the same triggers. Every trigger is AverageValue on a summed query, so the HPA
// computes desired = ceil(sum / threshold) and KEDA's fallback (AverageValue only) works.
import { DEFAULTS } from "./defaults";
import { scalingModifiersSpec, type ResolvedScalingModifiers } from "./signals";
import { buildTriggers, type TriggerInput, type TriggerSettings } from "./triggers";
import type { ScaledObjectManifest } from "./types";
import type { Strategy } from "../args";

export const PAUSED_ANNOTATION = "autoscaling.keda.sh/paused";

/** Autoscaling settings after defaults, as the plan decided them. */
export interface ResolvedAutoscaling extends TriggerSettings {
    maxReplicas: number;
    /** Warm headroom: engine-sized GPU slots held by placeholders (headroom.ts); 0 = none. */
    headroomSlots: number;
    pollingIntervalSeconds: number;
    cooldownSeconds: number;
    paused: boolean;
    fallbackReplicas: number;
    scaleUpStabilizationSeconds: number;
    scaleDownStabilizationSeconds: number;
    scaleDownPodsPerPeriod: number;
    scaleDownPeriodSeconds: number;
    strategy?: Strategy;
    scalingModifiers?: ResolvedScalingModifiers;
}

export interface ScaledObjectInput extends TriggerInput {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    autoscaling: ResolvedAutoscaling;
}

/** Scale up fast, scale down slow: explicit so the preview shows it and users can tune it. */
export function hpaBehavior(a: ResolvedAutoscaling) {
    return {
        scaleUp: {
            stabilizationWindowSeconds: a.scaleUpStabilizationSeconds,
            // Kubernetes' own scale-up policies: double, or add 4 pods, every 15 s, whichever is more.
            policies: [
                { type: "Percent", value: 100, periodSeconds: 15 },
                { type: "Pods", value: 4, periodSeconds: 15 },
            ],
            selectPolicy: "Max",
        },
        scaleDown: {
            stabilizationWindowSeconds: a.scaleDownStabilizationSeconds,
            policies: [{ type: "Pods", value: a.scaleDownPodsPerPeriod, periodSeconds: a.scaleDownPeriodSeconds }],
            selectPolicy: "Max",
        },
    };
}

export function buildScaledObject(input: ScaledObjectInput): ScaledObjectManifest {
    const a = input.autoscaling;
    const triggers = buildTriggers(input);
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: {
            name: input.name,
            namespace: input.namespace,
            labels: input.labels,
            ...(a.paused ? { annotations: { [PAUSED_ANNOTATION]: "true" } } : {}),
        },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: input.deploymentName },
            pollingInterval: a.pollingIntervalSeconds,
            cooldownPeriod: a.cooldownSeconds,
            minReplicaCount: a.minReplicas,
            maxReplicaCount: a.maxReplicas,
            fallback: {
                failureThreshold: DEFAULTS.fallbackFailureThreshold,
                replicas: a.fallbackReplicas,
                // Never scale down because Prometheus is unreachable.
                behavior: "currentReplicasIfHigher",
            },
            // No `restoreToOriginalReplicaCount: false`: it is KEDA's default, and KEDA's Go type drops a
            // false (omitempty) on the operator's first update, so `pulumi refresh` would then show a diff.
            advanced: {
                horizontalPodAutoscalerConfig: { behavior: hpaBehavior(a) },
                ...(a.scalingModifiers ? { scalingModifiers: scalingModifiersSpec(a.scalingModifiers) } : {}),
            },
            triggers,
        },
    };
}
