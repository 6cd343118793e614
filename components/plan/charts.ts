// Helm values the package sets for each chart, before the user's values are merged over them.
import { chartSource, HELM_RESOURCE_POLICY } from "./chartSource";
import { shutdownArgs } from "./drain";
import { DEFAULTS } from "./defaults";
import { mergeValues, Values } from "./merge";
import { grafanaAdminSecretName, hfTokenSecretKey, hfTokenSecretName } from "./names";
import { GPU_POOL_LABEL, GPU_TAINT, gpuSchedulingValues } from "./nodePool";
import type { ResolvedArgs, ResolvedModel } from "./resolve";
import type { ChartPlan } from "./chartSource";
import type { DashboardConfigMap } from "./dashboard";
import { CHARTS, IMAGES } from "./versions";

/** Pulumi's await timeout for a resource, read from its annotations. */
export const PULUMI_TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";

/** Labels the router selects engines by and the engine ServiceMonitor matches; unique per release. */
export function engineLabels(releaseName: string): Record<string, string> {
    // The chart's default (environment=test, release=test) would let two releases' routers
    // discover each other's engines.
    return { environment: releaseName, release: releaseName };
}

function modelSpec(r: ResolvedArgs, m: ResolvedModel): Values {
    const image = m.image ?? IMAGES.vllm;
    const vllmConfig: Values = {
        // The chart passes --no-enable-prefix-caching whenever vllmConfig exists without it.
        enablePrefixCaching: m.enablePrefixCaching,
        // vLLM >= 0.18: on SIGTERM refuse new requests, let in-flight ones finish (drain.ts).
        extraArgs: ["--served-model-name", m.servedModelName, ...shutdownArgs(m.drainSeconds), ...m.extraArgs],
    };
    if (m.gpusPerReplica > 1) vllmConfig.tensorParallelSize = m.gpusPerReplica;
    if (m.maxModelLen !== undefined) vllmConfig.maxModelLen = m.maxModelLen;
    // Explicit, so that the load trigger's target (a fraction of it) means something.
    vllmConfig.maxNumSeqs = m.maxNumSeqs;
    const spec: Values = {
        name: m.name,
        repository: image.repository,
        tag: image.tag,
        modelURL: m.modelUrl,
        // Created with minReplicas; from then on KEDA owns spec.replicas (Pulumi ignores it).
        replicaCount: m.autoscaling.minReplicas,
        requestCPU: m.cpu,
        requestMemory: m.memory,
        requestGPU: m.gpusPerReplica,
        vllmConfig,
        // "" renders no runtimeClassName (the chart's own default is "nvidia").
        runtimeClassName: r.vllmStack.runtimeClassName,
        annotations: { [PULUMI_TIMEOUT_ANNOTATION]: String(m.readyTimeoutSeconds) },
    };
    // Node drains and consolidation never evict the last ready engine of a model that must keep
    // one (minAvailable 1: with N ready, N - 1 may go at once). A PDB never gates the HPA's
    // scale-down. Models that may scale to zero get none: blocking a drain for them protects no floor.
    if (m.autoscaling.minReplicas >= 1) spec.pdb = { enabled: true, minAvailable: 1 };
    if (m.cacheSize !== undefined) spec.pvcStorage = m.cacheSize;
    if (m.cacheStorageClass !== undefined) spec.storageClass = m.cacheStorageClass;
    if (m.hasHfToken) {
        spec.hf_token = { secretName: hfTokenSecretName(r.releaseName), secretKey: hfTokenSecretKey(m.name) };
    }
    // Onto the GPU pool: tolerate its taint, require its label (plain strings, known at preview).
    if (r.gpuNodePool) Object.assign(spec, gpuSchedulingValues(r.gpuNodePool));
    return mergeValues(spec, m.values);
}

export function vllmStackChart(r: ResolvedArgs): ChartPlan {
    const router = r.vllmStack.routerImage ?? IMAGES.router;
    const values: Values = {
        servingEngineSpec: {
            labels: engineLabels(r.releaseName),
            // Simulator engines are the package's own Deployments, not the chart's.
            modelSpec: r.models.filter((m) => m.engine !== "simulator").map((m) => modelSpec(r, m)),
            // The package writes the ServiceMonitors itself (serviceMonitors.ts says why).
            serviceMonitor: { enabled: false },
        },
        routerSpec: {
            repository: router.repository,
            tag: router.tag,
            replicaCount: r.vllmStack.routerReplicas,
            serviceMonitor: { enabled: false },
        },
    };
    return {
        ...chartSource(CHARTS.vllmStack, r.vllmStack.repo, r.vllmStack.version),
        namespace: r.namespace,
        releaseName: r.releaseName,
        values: mergeValues(values, r.vllmStack.values),
        // crds/ holds only loraadapters.production-stack.vllm.ai: cluster-scoped, so two releases in
        // one cluster would both register it and the first destroy would delete it under the other
        // (and every LoraAdapter with it). The package uses no LoRA adapters; a cluster that does
        // applies the CRD once, outside any release (warning in index.ts).
        skipCrds: true,
    };
}

/**
 * The KEDA HTTP add-on (chart keda-add-ons-http), when a model has a cold-start route and
 * `httpAddOn.install`: in KEDA's namespace, where the route's trigger finds its scaler. Its CRDs
 * (HTTPScaledObject, InterceptorRoute) are chart templates, installed with it.
 */
