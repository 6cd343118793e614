// The component's arguments. Interfaces only, no unions: the Pulumi schema for Python, Go and
// YAML is inferred from these types (docs/design.md, Multi-language constraints), and the TSDoc on
// each property becomes its description there. Plain `T` = a plain value known at preview time;
// `pulumi.Input<T>` = may be an Output (used only for secrets).
import * as pulumi from "@pulumi/pulumi";

/**
 * Which signals scale a model (each can still be enabled and tuned one by one):
 * - `balanced` (default): load (the concurrency the arrivals need, per replica against
 *   `targetConcurrency`, derived from `maxNumSeqs`; a backlog counts drained over 5 minutes) and
 *   KV-cache pressure;
 * - `queue-depth`: the Production Stack tutorial's and KEDA article's behaviour, waiting requests only;
 * - `latency-first`: load with a lower per-replica target (more headroom), KV-cache pressure, queue
 *   depth, and p95 time to first token against `ttft.target`;
 * - `burst-ready`: for traffic that bursts faster than an engine starts: load at ~85% of
 *   `maxNumSeqs`, KV-cache pressure, and the replicas the load's peak needed held for 2 hours
 *   (`peakHoldSeconds`), so that the next burst finds its engines running.
 * `npm run bench:policies` shows how each preset fares on the reference traces.
 */
export const Strategy = {
    Balanced: "balanced",
    QueueDepth: "queue-depth",
    LatencyFirst: "latency-first",
    BurstReady: "burst-ready",
} as const;
export type Strategy = (typeof Strategy)[keyof typeof Strategy];

/** One scaling signal (a KEDA trigger); unset fields come from the `strategy` preset. */
export interface Signal {
    /** Turn the trigger on or off regardless of the preset. */
    enabled?: boolean;
    /** Per-replica target (KEDA AverageValue threshold), in the signal's unit. */
    target?: number;
    /** Value above which the trigger counts as active for scaling from zero (KEDA activationThreshold). */
    activation?: number;
}

/** A KEDA cron trigger: at least `replicas` engines between `start` and `end`. */
export interface Schedule {
    /** Short name of the schedule (letters, digits, `_`), part of the trigger name `schedule_<name>`. */
    name: string;
    /** Five-field cron expression at which the window opens, e.g. `0 8 * * 1-5`. */
    start: string;
    /** Five-field cron expression at which the window closes, e.g. `0 18 * * 1-5`; must differ from `start`. */
    end: string;
    /** IANA time zone of the cron expressions, e.g. `Europe/Berlin`. Default `UTC`. */
    timezone?: string;
    /** Engines to keep during the window; from 1 to `maxReplicas`. */
    replicas: number;
}

/** KEDA `advanced.scalingModifiers`: one composite metric computed from the triggers' values. */
export interface ScalingModifiers {
    /** Expression over trigger names, e.g. `max(load / 16, queue_depth / 5)`; see KEDA's scalingModifiers docs. */
    formula: string;
    /** Per-replica target of the composite metric (AverageValue), a positive whole number (KEDA's fallback needs one). */
    target: number;
    /** Composite value above which the ScaledObject is active. Default 0. */
    activationTarget?: number;
}

