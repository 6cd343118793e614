// planInference: args -> the complete, validated plan that LlmInference materializes.
// Pure: no Pulumi resources, no I/O, no secrets (placeholders stand in for them).
import type { LlmInferenceArgs } from "../args";
import { gpuMetricsChart, httpAddOnChart, kedaChart, kubePrometheusStackChart, vllmStackChart } from "./charts";
import { planDashboard, type DashboardModel, type DashboardPlan } from "./dashboard";
import { DEFAULTS } from "./defaults";
import { drainPlan } from "./drain";
import {
    engineDeploymentName, enginePdbName, engineServiceName, kedaHpaName, grafanaAdminSecretName, grafanaGeneratedSecretName, hfTokenSecretKey, hfTokenSecretName,
    routerServiceName, scaledObjectName,
} from "./names";
import { dcgmExporterServiceMonitor, kedaOperatorServiceMonitor, planServiceMonitors } from "./serviceMonitors";
import { planPrometheusRule, seriesReadByTriggers, type AlertModel } from "./alerts";
import { planPlacement } from "./placement";
import { resolveArgs, ResolvedArgs } from "./resolve";
import { buildScaledObject } from "./scaledObject";
import { loadDemand, loadHysteresis } from "./triggers";
import { planColdStart } from "./coldStart";
import { planColdStartRoute } from "./coldStartRoute";
import { SERVICE_PORT_NAME } from "./simulatorEngine";
import { InferencePlan, ModelPlan, SECRET_PLACEHOLDER, SecretPlan } from "./types";

/** Prometheus must scrape at least as often as the most eager ScaledObject polls. */
export function scrapeIntervalFor(r: ResolvedArgs): number {
    return Math.min(DEFAULTS.maxScrapeIntervalSeconds, ...r.models.map((m) => m.autoscaling.pollingIntervalSeconds));
}

/** Long enough that a request is seen in several scrapes, short enough to let idle models sleep. */
export function wakeWindowFor(scrapeIntervalSeconds: number): number {
    return Math.max(60, 4 * scrapeIntervalSeconds);
}

/**
 * The range of the load's arrival and inference-time rates: four scrapes (what rate() needs to be
 * steady), at least 30 s. 60 s at the default 15 s scrape; shorter only where Prometheus scrapes
 * faster, so the demand follows a change in traffic as quickly as the data allows.
 */
export function loadRateWindowFor(scrapeIntervalSeconds: number): number {
    return Math.max(30, 4 * scrapeIntervalSeconds);
}

/** What the alerts read of one model: names, engine, and thresholds from its own plan. */
function alertModel(namespace: string, m: ResolvedArgs["models"][number], plan: ModelPlan): AlertModel {
    const s = m.autoscaling.signals;
    return {
        name: m.name,
        namespace,
        servedModelName: m.servedModelName,
        engine: m.engine,
        deploymentName: plan.deploymentName,
        scaledObjectName: plan.scaledObjectName,
        hpaName: plan.hpaName,
        minReplicas: m.autoscaling.minReplicas,
        maxReplicas: m.autoscaling.maxReplicas,
        signals: s,
        queueDepthTarget: s ? s.queueDepth.target : m.autoscaling.targetQueueDepth,
        ...(s?.ttft.enabled ? { ttftSloSeconds: s.ttft.target } : {}),
    };
}

/** What the dashboard shows of one model: names, its SLO, its max, and its GPU price from the plan. */
function dashboardModel(r: ResolvedArgs, m: ResolvedArgs["models"][number], plan: ModelPlan, pricePerGpuHour: number | undefined): DashboardModel {
    const gpu = m.engine !== "simulator";
    return {
        name: m.name,
        namespace: r.namespace,
        servedModelName: m.servedModelName,
        deploymentName: plan.deploymentName,
        scaledObjectName: plan.scaledObjectName,
        maxReplicas: m.autoscaling.maxReplicas,
        gpusPerReplica: m.gpusPerReplica,
        ttftSloSeconds: m.autoscaling.signals?.ttft.target ?? DEFAULTS.ttftSloSeconds,
        ...(gpu && pricePerGpuHour !== undefined ? { pricePerGpuHour } : {}),
        gpuPanels: gpu && (r.gpuMetrics.install || m.autoscaling.signals?.gpuUtilization.enabled === true),
    };
}

