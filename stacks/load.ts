// Reads a stack file (stacks/Pulumi.<stack>.yaml) the way the Pulumi program would see it, for
// the offline commands (`plan`, `simulate`) and the tests. Secure values cannot be decrypted
// here; a placeholder stands in for them (planInference never puts secrets in the plan anyway).
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { planInference } from "../components/plan";
import type { InferencePlan } from "../components/plan/types";
import { SECRET_PLACEHOLDER } from "../components/plan/types";
import { argsFromConfig, projectEntries, StackConfigError, StackInputs } from "./config";

/** The repository's stacks/ folder, from both the sources and dist/. */
export const STACKS_DIR = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../../stacks" : ".");

export function stackFile(stack: string, dir = STACKS_DIR): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Stack names that have a file in `dir`. */
export function listStacks(dir = STACKS_DIR): string[] {
    return fs.readdirSync(dir)
        .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

function replaceSecure(v: unknown): unknown {
    if (isSecure(v)) return SECRET_PLACEHOLDER;
    if (Array.isArray(v)) return v.map(replaceSecure);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceSecure(x)]));
    return v;
}

export function loadStack(stack: string, dir = STACKS_DIR): StackInputs {
    const file = stackFile(stack, dir);
    if (!fs.existsSync(file)) {
        throw new StackConfigError(`no stack "${stack}": ${file} does not exist; stacks here: ${listStacks(dir).join(", ") || "none"}`);
    }
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    return inputsFromEntries(projectEntries(replaceSecure(doc.config ?? {}) as Record<string, unknown>));
}

/** The component inputs of config entries (keys without the project prefix), secrets as placeholders. */
function inputsFromEntries(entries: Record<string, unknown>): StackInputs {
    const secret = (key: string) => (entries[key] === undefined ? undefined : SECRET_PLACEHOLDER);
    return argsFromConfig(entries, { hfToken: secret("hfToken"), grafanaAdminPassword: secret("grafanaAdminPassword") });
}

/**
 * The plan of a stack config file outside stacks/ (e2e/stacks/*.yaml): either a Pulumi stack file
 * (`config:` with project-prefixed keys) or the bare keys the end-to-end stacks use.
 */
export function planStackFile(file: string): InferencePlan {
    if (!fs.existsSync(file)) throw new StackConfigError(`no stack file ${file}`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const entries = doc.config !== undefined ? projectEntries(replaceSecure(doc.config) as Record<string, unknown>) : (replaceSecure(doc) as Record<string, unknown>);
    const { componentName, args } = inputsFromEntries(entries);
    return planInference(componentName, args);
}

export function planStack(stack: string, dir = STACKS_DIR): InferencePlan {
    const { componentName, args } = loadStack(stack, dir);
    return planInference(componentName, args);
}
