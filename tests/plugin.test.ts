// The provider plugin's core (plugin/provider.ts) under Pulumi's mocks, and which cloud SDK a
// stack loads: none without a pool, only that cloud's with one. The plugin on the real engine
// (archive, install, get-schema, YAML and Python programs) is tests/e2e/languages.e2e.ts.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_POOL_TYPE, LLM_INFERENCE_TYPE } from "../components";
import { COMPONENTS, outputsBySchema, VllmAutoscalingProvider } from "../plugin/provider";
import { argsWith, llama } from "./fixtures";
import { promiseOf, runWithMocks } from "./support/pulumiMocks";

const ROOT = path.resolve(__dirname, "..", "..");
const SCHEMA = fs.readFileSync(path.join(ROOT, "sdk", "schema.json"), "utf8");
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;

describe("provider plugin (plugin/provider.ts) under mocks", function () {
    this.timeout(60000);
    const provider = new VllmAutoscalingProvider(VERSION, SCHEMA);

    // (That the installed plugin serves sdk/schema.json is checked on the real engine, by get-schema.)
    it("constructs exactly the components the committed schema declares, and refuses a schema that differs", () => {
        assert.deepStrictEqual(Object.keys(COMPONENTS).sort(), [GPU_NODE_POOL_TYPE, LLM_INFERENCE_TYPE].sort());
        assert.deepStrictEqual(Object.keys(outputsBySchema(SCHEMA)).sort(), Object.keys(COMPONENTS).sort());
        const other = JSON.stringify({ resources: { [LLM_INFERENCE_TYPE]: {} } });
        assert.throws(() => new VllmAutoscalingProvider(VERSION, other), /declares vllm-autoscaling:index:LlmInference but it constructs .*GpuNodePool/);
    });

    it("constructs LlmInference: its children registered under it, the schema's outputs as the state", async () => {
        const { registrations, result } = await runWithMocks(() => provider.construct("chat", LLM_INFERENCE_TYPE, argsWith() as any, {}));
        const r = result as pulumi.provider.ConstructResult;
        const urn = await promiseOf(pulumi.output(r.urn));
        const component = registrations.find((x) => x.type === LLM_INFERENCE_TYPE)!;
        assert.strictEqual(urn, component.urn);
        assert.ok(registrations.filter((x) => x.parent === component.urn).length >= 3, "the component's children have it as parent");
        const outputs = outputsBySchema(SCHEMA)[LLM_INFERENCE_TYPE];
        assert.deepStrictEqual(Object.keys(r.state).sort(), outputs);
        assert.strictEqual(await promiseOf(r.state.namespace as pulumi.Output<string>), "llm");
        assert.deepStrictEqual(await promiseOf(r.state.scaledObjectNames as pulumi.Output<string[]>), ["chat-llama3-8b"]);
    });

    it("reports every invalid field at once as the engine's property errors, before any child is registered", async () => {
        const bad = argsWith({ models: [llama({ autoscaling: { minReplicas: 5, maxReplicas: 2 } }), llama({ name: "Bad_Name" })] });
        let caught: unknown;
        const { registrations } = await runWithMocks(async () => {
            try {
                await provider.construct("chat", LLM_INFERENCE_TYPE, bad as any, {});
            } catch (e) {
                caught = e;
            }
        });
        assert.ok(pulumi.InputPropertiesError.isInstance(caught), `not an InputPropertiesError: ${caught}`);
        const e = caught as pulumi.InputPropertiesError;
        assert.match(e.message, /^LlmInference "chat": \d+ problems in the arguments:$/);
        const paths = e.errors.map((x) => x.propertyPath);
        assert.ok(paths.includes("models[0].autoscaling.minReplicas") || paths.includes("models[0].autoscaling.maxReplicas"), paths.join(", "));
        assert.ok(paths.some((p) => p.startsWith("models[1].name")), paths.join(", "));
        assert.ok(e.errors.every((x) => x.reason.length > 10 && !x.reason.includes("    at ")), "reasons without stack frames");
        assert.deepStrictEqual(registrations.filter((x) => x.type !== LLM_INFERENCE_TYPE).map((x) => x.type), [], "no child registered");
    });

    it("refuses a type token it does not provide, naming the ones it does", async () => {
        await assert.rejects(provider.construct("x", "vllm-autoscaling:index:LlmInferense", {}, {}),
            /unknown resource type vllm-autoscaling:index:LlmInferense; the vllm-autoscaling plugin 0\.\d+\.\d+ provides .*LlmInference/);
    });
});

