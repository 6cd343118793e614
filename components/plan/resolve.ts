// Validates the args (all problems at once) and fills in the defaults: the resolved settings
// every other planning function reads, so none of them re-checks or re-defaults anything.
import type { Autoscaling, Dashboard, Engine, GpuMetrics, HttpAddOn, Image, Keda, LlmInferenceArgs, Model, Monitoring, VllmStack } from "../args";
import { resolveColdStartRoute, type ResolvedColdStartRoute } from "./coldStartRoute";
import { resolveAlerts, type ResolvedAlerts } from "./alerts";
import { capacityProblems, costGuardProblems } from "./capacity";
import { checkChartSource } from "./chartSource";
import { planCost, tablePrice } from "./cost";
import { resolveGpuNodePool } from "./nodePool";
import type { NodePoolPlan } from "./nodePool";
import { resolveEngine } from "./simulatorEngine";
import type { ResolvedSimulator } from "./simulatorEngine";
import { DEFAULTS } from "./defaults";
import { predatesShutdownTimeout, SHUTDOWN_TIMEOUT_FLAG, SHUTDOWN_TIMEOUT_MIN_VERSION } from "./drain";
import {
    DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN, MAX_RELEASE_NAME_LENGTH, MAX_RELEASE_PLUS_MODEL_LENGTH, prometheusOperatedUrl,
} from "./names";
import { fieldsOf, Problems, unknownKeys } from "./problems";
import type { ResolvedAutoscaling } from "./scaledObject";
import { resolveSchedules } from "./schedules";
import { resolveScalingModifiers } from "./signals";
import { triggerNames } from "./triggers";
import { resolveSignals } from "./strategy";
import type { Values } from "./merge";

export interface ResolvedImage { repository: string; tag: string }

export interface ResolvedModel {
    index: number;
    name: string;
    modelUrl: string;
    servedModelName: string;
    gpusPerReplica: number;
    hasHfToken: boolean;
    cacheSize?: string;
    cacheStorageClass?: string;
    cpu: number;
    memory: string;
    maxModelLen?: number;
    /** vLLM --max-num-seqs (always set explicitly). */
    maxNumSeqs: number;
    enablePrefixCaching: boolean;
    extraArgs: string[];
    image?: ResolvedImage;
    readyTimeoutSeconds: number;
    /** vLLM --shutdown-timeout (0: none); see drain.ts. */
    drainSeconds: number;
    values?: Values;
    autoscaling: ResolvedAutoscaling;
    /** The cold-start route through the KEDA HTTP add-on (coldStartRoute.ts), when on. */
    coldStartRoute?: ResolvedColdStartRoute;
    /** vLLM (through the chart) or the CPU simulator (written by the package). */
    engine: Engine;
    simulator?: ResolvedSimulator;
}

export interface ResolvedChart { install: boolean; namespace: string; version?: string; repo?: string; values?: Values }

export interface ResolvedArgs {
    models: ResolvedModel[];
    namespace: string;
    createNamespace: boolean;
    clusterDomain: string;
    releaseName: string;
    keda: ResolvedChart;
    /** The KEDA HTTP add-on: installed (in keda.namespace) when `install` and a model has a cold-start route. */
    httpAddOn: ResolvedChart;
    monitoring: ResolvedChart & {
        prometheusUrl: string; serviceMonitors: boolean; alerts: ResolvedAlerts; hasGrafanaAdminPassword: boolean;
        /** Write the Grafana dashboard ConfigMap (dashboard.ts). */
        dashboard: boolean;
    };
    /** dcgm-exporter (opt-in; install false = not installed). */
    gpuMetrics: ResolvedChart;
    vllmStack: {
        version?: string; repo?: string; values?: Values; routerReplicas: number; routerImage?: ResolvedImage;
        /** "" = no runtimeClassName on the engine pods. */
        runtimeClassName: string;
    };
    gpuNodePool?: NodePoolPlan;
    maxMonthlyCost?: number;
}