/** How one model's engine Deployment is scaled by its KEDA ScaledObject. */
export interface Autoscaling {
    /** Fewest engine replicas. 0 lets the model scale to zero when idle; the first request wakes it. Default 1. */
    minReplicas?: number;
    /** Most engine replicas. At least 1 and at least `minReplicas`. */
    maxReplicas: number;
    /**
     * Requests waiting in the engines' queues per replica that the HPA aims for (KEDA AverageValue
     * threshold). Default 5. Setting it turns the queue-depth trigger on where the strategy has it off
     * (`balanced`).
     */
    targetQueueDepth?: number;
    /** Waiting requests above which the queue-depth trigger counts as active (KEDA activationThreshold). Default 0. Setting it turns the trigger on, like `targetQueueDepth`. */
    activationQueueDepth?: number;
    /** How often KEDA queries Prometheus, in seconds (KEDA pollingInterval). At least 1. Default 15. */
    pollingIntervalSeconds?: number;
    /** Seconds every trigger must stay inactive before KEDA scales from 1 to 0 (KEDA cooldownPeriod). Default 300. */
    cooldownSeconds?: number;
    /** Pause autoscaling: KEDA stops changing the replica count (annotation `autoscaling.keda.sh/paused`). Default false. */
    paused?: boolean;
    /** Replicas to keep when Prometheus cannot be queried 3 times in a row; KEDA keeps the current count when it is higher. Default max(minReplicas, 1). */
    fallbackReplicas?: number;
    /** Seconds the HPA looks back before scaling up (highest-of-window damping). Default 0: scale up at once. */
    scaleUpStabilizationSeconds?: number;
    /** Seconds the HPA looks back before scaling down: it keeps the highest recommendation of the window. At least 300 recommended. Default 300. */
    scaleDownStabilizationSeconds?: number;
    /** Replicas the HPA may remove per `scaleDownPeriodSeconds`. Default 1. */
    scaleDownPodsPerPeriod?: number;
    /** Period of the scale-down policy, in seconds. Default 60. */
    scaleDownPeriodSeconds?: number;
    /** Preset of scaling signals. Default `balanced`. */
    strategy?: Strategy;
    /**
     * Load: the concurrency the traffic needs, per replica. In `balanced` and `latency-first`: the
     * router's arrival rate times the engines' mean time per request, plus the waiting requests
     * drained over 5 minutes (running + waiting until a request has completed); in a custom setup
     * without those presets: running + waiting. Target default: `targetConcurrency` of the preset
     * (a fraction of `maxNumSeqs`).
     */
    load?: Signal;
    /** KV-cache pressure: summed `vllm:kv_cache_usage_perc` (0..1 per engine). Target default 0.7 per replica. */
    kvCache?: Signal;
    /**
     * Queue depth: waiting requests per replica. Target default `targetQueueDepth` (set one or the
     * other). On in `queue-depth` and `latency-first`; off in `balanced` unless a queue target or
     * activation is set (its backlog reading is what overshoots after a cold start).
     */
    queueDepth?: Signal;
    /** Latency SLO: p95 time to first token in seconds. Target = the SLO (default 2); enabled by `latency-first`. */
    ttft?: Signal;
    /**
     * GPU utilization (`DCGM_FI_DEV_GPU_UTIL`, percent, from NVIDIA's dcgm-exporter: `gpuMetrics`):
     * the engines' average per replica against the target (default 80). Off in every preset: a busy
     * GPU is an efficient one, not an overloaded one (see the README).
     */
    gpuUtilization?: Signal;
    /**
     * Hold the replicas the load's peak asked for during this many seconds (a `load_peak` trigger:
     * the load query's maximum over the window, against the load's target), so that bursts that
     * come back within it find their engines running. The HPA's own scale-down window stops at
     * 3600 s; this one does not. 0 turns it off; otherwise 300 to 86400. Default 7200 in
     * `burst-ready`, 0 in the other presets. Needs the load trigger.
     */
    peakHoldSeconds?: number;
    /** Known peaks: KEDA cron triggers that hold a floor of replicas. */
    schedules?: Schedule[];
    /** Advanced: replace the triggers' max by one composite formula (KEDA scalingModifiers). */
    scalingModifiers?: ScalingModifiers;
    /**
     * Warm headroom: this many engine-sized GPU slots kept provisioned for bursts, by placeholder
     * pods at a low priority (-10) that request one engine's GPUs, CPU and memory, run the engine
     * image (pre-pulled on the node) and sleep. An engine that finds no free GPU preempts one and
     * starts without waiting for a node; the node autoscaler then adds a node for the evicted
     * placeholder. Costs `headroomSlots` x the engine's GPUs around the clock (in `plan.cost`).
     * Needs a pool a node autoscaler grows (GKE, EKS with Karpenter or the cluster's own) and a
     * GPU engine. Default 0.
     */
    headroomSlots?: number;
}

