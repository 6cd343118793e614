// The chart transform, as a plain function on the objects helm.v4.Chart would register.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DEPLOYMENT_TYPE, ignoreEngineReplicas } from "../components/plan/transforms";

function args(type: string, name: string, opts: pulumi.CustomResourceOptions = {}): pulumi.ResourceTransformArgs {
    return {
        type,
        name: `chat:llm/${name}`,
        custom: true,
        props: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "llm" }, spec: { replicas: 0 } },
        opts,
    };
}

describe("ignoreEngineReplicas transform", () => {
    const transform = ignoreEngineReplicas(["chat-llama3-8b-deployment-vllm"]);

    it("adds ignoreChanges spec.replicas to the engine Deployment and keeps its props and other options", async () => {
        const out = await transform(args(DEPLOYMENT_TYPE, "chat-llama3-8b-deployment-vllm", { ignoreChanges: ["metadata.labels"], protect: true }));
        assert.ok(out);
        assert.deepStrictEqual(out.opts.ignoreChanges, ["metadata.labels", "spec.replicas"]);
        assert.strictEqual(out.opts.protect, true);
        assert.deepStrictEqual(out.props.spec, { replicas: 0 }, "the initial count is still created");
    });

    it("leaves the router Deployment alone", async () => {
        assert.strictEqual(await transform(args(DEPLOYMENT_TYPE, "chat-deployment-router")), undefined);
    });

    it("leaves other kinds with the same name alone", async () => {
        assert.strictEqual(await transform(args("kubernetes:core/v1:Service", "chat-llama3-8b-deployment-vllm")), undefined);
    });
});