export function httpAddOnChart(r: ResolvedArgs): ChartPlan | undefined {
    if (!r.httpAddOn.install) return undefined;
    return {
        ...chartSource(CHARTS.kedaHttpAddOn, r.httpAddOn.repo, r.httpAddOn.version),
        namespace: r.httpAddOn.namespace,
        releaseName: CHARTS.kedaHttpAddOn.chart,
        values: mergeValues({ crds: { install: true } }, r.httpAddOn.values),
    };
}

export function kedaChart(r: ResolvedArgs): ChartPlan | undefined {
    if (!r.keda.install) return undefined;
    return {
        ...chartSource(CHARTS.keda, r.keda.repo, r.keda.version),
        namespace: r.keda.namespace,
        releaseName: DEFAULTS.kedaReleaseName,
        values: mergeValues({
            // KEDA's CRDs are templates: Helm would delete them on uninstall, and the API server every
            // ScaledObject in the cluster with them, other releases' included. Kept, like the
            // Prometheus Operator's (docs/resources.md, Cluster-scoped objects).
            crds: { additionalAnnotations: { [HELM_RESOURCE_POLICY]: "keep" } },
            // KEDA's operator metrics (the alerts read them), scraped by the package's ServiceMonitor
            // (serviceMonitors.ts kedaOperatorServiceMonitor), not the chart's.
            ...(r.monitoring.serviceMonitors ? { prometheus: { operator: { enabled: true } } } : {}),
        }, r.keda.values),
    };
}

/** The key of the dashboard's ConfigMap in kube-prometheus-stack's `extraManifests` map (the chart ignores the keys). */
export const DASHBOARD_MANIFEST_KEY = "vllm-autoscaling-dashboard";

/**
 * `text` as a Go template that renders to `text`: kube-prometheus-stack passes every
 * `extraManifests` entry through `tpl`, and the dashboard's legends (`{{scaler}}`) are Grafana's,
 * not Helm's. A raw string action (backquotes: YAML never escapes them) prints each `{{`.
 */
export function helmTplLiteral(text: string): string {
    return text.replace(/\{\{/g, "{{`{{`}}");
}

/** kube-prometheus-stack, with the package's dashboard (if any) among its `extraManifests`. */
export function kubePrometheusStackChart(r: ResolvedArgs, dashboard?: DashboardConfigMap): ChartPlan | undefined {
    if (!r.monitoring.install) return undefined;
    const release = DEFAULTS.monitoringReleaseName;
    const values: Values = {
        prometheus: {
            prometheusSpec: {
                // Select ServiceMonitors and rules of every release, the vllm-stack's included.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
            },
        },
    };
    if (r.monitoring.hasGrafanaAdminPassword) {
        // The user's password lives in a Secret the package writes, so no secret sits in the
        // release values; without one, the Grafana chart generates its own Secret.
        values.grafana = { admin: { existingSecret: grafanaAdminSecretName(release), userKey: "admin-user", passwordKey: "admin-password" } };
    }
    if (dashboard) {
        // A map, so that a user's own extraManifests (validated to be a map too) merge beside it.
        values.extraManifests = {
            [DASHBOARD_MANIFEST_KEY]: {
                ...dashboard,
                data: Object.fromEntries(Object.entries(dashboard.data).map(([k, v]) => [k, helmTplLiteral(v)])),
            },
        };
    }
    return {
        ...chartSource(CHARTS.kubePrometheusStack, r.monitoring.repo, r.monitoring.version),
        namespace: r.monitoring.namespace,
        releaseName: release,
        values: mergeValues(values, r.monitoring.values),
    };
}

/**
 * NVIDIA's dcgm-exporter (opt-in, `gpuMetrics`): a DaemonSet on the GPU pool's nodes (its label,
 * its taint tolerated). The chart's own ServiceMonitor stays off: the package writes one with
 * honorLabels (serviceMonitors.ts dcgmExporterServiceMonitor), since the chart's default
 * (honorLabels false) renames the `namespace`, `pod` and `container` of the GPU's pod to
 * `exported_*`, and a helm.v3.Release with a ServiceMonitor needs the CRD before
 * kube-prometheus-stack (another release) has installed it.
 */
export function gpuMetricsChart(r: ResolvedArgs): ChartPlan | undefined {
    if (!r.gpuMetrics.install) return undefined;
    const values: Values = {
        serviceMonitor: { enabled: false },
        // Without a pool of the package's: GPU nodes are commonly tainted nvidia.com/gpu (GKE does it).
        tolerations: r.gpuNodePool
            ? [{ key: r.gpuNodePool.taint.key, operator: "Equal", value: r.gpuNodePool.taint.value, effect: r.gpuNodePool.taint.effect }]
            : [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
        ...(r.gpuNodePool ? { nodeSelector: { [GPU_POOL_LABEL]: r.gpuNodePool.name } } : {}),
    };
    return {
        ...chartSource(CHARTS.dcgmExporter, r.gpuMetrics.repo, r.gpuMetrics.version),
        namespace: r.gpuMetrics.namespace,
        releaseName: DEFAULTS.gpuMetricsReleaseName,
        values: mergeValues(values, r.gpuMetrics.values),
    };
}