/** A container image, repository and tag apart (as the vllm-stack chart takes it). */
export interface Image {
    /** Image repository, e.g. `vllm/vllm-openai`. */
    repository: string;
    /** Image tag, e.g. `v0.24.0`. */
    tag: string;
}

/** Which server runs a model's engine pods. */
export const Engine = {
    /** vLLM on GPUs, deployed by the vllm-stack chart (the default). */
    Vllm: "vllm",
    /**
     * The llm-d inference simulator on CPU: vLLM's OpenAI API and metric names at no GPU cost, for
     * proving 1 -> N -> 0 scaling on a laptop cluster (kind, k3d, minikube). The package deploys it
     * itself (Deployment + Service labelled like the chart's engines), not through the chart.
     */
    Simulator: "simulator",
} as const;
export type Engine = (typeof Engine)[keyof typeof Engine];

/** Settings of the llm-d inference simulator (only for models with `engine: simulator`). Its queue limit is the model's `maxNumSeqs`. */
export interface Simulator {
    /** Simulated time to first token, in milliseconds (`--time-to-first-token`). Default 200. */
    timeToFirstTokenMs?: number;
    /** Simulated time between output tokens, in milliseconds (`--inter-token-latency`). Default 50. */
    interTokenLatencyMs?: number;
    /** Seconds the simulator reports "loading" (readiness 503) after start, like a model load (`--startup-duration`). Default 10. */
    startupSeconds?: number;
    /** CPU the simulator pod requests, a Kubernetes quantity. Default `100m`. */
    cpu?: string;
    /** Memory the simulator pod requests. Default `128Mi`. */
    memory?: string;
    /** Simulator image. Default: the pinned `ghcr.io/llm-d/llm-d-inference-sim` tag. */
    image?: Image;
}

/** One model served by its own vLLM engine Deployment. */
export interface Model {
    /** Short name of the model: a DNS-1123 label used in every Kubernetes name derived for it (e.g. `llama3-8b`). */
    name: string;
    /** Hugging Face model id or path that vLLM loads, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
    modelUrl: string;
    /** Model name clients send in OpenAI requests and the engines' metrics carry as `model_name`. Default: `modelUrl`. */
    servedModelName?: string;
    /** GPUs per engine replica: the GPU request and vLLM's tensor parallel size. Default 1. */
    gpusPerReplica?: number;
    /** Hugging Face token for gated models. Kept a Pulumi secret and stored in a Kubernetes Secret the engines read. */
    hfToken?: pulumi.Input<string>;
    /** Size of a PersistentVolumeClaim that caches the weights (e.g. `100Gi`). Default: none, weights are downloaded to the pod's ephemeral storage. */
    cacheSize?: string;
    /** StorageClass of the weights cache PVC. Default: the cluster's default class. */
    cacheStorageClass?: string;
    /** CPU cores each engine pod requests. Default 4 per GPU. */
    cpu?: number;
    /** Memory each engine pod requests, e.g. `32Gi`. Default 16Gi per GPU. */
    memory?: string;
    /** vLLM `--max-model-len`. Default: the model's own. */
    maxModelLen?: number;
    /** vLLM `--max-num-seqs`: requests one engine runs at once; beyond it they wait. The load signal's target derives from it. Default 64. */
    maxNumSeqs?: number;
    /** vLLM prefix caching. Default true (the chart would otherwise pass `--no-enable-prefix-caching`). */
    enablePrefixCaching?: boolean;
    /** Extra vLLM command-line arguments, appended after the package's. */
    extraArgs?: string[];
    /** Engine image. Default: the pinned `vllm/vllm-openai` tag. */
    image?: Image;
    /** Seconds Pulumi waits for the engine Deployment to become ready (model download and load take minutes). Default 1800. */
    readyTimeoutSeconds?: number;
    /**
     * Seconds a terminating engine (scale-down, node drain) lets in-flight requests finish: vLLM
     * `--shutdown-timeout` (vLLM >= 0.18) refuses new requests and drains running ones for up to
     * this long; the pod's grace period covers it plus a 5 s preStop sleep and 10 s. 0: vLLM's
     * default, in-flight requests are aborted. From 0 to 3600. Default 120 (a long streamed answer).
     */
    drainSeconds?: number;
    /** Extra vllm-stack `modelSpec` values for this model, merged over the package's. */
    values?: Record<string, any>;
    /** Autoscaling of this model's engines. */
    autoscaling: Autoscaling;
    /**
     * At zero replicas, hold a request until an engine is ready instead of failing it: the model's
     * requests go through the KEDA HTTP add-on's interceptor (`httpAddOn`), which waits on the
     * model's engine Service and then forwards (streams pass through), and the add-on's scaler
     * wakes the model the moment a request waits. Clients call the `coldStartUrls` output's URL.
     * Default: off.
     */
    coldStartRoute?: ColdStartRoute;
    /** Engine server: `vllm` (GPU, through the chart) or `simulator` (CPU, no GPU request). Default `vllm`. */
    engine?: Engine;
    /** Simulator settings; only with `engine: simulator`. */
    simulator?: Simulator;
}

