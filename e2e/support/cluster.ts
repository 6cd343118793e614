// The local control plane of `npm run e2e:cluster` (e2e/cluster/cluster.sh), driven from tests:
// a fresh cluster per suite, kubectl as JSON, one process restarted by its pid (a fault), and
// `down` at the end (it stops exactly the processes it started).
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, tool } from "./paths";
import { run, RunResult } from "./proc";

/** `npm run e2e:cluster`: the script that starts, stops and reports the local cluster. */
export const CLUSTER_SCRIPT = path.join(REPO_ROOT, "e2e", "cluster", "cluster.sh");
const SCRIPT = CLUSTER_SCRIPT;

/** e2e/cluster/cluster.env: the cluster's ports and timings, declared once for cluster.sh and for this file. */
export const CLUSTER_ENV: Readonly<Record<string, string>> = parseEnv(fs.readFileSync(path.join(REPO_ROOT, "e2e", "cluster", "cluster.env"), "utf8"));

/** NAME=value lines (no quotes, no expansion, as the file promises); comments and blank lines skipped. */
export function parseEnv(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (!line || line.startsWith("#")) continue;
        const m = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(line);
        if (!m) throw new Error(`e2e/cluster/cluster.env: not a NAME=value line: ${raw}`);
        out[m[1]] = m[2];
    }
    return out;
}

function envValue(name: string): string {
    const v = CLUSTER_ENV[name];
    if (v === undefined) throw new Error(`e2e/cluster/cluster.env has no ${name}`);
    return v;
}

/** Where the cluster's real KEDA operator serves its Prometheus metrics (inside the network namespace), and the pod name it runs as. */
export const KEDA_OPERATOR_METRICS_ADDRESS = `127.0.0.1:${envValue("P_KEDA_METRICS")}`;
export const KEDA_OPERATOR_METRICS_URL = `http://${KEDA_OPERATOR_METRICS_ADDRESS}/metrics`;
export const KEDA_OPERATOR_POD_NAME = envValue("KEDA_OPERATOR_POD_NAME");

/** kube-controller-manager's HPA sync period on the local cluster, in seconds (E2E_HPA_SYNC_PERIOD, else cluster.env's default). */
// `||`, as the shell's `${E2E_HPA_SYNC_PERIOD:-...}`: an empty value means the default there too.
export const HPA_SYNC_SECONDS = Number((process.env.E2E_HPA_SYNC_PERIOD || envValue("HPA_SYNC_PERIOD_DEFAULT")).replace(/s$/, ""));

/** The processes cluster.sh runs (its `restart` takes these names). */
export type ClusterComponent = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok" | "keda-operator" | "keda-adapter" | "karpenter-kwok";

export class LocalCluster {
    private constructor(readonly kubeconfig: string) {}

    /**
     * A fresh cluster: stops any left running, wipes its data, starts it again.
     * `podReadyDelaySeconds`: kwok marks pods Ready this long after they run (model load).
     * `karpenter`: also run Karpenter's core with its kwok provider as the node autoscaler.
     */
    static async fresh(opts: { podReadyDelaySeconds?: number; karpenter?: boolean } = {}): Promise<LocalCluster> {
        await run("bash", [SCRIPT, "down"], { cwd: REPO_ROOT, timeoutMs: 120_000 });
        const env = opts.podReadyDelaySeconds ? { ...process.env, E2E_POD_READY_DELAY: `${opts.podReadyDelaySeconds}s` } : process.env;
        const up = await run("bash", [SCRIPT, "up", ...(opts.karpenter ? ["--karpenter"] : [])], { cwd: REPO_ROOT, env, timeoutMs: 16 * 60_000 });
        const line = up.stdout.split("\n").reverse().find((l) => l.startsWith("KUBECONFIG="));
        if (!line) throw new Error(`e2e:cluster up printed no KUBECONFIG= line:\n${up.stdout.slice(-3000)}`);
        return new LocalCluster(line.slice("KUBECONFIG=".length).trim());
    }

    /** The pid cluster.sh recorded for a process (its state folder holds the kubeconfig); undefined when stopped. */
    pid(component: ClusterComponent): number | undefined {
        const file = path.join(path.dirname(this.kubeconfig), "pids", `${component}.pid`);
        return fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8").trim()) : undefined;
    }

    /**
     * Restarts one process by its recorded pid (`cluster.sh restart`): SIGTERM (a graceful stop) or
     * SIGKILL (a crash), down for `downSeconds`, started again as `up` starts it; returns once its
     * health endpoint answers, with the script's report.
     */
    async restart(component: ClusterComponent, opts: { signal: "TERM" | "KILL"; downSeconds: number }): Promise<{ oldPid?: number; newPid?: number; ms: number; report: string }> {
        const oldPid = this.pid(component);
        const r = await run("bash", [SCRIPT, "restart", component, "--signal", opts.signal, "--down", String(opts.downSeconds)],
            { cwd: REPO_ROOT, timeoutMs: (opts.downSeconds + 150) * 1000 });
        return { oldPid, newPid: this.pid(component), ms: r.ms, report: r.stdout.trim() };
    }

    async down(): Promise<void> {
        await run("bash", [SCRIPT, "down"], { cwd: REPO_ROOT, timeoutMs: 120_000 });
    }

    kubectl(args: string[], opts: { allowFailure?: boolean; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
        return run(tool("kubectl"), ["--kubeconfig", this.kubeconfig, ...args], { timeoutMs: opts.timeoutMs ?? 60_000, ...opts });
    }

    /** `kubectl get ... -o json`, parsed; undefined when the object does not exist. */
    async get(args: string[]): Promise<any | undefined> {
        const r = await this.kubectl(["get", ...args, "-o", "json"], { allowFailure: true });
        if (r.code !== 0) {
            if (/NotFound|not found/.test(r.stderr)) return undefined;
            throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr}`);
        }
        return JSON.parse(r.stdout);
    }

    async list(kind: string, namespace?: string): Promise<any[]> {
        const r = await this.get([kind, ...(namespace ? ["-n", namespace] : ["-A"])]);
        return r?.items ?? [];
    }
}
