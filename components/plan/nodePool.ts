// GPU node pool planning: validates `gpuNodePool` (all problems at once), decides GPUs per node,
// the deterministic taint and label, and whether the NVIDIA device plugin is needed. Pure: the
// cloud inputs that may be Outputs (cluster, location, role, subnets) are only checked when they
// are plain strings and never enter the plan.
import { AmiType, CapacityType, GpuDriverVersion } from "../args";
import type { EksNodeGroup, GkeNodePool, GpuNodePoolArgs, Karpenter } from "../args";
import type { Values } from "./merge";
import { fieldsOf, Problems, unknownKeys } from "./problems";
import { tablePrice } from "./cost";
import { checkChartSource, chartSource } from "./chartSource";
import type { ChartPlan } from "./chartSource";
import { CHARTS } from "./versions";
import { KARPENTER_DEFAULTS, planKarpenter } from "./karpenter";
import type { KarpenterPlan, KarpenterSettings } from "./karpenter";

/**
 * The taint every pool node carries. It is NVIDIA's and GKE's conventional GPU taint: the NVIDIA
 * device plugin chart tolerates `nvidia.com/gpu` (Exists) by default, and GKE adds the same taint
 * to GPU nodes itself, so declaring it keeps plan and cluster in agreement.
 */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;
/** The label the engines select their pool by; its value is the pool's name. */
export const GPU_POOL_LABEL = "vllm-autoscaling/gpu-pool";
/**
 * The NVIDIA device plugin chart's default node affinity needs Node Feature Discovery's PCI label
 * or this label (deployments/helm/nvidia-device-plugin/values.yaml: "We allow a GPU deployment to
 * be forced by setting the following label to true"); EKS nodes get it when the package installs
 * the plugin.
 */
export const NVIDIA_GPU_PRESENT_LABEL = "nvidia.com/gpu.present";
/** Namespace of the NVIDIA device plugin releases (the chart refuses `default`). */
export const DEVICE_PLUGIN_NAMESPACE = "nvidia-device-plugin";
/** Suffix of a pool's device plugin release: `<pool>-nvdp` (NVIDIA's docs call the release `nvdp`). */
export const DEVICE_PLUGIN_RELEASE_SUFFIX = "-nvdp";

/** Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
export const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_RELEASE_NAME_LENGTH = 53;

/**
 * GPUs per EC2 instance type for the families the package knows. Source: instances.vantage.sh
 * data (AWS DescribeInstanceTypes), as published in github.com/tsaol/aws-gpu data/all_gpu_instances.js.
 */
export const EKS_INSTANCE_GPUS: Readonly<Record<string, { gpus: number; gpu: string }>> = {
    "g4dn.xlarge": { gpus: 1, gpu: "T4" }, "g4dn.2xlarge": { gpus: 1, gpu: "T4" }, "g4dn.4xlarge": { gpus: 1, gpu: "T4" },
    "g4dn.8xlarge": { gpus: 1, gpu: "T4" }, "g4dn.16xlarge": { gpus: 1, gpu: "T4" }, "g4dn.12xlarge": { gpus: 4, gpu: "T4" },
    "g4dn.metal": { gpus: 8, gpu: "T4" },
    "g5.xlarge": { gpus: 1, gpu: "A10G" }, "g5.2xlarge": { gpus: 1, gpu: "A10G" }, "g5.4xlarge": { gpus: 1, gpu: "A10G" },
    "g5.8xlarge": { gpus: 1, gpu: "A10G" }, "g5.16xlarge": { gpus: 1, gpu: "A10G" }, "g5.12xlarge": { gpus: 4, gpu: "A10G" },
    "g5.24xlarge": { gpus: 4, gpu: "A10G" }, "g5.48xlarge": { gpus: 8, gpu: "A10G" },
    "g6.xlarge": { gpus: 1, gpu: "L4" }, "g6.2xlarge": { gpus: 1, gpu: "L4" }, "g6.4xlarge": { gpus: 1, gpu: "L4" },
    "g6.8xlarge": { gpus: 1, gpu: "L4" }, "g6.16xlarge": { gpus: 1, gpu: "L4" }, "g6.12xlarge": { gpus: 4, gpu: "L4" },
    "g6.24xlarge": { gpus: 4, gpu: "L4" }, "g6.48xlarge": { gpus: 8, gpu: "L4" },
    "g6e.xlarge": { gpus: 1, gpu: "L40S" }, "g6e.2xlarge": { gpus: 1, gpu: "L40S" }, "g6e.4xlarge": { gpus: 1, gpu: "L40S" },
    "g6e.8xlarge": { gpus: 1, gpu: "L40S" }, "g6e.16xlarge": { gpus: 1, gpu: "L40S" }, "g6e.12xlarge": { gpus: 4, gpu: "L40S" },
    "g6e.24xlarge": { gpus: 4, gpu: "L40S" }, "g6e.48xlarge": { gpus: 8, gpu: "L40S" },
    "p4d.24xlarge": { gpus: 8, gpu: "A100 40GB" }, "p4de.24xlarge": { gpus: 8, gpu: "A100 80GB" },
    "p5.4xlarge": { gpus: 1, gpu: "H100" }, "p5.48xlarge": { gpus: 8, gpu: "H100" },
    "p5e.48xlarge": { gpus: 8, gpu: "H200" }, "p5en.48xlarge": { gpus: 8, gpu: "H200" },
};

