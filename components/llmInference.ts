// LlmInference: turns the plan from planInference() into Pulumi resources, and nothing more.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { LlmInferenceArgs } from "./args";
import { GpuNodePool } from "./gpuNodePool";
import { planInference } from "./plan";
import { grafanaAdminSecretName } from "./plan/names";
import { ignoreEngineReplicas } from "./plan/transforms";
import type { ChartPlan, InferencePlan } from "./plan/types";
import { createSimulatorEngine } from "./simulatorEngine";

export const LLM_INFERENCE_TYPE = "vllm-autoscaling:index:LlmInference";

/**
 * vLLM engines behind the Production Stack router, autoscaled by KEDA on LLM serving signals,
 * with KEDA and kube-prometheus-stack installed alongside (each can be turned off).
 */
export class LlmInference extends pulumi.ComponentResource {
    /** Namespace of the engines, router and ScaledObjects. */
    public readonly namespace!: pulumi.Output<string>;
    /** In-cluster OpenAI-compatible base URL of the router (ends in `/v1`). */
    public readonly endpoint!: pulumi.Output<string>;
    /** Name of the router's Service (port 80). */
    public readonly routerServiceName!: pulumi.Output<string>;
    /** Names of the KEDA ScaledObjects, one per model, in model order. */
    public readonly scaledObjectNames!: pulumi.Output<string[]>;
    /** Names of the engine Deployments the ScaledObjects scale, in model order. */
    public readonly engineDeploymentNames!: pulumi.Output<string[]>;
    /** URL KEDA queries for the scaling metrics. */
    public readonly prometheusUrl!: pulumi.Output<string>;
    /** Grafana's generated admin password (secret); empty when monitoring is not installed. */
    public readonly grafanaAdminPassword!: pulumi.Output<string>;

    constructor(name: string, args: LlmInferenceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validation throws before anything, this component included, is registered.
        const plan = planInference(name, args);
        super(LLM_INFERENCE_TYPE, name, withSecretTokens(args), opts);
        const outputs = createResources(this, name, plan, args);
        this.namespace = pulumi.output(plan.namespace);
        this.endpoint = pulumi.output(plan.endpoint);
        this.routerServiceName = pulumi.output(plan.routerServiceName);
        this.scaledObjectNames = pulumi.output(plan.models.map((m) => m.scaledObjectName));
        this.engineDeploymentNames = pulumi.output(plan.models.map((m) => m.deploymentName));
        this.prometheusUrl = pulumi.output(plan.prometheusUrl);
        this.grafanaAdminPassword = outputs.grafanaAdminPassword;
        this.registerOutputs({
            namespace: this.namespace,
            endpoint: this.endpoint,
            routerServiceName: this.routerServiceName,
            scaledObjectNames: this.scaledObjectNames,
            engineDeploymentNames: this.engineDeploymentNames,
            prometheusUrl: this.prometheusUrl,
            grafanaAdminPassword: this.grafanaAdminPassword,
        });
    }
}

/**
 * The args as the component's recorded inputs, with every Hugging Face token marked secret:
 * the engine stores a component's inputs in state, and a token given as a plain string would
 * otherwise sit there in the clear.
 */
function withSecretTokens(args: LlmInferenceArgs): LlmInferenceArgs {
    if (!Array.isArray(args.models)) return args;
    return {
        ...args,
        models: args.models.map((m) => (m && m.hfToken !== undefined ? { ...m, hfToken: pulumi.secret(m.hfToken) } : m)),
    };
}

function helmRelease(parent: pulumi.Resource, name: string, chart: ChartPlan, dependsOn: pulumi.Resource[], createNamespace: boolean) {
    // Resource names carry the component's name, so two LlmInference in one program never collide.
    return new k8s.helm.v3.Release(`${name}-${chart.releaseName}`, {
        name: chart.releaseName,
        chart: chart.chart,
        version: chart.version,
        repositoryOpts: { repo: chart.repo },
        namespace: chart.namespace,
        createNamespace,
        values: chart.values,
    }, { parent, dependsOn });
}

