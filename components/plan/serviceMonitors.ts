// The ServiceMonitors that make Prometheus scrape the engines and the router. The package writes
// them itself instead of turning on the vllm-stack chart's: helm.v4.Chart must resolve every kind
// it renders against the cluster during a preview, and on a fresh cluster the ServiceMonitor CRD
// (installed by the kube-prometheus-stack release) does not exist yet, so the chart's own
// ServiceMonitors fail the first `pulumi preview` (found on a real kube-apiserver). A
// CustomResource the program registers needs no such lookup.
import type { Values } from "./merge";
import { CHARTS } from "./versions";

export const SERVICE_MONITOR_API_VERSION = "monitoring.coreos.com/v1";
export const SERVICE_MONITOR_KIND = "ServiceMonitor";

/** A ServiceMonitor as the component writes it. */
export interface ServiceMonitorManifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Values;
}

function endpoint(port: string, scrapeIntervalSeconds: number): Values {
    return {
        port,
        interval: `${scrapeIntervalSeconds}s`,
        // Prometheus requires timeout <= interval.
        scrapeTimeout: `${Math.min(scrapeIntervalSeconds, 10)}s`,
        // Keep the engines' own labels apart from Prometheus' target labels (namespace, pod, service).
        honorLabels: false,
    };
}

/** A ServiceMonitor scraping one port of the Services in `namespace` that carry `selector`. */
function serviceMonitor(name: string, namespace: string, labels: Record<string, string>, scrape: Values,
    selector: Record<string, string>): ServiceMonitorManifest {
    return {
        apiVersion: SERVICE_MONITOR_API_VERSION,
        kind: SERVICE_MONITOR_KIND,
        metadata: { name, namespace, labels },
        spec: { endpoints: [scrape], namespaceSelector: { matchNames: [namespace] }, selector: { matchLabels: selector } },
    };
}

/**
 * One ServiceMonitor for the release's engine Services (chart engines and the package's simulator
 * engines alike: both carry these labels on the port `service-port`) and one for the router's
 * Service (port `router-sport`). The selectors are the chart's standard labels
 * (templates/_helpers.tpl engineCommonLabels / routerStandardLabels), which carry the release.
 */
export function planServiceMonitors(input: {
    release: string; namespace: string; scrapeIntervalSeconds: number; labels: Record<string, string>;
}): ServiceMonitorManifest[] {
    const chart = CHARTS.vllmStack.chart;
    const { release, namespace, scrapeIntervalSeconds, labels } = input;
    const manifest = (name: string, port: string, selector: Record<string, string>) =>
        serviceMonitor(name, namespace, labels, endpoint(port, scrapeIntervalSeconds), selector);
    return [
        manifest(`${release}-engine-servicemonitor`, "service-port", {
            "app.kubernetes.io/instance": release,
            "app.kubernetes.io/component": "serving-engine",
            "app.kubernetes.io/part-of": chart,
        }),
        manifest(`${release}-router-servicemonitor`, "router-sport", {
            "app.kubernetes.io/instance": release,
            "app.kubernetes.io/component": "router",
            "app.kubernetes.io/name": "router",
            "app.kubernetes.io/part-of": chart,
        }),
    ];
}

/** The KEDA chart's operator name (values.yaml `operator.name`), its Service's `app.kubernetes.io/name`. */
export const KEDA_OPERATOR_NAME = "keda-operator";
/** The KEDA chart's metrics port name on that Service (templates/manager/service.yaml, with prometheus.operator.enabled). */
export const KEDA_METRICS_PORT = "metrics";
export const KEDA_SERVICE_MONITOR_NAME = "keda-operator-metrics";

/**
 * The ServiceMonitor for KEDA's operator metrics (keda_scaled_object_errors_total, ...), which the
 * alerts read. Not the KEDA chart's own: that one keeps honorLabels false, so the metrics'
 * `namespace` (the ScaledObject's) would become `exported_namespace` under the target's `keda`;
 * and a helm.v3.Release installing a ServiceMonitor needs the CRD, which kube-prometheus-stack
 * (another release) may not have installed yet. The KEDA values turn the metrics endpoint on.
 */
export function kedaOperatorServiceMonitor(input: { namespace: string; scrapeIntervalSeconds: number; labels: Record<string, string> }): ServiceMonitorManifest {
    return serviceMonitor(KEDA_SERVICE_MONITOR_NAME, input.namespace, input.labels,
        { ...endpoint(KEDA_METRICS_PORT, input.scrapeIntervalSeconds), path: "/metrics", honorLabels: true },
        { "app.kubernetes.io/name": KEDA_OPERATOR_NAME });
}

/** The dcgm-exporter chart's metrics port name and selector labels (templates/service.yaml, _helpers.tpl selectorLabels). */
export const DCGM_METRICS_PORT = "metrics";
export const DCGM_SERVICE_MONITOR_NAME = "dcgm-exporter";

/**
 * The ServiceMonitor for dcgm-exporter's GPU metrics. honorLabels: the exporter labels each GPU's
 * series with the `namespace`, `pod` and `container` of the pod using it (kubelet pod-resources),
 * which must win over the target's own (the exporter pod's), or the per-model GPU queries find nothing.
 */
export function dcgmExporterServiceMonitor(input: { namespace: string; releaseName: string; scrapeIntervalSeconds: number; labels: Record<string, string> }): ServiceMonitorManifest {
    return serviceMonitor(DCGM_SERVICE_MONITOR_NAME, input.namespace, input.labels,
        { ...endpoint(DCGM_METRICS_PORT, input.scrapeIntervalSeconds), path: "/metrics", honorLabels: true },
        { "app.kubernetes.io/name": CHARTS.dcgmExporter.chart, "app.kubernetes.io/instance": input.releaseName });
}