/** A model's cold-start route through the KEDA HTTP add-on. */
export interface ColdStartRoute {
    /** Route this model's requests through the interceptor. Default true when the object is given. */
    enabled?: boolean;
    /**
     * Seconds a request waits at zero for an engine before the interceptor answers 504 (the
     * InterceptorRoute's readiness timeout): at least the model's polling interval; above the cold
     * start (node boot, image pull, weights: minutes). From 1 to 3600. Default 600.
     */
    timeoutSeconds?: number;
}

/** The KEDA HTTP add-on release (chart `keda-add-ons-http`), in KEDA's namespace. */
export interface HttpAddOn {
    /** Install it when a model has a `coldStartRoute`. false: the cluster runs it already (0.15 or later, in `keda.namespace`). Default true. */
    install?: boolean;
    /** Chart version. Default: the pinned version. */
    version?: string;
    /** Where the chart comes from (as `keda.repo`). Default: the chart's public repository. */
    repo?: string;
    /** Helm values merged over the package's. */
    values?: Record<string, any>;
}

/** The KEDA Helm release. */
export interface Keda {
    /** Install KEDA. Set false when the cluster already runs KEDA 2.20 or later. Default true. */
    install?: boolean;
    /** Namespace of the KEDA release, created and owned by the component. Default `keda`. */
    namespace?: string;
    /** Chart version. Default: the pinned version. */
    version?: string;
    /**
     * Where the chart comes from, instead of its public repository: a chart repository URL
     * (`https://charts.example.com`, a mirror), an OCI registry (`oci://registry.example.com/charts`,
     * the chart name is appended), or a local chart directory or `.tgz` (a path starting with `/`,
     * `./` or `../`, relative to the Pulumi program). Default: the chart's public repository.
     * With a local path, the chart found there is installed and `version` is not used.
     */
    repo?: string;
    /** Helm values merged over the package's. */
    values?: Record<string, any>;
}

/** One alert of the package's PrometheusRule; unset fields keep the alert's defaults. */
export interface AlertRule {
    /** Write this alert. Default true. */
    enabled?: boolean;
    /** Seconds the condition must hold before the alert fires (the rule's `for`). From 0 to 604800. Default: the alert's own. */
    forSeconds?: number;
    /** The alert's `severity` label: `critical`, `warning` or `info`. Default: the alert's own. */
    severity?: string;
}

/**
 * The alerts the package writes as one PrometheusRule per release (see docs/operating.md,
 * Alerts): each rule per model, with annotations saying what is wrong and what to do.
 */
