// The package's alerts: one PrometheusRule per release, with rules per model that catch a silent
// autoscaler. Pure: the component registers the manifest as a CustomResource after
// the kube-prometheus-stack release, exactly like the ServiceMonitors (serviceMonitors.ts says why
// not through a chart).
//
// Every expression aggregates to label-less vectors, so a rule returns at most one series, for its
// one model; the rule's own labels say which model, namespace and ScaledObject. The series read,
// with their labels as Prometheus stores them (checked upstream):
// - vLLM engines (queries.ts): `vllm:*{namespace, model_name}`, router `vllm:num_incoming_requests_total{namespace, model}`;
// - kube-state-metrics v2.20 (internal/store): `kube_deployment_status_replicas_available{namespace, deployment}`,
//   `kube_horizontalpodautoscaler_{status_current,spec_max}_replicas{namespace, horizontalpodautoscaler}`;
//   kube-prometheus-stack scrapes it with honorLabels, so `namespace` is the object's;
// - KEDA 2.20.2 operator (pkg/metricscollector/prommetrics.go): `keda_scaled_object_errors_total{namespace, scaledObject}`
//   (counts every scaler error too: RecordScalerError calls RecordScaledObjectError),
//   `keda_scaler_detail_errors_total{namespace, scaledObject, scaler, triggerIndex, metric, type}`,
//   `keda_scaled_object_paused{namespace, scaledObject}` (set on every reconcile: present for every
//   ScaledObject KEDA knows), and two counters a failing query keeps growing while the fallback serves
//   (then GetMetricsWithFallback returns no error, so the error counters stop):
//   `keda_scaler_http_requests_total{namespace, scaled_resource, scaler, trigger_name, metric_name, status_code}`
//   (pkg/metricscollector/http_roundtripper.go: every scaler query, status_code "error" when none came back),
//   `keda_scaler_empty_upstream_responses_total{namespace, scaledResource, triggerName, metricName, resourceType, ignoreNullValues}`
//   (pkg/scalers/prometheus_scaler.go: an answer with no sample). The package's KEDA ServiceMonitor keeps
//   `namespace` with honorLabels.
// The router (production-stack 0.1.12, src/vllm_router/services/request_service/request.py)
// counts no refusal: with no engine for a model it increments vllm:num_incoming_requests_total and
// answers 503 (or 404) before any error counter or latency histogram is touched. So the refusal
// alert reads "requests arrive while the model has no ready engine", which is when it refuses them.
import type { AlertRule, Alerts } from "../args";
import { fieldsOf, Problems, unknownKeys } from "./problems";
import { engineSelector, gpuSelector, promString, routerSelector, type SeriesScope } from "./queries";
import { TRIGGER } from "./triggers";
import type { ResolvedSignals } from "./strategy";

export const PROMETHEUS_RULE_API_VERSION = "monitoring.coreos.com/v1";
export const PROMETHEUS_RULE_KIND = "PrometheusRule";

/** The alerts, by their key in `monitoring.alerts`. */
export const ALERT = {
    signalMissing: "VllmAutoscalingSignalMissing",
    scalerErrors: "VllmAutoscalingScalerErrors",
    kedaMetricsMissing: "VllmAutoscalingKedaMetricsMissing",
    atMaxReplicas: "VllmAutoscalingAtMaxReplicasSloBreached",
    paused: "VllmAutoscalingPausedOnGpu",
    requestsRefused: "VllmAutoscalingRequestsRefused",
} as const;
export type AlertKey = keyof typeof ALERT;
export const ALERT_KEYS = Object.keys(ALERT) as AlertKey[];

/** Defaults per alert: how long the condition must hold, and its severity label. */
export const ALERT_DEFAULTS: Readonly<Record<AlertKey, { forSeconds: number; severity: string }>> = {
    // Engines export every series from start-up (vLLM V1 creates its labelled children at once);
    // five minutes rides out a scrape hiccup or a target still being discovered.
    signalMissing: { forSeconds: 300, severity: "critical" },
    // Failing for 5 minutes: KEDA has long applied the fallback (3 failed polls).
    scalerErrors: { forSeconds: 300, severity: "critical" },
    kedaMetricsMissing: { forSeconds: 900, severity: "warning" },
    // "A model at maxReplicas with its SLO signal breached for 15 minutes" (docs/operating.md, Alerts).
    atMaxReplicas: { forSeconds: 900, severity: "warning" },
    paused: { forSeconds: 3600, severity: "warning" },
    // Longer than a normal wake from zero (node boot + image pull + model load: minutes), shorter
    // than users give up.
    requestsRefused: { forSeconds: 900, severity: "critical" },
};

