// What `npm run doctor` concludes about a live stack, as a pure function of the plan and what was
// observed in the cluster and in Prometheus (scripts/doctor.ts gathers that), so every verdict is
// unit-testable without a cluster.
import type { InferencePlan } from "../../components/plan/types";

export type Status = "ok" | "warn" | "fail";

export interface Finding {
    model: string;
    check: string;
    status: Status;
    detail: string;
    /** What to do, for anything but ok. */
    fix?: string;
}

/** One trigger's query as KEDA would read it: a value, or why KEDA would fail. */
export interface TriggerReading {
    name: string;
    value?: number;
    error?: string;
}

/** What was observed of one model (undefined: the object does not exist). */
export interface ModelObservation {
    triggers: TriggerReading[];
    scaledObject?: any;
    hpa?: any;
    deployment?: any;
    /** Names of the engine Deployment's ready pods. */
    readyPods: string[];
    /** Per metric the triggers read (ReadSeries.metric): the pods that export it, or why that is unknown. */
    seriesPods: Record<string, string[] | { error: string }>;
}

function condition(obj: any, type: string): any {
    return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Field managers that own `spec.replicas` (managedFields, server-side apply bookkeeping). */
export function replicaOwners(deployment: any): string[] {
    return (deployment?.metadata?.managedFields ?? [])
        .filter((f: any) => f.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined)
        .map((f: any) => `${f.manager}${f.subresource ? ` (${f.subresource})` : ""}`);
}

export function diagnose(plan: InferencePlan, observed: ModelObservation[]): Finding[] {
    const out: Finding[] = [];
    plan.models.forEach((m, i) => {
        const o = observed[i];
        const add = (check: string, status: Status, detail: string, fix?: string) => out.push({ model: m.name, check, status, detail, ...(fix ? { fix } : {}) });

        for (const t of o.triggers) {
            if (t.error !== undefined) {
                add(`trigger ${t.name}`, "fail", t.error,
                    "KEDA gets no value from this query: check that Prometheus is reachable at the ScaledObject's serverAddress and scrapes the engines (ServiceMonitors)");
            } else {
                add(`trigger ${t.name}`, "ok", `one sample: ${t.value}`);
            }
        }

        const so = o.scaledObject;
        if (!so) {
            add("ScaledObject", "fail", `${plan.namespace}/${m.scaledObjectName} does not exist`, "run `pulumi up`; check that KEDA's CRDs are installed");
        } else {
            const ready = condition(so, "Ready");
            if (ready?.status === "True") {
                add("ScaledObject Ready", "ok", "Ready");
            } else if (ready?.status === "Unknown") {
                // Seen on the real loop: KEDA 2.20's scale loop can write its initial conditions
                // (Ready Unknown) over the reconciler's Ready True; the other rows say whether it scales.
                add("ScaledObject Ready", "warn", "Ready is Unknown: KEDA has not (re)confirmed the ScaledObject",
                    "if the triggers and the HPA rows are ok, it scales; any change to the ScaledObject makes KEDA re-check it");
            } else {
                add("ScaledObject Ready", "fail", `Ready is ${ready?.status ?? "absent"}${ready?.message ? `: ${ready.message}` : ""}`,
                    "read `kubectl describe scaledobject` and KEDA's operator log");
            }
            const fallback = condition(so, "Fallback");
            const failing = Object.entries(so.status?.health ?? {}).filter(([, h]: [string, any]) => h?.status === "Failing");
            if (fallback?.status === "True" || failing.length > 0) {
                add("scaler errors", "fail", [
                    ...(fallback?.status === "True" ? [`fallback active (${fallback.message ?? fallback.reason ?? "scaler failing"})`] : []),
                    ...failing.map(([metric, h]: [string, any]) => `${metric}: ${h.numberOfFailures} failures in a row`),
                ].join("; "), "the replicas are held by the fallback, not by the load: fix the failing trigger (above)");
            } else {
                add("scaler errors", "ok", "none");
            }
            if (so.metadata?.annotations?.["autoscaling.keda.sh/paused"] === "true") {
                add("paused", "warn", "autoscaling is paused: KEDA does not change the replicas", "set autoscaling.paused: false and `pulumi up` when done");
            }
        }

        const hpa = o.hpa;
        if (!hpa) {
            add("HPA", "fail", `${m.hpaName} does not exist`, "KEDA creates it from the ScaledObject: check the ScaledObject's status and KEDA's operator");
        } else if (hpa.spec?.scaleTargetRef?.name !== m.deploymentName) {
            add("HPA", "fail", `${m.hpaName} targets ${hpa.spec?.scaleTargetRef?.kind}/${hpa.spec?.scaleTargetRef?.name}, not Deployment/${m.deploymentName}`,
                "the ScaledObject's scaleTargetRef must name the engine Deployment; re-run `pulumi up`");
        } else {
            add("HPA", "ok", `${m.hpaName} -> Deployment/${m.deploymentName}`);
        }

        const d = o.deployment;
        if (!d) {
            add("engine Deployment", "fail", `${plan.namespace}/${m.deploymentName} does not exist`, "run `pulumi up`; check the chart's rendering (`npm run plan`)");
        } else {
            const owners = replicaOwners(d);
            const pulumiOwned = owners.filter((x) => x.startsWith("pulumi"));
            if (pulumiOwned.length === 0) {
                add("replica owner", "ok", `spec.replicas held by ${owners.join(", ") || "nobody"}`);
            } else {
                add("replica owner", "warn", `spec.replicas still held by ${owners.join(", ")} (set at creation)`,
                    "KEDA's HPA takes it over at its first change; if `pulumi up` ever changes the replicas, the Deployment lacks ignoreChanges [spec.replicas]");
            }
        }

        for (const s of m.triggerSeries ?? []) {
            const pods = o.seriesPods[s.metric];
            if (pods === undefined) continue;
            if (!Array.isArray(pods)) {
                add(`series ${s.metric}`, "fail", `could not be read: ${pods.error}`, "check that Prometheus is reachable");
                continue;
            }
            const silent = o.readyPods.filter((p) => !pods.includes(p));
            if (o.readyPods.length === 0) {
                add(`series ${s.metric}`, "ok", "no ready engine pod to export it");
            } else if (silent.length > 0) {
                add(`series ${s.metric}`, "fail", `${silent.length} of ${o.readyPods.length} ready engine pods export none (${silent.join(", ")}); read by ${s.triggers.join(", ")}`,
                    "the engine renamed or dropped the metric (a vLLM upgrade?) or Prometheus does not scrape those pods: the trigger reads 0 for them");
            } else {
                add(`series ${s.metric}`, "ok", `exported by all ${o.readyPods.length} ready engine pods`);
            }
        }
    });
    return out;
}

/** The findings as an aligned text table, fixes under the row they belong to. */
export function renderFindings(findings: Finding[]): string {
    const head = { model: "MODEL", check: "CHECK", status: "STATUS", detail: "DETAIL" };
    const w = (k: "model" | "check" | "status") => Math.max(head[k].length, ...findings.map((f) => f[k].length));
    const line = (f: { model: string; check: string; status: string; detail: string }) =>
        `${f.model.padEnd(w("model"))}  ${f.check.padEnd(w("check"))}  ${f.status.toUpperCase().padEnd(w("status"))}  ${f.detail}`;
    const rows = [line(head)];
    for (const f of findings) {
        rows.push(line(f));
        if (f.fix) rows.push(`${"".padEnd(w("model") + w("check") + w("status") + 6)}  fix: ${f.fix}`);
    }
    const fails = findings.filter((f) => f.status === "fail").length;
    const warns = findings.filter((f) => f.status === "warn").length;
    rows.push("", fails === 0 ? `healthy: ${findings.length} checks, ${warns} warning(s)` : `${fails} problem(s) to fix, ${warns} warning(s), of ${findings.length} checks`);
    return rows.join("\n");
}