function warningsFor(r: ResolvedArgs): string[] {
    const warnings: string[] = [];
    if (r.gpuMetrics.install && !r.gpuNodePool) {
        warnings.push("gpuMetrics: no gpuNodePool, so dcgm-exporter's DaemonSet selects no nodes by label and runs wherever it tolerates " +
            "(it tolerates nvidia.com/gpu); on nodes without an NVIDIA GPU it fails: set gpuMetrics.values.nodeSelector to your GPU nodes' label.");
    }
    if (r.gpuMetrics.install && !r.monitoring.serviceMonitors) {
        warnings.push("gpuMetrics: monitoring.serviceMonitors is false, so nothing scrapes dcgm-exporter: scrape its Service (port metrics) with honor_labels: true yourself.");
    }
    const lora = (r.vllmStack.values as { loraController?: { enableLoraController?: unknown } } | undefined)?.loraController;
    if (lora?.enableLoraController === true) {
        warnings.push("vllmStack.values.loraController.enableLoraController: the package installs the vllm-stack chart without its crds/ " +
            "(the LoraAdapter CRD is cluster-scoped and shared by every release, so no release owns it): apply the chart's " +
            "crds/crd-lora-adapter.yaml once per cluster before the controller needs it.");
    }
    for (const m of r.models) {
        if (m.autoscaling.signals?.gpuUtilization.enabled && !r.gpuMetrics.install) {
            warnings.push(`models[${m.index}] (${m.name}): the gpuUtilization trigger reads dcgm-exporter's DCGM_FI_DEV_GPU_UTIL, but gpuMetrics.install is false: ` +
                "run dcgm-exporter yourself (scraped with honor_labels, so its pod and namespace labels stay) or the trigger reads 0 (the SignalMissing alert says so).");
        }
    }
    for (const m of r.models) {
        const a = m.autoscaling;
        const pvcModes = m.values?.pvcAccessMode;
        if (m.cacheSize !== undefined && a.maxReplicas > 1 && !(Array.isArray(pvcModes) && pvcModes.includes("ReadWriteMany"))) {
            warnings.push(`models[${m.index}] (${m.name}): the weights cache PVC is ReadWriteOnce (the chart's default), so replicas on ` +
                `other nodes cannot mount it; set values.pvcAccessMode: ["ReadWriteMany"] with a storage class that supports it, or drop cacheSize.`);
        }
        if (a.paused) warnings.push(`models[${m.index}] (${m.name}): autoscaling is paused; KEDA keeps the current replica count.`);
        if (a.scaleDownStabilizationSeconds < 300) {
            warnings.push(`models[${m.index}] (${m.name}): scale-down stabilization ${a.scaleDownStabilizationSeconds}s is under 300s; ` +
                `replicas may be removed while a burst is still queueing and re-added after a full cold start.`);
        }
    }
    return warnings;
}

/** The labels of every object the component writes for a release. */
function releaseLabels(release: string): Record<string, string> {
    return { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "vllm-autoscaling", "app.kubernetes.io/instance": release };
}

/** The price of one GPU-hour of the plan's pool (its node price over its GPUs per node), when it has one. */
function pricePerGpuHourOf(pool: InferencePlan["gpuNodePool"]): number | undefined {
    return pool?.hourlyCost !== undefined && pool.gpusPerNode > 0 ? pool.hourlyCost / pool.gpusPerNode : undefined;
}

/** What planDashboard gets for a release: its name, the monitoring namespace, the labels, a DashboardModel per model. */
function dashboardInput(r: ResolvedArgs, models: readonly ModelPlan[], pricePerGpuHour: number | undefined) {
    return {
        release: r.releaseName, namespace: r.monitoring.namespace, labels: releaseLabels(r.releaseName),
        models: r.models.map((m, i) => dashboardModel(r, m, models[i], pricePerGpuHour)),
    };
}

/**
 * The dashboard planInference writes for these args (the same panels and queries), whether or not
 * `monitoring.dashboard.enabled` is on: for a picture of a stack that deploys none, such as
 * `npm run demo`'s. `rateWindowSeconds` replaces the panels' rate window (the dashboard's:
 * DEFAULTS.dashboardRateWindowSeconds), e.g. for a compressed trace shorter than it.
 */
export function dashboardFor(name: string, args: LlmInferenceArgs, opts: { rateWindowSeconds?: number } = {}): DashboardPlan {
    const plan = planInference(name, args);
    const input = dashboardInput(resolveArgs(name, args), plan.models, pricePerGpuHourOf(plan.gpuNodePool));
    return planDashboard({ ...input, ...(opts.rateWindowSeconds !== undefined ? { rateWindowSeconds: opts.rateWindowSeconds } : {}) });
}

