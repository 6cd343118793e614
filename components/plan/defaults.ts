// Defaults the package applies where an argument is omitted. One place, so the docs, the
// plan and the tests read the same numbers.

export const DEFAULTS = {
    namespace: "llm",
    kedaNamespace: "keda",
    monitoringNamespace: "monitoring",
    clusterDomain: "cluster.local",
    kedaReleaseName: "keda",
    monitoringReleaseName: "kube-prometheus-stack",

    minReplicas: 1,
    targetQueueDepth: 5,
    activationQueueDepth: 0,
    pollingIntervalSeconds: 15,
    cooldownSeconds: 300,
    /** Consecutive failed Prometheus queries before KEDA applies the fallback. */
    fallbackFailureThreshold: 3,
    scaleUpStabilizationSeconds: 0,
    scaleDownStabilizationSeconds: 300,
    scaleDownPodsPerPeriod: 1,
    scaleDownPeriodSeconds: 60,

    gpusPerReplica: 1,
    cpuPerGpu: 4,
    memoryGiPerGpu: 16,
    readyTimeoutSeconds: 1800,
    /**
     * vLLM --shutdown-timeout: how long a terminating engine lets in-flight requests finish. Sized
     * for long streamed answers: 4096 output tokens at ~35 tokens/s per stream under load take
     * ~120 s; shorter answers finish well within it.
     */
    drainSeconds: 120,
    /** preStop sleep: the router (deletionTimestamp watch) and the Service's endpoints drop the pod within a few seconds. */
    preStopSleepSeconds: 5,
    /** Grace beyond preStop + drain, for vLLM's own exit after the drain (engine core and workers). */
    terminationMarginSeconds: 10,
    enablePrefixCaching: true,
    routerReplicas: 1,
    /** No RuntimeClass: GKE's GPU nodes and EKS's NVIDIA AMIs expose GPUs through the default runtime. */
    engineRuntimeClassName: "",

    /** Prometheus never scrapes engines less often than this, whatever KEDA's polling. */
    maxScrapeIntervalSeconds: 15,

    /** vLLM --max-num-seqs the package sets (vLLM's own default is 256 or 1024 depending on the GPU). */
    maxNumSeqs: 64,
    /** Scaling-signal preset (see strategy.ts and `npm run bench:policies`). */
    strategy: "balanced",
    /** Per-replica KV-cache fraction the kv_cache trigger aims for. */
    kvCacheTarget: 0.7,
    /**
     * Horizon over which the demand-based load drains a backlog (queries.ts loadQuery): waiting
     * requests count as extra arrivals over this many seconds. About one GPU cold start (node
     * boot + image pull + model load): an engine ordered for the backlog arrives after that, so
     * only the part the running engines cannot clear by then is worth one.
     */
    backlogDrainSeconds: 300,
    /** p95 time-to-first-token SLO (seconds) of the ttft_p95 trigger. */
    ttftSloSeconds: 2,
    /** Per-replica GPU utilization (percent, DCGM_FI_DEV_GPU_UTIL) the opt-in gpu_utilization trigger aims for. */
    gpuUtilizationTarget: 80,
    /** Namespace of the dcgm-exporter release (gpuMetrics). */
    gpuMetricsNamespace: "gpu-metrics",
    gpuMetricsReleaseName: "dcgm-exporter",
    /**
     * kube-prometheus-stack 82.4.3 values.yaml `grafana.sidecar.dashboards.label` / `labelValue`:
     * the label the Grafana sidecar loads dashboard ConfigMaps by (searchNamespace ALL).
     */
    grafanaDashboardLabel: "grafana_dashboard",
    grafanaDashboardLabelValue: "1",
    /** Rate window of the dashboard's panels (Grafana's usual 5m). */
    dashboardRateWindowSeconds: 300,
    /** Time zone of schedules that name none. */
    scheduleTimezone: "UTC",
} as const;