export interface Alerts {
    /** Write the PrometheusRule (a Prometheus Operator CRD). Default: `install` (kube-prometheus-stack brings the CRD); set true for your own Prometheus Operator. */
    enabled?: boolean;
    /** A model's engines are ready but a series its triggers read is absent (a renamed vLLM metric, a broken scrape). Default 300 s, critical. */
    signalMissing?: AlertRule;
    /** KEDA counts errors for the model's ScaledObject (its fallback then holds the replicas). Default 300 s, critical. */
    scalerErrors?: AlertRule;
    /** KEDA's metrics for the ScaledObject are absent (KEDA not scraped or not running), so the KEDA alerts cannot fire. Default 900 s, warning. */
    kedaMetricsMissing?: AlertRule;
    /** The model is at `maxReplicas` and its SLO signal (queue depth per engine, p95 TTFT with the TTFT trigger) is breached. Default 900 s, warning. */
    atMaxReplicas?: AlertRule;
    /** The ScaledObject of a GPU model is paused (GPUs paid whatever the load). Default 3600 s, warning. */
    paused?: AlertRule;
    /** Requests arrive for a model with no ready engine, which the router refuses (503/404). Default 900 s, critical. */
    requestsRefused?: AlertRule;
}

/** The Grafana dashboard the package writes (see docs/operating.md, Dashboard). */
export interface Dashboard {
    /**
     * Write the dashboard: a ConfigMap in the monitoring namespace labelled for Grafana's dashboard
     * sidecar (kube-prometheus-stack: `grafana_dashboard: "1"`). Default: `install` (the chart brings
     * Grafana and its sidecar); set true for a Grafana of your own whose sidecar watches that namespace.
     */
    enabled?: boolean;
}

/** NVIDIA's dcgm-exporter Helm release: GPU utilization and memory metrics from the GPU nodes. */
export interface GpuMetrics {
    /** Install dcgm-exporter on the GPU pool's nodes (a DaemonSet), scraped by the package's ServiceMonitor. Default false. */
    install?: boolean;
    /** Namespace of the release, created and owned by the component. Default `gpu-metrics`. */
    namespace?: string;
    /** Chart version. Default: the pinned version. */
    version?: string;
    /**
     * Where the chart comes from, instead of its public repository: a chart repository URL
     * (`https://charts.example.com`, a mirror), an OCI registry (`oci://registry.example.com/charts`,
     * the chart name is appended), or a local chart directory or `.tgz` (a path starting with `/`,
     * `./` or `../`, relative to the Pulumi program). Default: the chart's public repository.
     * With a local path, the chart found there is installed and `version` is not used.
     */
    repo?: string;
    /** Helm values merged over the package's. */
    values?: Record<string, any>;
}

/** The kube-prometheus-stack Helm release, or an existing Prometheus. */
export interface Monitoring {
    /** Install kube-prometheus-stack. Set false to use an existing Prometheus through `prometheusUrl`. Default true. */
    install?: boolean;
    /** Namespace of the kube-prometheus-stack release, created and owned by the component. Default `monitoring`. */
    namespace?: string;
    /** Chart version. Default: the pinned version. */
    version?: string;
    /**
     * Where the chart comes from, instead of its public repository: a chart repository URL
     * (`https://charts.example.com`, a mirror), an OCI registry (`oci://registry.example.com/charts`,
     * the chart name is appended), or a local chart directory or `.tgz` (a path starting with `/`,
     * `./` or `../`, relative to the Pulumi program). Default: the chart's public repository.
     * With a local path, the chart found there is installed and `version` is not used.
     */
    repo?: string;
    /** Helm values merged over the package's. */
    values?: Record<string, any>;
    /** URL KEDA queries. Required when `install` is false; default `http://prometheus-operated.<namespace>.svc:9090`. */
    prometheusUrl?: string;
    /**
     * Write ServiceMonitors (Prometheus Operator CRDs) for the engines and the router, and for
     * KEDA's operator metrics when the package installs KEDA (the alerts read them). Default:
     * `install` (kube-prometheus-stack brings the CRDs); set true when `install` is false and your
     * own Prometheus Operator scrapes the cluster, leave false when your Prometheus finds the
     * engines another way (the CRDs must exist for ServiceMonitors to deploy).
     */
    serviceMonitors?: boolean;
    /** The package's alerts (a PrometheusRule per release). */
    alerts?: Alerts;
    /** The package's Grafana dashboard (a ConfigMap per release that Grafana's dashboard sidecar loads). */
    dashboard?: Dashboard;
    /**
     * Grafana's admin password (keep it a secret, e.g. `pulumi config set --secret`). The package
     * stores it in a Kubernetes Secret Grafana reads. Default: the Grafana chart generates one into
     * its own Secret `<namespace>/kube-prometheus-stack-grafana` (key `admin-password`).
     */
    grafanaAdminPassword?: pulumi.Input<string>;
}