/**
 * GKE accelerator-optimized machine types come with a fixed GPU type and count
 * (cloud.google.com/compute/docs/accelerator-optimized-machines); N1 machines take attachable GPUs.
 */
export const GKE_MACHINE_GPUS: Readonly<Record<string, { acceleratorType: string; gpus: number }>> = {
    "g2-standard-4": { acceleratorType: "nvidia-l4", gpus: 1 }, "g2-standard-8": { acceleratorType: "nvidia-l4", gpus: 1 },
    "g2-standard-12": { acceleratorType: "nvidia-l4", gpus: 1 }, "g2-standard-16": { acceleratorType: "nvidia-l4", gpus: 1 },
    "g2-standard-32": { acceleratorType: "nvidia-l4", gpus: 1 }, "g2-standard-24": { acceleratorType: "nvidia-l4", gpus: 2 },
    "g2-standard-48": { acceleratorType: "nvidia-l4", gpus: 4 }, "g2-standard-96": { acceleratorType: "nvidia-l4", gpus: 8 },
    "a2-highgpu-1g": { acceleratorType: "nvidia-tesla-a100", gpus: 1 }, "a2-highgpu-2g": { acceleratorType: "nvidia-tesla-a100", gpus: 2 },
    "a2-highgpu-4g": { acceleratorType: "nvidia-tesla-a100", gpus: 4 }, "a2-highgpu-8g": { acceleratorType: "nvidia-tesla-a100", gpus: 8 },
    "a2-megagpu-16g": { acceleratorType: "nvidia-tesla-a100", gpus: 16 },
    "a2-ultragpu-1g": { acceleratorType: "nvidia-a100-80gb", gpus: 1 }, "a2-ultragpu-2g": { acceleratorType: "nvidia-a100-80gb", gpus: 2 },
    "a2-ultragpu-4g": { acceleratorType: "nvidia-a100-80gb", gpus: 4 }, "a2-ultragpu-8g": { acceleratorType: "nvidia-a100-80gb", gpus: 8 },
    "a3-highgpu-1g": { acceleratorType: "nvidia-h100-80gb", gpus: 1 }, "a3-highgpu-2g": { acceleratorType: "nvidia-h100-80gb", gpus: 2 },
    "a3-highgpu-4g": { acceleratorType: "nvidia-h100-80gb", gpus: 4 }, "a3-highgpu-8g": { acceleratorType: "nvidia-h100-80gb", gpus: 8 },
};

export const NODE_POOL_DEFAULTS = {
    minNodes: 0,
    driverVersion: GpuDriverVersion.Latest,
    amiType: AmiType.Al2023Nvidia,
    capacityType: CapacityType.OnDemand,
    diskSizeGb: 100,
} as const;