export const SEVERITIES = ["critical", "warning", "info"] as const;
/** Window of the rate-based conditions (KEDA errors, router requests, TTFT p95). */
export const ALERT_WINDOW = "5m";
const MAX_FOR_SECONDS = 7 * 24 * 3600;

export interface ResolvedAlertRule { enabled: boolean; forSeconds: number; severity: string }
export interface ResolvedAlerts { enabled: boolean; rules: Record<AlertKey, ResolvedAlertRule> }

const RULE_KEYS = fieldsOf<AlertRule>({ enabled: true, forSeconds: true, severity: true });

/** Validates `monitoring.alerts`; `defaultEnabled` is what `enabled` means when unset. */
export function resolveAlerts(p: Problems, path: string, a: Alerts | undefined, defaultEnabled: boolean): ResolvedAlerts {
    const rules = Object.fromEntries(ALERT_KEYS.map((k) => [k, { enabled: true, ...ALERT_DEFAULTS[k] }])) as Record<AlertKey, ResolvedAlertRule>;
    if (!p.object(path, a, { optional: true }) || a === undefined) return { enabled: defaultEnabled, rules };
    unknownKeys(p, path, a, ["enabled", ...ALERT_KEYS]);
    p.boolean(`${path}.enabled`, a.enabled);
    for (const k of ALERT_KEYS) {
        const r = a[k] as AlertRule | undefined;
        const rp = `${path}.${k}`;
        if (!p.object(rp, r, { optional: true }) || r === undefined) continue;
        unknownKeys(p, rp, r, RULE_KEYS);
        p.boolean(`${rp}.enabled`, r.enabled);
        const forOk = p.integer(`${rp}.forSeconds`, r.forSeconds, 0, { optional: true, max: MAX_FOR_SECONDS });
        const sevOk = r.severity === undefined || (SEVERITIES as readonly string[]).includes(r.severity);
        if (!sevOk) p.add(`${rp}.severity`, `${JSON.stringify(r.severity)} is not a severity; use one of ${SEVERITIES.map((s) => `"${s}"`).join(", ")}`);
        rules[k] = {
            enabled: typeof r.enabled === "boolean" ? r.enabled : true,
            forSeconds: forOk && r.forSeconds !== undefined ? r.forSeconds : ALERT_DEFAULTS[k].forSeconds,
            severity: sevOk && r.severity !== undefined ? r.severity : ALERT_DEFAULTS[k].severity,
        };
    }
    return { enabled: typeof a.enabled === "boolean" ? a.enabled : defaultEnabled, rules };
}

/** What the alerts need to know of one model, all from its plan. */
export interface AlertModel {
    name: string;
    namespace: string;
    servedModelName: string;
    /** `vllm` or `simulator`: the simulator creates its histograms only on first use, and runs on no GPU. */
    engine: string;
    deploymentName: string;
    scaledObjectName: string;
    hpaName: string;
    minReplicas: number;
    maxReplicas: number;
    signals?: ResolvedSignals;
    /** Waiting requests per replica above which the model counts as overloaded (the queue-depth target). */
    queueDepthTarget: number;
    /** p95 TTFT SLO in seconds, when the model scales on it. */
    ttftSloSeconds?: number;
}

/** One alerting rule as Prometheus (and the PrometheusRule CRD) takes it. */
export interface AlertingRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: { summary: string; description: string; runbook: string };
}

export interface PrometheusRuleGroup {
    name: string;
    rules: AlertingRule[];
}

export interface PrometheusRuleManifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { groups: PrometheusRuleGroup[] };
}

/** A series a model's triggers read, and which triggers read it. */
export interface ReadSeries {
    /** The metric name(s), as named in the alert; a trigger accepting either of two names lists both. */
    metric: string;
    /** PromQL selecting the model's series (any of the names). */
    selector: string;
    triggers: string[];
}

