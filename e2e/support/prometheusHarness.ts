// Runs a real Prometheus (Debian's 2.42 in CI) against a VllmEmulator, so that tests evaluate
// the package's PromQL with Prometheus's own semantics (staleness, rate extrapolation, NaN, `or`)
// instead of trusting our reading of them. Everything listens on 127.0.0.1; every wait is bounded.

import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { VllmEmulator, type TargetInfo } from "./vllmEmulator";

export const DEFAULT_PROMETHEUS_BIN = "/usr/bin/prometheus";
/** Scrape interval of the generated config (seconds); 1 s keeps tests fast. */
export const SCRAPE_INTERVAL_SECONDS = 1;
const DEFAULT_TIMEOUT_MS = 20_000;

// What KEDA makes of a query answer, shared with `npm run doctor` (scripts/lib/prometheusQuery.ts).
export { kedaValue, parsePromValue } from "../../scripts/lib/prometheusQuery";
export type { KedaOptions, QueryResult, Sample } from "../../scripts/lib/prometheusQuery";
import type { KedaOptions, QueryResult, Sample } from "../../scripts/lib/prometheusQuery";
import { kedaValue, parsePromValue } from "../../scripts/lib/prometheusQuery";

export interface PrometheusHarnessOptions {
    /** Binary to run; default env PROMETHEUS_BIN, else /usr/bin/prometheus. */
    prometheusBin?: string;
    /** Declare targets here, before Prometheus starts: targets added later take Prometheus up to ~10 s to discover. */
    setup?: (emu: VllmEmulator) => void;
    /** Bound for every wait (ready, scrapes); default 20 s. */
    timeoutMs?: number;
    /**
     * Real exporters to scrape besides the emulator (e.g. the end-to-end cluster's KEDA operator on
     * 127.0.0.1:18080), one scrape job each. start() does not wait for them: they may come up later.
     */
    staticTargets?: StaticScrapeTarget[];
}

/**
 * A real exporter scraped as the Prometheus Operator would scrape it through a ServiceMonitor:
 * its own job (the `job` label: the Operator's default is the Service's name), the target labels
 * the Operator attaches (namespace, service, pod, endpoint, container), honor_labels as the
 * ServiceMonitor endpoint says.
 */
export interface StaticScrapeTarget {
    /** Job name, and so the `job` label (unless `labels` names another). */
    job: string;
    /** `host:port`. */
    address: string;
    /** Default `/metrics`. */
    metricsPath?: string;
    /** The exporter's own labels win over the target's (honorLabels: true on the ServiceMonitor endpoint). */
    honorLabels?: boolean;
    /** Target labels. */
    labels?: Record<string, string>;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface HttpAnswer {
    status: number;
    body: string;
}

function httpRequest(
    port: number,
    method: "GET" | "POST",
    pathAndQuery: string,
    body?: string,
    timeoutMs = 5000,
): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                method,
                path: pathAndQuery,
                headers: body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" },
                timeout: timeoutMs,
                agent: false,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
                res.on("error", reject);
            },
        );
        req.on("timeout", () => req.destroy(new Error(`HTTP ${method} ${pathAndQuery} timed out after ${timeoutMs} ms`)));
        req.on("error", reject);
        req.end(body);
    });
}

interface ApiEnvelope {
    status: "success" | "error";
    data?: { resultType: string; result: unknown };
    errorType?: string;
    error?: string;
}

type RawVector = { metric: Record<string, string>; value: [number, string] }[];
type RawMatrix = { metric: Record<string, string>; values: [number, string][] }[];

// Process-wide cleanup: mocha may exit (or be interrupted) before an `after` hook runs.
const live = new Set<PrometheusHarness>();
let exitHookInstalled = false;
function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    process.on("exit", () => {
        for (const h of live) h.killSync();
    });
}

/** A running Prometheus scraping a VllmEmulator. Create with `PrometheusHarness.start()`. */
export class PrometheusHarness {
    private stderrTail = "";
    private exited?: string;
    private stopped = false;

    private constructor(
        readonly emulator: VllmEmulator,
        private child: ChildProcess,
        readonly port: number,
        private readonly dir: string,
        private readonly sdFile: string,
        private readonly timeoutMs: number,
        private readonly respawn: () => ChildProcess,
    ) {
        this.watch(child);
    }

    private watch(child: ChildProcess): void {
        child.stderr?.on("data", (c: Buffer) => {
            this.stderrTail = (this.stderrTail + c.toString("utf8")).slice(-4000);
        });
        child.on("exit", (code, signal) => {
            if (child === this.child) this.exited = `exited with ${signal ?? `code ${code}`}`;
        });
        // Without a listener, a spawn failure (EACCES, ...) would crash the whole mocha run.
        child.on("error", (e) => {
            if (child === this.child) this.exited ??= `failed to run (${e.message})`;
        });
    }