/** What the plan shows of a GKE pool (Output-valued inputs show as "(output)"). */
export interface GkePoolPlan {
    cluster: string;
    location: string;
    project?: string;
    machineType: string;
    acceleratorType: string;
    acceleratorCount: number;
    spot: boolean;
    driverVersion: string;
    diskSizeGb: number;
}

export interface EksPoolPlan {
    clusterName: string;
    instanceTypes: string[];
    amiType: string;
    capacityType: string;
    diskSizeGb: number;
    /**
     * The managed node group, when there is one: without Karpenter it spans `minNodes` to
     * `maxNodes` for the cluster's own node autoscaler; with Karpenter it holds the `minNodes`
     * floor at a fixed size (Karpenter has no minimum). Absent with Karpenter and `minNodes: 0`.
     */
    nodeGroup?: { minSize: number; maxSize: number; desiredSize: number };
    /** Karpenter and the pool's NodePool and EC2NodeClass (`eks.karpenter.enabled`, default on). */
    karpenter?: KarpenterPlan;
}

/** The GPU node pool as the plan decided it. */
export interface NodePoolPlan {
    /** `gke` or `eks`. */
    provider: string;
    /** The pool's name: the value of its `vllm-autoscaling/gpu-pool` node label. */
    name: string;
    /** Node labels the package sets (the pool label, plus `nvidia.com/gpu.present` where the device plugin needs it). */
    labels: Record<string, string>;
    taint: { key: string; value: string; effect: string };
    minNodes: number;
    maxNodes: number;
    gpusPerNode: number;
    /** Where `gpusPerNode` came from. */
    gpusPerNodeSource: string;
    /** Price per node and hour; undefined when neither given nor in the package's table. */
    hourlyCost?: number;
    hourlyCostSource?: string;
    /** The NVIDIA device plugin release (EKS AL2023 NVIDIA AMIs only). */
    devicePlugin?: ChartPlan;
    gke?: GkePoolPlan;
    eks?: EksPoolPlan;
}

const KNOWN = {
    pool: fieldsOf<GpuNodePoolArgs>({ gke: true, eks: true, existing: true, minNodes: true, maxNodes: true, gpusPerNode: true, hourlyCost: true, name: true, devicePluginRepo: true }),
    gke: fieldsOf<GkeNodePool>({ cluster: true, location: true, project: true, machineType: true, acceleratorType: true, acceleratorCount: true, spot: true, driverVersion: true, diskSizeGb: true }),
    eks: fieldsOf<EksNodeGroup>({ clusterName: true, nodeRoleArn: true, subnetIds: true, instanceTypes: true, amiType: true, capacityType: true, diskSizeGb: true, karpenter: true }),
    karpenter: fieldsOf<Karpenter>({ enabled: true, version: true, repo: true, consolidateAfterSeconds: true, amiAlias: true }),
};

/** EC2 families with NVIDIA GPUs start with g, gr or p (g6, g6e, gr6, p5, ...); a trailing g is Graviton (arm64). */
const EC2_GPU_FAMILY = /^(g|gr|p)[0-9]+[a-z-]*\./;
const EC2_GRAVITON_FAMILY = /^[a-z]+[0-9]+[a-z-]*g[a-z-]*\./;
/** Karpenter AMI aliases: `<family>@latest` or `<family>@v<version>`. */
const AMI_ALIAS = /^(al2023|bottlerocket)@(latest|v[0-9][0-9.]*)$/;
const AMI_ALIAS_FAMILY: Record<string, string> = { AL2023_x86_64_NVIDIA: "al2023", BOTTLEROCKET_x86_64_NVIDIA: "bottlerocket" };

/** An input that may be an Output: checked only when it is a plain value. */
function isPlain(v: unknown): boolean {
    return typeof v !== "object" || v === null || Array.isArray(v);
}

function shown(v: unknown): string {
    return typeof v === "string" ? v : "(output)";
}

/** A required string input that may also be an Output (then it is taken as given). */
function inputString(p: Problems, path: string, v: unknown, hint: string, pattern?: RegExp): void {
    if (v === undefined || v === null) {
        p.add(path, `is required; ${hint}`);
    } else if (isPlain(v)) {
        p.string(path, v, { pattern, hint });
    }
}

