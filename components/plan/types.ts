// The plan: everything LlmInference will create, as plain data. planInference() builds it
// without Pulumi resources or I/O; the component, the `plan` command and the tests read it.
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject" with { "resolution-mode": "import" };
import type { PrometheusRuleManifest } from "./alerts";
import type { CapacityPlan } from "./capacity";
import type { ChartPlan } from "./chartSource";
import type { CostPlan } from "./cost";
import type { DashboardPlan } from "./dashboard";
import type { DrainPlan } from "./drain";
import type { ReadSeries } from "./alerts";
import type { NodePoolPlan } from "./nodePool";
import type { LoadDemand } from "./queries";
import type { ColdStartPlan } from "./coldStart";
import type { ColdStartRoutePlan } from "./coldStartRoute";
import type { HeadroomPlan, PriorityClassPlan } from "./headroom";
import type { ServiceMonitorManifest } from "./serviceMonitors";
import type { SimulatorPlan } from "./simulatorEngine";

export type { CapacityPlan, ChartPlan, CostPlan, DashboardPlan, DrainPlan, NodePoolPlan, PrometheusRuleManifest, ServiceMonitorManifest, SimulatorPlan };

export type ScaledObjectManifest = IScaledObject;

/** Stands in the plan wherever the real value is a secret or only known at deploy time. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A Kubernetes Secret the component writes; the values are placeholders in the plan. */
export interface SecretPlan {
    name: string;
    namespace: string;
    /** Key in the Secret -> where its value comes from (for the reader; never the value). */
    keys: Record<string, string>;
}

/** What the plan decided for one model. */
export interface ModelPlan {
    name: string;
    servedModelName: string;
    modelUrl: string;
    gpusPerReplica: number;
    /** vLLM --max-num-seqs of each engine (the load signal's target derives from it). */
    maxNumSeqs: number;
    /** `vllm` (the chart's engine) or `simulator` (the package's CPU Deployment). */
    engine: string;
    minReplicas: number;
    maxReplicas: number;
    deploymentName: string;
    serviceName: string;
    scaledObjectName: string;
    /** The HPA KEDA creates for the ScaledObject. */
    hpaName: string;
    /** The load trigger's scale-down margin, per engine running any request (triggers.ts loadHysteresis); 0 without a load trigger. */
    loadHysteresis: number;
    /** The load trigger's demand half (triggers.ts loadDemand): rate window and backlog drain horizon; absent when load is running + waiting. */
    loadDemand?: LoadDemand;
    /** Seconds the load_peak trigger holds the load's peak (0: no such trigger). */
    loadPeakHoldSeconds: number;
    /** The cold-start route's concurrency target per replica (the add-on scaler's metric target); absent without a route. */
    coldStartRouteTarget?: number;
    /** The cold start phase by phase, and which of this model's options cut which (coldStart.ts). */
    coldStart: ColdStartPlan;
    /** The engine series the model's Prometheus triggers read, metric by metric (alerts.ts). */
    triggerSeries?: ReadSeries[];
    /** How the engine pods shut down: vLLM's drain, preStop sleep, grace period (drain.ts). */
    drain: DrainPlan;
    /** The chart's PodDisruptionBudget of the engines (models with minReplicas >= 1 on vLLM). */
    pdbName?: string;
    /** Where the engine reads its Hugging Face token, when it has one. */
    hfTokenSecret?: { name: string; key: string };
}

export interface InferencePlan {
    /** The component's name. */
    name: string;
    namespace: string;
    createNamespace: boolean;
    /** Namespaces the component creates and owns: the models', KEDA's and monitoring's (as installed). */
    namespaces: string[];
    charts: {
        keda?: ChartPlan;
        kubePrometheusStack?: ChartPlan;
        vllmStack: ChartPlan;
        /** NVIDIA's dcgm-exporter on the GPU nodes (opt-in: `gpuMetrics.install`). */
        gpuMetrics?: ChartPlan;
        /** The KEDA HTTP add-on, for models with a cold-start route (`httpAddOn.install`). */
        httpAddOn?: ChartPlan;
    };
    models: ModelPlan[];
    /** One per model, in model order. */
    scaledObjects: ScaledObjectManifest[];
    secrets: SecretPlan[];
    /** `<namespace>/<name>` of the Secret holding Grafana's admin password (the package's or the chart's). */
    grafanaAdminSecret?: string;
    /** ServiceMonitors for the engines, the router and (with the package's KEDA) KEDA's operator (empty when `monitoring.serviceMonitors` is false). */
    serviceMonitors: ServiceMonitorManifest[];
    /** The release's PrometheusRule with the package's alerts (empty when `monitoring.alerts.enabled` is false). */
    prometheusRules: PrometheusRuleManifest[];
    /**
     * The release's Grafana dashboard (a ConfigMap for the Grafana sidecar); absent when
     * `monitoring.dashboard.enabled` is false. `writtenBy`: kube-prometheus-stack's release carries
     * it (its `extraManifests`) when the component installs the chart, so Helm updates it in place;
     * else the component writes the ConfigMap itself.
     */
    dashboard?: DashboardPlan & { writtenBy: "kube-prometheus-stack" | "component" };
    prometheusUrl: string;
    /** Prometheus scrapes engines and router this often (never less often than KEDA polls). */
    scrapeIntervalSeconds: number;
    routerServiceName: string;
    /** In-cluster OpenAI-compatible base URL of the router. */
    endpoint: string;
    /** Things that are valid but worth a second look (shown by `npm run plan`). */
    warnings: string[];
    /** The GPU node pool the component creates before the charts, if any. */
    gpuNodePool?: NodePoolPlan;
    /** Whether the GPU models fit on the pool at their maxReplicas. */
    capacity: CapacityPlan;
    /** What the pool costs between minNodes and maxNodes; undefined when its node price is unknown. */
    cost?: CostPlan;
    /** The simulator engines the component writes itself, in model order. */
    simulators: SimulatorPlan[];
    /** Cold-start routes through the KEDA HTTP add-on (`models[].coldStartRoute`), in model order. */
    coldStartRoutes: ColdStartRoutePlan[];
    /** Warm headroom placeholders (`autoscaling.headroomSlots`), one Deployment per model that has any. */
    headroom: HeadroomPlan[];
    /** Their PriorityClass (cluster-scoped), when any model has headroom. */
    headroomPriorityClass?: PriorityClassPlan;
}
