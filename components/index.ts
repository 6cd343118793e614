// The package's entry: the component (reusable from other languages) and the pure planner.
export { LlmInference, LLM_INFERENCE_TYPE } from "./llmInference";
export * from "./args";
export { planInference, PlanValidationError } from "./plan";
export type { InferencePlan, ChartPlan, ModelPlan, SecretPlan, Problem, ScaledObjectManifest } from "./plan";