function oneOf(p: Problems, path: string, v: unknown, allowed: Readonly<Record<string, string>>): boolean {
    const values = Object.values(allowed);
    if (v === undefined || values.includes(v as string)) return true;
    p.add(path, `${JSON.stringify(v)} is not one of ${values.map((x) => JSON.stringify(x)).join(", ")}`);
    return false;
}

function resolveGke(p: Problems, path: string, g: Record<string, any>): { plan: GkePoolPlan; gpus?: number } {
    unknownKeys(p, path, g, KNOWN.gke);
    inputString(p, `${path}.cluster`, g.cluster, "use the name of the existing GKE cluster");
    inputString(p, `${path}.location`, g.location, "use the cluster's region or zone, e.g. \"us-central1\"");
    if (g.project !== undefined) inputString(p, `${path}.project`, g.project, "use a project id such as \"my-project\"");
    const machineOk = p.string(`${path}.machineType`, g.machineType, { hint: "use a GPU machine type such as \"g2-standard-8\"" });
    const typeOk = p.string(`${path}.acceleratorType`, g.acceleratorType, {
        pattern: /^nvidia-[a-z0-9-]+$/, hint: "use a GKE accelerator type such as \"nvidia-l4\", \"nvidia-tesla-a100\" or \"nvidia-h100-80gb\"",
    });
    const countOk = p.integer(`${path}.acceleratorCount`, g.acceleratorCount, 1);
    const known = machineOk ? GKE_MACHINE_GPUS[g.machineType] : undefined;
    if (known && typeOk && g.acceleratorType !== known.acceleratorType) {
        p.add(`${path}.acceleratorType`, `${JSON.stringify(g.acceleratorType)} does not match machine type ${g.machineType}, which comes with ${known.acceleratorType}; use "${known.acceleratorType}"`);
    }
    if (known && countOk && g.acceleratorCount !== known.gpus) {
        p.add(`${path}.acceleratorCount`, `${g.acceleratorCount} does not match machine type ${g.machineType}, which comes with ${known.gpus} GPU${known.gpus === 1 ? "" : "s"}; use ${known.gpus}`);
    }
    p.boolean(`${path}.spot`, g.spot);
    oneOf(p, `${path}.driverVersion`, g.driverVersion, GpuDriverVersion);
    p.integer(`${path}.diskSizeGb`, g.diskSizeGb, 10, { optional: true });
    return {
        plan: {
            cluster: shown(g.cluster),
            location: shown(g.location),
            ...(g.project !== undefined ? { project: shown(g.project) } : {}),
            machineType: g.machineType,
            acceleratorType: g.acceleratorType,
            acceleratorCount: g.acceleratorCount,
            spot: g.spot ?? false,
            driverVersion: g.driverVersion ?? NODE_POOL_DEFAULTS.driverVersion,
            diskSizeGb: g.diskSizeGb ?? NODE_POOL_DEFAULTS.diskSizeGb,
        },
        gpus: countOk ? g.acceleratorCount : undefined,
    };
}

/** `eks.karpenter`, resolved; undefined when turned off. */
function resolveKarpenter(p: Problems, path: string, k: unknown, amiType: string): KarpenterSettings | undefined {
    if (k !== undefined && !p.object(path, k)) return undefined;
    const a = (k ?? {}) as Record<string, any>;
    unknownKeys(p, path, a, KNOWN.karpenter);
    p.boolean(`${path}.enabled`, a.enabled);
    if (a.enabled === false) return undefined;
    p.string(`${path}.version`, a.version, { optional: true });
    checkChartSource(p, `${path}.repo`, a.repo, `${path}.version`, a.version);
    p.integer(`${path}.consolidateAfterSeconds`, a.consolidateAfterSeconds, 0, { optional: true, max: 7 * 24 * 3600 });
    const family = AMI_ALIAS_FAMILY[amiType];
    const amiAlias = a.amiAlias ?? KARPENTER_DEFAULTS.amiAlias[amiType];
    if (a.amiAlias !== undefined && p.string(`${path}.amiAlias`, a.amiAlias, { pattern: AMI_ALIAS, hint: "use an alias such as \"al2023@latest\" or \"bottlerocket@v1.40.0\"" })
        && family !== undefined && !a.amiAlias.startsWith(`${family}@`)) {
        p.add(`${path}.amiAlias`, `${JSON.stringify(a.amiAlias)} is another AMI family than amiType ${amiType}; use "${family}@latest" or "${family}@v<version>", or change amiType`);
    }
    return {
        ...(a.version !== undefined ? { version: a.version } : {}),
        ...(a.repo !== undefined ? { repo: a.repo } : {}),
        consolidateAfterSeconds: a.consolidateAfterSeconds ?? KARPENTER_DEFAULTS.consolidateAfterSeconds,
        amiAlias: amiAlias ?? "al2023@latest",
    };
}

