// Graceful scale-down: what an engine pod does between the HPA (or a node drain) deleting it and
// its process ending, so that scale-down never cuts a streamed answer.
//
// Kubernetes, on deleting a pod: marks it terminating (the router drops it from routing at once:
// it watches deletionTimestamp, and the endpoints controller removes it from the Service), runs
// the container's preStop hook, then sends SIGTERM, and SIGKILLs whatever still runs when
// terminationGracePeriodSeconds (counted from the start, preStop included) are up.
// vLLM >= 0.18 with `--shutdown-timeout N`: SIGTERM makes the server refuse new requests and let
// the in-flight ones finish for up to N seconds (default 0: abort them).
// The chart (0.1.12 and main) has no terminationGracePeriodSeconds or lifecycle for engines, so a
// transform on the chart's engine Deployments sets them (transforms.ts); the package's simulator
// Deployments get them directly.
import { DEFAULTS } from "./defaults";

/** vLLM's flag (>= 0.18; docs/design.md, Draining). */
export const SHUTDOWN_TIMEOUT_FLAG = "--shutdown-timeout";
/** First vLLM release with SHUTDOWN_TIMEOUT_FLAG. */
export const SHUTDOWN_TIMEOUT_MIN_VERSION = [0, 18] as const;
/** Kubernetes' own default grace period: the package never shortens it. */
export const KUBERNETES_DEFAULT_GRACE_SECONDS = 30;

/** How one model's engine pods shut down. */
export interface DrainPlan {
    /** vLLM --shutdown-timeout: in-flight requests get this long to finish after SIGTERM (0: aborted). */
    drainSeconds: number;
    /** preStop sleep before SIGTERM, so that the router and the Service stop sending first. */
    preStopSeconds: number;
    /** preStop + drain + margin, at least Kubernetes' default of 30. */
    terminationGracePeriodSeconds: number;
}

export function drainPlan(drainSeconds: number): DrainPlan {
    const preStopSeconds = DEFAULTS.preStopSleepSeconds;
    return {
        drainSeconds,
        preStopSeconds,
        terminationGracePeriodSeconds: Math.max(KUBERNETES_DEFAULT_GRACE_SECONDS,
            preStopSeconds + drainSeconds + DEFAULTS.terminationMarginSeconds),
    };
}

/** vLLM arguments for the drain (none for 0: vLLM's default aborts in-flight requests). */
export function shutdownArgs(drainSeconds: number): string[] {
    return drainSeconds > 0 ? [SHUTDOWN_TIMEOUT_FLAG, String(drainSeconds)] : [];
}

/**
 * The container lifecycle: Kubernetes' native sleep action (`lifecycle.preStop.sleep`, beta and on
 * by default since 1.30, GA in 1.34), which needs no shell or `sleep` binary in the image (the
 * simulator's image has neither guaranteed).
 */
export function preStopLifecycle(d: DrainPlan) {
    return { preStop: { sleep: { seconds: d.preStopSeconds } } };
}

/** `v0.24.0`, `0.17.1`, `v0.18.0-cu128` -> [major, minor]; undefined when the tag is not a version (`latest`, a digest). */
export function vllmTagVersion(tag: string): [number, number] | undefined {
    const m = /^v?(\d+)\.(\d+)(?:[.\-+].*)?$/.exec(tag);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Whether a vLLM image tag is known to predate --shutdown-timeout. */
export function predatesShutdownTimeout(tag: string): boolean {
    const v = vllmTagVersion(tag);
    if (!v) return false;
    const [major, minor] = SHUTDOWN_TIMEOUT_MIN_VERSION;
    return v[0] < major || (v[0] === major && v[1] < minor);
}