/** The vLLM Production Stack chart (engines and router). */
export interface VllmStack {
    /** Helm release name, the prefix of every engine and router name. Default: the component's name. */
    releaseName?: string;
    /** Chart version. Default: the pinned version. */
    version?: string;
    /**
     * Where the chart comes from, instead of its public repository: a chart repository URL
     * (`https://charts.example.com`, a mirror), an OCI registry (`oci://registry.example.com/charts`,
     * the chart name is appended), or a local chart directory or `.tgz` (a path starting with `/`,
     * `./` or `../`, relative to the Pulumi program). Default: the chart's public repository.
     * With a local path, the chart found there is installed and `version` is not used.
     */
    repo?: string;
    /** Helm values merged over the package's. */
    values?: Record<string, any>;
    /**
     * RuntimeClass of the engine pods. Default: none, the node's default container runtime, which
     * is what GKE's GPU nodes and EKS's NVIDIA AMIs (AL2023, Bottlerocket) expose GPUs through;
     * set `nvidia` where the NVIDIA GPU Operator installed that RuntimeClass. (The chart's own
     * default, `nvidia`, makes the API server reject every engine pod on clusters without it.)
     */
    runtimeClassName?: string;
    /** Router replicas. Default 1. */
    routerReplicas?: number;
    /** Router image. Default: the pinned `lmcache/lmstack-router` tag. */
    routerImage?: Image;
}

/** GKE GPU driver installation (`gpuDriverInstallationConfig.gpuDriverVersion`). */
export const GpuDriverVersion = {
    /** GKE's default driver for the node version. */
    Default: "DEFAULT",
    /** The latest driver GKE offers for the node version (COS). */
    Latest: "LATEST",
    /** No driver; install it yourself (e.g. with the GPU Operator). */
    InstallationDisabled: "INSTALLATION_DISABLED",
} as const;
export type GpuDriverVersion = (typeof GpuDriverVersion)[keyof typeof GpuDriverVersion];

/** EKS node group AMI types with NVIDIA drivers. */
export const AmiType = {
    /** Amazon Linux 2023 with NVIDIA drivers; the package installs the NVIDIA device plugin for it. */
    Al2023Nvidia: "AL2023_x86_64_NVIDIA",
    /** Bottlerocket with NVIDIA drivers and the device plugin built in. */
    BottlerocketNvidia: "BOTTLEROCKET_x86_64_NVIDIA",
} as const;
export type AmiType = (typeof AmiType)[keyof typeof AmiType];

/** EKS node group capacity type. */
export const CapacityType = {
    OnDemand: "ON_DEMAND",
    Spot: "SPOT",
} as const;
export type CapacityType = (typeof CapacityType)[keyof typeof CapacityType];