function resolveEks(p: Problems, path: string, e: Record<string, any>, poolPath: string, gpusPerNodeGiven: boolean, minNodes: unknown):
    { plan: EksPoolPlan; gpus?: number; tableGpus?: Map<string, number>; karpenter?: KarpenterSettings } {
    unknownKeys(p, path, e, KNOWN.eks);
    inputString(p, `${path}.clusterName`, e.clusterName, "use the name of the existing EKS cluster");
    const karpenter = resolveKarpenter(p, `${path}.karpenter`, e.karpenter, e.amiType ?? NODE_POOL_DEFAULTS.amiType);
    const prefix = poolPath === "args" ? "" : `${poolPath}.`;
    const needsNodeGroup = karpenter === undefined || (typeof minNodes === "number" && minNodes > 0);
    if (e.nodeRoleArn !== undefined || needsNodeGroup) {
        const why = karpenter === undefined
            ? "the managed node group's nodes assume it (without Karpenter)"
            : `the managed node group that holds ${prefix}minNodes (${String(minNodes)}) assumes it (Karpenter has no minimum); or set ${prefix}minNodes to 0`;
        inputString(p, `${path}.nodeRoleArn`, e.nodeRoleArn, `${why}; use the ARN of the node IAM role, e.g. "arn:aws:iam::123456789012:role/eks-gpu-nodes"`,
            /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/);
    }
    if (e.subnetIds === undefined) {
        p.add(`${path}.subnetIds`, "is required; use the ids of the node group's subnets, e.g. [\"subnet-0123456789abcdef0\"]");
    } else if (isPlain(e.subnetIds) && (!Array.isArray(e.subnetIds) || e.subnetIds.length === 0)) {
        p.add(`${path}.subnetIds`, `${JSON.stringify(e.subnetIds)} is not a non-empty list; use e.g. ["subnet-0123456789abcdef0"]`);
    }
    const types: string[] = [];
    if (!Array.isArray(e.instanceTypes) || e.instanceTypes.length === 0) {
        p.add(`${path}.instanceTypes`, `${e.instanceTypes === undefined ? "is required" : `${JSON.stringify(e.instanceTypes)} is not a non-empty list`}; use e.g. ["g6.xlarge"]`);
    } else {
        e.instanceTypes.forEach((t: unknown, i: number) => {
            if (!p.string(`${path}.instanceTypes[${i}]`, t, { pattern: /^[a-z0-9-]+\.[a-z0-9-]+$/, hint: "use an EC2 instance type such as \"g6.xlarge\"" })) return;
            if (!EC2_GPU_FAMILY.test(t as string)) {
                p.add(`${path}.instanceTypes[${i}]`, `${JSON.stringify(t)} has no NVIDIA GPU (EC2's GPU families start with g, gr or p); use e.g. "g6.xlarge" or "g6e.12xlarge"`);
            } else if (EC2_GRAVITON_FAMILY.test(t as string)) {
                p.add(`${path}.instanceTypes[${i}]`, `${JSON.stringify(t)} is arm64 (Graviton), but the NVIDIA AMI types are x86_64; use an x86_64 GPU type such as "g6.xlarge"`);
            } else {
                types.push(t as string);
            }
        });
    }
    oneOf(p, `${path}.amiType`, e.amiType, AmiType);
    oneOf(p, `${path}.capacityType`, e.capacityType, CapacityType);
    p.integer(`${path}.diskSizeGb`, e.diskSizeGb, 20, { optional: true });

    const tableGpus = new Map<string, number>();
    const unknown: string[] = [];
    for (const t of types) {
        const row = EKS_INSTANCE_GPUS[t];
        if (row) tableGpus.set(t, row.gpus);
        else unknown.push(t);
    }
    if (unknown.length > 0 && !gpusPerNodeGiven) {
        p.add(`${path}.instanceTypes`, `${unknown.map((t) => JSON.stringify(t)).join(", ")} ${unknown.length === 1 ? "is" : "are"} not in the package's table of GPU instance types ` +
            `(g4dn, g5, g6, g6e, p4d, p4de, p5, p5e, p5en); set ${poolPath}.gpusPerNode to the GPUs per instance`);
    }
    const counts = new Set(tableGpus.values());
    if (counts.size > 1) {
        p.add(`${path}.instanceTypes`, `the types have different GPU counts (${[...tableGpus].map(([t, n]) => `${t}: ${n}`).join(", ")}); ` +
            "use types with the same GPUs per node, or one node pool per shape");
    }
    return {
        plan: {
            clusterName: shown(e.clusterName),
            instanceTypes: types,
            amiType: e.amiType ?? NODE_POOL_DEFAULTS.amiType,
            capacityType: e.capacityType ?? NODE_POOL_DEFAULTS.capacityType,
            diskSizeGb: e.diskSizeGb ?? NODE_POOL_DEFAULTS.diskSizeGb,
        },
        gpus: counts.size === 1 && unknown.length === 0 ? [...counts][0] : undefined,
        tableGpus,
        karpenter,
    };
}

