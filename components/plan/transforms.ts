// Resource transforms for the vllm-stack chart's children (helm.v4.Chart registers each object
// as its own resource). Pure functions of the transform args, so they are unit-tested directly.
import * as pulumi from "@pulumi/pulumi";

export const DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment";

/**
 * Gives the named engine Deployments `ignoreChanges: ["spec.replicas"]`: KEDA's HPA owns the
 * replica count after creation, and Pulumi must neither reset it nor show it in previews.
 * Every other object passes through unchanged (undefined = no change).
 */
export function ignoreEngineReplicas(engineDeployments: readonly string[]): pulumi.ResourceTransform {
    const names = new Set(engineDeployments);
    return (args) => {
        if (args.type !== DEPLOYMENT_TYPE) return undefined;
        const name = args.props?.metadata?.name;
        if (typeof name !== "string" || !names.has(name)) return undefined;
        const ignoreChanges = [...(args.opts.ignoreChanges ?? []), "spec.replicas"];
        return { props: args.props, opts: { ...args.opts, ignoreChanges } };
    };
}