/** A GPU node pool on an existing GKE cluster (`gcp.container.NodePool`). */
export interface GkeNodePool {
    /** Name (or id) of the existing cluster. */
    cluster: pulumi.Input<string>;
    /** Cluster location: a region (`us-central1`) or a zone (`us-central1-a`). */
    location: pulumi.Input<string>;
    /** Project of the cluster. Default: the provider's project. */
    project?: pulumi.Input<string>;
    /** Machine type, e.g. `g2-standard-8` (1 NVIDIA L4) or `a2-highgpu-1g` (1 A100 40GB). */
    machineType: string;
    /** GPU type, e.g. `nvidia-l4`, `nvidia-tesla-a100`, `nvidia-h100-80gb`. */
    acceleratorType: string;
    /** GPUs per node; must match what accelerator-optimized machine types (g2, a2, a3) come with. */
    acceleratorCount: number;
    /** Spot VMs: much cheaper, can be preempted at any time. Default false. */
    spot?: boolean;
    /** GPU driver GKE installs. Default `LATEST`. */
    driverVersion?: GpuDriverVersion;
    /** Boot disk size in GB (the vLLM image alone is over 10 GB). Default 100. */
    diskSizeGb?: number;
}

/**
 * Karpenter, the node autoscaler the package installs for an EKS pool (docs/node-pools.md,
 * Karpenter on EKS): its controller (charts `karpenter-crd` and `karpenter`, in `kube-system`),
 * its IAM role (EKS Pod Identity), a node role with its access entry, the interruption queue
 * and its EventBridge rules, a GPU `NodePool` and an `EC2NodeClass`.
 */
export interface Karpenter {
    /**
     * Install Karpenter and let it make the pool's nodes. Default true. False: a managed node
     * group from `minNodes` to `maxNodes` for a node autoscaler the cluster already runs (the
     * Cluster Autoscaler, or a Karpenter of your own).
     */
    enabled?: boolean;
    /** Chart version of `karpenter` and `karpenter-crd`. Default: the pinned version. */
    version?: string;
    /** Where both charts come from, instead of `oci://public.ecr.aws/karpenter`; same forms as `keda.repo`. */
    repo?: string;
    /**
     * How long a GPU node stays empty before Karpenter removes it (the NodePool's
     * `consolidateAfter`; only empty nodes are consolidated, never busy ones). Default 600 s.
     */
    consolidateAfterSeconds?: number;
    /**
     * The EC2NodeClass's AMI alias. Default `al2023@latest` (AL2023 AMI type) or
     * `bottlerocket@latest`; Karpenter picks the NVIDIA variant for GPU instance types. With
     * `@latest` new nodes get each new AMI, and older nodes keep theirs until they are empty (the
     * NodePool replaces no busy node for drift); pin a version (`al2023@v20251120`) for one AMI
     * everywhere.
     */
    amiAlias?: string;
}

/** A GPU pool on an existing EKS cluster: nodes made by Karpenter (default), or a managed node group (`aws.eks.NodeGroup`). */
export interface EksNodeGroup {
    /** Name of the existing cluster. */
    clusterName: pulumi.Input<string>;
    /**
     * ARN of the IAM role managed node group nodes assume (with the EKS worker, CNI and ECR
     * read-only policies). Required for a managed node group: without Karpenter, or with
     * `minNodes` above 0 (the node group holds that floor). Karpenter's nodes get a role of the
     * package's own.
     */
    nodeRoleArn?: pulumi.Input<string>;
    /** Subnets of the pool's nodes (Karpenter selects them by id). */
    subnetIds: pulumi.Input<string>[];
    /** Instance types, e.g. `["g6.xlarge"]`; all with the same GPU count. */
    instanceTypes: string[];
    /** AMI type. Default `AL2023_x86_64_NVIDIA` (the package adds the NVIDIA device plugin); `BOTTLEROCKET_x86_64_NVIDIA` ships it. */
    amiType?: AmiType;
    /** `ON_DEMAND` or `SPOT`. Default `ON_DEMAND`. */
    capacityType?: CapacityType;
    /** Root volume size in GiB (EKS's default of 20 cannot hold the vLLM image). Default 100. */
    diskSizeGb?: number;
    /** The node autoscaler: Karpenter, installed and wired by the package unless `enabled: false`. */
    karpenter?: Karpenter;
}

