// PromQL the ScaledObjects send to Prometheus. KEDA's Prometheus scaler errors when a query
// returns more than one sample, so every query aggregates to a single sample and ends in
// `or vector(0)`: one sample whether the model has no engine pod, one or many, traffic or none.
// Engine series are selected by namespace and `model_name` (the served model name), which the
// router's same-named gauges (labelled `server`, no `model_name`) never carry.

/** Whose series a query reads: the model's engines, or the router's counters for the model. */
export interface SeriesScope {
    /** Namespace the engines and router run in (a target label Prometheus adds). */
    readonly namespace: string;
    /** Served model name: `model_name` on engine series, `model` on router series. */
    readonly servedModelName: string;
}

/** A PromQL string literal: backslash and double quote escaped. */
export function promString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** The range of a query's first range selector (`[60s]`) in seconds; undefined when it has none. */
export function queryWindowSeconds(query: string): number | undefined {
    const m = /\[(\d+)s\]/.exec(query);
    return m ? Number(m[1]) : undefined;
}

export function engineSelector(scope: SeriesScope): string {
    return `{namespace=${promString(scope.namespace)},model_name=${promString(scope.servedModelName)}}`;
}

export function routerSelector(scope: SeriesScope): string {
    return `{namespace=${promString(scope.namespace)},model=${promString(scope.servedModelName)}}`;
}

/** Requests waiting in the model's engine queues, summed over its engines. */
export function queueDepthQuery(scope: SeriesScope): string {
    return `sum(vllm:num_requests_waiting${engineSelector(scope)}) or vector(0)`;
}

/**
 * 1 while the router has seen a request for the model within the window, or any of the model's
 * engines still runs a request, else 0. The second half keeps a scale-to-zero model at one
 * replica until its last (long, streamed) answer is done: without it a preset whose other
 * triggers read only waiting requests (`queue-depth`) went inactive once arrivals stopped, and
 * KEDA scaled to zero after the cooldown with streams still running.
 * `increase()` alone misses the first request a router ever sees for a model: that request
 * creates the counter series at 1, and increase() compares samples inside the window, so it
 * reads 0. The `unless ... offset` term counts series that did not exist a window ago with
 * their whole value. clamp_max keeps the trigger at "one replica", whatever the traffic.
 */
export function wakeOnRequestQuery(scope: SeriesScope, windowSeconds: number): string {
    const counter = `vllm:num_incoming_requests_total${routerSelector(scope)}`;
    const window = `${windowSeconds}s`;
    const seenInWindow = `(sum(increase(${counter}[${window}])) or vector(0))`;
    const newSeries = `(sum(${counter} unless ${counter} offset ${window}) or vector(0))`;
    const running = `(sum(vllm:num_requests_running${engineSelector(scope)}) or vector(0))`;
    return `clamp_max(${seenInWindow} + ${newSeries} + ${running}, 1)`;
}

/** The demand half of the load query: its rate window and the backlog's drain horizon (seconds). */
export interface LoadDemand {
    /** Range of the arrival and completion rates. */
    readonly windowSeconds: number;
    /** Waiting requests count as extra arrivals spread over this many seconds. */
    readonly drainSeconds: number;
}

/**
 * Load: the concurrency the model's traffic needs, in requests, summed over its engines.
 *
 * Without `demand`: requests running plus waiting. That is exact while the engines keep up, but a
 * queue that piles up during a cold start (minutes of arrivals) reads as that many concurrent
 * requests, and under AverageValue (desired = ceil(total / target), whatever the readiness) it
 * drove the fleet to maxReplicas for a burst that was over before they loaded.
 *
 * With `demand` (Little's law, L = lambda x S): the concurrency the arrivals need is their rate
 * times the mean time a request runs, S = the engines' `vllm:request_inference_time_seconds`
 * (time in the RUNNING phase) sum over count in the window. In steady state that is the running
 * count itself; under overload it grows by the factor the arrivals exceed what the engines
 * complete, not with the length of the queue. The queue adds only what draining it within
 * `drainSeconds` needs (waiting / drainSeconds as extra arrivals). Arrivals are the router's
 * per-model counter (it counts requests even while no engine is ready). With no completed request
 * in the window (no engine yet, or the first requests still running) or no router series, the
 * expression is empty and `or` falls back to running + waiting, so the query still answers one
 * sample in every state.
 *
 * With `hysteresis` > 0, that many requests per engine running any are added: against a
 * threshold of target + hysteresis, the HPA then asks for N replicas from N - 1 at about the same
 * load as without it, but gives one back only once the load fits N - 1 replicas with `hysteresis`
 * requests to spare. Engines share smaller batches faster, so the summed load drops when a
 * replica is added (Little's law); without the margin the fleet would oscillate N-1 <-> N.
 */