const KNOWN = {
    top: fieldsOf<LlmInferenceArgs>({ models: true, namespace: true, createNamespace: true, clusterDomain: true, keda: true, monitoring: true, vllmStack: true, gpuNodePool: true, maxMonthlyCost: true, gpuMetrics: true, httpAddOn: true }),
    model: fieldsOf<Model>({ name: true, modelUrl: true, servedModelName: true, gpusPerReplica: true, hfToken: true, cacheSize: true, cacheStorageClass: true, cpu: true, memory: true, maxModelLen: true, maxNumSeqs: true, enablePrefixCaching: true, extraArgs: true, image: true, readyTimeoutSeconds: true, drainSeconds: true, values: true, autoscaling: true, coldStartRoute: true, engine: true, simulator: true }),
    autoscaling: fieldsOf<Autoscaling>({ minReplicas: true, maxReplicas: true, targetQueueDepth: true, activationQueueDepth: true, pollingIntervalSeconds: true, cooldownSeconds: true, paused: true, fallbackReplicas: true, scaleUpStabilizationSeconds: true, scaleDownStabilizationSeconds: true, scaleDownPodsPerPeriod: true, scaleDownPeriodSeconds: true, strategy: true, load: true, kvCache: true, queueDepth: true, ttft: true, gpuUtilization: true, schedules: true, scalingModifiers: true, headroomSlots: true, peakHoldSeconds: true }),
    image: fieldsOf<Image>({ repository: true, tag: true }),
    keda: fieldsOf<Keda>({ install: true, namespace: true, version: true, repo: true, values: true }),
    httpAddOn: fieldsOf<HttpAddOn>({ install: true, version: true, repo: true, values: true }),
    monitoring: fieldsOf<Monitoring>({ install: true, namespace: true, version: true, repo: true, values: true, prometheusUrl: true, serviceMonitors: true, alerts: true, dashboard: true, grafanaAdminPassword: true }),
    dashboard: fieldsOf<Dashboard>({ enabled: true }),
    gpuMetrics: fieldsOf<GpuMetrics>({ install: true, namespace: true, version: true, repo: true, values: true }),
    vllmStack: fieldsOf<VllmStack>({ releaseName: true, version: true, repo: true, values: true, runtimeClassName: true, routerReplicas: true, routerImage: true }),
};

/** An hour: longer than any answer a client waits for; node drains and rollouts would stall behind it. */
const MAX_DRAIN_SECONDS = 3600;

const DNS_HINT = "use a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. \"llama3-8b\")";
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$/;
const QUANTITY_HINT = "use a Kubernetes quantity such as \"100Gi\"";

function resolveImage(p: Problems, path: string, image: unknown): ResolvedImage | undefined {
    if (!p.object(path, image, { optional: true }) || image === undefined) return undefined;
    unknownKeys(p, path, image, KNOWN.image);
    const i = image as ResolvedImage;
    p.string(`${path}.repository`, i.repository);
    p.string(`${path}.tag`, i.tag);
    return { repository: i.repository, tag: i.tag };
}

