// Materializes one simulator engine from the plan: a Deployment built with kubernetesx's
// PodBuilder and the Service the chart would give a vLLM engine. The names, labels and ports are
// all decided by plan/simulatorEngine.ts; this file only turns them into resources.
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import type { SimulatorPlan } from "./plan/simulatorEngine";

export function createSimulatorEngine(parent: pulumi.Resource, name: string, sim: SimulatorPlan, dependsOn: pulumi.Resource[]): pulumi.Resource[] {
    const pod = new kx.PodBuilder(sim.podSpec as kx.types.PodSpec);
    // PodBuilder labels pods `app: <container>`; the router and the chart's conventions need ours.
    const spec = pod.asDeploymentSpec({ replicas: sim.replicas }).apply((s) => ({
        ...s,
        selector: { matchLabels: sim.selector },
        template: { ...s.template, metadata: { labels: sim.podLabels } },
    }));
    const deployment = new kx.Deployment(`${name}-${sim.model}-simulator`, {
        metadata: { name: sim.deploymentName, namespace: sim.namespace, labels: sim.podLabels, annotations: sim.annotations },
        spec,
    }, {
        parent,
        dependsOn,
        // Created with minReplicas; from then on KEDA's HPA owns the replica count.
        ignoreChanges: ["spec.replicas"],
        // Fixed names (the ScaledObject and the queries refer to them): replace by delete first.
        deleteBeforeReplace: true,
    });
    const service = new kx.Service(`${name}-${sim.model}-simulator`, {
        metadata: { name: sim.serviceName, namespace: sim.namespace, labels: sim.serviceLabels },
        spec: sim.serviceSpec as kx.types.ServiceSpec,
    }, { parent, dependsOn, deleteBeforeReplace: true });
    return [deployment, service];
}
