// The cold-start route's objects on the real API server and real KEDA: the KEDA HTTP add-on's
// CRDs from the pinned chart (keda-add-ons-http 0.15.0, ../shared/charts), then what the plan
// writes for a model with `coldStartRoute` (its InterceptorRoute, the ExternalName Service
// clients call, the ScaledObject with the add-on's external-push trigger), applied as the
// provider would. Asserted: the API server accepts them, with the CRD's own validation rules
// enforced (a target with both `port` and `portName` is refused), the Service names the
// interceptor's proxy, and KEDA's operator takes the ScaledObject over and reports it Ready. The
// add-on's interceptor and scaler are not run here (their images need a container runtime), so
// no request is held, forwarded or streamed, and nothing pushes the trigger active: that part is
// the add-on's, read in its source (docs/scaling.md, cold-start route).
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { planInference } from "../../components/plan";
import { TRIGGER } from "../../components/plan/triggers";
import { HTTP_ADD_ON_PROXY_SERVICE } from "../../components/plan/coldStartRoute";
import { LocalCluster } from "../../e2e/support/cluster";
import { REPO_ROOT, requireTools } from "../../e2e/support/paths";
import { waitFor } from "../../e2e/support/proc";

const CRDS = path.resolve(REPO_ROOT, "../shared/charts/keda-add-ons-http/templates/crds");
/** KEDA's own CRDs, copied from its module by `npm run e2e:tools` (the stacks elsewhere install them with the chart). */
const KEDA_CRDS = path.join(REPO_ROOT, ".e2e", "keda-crds");

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** The chart's CRD templates as plain manifests (their only template lines are the crds.install guard). */
function addOnCrds(): string {
    if (!fs.existsSync(CRDS)) throw new Error(`${CRDS} is missing: the suite applies the pinned chart's CRDs from ../shared`);
    return fs.readdirSync(CRDS).filter((f) => f.endsWith(".yaml")).sort()
        .map((f) => fs.readFileSync(path.join(CRDS, f), "utf8").split("\n").filter((l) => !l.includes("{{")).join("\n")).join("\n---\n");
}

describe("end-to-end: the cold-start route's objects on the real API server and KEDA (KEDA HTTP add-on 0.15.0 CRDs)", function () {
    this.timeout(5 * 60_000);
    let cluster: LocalCluster | undefined;
    const c = () => {
        if (!cluster) throw new Error("the cluster is not up (an earlier step failed)");
        return cluster;
    };
    const plan = planInference("chat", {
        models: [{ name: "qwen", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { minReplicas: 0, maxReplicas: 2 }, coldStartRoute: { timeoutSeconds: 900 } }],
        monitoring: { install: false, prometheusUrl: "http://127.0.0.1:9" },
    });
    const route = plan.coldStartRoutes[0];

    before(async () => {
        requireTools();
        cluster = await LocalCluster.fresh();
        await c().kubectl(["apply", "--server-side", "-f", KEDA_CRDS]);
        await c().kubectl(["apply", "--server-side", "-f", "-"], { input: addOnCrds() });
        // kubectl wait errors on a CRD that has no status yet: poll instead.
        for (const crd of ["interceptorroutes.http.keda.sh", "scaledobjects.keda.sh"]) {
            await waitFor(`CRD ${crd} Established`, 60_000, async () =>
                ((await c().get(["crd", crd]))?.status?.conditions ?? []).some((k: any) => k.type === "Established" && k.status === "True") ? true : undefined, 250);
        }
    });

    after(async () => {
        await cluster?.down();
    });

    it("accepts the InterceptorRoute and the ExternalName Service the plan writes, under the CRD's own rules", async () => {
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: plan.namespace } };
        // The model's engine Service, the route's target (the simulator's, as the component writes it).
        const sim = plan.simulators[0];
        const engineService = { apiVersion: "v1", kind: "Service", metadata: { name: sim.serviceName, namespace: sim.namespace, labels: sim.serviceLabels }, spec: sim.serviceSpec };
        const objects = [ns, engineService, route.interceptorRoute, route.service];
        const r = await c().kubectl(["apply", "--server-side", "--field-manager", "pulumi-e2e", "-f", "-"], { input: objects.map((o) => YAML.stringify(o)).join("---\n") });
        log(r.stdout.trim().split("\n").join("; "));
        const live = await c().get(["interceptorroutes.http.keda.sh", route.routeName, "-n", plan.namespace]);
        assert.deepStrictEqual(live.spec.target, route.interceptorRoute.spec.target);
        assert.deepStrictEqual(live.spec.timeouts, { readiness: "900s" });
        const svc = await c().get(["service", route.serviceName, "-n", plan.namespace]);
        assert.strictEqual(svc.spec.externalName, `${HTTP_ADD_ON_PROXY_SERVICE}.keda.svc.cluster.local`);
        // The CRD's CEL rule is enforced by this API server: port and portName together are refused.
        const bad = structuredClone(route.interceptorRoute) as any;
        bad.metadata.name = `${route.routeName}-bad`;
        bad.spec.target.port = 8000;
        const refused = await c().kubectl(["apply", "-f", "-"], { input: YAML.stringify(bad), allowFailure: true });
        log(`both port and portName: ${refused.stderr.trim().split("\n")[0]}`);
        assert.notStrictEqual(refused.code, 0, "the API server accepted a target with both port and portName");
        assert.match(refused.stderr, /exactly one of 'port' or 'portName' must be set/);
    });

    it("KEDA's operator reconciles the ScaledObject with the add-on's external-push trigger", async () => {
        const so = plan.scaledObjects[0];
        assert.ok(so.spec.triggers.some((t) => t.type === "external-push" && t.name === TRIGGER.coldStartRoute));
        // The Deployment it scales (zero replicas: nothing needs to run for KEDA to reconcile).
        const sim = plan.simulators[0];
        const deployment = {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: sim.deploymentName, namespace: plan.namespace },
            spec: { replicas: 0, selector: { matchLabels: sim.selector }, template: { metadata: { labels: sim.podLabels }, spec: { containers: [{ name: "engine", image: "engine" }] } } },
        };
        await c().kubectl(["apply", "--server-side", "--field-manager", "pulumi-e2e", "-f", "-"], { input: [deployment, so].map((o) => YAML.stringify(o)).join("---\n") });
        const live = await waitFor("KEDA to reconcile the ScaledObject", 90_000, async () => {
            const o = await c().get(["scaledobjects.keda.sh", so.metadata!.name!, "-n", plan.namespace]);
            return (o?.status?.conditions ?? []).some((k: any) => k.type === "Ready" && k.status !== "Unknown") ? o : undefined;
        }, 1000);
        const conditions = (live.status.conditions as any[]).map((k) => `${k.type}=${k.status} (${k.reason}${k.message ? `: ${String(k.message).slice(0, 160)}` : ""})`);
        log(`KEDA's conditions: ${conditions.join("; ")}`);
        assert.ok((live.metadata.finalizers ?? []).length > 0, "KEDA's operator took the ScaledObject over (its finalizer)");
        // KEDA accepts the trigger as defined (Ready); whether it is active is the add-on scaler's to push, and it does not run here.
        assert.ok((live.status.conditions as any[]).some((k) => k.type === "Ready" && k.status === "True"), conditions.join("; "));
        assert.ok(live.spec.triggers.some((t: any) => t.type === "external-push" && t.metadata.interceptorRoute === route.routeName));
    });
});