// A function, not methods: every class member would become a schema output (DESIGN.md).
function createResources(parent: LlmInference, name: string, plan: InferencePlan, args: LlmInferenceArgs) {
    const { charts } = plan;
    // The GPU pool first: the chart's engines are scheduled onto it (its name and label are plan values).
    const gpuPool = plan.gpuNodePool && args.gpuNodePool
        ? new GpuNodePool(`${name}-gpu-pool`, { ...args.gpuNodePool, name: plan.gpuNodePool.name }, { parent })
        : undefined;
    const kedaRelease = charts.keda ? helmRelease(parent, name, charts.keda, [], true) : undefined;

    let monitoringRelease: k8s.helm.v3.Release | undefined;
    let grafanaAdminPassword: pulumi.Output<string> = pulumi.secret("");
    if (charts.kubePrometheusStack) {
        const kps = charts.kubePrometheusStack;
        const monitoringNs = new k8s.core.v1.Namespace(`${name}-${kps.namespace}`, {
            metadata: { name: kps.namespace },
        }, { parent });
        const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 24, special: false }, { parent });
        grafanaAdminPassword = pulumi.secret(password.result);
        const adminSecret = plan.secrets.find((s) => s.name === grafanaAdminSecretName(kps.releaseName))!;
        const grafanaSecret = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: adminSecret.name, namespace: kps.namespace },
            stringData: { "admin-user": "admin", "admin-password": grafanaAdminPassword },
        }, { parent, dependsOn: [monitoringNs] });
        monitoringRelease = helmRelease(parent, name, kps, [monitoringNs, grafanaSecret], false);
    }

    const modelNs = plan.createNamespace
        ? new k8s.core.v1.Namespace(`${name}-${plan.namespace}`, { metadata: { name: plan.namespace } }, { parent })
        : undefined;
    const nsDeps = modelNs ? [modelNs] : [];

    const tokenSecretPlan = plan.secrets.find((s) => s.namespace === plan.namespace && plan.models.some((m) => m.hfTokenSecret?.name === s.name));
    const tokenSecret = tokenSecretPlan
        ? new k8s.core.v1.Secret(`${name}-hf-token`, {
            metadata: { name: tokenSecretPlan.name, namespace: plan.namespace },
            stringData: Object.fromEntries(plan.models.flatMap((m, i) =>
                m.hfTokenSecret ? [[m.hfTokenSecret.key, pulumi.secret(args.models[i].hfToken!)]] : [])),
        }, { parent, dependsOn: nsDeps })
        : undefined;

    const vllm = charts.vllmStack;
    // The chart's ServiceMonitors need the Prometheus Operator CRDs the monitoring release installs.
    const chartDeps = [...nsDeps, ...(tokenSecret ? [tokenSecret] : []), ...(monitoringRelease ? [monitoringRelease] : []),
        ...(gpuPool ? [gpuPool] : [])];
    const vllmChart = new k8s.helm.v4.Chart(`${name}-vllm-stack`, {
        name: vllm.releaseName,
        chart: vllm.chart,
        version: vllm.version,
        repositoryOpts: { repo: vllm.repo },
        namespace: vllm.namespace,
        values: vllm.values,
    }, {
        parent,
        dependsOn: chartDeps,
        transforms: [ignoreEngineReplicas(plan.models.map((m) => m.deploymentName))],
    });

    // Simulator engines: the package's own Deployments and Services, shaped like the chart's engines.
    const simulators = plan.simulators.flatMap((s) => createSimulatorEngine(parent, name, s, nsDeps));

    // Created after KEDA and the engines exist, deleted before them.
    const soDeps: pulumi.Resource[] = [vllmChart, ...(kedaRelease ? [kedaRelease] : []), ...simulators];
    plan.scaledObjects.forEach((so, i) => {
        new k8s.apiextensions.CustomResource(`${name}-${plan.models[i].name}-scaledobject`, {
            apiVersion: so.apiVersion,
            kind: so.kind,
            metadata: so.metadata,
            spec: so.spec,
        }, { parent, dependsOn: soDeps });
    });

    return { grafanaAdminPassword };
}
