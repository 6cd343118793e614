// LlmInference: turns the plan from planInference() into Pulumi resources, and nothing more.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { LlmInferenceArgs } from "./args";
import { GpuNodePool } from "./gpuNodePool";
import { planInference } from "./plan";
import { helmChartInputs } from "./plan/chartSource";
import { grafanaAdminSecretName } from "./plan/names";
import { engineDisruptionBudgets, gracefulEngineShutdown, ignoreEngineReplicas } from "./plan/transforms";
import type { ChartPlan, InferencePlan } from "./plan/types";
import { createHeadroom } from "./headroom";
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
    /** `<namespace>/<name>` of the Secret with Grafana's admin password (key `admin-password`); empty when monitoring is not installed. */
    public readonly grafanaAdminSecret!: pulumi.Output<string>;
    /** In model order: the in-cluster base URL (ends in `/v1`) of each model's `coldStartRoute`, whose requests wait for an engine at zero; empty for a model without one. */
    public readonly coldStartUrls!: pulumi.Output<string[]>;

    constructor(name: string, args: LlmInferenceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validation throws before anything, this component included, is registered.
        const plan = planInference(name, args);
        super(LLM_INFERENCE_TYPE, name, withSecretTokens(args), opts);
        createResources(this, name, plan, args);
        this.namespace = pulumi.output(plan.namespace);
        this.endpoint = pulumi.output(plan.endpoint);
        this.routerServiceName = pulumi.output(plan.routerServiceName);
        this.scaledObjectNames = pulumi.output(plan.models.map((m) => m.scaledObjectName));
        this.engineDeploymentNames = pulumi.output(plan.models.map((m) => m.deploymentName));
        this.prometheusUrl = pulumi.output(plan.prometheusUrl);
        this.grafanaAdminSecret = pulumi.output(plan.grafanaAdminSecret ?? "");
        this.coldStartUrls = pulumi.output(plan.models.map((m) => plan.coldStartRoutes.find((c) => c.model === m.name)?.url ?? ""));
        this.registerOutputs({
            namespace: this.namespace,
            endpoint: this.endpoint,
            routerServiceName: this.routerServiceName,
            scaledObjectNames: this.scaledObjectNames,
            engineDeploymentNames: this.engineDeploymentNames,
            prometheusUrl: this.prometheusUrl,
            grafanaAdminSecret: this.grafanaAdminSecret,
            coldStartUrls: this.coldStartUrls,
        });
    }
}

/**
 * The args as the component's recorded inputs, with every Hugging Face token and the Grafana
 * password marked secret: the engine stores a component's inputs in state, and a secret given as
 * a plain string would otherwise sit there in the clear.
 */
function withSecretTokens(args: LlmInferenceArgs): LlmInferenceArgs {
    const password = args.monitoring?.grafanaAdminPassword;
    return {
        ...args,
        ...(Array.isArray(args.models) ? {
            models: args.models.map((m) => (m && m.hfToken !== undefined ? { ...m, hfToken: pulumi.secret(m.hfToken) } : m)),
        } : {}),
        ...(password !== undefined ? { monitoring: { ...args.monitoring, grafanaAdminPassword: pulumi.secret(password) } } : {}),
    };
}

function helmRelease(parent: pulumi.Resource, name: string, chart: ChartPlan, dependsOn: pulumi.Resource[]) {
    // Resource names carry the component's name, so two LlmInference in one program never collide.
    // The namespace is the component's own resource (dependsOn), so `pulumi destroy` removes it.
    return new k8s.helm.v3.Release(`${name}-${chart.releaseName}`, {
        name: chart.releaseName,
        ...helmChartInputs(chart),
        namespace: chart.namespace,
        createNamespace: false,
        values: chart.values,
    }, { parent, dependsOn });
}

