// The package's entry: the component (reusable from other languages) and the pure planner.
export { LlmInference, LLM_INFERENCE_TYPE } from "./llmInference";
export { GpuNodePool, GPU_NODE_POOL_TYPE } from "./gpuNodePool";
export { planGpuNodePool } from "./plan/nodePool";
export type { CapacityPlan, CostPlan, NodePoolPlan, SimulatorPlan } from "./plan";
export * from "./args";
export { planInference, PlanValidationError } from "./plan";
export type { InferencePlan, ChartPlan, ModelPlan, SecretPlan, Problem, ScaledObjectManifest } from "./plan";