function resolveAutoscaling(p: Problems, path: string, a: Autoscaling, maxNumSeqs: number = DEFAULTS.maxNumSeqs): ResolvedAutoscaling {
    unknownKeys(p, path, a, KNOWN.autoscaling);
    const minReplicas = a.minReplicas ?? DEFAULTS.minReplicas;
    const minOk = p.integer(`${path}.minReplicas`, minReplicas, 0);
    const maxOk = p.integer(`${path}.maxReplicas`, a.maxReplicas, 1);
    if (minOk && maxOk && minReplicas > a.maxReplicas) {
        p.add(`${path}.minReplicas`, `${minReplicas} is greater than maxReplicas (${a.maxReplicas}); use at most ${a.maxReplicas}`);
    }
    p.positive(`${path}.targetQueueDepth`, a.targetQueueDepth, { optional: true });
    p.positive(`${path}.activationQueueDepth`, a.activationQueueDepth, { optional: true, allowZero: true });
    p.integer(`${path}.pollingIntervalSeconds`, a.pollingIntervalSeconds, 1, { optional: true });
    p.integer(`${path}.cooldownSeconds`, a.cooldownSeconds, 0, { optional: true });
    p.boolean(`${path}.paused`, a.paused);
    const fallbackReplicas = a.fallbackReplicas ?? Math.max(minOk ? minReplicas : 1, 1);
    if (a.fallbackReplicas !== undefined && p.integer(`${path}.fallbackReplicas`, a.fallbackReplicas, 0) && maxOk && fallbackReplicas > a.maxReplicas) {
        p.add(`${path}.fallbackReplicas`, `${fallbackReplicas} is greater than maxReplicas (${a.maxReplicas}); use at most ${a.maxReplicas}`);
    }
    p.integer(`${path}.scaleUpStabilizationSeconds`, a.scaleUpStabilizationSeconds, 0, { optional: true, max: 3600 });
    p.integer(`${path}.scaleDownStabilizationSeconds`, a.scaleDownStabilizationSeconds, 0, { optional: true, max: 3600 });
    p.integer(`${path}.scaleDownPodsPerPeriod`, a.scaleDownPodsPerPeriod, 1, { optional: true });
    p.integer(`${path}.scaleDownPeriodSeconds`, a.scaleDownPeriodSeconds, 1, { optional: true, max: 1800 });
    const headroomOk = p.integer(`${path}.headroomSlots`, a.headroomSlots, 0, { optional: true });
    const { strategy, signals, peakHoldSeconds } = resolveSignals(p, path, a, maxNumSeqs);
    const schedules = resolveSchedules(p, `${path}.schedules`, a.schedules, minOk ? minReplicas : 0, maxOk ? a.maxReplicas : 1);
    const scalingModifiers = resolveScalingModifiers(p, `${path}.scalingModifiers`, a.scalingModifiers,
        triggerNames(signals, schedules, minOk ? minReplicas : 1, peakHoldSeconds));
    return {
        minReplicas,
        maxReplicas: a.maxReplicas,
        headroomSlots: headroomOk ? (a.headroomSlots ?? 0) : 0,
        targetQueueDepth: a.targetQueueDepth ?? DEFAULTS.targetQueueDepth,
        activationQueueDepth: a.activationQueueDepth ?? DEFAULTS.activationQueueDepth,
        pollingIntervalSeconds: a.pollingIntervalSeconds ?? DEFAULTS.pollingIntervalSeconds,
        cooldownSeconds: a.cooldownSeconds ?? DEFAULTS.cooldownSeconds,
        paused: a.paused ?? false,
        fallbackReplicas,
        scaleUpStabilizationSeconds: a.scaleUpStabilizationSeconds ?? DEFAULTS.scaleUpStabilizationSeconds,
        scaleDownStabilizationSeconds: a.scaleDownStabilizationSeconds ?? DEFAULTS.scaleDownStabilizationSeconds,
        scaleDownPodsPerPeriod: a.scaleDownPodsPerPeriod ?? DEFAULTS.scaleDownPodsPerPeriod,
        scaleDownPeriodSeconds: a.scaleDownPeriodSeconds ?? DEFAULTS.scaleDownPeriodSeconds,
        strategy,
        signals,
        peakHoldSeconds,
        schedules,
        ...(scalingModifiers ? { scalingModifiers } : {}),
    };
}

