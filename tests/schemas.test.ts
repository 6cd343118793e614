// What the package generates, validated against the upstream schemas in ../shared/reference.
import * as assert from "assert";
import { planInference } from "../components";
import { argsWith, llama } from "./fixtures";
import { KEDA_CRD, scaledObjectValidator, skipUnlessPresent, vllmStackValuesValidator, VLLM_STACK_SCHEMA } from "./support/reference";
import { listStacks, planStack } from "../stacks/load";

const variants = {
    "the issue's example": argsWith(),
    "min 1, tuned behavior, paused": argsWith({ models: [llama({ autoscaling: { minReplicas: 1, maxReplicas: 8, paused: true, fallbackReplicas: 2, scaleDownStabilizationSeconds: 600 } })] }),
    "two models, token, cache, tensor parallel": argsWith({
        models: [
            llama({ hfToken: "x", cacheSize: "100Gi", cacheStorageClass: "premium-rwo", gpusPerReplica: 4, maxModelLen: 8192, extraArgs: ["--dtype", "bfloat16"] }),
            llama({ name: "small", modelUrl: "Qwen/Qwen2.5-0.5B-Instruct", autoscaling: { maxReplicas: 2 } }),
        ],
    }),
    "existing KEDA and Prometheus": argsWith({ keda: { install: false }, monitoring: { install: false, prometheusUrl: "https://prom.example:9090" } }),
    "GPU metrics and the gpuUtilization trigger on a priced pool": argsWith({
        models: [llama({ autoscaling: { minReplicas: 0, maxReplicas: 4, strategy: "latency-first", gpuUtilization: { enabled: true, target: 70 } } })],
        gpuNodePool: { existing: true, maxNodes: 4, gpusPerNode: 1, hourlyCost: 0.9 },
        gpuMetrics: { install: true },
    }),
};

describe("generated manifests against upstream schemas", () => {
    describe("ScaledObjects vs the KEDA 2.20.2 CRD", function () {
        let validate: ReturnType<typeof scaledObjectValidator>;
        before(function () {
            skipUnlessPresent(this, KEDA_CRD);
            validate = scaledObjectValidator();
        });

        it("rejects a ScaledObject with a misspelled or mistyped field (the check can fail)", () => {
            const so = structuredClone(planInference("chat", argsWith()).scaledObjects[0]) as any;
            so.spec.pollingIntervall = 15;
            so.spec.triggers[0].metadata.threshold = 5;
            const errors = validate(so);
            assert.ok(errors.some((e) => /pollingIntervall/.test(e)), errors.join("\n"));
            assert.ok(errors.some((e) => /threshold/.test(e) || /metadata/.test(e)), errors.join("\n"));
        });

        for (const [what, args] of Object.entries(variants)) {
            it(`accepts every ScaledObject for ${what}`, () => {
                for (const so of planInference("chat", args).scaledObjects) assert.deepStrictEqual(validate(so), []);
            });
        }
        for (const stack of listStacks()) {
            it(`accepts every ScaledObject of stack ${stack}`, () => {
                for (const so of planStack(stack).scaledObjects) assert.deepStrictEqual(validate(so), []);
            });
        }
    });

    describe("vllm-stack values vs the chart's values.schema.json (0.1.12)", function () {
        let validate: ReturnType<typeof vllmStackValuesValidator>;
        before(function () {
            skipUnlessPresent(this, VLLM_STACK_SCHEMA);
            validate = vllmStackValuesValidator();
        });

        it("rejects values Helm would reject (the check can fail)", () => {
            const values = structuredClone(planInference("chat", argsWith()).charts.vllmStack.values);
            values.routerSpec.routingLogic = "fastest";
            values.servingEngineSpec.modelSpec[0].vllmConfig.enablePrefixCaching = "yes";
            const errors = validate(values);
            assert.ok(errors.some((e) => /routingLogic/.test(e)), errors.join("\n"));
            assert.ok(errors.some((e) => /enablePrefixCaching/.test(e)), errors.join("\n"));
        });

        for (const [what, args] of Object.entries(variants)) {
            it(`accepts the values for ${what}`, () => {
                assert.deepStrictEqual(validate(planInference("chat", args).charts.vllmStack.values), []);
            });
        }
        for (const stack of listStacks()) {
            it(`accepts the values of stack ${stack}`, () => {
                assert.deepStrictEqual(validate(planStack(stack).charts.vllmStack.values), []);
            });
        }
    });
});
