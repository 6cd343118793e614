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
 * 1 while the router has seen a request for the model within the window, else 0.
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
    return `clamp_max(${seenInWindow} + ${newSeries}, 1)`;
}