// A function, not methods: every class member would become a schema output (docs/design.md,
// Multi-language constraints).
function createResources(parent: LlmInference, name: string, plan: InferencePlan, args: LlmInferenceArgs) {
    const { charts } = plan;
    // The GPU pool first: the chart's engines are scheduled onto it (its name and label are plan values).
    // An `existing` pool was made elsewhere: the engines only select it.
    const gpuPool = plan.gpuNodePool && args.gpuNodePool && plan.gpuNodePool.provider !== "existing"
        ? new GpuNodePool(`${name}-gpu-pool`, { ...args.gpuNodePool, name: plan.gpuNodePool.name }, { parent })
        : undefined;
    // Every namespace the plan creates is a resource of the component (deleted on destroy).
    const namespaces = new Map(plan.namespaces.map((ns) =>
        [ns, new k8s.core.v1.Namespace(`${name}-${ns}`, { metadata: { name: ns } }, { parent })]));
    const inNamespace = (ns: string): pulumi.Resource[] => (namespaces.has(ns) ? [namespaces.get(ns)!] : []);

    const kedaRelease = charts.keda ? helmRelease(parent, name, charts.keda, inNamespace(charts.keda.namespace)) : undefined;
    // The KEDA HTTP add-on next to KEDA, for models with a cold-start route.
    const httpAddOnRelease = charts.httpAddOn
        ? helmRelease(parent, name, charts.httpAddOn, [...inNamespace(charts.httpAddOn.namespace), ...(kedaRelease ? [kedaRelease] : [])])
        : undefined;

    let monitoringRelease: k8s.helm.v3.Release | undefined;
    if (charts.kubePrometheusStack) {
        const kps = charts.kubePrometheusStack;
        const deps = inNamespace(kps.namespace);
        const adminSecret = plan.secrets.find((s) => s.name === grafanaAdminSecretName(kps.releaseName));
        const password = args.monitoring?.grafanaAdminPassword;
        if (adminSecret && password !== undefined) {
            deps.push(new k8s.core.v1.Secret(`${name}-grafana-admin`, {
                metadata: { name: adminSecret.name, namespace: kps.namespace },
                stringData: { "admin-user": "admin", "admin-password": pulumi.secret(password) },
            }, { parent, dependsOn: inNamespace(kps.namespace) }));
        }
        monitoringRelease = helmRelease(parent, name, kps, deps);
    }

    const nsDeps = inNamespace(plan.namespace);

    // dcgm-exporter (opt-in): a DaemonSet on the GPU pool, after the pool exists.
    if (charts.gpuMetrics) helmRelease(parent, name, charts.gpuMetrics, [...inNamespace(charts.gpuMetrics.namespace), ...(gpuPool ? [gpuPool] : [])]);

    // The Grafana dashboard: a ConfigMap the Grafana sidecar loads (plan/dashboard.ts). With the
    // component's kube-prometheus-stack it is in that release's values instead (updated in place).
    if (plan.dashboard?.writtenBy === "component") {
        const cm = plan.dashboard.configMap;
        new k8s.core.v1.ConfigMap(`${name}-${cm.metadata.name}`, { metadata: cm.metadata, data: cm.data },
            { parent, dependsOn: [...inNamespace(cm.metadata.namespace), ...(monitoringRelease ? [monitoringRelease] : [])] });
    }

    const tokenSecretPlan = plan.secrets.find((s) => s.namespace === plan.namespace && plan.models.some((m) => m.hfTokenSecret?.name === s.name));
    const tokenSecret = tokenSecretPlan
        ? new k8s.core.v1.Secret(`${name}-hf-token`, {
            metadata: { name: tokenSecretPlan.name, namespace: plan.namespace },
            stringData: Object.fromEntries(plan.models.flatMap((m, i) =>
                m.hfTokenSecret ? [[m.hfTokenSecret.key, pulumi.secret(args.models[i].hfToken!)]] : [])),
        }, { parent, dependsOn: nsDeps })
        : undefined;

    const vllm = charts.vllmStack;
    const chartDeps = [...nsDeps, ...(tokenSecret ? [tokenSecret] : []), ...(gpuPool ? [gpuPool] : [])];
    const vllmChart = new k8s.helm.v4.Chart(`${name}-vllm-stack`, {
        name: vllm.releaseName,
        ...helmChartInputs(vllm),
        namespace: vllm.namespace,
        values: vllm.values,
        skipCrds: vllm.skipCrds,
    }, {
        parent,
        dependsOn: chartDeps,
        transforms: [
            ignoreEngineReplicas(plan.models.map((m) => m.deploymentName)),
            // The chart has no grace period or preStop for engines (plan/drain.ts).
            gracefulEngineShutdown(Object.fromEntries(plan.models.filter((m) => m.engine !== "simulator").map((m) => [m.deploymentName, {
                terminationGracePeriodSeconds: m.drain.terminationGracePeriodSeconds, preStopSeconds: m.drain.preStopSeconds,
            }]))),
            engineDisruptionBudgets(plan.models.flatMap((m) => (m.pdbName ? [m.pdbName] : []))),
        ],
    });

    // Simulator engines: the package's own Deployments and Services, shaped like the chart's engines.
    const simulators = plan.simulators.flatMap((s) => createSimulatorEngine(parent, name, s, nsDeps));

    // Warm headroom: placeholders on the GPU pool that engines preempt (plan/headroom.ts).
    createHeadroom(parent, name, plan.headroomPriorityClass, plan.headroom, [...nsDeps, ...(gpuPool ? [gpuPool] : [])]);

    // ServiceMonitors and the alerts' PrometheusRule, after the release that installs their CRDs
    // (serviceMonitors.ts says why the package writes them and not the chart).
    for (const o of [...plan.serviceMonitors, ...plan.prometheusRules]) {
        new k8s.apiextensions.CustomResource(`${name}-${o.metadata.name}`, {
            apiVersion: o.apiVersion,
            kind: o.kind,
            metadata: o.metadata,
            spec: o.spec,
        }, { parent, dependsOn: [...inNamespace(o.metadata.namespace), ...(monitoringRelease ? [monitoringRelease] : [])] });
    }

    // Cold-start routes: the InterceptorRoute (after the add-on's CRDs) and the ExternalName Service clients call.
    const routeDeps: pulumi.Resource[] = [vllmChart, ...simulators, ...(httpAddOnRelease ? [httpAddOnRelease] : [])];
    const routes = plan.coldStartRoutes.flatMap((c) => [
        new k8s.apiextensions.CustomResource(`${name}-${c.model}-cold-start-route`, {
            apiVersion: c.interceptorRoute.apiVersion,
            kind: c.interceptorRoute.kind,
            metadata: c.interceptorRoute.metadata,
            spec: c.interceptorRoute.spec,
        }, { parent, dependsOn: routeDeps }),
        new k8s.core.v1.Service(`${name}-${c.model}-cold-start`, {
            metadata: c.service.metadata, spec: c.service.spec,
        }, { parent, dependsOn: nsDeps, deleteBeforeReplace: true }),
    ]);

    // Created after KEDA and the engines exist, deleted before them.
    const soDeps: pulumi.Resource[] = [vllmChart, ...(kedaRelease ? [kedaRelease] : []), ...simulators, ...routes];
    plan.scaledObjects.forEach((so, i) => {
        new k8s.apiextensions.CustomResource(`${name}-${plan.models[i].name}-scaledobject`, {
            apiVersion: so.apiVersion,
            kind: so.kind,
            metadata: so.metadata,
            spec: so.spec,
        }, { parent, dependsOn: soDeps });
    });
}