/**
 * GPU nodes for the engines, on GKE or EKS, or a pool that exists already (set exactly one of
 * `gke`, `eks` and `existing`). The nodes carry
 * the taint `nvidia.com/gpu=present:NoSchedule` and the label `vllm-autoscaling/gpu-pool=<name>`;
 * GPU engines get the matching toleration and node affinity. A node autoscaler scales the
 * pool between `minNodes` and `maxNodes` as engine pods come and go: GKE's own, or on EKS the
 * Karpenter the package installs (`eks.karpenter`).
 */
export interface GpuNodePoolArgs {
    /** GKE node pool. */
    gke?: GkeNodePool;
    /** EKS managed node group. */
    eks?: EksNodeGroup;
    /**
     * The pool exists already (made by a `GpuNodePool` in another stack, say, or by hand): its
     * nodes carry the label `vllm-autoscaling/gpu-pool=<name>` and the taint
     * `nvidia.com/gpu=present:NoSchedule`. LlmInference schedules the engines onto it and creates
     * no nodes; `gpusPerNode` is required. Not for the standalone `GpuNodePool`.
     */
    existing?: boolean;
    /** Where the NVIDIA device plugin chart comes from (EKS AL2023 only); same forms as `keda.repo`. Default: NVIDIA's repository. */
    devicePluginRepo?: string;
    /** Fewest nodes; 0 lets the pool scale to zero when no engine runs. Default 0. */
    minNodes?: number;
    /** Most nodes (in total, across zones). At least 1 and at least `minNodes`. */
    maxNodes: number;
    /** GPUs per node. Default: `gke.acceleratorCount`, or the package's table of EKS instance types (g4dn, g5, g6, g6e, p4d, p4de, p5, p5e, p5en); required for other types. */
    gpusPerNode?: number;
    /** Price of one node per hour, in your billing currency, for `plan.cost` and `maxMonthlyCost`. Default: the package's dated on-demand list price for known types (USD; prices vary by region). */
    hourlyCost?: number;
    /** Value of the `vllm-autoscaling/gpu-pool` node label engines select. Default: `<release>-gpu` in LlmInference, the component name for GpuNodePool. */
    name?: string;
}

/** Arguments of `LlmInference`. */
export interface LlmInferenceArgs {
    /** The models to serve, one engine Deployment and one ScaledObject each. */
    models: Model[];
    /** Namespace of the engines, router and ScaledObjects. Default `llm`. */
    namespace?: string;
    /** Create `namespace`. Set false when it exists already (a second LlmInference in it, say). Default true. */
    createNamespace?: boolean;
    /** Cluster DNS domain, for the in-cluster endpoint URL. Default `cluster.local`. */
    clusterDomain?: string;
    /** KEDA release. */
    keda?: Keda;
    /** The KEDA HTTP add-on, for models with a `coldStartRoute`. */
    httpAddOn?: HttpAddOn;
    /** kube-prometheus-stack release or an existing Prometheus. */
    monitoring?: Monitoring;
    /** vLLM Production Stack chart. */
    vllmStack?: VllmStack;
    /** NVIDIA's dcgm-exporter on the GPU nodes (GPU utilization and memory; the `gpuUtilization` trigger reads it). Default: not installed. */
    gpuMetrics?: GpuMetrics;
    /** GPU nodes for the engines, created before the charts. Default: none (the engines use the cluster's existing GPU nodes). */
    gpuNodePool?: GpuNodePoolArgs;
    /** Fail the plan when the worst case (the GPU pool at `maxNodes`) would cost more than this per month (730 hours), in the currency of `hourlyCost`. */
    maxMonthlyCost?: number;
}
