// The cold-start route (`models[].coldStartRoute`): at zero replicas the Production Stack router
// answers a model's first requests with 404/503 while an engine starts, and no client retries for
// minutes. This route sends the model's requests through the KEDA HTTP add-on's interceptor
// instead, which holds a request until the target Service has a ready endpoint and then forwards
// it (kedacore/http-add-on v0.15.0: interceptor/... endpoint_resolver.go waits on the
// EndpointSlices of spec.target.service; httputil.ReverseProxy passes streamed answers through).
//
// The interceptor waits on the Service it forwards to, and the router's is always ready: so the
// route's target is the model's own engine Service, and the wait is on the model's engines (the
// router's routing is bypassed for these requests; one model's engines behind one Service need
// none). Per model:
// - an InterceptorRoute (http.keda.sh/v1beta1) with that target, matched by Host;
// - an ExternalName Service `<release>-<model>-cold-start` that resolves to the interceptor's proxy
//   Service, so clients call `http://<release>-<model>-cold-start.<namespace>:8080/v1` and their
//   Host header is one the route matches;
// - an `external-push` trigger on the model's ScaledObject, `interceptorRoute: <route>`, which the
//   add-on's scaler pushes active the moment a request waits (no polling delay to wake).
import type { ColdStartRoute } from "../args";
import { fieldsOf, Problems, unknownKeys } from "./problems";

/** The chart names its Services after itself, not the release (templates/_helpers.tpl, 0.15.0). */
export const HTTP_ADD_ON_PROXY_SERVICE = "keda-add-ons-http-interceptor-proxy";
export const HTTP_ADD_ON_PROXY_PORT = 8080;
export const HTTP_ADD_ON_SCALER_SERVICE = "keda-add-ons-http-external-scaler";
export const HTTP_ADD_ON_SCALER_GRPC_PORT = 9090;

export const COLD_START_ROUTE_DEFAULTS = {
    /** Above the reference cold start (~270 s, coldStart.ts), with room for a slow node. */
    timeoutSeconds: 600,
} as const;

export interface ResolvedColdStartRoute {
    timeoutSeconds: number;
}

const KNOWN = fieldsOf<ColdStartRoute>({ enabled: true, timeoutSeconds: true });

/**
 * `models[i].coldStartRoute`, validated; undefined when absent or not enabled. The hold must
 * outlast at least one KEDA poll (a shorter one times out before KEDA can even see the model is
 * wanted).
 */
export function resolveColdStartRoute(p: Problems, path: string, r: ColdStartRoute | undefined, pollingIntervalSeconds: number): ResolvedColdStartRoute | undefined {
    if (!p.object(path, r, { optional: true }) || r === undefined) return undefined;
    unknownKeys(p, path, r, KNOWN);
    p.boolean(`${path}.enabled`, r.enabled);
    if (r.enabled === false) return undefined;
    const timeoutSeconds = r.timeoutSeconds ?? COLD_START_ROUTE_DEFAULTS.timeoutSeconds;
    if (p.integer(`${path}.timeoutSeconds`, r.timeoutSeconds, 1, { optional: true, max: 3600 }) && timeoutSeconds < pollingIntervalSeconds) {
        p.add(`${path}.timeoutSeconds`, `${timeoutSeconds} s is shorter than the model's polling interval (${pollingIntervalSeconds} s): requests would time out before KEDA reads the model's triggers; ` +
            `use at least ${pollingIntervalSeconds}, and more than the cold start (default ${COLD_START_ROUTE_DEFAULTS.timeoutSeconds})`);
    }
    return { timeoutSeconds };
}

/** What one model's route is built from. */
export interface ColdStartRouteInput {
    release: string;
    namespace: string;
    clusterDomain: string;
    model: string;
    engineServiceName: string;
    /** The engine Service's port name (the chart's `service-port`). */
    enginePortName: string;
    /** Namespace of KEDA and the add-on (their Services). */
    addOnNamespace: string;
    /** The load target per engine (requests): the add-on's concurrency metric per replica. */
    concurrencyTarget: number;
    timeoutSeconds: number;
}

export interface ColdStartRoutePlan {
    model: string;
    routeName: string;
    serviceName: string;
    /** The model's base URL through the route (OpenAI-compatible). */
    url: string;
    /** Host headers the route matches (every name a client in the cluster resolves the Service by). */
    hosts: string[];
    timeoutSeconds: number;
    concurrencyTarget: number;
    interceptorRoute: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: Record<string, any> };
    service: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: Record<string, any> };
    /** The ScaledObject trigger fields (triggers.ts adds it). */
    scalerAddress: string;
}

export function coldStartRouteName(release: string, model: string): string {
    return `${release}-${model}-cold-start`;
}

export function planColdStartRoute(i: ColdStartRouteInput, labels: Record<string, string>): ColdStartRoutePlan {
    const name = coldStartRouteName(i.release, i.model);
    const fqdn = `${name}.${i.namespace}.svc.${i.clusterDomain}`;
    const hosts = [name, `${name}.${i.namespace}`, `${name}.${i.namespace}.svc`, fqdn];
    const proxy = `${HTTP_ADD_ON_PROXY_SERVICE}.${i.addOnNamespace}.svc.${i.clusterDomain}`;
    return {
        model: i.model,
        routeName: name,
        serviceName: name,
        url: `http://${fqdn}:${HTTP_ADD_ON_PROXY_PORT}/v1`,
        hosts,
        timeoutSeconds: i.timeoutSeconds,
        concurrencyTarget: i.concurrencyTarget,
        interceptorRoute: {
            apiVersion: "http.keda.sh/v1beta1",
            kind: "InterceptorRoute",
            metadata: { name, namespace: i.namespace, labels },
            spec: {
                // The model's engines, not the router: the interceptor waits on this Service's endpoints.
                target: { service: i.engineServiceName, portName: i.enginePortName },
                rules: [{ hosts }],
                scalingMetric: { concurrency: { targetValue: Math.max(1, Math.round(i.concurrencyTarget)) } },
                // readiness: how long a request is held at zero. No request timeout: streams run as long as they run.
                timeouts: { readiness: `${i.timeoutSeconds}s` },
            },
        },
        service: {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name, namespace: i.namespace, labels },
            spec: { type: "ExternalName", externalName: proxy, ports: [{ name: "http", port: HTTP_ADD_ON_PROXY_PORT, targetPort: HTTP_ADD_ON_PROXY_PORT }] },
        },
        scalerAddress: `${HTTP_ADD_ON_SCALER_SERVICE}.${i.addOnNamespace}:${HTTP_ADD_ON_SCALER_GRPC_PORT}`,
    };
}