function resolveModel(p: Problems, index: number, m: Model, releaseName: string): ResolvedModel | undefined {
    const path = `models[${index}]`;
    if (!p.object(path, m)) return undefined;
    unknownKeys(p, path, m, KNOWN.model);
    if (p.string(`${path}.name`, m.name, { pattern: DNS1123_LABEL, hint: DNS_HINT })
        && releaseName.length + m.name.length > MAX_RELEASE_PLUS_MODEL_LENGTH) {
        p.add(`${path}.name`, `"${m.name}" is too long: the engine Service "<release>-<name>-engine-service" must fit in 63 characters, ` +
            `so release name (${releaseName.length}) + model name may have at most ${MAX_RELEASE_PLUS_MODEL_LENGTH} characters; ` +
            `use at most ${Math.max(MAX_RELEASE_PLUS_MODEL_LENGTH - releaseName.length, 0)} here or a shorter vllmStack.releaseName`);
    }
    p.string(`${path}.modelUrl`, m.modelUrl, { hint: "use a Hugging Face model id such as \"meta-llama/Llama-3.1-8B-Instruct\"" });
    p.string(`${path}.servedModelName`, m.servedModelName, { optional: true });
    const gpusPerReplica = m.gpusPerReplica ?? DEFAULTS.gpusPerReplica;
    p.integer(`${path}.gpusPerReplica`, gpusPerReplica, 1);
    p.string(`${path}.cacheSize`, m.cacheSize, { optional: true, pattern: QUANTITY, hint: QUANTITY_HINT });
    p.string(`${path}.cacheStorageClass`, m.cacheStorageClass, { optional: true });
    if (m.cacheStorageClass !== undefined && m.cacheSize === undefined) {
        p.add(`${path}.cacheStorageClass`, "is set but cacheSize is not; set cacheSize to create the cache PVC, or drop cacheStorageClass");
    }
    p.integer(`${path}.cpu`, m.cpu, 1, { optional: true });
    p.string(`${path}.memory`, m.memory, { optional: true, pattern: QUANTITY, hint: "use a Kubernetes quantity such as \"32Gi\"" });
    p.integer(`${path}.maxModelLen`, m.maxModelLen, 1, { optional: true });
    const maxNumSeqsOk = p.integer(`${path}.maxNumSeqs`, m.maxNumSeqs, 1, { optional: true, max: 4096 });
    const maxNumSeqs = maxNumSeqsOk && m.maxNumSeqs !== undefined ? m.maxNumSeqs : DEFAULTS.maxNumSeqs;
    p.boolean(`${path}.enablePrefixCaching`, m.enablePrefixCaching);
    if (m.extraArgs !== undefined && (!Array.isArray(m.extraArgs) || m.extraArgs.some((x) => typeof x !== "string"))) {
        p.add(`${path}.extraArgs`, "is not a list of strings; use e.g. [\"--dtype\", \"bfloat16\"]");
    }
    const image = resolveImage(p, `${path}.image`, m.image);
    p.integer(`${path}.readyTimeoutSeconds`, m.readyTimeoutSeconds, 1, { optional: true });
    const drainOk = p.integer(`${path}.drainSeconds`, m.drainSeconds, 0, { optional: true, max: MAX_DRAIN_SECONDS });
    const drainSeconds = drainOk && m.drainSeconds !== undefined ? m.drainSeconds : DEFAULTS.drainSeconds;
    if (Array.isArray(m.extraArgs) && m.extraArgs.some((x) => typeof x === "string" && (x === SHUTDOWN_TIMEOUT_FLAG || x.startsWith(`${SHUTDOWN_TIMEOUT_FLAG}=`)))) {
        p.add(`${path}.extraArgs`, `contains ${SHUTDOWN_TIMEOUT_FLAG}, which the package sets from drainSeconds (and sizes the pod's grace period by); set drainSeconds instead`);
    }
    if (drainSeconds > 0 && m.engine !== "simulator" && image && typeof image.tag === "string" && predatesShutdownTimeout(image.tag)) {
        p.add(`${path}.drainSeconds`, `${drainSeconds} needs vLLM >= ${SHUTDOWN_TIMEOUT_MIN_VERSION.join(".")} (${SHUTDOWN_TIMEOUT_FLAG}), but image.tag is ${JSON.stringify(image.tag)}; ` +
            `use an image >= v${SHUTDOWN_TIMEOUT_MIN_VERSION.join(".")}.0, or set drainSeconds: 0 (in-flight requests are then aborted on scale-down)`);
    }
    p.object(`${path}.values`, m.values, { optional: true });
    if (!p.object(`${path}.autoscaling`, m.autoscaling)) return undefined;
    const g = Number.isInteger(gpusPerReplica) && gpusPerReplica > 0 ? gpusPerReplica : 1;
    const autoscaling = resolveAutoscaling(p, `${path}.autoscaling`, m.autoscaling, maxNumSeqs);
    return {
        index,
        name: m.name,
        modelUrl: m.modelUrl,
        servedModelName: m.servedModelName ?? m.modelUrl,
        gpusPerReplica,
        hasHfToken: m.hfToken !== undefined && m.hfToken !== null,
        cacheSize: m.cacheSize,
        cacheStorageClass: m.cacheStorageClass,
        cpu: m.cpu ?? DEFAULTS.cpuPerGpu * g,
        memory: m.memory ?? `${DEFAULTS.memoryGiPerGpu * g}Gi`,
        maxModelLen: m.maxModelLen,
        maxNumSeqs,
        enablePrefixCaching: m.enablePrefixCaching ?? DEFAULTS.enablePrefixCaching,
        extraArgs: m.extraArgs ?? [],
        image,
        readyTimeoutSeconds: m.readyTimeoutSeconds ?? DEFAULTS.readyTimeoutSeconds,
        drainSeconds,
        values: m.values,
        ...resolveEngine(p, path, m, maxNumSeqs),
        ...withColdStartRoute(p, path, m, autoscaling),
        autoscaling,
    };
}

