// GpuNodePool: GPU nodes on an existing GKE or EKS cluster, tainted and labelled so that only
// engines that ask for them land there, plus the NVIDIA device plugin where the AMI lacks it.
// LlmInference creates one before its charts; teams that want the pool alone use it directly.
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GpuNodePoolArgs } from "./args";
import { GPU_POOL_LABEL, planGpuNodePool } from "./plan/nodePool";
import type { NodePoolPlan } from "./plan/nodePool";
import { helmChartInputs } from "./plan/chartSource";

export const GPU_NODE_POOL_TYPE = "vllm-autoscaling:index:GpuNodePool";

/** Kubernetes taint effects in the clouds' API spelling (GKE and EKS agree). */
const CLOUD_TAINT_EFFECT: Record<string, string> = { NoSchedule: "NO_SCHEDULE", PreferNoSchedule: "PREFER_NO_SCHEDULE", NoExecute: "NO_EXECUTE" };

/**
 * GPU nodes for LLM engines on an existing GKE cluster (`gke`) or EKS cluster (`eks`). Every node
 * carries the taint `nvidia.com/gpu=present:NoSchedule` and the label
 * `vllm-autoscaling/gpu-pool=<poolName>`; give workloads the matching toleration and node
 * selector (LlmInference does so for its engines). A node autoscaler keeps the pool between
 * `minNodes` and `maxNodes`: GKE's, or on EKS the Karpenter the pool installs (`eks.karpenter`).
 */
export class GpuNodePool extends pulumi.ComponentResource {
    /** Value of the `vllm-autoscaling/gpu-pool` node label. */
    public readonly poolName!: pulumi.Output<string>;
    /** Node selector that picks the pool's nodes. */
    public readonly nodeSelector!: pulumi.Output<Record<string, string>>;
    /** The pool's taint, `key=value:Effect`. */
    public readonly taint!: pulumi.Output<string>;
    /** GPUs per node. */
    public readonly gpusPerNode!: pulumi.Output<number>;
    /** The cloud's name of the node pool (GKE), the node group (EKS), or Karpenter's NodePool (EKS with Karpenter and `minNodes: 0`). */
    public readonly cloudName!: pulumi.Output<string>;
    /** Whether the NVIDIA device plugin Helm release was installed (EKS AL2023 NVIDIA AMIs). */
    public readonly devicePluginInstalled!: pulumi.Output<boolean>;

    constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super(GPU_NODE_POOL_TYPE, name, args, opts);
        // Validation throws before any child is registered.
        const plan = planGpuNodePool(name, args);
        const cloudName = createGpuNodePoolResources(this, name, plan, args);
        this.poolName = pulumi.output(plan.name);
        this.nodeSelector = pulumi.output<Record<string, string>>({ [GPU_POOL_LABEL]: plan.name });
        this.taint = pulumi.output(`${plan.taint.key}=${plan.taint.value}:${plan.taint.effect}`);
        this.gpusPerNode = pulumi.output(plan.gpusPerNode);
        this.cloudName = cloudName;
        this.devicePluginInstalled = pulumi.output(plan.devicePlugin !== undefined);
        this.registerOutputs({
            poolName: this.poolName,
            nodeSelector: this.nodeSelector,
            taint: this.taint,
            gpusPerNode: this.gpusPerNode,
            cloudName: this.cloudName,
            devicePluginInstalled: this.devicePluginInstalled,
        });
    }
}

/** A taint in the clouds' API spelling. */
export interface CloudTaint {
    key: string;
    value: string;
    effect: string;
}

/**
 * Loads one cloud's side of the pool. Only a pool on that cloud loads it, so a stack without an
 * EKS or GKE pool never loads @pulumi/aws or @pulumi/gcp (optional peer dependencies of the npm
 * package) and the engine never asks for their plugins.
 */
function cloudSide<T>(name: string, field: "gke" | "eks", sdk: string, load: () => T): T {
    try {
        return load();
    } catch (e: any) {
        if (e?.code !== "MODULE_NOT_FOUND" || !String(e.message).includes(`'${sdk}'`)) throw e;
        const pinned = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).devDependencies?.[sdk];
        throw new Error(`GpuNodePool "${name}": ${field} needs the ${sdk} package, an optional peer dependency of vllm-autoscaling; ` +
            `add it to your program: npm install ${sdk}${pinned ? `@${pinned}` : ""}`);
    }
}

// A function, not methods: every class member would become a schema output (docs/design.md,
// Multi-language constraints).
function createGpuNodePoolResources(parent: GpuNodePool, name: string, plan: NodePoolPlan, args: GpuNodePoolArgs): pulumi.Output<string> {
    const taint: CloudTaint = { key: plan.taint.key, value: plan.taint.value, effect: CLOUD_TAINT_EFFECT[plan.taint.effect] };
    let cloudName: pulumi.Output<string>;
    if (plan.gke && args.gke) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (cloudSide)
        const gke = cloudSide(name, "gke", "@pulumi/gcp", () => require("./gkeNodePool") as typeof import("./gkeNodePool"));
        cloudName = gke.createGkeNodePool(parent, name, plan, args.gke, taint);
    } else if (plan.eks && args.eks) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (cloudSide)
        const eks = cloudSide(name, "eks", "@pulumi/aws", () => require("./eksNodePool") as typeof import("./eksNodePool"));
        cloudName = eks.createEksNodePool(parent, name, plan, args.eks, taint);
    } else {
        throw new Error(`GpuNodePool "${name}": the plan has neither gke nor eks`);
    }
    if (plan.devicePlugin) {
        const c = plan.devicePlugin;
        // The namespace is shared by every pool's release (one per pool), so Helm creates it when
        // missing rather than a Namespace resource two pools would both claim; destroy leaves it.
        new k8s.helm.v3.Release(`${name}-nvidia-device-plugin`, {
            name: c.releaseName,
            ...helmChartInputs(c),
            namespace: c.namespace,
            createNamespace: true,
            values: c.values,
        }, { parent });
    }
    return cloudName;
}
