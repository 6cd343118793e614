// `npm run doctor -- --stack <name>`: checks a live stack the way KEDA sees it. For each model:
// every trigger query returns exactly one sample, the ScaledObject is Ready with no scaler errors,
// KEDA's HPA targets the engine Deployment, every ready engine pod exports the series the triggers
// read, and who holds the Deployment's replicas. Prints a table; exits 1 when anything must be fixed.
// Reads the cluster with kubectl and Prometheus over its HTTP API; changes nothing.
import { execFile } from "node:child_process";
import { parseArgs, promisify } from "node:util";
import type { InferencePlan } from "../components/plan/types";
import { PlanValidationError } from "../components/plan/problems";
import { StackConfigError } from "../stacks/config";
import { planStack, STACKS_DIR } from "../stacks/load";
import { diagnose, renderFindings, type ModelObservation, type TriggerReading } from "./doctor/checks";
import { kedaValue, queryPrometheus } from "./lib/prometheusQuery";

const USAGE = `usage: npm run doctor -- --stack <name> [--prometheus-url <url>] [--kubeconfig <file>] [--context <name>]
  --stack           the stack to check: <stack-dir>/Pulumi.<name>.yaml (its plan says what should exist)
  --stack-dir       where the stack files are (default: stacks/)
  --prometheus-url  the Prometheus KEDA queries, as reachable from here, e.g. through
                    \`kubectl port-forward -n monitoring svc/prometheus-operated 9090\`: http://127.0.0.1:9090
                    (default: the plan's monitoring.prometheusUrl, an in-cluster address)
  --kubeconfig, --context   for kubectl (default: kubectl's own)
  --kubectl         the kubectl binary (default: kubectl on PATH)
  --json            print the findings as JSON`;

const run = promisify(execFile);

interface Options { kubectl: string; kubeArgs: string[]; prometheusUrl: string }

async function kubectlGet(o: Options, args: string[]): Promise<any | undefined> {
    try {
        const { stdout } = await run(o.kubectl, [...o.kubeArgs, "get", ...args, "-o", "json"], { timeout: 60_000, maxBuffer: 64 << 20 });
        return JSON.parse(stdout);
    } catch (e: any) {
        if (/NotFound|not found/.test(String(e.stderr ?? e.message))) return undefined;
        throw new Error(`kubectl get ${args.join(" ")}: ${String(e.stderr ?? e.message).trim()}`);
    }
}

async function readTriggers(o: Options, so: any): Promise<TriggerReading[]> {
    const out: TriggerReading[] = [];
    for (const t of so.spec.triggers ?? []) {
        if (t.type !== "prometheus") continue;
        const query = t.metadata.query as string;
        try {
            const value = kedaValue(await queryPrometheus(o.prometheusUrl, query), query, { ignoreNullValues: t.metadata.ignoreNullValues !== "false" });
            out.push({ name: t.name, value });
        } catch (e) {
            out.push({ name: t.name, error: e instanceof Error ? e.message : String(e) });
        }
    }
    return out;
}

async function observeModel(o: Options, plan: InferencePlan, i: number): Promise<ModelObservation> {
    const m = plan.models[i];
    const ns = ["-n", plan.namespace];
    const [scaledObject, hpa, deployment] = await Promise.all([
        kubectlGet(o, ["scaledobjects.keda.sh", m.scaledObjectName, ...ns]),
        kubectlGet(o, ["horizontalpodautoscalers.autoscaling", m.hpaName, ...ns]),
        kubectlGet(o, ["deployment", m.deploymentName, ...ns]),
    ]);
    let readyPods: string[] = [];
    const selector = deployment?.spec?.selector?.matchLabels;
    if (selector) {
        const pods = await kubectlGet(o, ["pods", ...ns, "-l", Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",")]);
        readyPods = (pods?.items ?? [])
            .filter((p: any) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"))
            .map((p: any) => p.metadata.name);
    }
    const seriesPods: ModelObservation["seriesPods"] = {};
    for (const s of m.triggerSeries ?? []) {
        try {
            const r = await queryPrometheus(o.prometheusUrl, `count by (pod) (${s.selector})`);
            seriesPods[s.metric] = r.resultType === "vector" ? r.samples.map((x) => x.metric.pod).filter(Boolean) : [];
        } catch (e) {
            seriesPods[s.metric] = { error: e instanceof Error ? e.message : String(e) };
        }
    }
    return { triggers: await readTriggers(o, plan.scaledObjects[i]), scaledObject, hpa, deployment, readyPods, seriesPods };
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" }, "stack-dir": { type: "string" }, "prometheus-url": { type: "string" },
            kubeconfig: { type: "string" }, context: { type: "string" }, kubectl: { type: "string" }, json: { type: "boolean" },
            help: { type: "boolean" },
        },
    });
    if (values.help || !values.stack) {
        console.log(USAGE);
        return values.help ? 0 : 2;
    }
    const plan = planStack(values.stack, values["stack-dir"] ?? STACKS_DIR);
    const o: Options = {
        kubectl: values.kubectl ?? "kubectl",
        kubeArgs: [...(values.kubeconfig ? ["--kubeconfig", values.kubeconfig] : []), ...(values.context ? ["--context", values.context] : [])],
        prometheusUrl: values["prometheus-url"] ?? plan.prometheusUrl,
    };
    const observed = await Promise.all(plan.models.map((_, i) => observeModel(o, plan, i)));
    const findings = diagnose(plan, observed);
    if (values.json) console.log(JSON.stringify(findings, null, 2));
    else console.log(`Stack "${values.stack}": LlmInference "${plan.name}" in ${plan.namespace}, Prometheus ${o.prometheusUrl}\n\n${renderFindings(findings)}`);
    return findings.some((f) => f.status === "fail") ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
    if (e instanceof PlanValidationError || e instanceof StackConfigError) console.error(e.message);
    else console.error(`doctor: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
});
