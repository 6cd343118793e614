// Prometheus instant queries, and what KEDA 2.20's Prometheus scaler makes of their answers.
// Shared by the tests (e2e/support/prometheusHarness.ts) and `npm run doctor`.

/** One element of an instant vector. */
export interface Sample {
    metric: Record<string, string>;
    /** Parsed from Prometheus's string: "NaN", "+Inf", "-Inf" become NaN, Infinity, -Infinity. */
    value: number;
    /** Evaluation timestamp (seconds), as returned by the API. */
    timestamp: number;
}

export type QueryResult =
    | { resultType: "vector"; samples: Sample[] }
    | { resultType: "scalar"; value: number; timestamp: number }
    | { resultType: "matrix"; series: { metric: Record<string, string>; values: [number, number][] }[] }
    | { resultType: "string"; value: string; timestamp: number };

export interface KedaOptions {
    /** KEDA's trigger metadata `ignoreNullValues` (KEDA's default is true). */
    ignoreNullValues: boolean;
}

/** Parses a Prometheus API sample value. */
export function parsePromValue(s: string): number {
    switch (s) {
        case "NaN":
            return NaN;
        case "+Inf":
            return Infinity;
        case "-Inf":
            return -Infinity;
    }
    const v = Number(s);
    if (Number.isNaN(v)) throw new Error(`unparseable Prometheus value ${JSON.stringify(s)}`);
    return v;
}

/**
 * What KEDA 2.20's Prometheus scaler makes of an instant-query answer (pkg/scalers/prometheus_scaler.go):
 * >1 element is an error; empty, NaN and +-Inf are 0 with ignoreNullValues, an error without;
 * a scalar result is an error too (KEDA decodes `result` as a list of {metric, value}).
 */
export function kedaValue(result: QueryResult, query: string, opts: KedaOptions): number {
    if (result.resultType !== "vector") {
        throw new Error(`KEDA would fail: query ${query} returned a ${result.resultType}, not an instant vector`);
    }
    const { samples } = result;
    if (samples.length > 1) throw new Error(`KEDA would fail: prometheus query ${query} returned multiple elements`);
    if (samples.length === 0) {
        if (opts.ignoreNullValues) return 0;
        throw new Error(`KEDA would fail: prometheus query ${query}: the result is empty`);
    }
    const v = samples[0].value;
    if (!Number.isFinite(v)) {
        if (opts.ignoreNullValues) return 0;
        throw new Error(`KEDA would fail: prometheus query ${query} returns ${v}`);
    }
    return v;
}

/** Instant query at "now" against a Prometheus base URL (the HTTP API, /api/v1/query). */
export async function queryPrometheus(baseUrl: string, promql: string, timeoutMs = 10_000): Promise<QueryResult> {
    const r = await fetch(new URL("/api/v1/query", baseUrl), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query: promql }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
    });
    const env = await r.json() as { status: string; data?: { resultType: string; result: any }; error?: string; errorType?: string };
    if (env.status !== "success" || !env.data) throw new Error(`Prometheus rejected ${promql}: ${env.errorType ?? r.status}: ${env.error ?? ""}`);
    const { resultType, result } = env.data;
    switch (resultType) {
        case "vector":
            return { resultType, samples: (result as { metric: Record<string, string>; value: [number, string] }[])
                .map((x) => ({ metric: x.metric, timestamp: x.value[0], value: parsePromValue(x.value[1]) })) };
        case "scalar":
            return { resultType, timestamp: result[0], value: parsePromValue(result[1]) };
        case "matrix":
            return { resultType, series: result };
        default:
            return { resultType: "string", timestamp: result[0], value: result[1] };
    }
}