export function loadQuery(scope: SeriesScope, hysteresis = 0, demand?: LoadDemand): string {
    const sel = engineSelector(scope);
    const running = `(sum(vllm:num_requests_running${sel}) or vector(0))`;
    const waiting = `(sum(vllm:num_requests_waiting${sel}) or vector(0))`;
    let load = `${running} + ${waiting}`;
    if (demand) {
        const w = `${demand.windowSeconds}s`;
        const arrivals = `sum(rate(vllm:num_incoming_requests_total${routerSelector(scope)}[${w}]))`;
        const inference = `vllm:request_inference_time_seconds`;
        const service = `sum(rate(${inference}_sum${sel}[${w}])) / (sum(rate(${inference}_count${sel}[${w}])) > 0)`;
        load = `((${arrivals} + ${waiting} / ${demand.drainSeconds}) * ${service}) or (${load})`;
    }
    // Engines running something: an idle fleet reads 0, so KEDA can still deactivate to zero.
    return hysteresis > 0 ? `(${load}) + ${hysteresis} * (count(vllm:num_requests_running${sel} > 0) or vector(0))` : load;
}

/**
 * The largest value `inner` took over the last `holdSeconds`, sampled every `stepSeconds` (a
 * subquery): under AverageValue against the same target, the HPA keeps the replicas the peak
 * asked for until it leaves the window. `inner` answers one sample at every instant, so this
 * does too (and `or vector(0)` covers a Prometheus with no history yet).
 */
export function peakQuery(inner: string, holdSeconds: number, stepSeconds: number): string {
    return `max_over_time((${inner})[${holdSeconds}s:${stepSeconds}s]) or vector(0)`;
}

/** The hold and step of a peakQuery (undefined for any other query). */
export function peakHoldOf(query: string): { holdSeconds: number; stepSeconds: number } | undefined {
    const m = /\[(\d+)s:(\d+)s\]\) or vector\(0\)$/.exec(query);
    return m && query.startsWith("max_over_time((") ? { holdSeconds: Number(m[1]), stepSeconds: Number(m[2]) } : undefined;
}

/**
 * KV-cache pressure: the engines' KV-cache usage (0..1 each), summed. vLLM renamed the gauge in
 * 0.9 (`gpu_cache_usage_perc` -> `kv_cache_usage_perc`); `or` takes the new name where a pod has
 * it and the old one elsewhere (set operators match label sets without the metric name, so a pod
 * exporting both is counted once).
 */
export function kvCacheQuery(scope: SeriesScope): string {
    const sel = engineSelector(scope);
    return `sum(vllm:kv_cache_usage_perc${sel} or vllm:gpu_cache_usage_perc${sel}) or vector(0)`;
}

/**
 * p95 time to first token over the window, from the model's summed histogram buckets,
 * multiplied by the number of engines exporting metrics: under AverageValue (target = the SLO
 * in seconds) the HPA then asks for ceil(engines x p95 / SLO), i.e. grows the fleet by the factor
 * the SLO is missed by. Idle (no requests in the window) histogram_quantile gives NaN, and with
 * no engines the count is empty: `>= 0` drops both and `or vector(0)` answers 0.
 */
export function ttftPressureQuery(scope: SeriesScope, windowSeconds: number): string {
    const sel = engineSelector(scope);
    const p95 = `histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket${sel}[${windowSeconds}s])))`;
    const engines = `scalar(count(vllm:num_requests_running${sel}))`;
    return `((${p95} * ${engines}) >= 0) or vector(0)`;
}

/** p95 time to first token alone (seconds; 0 when idle): for dashboards and the `plan` view. */
export function ttftP95Query(scope: SeriesScope, windowSeconds: number): string {
    const sel = engineSelector(scope);
    return `(histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket${sel}[${windowSeconds}s]))) >= 0) or vector(0)`;
}

/** An engine Deployment's pods: its name, the ReplicaSet's pod-template hash, the pod's 5-character suffix. */
export function enginePodPattern(deploymentName: string): string {
    // Kubernetes: ReplicaSet `<deployment>-<hash>` (hash: safe-encoded, up to 10 characters), pod
    // `<replicaset>-<5 random>`. Anchored (PromQL regexes are), so a model whose name extends this
    // one's ("a" vs "a-deployment-vllm-b") never matches.
    return `${deploymentName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{1,10}-[a-z0-9]{5}`;
}

/**
 * dcgm-exporter's series of the GPUs a model's engine pods hold. With its kubelet pod-resources
 * mapping (on in NVIDIA's chart: DCGM_EXPORTER_KUBERNETES=true) each GPU's series carries the
 * `namespace`, `pod` and `container` of the pod using it (internal/pkg/transformation/kubernetes.go),
 * kept as they are because the package scrapes the exporter with honorLabels.
 */
export function gpuSelector(scope: SeriesScope & { deploymentName: string }): string {
    return `{namespace=${promString(scope.namespace)},pod=~${promString(enginePodPattern(scope.deploymentName))}}`;
}

/**
 * GPU utilization (percent): each engine pod's average over its GPUs (tensor parallelism gives a
 * pod several), summed over the model's pods. Under AverageValue the HPA divides by the replicas,
 * so the target is the average utilization per engine: desired = ceil(sum / target). One sample
 * in every state: no pod, or no dcgm-exporter, reads 0.
 */
export function gpuUtilizationQuery(scope: SeriesScope & { deploymentName: string }): string {
    return `sum(avg by (pod) (DCGM_FI_DEV_GPU_UTIL${gpuSelector(scope)})) or vector(0)`;
}
