// One KEDA ScaledObject per model. KEDA owns 0<->1 (activation, cooldown); the HPA it creates
// owns 1<->N from the same triggers. Every trigger is AverageValue on a summed query, so the HPA
// computes desired = ceil(sum / threshold) and KEDA's fallback (AverageValue only) works.
import { DEFAULTS } from "./defaults";
import { queueDepthQuery, SeriesScope, wakeOnRequestQuery } from "./queries";
import type { ScaledObjectManifest } from "./types";

/** Trigger names: the `plan` view, the simulator and the Prometheus tests key on them. */
export const TRIGGER = {
    queueDepth: "queue-depth",
    wakeOnRequest: "wake-on-request",
} as const;

export const PAUSED_ANNOTATION = "autoscaling.keda.sh/paused";

/** Autoscaling settings after defaults, as the plan decided them. */
export interface ResolvedAutoscaling {
    minReplicas: number;
    maxReplicas: number;
    targetQueueDepth: number;
    activationQueueDepth: number;
    pollingIntervalSeconds: number;
    cooldownSeconds: number;
    paused: boolean;
    fallbackReplicas: number;
    scaleUpStabilizationSeconds: number;
    scaleDownStabilizationSeconds: number;
    scaleDownPodsPerPeriod: number;
    scaleDownPeriodSeconds: number;
}

export interface ScaledObjectInput {
    name: string;
    namespace: string;
    deploymentName: string;
    scope: SeriesScope;
    prometheusUrl: string;
    /** Router request window of the wake trigger; a few scrapes long so one scrape never misses it. */
    wakeWindowSeconds: number;
    labels: Record<string, string>;
    autoscaling: ResolvedAutoscaling;
}

function prometheusTrigger(name: string, serverAddress: string, query: string, threshold: number, activation: number) {
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
    const triggers = [
        prometheusTrigger(TRIGGER.queueDepth, input.prometheusUrl, queueDepthQuery(input.scope),
            a.targetQueueDepth, a.activationQueueDepth),
    ];
    if (a.minReplicas === 0) {
        // At zero replicas no engine series exist; only the router sees the first request.
        triggers.push(prometheusTrigger(TRIGGER.wakeOnRequest, input.prometheusUrl,
            wakeOnRequestQuery(input.scope, input.wakeWindowSeconds), 1, 0));
    }
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
            advanced: {
                restoreToOriginalReplicaCount: false,
                horizontalPodAutoscalerConfig: { behavior: hpaBehavior(a) },
            },
            triggers,
        },
    };
}