/** The engine series each Prometheus trigger of the model reads (queries.ts), metric by metric. */
export function seriesReadByTriggers(m: AlertModel): ReadSeries[] {
    const scope: SeriesScope = { namespace: m.namespace, servedModelName: m.servedModelName };
    const sel = engineSelector(scope);
    const s = m.signals;
    const readers = new Map<string, { selector: string; triggers: string[] }>();
    const read = (metric: string, selector: string, trigger: string) => {
        const r = readers.get(metric) ?? { selector, triggers: [] };
        r.triggers.push(trigger);
        readers.set(metric, r);
    };
    const waiting = `vllm:num_requests_waiting${sel}`;
    const running = `vllm:num_requests_running${sel}`;
    if (!s || s.queueDepth.enabled) read("vllm:num_requests_waiting", waiting, TRIGGER.queueDepth);
    if (s?.load.enabled) {
        read("vllm:num_requests_running", running, TRIGGER.load);
        read("vllm:num_requests_waiting", waiting, TRIGGER.load);
    }
    if (s?.kvCache.enabled) {
        // The trigger takes the vLLM >= 0.9 name, else the pre-0.9 one: only both absent is a fault.
        read("vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc", `vllm:kv_cache_usage_perc${sel} or vllm:gpu_cache_usage_perc${sel}`, TRIGGER.kvCache);
    }
    if (s?.ttft.enabled) {
        read("vllm:num_requests_running", running, TRIGGER.ttft);
        // vLLM creates the histogram at start-up; the simulator only on its first request.
        if (m.engine !== "simulator") read("vllm:time_to_first_token_seconds_bucket", `vllm:time_to_first_token_seconds_bucket${sel}`, TRIGGER.ttft);
    }
    // dcgm-exporter's per-GPU series of the model's engine pods (absent: no exporter, no scrape, no honorLabels).
    if (s?.gpuUtilization.enabled) {
        read("DCGM_FI_DEV_GPU_UTIL", `DCGM_FI_DEV_GPU_UTIL${gpuSelector({ ...scope, deploymentName: m.deploymentName })}`, TRIGGER.gpuUtilization);
    }
    // The wake trigger also reads the engines' running requests (queries.ts wakeOnRequestQuery).
    if (m.minReplicas === 0) read("vllm:num_requests_running", running, TRIGGER.wakeOnRequest);
    return [...readers.entries()].map(([metric, r]) => ({ metric, selector: r.selector, triggers: r.triggers }));
}

function matchers(labels: Record<string, string>): string {
    return `{${Object.entries(labels).map(([k, v]) => `${k}=${promString(v)}`).join(",")}}`;
}

/** The model's engine Deployment has at least one available (ready) replica, per kube-state-metrics. */
function readyEngines(m: AlertModel): string {
    return `max(kube_deployment_status_replicas_available${matchers({ namespace: m.namespace, deployment: m.deploymentName })})`;
}

function kedaSelector(m: AlertModel): string {
    return matchers({ namespace: m.namespace, scaledObject: m.scaledObjectName });
}

function duration(seconds: number): string {
    return `${seconds}s`;
}