function withColdStartRoute(p: Problems, path: string, m: Model, a: ResolvedAutoscaling): { coldStartRoute?: ResolvedColdStartRoute } {
    const r = resolveColdStartRoute(p, `${path}.coldStartRoute`, m.coldStartRoute, a.pollingIntervalSeconds);
    if (r && a.scalingModifiers) {
        // KEDA's composite metric replaces the triggers' max, and the formula cannot read the route's
        // trigger (it is not among the names the formula is checked against): its wake would be lost.
        p.add(`${path}.coldStartRoute`, "cannot be combined with autoscaling.scalingModifiers (the composite formula would drop the route's trigger, and with it the wake); drop one of them");
    }
    return r ? { coldStartRoute: r } : {};
}

function resolveChart(p: Problems, path: string, c: unknown, known: readonly string[], defaultNamespace: string): ResolvedChart {
    if (!p.object(path, c, { optional: true }) || c === undefined) return { install: true, namespace: defaultNamespace };
    unknownKeys(p, path, c, known);
    const a = c as { install?: boolean; namespace?: string; version?: string; repo?: string; values?: Values };
    p.boolean(`${path}.install`, a.install);
    p.string(`${path}.namespace`, a.namespace, { optional: true, pattern: DNS1123_LABEL, hint: DNS_HINT });
    p.string(`${path}.version`, a.version, { optional: true });
    checkChartSource(p, `${path}.repo`, a.repo, `${path}.version`, a.version);
    p.object(`${path}.values`, a.values, { optional: true });
    return { install: a.install ?? true, namespace: a.namespace ?? defaultNamespace, version: a.version, repo: a.repo, values: a.values };
}

function isHttpUrl(s: string): boolean {
    try {
        const u = new URL(s);
        return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
    } catch {
        return false;
    }
}

/** Validates `args` and applies defaults; throws one PlanValidationError listing every problem. */
/** Headroom holds GPU slots: a model on the CPU simulator has none to hold. */
function headroomEngineProblems(p: Problems, models: ResolvedModel[]): void {
    for (const m of models.filter((x) => x.engine === "simulator" && x.autoscaling.headroomSlots > 0)) {
        p.add(`models[${m.index}].autoscaling.headroomSlots`, `is ${m.autoscaling.headroomSlots}, but the model runs on the CPU simulator engine, which has no GPU slot to keep warm; ` +
            "use 0, or engine: vllm");
    }
}

/**
 * Headroom on the package's pool: the pool must be able to grow (an evicted placeholder waits for
 * a new node), and the placeholders of every model together must fit in maxNodes.
 */
function headroomPoolProblems(p: Problems, models: ResolvedModel[], pool: NodePoolPlan): void {
    const withHeadroom = models.filter((m) => m.engine !== "simulator" && m.autoscaling.headroomSlots > 0);
    if (withHeadroom.length === 0) return;
    if (pool.minNodes === pool.maxNodes) {
        for (const m of withHeadroom) {
            p.add(`models[${m.index}].autoscaling.headroomSlots`, `is ${m.autoscaling.headroomSlots}, but gpuNodePool has a fixed size (minNodes = maxNodes = ${pool.maxNodes}): ` +
                "no node autoscaler adds a node for an evicted placeholder, so the slots would only hold GPUs engines could use; use 0, or let the pool grow (maxNodes > minNodes)");
        }
        return;
    }
    const gpus = withHeadroom.reduce((s, m) => s + m.autoscaling.headroomSlots * m.gpusPerReplica, 0);
    const room = pool.maxNodes * pool.gpusPerNode;
    if (gpus > room) {
        const m = withHeadroom[0];
        p.add(`models[${m.index}].autoscaling.headroomSlots`, `the headroom of ${withHeadroom.map((x) => `${x.name} (${x.autoscaling.headroomSlots} x ${x.gpusPerReplica} GPUs)`).join(", ")} ` +
            `needs ${gpus} GPUs, more than gpuNodePool's maxNodes can hold (${pool.maxNodes} x ${pool.gpusPerNode}); ` +
            `use at most ${Math.floor(room / m.gpusPerReplica)} slot(s) for ${m.name} alone, or raise gpuNodePool.maxNodes`);
    }
}

