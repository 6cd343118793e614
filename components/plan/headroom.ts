// Warm headroom (`autoscaling.headroomSlots`): engine-sized GPU slots kept provisioned for bursts.
// A placeholder Deployment per model at a low PriorityClass; each pod requests exactly one
// engine's GPUs, CPU and memory, with the engines' toleration and node affinity, and runs the
// engine image (so the image is pulled on the node) doing nothing. An engine that finds no free
// GPU preempts a placeholder through the default scheduler (its priority, 0, is higher), starts on
// a node that is already up, and the evicted placeholder goes Pending, so the node autoscaler adds
// a node and the headroom comes back.
//
// The priority, -10, is chosen against both node autoscalers:
// - cluster-autoscaler (GKE's built-in one) treats pods below its expendable cutoff (default -10,
//   --expendable-pods-priority-cutoff) as nonexistent: it would neither add a node for a Pending
//   placeholder nor keep a node for a running one. -10 is not below the cutoff.
// - Karpenter (EKS) has no priority cutoff: a node is empty for consolidation only when it holds no
//   reschedulable pod (pkg/utils/pod/scheduling.go IsReschedulable: active, not a DaemonSet's, not
//   a mirror pod, at any priority), so a placeholder keeps its node under WhenEmpty.
// preemptionPolicy Never: a placeholder never evicts anything itself.
import type { Values } from "./merge";
import type { NodePoolPlan } from "./nodePool";
import { gpuSchedulingValues } from "./nodePool";

/** The placeholders' priority (see the file comment for why exactly this value). */
export const HEADROOM_PRIORITY = -10;
/** cluster-autoscaler's default --expendable-pods-priority-cutoff: pods below it are ignored. */
export const CLUSTER_AUTOSCALER_EXPENDABLE_CUTOFF = -10;

export const HEADROOM_COMPONENT_LABEL = "vllm-autoscaling/headroom";

/** One model's placeholders. */
export interface HeadroomPlan {
    model: string;
    namespace: string;
    deploymentName: string;
    /** Slots kept: the Deployment's replicas (Pulumi owns them; nothing scales this Deployment). */
    replicas: number;
    priorityClassName: string;
    labels: Record<string, string>;
    /**
     * `pulumi.com/skipAwait`: a placeholder waits for a node the autoscaler is still booting, and
     * nothing depends on it, so `pulumi up` does not wait for it.
     */
    annotations: Record<string, string>;
    /** The pod spec: the engine's image, resources and placement, `sleep infinity`. */
    podSpec: Values;
    /** GPUs the placeholders hold while no engine needs them. */
    gpus: number;
}

/** The cluster-scoped PriorityClass of a release's placeholders. */
export interface PriorityClassPlan {
    name: string;
    value: number;
    preemptionPolicy: "Never";
    globalDefault: false;
    description: string;
}

/** PriorityClasses are cluster-scoped: namespace and release in the name keep stacks apart. */
export function headroomPriorityClassName(namespace: string, release: string): string {
    return `${namespace}-${release}-headroom`;
}

export function headroomDeploymentName(release: string, model: string): string {
    return `${release}-${model}-headroom`;
}

export function headroomPriorityClass(namespace: string, release: string): PriorityClassPlan {
    return {
        name: headroomPriorityClassName(namespace, release),
        value: HEADROOM_PRIORITY,
        preemptionPolicy: "Never",
        globalDefault: false,
        description: `vllm-autoscaling warm headroom of ${namespace}/${release}: placeholders any engine preempts; not below cluster-autoscaler's expendable cutoff (-10)`,
    };
}

/** What a model's placeholders copy from its engines. */
export interface HeadroomInput {
    release: string;
    namespace: string;
    model: string;
    slots: number;
    image: { repository: string; tag: string };
    gpusPerReplica: number;
    cpu: string | number;
    memory: string;
    pool?: Pick<NodePoolPlan, "name" | "taint">;
}

export function planHeadroom(h: HeadroomInput): HeadroomPlan {
    const labels = { "app.kubernetes.io/managed-by": "vllm-autoscaling", [HEADROOM_COMPONENT_LABEL]: h.model, "vllm-autoscaling/release": h.release };
    const resources = { "nvidia.com/gpu": String(h.gpusPerReplica), cpu: String(h.cpu), memory: h.memory };
    const placement = h.pool ? gpuSchedulingValues(h.pool) : undefined;
    const podSpec: Values = {
        priorityClassName: headroomPriorityClassName(h.namespace, h.release),
        // Preempted at once: it holds nothing worth a grace period.
        terminationGracePeriodSeconds: 0,
        containers: [{
            name: "placeholder",
            image: `${h.image.repository}:${h.image.tag}`,
            // The engine image, so that the node has pulled it before an engine lands; it only sleeps.
            command: ["sleep", "infinity"],
            resources: { requests: resources, limits: { "nvidia.com/gpu": String(h.gpusPerReplica) } },
        }],
        ...(placement ? {
            tolerations: placement.tolerations,
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: placement.nodeSelectorTerms } } },
        } : {}),
    };
    return {
        model: h.model,
        namespace: h.namespace,
        deploymentName: headroomDeploymentName(h.release, h.model),
        replicas: h.slots,
        priorityClassName: headroomPriorityClassName(h.namespace, h.release),
        labels,
        annotations: { "pulumi.com/skipAwait": "true" },
        podSpec,
        gpus: h.slots * h.gpusPerReplica,
    };
}

/** Deployment manifest of a model's placeholders (what the component applies, and the e2e too). */
export function headroomDeploymentManifest(h: HeadroomPlan) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: h.deploymentName, namespace: h.namespace, labels: h.labels, annotations: h.annotations },
        spec: {
            replicas: h.replicas,
            selector: { matchLabels: h.labels },
            template: { metadata: { labels: h.labels }, spec: h.podSpec },
        },
    };
}

export function priorityClassManifest(pc: PriorityClassPlan) {
    return {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name: pc.name },
        value: pc.value,
        preemptionPolicy: pc.preemptionPolicy,
        globalDefault: pc.globalDefault,
        description: pc.description,
    };
}
