// Shared test inputs: the example model, and a helper to vary it.
import type { LlmInferenceArgs, Model } from "../components";

export function llama(overrides: Partial<Model> = {}): Model {
    return {
        name: "llama3-8b",
        modelUrl: "meta-llama/Llama-3.1-8B-Instruct",
        autoscaling: { minReplicas: 0, maxReplicas: 4, targetQueueDepth: 5 },
        ...overrides,
    };
}

export function argsWith(overrides: Partial<LlmInferenceArgs> = {}): LlmInferenceArgs {
    return { models: [llama()], ...overrides };
}
