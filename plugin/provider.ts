// The package's components served to any Pulumi engine as a provider plugin
// (`pulumi-resource-vllm-autoscaling`): the engine calls Construct for a component a YAML, Python
// or Go program declares, and the component registers its children through the engine's monitor
// exactly as it does in a TypeScript program. The schema served is the committed sdk/schema.json,
// the one the Python and Go SDKs are generated from.
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { GPU_NODE_POOL_TYPE, GpuNodePool } from "../components/gpuNodePool";
import { LLM_INFERENCE_TYPE, LlmInference } from "../components/llmInference";
import { PlanValidationError } from "../components/plan/problems";

type Construct = (name: string, inputs: pulumi.Inputs, opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/** Every component type token the plugin constructs. */
export const COMPONENTS: Record<string, Construct> = {
    [LLM_INFERENCE_TYPE]: (name, inputs, opts) => new LlmInference(name, inputs as any, opts),
    [GPU_NODE_POOL_TYPE]: (name, inputs, opts) => new GpuNodePool(name, inputs as any, opts),
};

interface SchemaResource {
    isComponent?: boolean;
    properties?: Record<string, unknown>;
}

/** The component outputs a schema declares for each type token (its `properties`). */
export function outputsBySchema(schema: string): Record<string, string[]> {
    const resources = (JSON.parse(schema).resources ?? {}) as Record<string, SchemaResource>;
    return Object.fromEntries(Object.entries(resources).map(([token, r]) => [token, Object.keys(r.properties ?? {}).sort()]));
}

/**
 * A validation failure as the engine prints it best: one line per field, under the component's
 * own summary, without a stack trace (`... has a problem: <summary>` then `- property <path> ...`).
 */
export function inputPropertiesError(e: PlanValidationError): pulumi.InputPropertiesError {
    return new pulumi.InputPropertiesError({
        message: e.message.split("\n")[0],
        errors: e.problems.map((p) => ({ propertyPath: p.path, reason: p.message })),
    });
}

export class VllmAutoscalingProvider implements provider.Provider {
    private readonly outputs: Record<string, string[]>;

    constructor(readonly version: string, readonly schema: string) {
        this.outputs = outputsBySchema(schema);
        const served = Object.keys(this.outputs).sort();
        const built = Object.keys(COMPONENTS).sort();
        // The schema and the constructors come from one build; a mismatch is a packaging bug.
        if (served.join() !== built.join()) {
            throw new Error(`the plugin's schema declares ${served.join(", ")} but it constructs ${built.join(", ")}`);
        }
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
        const make = COMPONENTS[type];
        if (!make) {
            throw new Error(`unknown resource type ${type}; the vllm-autoscaling plugin ${this.version} provides ${Object.keys(COMPONENTS).join(", ")}`);
        }
        let component: pulumi.ComponentResource;
        try {
            component = make(name, inputs, options);
        } catch (e) {
            throw e instanceof PlanValidationError ? inputPropertiesError(e) : e;
        }
        const state = Object.fromEntries(this.outputs[type].map((k) => [k, (component as any)[k]]));
        return { urn: component.urn, state };
    }
}
