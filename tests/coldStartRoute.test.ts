// The cold-start route through the KEDA HTTP add-on (`models[].coldStartRoute`): what the plan
// writes (an InterceptorRoute on the model's engine Service, an ExternalName Service clients call,
// an external-push trigger on the ScaledObject, the add-on's chart), validated against the pinned
// chart's CRD and KEDA's; the errors for bad input; what the component registers under mocks; and
// the trigger in the simulator. The interceptor itself is not run here (docs say so).
import * as assert from "assert";
import * as path from "path";
import { LlmInference } from "../components";
import type { LlmInferenceArgs } from "../components";
import { planInference } from "../components/plan";
import { HTTP_ADD_ON_PROXY_SERVICE, HTTP_ADD_ON_SCALER_SERVICE } from "../components/plan/coldStartRoute";
import { TRIGGER } from "../components/plan/triggers";
import { bindTriggers, scaledModelOf, type Scrape } from "../components/sim/keda";
import { llama, planProblems } from "./fixtures";
import { runWithMocks } from "./support/pulumiMocks";
import { renderPlan } from "../scripts/plan";
import { crdValidator, KEDA_CRD, REPO_ROOT, scaledObjectValidator, skipUnlessPresent } from "./support/reference";

const ROUTE_CRD = path.resolve(REPO_ROOT, "../shared/charts/keda-add-ons-http/templates/crds/crd-interceptorroutes.yaml");

function args(route: Record<string, unknown> | undefined, over: Partial<LlmInferenceArgs> = {}): LlmInferenceArgs {
    return { models: [llama({ autoscaling: { minReplicas: 0, maxReplicas: 3 }, ...(route ? { coldStartRoute: route } : {}) })], ...over };
}

const problems = (a: LlmInferenceArgs) => planProblems(a);

describe("cold-start route (KEDA HTTP add-on): plan", () => {
    it("writes nothing without a route", () => {
        const p = planInference("chat", args(undefined));
        assert.deepStrictEqual(p.coldStartRoutes, []);
        assert.strictEqual(p.charts.httpAddOn, undefined);
        assert.ok(!p.scaledObjects[0].spec.triggers.some((t) => t.name === TRIGGER.coldStartRoute));
    });

    it("routes to the model's engine Service (the wait is on its engines), matched by every name of the Service clients call", () => {
        const p = planInference("chat", args({ timeoutSeconds: 900 }));
        assert.strictEqual(p.coldStartRoutes.length, 1);
        const c = p.coldStartRoutes[0];
        const ir = c.interceptorRoute;
        assert.strictEqual(ir.apiVersion, "http.keda.sh/v1beta1");
        assert.strictEqual(ir.metadata.namespace, p.namespace);
        assert.deepStrictEqual(ir.spec.target, { service: p.models[0].serviceName, portName: "service-port" });
        assert.notStrictEqual(ir.spec.target.service, p.routerServiceName, "not the router: it is always ready");
        assert.deepStrictEqual(ir.spec.rules, [{ hosts: ["chat-llama3-8b-cold-start", "chat-llama3-8b-cold-start.llm", "chat-llama3-8b-cold-start.llm.svc", "chat-llama3-8b-cold-start.llm.svc.cluster.local"] }]);
        assert.deepStrictEqual(ir.spec.timeouts, { readiness: "900s" }, "held 900 s; no request timeout, so streams are not cut");
        assert.deepStrictEqual(ir.spec.scalingMetric, { concurrency: { targetValue: 45 } }, "the load's target per engine");
        assert.deepStrictEqual(c.service.spec, { type: "ExternalName", externalName: `${HTTP_ADD_ON_PROXY_SERVICE}.keda.svc.cluster.local`, ports: [{ name: "http", port: 8080, targetPort: 8080 }] });
        assert.strictEqual(c.url, "http://chat-llama3-8b-cold-start.llm.svc.cluster.local:8080/v1");
        const t = p.scaledObjects[0].spec.triggers.find((x) => x.name === TRIGGER.coldStartRoute)!;
        assert.deepStrictEqual(t, { type: "external-push", name: TRIGGER.coldStartRoute, metadata: { scalerAddress: `${HTTP_ADD_ON_SCALER_SERVICE}.keda:9090`, interceptorRoute: c.routeName } });
        const chart = p.charts.httpAddOn!;
        assert.deepStrictEqual([chart.chart, chart.version, chart.namespace, chart.releaseName], ["keda-add-ons-http", "0.15.0", "keda", "keda-add-ons-http"]);
        assert.deepStrictEqual(chart.values, { crds: { install: true } });
        assert.match(renderPlan("dev", p), /llama3-8b: http:\/\/chat-llama3-8b-cold-start\.llm\.svc\.cluster\.local:8080\/v1 -> InterceptorRoute chat-llama3-8b-cold-start -> Service chat-llama3-8b-engine-service \(the engines\), held up to 900 s/);
    });

    it("defaults the hold to 600 s; httpAddOn.install: false uses a cluster's own add-on", () => {
        const p = planInference("chat", args({}, { httpAddOn: { install: false } }));
        assert.strictEqual(p.coldStartRoutes[0].timeoutSeconds, 600);
        assert.strictEqual(p.charts.httpAddOn, undefined);
        assert.strictEqual(planInference("chat", args({ enabled: false })).coldStartRoutes.length, 0);
    });

    it("the InterceptorRoute is valid against the pinned chart's CRD, the ScaledObject against KEDA's", function () {
        skipUnlessPresent(this, ROUTE_CRD);
        skipUnlessPresent(this, KEDA_CRD);
        const p = planInference("chat", args({}));
        assert.deepStrictEqual(crdValidator(ROUTE_CRD)(p.coldStartRoutes[0].interceptorRoute), []);
        assert.deepStrictEqual(scaledObjectValidator()(p.scaledObjects[0]), []);
        // The validator does reject what the API server would.
        const bad = structuredClone(p.coldStartRoutes[0].interceptorRoute) as any;
        delete bad.spec.target.service;
        assert.notDeepStrictEqual(crdValidator(ROUTE_CRD)(bad), []);
    });
});

