// `npm run plan -- [--stack dev] [--json]`: what a stack would deploy, without a cloud, a
// cluster or the Pulumi CLI. The default view is for people; --json prints the plan itself.
import { parseArgs } from "util";
import * as YAML from "yaml";
import type { InferencePlan } from "../components/plan/types";
import { PlanValidationError } from "../components/plan/problems";
import { StackConfigError } from "../stacks/config";
import { listStacks, planStack, stackFile } from "../stacks/load";
import { renderPlacement } from "./placementView";
import { describeTriggers } from "../components/plan/describeTriggers";

const USAGE = `usage: npm run plan -- [--stack <name>] [--json]
  --stack  stack to plan: stacks/Pulumi.<name>.yaml (default: dev)
  --json   print the plan as JSON instead of the readable view`;

function section(title: string): string {
    return `\n== ${title} ==\n`;
}

export function renderPlan(stack: string, plan: InferencePlan): string {
    const out: string[] = [];
    out.push(`Stack "${stack}" (${stackFile(stack)}): LlmInference "${plan.name}" in namespace ${plan.namespace}`);
    out.push(`Router endpoint: ${plan.endpoint}`);
    out.push(`Prometheus for KEDA: ${plan.prometheusUrl} (engines and router scraped every ${plan.scrapeIntervalSeconds}s)`);
    out.push(section("Helm charts"));
    for (const [key, c] of Object.entries(plan.charts)) {
        if (!c) continue;
        out.push(`${key}: ${c.chart} ${c.version} from ${c.repo} -> release "${c.releaseName}" in ${c.namespace}`);
    }
    for (const [key, c] of Object.entries(plan.charts)) {
        if (!c) continue;
        out.push(section(`values for ${c.chart} (${key})`));
        out.push(YAML.stringify(c.values).trimEnd());
    }
    if (plan.secrets.length > 0) {
        out.push(section("Secrets (values are never in the plan)"));
        for (const s of plan.secrets) out.push(`${s.namespace}/${s.name}: ${Object.entries(s.keys).map(([k, v]) => `${k} = ${v}`).join(", ")}`);
    }
    out.push(...renderPlacement(plan, section));
    out.push(section("What scales each model"));
    plan.scaledObjects.forEach((so, i) => {
        out.push(`${plan.models[i].name} (ScaledObject ${so.metadata?.name}):`);
        for (const line of describeTriggers(so)) out.push(`  - ${line}`);
    });
    out.push(section("KEDA ScaledObjects"));
    out.push(plan.scaledObjects.map((so) => YAML.stringify(so).trimEnd()).join("\n---\n"));
    if (plan.warnings.length > 0) {
        out.push(section("Warnings"));
        for (const w of plan.warnings) out.push(`- ${w}`);
    }
    return out.join("\n") + "\n";
}

function main(): number {
    let values;
    try {
        ({ values } = parseArgs({ options: { stack: { type: "string", default: "dev" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } } }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(`${USAGE}\nstacks: ${listStacks().join(", ")}\n`);
        return 0;
    }
    const stack = values.stack!;
    try {
        const plan = planStack(stack);
        process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(stack, plan));
        return 0;
    } catch (e) {
        if (e instanceof PlanValidationError || e instanceof StackConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) process.exitCode = main();
