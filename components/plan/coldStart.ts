// A model's cold start, phase by phase: how long a new engine takes from the HPA's decision to
// serving, what each phase is, and which option of the package cuts it (and whether this model
// uses it). The seconds are the reference engine's assumptions, the simulator's defaults (an 8B
// model, ~16 GB of weights, a ~10 GB vLLM image, a fresh GPU node), not measurements: the point
// is which phases remain, and `npm run simulate` takes each one as a flag.

/** The reference split: node boot (the cluster's), then the pod's own phases. */
export const REFERENCE_COLD_START = {
    nodeBootSeconds: 150,
    imagePullSeconds: 45,
    weightDownloadSeconds: 35,
    weightLoadSeconds: 25,
    warmupSeconds: 15,
} as const;

export interface ColdStartPhase {
    phase: "node boot" | "image pull" | "weight download" | "weight load" | "warm-up";
    /** The reference engine's assumption (seconds). */
    referenceSeconds: number;
    /** The option that cuts it, in the package's terms. */
    cutBy: string;
    /** Whether this model uses that option. */
    applied: boolean;
}

export interface ColdStartPlan {
    phases: ColdStartPhase[];
    /** All phases, reference seconds. */
    referenceSeconds: number;
    /** The phases the model's options do not cut, reference seconds. */
    remainingSeconds: number;
}

/** What of a model the cold start depends on. */
export interface ColdStartInput {
    headroomSlots: number;
    cacheSize?: string;
    extraArgs: readonly string[];
}

function hasArg(args: readonly string[], flag: string): boolean {
    return args.some((a) => a === flag || a.startsWith(`${flag}=`));
}

export function planColdStart(m: ColdStartInput): ColdStartPlan {
    const r = REFERENCE_COLD_START;
    const headroom = m.headroomSlots > 0;
    const phases: ColdStartPhase[] = [
        {
            phase: "node boot", referenceSeconds: r.nodeBootSeconds, applied: headroom,
            cutBy: "autoscaling.headroomSlots (a placeholder's node is up already; gpuNodePool.minNodes keeps nodes too, at their full price)",
        },
        {
            phase: "image pull", referenceSeconds: r.imagePullSeconds, applied: headroom,
            cutBy: "autoscaling.headroomSlots (placeholders run the engine image, so their nodes have pulled it)",
        },
        {
            phase: "weight download", referenceSeconds: r.weightDownloadSeconds, applied: m.cacheSize !== undefined,
            cutBy: "cacheSize (the chart's weight cache PVC, kept between pods; replicas on other nodes share it only with a ReadWriteMany cacheStorageClass)",
        },
        {
            phase: "weight load", referenceSeconds: r.weightLoadSeconds, applied: hasArg(m.extraArgs, "--load-format"),
            cutBy: "faster loading through extraArgs, e.g. --load-format runai_streamer (the vllm-openai image installs the Run:ai streamer, per its Dockerfile; not run here)",
        },
        {
            phase: "warm-up", referenceSeconds: r.warmupSeconds, applied: hasArg(m.extraArgs, "--enforce-eager"),
            cutBy: "extraArgs --enforce-eager skips CUDA graph capture, at a decode-throughput cost",
        },
    ];
    const sum = (xs: ColdStartPhase[]) => xs.reduce((s, p) => s + p.referenceSeconds, 0);
    return { phases, referenceSeconds: sum(phases), remainingSeconds: sum(phases.filter((p) => !p.applied)) };
}
