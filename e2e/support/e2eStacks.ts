// The stacks the end-to-end suite deploys: a stack's config (the repository's dev stack, or one of
// e2e/stacks/) with e2e/stacks/overrides.yaml laid over it, the chart sources pointed at
// ../shared/charts, and Prometheus at the suite's own. Also the plan the same config gives, which
// the live objects are compared against.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { planInference } from "../../components/plan";
import type { InferencePlan } from "../../components/plan";
import { mergeValues, Values } from "../../components/plan/merge";
import { argsFromConfig, projectEntries } from "../../stacks/config";
import { REPO_ROOT, SHARED_CHARTS } from "./paths";

export interface E2eStack {
    /** Config keys without the project prefix (what `pulumi config` holds in the clear). */
    config: Values;
    /** Secret config values, set with `pulumi config set --secret`. */
    secrets: Record<string, string>;
    /** The plan the same config gives (secrets as placeholders). */
    plan: InferencePlan;
    /** Where each chart comes from, for the test output. */
    chartSources: string[];
    /** Removes the chart copies made for this stack. */
    removeTemporary: () => void;
}

function readConfig(file: string, prefixed: boolean): Values {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    return prefixed ? projectEntries(doc.config ?? {}) : doc;
}

/** `{ a: { b: false } }` for the Helm condition path "a.b". */
function disabledAt(condition: string): Values {
    return condition.split(".").reverse().reduce<Values>((inner, key) => ({ [key]: inner }), false as unknown as Values);
}

/**
 * The chart folder to install. Helm refuses a chart whose Chart.yaml dependencies are missing
 * from its charts/ folder, even when their condition is false. Where the ../shared copy lacks
 * some (kube-prometheus-stack's subcharts are absent here), install a copy without them and turn
 * their conditions off: a stand-in the test output and docs/end-to-end.md name.
 */
function installableChart(dir: string): { dir: string; values: Values; note?: string } {
    const chart = YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
    const present = fs.existsSync(path.join(dir, "charts"))
        ? fs.readdirSync(path.join(dir, "charts")).map((f) => f.replace(/-[0-9][^/]*\.tgz$/, "")) : [];
    const missing = (chart.dependencies ?? []).filter((d: any) => !present.includes(d.name));
    if (missing.length === 0) return { dir, values: {} };
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "e2e-chart-")), path.basename(dir));
    fs.cpSync(dir, copy, { recursive: true });
    fs.chmodSync(copy, 0o755);
    chart.dependencies = chart.dependencies.filter((d: any) => present.includes(d.name));
    fs.chmodSync(path.join(copy, "Chart.yaml"), 0o644);
    fs.writeFileSync(path.join(copy, "Chart.yaml"), YAML.stringify(chart));
    const values = missing.filter((d: any) => d.condition).reduce((v: Values, d: any) => mergeValues(v, disabledAt(d.condition)), {});
    return {
        dir: copy, values,
        note: `its subcharts ${missing.map((d: any) => d.name).join(", ")} are missing from ${dir}/charts: installing a copy without them, turned off (${Object.keys(values).join(", ")})`,
    };
}

/** `base`: "dev" (stacks/Pulumi.dev.yaml) or a file name under e2e/stacks/; `extra`: config a test lays over it. */
export function e2eStack(base: string, prometheusUrl: string, secrets: Record<string, string>, extra: Values = {}): E2eStack {
    const config = base.endsWith(".yaml")
        ? readConfig(path.join(REPO_ROOT, "e2e", "stacks", base), false)
        : readConfig(path.join(REPO_ROOT, "stacks", `Pulumi.${base}.yaml`), true);
    let merged = mergeValues(config, readConfig(path.join(REPO_ROOT, "e2e", "stacks", "overrides.yaml"), false));
    const chartSources: string[] = [];
    const temporary: string[] = [];
    const charts: [string, string][] = [["keda", "keda"], ["monitoring", "kube-prometheus-stack"], ["vllmStack", "vllm-stack"]];
    for (const [key, chart] of charts) {
        const shared = path.join(SHARED_CHARTS, chart);
        if (fs.existsSync(path.join(shared, "Chart.yaml"))) {
            const { dir, values, note } = installableChart(shared);
            if (dir !== shared) temporary.push(path.dirname(dir));
            merged = mergeValues(merged, { [key]: { repo: dir, values } });
            chartSources.push(`${chart}: ${shared}${note ? `; ${note}` : ""}`);
        } else {
            chartSources.push(`${chart}: its public repository (${shared} is absent)`);
        }
    }
    merged = mergeValues(mergeValues(merged, extra), { monitoring: { prometheusUrl } });
    const placeholders = Object.fromEntries(Object.keys(secrets).map((k) => [k, "[secret]"]));
    const { componentName, args } = argsFromConfig(merged, placeholders);
    return {
        config: merged, secrets, plan: planInference(componentName, args), chartSources,
        removeTemporary: () => temporary.forEach((d) => fs.rmSync(d, { recursive: true, force: true })),
    };
}