/** `{ [key]: value }`, or nothing when value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
    return value === undefined ? {} : ({ [key]: value } as { [k in K]?: V });
}

export function planInference(name: string, args: LlmInferenceArgs): InferencePlan {
    const r = resolveArgs(name, args);
    const release = r.releaseName;
    const scrapeIntervalSeconds = scrapeIntervalFor(r);
    const wakeWindowSeconds = wakeWindowFor(scrapeIntervalSeconds);
    const loadRateWindowSeconds = loadRateWindowFor(scrapeIntervalSeconds);
    const labels = releaseLabels(release);

    const models: ModelPlan[] = r.models.map((m) => ({
        name: m.name,
        servedModelName: m.servedModelName,
        modelUrl: m.modelUrl,
        gpusPerReplica: m.gpusPerReplica,
        maxNumSeqs: m.maxNumSeqs,
        engine: m.engine,
        minReplicas: m.autoscaling.minReplicas,
        maxReplicas: m.autoscaling.maxReplicas,
        deploymentName: engineDeploymentName(release, m.name),
        serviceName: engineServiceName(release, m.name),
        scaledObjectName: scaledObjectName(release, m.name),
        hpaName: kedaHpaName(scaledObjectName(release, m.name)),
        loadHysteresis: loadHysteresis(m.autoscaling),
        ...optional("loadDemand", loadDemand(m.autoscaling, loadRateWindowSeconds)),
        loadPeakHoldSeconds: m.autoscaling.peakHoldSeconds ?? 0,
        coldStart: planColdStart({ headroomSlots: m.autoscaling.headroomSlots, extraArgs: m.extraArgs, ...(m.cacheSize !== undefined ? { cacheSize: m.cacheSize } : {}) }),
        drain: drainPlan(m.drainSeconds),
        ...(m.engine !== "simulator" && m.autoscaling.minReplicas >= 1 ? { pdbName: enginePdbName(release, m.name) } : {}),
        ...(m.hasHfToken ? { hfTokenSecret: { name: hfTokenSecretName(release), key: hfTokenSecretKey(m.name) } } : {}),
    }));

    // Cold-start routes: the model's engines behind the add-on's interceptor (coldStartRoute.ts).
    const coldStartRoutes = r.models.flatMap((m, i) => (m.coldStartRoute ? [planColdStartRoute({
        release, namespace: r.namespace, clusterDomain: r.clusterDomain, model: m.name,
        engineServiceName: models[i].serviceName, enginePortName: SERVICE_PORT_NAME, addOnNamespace: r.httpAddOn.namespace,
        // The add-on's concurrency metric per replica: the load's target (the queue's without a load trigger).
        concurrencyTarget: m.autoscaling.signals?.load.enabled ? m.autoscaling.signals.load.target : m.autoscaling.targetQueueDepth,
        timeoutSeconds: m.coldStartRoute.timeoutSeconds,
    }, { ...labels, "vllm-autoscaling/model": m.name })] : []));
    const routeOf = (name: string) => coldStartRoutes.find((c) => c.model === name);
    for (const c of coldStartRoutes) models.find((m) => m.name === c.model)!.coldStartRouteTarget = c.interceptorRoute.spec.scalingMetric.concurrency.targetValue;

    const scaledObjects = r.models.map((m, i) => buildScaledObject({
        name: models[i].scaledObjectName,
        namespace: r.namespace,
        deploymentName: models[i].deploymentName,
        scope: { namespace: r.namespace, servedModelName: m.servedModelName },
        prometheusUrl: r.monitoring.prometheusUrl,
        wakeWindowSeconds,
        loadRateWindowSeconds,
        labels: { ...labels, "vllm-autoscaling/model": m.name },
        autoscaling: m.autoscaling,
        ...(routeOf(m.name) ? { coldStartRoute: { routeName: routeOf(m.name)!.routeName, scalerAddress: routeOf(m.name)!.scalerAddress } } : {}),
    }));

    const secrets: SecretPlan[] = [];
    const tokenModels = models.filter((m) => m.hfTokenSecret);
    if (tokenModels.length > 0) {
        secrets.push({
            name: hfTokenSecretName(release),
            namespace: r.namespace,
            keys: Object.fromEntries(tokenModels.map((m) => [hfTokenSecretKey(m.name), `${SECRET_PLACEHOLDER} models[${m.name}].hfToken`])),
        });
    }
    // Namespaces the component creates and owns, so that `pulumi destroy` removes them too.
    const keda = kedaChart(r);
    const httpAddOn = httpAddOnChart(r);
    const gpuMetrics = gpuMetricsChart(r);
    const namespaces = [
        ...(r.createNamespace ? [r.namespace] : []),
        ...(keda ? [keda.namespace] : []),
        ...(r.monitoring.install ? [r.monitoring.namespace] : []),
        ...(gpuMetrics ? [gpuMetrics.namespace] : []),
    ];

    // GPU pool, capacity, cost and simulator engines.
    const vllmStack = vllmStackChart(r);
    const { warnings: placementWarnings, ...placement } = planPlacement(r, args, vllmStack.values);
    const router = routerServiceName(release);
    // What each model's triggers read, for the alerts and for `npm run doctor`.
    const alertModels = r.models.map((m, i) => alertModel(r.namespace, m, models[i]));
    alertModels.forEach((a, i) => { models[i].triggerSeries = seriesReadByTriggers(a); });
    const pricePerGpuHour = pricePerGpuHourOf(placement.gpuNodePool);
    // The dashboard rides in kube-prometheus-stack's release when the component installs it, so a
    // model added or removed updates the ConfigMap in place (Helm patches it; the Kubernetes
    // provider replaces a ConfigMap whose data changes, and Grafana would lose the dashboard).
    const dashboardPlan = r.monitoring.dashboard ? planDashboard(dashboardInput(r, models, pricePerGpuHour)) : undefined;
    const kubePrometheusStack = kubePrometheusStackChart(r, dashboardPlan?.configMap);
    let grafanaAdminSecret: string | undefined;
    if (kubePrometheusStack && r.monitoring.hasGrafanaAdminPassword) {
        const secret = { name: grafanaAdminSecretName(kubePrometheusStack.releaseName), namespace: kubePrometheusStack.namespace };
        secrets.push({ ...secret, keys: { "admin-user": "admin", "admin-password": `${SECRET_PLACEHOLDER} monitoring.grafanaAdminPassword` } });
        grafanaAdminSecret = `${secret.namespace}/${secret.name}`;
    } else if (kubePrometheusStack) {
        // Written by the Grafana chart, not by the package: not in `secrets`.
        grafanaAdminSecret = `${kubePrometheusStack.namespace}/${grafanaGeneratedSecretName(kubePrometheusStack.releaseName)}`;
    }

    return {
        name,
        namespace: r.namespace,
        createNamespace: r.createNamespace,
        namespaces: [...new Set(namespaces)],
        charts: {
            ...(keda ? { keda } : {}),
            ...(kubePrometheusStack ? { kubePrometheusStack } : {}),
            vllmStack,
            ...(gpuMetrics ? { gpuMetrics } : {}),
            ...(httpAddOn ? { httpAddOn } : {}),
        },
        coldStartRoutes,
        models,
        scaledObjects,
        secrets,
        ...(grafanaAdminSecret ? { grafanaAdminSecret } : {}),
        serviceMonitors: r.monitoring.serviceMonitors ? [
            ...planServiceMonitors({ release, namespace: r.namespace, scrapeIntervalSeconds, labels }),
            ...(keda ? [kedaOperatorServiceMonitor({ namespace: keda.namespace, scrapeIntervalSeconds, labels })] : []),
            ...(gpuMetrics ? [dcgmExporterServiceMonitor({ namespace: gpuMetrics.namespace, releaseName: gpuMetrics.releaseName, scrapeIntervalSeconds, labels })] : []),
        ] : [],
        prometheusRules: r.monitoring.alerts.enabled ? [planPrometheusRule({
            release, namespace: r.namespace, labels, settings: r.monitoring.alerts.rules, models: alertModels,
        })] : [],
        ...(dashboardPlan ? { dashboard: { ...dashboardPlan, writtenBy: kubePrometheusStack ? "kube-prometheus-stack" as const : "component" as const } } : {}),
        prometheusUrl: r.monitoring.prometheusUrl,
        scrapeIntervalSeconds,
        routerServiceName: router,
        endpoint: `http://${router}.${r.namespace}.svc.${r.clusterDomain}/v1`,
        warnings: [...warningsFor(r), ...placementWarnings],
        ...placement,
    };
}

export { PlanValidationError } from "./problems";
export type { Problem } from "./problems";
export * from "./types";