/**
 * Constructs `args` for `component` under mocks in a fresh Node.js process and returns the cloud
 * SDKs loaded there (a test process shares its module cache with every other test file).
 * `hide` makes that SDK unresolvable, as in a program that did not install it.
 */
function cloudSdksLoaded(component: "LlmInference" | "GpuNodePool", args: unknown, hide?: string): { loaded: string[]; error?: string } {
    const script = `
        const Module = require("module");
        const hide = process.argv[2];
        if (hide) {
            const resolve = Module._resolveFilename;
            Module._resolveFilename = function (request, ...rest) {
                if (request === hide || request.startsWith(hide + "/")) {
                    const e = new Error("Cannot find module '" + request + "'"); e.code = "MODULE_NOT_FOUND"; throw e;
                }
                return resolve.call(this, request, ...rest);
            };
        }
        const { runWithMocks } = require(${JSON.stringify(path.join(ROOT, "dist/tests/support/pulumiMocks.js"))});
        const components = require(${JSON.stringify(path.join(ROOT, "dist/components/index.js"))});
        let error;
        runWithMocks(() => {
            try { new components[${JSON.stringify(component)}]("x", JSON.parse(process.argv[1])); } catch (e) { error = e.message; }
        }).then(() => {
            const loaded = [...new Set(Object.keys(require.cache).map((f) => (f.match(/node_modules\\/(@pulumi\\/(?:aws|gcp))\\//) || [])[1]).filter(Boolean))].sort();
            console.log(JSON.stringify({ loaded, error }));
            process.exit(0);
        });`;
    const out = execFileSync(process.execPath, ["-e", script, JSON.stringify(args), hide ?? ""], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    return JSON.parse(out.trim().split("\n").pop()!);
}

describe("cloud SDKs loaded only for the pool that needs them", function () {
    this.timeout(120000);
    const gke = { gke: { cluster: "prod", location: "us-central1-a", machineType: "g2-standard-8", acceleratorType: "nvidia-l4", acceleratorCount: 1 }, minNodes: 0, maxNodes: 4 };
    const eks = { eks: { clusterName: "prod", nodeRoleArn: "arn:aws:iam::123456789012:role/gpu", subnetIds: ["subnet-0123456789abcdef0"], instanceTypes: ["g6.xlarge"] }, minNodes: 0, maxNodes: 2 };

    it("a stack without a cloud pool loads neither @pulumi/aws nor @pulumi/gcp", () => {
        assert.deepStrictEqual(cloudSdksLoaded("LlmInference", argsWith()), { loaded: [] });
        assert.deepStrictEqual(cloudSdksLoaded("LlmInference", argsWith({ gpuNodePool: { existing: true, maxNodes: 4, gpusPerNode: 1 } })), { loaded: [] });
    });

    it("a GKE pool loads @pulumi/gcp only, an EKS pool @pulumi/aws only", () => {
        assert.deepStrictEqual(cloudSdksLoaded("LlmInference", argsWith({ gpuNodePool: gke })), { loaded: ["@pulumi/gcp"] });
        assert.deepStrictEqual(cloudSdksLoaded("GpuNodePool", eks), { loaded: ["@pulumi/aws"] });
    });

    it("a pool whose cloud SDK is not installed says which package to add, with the tested version", () => {
        const devDeps = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).devDependencies;
        const r = cloudSdksLoaded("GpuNodePool", eks, "@pulumi/aws");
        assert.deepStrictEqual(r.loaded, []);
        assert.strictEqual(r.error, `GpuNodePool "x": eks needs the @pulumi/aws package, an optional peer dependency of vllm-autoscaling; add it to your program: npm install @pulumi/aws@${devDeps["@pulumi/aws"]}`);
        // Without a pool, a program without the SDKs works.
        assert.deepStrictEqual(cloudSdksLoaded("LlmInference", argsWith(), "@pulumi/gcp"), { loaded: [] });
    });
});
