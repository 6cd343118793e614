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

export const PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget";

/** The chart's engine container (templates/deployment-vllm-multi.yaml, chart 0.1.12). */
export const ENGINE_CONTAINER = "vllm";

/** What the shutdown transform sets on one engine Deployment's pod template. */
export interface EngineShutdown {
    terminationGracePeriodSeconds: number;
    /** `lifecycle.preStop.sleep.seconds` of the engine container. */
    preStopSeconds: number;
}

/**
 * Gives the named engine Deployments the pod shutdown the chart cannot express (drain.ts):
 * `terminationGracePeriodSeconds` covering preStop + vLLM's drain, and a native preStop sleep on
 * the `vllm` container, which keeps every other container field. Any other object, and an engine
 * Deployment without a `vllm` container (a chart that changed), pass through unchanged.
 */
export function gracefulEngineShutdown(engines: Readonly<Record<string, EngineShutdown>>): pulumi.ResourceTransform {
    return (args) => {
        if (args.type !== DEPLOYMENT_TYPE) return undefined;
        const name = args.props?.metadata?.name;
        if (typeof name !== "string" || !Object.prototype.hasOwnProperty.call(engines, name)) return undefined;
        const podSpec = args.props?.spec?.template?.spec;
        const containers: any[] | undefined = podSpec?.containers;
        if (!Array.isArray(containers) || !containers.some((c) => c?.name === ENGINE_CONTAINER)) return undefined;
        const s = engines[name];
        const props = {
            ...args.props,
            spec: {
                ...args.props.spec,
                template: {
                    ...args.props.spec.template,
                    spec: {
                        ...podSpec,
                        terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
                        containers: containers.map((c) => (c?.name === ENGINE_CONTAINER
                            ? { ...c, lifecycle: { ...c.lifecycle, preStop: { sleep: { seconds: s.preStopSeconds } } } }
                            : c)),
                    },
                },
            },
        };
        return { props, opts: args.opts };
    };
}

/**
 * Engine PodDisruptionBudgets (the chart's `modelSpec[].pdb`): `unhealthyPodEvictionPolicy:
 * AlwaysAllow`, which the chart cannot set. With Kubernetes' default (IfHealthyBudget) a
 * single-replica model whose only pod never becomes ready (crash loop, failed download) would
 * block every node drain; an engine that is not ready serves nothing, so evicting it loses nothing.
 */
export function engineDisruptionBudgets(pdbNames: readonly string[]): pulumi.ResourceTransform {
    const names = new Set(pdbNames);
    return (args) => {
        if (args.type !== PDB_TYPE) return undefined;
        const name = args.props?.metadata?.name;
        if (typeof name !== "string" || !names.has(name)) return undefined;
        return { props: { ...args.props, spec: { ...args.props.spec, unhealthyPodEvictionPolicy: "AlwaysAllow" } }, opts: args.opts };
    };
}
