// Materializes the warm headroom from the plan (plan/headroom.ts decides everything): the
// release's PriorityClass, and per model a placeholder Deployment built with kubernetesx's
// PodBuilder. Pulumi owns their replica count (nothing else scales them).
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import type { HeadroomPlan, PriorityClassPlan } from "./plan/headroom";

export function createHeadroom(parent: pulumi.Resource, name: string, priorityClass: PriorityClassPlan | undefined, headroom: HeadroomPlan[],
    dependsOn: pulumi.Resource[]): pulumi.Resource[] {
    if (!priorityClass || headroom.length === 0) return [];
    const pc = new k8s.scheduling.v1.PriorityClass(`${name}-headroom`, {
        metadata: { name: priorityClass.name },
        value: priorityClass.value,
        preemptionPolicy: priorityClass.preemptionPolicy,
        globalDefault: priorityClass.globalDefault,
        description: priorityClass.description,
    }, { parent, deleteBeforeReplace: true });
    return [pc, ...headroom.map((h) => {
        const pod = new kx.PodBuilder(h.podSpec as kx.types.PodSpec);
        // PodBuilder labels pods `app: <container>`; the placeholders carry the plan's labels.
        const spec = pod.asDeploymentSpec({ replicas: h.replicas }).apply((s) => ({
            ...s,
            selector: { matchLabels: h.labels },
            template: { ...s.template, metadata: { labels: h.labels } },
        }));
        return new kx.Deployment(`${name}-${h.model}-headroom`, {
            metadata: { name: h.deploymentName, namespace: h.namespace, labels: h.labels, annotations: h.annotations },
            spec,
        }, { parent, dependsOn: [...dependsOn, pc], deleteBeforeReplace: true });
    })];
}