export function resolveArgs(name: string, args: LlmInferenceArgs): ResolvedArgs {
    const p = new Problems();
    if (!p.object("args", args)) p.throwIfAny(name);
    unknownKeys(p, "args", args, KNOWN.top);

    const vs = (args.vllmStack ?? {}) as NonNullable<LlmInferenceArgs["vllmStack"]>;
    p.object("vllmStack", args.vllmStack, { optional: true });
    unknownKeys(p, "vllmStack", args.vllmStack, KNOWN.vllmStack);
    const releaseName = vs.releaseName ?? name;
    const releasePath = vs.releaseName === undefined ? "vllmStack.releaseName (default: the component name)" : "vllmStack.releaseName";
    const releaseOk = p.string(releasePath, releaseName, {
        pattern: DNS1035_LABEL,
        hint: "use a lower-case DNS label that starts with a letter (e.g. \"chat\"); set vllmStack.releaseName when the component name is not one",
    });
    if (releaseOk && releaseName.length > MAX_RELEASE_NAME_LENGTH) {
        p.add(releasePath, `"${releaseName}" has ${releaseName.length} characters; Helm allows at most ${MAX_RELEASE_NAME_LENGTH}`);
    }
    p.string("vllmStack.version", vs.version, { optional: true });
    checkChartSource(p, "vllmStack.repo", vs.repo, "vllmStack.version", vs.version);
    p.object("vllmStack.values", vs.values, { optional: true });
    // "" is allowed: the explicit form of the default (no RuntimeClass).
    if (vs.runtimeClassName !== undefined && vs.runtimeClassName !== "") {
        p.string("vllmStack.runtimeClassName", vs.runtimeClassName, {
            pattern: DNS1123_SUBDOMAIN, hint: "use the name of a RuntimeClass that exists in the cluster, e.g. \"nvidia\", or leave it unset",
        });
    }
    p.integer("vllmStack.routerReplicas", vs.routerReplicas, 1, { optional: true });
    const routerImage = resolveImage(p, "vllmStack.routerImage", vs.routerImage);

    const models: ResolvedModel[] = [];
    if (!Array.isArray(args.models) || args.models.length === 0) {
        p.add("models", "needs at least one model; e.g. [{ name: \"llama3-8b\", modelUrl: \"meta-llama/Llama-3.1-8B-Instruct\", autoscaling: { maxReplicas: 2 } }]");
    } else {
        args.models.forEach((m, i) => {
            const r = resolveModel(p, i, m, releaseOk ? releaseName : "");
            if (r) models.push(r);
        });
        const seen = new Map<string, number>();
        const served = new Map<string, number>();
        for (const m of models) {
            const first = seen.get(m.name);
            if (first !== undefined) p.add(`models[${m.index}].name`, `"${m.name}" is also the name of models[${first}]; model names must be unique`);
            else seen.set(m.name, m.index);
            // Metrics carry only the served name: two models sharing it would scale on each other's queues.
            const firstServed = served.get(m.servedModelName);
            if (firstServed !== undefined) {
                p.add(`models[${m.index}].servedModelName`, `"${m.servedModelName}" is also served by models[${firstServed}]; served model names must be unique (set servedModelName)`);
            } else served.set(m.servedModelName, m.index);
        }
    }

    const namespace = args.namespace ?? DEFAULTS.namespace;
    p.string("namespace", namespace, { pattern: DNS1123_LABEL, hint: DNS_HINT });
    p.boolean("createNamespace", args.createNamespace);
    const clusterDomain = args.clusterDomain ?? DEFAULTS.clusterDomain;
    p.string("clusterDomain", clusterDomain, { pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, hint: "use a DNS domain such as \"cluster.local\"" });

    const keda = resolveChart(p, "keda", args.keda, KNOWN.keda, DEFAULTS.kedaNamespace);
    // The add-on lives with KEDA: its scaler's Service address is in KEDA's namespace.
    const httpAddOn = resolveChart(p, "httpAddOn", args.httpAddOn, KNOWN.httpAddOn, keda.namespace);
    const routed = models.filter((m) => m.coldStartRoute);
    if (routed.length > 0 && !keda.install && (args.keda as Keda | undefined)?.namespace === undefined) {
        for (const m of routed) {
            p.add(`models[${m.index}].coldStartRoute`, "needs KEDA and its HTTP add-on, but keda.install is false and keda.namespace is not set: " +
                "set keda.namespace to the namespace your KEDA runs in (the add-on is installed, or expected with httpAddOn.install: false, there), or drop the route");
        }
    }
    const mon = resolveChart(p, "monitoring", args.monitoring, KNOWN.monitoring, DEFAULTS.monitoringNamespace);
    const prometheusUrlArg = (args.monitoring ?? {}).prometheusUrl;
    if (prometheusUrlArg !== undefined && (typeof prometheusUrlArg !== "string" || !isHttpUrl(prometheusUrlArg))) {
        p.add("monitoring.prometheusUrl", `${JSON.stringify(prometheusUrlArg)} is not an http(s) URL; use e.g. "http://prometheus-operated.monitoring.svc:9090"`);
    }
    if (!mon.install && prometheusUrlArg === undefined) {
        p.add("monitoring.prometheusUrl", "is required when monitoring.install is false: KEDA needs the URL of the Prometheus that scrapes the engines");
    }
    const m = (args.monitoring ?? {}) as NonNullable<LlmInferenceArgs["monitoring"]>;
    p.boolean("monitoring.serviceMonitors", m.serviceMonitors);
    // Like the ServiceMonitors: on with kube-prometheus-stack (it brings the PrometheusRule CRD).
    const alerts = resolveAlerts(p, "monitoring.alerts", m.alerts, mon.install);
    // The dashboard: on with kube-prometheus-stack (its Grafana's sidecar loads it), else on request.
    let dashboard = mon.install;
    if (p.object("monitoring.dashboard", m.dashboard, { optional: true }) && m.dashboard !== undefined) {
        unknownKeys(p, "monitoring.dashboard", m.dashboard, KNOWN.dashboard);
        if (p.boolean("monitoring.dashboard.enabled", m.dashboard.enabled) && typeof m.dashboard.enabled === "boolean") dashboard = m.dashboard.enabled;
    }
    // dcgm-exporter: off unless asked for.
    const gpuMetricsArg = args.gpuMetrics as Record<string, unknown> | undefined;
    const gpuMetrics = resolveChart(p, "gpuMetrics", gpuMetricsArg, KNOWN.gpuMetrics, DEFAULTS.gpuMetricsNamespace);
    gpuMetrics.install = gpuMetricsArg !== null && typeof gpuMetricsArg === "object" && gpuMetricsArg.install === true;
    if (gpuMetrics.install && gpuMetrics.namespace === namespace) {
        p.add("gpuMetrics.namespace", `"${gpuMetrics.namespace}" is also the models' namespace; give dcgm-exporter its own (default "${DEFAULTS.gpuMetricsNamespace}")`);
    }
    if (gpuMetrics.install && mon.install && gpuMetrics.namespace === mon.namespace) {
        p.add("gpuMetrics.namespace", `"${gpuMetrics.namespace}" is also monitoring.namespace; give dcgm-exporter its own (default "${DEFAULTS.gpuMetricsNamespace}")`);
    }
    if (gpuMetrics.install && keda.install && gpuMetrics.namespace === keda.namespace) {
        p.add("gpuMetrics.namespace", `"${gpuMetrics.namespace}" is also keda.namespace; give dcgm-exporter its own (default "${DEFAULTS.gpuMetricsNamespace}")`);
    }
    for (const model of models) {
        if (model.engine === "simulator" && model.autoscaling.signals?.gpuUtilization.enabled) {
            p.add(`models[${model.index}].autoscaling.gpuUtilization.enabled`, "is true, but the model runs the CPU simulator engine, which holds no GPU " +
                "(its utilization would always read 0); turn it off, or use engine \"vllm\"");
        }
    }
    if (m.grafanaAdminPassword !== undefined && !mon.install) {
        p.add("monitoring.grafanaAdminPassword", "is set but monitoring.install is false, so there is no Grafana to give it to; drop it or install monitoring");
    } else if (typeof m.grafanaAdminPassword === "string" && m.grafanaAdminPassword.length === 0) {
        p.add("monitoring.grafanaAdminPassword", "is empty; set a password (as a secret), or leave it unset for the Grafana chart to generate one");
    }
    const extraManifests = (mon.values as Record<string, unknown> | undefined)?.extraManifests;
    if (mon.install && dashboard && extraManifests !== undefined && extraManifests !== null
        && (typeof extraManifests !== "object" || Array.isArray(extraManifests))) {
        // A list would replace the package's map entry that carries the dashboard (charts.ts).
        p.add("monitoring.values.extraManifests", `is ${Array.isArray(extraManifests) ? "a list" : JSON.stringify(extraManifests)}, but the package's dashboard is one of ` +
            "kube-prometheus-stack's extraManifests: give yours as a map (the chart ignores its keys), e.g. { my-config: { apiVersion: v1, kind: ConfigMap, ... } }, " +
            "or set monitoring.dashboard.enabled to false");
    }
    if (mon.install && mon.namespace === namespace) {
        // The component creates the monitoring namespace itself, and the models' one unless told not to.
        p.add("monitoring.namespace", `"${mon.namespace}" is also the models' namespace; give kube-prometheus-stack its own (default "${DEFAULTS.monitoringNamespace}")`);
    }

    // The GPU pool, and whether the GPU models fit on it and within the budget.
    const gpuNodePool = resolveGpuNodePool(p, "gpuNodePool", args.gpuNodePool, `${releaseOk ? releaseName : name}-gpu`, tablePrice);
    p.positive("maxMonthlyCost", args.maxMonthlyCost, { optional: true });
    if (gpuNodePool) {
        const gpuModels = models.filter((m) => m.engine !== "simulator")
            .map((m) => ({ index: m.index, name: m.name, gpusPerReplica: m.gpusPerReplica, maxReplicas: m.autoscaling.maxReplicas }))
            .filter((m) => Number.isInteger(m.gpusPerReplica) && m.gpusPerReplica > 0 && Number.isInteger(m.maxReplicas) && m.maxReplicas > 0);
        capacityProblems(p, gpuModels, gpuNodePool, "gpuNodePool");
        headroomPoolProblems(p, models, gpuNodePool);
        costGuardProblems(p, planCost(gpuNodePool), gpuNodePool, args.maxMonthlyCost, "gpuNodePool");
    }

    headroomEngineProblems(p, models);
    p.throwIfAny(name);
    return {
        models,
        namespace,
        createNamespace: args.createNamespace ?? true,
        clusterDomain,
        releaseName,
        keda,
        httpAddOn: { ...httpAddOn, install: httpAddOn.install && routed.length > 0 },
        monitoring: {
            ...mon,
            prometheusUrl: prometheusUrlArg ?? prometheusOperatedUrl(mon.namespace),
            // kube-prometheus-stack brings the Prometheus Operator CRDs; otherwise only on request.
            serviceMonitors: m.serviceMonitors ?? mon.install,
            alerts,
            hasGrafanaAdminPassword: m.grafanaAdminPassword !== undefined && m.grafanaAdminPassword !== null,
            dashboard,
        },
        gpuMetrics,
        vllmStack: {
            version: vs.version, repo: vs.repo, values: vs.values, routerReplicas: vs.routerReplicas ?? DEFAULTS.routerReplicas, routerImage,
            runtimeClassName: vs.runtimeClassName ?? DEFAULTS.engineRuntimeClassName,
        },
        ...(gpuNodePool ? { gpuNodePool } : {}),
        ...(args.maxMonthlyCost !== undefined ? { maxMonthlyCost: args.maxMonthlyCost } : {}),
    };
}