/** The rules of one model, in ALERT_KEYS order (signalMissing: one per series read). */
export function modelAlertRules(m: AlertModel, settings: Record<AlertKey, ResolvedAlertRule>): AlertingRule[] {
    const rules: AlertingRule[] = [];
    const common = { namespace: m.namespace, model: m.name, scaled_object: m.scaledObjectName };
    const who = `Model ${m.name} (served as ${JSON.stringify(m.servedModelName)}, ScaledObject ${m.namespace}/${m.scaledObjectName})`;
    const add = (key: AlertKey, expr: string, annotations: AlertingRule["annotations"], extraLabels: Record<string, string> = {}) => {
        const s = settings[key];
        if (!s.enabled) return;
        rules.push({ alert: ALERT[key], expr, for: duration(s.forSeconds), labels: { severity: s.severity, ...common, ...extraLabels }, annotations });
    };

    for (const r of seriesReadByTriggers(m)) {
        add("signalMissing", `(${readyEngines(m)} > 0) unless count(${r.selector})`, {
            summary: `${m.name}: ${r.metric} is absent while its engines are ready`,
            description: `${who} has ready engine pods, but Prometheus has no ${r.metric} series for them. ` +
                `The trigger(s) ${r.triggers.join(", ")} read it; their queries end in "or vector(0)", so KEDA reads 0 and never scales ` +
                "the model up on this signal. Causes: vLLM renamed or removed the metric (0.9 renamed gpu_cache_usage_perc), " +
                "a different served model name (model_name label), or Prometheus no longer scrapes the engines.",
            runbook: `Query ${r.selector} and the engines' /metrics (port 8000). If the name changed, pin an engine image the package supports ` +
                "(models[].image) or upgrade the package; if nothing is scraped, check the ServiceMonitor <release>-engine-servicemonitor and the " +
                "Prometheus targets page; if the model_name differs, set models[].servedModelName to what the engines report.",
        }, { metric: r.metric });
    }

    // KEDA counts errors only until its fallback serves (then the query still fails, but no error is
    // returned), so the error counter alone goes quiet during a lasting fault: the failed and the empty
    // answers, which KEDA counts on every query, keep the condition true for as long as the fault lasts.
    const failing = [
        `sum(increase(keda_scaled_object_errors_total${kedaSelector(m)}[${ALERT_WINDOW}])) > 0`,
        `sum(increase(keda_scaler_http_requests_total{namespace=${promString(m.namespace)},scaled_resource=${promString(m.scaledObjectName)},status_code!~"2.."}[${ALERT_WINDOW}])) > 0`,
        `sum(increase(keda_scaler_empty_upstream_responses_total${matchers({ namespace: m.namespace, scaledResource: m.scaledObjectName })}[${ALERT_WINDOW}])) > 0`,
    ];
    add("scalerErrors", failing.map((c) => `(${c})`).join(" or "), {
        summary: `${m.name}: KEDA's scalers are failing; the fallback holds its replicas`,
        description: `${who}: within ${ALERT_WINDOW} KEDA counted errors for this ScaledObject (keda_scaled_object_errors_total), ` +
            "queries to Prometheus that failed (keda_scaler_http_requests_total with a status_code other than 2xx, \"error\" when nothing answered) " +
            "or answers with no sample (keda_scaler_empty_upstream_responses_total): Prometheus unreachable, a query rejected, an empty answer " +
            "(ignoreNullValues is false). After 3 failed polls KEDA applies the fallback (fallbackReplicas, or the current count if higher) " +
            "and stops counting errors, but the failed and empty answers go on being counted: the model no longer follows its load.",
        runbook: `kubectl -n ${m.namespace} describe scaledobject ${m.scaledObjectName} (conditions Ready, Fallback; events KEDAScalerFailed) and the keda-operator logs; ` +
            `keda_scaler_http_requests_total and keda_scaler_empty_upstream_responses_total for scaled_resource/scaledResource ${JSON.stringify(m.scaledObjectName)} ` +
            "by trigger say which trigger fails. Check that the Prometheus URL answers from the keda namespace (monitoring.prometheusUrl) and run the trigger's query there.",
    });

    // sum() drops the labels absent() copies from the matchers, like every other rule's result.
    add("kedaMetricsMissing", `sum(absent(keda_scaled_object_paused${kedaSelector(m)}))`, {
        summary: `${m.name}: no KEDA metrics for its ScaledObject`,
        description: `${who}: Prometheus has no keda_scaled_object_paused series for it. KEDA sets it on every reconcile of every ScaledObject, ` +
            "so either KEDA's operator metrics are not scraped (then the scaler-error and paused alerts cannot fire) or KEDA does not run or " +
            "does not know the ScaledObject.",
        runbook: `kubectl -n ${m.namespace} get scaledobject ${m.scaledObjectName}; check the keda-operator pod. With the package's KEDA, the ` +
            "ServiceMonitor keda-operator-metrics in KEDA's namespace scrapes it; with your own KEDA, enable prometheus.operator.enabled in its " +
            "chart and scrape port 8080 with honorLabels (the metrics' namespace label must win over the target's).",
    });

    const hpa = matchers({ namespace: m.namespace, horizontalpodautoscaler: m.hpaName });
    const sel = engineSelector({ namespace: m.namespace, servedModelName: m.servedModelName });
    const breaches = [`(sum(vllm:num_requests_waiting${sel}) / count(vllm:num_requests_waiting${sel}) > ${m.queueDepthTarget})`];
    if (m.ttftSloSeconds !== undefined) {
        breaches.push(`(histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket${sel}[${ALERT_WINDOW}]))) > ${m.ttftSloSeconds})`);
    }
    const slo = m.ttftSloSeconds !== undefined
        ? `more than ${m.queueDepthTarget} requests waiting per engine, or p95 time to first token above ${m.ttftSloSeconds} s`
        : `more than ${m.queueDepthTarget} requests waiting per engine`;
    add("atMaxReplicas",
        `(max(kube_horizontalpodautoscaler_status_current_replicas${hpa}) >= max(kube_horizontalpodautoscaler_spec_max_replicas${hpa})) ` +
        `and on() (${breaches.join(" or on() ")})`, {
            summary: `${m.name}: at maxReplicas (${m.maxReplicas}) and still overloaded`,
            description: `${who} runs its maximum of engines (HPA ${m.hpaName}) with ${slo}. Capacity, not the scaling policy, is the limit: ` +
                "requests queue and latency grows until load drops.",
            runbook: "Raise autoscaling.maxReplicas if the GPU pool has room (npm run plan shows capacity; gpuNodePool.maxNodes and maxMonthlyCost bound it), " +
                "or add capacity per engine (gpusPerReplica, maxNumSeqs), or shed load upstream. If it happens at the same hours, add a schedules entry.",
        });

    if (m.engine !== "simulator") {
        add("paused", `max(keda_scaled_object_paused${kedaSelector(m)}) > 0`, {
            summary: `${m.name}: autoscaling is paused on a GPU model`,
            description: `${who} has been paused (annotation autoscaling.keda.sh/paused): KEDA neither adds engines under load nor removes idle ones, ` +
                "so its GPUs are paid for whether they serve or not.",
            runbook: `If the pause is no longer needed: kubectl -n ${m.namespace} annotate scaledobject ${m.scaledObjectName} autoscaling.keda.sh/paused- ` +
                "(or set autoscaling.paused: false and pulumi up when the package paused it). If it is deliberate, turn this alert off " +
                "(monitoring.alerts.paused.enabled: false) or lengthen monitoring.alerts.paused.forSeconds.",
        });
    }

    const incoming = `vllm:num_incoming_requests_total${routerSelector({ namespace: m.namespace, servedModelName: m.servedModelName })}`;
    add("requestsRefused", `(sum(increase(${incoming}[${ALERT_WINDOW}])) > 0) and on() (${readyEngines(m)} == 0)`, {
        summary: `${m.name}: requests arrive but no engine is ready; the router refuses them`,
        description: `${who}: the router received requests for it within ${ALERT_WINDOW} while its Deployment ${m.deploymentName} had no available ` +
            "replica. The router (production-stack 0.1.12) does not hold requests: it answers 503 (404 if it never saw an engine of the model) " +
            "and counts no refusal metric, so this is read from its request counter and the ready engines. A wake from zero takes minutes " +
            "(node, image, model load); this alert means it is not happening.",
        runbook: `kubectl -n ${m.namespace} get deploy ${m.deploymentName}, its pods and events: Pending (no GPU node: the pool at maxNodes, ` +
            "quota, spot capacity), image pull, model download or load failing (logs, readyTimeoutSeconds), or KEDA not activating " +
            `(describe scaledobject ${m.scaledObjectName}: the wake_on_request trigger reads the router counter).`,
    });
    return rules;
}

/** The release's PrometheusRule: one group, every model's rules. */
export function planPrometheusRule(input: {
    release: string; namespace: string; labels: Record<string, string>; models: AlertModel[]; settings: Record<AlertKey, ResolvedAlertRule>;
}): PrometheusRuleManifest {
    return {
        apiVersion: PROMETHEUS_RULE_API_VERSION,
        kind: PROMETHEUS_RULE_KIND,
        metadata: { name: `${input.release}-vllm-autoscaling-alerts`, namespace: input.namespace, labels: input.labels },
        spec: { groups: [{ name: `vllm-autoscaling.${input.release}`, rules: input.models.flatMap((m) => modelAlertRules(m, input.settings)) }] },
    };
}

/** One line per rule, for the `plan` view. */
export function alertSummary(rule: AlertingRule): string {
    return `${rule.alert} [${rule.labels.severity}, for ${rule.for}]${rule.labels.metric ? ` ${rule.labels.metric}` : ""}: ${rule.annotations.summary}`;
}