describe("cold-start route: bad input, every problem at once, naming the field", () => {
    it("rejects a hold shorter than the polling interval, an unknown key, and a route without KEDA's namespace", () => {
        const got = problems({
            models: [llama({ autoscaling: { maxReplicas: 2, pollingIntervalSeconds: 30 }, coldStartRoute: { timeoutSeconds: 10, retries: 3 } as any })],
            keda: { install: false },
        });
        assert.ok(got.some((g) => /^models\[0\]\.coldStartRoute\.timeoutSeconds: 10 s is shorter than the model's polling interval \(30 s\)/.test(g)), got.join("\n"));
        assert.ok(got.some((g) => /^models\[0\]\.coldStartRoute\.retries/.test(g)), got.join("\n"));
        assert.ok(got.some((g) => /^models\[0\]\.coldStartRoute: needs KEDA and its HTTP add-on, but keda\.install is false and keda\.namespace is not set/.test(g)), got.join("\n"));
        assert.ok(problems(args({}, {})).length === 0);
        const withFormula = problems({ models: [llama({ autoscaling: { maxReplicas: 2, targetQueueDepth: 5, scalingModifiers: { formula: "queue_depth", target: 5 } }, coldStartRoute: {} })] });
        assert.ok(withFormula.some((g) => /^models\[0\]\.coldStartRoute: cannot be combined with autoscaling\.scalingModifiers/.test(g)), withFormula.join("\n"));
        // With KEDA's namespace named, a cluster's own KEDA is fine.
        assert.deepStrictEqual(problems(args({}, { keda: { install: false, namespace: "keda-system" }, httpAddOn: { install: false } })), []);
    });
});

describe("cold-start route: component (Pulumi mocks) and simulator", () => {
    it("registers the add-on's release, the InterceptorRoute after it, the ExternalName Service, and the ScaledObject after the route", async () => {
        const { registrations } = await runWithMocks(() => new LlmInference("chat", args({})));
        const release = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "keda-add-ons-http")!;
        assert.ok(release, "the add-on's release");
        const route = registrations.find((r) => r.type === "kubernetes:http.keda.sh/v1beta1:InterceptorRoute")!;
        assert.ok(route.dependsOn.includes(release.urn), route.dependsOn.join(", "));
        const svc = registrations.find((r) => r.type === "kubernetes:core/v1:Service" && r.inputs.metadata?.name === "chat-llama3-8b-cold-start")!;
        assert.strictEqual(svc.inputs.spec.type, "ExternalName");
        const so = registrations.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")!;
        assert.ok(so.dependsOn.includes(route.urn), "the ScaledObject names the route: created after it");
    });

    it("the simulator reads the route's trigger: active on a request at zero, requests in flight against the route's target", () => {
        const p = planInference("chat", args({}));
        const m = scaledModelOf(p, 0);
        const t = bindTriggers(m, 0, 1000).find((x) => x.name === TRIGGER.coldStartRoute)!;
        const scrape = (s: Partial<Scrape>): Scrape => ({ waiting: 0, running: 0, kvUsage: 0, engines: 0, ttftP95: () => NaN, routerRequests: () => 0, completions: () => 0, inferenceSeconds: () => 0, ...s });
        assert.strictEqual(t.target, 45);
        assert.strictEqual(t.value(scrape({}), 0), 0);
        assert.strictEqual(t.value(scrape({ routerRequests: () => 2 }), 0), 1, "a request held at zero wakes it");
        assert.strictEqual(t.value(scrape({ engines: 2, running: 50, waiting: 10 }), 0), 60);
    });
});