    /**
     * Loads alerting/recording rule groups (as a PrometheusRule's spec.groups) and waits until
     * Prometheus has reloaded them (SIGHUP re-reads the configuration and its rule files).
     */
    async loadRules(groups: { name: string; rules: unknown[] }[]): Promise<void> {
        fs.writeFileSync(rulesFileOf(this.sdFile), JSON.stringify({ groups }));
        this.child.kill("SIGHUP");
        const want = groups.map((g) => g.name).sort().join(",");
        await this.waitUntil(`Prometheus to load the rule groups ${want}`, async () => {
            const r = await httpRequest(this.port, "GET", "/api/v1/rules", undefined, 1000).catch(() => undefined);
            if (r?.status !== 200) return false;
            const loaded = (JSON.parse(r.body).data?.groups ?? []).map((g: { name: string }) => g.name).sort().join(",");
            return loaded === want;
        });
    }

    /** The alerts Prometheus holds now (pending or firing), with their labels. */
    async alerts(): Promise<{ labels: Record<string, string>; state: string }[]> {
        const r = await httpRequest(this.port, "GET", "/api/v1/alerts", undefined, 2000);
        return JSON.parse(r.body).data?.alerts ?? [];
    }

    /**
     * Stops the Prometheus process only (an outage: its port refuses connections); the emulator
     * keeps serving. startAgain() brings it back on the same port with the same data.
     */
    async stopPrometheus(): Promise<void> {
        await this.killChild();
    }

    /** Starts Prometheus again after stopPrometheus(), on the same port and data, and waits until it is ready. */
    async startAgain(): Promise<void> {
        if (this.stopped) throw new Error("PrometheusHarness: stopped for good");
        if (this.child.exitCode === null && this.exited === undefined) return;
        this.exited = undefined;
        this.child = this.respawn();
        this.watch(this.child);
        await this.waitUntil("Prometheus /-/ready after a restart", async () => {
            const r = await httpRequest(this.port, "GET", "/-/ready", undefined, 1000).catch(() => undefined);
            return r?.status === 200;
        });
    }

    private async killChild(): Promise<void> {
        const child = this.child;
        if (child.exitCode === null && child.signalCode === null) {
            const gone = new Promise<void>((r) => child.once("exit", () => r()));
            child.kill("SIGTERM");
            const t = setTimeout(() => child.kill("SIGKILL"), 5000);
            await gone;
            clearTimeout(t);
        }
    }

