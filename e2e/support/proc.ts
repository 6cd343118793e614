// Runs a command with a bound on its time, capturing its output. A command still running at the
// bound is stopped with its whole process group (it was started as the group's leader), so no
// test leaves a process behind.
import { spawn } from "node:child_process";

export interface RunOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Hard bound; the process group is killed after it. */
    timeoutMs: number;
    input?: string;
    /** Resolve with the result instead of throwing on a non-zero exit. */
    allowFailure?: boolean;
}

export interface RunResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    ms: number;
}

function tail(s: string, n = 4000): string {
    return s.length > n ? `...${s.slice(-n)}` : s;
}

export class CommandError extends Error {
    constructor(readonly command: string, readonly result: RunResult, why: string) {
        super(`${command}: ${why} after ${(result.ms / 1000).toFixed(1)} s\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`);
        this.name = "CommandError";
    }
}

export function run(file: string, args: string[], opts: RunOptions): Promise<RunResult> {
    const command = [file, ...args].join(" ");
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(file, args, {
            cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        child.stdout!.on("data", (c: Buffer) => { stdout += c.toString("utf8"); });
        child.stderr!.on("data", (c: Buffer) => { stderr += c.toString("utf8"); });
        const timer = setTimeout(() => {
            timedOut = true;
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                // already gone
            }
        }, opts.timeoutMs);
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(new Error(`${command}: could not start (${e.message})`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const result = { code, signal, stdout, stderr, ms: Date.now() - started };
            if (timedOut) reject(new CommandError(command, result, `did not finish within ${opts.timeoutMs / 1000} s (stopped)`));
            else if (code !== 0 && !opts.allowFailure) reject(new CommandError(command, result, `exited with ${signal ?? `code ${code}`}`));
            else resolve(result);
        });
        if (opts.input !== undefined) {
            // A command that exits without reading its input must not fail the test with EPIPE.
            child.stdin!.on("error", () => undefined);
            child.stdin!.end(opts.input);
        }
    });
}

/** A value a suite's earlier step (its `before`, a first test) set up, or an error saying it is missing. */
export function need<T>(v: T | undefined, what: string): T {
    if (v === undefined) throw new Error(`${what} is not set up (an earlier step failed)`);
    return v;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 1000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last).slice(0, 500)})` : ""}`);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