/** The device plugin release of a pool: only its nodes, where the chart's affinity already allows it. */
export function devicePluginChart(poolName: string, repo?: string): ChartPlan {
    const values: Values = { nodeSelector: { [GPU_POOL_LABEL]: poolName } };
    return {
        ...chartSource(CHARTS.nvidiaDevicePlugin, repo),
        namespace: DEVICE_PLUGIN_NAMESPACE,
        releaseName: `${poolName}${DEVICE_PLUGIN_RELEASE_SUFFIX}`,
        values,
    };
}

/**
 * Validates `gpuNodePool` (at `path`, e.g. "gpuNodePool") and resolves it; undefined when absent
 * or too broken to plan (the problems say why). `priceOf` supplies the table price.
 */
export function resolveGpuNodePool(
    p: Problems, path: string, pool: GpuNodePoolArgs | undefined, defaultName: string,
    priceOf: (pool: NodePoolPlan) => { hourly: number; source: string } | undefined,
): NodePoolPlan | undefined {
    if (pool === undefined) return undefined;
    if (!p.object(path, pool)) return undefined;
    const a = pool as Record<string, any>;
    unknownKeys(p, path, a, KNOWN.pool);
    const prefix = path === "" ? "" : `${path}.`;
    const hasGke = a.gke !== undefined && a.gke !== null;
    const hasEks = a.eks !== undefined && a.eks !== null;
    p.boolean(`${prefix}existing`, a.existing);
    const isExisting = a.existing === true;
    const kinds = [hasGke && "gke", hasEks && "eks", isExisting && "existing"].filter((k): k is string => typeof k === "string");
    if (kinds.length !== 1) {
        p.add(path || "args", `${kinds.length === 0 ? "sets none of gke, eks and existing" : `sets ${kinds.join(" and ")}`}; set exactly one: ` +
            "gke for a GKE node pool, eks for an EKS node group, existing: true for a pool that exists already");
    }
    if (isExisting && a.gpusPerNode === undefined) {
        p.add(`${prefix}gpusPerNode`, "is required with existing: true (the package cannot look the nodes up); use the GPUs each of the pool's nodes has, e.g. 1");
    }
    checkChartSource(p, `${prefix}devicePluginRepo`, a.devicePluginRepo);

    const minNodes = a.minNodes ?? NODE_POOL_DEFAULTS.minNodes;
    const minOk = p.integer(`${prefix}minNodes`, minNodes, 0);
    const maxOk = p.integer(`${prefix}maxNodes`, a.maxNodes, 1);
    if (minOk && maxOk && a.maxNodes < minNodes) {
        p.add(`${prefix}maxNodes`, `${a.maxNodes} is less than minNodes (${minNodes}); use at least ${minNodes}, or lower minNodes`);
    }
    const gpusGivenOk = p.integer(`${prefix}gpusPerNode`, a.gpusPerNode, 1, { optional: true });
    p.positive(`${prefix}hourlyCost`, a.hourlyCost, { optional: true, allowZero: true });
    const name = a.name ?? defaultName;
    const nameOk = p.string(a.name === undefined ? `${prefix}name (default: ${JSON.stringify(defaultName)})` : `${prefix}name`, name, {
        pattern: LABEL_VALUE, hint: "use a Kubernetes label value: letters, digits, '-', '_' and '.', alphanumeric at both ends, e.g. \"chat-gpu\"",
    });
    if (nameOk && name.length > 63) p.add(`${prefix}name`, `"${name}" has ${name.length} characters; a label value has at most 63`);

    let provider = "";
    let gke: GkePoolPlan | undefined;
    let eks: EksPoolPlan | undefined;
    let karpenter: KarpenterSettings | undefined;
    let derivedGpus: number | undefined;
    let source = "";
    if (hasGke && kinds.length === 1) {
        provider = "gke";
        if (p.object(`${prefix}gke`, a.gke)) {
            const r = resolveGke(p, `${prefix}gke`, a.gke);
            gke = r.plan;
            derivedGpus = r.gpus;
            source = `gke.acceleratorCount (${gke.acceleratorType} on ${gke.machineType})`;
            if (gpusGivenOk && a.gpusPerNode !== undefined && r.gpus !== undefined && a.gpusPerNode !== r.gpus) {
                p.add(`${prefix}gpusPerNode`, `${a.gpusPerNode} differs from gke.acceleratorCount (${r.gpus}); drop gpusPerNode (GKE nodes have acceleratorCount GPUs)`);
            }
        }
    } else if (hasEks && kinds.length === 1) {
        provider = "eks";
        if (p.object(`${prefix}eks`, a.eks)) {
            const r = resolveEks(p, `${prefix}eks`, a.eks, path || "args", a.gpusPerNode !== undefined, minNodes);
            eks = r.plan;
            karpenter = r.karpenter;
            if (karpenter && minOk && maxOk && a.maxNodes <= minNodes) {
                p.add(`${prefix}maxNodes`, `${a.maxNodes} leaves Karpenter no node to add above minNodes (${minNodes}), which the managed node group holds; ` +
                    `raise maxNodes above ${minNodes}, or set ${prefix}eks.karpenter.enabled to false for a fixed-size node group`);
            }
            derivedGpus = r.gpus;
            source = `the package's EC2 table (${eks.instanceTypes.join(", ")})`;
            if (gpusGivenOk && a.gpusPerNode !== undefined) {
                for (const [t, n] of r.tableGpus ?? []) {
                    if (n !== a.gpusPerNode) p.add(`${prefix}gpusPerNode`, `${a.gpusPerNode} differs from ${t}, which has ${n} GPU${n === 1 ? "" : "s"}; drop gpusPerNode or use ${n}`);
                }
            }
        }
    }
    if (isExisting && kinds.length === 1) {
        provider = "existing";
        source = `${prefix}gpusPerNode`;
    }
    if (a.gpusPerNode !== undefined && gpusGivenOk) {
        derivedGpus = a.gpusPerNode;
        source = `${prefix}gpusPerNode`;
    }

    const devicePlugin = eks !== undefined && eks.amiType === AmiType.Al2023Nvidia;
    if (devicePlugin && nameOk && name.length + DEVICE_PLUGIN_RELEASE_SUFFIX.length > MAX_RELEASE_NAME_LENGTH) {
        p.add(`${prefix}name`, `"${name}" is too long for the device plugin's Helm release "<name>${DEVICE_PLUGIN_RELEASE_SUFFIX}" ` +
            `(at most ${MAX_RELEASE_NAME_LENGTH} characters); use at most ${MAX_RELEASE_NAME_LENGTH - DEVICE_PLUGIN_RELEASE_SUFFIX.length}`);
    }
    if (!provider || derivedGpus === undefined || !minOk || !maxOk || !nameOk) return undefined;

    const labels: Record<string, string> = { [GPU_POOL_LABEL]: name };
    if (devicePlugin) labels[NVIDIA_GPU_PRESENT_LABEL] = "true";
    if (eks && karpenter) {
        eks.karpenter = planKarpenter({
            name, labels, taint: { ...GPU_TAINT }, minNodes, maxNodes: a.maxNodes, gpusPerNode: derivedGpus,
            instanceTypes: eks.instanceTypes, capacityType: eks.capacityType, diskSizeGb: eks.diskSizeGb,
        }, karpenter);
        if (minNodes > 0) eks.nodeGroup = { minSize: minNodes, maxSize: minNodes, desiredSize: minNodes };
    } else if (eks) {
        eks.nodeGroup = { minSize: minNodes, maxSize: a.maxNodes, desiredSize: minNodes };
    }
    const plan: NodePoolPlan = {
        provider,
        name,
        labels,
        taint: { ...GPU_TAINT },
        minNodes,
        maxNodes: a.maxNodes,
        gpusPerNode: derivedGpus,
        gpusPerNodeSource: source,
        ...(gke ? { gke } : {}),
        ...(eks ? { eks } : {}),
        ...(devicePlugin ? { devicePlugin: devicePluginChart(name, a.devicePluginRepo) } : {}),
    };
    if (typeof a.hourlyCost === "number" && Number.isFinite(a.hourlyCost) && a.hourlyCost >= 0) {
        plan.hourlyCost = a.hourlyCost;
        plan.hourlyCostSource = `${prefix}hourlyCost`;
    } else {
        const price = priceOf(plan);
        if (price) {
            plan.hourlyCost = price.hourly;
            plan.hourlyCostSource = price.source;
        }
    }
    return plan;
}

