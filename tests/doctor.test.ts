// `npm run doctor`'s verdicts (scripts/doctor/checks.ts) on observations shaped as KEDA 2.20 and
// Kubernetes write them (ScaledObject status.conditions Ready/Fallback and status.health
// {numberOfFailures, status: Happy|Failing}; managedFields). The live runs are in tests/e2e.
import * as assert from "assert";
import { planInference } from "../components";
import { diagnose, renderFindings, replicaOwners, type ModelObservation } from "../scripts/doctor/checks";
import { argsWith, llama } from "./fixtures";

const plan = planInference("chat", argsWith({ models: [llama({ autoscaling: { minReplicas: 1, maxReplicas: 3 } })] }));
const m = plan.models[0];

function healthy(): ModelObservation {
    return {
        triggers: plan.scaledObjects[0].spec.triggers.filter((t: any) => t.type === "prometheus").map((t: any) => ({ name: t.name, value: 0 })),
        scaledObject: {
            metadata: { annotations: {} },
            status: { conditions: [{ type: "Ready", status: "True" }, { type: "Fallback", status: "False" }], health: { "s0-prometheus": { numberOfFailures: 0, status: "Happy" } } },
        },
        hpa: { spec: { scaleTargetRef: { kind: "Deployment", name: m.deploymentName } } },
        deployment: { metadata: { managedFields: [
            { manager: "pulumi-kubernetes-abc", fieldsV1: { "f:spec": { "f:template": {} } } },
            { manager: "kube-controller-manager", subresource: "scale", fieldsV1: { "f:spec": { "f:replicas": {} } } },
        ] } },
        readyPods: ["p1", "p2"],
        seriesPods: Object.fromEntries((m.triggerSeries ?? []).map((s) => [s.metric, ["p1", "p2"]])),
    };
}

const failing = (o: ModelObservation) => diagnose(plan, [o]).filter((f) => f.status === "fail");

describe("npm run doctor: verdicts", () => {
    it("finds a healthy model healthy, with one row per trigger and per series its triggers read", () => {
        const f = diagnose(plan, [healthy()]);
        assert.deepStrictEqual(f.filter((x) => x.status !== "ok"), []);
        assert.ok((m.triggerSeries ?? []).length >= 2, "the balanced preset reads waiting, running and KV-cache series");
        for (const s of m.triggerSeries!) assert.ok(f.some((x) => x.check === `series ${s.metric}`));
        assert.match(renderFindings(f), /healthy: \d+ checks, 0 warning/);
    });

    it("fails a trigger KEDA cannot read, naming why", () => {
        const o = healthy();
        o.triggers[0] = { name: o.triggers[0].name, error: "KEDA would fail: prometheus query x returned multiple elements" };
        const f = failing(o);
        assert.deepStrictEqual(f.map((x) => x.check), [`trigger ${o.triggers[0].name}`]);
        assert.match(f[0].detail, /multiple elements/);
    });

    it("fails an active fallback and a failing scaler, a missing HPA and one that targets another Deployment", () => {
        const o = healthy();
        o.scaledObject.status.conditions[1] = { type: "Fallback", status: "True", message: "At least one trigger is falling back" };
        o.scaledObject.status.health["s0-prometheus"] = { numberOfFailures: 4, status: "Failing" };
        assert.match(failing(o).find((x) => x.check === "scaler errors")!.detail, /fallback active.*s0-prometheus: 4 failures/);
        assert.ok(failing({ ...healthy(), hpa: undefined }).some((x) => x.check === "HPA"));
        assert.match(failing({ ...healthy(), hpa: { spec: { scaleTargetRef: { kind: "Deployment", name: "other" } } } })[0].detail, /targets Deployment\/other/);
    });

    it("fails a series some ready engine pod no longer exports (a renamed metric), naming the pod and the triggers", () => {
        const o = healthy();
        o.seriesPods["vllm:num_requests_waiting"] = ["p1"];
        const f = failing(o);
        assert.strictEqual(f.length, 1);
        assert.match(f[0].detail, /1 of 2 ready engine pods export none \(p2\); read by load$/);
    });

    it("fails a ScaledObject KEDA found not Ready, and only warns on Unknown (KEDA's scale loop can leave it so)", () => {
        const o = healthy();
        o.scaledObject.status.conditions[0] = { type: "Ready", status: "False", reason: "ScaledObjectCheckFailed", message: "ScaledObject doesn't have correct triggers specification" };
        assert.match(failing(o).find((x) => x.check === "ScaledObject Ready")!.detail, /False: ScaledObject doesn't have correct triggers/);
        o.scaledObject.status.conditions[0] = { type: "Ready", status: "Unknown" };
        assert.deepStrictEqual(failing(o), []);
        assert.strictEqual(diagnose(plan, [o]).find((x) => x.check === "ScaledObject Ready")!.status, "warn");
    });

    it("warns, not fails, while Pulumi's field manager still holds spec.replicas, and fails missing objects", () => {
        const o = healthy();
        o.deployment.metadata.managedFields = [{ manager: "pulumi-kubernetes-abc", fieldsV1: { "f:spec": { "f:replicas": {} } } }];
        assert.deepStrictEqual(replicaOwners(o.deployment), ["pulumi-kubernetes-abc"]);
        const f = diagnose(plan, [o]);
        assert.strictEqual(f.find((x) => x.check === "replica owner")!.status, "warn");
        assert.deepStrictEqual(failing({ ...healthy(), scaledObject: undefined, deployment: undefined }).map((x) => x.check), ["ScaledObject", "engine Deployment"]);
    });
});
