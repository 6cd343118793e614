// Every chart and image version the package installs, pinned in this one place.
// Users override any of them through the component args (`keda.version`, `models[].image`, `vllmStack.routerImage`, ...).

/** A Helm chart the package installs: where it comes from and which version. */
export interface ChartPin {
    readonly chart: string;
    readonly repo: string;
    readonly version: string;
}

export const CHARTS = {
    /** KEDA 2.20.2 (app 2.20.2): the ScaledObject CRD the schema tests read (tests/support/reference.ts) matches it. */
    keda: { chart: "keda", repo: "https://kedacore.github.io/charts", version: "2.20.2" },
    /** KEDA HTTP add-on 0.15.0 (app 0.15.0): the InterceptorRoute API (http.keda.sh/v1beta1) the cold-start route writes. */
    kedaHttpAddOn: { chart: "keda-add-ons-http", repo: "https://kedacore.github.io/charts", version: "0.15.0" },
    /** The version the vllm-stack chart 0.1.12 itself pins as its optional dependency. */
    kubePrometheusStack: {
        chart: "kube-prometheus-stack",
        repo: "https://prometheus-community.github.io/helm-charts",
        version: "82.4.3",
    },
    /** vLLM Production Stack chart 0.1.12 (no appVersion). */
    vllmStack: { chart: "vllm-stack", repo: "https://vllm-project.github.io/production-stack", version: "0.1.12" },
    /**
     * Only for EKS AL2023 NVIDIA AMIs, which ship the driver but not the device plugin. 0.20.0
     * (app 0.20.0) is the newest entry of the repo's index.yaml (gh-pages, generated 2026-08-20).
     */
    nvidiaDevicePlugin: {
        chart: "nvidia-device-plugin",
        repo: "https://nvidia.github.io/k8s-device-plugin",
        version: "0.20.0",
    },
    /**
     * NVIDIA's GPU metrics exporter (opt-in, `gpuMetrics`). 4.8.2 (app 4.8.2, image
     * 4.5.3-4.8.2-distroless): deployment/Chart.yaml of NVIDIA/dcgm-exporter's newest commit seen
     * (2026-05-12, release commit "DCGM-Exporter 4.5.3-4.8.2", tag 4.5.3-4.8.2); the chart repository
     * is published from that folder.
     */
    dcgmExporter: {
        chart: "dcgm-exporter",
        repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
        version: "4.8.2",
    },
    /**
     * Karpenter's controller for EKS pools (`gpuNodePool.eks.karpenter`), with its CRDs from the
     * separate `karpenter-crd` chart (installed first, so upgrades update them). 1.14.1: the
     * aws/karpenter-provider-aws release commit c88abbba of v1.14.1.
     */
    karpenter: { chart: "karpenter", repo: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
    karpenterCrd: { chart: "karpenter-crd", repo: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
} as const satisfies Record<string, ChartPin>;

/** A container image as the vllm-stack chart takes it: repository and tag apart. */
export interface ImagePin {
    readonly repository: string;
    readonly tag: string;
}

export const IMAGES = {
    /**
     * vLLM's OpenAI-compatible server, V1 engine. 0.34.0, checked against the PyPI sdists of 0.24.0
     * (the previous pin), 0.33.0 and 0.34.0: the metrics the triggers read keep their names, types,
     * labels (model_name, engine) and TTFT buckets; `--shutdown-timeout` (>= 0.18) drains in-flight
     * requests on SIGTERM the same way (models[].drainSeconds); every flag the vllm-stack chart
     * 0.1.12 renders still parses; the image installs the Run:ai model streamer. The tag is
     * `v<PyPI version>` of vllm/vllm-openai.
     */
    vllm: { repository: "vllm/vllm-openai", tag: "v0.34.0" },
    /** The router image the production-stack release workflow tags with the chart version. */
    router: { repository: "lmcache/lmstack-router", tag: "v0.1.12" },
    /** llm-d inference simulator: vLLM's API and metric names on CPU, for $0 scaling tests. */
    simulator: { repository: "ghcr.io/llm-d/llm-d-inference-sim", tag: "v0.9.2" },
} as const satisfies Record<string, ImagePin>;
