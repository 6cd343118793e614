// Shared test inputs: the example model, and a helper to vary it.
import { planInference, PlanValidationError } from "../components";
import type { InferencePlan, LlmInferenceArgs, Model } from "../components";

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

/** The alert tests' plan: a GPU model on latency-first (TTFT SLO, KV, load) that scales to zero, and a simulator model on queue-depth. */
export function alertsPlan(): InferencePlan {
    return planInference("chat", {
        models: [
            llama({ autoscaling: { minReplicas: 0, maxReplicas: 4, strategy: "latency-first" } }),
            llama({ name: "small", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { minReplicas: 1, maxReplicas: 2, strategy: "queue-depth" } }),
        ],
    });
}

/** A GPU model (latency-first + gpuUtilization, scales to zero) and a simulator model, on an existing priced pool, with dcgm-exporter. */
export function dashboardPlan(): InferencePlan {
    return planInference("chat", {
        models: [
            llama({ autoscaling: { minReplicas: 0, maxReplicas: 4, strategy: "latency-first", gpuUtilization: { enabled: true } } }),
            llama({ name: "small", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", engine: "simulator", autoscaling: { minReplicas: 1, maxReplicas: 2, strategy: "queue-depth" } }),
        ],
        gpuNodePool: { existing: true, maxNodes: 4, gpusPerNode: 2, hourlyCost: 1.5 },
        gpuMetrics: { install: true },
    });
}

/** The "path: message" lines of the PlanValidationError planInference throws for `args` (none: []). */
export function planProblems(args: LlmInferenceArgs, name = "chat"): string[] {
    try {
        planInference(name, args);
        return [];
    } catch (e) {
        if (!(e instanceof PlanValidationError)) throw e;
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
}
