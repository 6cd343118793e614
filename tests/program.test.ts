// stacks/index.ts, the runnable Pulumi program, under mocks with a stack's config as the engine
// would hand it over (structured values as JSON text, the token as a secret key).
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as YAML from "yaml";
import { stackFile } from "../stacks/load";
import { isSecret, runWithMocks } from "./support/pulumiMocks";

function engineConfig(stack: string, extra: Record<string, string> = {}): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(stackFile(stack), "utf8"));
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config as Record<string, unknown>)) {
        config[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { ...config, ...extra };
}

describe("stacks/index.ts (the Pulumi program)", function () {
    this.timeout(30000);
    const programPath = require.resolve("../stacks/index");

    afterEach(() => {
        delete require.cache[programPath];
        pulumi.runtime.setAllConfig({}, []);
    });

    it("declares the dev stack's LlmInference from its config, the token kept secret", async () => {
        const { registrations } = await runWithMocks(() => {
            pulumi.runtime.setAllConfig(engineConfig("dev", { "vllm-autoscaling:hfToken": "hf_from_config" }), ["vllm-autoscaling:hfToken"]);
            // The program is a module run for its side effects; require() reloads it per test.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require(programPath);
        });
        const component = registrations.find((r) => r.type === "vllm-autoscaling:index:LlmInference");
        assert.ok(component, "the program registers an LlmInference");
        assert.strictEqual(component.name, "chat");
        assert.strictEqual(component.inputs.models[0].name, "qwen-0-5b");
        assert.ok(isSecret(component.inputs.models[0].hfToken), "hfToken from config stays secret");
        const so = registrations.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject");
        assert.strictEqual(so?.inputs.spec.scaleTargetRef.name, "chat-qwen-0-5b-deployment-vllm");
    });

    it("fails with the planner's field-level error on bad config, registering nothing", async () => {
        let error: unknown;
        const { registrations } = await runWithMocks(() => {
            pulumi.runtime.setAllConfig({ "vllm-autoscaling:models": JSON.stringify([{ name: "Bad_Name", modelUrl: "x/y", autoscaling: { maxReplicas: 0 } }]) }, []);
            try {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                require(programPath);
            } catch (e) {
                error = e;
            }
        });
        assert.match(String(error), /models\[0\]\.name: "Bad_Name" is not valid/);
        assert.match(String(error), /models\[0\]\.autoscaling\.maxReplicas/);
        assert.deepStrictEqual(registrations, []);
    });
});
