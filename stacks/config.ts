// Pulumi stack config -> LlmInference args, shared by the Pulumi program (stacks/index.ts) and
// the offline `npm run plan`. Config keys are the component's top-level args under the project
// namespace (`vllm-autoscaling:models`, `vllm-autoscaling:keda`, ...), plus:
//   vllm-autoscaling:name     component name (default "llm"), also the vllm-stack release name
//   vllm-autoscaling:hfToken  secret; given to every model
//   vllm-autoscaling:grafanaAdminPassword  secret; monitoring.grafanaAdminPassword
// Everything else passes through to planInference, which validates it (unknown keys included).
import type * as pulumi from "@pulumi/pulumi";
import type { LlmInferenceArgs } from "../components/args";

export const PROJECT = "vllm-autoscaling";
export const DEFAULT_COMPONENT_NAME = "llm";

export interface StackInputs {
    componentName: string;
    args: LlmInferenceArgs;
}

export class StackConfigError extends Error {}

/** The stack's secret config values, read apart so that they stay secret Outputs. */
export interface StackSecrets {
    hfToken?: pulumi.Input<string>;
    grafanaAdminPassword?: pulumi.Input<string>;
}

/**
 * `entries` holds this project's config keys without the `vllm-autoscaling:` prefix, values
 * already parsed from YAML/JSON. The secrets are passed apart so they stay Outputs.
 */
export function argsFromConfig(entries: Record<string, unknown>, secrets: StackSecrets = {}): StackInputs {
    const { name, hfToken: _token, grafanaAdminPassword: _password, models, ...rest } = entries;
    const { hfToken, grafanaAdminPassword } = secrets;
    if (name !== undefined && (typeof name !== "string" || name.length === 0)) {
        throw new StackConfigError(`config ${PROJECT}:name: ${JSON.stringify(name)} is not a non-empty string; use e.g. "chat"`);
    }
    const withToken = Array.isArray(models) && hfToken !== undefined
        ? models.map((m) => (typeof m === "object" && m !== null ? { ...m, hfToken } : m))
        : models;
    const args = { ...(rest as Partial<LlmInferenceArgs>), models: withToken } as LlmInferenceArgs;
    if (grafanaAdminPassword !== undefined) {
        const monitoring = typeof args.monitoring === "object" && args.monitoring !== null ? args.monitoring : {};
        args.monitoring = { ...monitoring, grafanaAdminPassword };
    }
    return { componentName: (name as string | undefined) ?? DEFAULT_COMPONENT_NAME, args };
}

/** Keys of one stack's `config:` block that belong to this project, prefix removed. */
export function projectEntries(config: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(`${PROJECT}:`)) out[key.slice(PROJECT.length + 1)] = value;
    }
    return out;
}