    /**
     * Starts the emulator (if not started) and Prometheus, and returns once every declared target
     * has been scraped and ingested at least once.
     */
    static async start(opts: PrometheusHarnessOptions = {}, emulator = new VllmEmulator()): Promise<PrometheusHarness> {
        const bin = opts.prometheusBin ?? process.env.PROMETHEUS_BIN ?? DEFAULT_PROMETHEUS_BIN;
        if (!fs.existsSync(bin)) {
            throw new Error(
                `Prometheus binary not found at ${bin} (set PROMETHEUS_BIN to override). ` +
                    "These tests need a real Prometheus: .ci/run installs Debian's `prometheus` package " +
                    "(apt-get install prometheus).",
            );
        }
        opts.setup?.(emulator);
        await emulator.start();

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vllm-autoscaling-prom-"));
        const sdFile = path.join(dir, "targets.json");
        writeFileSd(sdFile, emulator.address, emulator.targetInfos());
        fs.writeFileSync(rulesFileOf(sdFile), JSON.stringify({ groups: [] }));
        fs.writeFileSync(path.join(dir, "prometheus.yml"), prometheusConfig(sdFile, opts.staticTargets ?? []));

        const port = await freePort();
        const spawnPrometheus = () => spawn(
            bin,
            [
                `--config.file=${path.join(dir, "prometheus.yml")}`,
                `--storage.tsdb.path=${path.join(dir, "data")}`,
                `--web.listen-address=127.0.0.1:${port}`,
                // Debian's defaults point at /etc/prometheus; keep the run self-contained.
                `--web.console.templates=${dir}`,
                `--web.console.libraries=${dir}`,
                "--log.level=warn",
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
        const h = new PrometheusHarness(emulator, spawnPrometheus(), port, dir, sdFile, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, spawnPrometheus);
        live.add(h);
        installExitHook();
        // Targets added after start reach Prometheus through the file_sd file.
        emulator.onTargetsChanged((targets) => {
            if (!h.stopped) writeFileSd(sdFile, emulator.address, targets);
        });
        try {
            await h.waitUntil("Prometheus /-/ready", async () => {
                const r = await httpRequest(port, "GET", "/-/ready", undefined, 1000).catch(() => undefined);
                return r?.status === 200;
            });
            await h.waitForScrapes(1);
        } catch (e) {
            await h.stop();
            throw e;
        }
        return h;
    }

    /** Base URL, e.g. for code under test that talks to Prometheus itself. */
    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** Instant query at "now", or at `at` (Unix seconds), any result type. */
    async queryResult(promql: string, at?: number): Promise<QueryResult> {
        const params = new URLSearchParams({ query: promql, ...(at === undefined ? {} : { time: String(at) }) });
        const r = await httpRequest(this.port, "POST", "/api/v1/query", params.toString());
        let env: ApiEnvelope;
        try {
            env = JSON.parse(r.body) as ApiEnvelope;
        } catch {
            throw new Error(`Prometheus answered ${r.status} with non-JSON to ${promql}: ${r.body.slice(0, 500)}`);
        }
        if (env.status !== "success" || !env.data) {
            throw new Error(`Prometheus rejected ${promql}: ${env.errorType ?? r.status}: ${env.error ?? r.body}`);
        }
        const { resultType, result } = env.data;
        switch (resultType) {
            case "vector":
                return {
                    resultType,
                    samples: (result as RawVector).map((s) => ({
                        metric: s.metric,
                        timestamp: s.value[0],
                        value: parsePromValue(s.value[1]),
                    })),
                };
            case "scalar": {
                const [ts, v] = result as [number, string];
                return { resultType, value: parsePromValue(v), timestamp: ts };
            }
            case "matrix":
                return {
                    resultType,
                    series: (result as RawMatrix).map((s) => ({
                        metric: s.metric,
                        values: s.values.map(([ts, v]): [number, number] => [ts, parsePromValue(v)]),
                    })),
                };
            case "string": {
                const [ts, v] = result as [number, string];
                return { resultType, value: v, timestamp: ts };
            }
            default:
                throw new Error(`Prometheus returned unknown resultType ${resultType} for ${promql}`);
        }
    }

    /**
     * Instant query that must return an instant vector (what KEDA consumes). A scalar result
     * (e.g. `scalar(x)`, `1 + 1`) is an error here, because KEDA cannot read it either.
     */
    async query(promql: string, at?: number): Promise<Sample[]> {
        const r = await this.queryResult(promql, at);
        if (r.resultType !== "vector") {
            throw new Error(
                `query ${promql} returned a ${r.resultType}, not an instant vector` +
                    (r.resultType === "scalar" ? ` (value ${r.value}); KEDA cannot read scalars, use queryResult() to inspect it` : ""),
            );
        }
        return r.samples;
    }

    /** The value KEDA's Prometheus scaler would compute from this query now (or its error). */
    async kedaValue(promql: string, opts: KedaOptions = { ignoreNullValues: false }): Promise<number> {
        return kedaValue(await this.queryResult(promql), promql, opts);
    }

    /**
     * Waits until every target known to the emulator (present or absent) has been scraped `n`
     * more times since this call and Prometheus has ingested the n-th of those scrapes. Call it
     * after changing emulator state; targets added since start wait for discovery too (<= ~10 s).
     */
    async waitForScrapes(n = 1): Promise<void> {
        const emu = this.emulator;
        const goals = emu.targetInfos().map((t) => ({ id: t.id, instance: t.labels.instance, scrape: emu.scrapeCount(t.id) + n }));
        await this.waitUntil(`${n} scrape(s) of every target`, async () =>
            goals.every((g) => emu.scrapeCount(g.id) >= g.scrape),
        );
        // Served is not yet ingested. Prometheus commits a scrape's samples together with `up`,
        // whose timestamp is the scrape's start: a few ms before our arrival time, and a whole
        // interval after the previous scrape's start.
        const slackMs = (SCRAPE_INTERVAL_SECONDS * 1000) / 2;
        await this.waitUntil(`ingestion of the scrape(s) of every target`, async () => {
            const ups = await this.query("timestamp(up)");
            const seen = new Map(ups.map((s) => [s.metric.instance, s.value * 1000]));
            return goals.every((g) => {
                const ts = seen.get(g.instance);
                const arrival = emu.scrapeArrival(g.id, g.scrape);
                return ts !== undefined && arrival !== undefined && ts >= arrival - slackMs;
            });
        });
    }

    /** Prometheus's view of its targets (for debugging and discovery checks). */
    async activeTargets(): Promise<{ labels: Record<string, string>; health: string; lastScrape: string; lastError: string }[]> {
        const r = await httpRequest(this.port, "GET", "/api/v1/targets?state=active");
        const env = JSON.parse(r.body) as {
            data: { activeTargets: { labels: Record<string, string>; health: string; lastScrape: string; lastError: string }[] };
        };
        return env.data.activeTargets;
    }

    /** Last lines Prometheus wrote to stderr. */
    stderr(): string {
        return this.stderrTail;
    }

    /** Stops Prometheus and the emulator and removes the temp dir. Idempotent. */
    async stop(): Promise<void> {
        this.stopped = true;
        live.delete(this);
        if (this.exited === undefined) await this.killChild();
        await this.emulator.close();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** For the process 'exit' hook: no async work is possible there. */
    killSync(): void {
        if (this.child.exitCode === null) this.child.kill("SIGKILL");
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    private async waitUntil(what: string, cond: () => Promise<boolean>): Promise<void> {
        const deadline = Date.now() + this.timeoutMs;
        for (;;) {
            if (this.exited !== undefined) {
                throw new Error(`Prometheus ${this.exited} while waiting for ${what}. stderr tail:\n${this.stderrTail}`);
            }
            if (await cond()) return;
            if (Date.now() > deadline) {
                throw new Error(
                    `timed out after ${this.timeoutMs} ms waiting for ${what} ` +
                        `(file_sd: ${this.sdFile}). Prometheus stderr tail:\n${this.stderrTail}`,
                );
            }
            await sleep(50);
        }
    }
}

/** The rule file every harness Prometheus loads (empty until loadRules()). */
function rulesFileOf(sdFile: string): string {
    return path.join(path.dirname(sdFile), "rules.json");
}

/** The harness's prometheus.yml (JSON, which is valid YAML): the emulator's two file_sd jobs, then one job per static target. */
export function prometheusConfig(sdFile: string, staticTargets: readonly StaticScrapeTarget[] = []): string {
    const reserved = new Set(["vllm-emulator", "vllm-emulator-honor-labels"]);
    for (const t of staticTargets) {
        if (reserved.has(t.job)) throw new Error(`PrometheusHarness: static target job ${t.job} is already taken`);
        reserved.add(t.job);
    }
    return JSON.stringify(
        {
            global: { scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`, scrape_timeout: "900ms", evaluation_interval: "1s" },
            // JSON is valid YAML for rule files too; loadRules() fills it and reloads.
            rule_files: [rulesFileOf(sdFile)],
            scrape_configs: [
                {
                    // The Operator would make one job per ServiceMonitor endpoint; the `job` label
                    // each target carries in file_sd overrides this name, so one scrape config suffices.
                    job_name: "vllm-emulator",
                    file_sd_configs: [{ files: [sdFile], refresh_interval: "1s" }],
                },
                {
                    // Exporters whose ServiceMonitors set honorLabels (kube-state-metrics, KEDA's operator).
                    job_name: "vllm-emulator-honor-labels",
                    honor_labels: true,
                    file_sd_configs: [{ files: [honorLabelsSdFile(sdFile)], refresh_interval: "1s" }],
                },
                ...staticTargets.map((t) => ({
                    job_name: t.job,
                    honor_labels: t.honorLabels ?? false,
                    metrics_path: t.metricsPath ?? "/metrics",
                    static_configs: [{ targets: [t.address], labels: t.labels ?? {} }],
                })),
            ],
        },
        null,
        2,
    );
}

function honorLabelsSdFile(sdFile: string): string {
    return sdFile.replace(/\.json$/, "-honor-labels.json");
}

function writeFileSd(file: string, address: string, targets: TargetInfo[]): void {
    const write = (f: string, list: TargetInfo[]) => {
        const groups = list.map((t) => ({
            targets: [address],
            labels: { ...t.labels, __metrics_path__: t.metricsPath },
        }));
        // Prometheus reads file_sd on fsnotify events: write-then-rename so it never sees half a file.
        const tmp = `${f}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(groups, null, 2));
        fs.renameSync(tmp, f);
    };
    write(file, targets.filter((t) => !t.honorLabels));
    write(honorLabelsSdFile(file), targets.filter((t) => t.honorLabels));
}

/** Handle filled in by `withPrometheus`'s `before` hook. */
export interface PrometheusFixture {
    readonly prom: PrometheusHarness;
    readonly emu: VllmEmulator;
}

/**
 * Mocha helper: starts an emulator and Prometheus in `before` (declare targets in `setup`) and
 * stops them in `after`. Call it inside a `describe`; use the returned handle in tests.
 */
export function withPrometheus(opts: PrometheusHarnessOptions = {}): PrometheusFixture {
    let harness: PrometheusHarness | undefined;
    const need = (): PrometheusHarness => {
        if (!harness) throw new Error("withPrometheus: Prometheus is not running (used outside the describe, or `before` failed)");
        return harness;
    };
    before(async function () {
        // Discovery of the first targets alone can take Prometheus ~10 s.
        this.timeout((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 2 + 5000);
        harness = await PrometheusHarness.start(opts);
    });
    after(async function () {
        this.timeout(15_000);
        await harness?.stop();
        harness = undefined;
    });
    return {
        get prom() {
            return need();
        },
        get emu() {
            return need().emulator;
        },
    };
}