/**
 * The toleration and node affinity a GPU engine needs to land on the pool, in the vllm-stack
 * chart's `modelSpec` terms (templates/deployment-vllm-multi.yaml: `tolerations`, and
 * `nodeSelectorTerms` rendered under requiredDuringSchedulingIgnoredDuringExecution). Plain
 * strings only, so the chart's values stay known at preview time.
 */
export function gpuSchedulingValues(pool: Pick<NodePoolPlan, "name" | "taint">): Values {
    return {
        tolerations: [{ key: pool.taint.key, operator: "Equal", value: pool.taint.value, effect: pool.taint.effect }],
        nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_POOL_LABEL, operator: "In", values: [pool.name] }] }],
    };
}

/** A zone such as `us-central1-a` (a region is `us-central1`). */
export function isGkeZone(location: string): boolean {
    return /^[a-z]+-[a-z]+[0-9]+-[a-z]$/.test(location);
}

/**
 * GKE counts `initialNodeCount` per zone: a zonal pool starts at `minNodes`; a regional pool
 * starts with one node per zone when it must not be empty (the autoscaler then settles the total
 * between the total limits), or none.
 */
export function gkeInitialNodeCount(location: string, minNodes: number): number {
    if (isGkeZone(location)) return minNodes;
    return minNodes > 0 ? 1 : 0;
}

/** The class name in validation errors of the standalone component. */
export const GPU_NODE_POOL_KIND = "GpuNodePool";

/**
 * Plans a standalone GpuNodePool (paths without the `gpuNodePool.` prefix; the pool's name
 * defaults to the component's). Throws one PlanValidationError listing every problem.
 */
export function planGpuNodePool(name: string, args: GpuNodePoolArgs): NodePoolPlan {
    const p = new Problems();
    if (!p.object("args", args)) p.throwIfAny(name, GPU_NODE_POOL_KIND);
    if ((args as { existing?: unknown }).existing === true) {
        p.add("existing", "is for LlmInference's gpuNodePool (a pool made elsewhere); GpuNodePool creates a pool: set gke or eks instead");
    }
    const pool = resolveGpuNodePool(p, "", args, name, tablePrice);
    p.throwIfAny(name, GPU_NODE_POOL_KIND);
    return pool!;
}
