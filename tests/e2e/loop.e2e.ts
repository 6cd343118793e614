// The scaling loop on real KEDA and the real HPA: the loop stack (e2e/stacks/loop.yaml)
// deployed by the real Pulumi engine on a fresh local cluster, a real Prometheus scraping engines
// that follow the cluster's ready pods (support/loopEngines.ts, load through the simulator's
// engine model), and the rules of docs/scaling.md held against what the cluster does: wake from zero,
// scale out to the count the triggers promise and back to zero, replica ownership under
// `pulumi preview` / `pulumi up` / config changes, and faults (the KEDA operator restarted,
// Prometheus stopped, a trigger answered with nothing, paused). Every expectation is computed from
// the plan (thresholds, polling, cooldown, max, fallback) and the documented rules, never copied
// from a run.
import * as assert from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { PrometheusHarness, SCRAPE_INTERVAL_SECONDS } from "../../e2e/support/prometheusHarness";
import { planInference } from "../../components/plan";
import { DEFAULT_TOLERANCE } from "../../components/sim/hpa";
import { hpaProposal, scaledModelOf, triggerValues, type ScaledModel, type Scrape } from "../../components/sim/keda";
import { paramsForPlan } from "../../components/sim/run";
import { argsFromConfig } from "../../stacks/config";
import { EnginePool } from "../../components/sim/engine";
import type { InferencePlan } from "../../components/plan/types";
import { TRIGGER } from "../../components/plan/triggers";
import { ALERT, ALERT_WINDOW, type PrometheusRuleGroup } from "../../components/plan/alerts";
import { mergeValues, type Values } from "../../components/plan/merge";
import { HPA_SYNC_SECONDS, KEDA_OPERATOR_METRICS_URL, LocalCluster } from "../../e2e/support/cluster";
import type { E2eStack } from "../../e2e/support/e2eStacks";
import { ClusterEngines, steadyState, type LoopSample } from "../../e2e/support/loopEngines";
import { LoopSession } from "../../e2e/support/loopSession";
import { need, waitFor } from "../../e2e/support/proc";
import type { PulumiStack } from "../../e2e/support/pulumiStack";

/** Slack for the API server, kubectl reads and the harness's 1 s steps, added to every derived bound. */
const SLACK_SECONDS = 5;
/**
 * The rate of the load step (requests/s); the replica count it needs is computed, not assumed.
 * (3 rps gave 3 by the rule, but the HPA's tolerance held 2 as well: expectedReplicas refuses it.)
 */
const STEP_RPS = 3.5;
/** A trickle that wakes the model without needing a second engine (checked against the model below). */
const WAKE_RPS = 0.5;
/** A heavier load, after the operator's restart: the count it needs is computed (and must exceed the step's). */
const RESUME_RPS = 5;

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What the engines of one model show: requests running and waiting, KV cache use (EnginePool's terms). */
interface EngineState {
    running: number;
    waiting: number;
    kvUsage: number;
}

/** The triggers this suite can predict from the engine model; the loop stack must have no other. */
const PREDICTED = new Set<string>([TRIGGER.queueDepth, TRIGGER.load, TRIGGER.kvCache, TRIGGER.wakeOnRequest]);

/**
 * What Prometheus scrapes from the model with `ready` engines in `state` at `rps`, as the
 * simulator's Scrape: its trigger values and HPA rule (components/sim/keda.ts) then give the
 * counts this suite expects, one model of KEDA and the HPA for the simulator and the loop alike.
 */
function scrapeOf(model: ScaledModel, state: EngineState, rps: number, ready: number, serviceSeconds: number): Scrape {
    const other = model.scaledObject.spec.triggers.map((t) => t.name ?? "").filter((n) => !PREDICTED.has(n));
    if (other.length > 0) throw new Error(`no engine-model prediction for trigger(s) ${other.join(", ")} in this suite`);
    return { ...state, engines: ready, ttftP95: () => NaN, routerRequests: (w) => rps * w, completions: (w) => rps * w, inferenceSeconds: (w) => rps * w * serviceSeconds };
}

/**
 * Every trigger's value with `ready` engines in the steady `state` at `rps`: what arrives
 * completes, and by Little's law each request runs running / rps seconds.
 */
function valuesOf(model: ScaledModel, state: EngineState, rps: number, ready: number): Record<string, number> {
    return triggerValues(model, scrapeOf(model, state, rps, ready, rps > 0 ? state.running / rps : 0), Date.now());
}

/** The HPA's rule without its tolerance: ceil(value / threshold), the max over triggers, within KEDA's HPA bounds. */
function hpaRule(model: ScaledModel, values: Record<string, number>): number {
    return hpaProposal(model, values, 1, 1, 0);
}

/**
 * Seconds of `toRps` after the steady state at `fromRps` until the HPA's rule, tolerance included,
 * asks for more than `n` engines: the engine model stepped once a second as the harness steps it.
 */
function secondsToScaleOut(plan: InferencePlan, fromRps: number, toRps: number, n: number): number {
    const model = scaledModelOf(plan, 0);
    const pool = new EnginePool(paramsForPlan(plan, 0).engine);
    // The load's rates are over the plan's window (the router's arrivals, the engines' completions).
    const window = plan.models[0].loadDemand?.windowSeconds ?? 60;
    const served: number[] = [];
    const ran: number[] = [];
    const step = (rps: number) => {
        pool.step(t, rps, n);
        served.push(pool.served);
        ran.push(pool.inferenceSeconds);
    };
    let t = 0;
    for (; t < 600; t++) step(fromRps);
    for (let k = 1; k <= 600; k++, t++) {
        step(toRps);
        const last = served.length - 1;
        // Arrivals over the window: the step's rate for k seconds, the steady rate before.
        const arrivals = (Math.min(k, window) * toRps + Math.max(0, window - k) * fromRps) / window;
        const values = triggerValues(model, {
            running: pool.running, waiting: pool.waiting, kvUsage: pool.kvUsage(n), engines: n, ttftP95: () => NaN,
            routerRequests: (w) => arrivals * w,
            completions: () => served[last] - served[last - window],
            inferenceSeconds: () => ran[last] - ran[last - window],
        }, Date.now());
        if (hpaProposal(model, values, n) > n) return k;
    }
    throw new Error(`${toRps} rps never asks for more than ${n} replicas in the engine model`);
}

/**
 * The replica count the policy settles at under a constant rate: the fixed point of
 * N -> desired(N) of the engine model. The HPA holds any N whose value is within its tolerance of
 * N x threshold, so the rate must have exactly one count the HPA holds, and it must be the count
 * the rule without tolerance gives: else the loop could stop at either, depending on the order in
 * which replicas joined (at 3 rps this stack held 2 as well as 3).
 */
function expectedReplicas(plan: InferencePlan, rps: number): { n: number; table: string } {
    const model = scaledModelOf(plan, 0);
    const engine = paramsForPlan(plan, 0).engine;
    const max = plan.models[0].maxReplicas;
    const rows: string[] = [];
    const fixed: number[] = [];
    const held: number[] = [];
    for (let n = 1; n <= max; n++) {
        const values = valuesOf(model, steadyState(engine, rps, n), rps, n);
        const d = hpaRule(model, values);
        const h = hpaProposal(model, values, n);
        rows.push(`${n} -> ${d}${h !== d ? ` (${h} within the HPA's tolerance)` : ""} (${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")})`);
        if (d === n) fixed.push(n);
        if (h === n) held.push(n);
    }
    assert.strictEqual(fixed.length, 1, `the policy at ${rps} rps should settle at exactly one count:\n${rows.join("\n")}`);
    assert.deepStrictEqual(held, fixed, `at ${rps} rps the HPA's tolerance holds ${held.join(" and ")}, not only ${fixed[0]}: pick another rate\n${rows.join("\n")}`);
    return { n: fixed[0], table: rows.join("; ") };
}

function condition(obj: any, type: string): any {
    return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

function httpGetText(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: 5000, agent: false }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => { body += c.toString("utf8"); });
            res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
        req.on("error", reject);
    });
}

/** One read of the KEDA operator's /metrics: the sum of a metric's samples whose labels include `match` (undefined: none). */
async function kedaOperatorMetrics(): Promise<(name: string, match: Record<string, string>) => number | undefined> {
    const text = await httpGetText(KEDA_OPERATOR_METRICS_URL);
    const samples = text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => {
        const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)/.exec(l);
        const labels = Object.fromEntries([...(m?.[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
        return { name: m?.[1], labels, value: Number(m?.[3]) };
    });
    return (name, match) => samples.filter((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v))
        .reduce<number | undefined>((sum, x) => (sum ?? 0) + x.value, undefined);
}

/**
 * A Prometheus query API that finds nothing: every instant query (GET or POST /api/v1/query) is
 * answered `success` with an empty vector, as a query that matches no series, or a Prometheus that
 * scrapes none of the engines, answers. Listens on 127.0.0.1; records the queries it is asked.
 */
async function emptyPrometheus(): Promise<{ url: string; queries: string[]; close: () => Promise<void> }> {
    const queries: string[] = [];
    const server = http.createServer((req, res) => {
        const u = new URL(req.url ?? "/", "http://127.0.0.1");
        const answer = (query: string | null) => {
            queries.push(query ?? "");
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
        };
        if (u.pathname !== "/api/v1/query" || (req.method !== "GET" && req.method !== "POST")) {
            res.writeHead(404).end();
        } else if (req.method === "GET") {
            answer(u.searchParams.get("query"));
        } else {
            let body = "";
            req.on("data", (c: Buffer) => { body += c.toString("utf8"); });
            req.on("end", () => answer(new URLSearchParams(body).get("query") ?? u.searchParams.get("query")));
        }
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`, queries,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

function timeline(samples: LoopSample[], from = 0): string {
    const out: string[] = [];
    let last = "";
    for (const s of samples.filter((x) => x.t >= from)) {
        const key = `${s.rps}/${s.desired}/${s.ready}`;
        if (key === last) continue;
        last = key;
        out.push(`t=${s.t.toFixed(0)}s rps=${s.rps} desired=${s.desired ?? "-"} ready=${s.ready} running=${s.running.toFixed(1)} waiting=${s.waiting.toFixed(1)}`);
    }
    return out.join("\n        ");
}

/** Window and `for` of the scaler-errors alert here: a fault held for seconds stands for one held for minutes. */
const ALERT_TEST_WINDOW = "15s";
const ALERT_TEST_FOR_SECONDS = 10;

/**
 * The alert rules the stack's plan writes with `monitoring.alerts` on (the loop stack installs no
 * Prometheus Operator, so none is deployed), the scaler-errors alert's `for` set through its option
 * and every rate window compressed from ALERT_WINDOW to ALERT_TEST_WINDOW: the only change to the
 * generated expressions.
 */
function timeCompressedRules(config: Values): PrometheusRuleGroup[] {
    const plan = e2eStackFromConfig(mergeValues(config, { monitoring: { alerts: { enabled: true, scalerErrors: { forSeconds: ALERT_TEST_FOR_SECONDS } } } }));
    assert.strictEqual(plan.prometheusRules.length, 1);
    return plan.prometheusRules[0].spec.groups.map((g) => ({
        ...g, rules: g.rules.map((r) => ({ ...r, expr: r.expr.split(`[${ALERT_WINDOW}]`).join(`[${ALERT_TEST_WINDOW}]`) })),
    }));
}

describe("end-to-end: the scaling loop on real KEDA and the real HPA (e2e/stacks/loop.yaml)", function () {
    this.timeout(20 * 60_000);
    let cluster: LocalCluster | undefined;
    let prom: PrometheusHarness | undefined;
    let stack: PulumiStack | undefined;
    let e2e: E2eStack | undefined;
    let engines: ClusterEngines | undefined;
    let scaledTo: number | undefined;
    const plan = () => need(e2e, "stack").plan;
    const model = () => plan().models[0];
    const deployment = async () => need(cluster, "cluster").get(["deployment", model().deploymentName, "-n", plan().namespace]);
    const replicas = async (): Promise<number> => (await deployment())?.spec?.replicas;
    const so = () => plan().scaledObjects[0].spec as any;
    const liveScaledObject = async () => need(cluster, "cluster").get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace]);

    /** The HPA's scale-down window plus one period (plus slack): a count held this long is settled. */
    const settleSeconds = () => {
        const down = so().advanced.horizontalPodAutoscalerConfig.behavior.scaleDown;
        return down.stabilizationWindowSeconds + down.policies[0].periodSeconds + SLACK_SECONDS;
    };
    /** Waits until desired and ready replicas have both been `expected` for settleSeconds(); returns that hold. */
    const settle = async (expected: number): Promise<number> => {
        const e = need(engines, "engines");
        const hold = settleSeconds();
        let since: number | undefined;
        const from = e.now;
        const seen = () => [...new Set(e.samples.filter((x) => x.t >= from).map((x) => `${x.desired}/${x.ready}`))].join(", ");
        await waitFor(`${expected} replicas held for ${hold} s`, 240_000, async () => {
            const v = e.view(model().name);
            if (v.desired === expected && v.readyPods.length === expected) since ??= Date.now();
            else since = undefined;
            return since !== undefined && Date.now() - since >= hold * 1000 ? true : undefined;
        }, 500).catch((err: Error) => {
            throw new Error(`${err.message} (desired/ready seen: ${seen()}; engine steps caught up late: ${e.lateSteps})\n        ${timeline(e.samples, from)}`);
        });
        log(`settle: ${expected} reached and held ${hold} s after ${(e.now - from).toFixed(0)} s (desired/ready seen: ${seen()}; engine steps caught up late: ${e.lateSteps})`);
        return hold;
    };
    /** Waits until desired and ready replicas are both `expected`, without a hold (for a fault that holds the count itself). */
    const reach = async (expected: number): Promise<void> => {
        const e = need(engines, "engines");
        const from = e.now;
        await waitFor(`${expected} replicas, ready`, 240_000, async () => {
            const v = e.view(model().name);
            return v.desired === expected && v.readyPods.length === expected ? true : undefined;
        }, 500).catch((err: Error) => {
            throw new Error(`${err.message} (engine steps caught up late: ${e.lateSteps})\n        ${timeline(e.samples, from)}`);
        });
    };

    let session: LoopSession | undefined;
    before(async () => {
        session = await LoopSession.start({ stackFile: "loop.yaml", stackPrefix: "e2e-", maxSeconds: 15 * 60, log });
        ({ cluster, prom, stack, engines } = session);
        e2e = session.e2e;
    });

    after(async () => {
        await session?.stop({ log });
    });

    it("deploys the loop stack at zero replicas, its ScaledObject Ready in real KEDA", async () => {
        const r = await need(stack, "stack").up();
        log(`up: ${(r.ms / 1000).toFixed(1)} s; plan warnings: ${plan().warnings.length}`);
        const c = need(cluster, "cluster");
        await waitFor("ScaledObject Ready", 90_000, async () => {
            const o = await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace]);
            return condition(o, "Ready")?.status === "True" ? o : undefined;
        });
        await waitFor(`HPA ${model().hpaName}`, 60_000, () => c.get(["hpa", model().hpaName, "-n", plan().namespace]));
        assert.strictEqual(model().minReplicas, 0);
        assert.strictEqual(await replicas(), 0, "created at minReplicas 0 and left there without traffic");
    });

    it("wakes from zero on the router's counter alone: one replica within a polling interval plus KEDA's activation", async () => {
        const e = need(engines, "engines");
        const p = need(prom, "prometheus");
        const sel = `{namespace="${plan().namespace}",model_name="${model().servedModelName}"}`;
        assert.strictEqual(await replicas(), 0);
        assert.deepStrictEqual(await p.query(`vllm:num_requests_running${sel}`), [], "no engine metric before the wake");
        // The trickle needs one engine in the engine model: the wake is the only thing asked of the loop.
        assert.strictEqual(expectedReplicas(plan(), WAKE_RPS).n, 1);
        const bound = SCRAPE_INTERVAL_SECONDS + so().pollingInterval + HPA_SYNC_SECONDS + SLACK_SECONDS;
        const started = Date.now();
        e.setRate(model().name, WAKE_RPS);
        let engineSeriesAtWake = -1;
        const woke = await waitFor("the Deployment to ask for a replica", (bound + 30) * 1000, async () => {
            const n = await replicas();
            if (n >= 1) {
                engineSeriesAtWake = (await p.query(`vllm:num_requests_running${sel}`)).length;
                return n;
            }
            return undefined;
        }, 250);
        const wokeS = (Date.now() - started) / 1000;
        await waitFor("a ready engine pod", 60_000, async () => (e.view(model().name).readyPods.length >= 1 ? true : undefined), 250);
        const readyS = (Date.now() - started) / 1000;
        log(`wake: first request -> spec.replicas ${woke} in ${wokeS.toFixed(1)} s, a ready pod in ${readyS.toFixed(1)} s ` +
            `(bound: scrape ${SCRAPE_INTERVAL_SECONDS} s + polling ${so().pollingInterval} s + HPA sync ${HPA_SYNC_SECONDS} s + slack ${SLACK_SECONDS} s = ${bound} s)`);
        assert.strictEqual(woke, 1, "KEDA activates to exactly one replica");
        assert.strictEqual(engineSeriesAtWake, 0, "the wake happened with no engine metric present (only the router's counter)");
        assert.ok(wokeS <= bound, `woke after ${wokeS.toFixed(1)} s, over the bound of ${bound} s`);
    });

    it("scales out under a load step to the count the triggers promise (ceil(value / threshold), capped at maxReplicas)", async () => {
        const e = need(engines, "engines");
        const p = need(prom, "prometheus");
        const { n: expected, table } = expectedReplicas(plan(), STEP_RPS);
        log(`at ${STEP_RPS} rps, engine model steady state per replica count: ${table}`);
        log(`expected: ${expected} replicas (max ${model().maxReplicas})`);
        assert.notStrictEqual(expected, model().minReplicas);
        const started = e.now;
        e.setRate(model().name, STEP_RPS);
        const hold = await settle(expected);
        const firstUp = e.samples.find((s) => s.t >= started && (s.desired ?? 0) > 1);
        log(`scale-out: first step above 1 after ${firstUp ? (firstUp.t - started).toFixed(0) : "-"} s, settled at ${expected} after ${(e.now - started - hold).toFixed(0)} s; peak desired ${Math.max(...e.samples.filter((s) => s.t >= started).map((s) => s.desired ?? 0))}`);
        log(`timeline:\n        ${timeline(e.samples, started - 2)}`);
        assert.ok(e.samples.every((s) => (s.desired ?? 0) <= model().maxReplicas), "never above maxReplicas");
        // The queue that piled up while engines started is not read as demand: the peak is the count
        // the traffic needs. Running + waiting (the load before it read demand) would have asked for
        // what `backlogAsked` shows, from the same samples.
        const during = e.samples.filter((s) => s.t >= started);
        const peak = Math.max(...during.map((s) => s.desired ?? 0));
        const load = so().triggers.find((t: any) => t.name === TRIGGER.load);
        const h = model().loadHysteresis;
        const backlogAsked = Math.min(model().maxReplicas, Math.max(...during.map((s) =>
            Math.ceil((s.running + s.waiting + (s.running > 0 ? h * s.ready : 0)) / Number(load.metadata.threshold)))));
        log(`peak desired ${peak} (needed ${expected}); running + waiting would have asked for ${backlogAsked}`);
        assert.ok(peak <= expected, `the scale-out peaked at ${peak} replicas, above the ${expected} the traffic needs`);
        // The values KEDA reads now give the same count by the HPA's rule (within its tolerance).
        const values: Record<string, number> = {};
        for (const t of so().triggers) values[t.name] = await p.kedaValue(t.metadata.query);
        const rule = hpaRule(scaledModelOf(plan(), 0), values);
        const within = (Object.entries(values) as [string, number][]).some(([name, v]) => {
            const thr = Number(so().triggers.find((t: any) => t.name === name).metadata.threshold);
            return Math.abs(v / (thr * expected) - 1) <= DEFAULT_TOLERANCE;
        });
        log(`live trigger values: ${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")} -> rule ${rule}`);
        assert.ok(rule === expected || within, `the live values give ${rule} replicas by the rule, the loop runs ${expected}`);
        scaledTo = expected;
    });

    // Replica ownership: Pulumi never fights KEDA over replicas (docs/scaling.md, "How replica ownership works").
    /** Runs a step and asserts the live count stayed N throughout (harness samples, 1 s) and after. */
    const keepsN = async (what: string, step: () => Promise<void>): Promise<void> => {
        const e = need(engines, "engines");
        const n = need(scaledTo, "the scaled-out count");
        const before = await replicas();
        const from = e.now;
        await step();
        await sleep(2 * HPA_SYNC_SECONDS * 1000);
        const after = await replicas();
        const seen = e.samples.filter((s) => s.t >= from && s.desired !== undefined).map((s) => s.desired!);
        log(`${what}: replicas ${before} -> ${after} (seen during: ${[...new Set(seen)].join(", ")})`);
        assert.strictEqual(before, n);
        assert.strictEqual(after, n, `${what} changed the replicas`);
        assert.deepStrictEqual([...new Set(seen)], [n], `${what}: the replicas moved during the step`);
    };

    it("replica ownership: previews no changes at N replicas (pulumi preview --expect-no-changes)", async () => {
        await keepsN("preview", async () => {
            const r = await need(stack, "stack").preview(["--expect-no-changes"], { allowFailure: true });
            assert.strictEqual(r.code, 0, `the preview at N replicas wants changes:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-2000)}`);
        });
    });

    it("replica ownership: pulumi up leaves N replicas (and the Deployment's generation)", async () => {
        const gen = (await deployment()).metadata.generation;
        await keepsN("up", async () => {
            await need(stack, "stack").up();
        });
        assert.strictEqual((await deployment()).metadata.generation, gen, "pulumi up wrote the Deployment's spec");
    });

    it("replica ownership: pulumi refresh, then a preview with no changes at N replicas (after KEDA's operator rewrote the ScaledObject)", async () => {
        const s = need(stack, "stack");
        // KEDA's operator updates the object once it owns it (its finalizer), serializing it with its
        // own types: what refresh reads back is that serialization, not what Pulumi sent.
        const live = await need(cluster, "cluster").get(["scaledobject", model().scaledObjectName, "-n", plan().namespace]);
        assert.ok((live?.metadata?.finalizers ?? []).length > 0, "KEDA's operator has not updated the ScaledObject yet");
        await keepsN("refresh", async () => {
            await s.refresh();
        });
        await keepsN("preview after refresh", async () => {
            const r = await s.preview(["--expect-no-changes"], { allowFailure: true });
            assert.strictEqual(r.code, 0, `the preview after a refresh wants changes:\n${r.stdout.slice(-3000)}`);
        });
    });

    it("replica ownership: a new maxReplicas updates the ScaledObject in place and leaves N", async () => {
        const c = need(cluster, "cluster");
        const s = need(stack, "stack");
        const uid = (await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace])).metadata.uid;
        const newMax = model().maxReplicas + 1;
        // The count the policy settles at is the same with the new max (else this step could not show N kept).
        const replanned = replan({ maxReplicas: newMax });
        assert.strictEqual(expectedReplicas(replanned.plan, STEP_RPS).n, need(scaledTo, "N"));
        const gen = (await deployment()).metadata.generation;
        await keepsN(`maxReplicas ${model().maxReplicas} -> ${newMax}`, async () => {
            await s.project.pulumi(["config", "set", "-s", s.name, "--path", "vllm-autoscaling:models[0].autoscaling.maxReplicas", String(newMax), "--type", "int"]);
            await s.up();
        });
        const live = await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace]);
        assert.strictEqual(live.metadata.uid, uid, "replaced instead of updated in place");
        assert.strictEqual(live.spec.maxReplicaCount, newMax);
        await waitFor(`HPA maxReplicas ${newMax}`, 30_000, async () => ((await c.get(["hpa", model().hpaName, "-n", plan().namespace]))?.spec?.maxReplicas === newMax ? true : undefined));
        assert.strictEqual((await deployment()).metadata.generation, gen, "the Deployment's spec was written");
        e2e = replanned;
    });

    it("replica ownership: an engine arg change rolls the Deployment and leaves N", async () => {
        const s = need(stack, "stack");
        const e = need(engines, "engines");
        const n = need(scaledTo, "N");
        const key = "vllm-autoscaling:models[0].simulator.timeToFirstTokenMs";
        const current = Number((need(e2e, "stack").config.models as any[])[0].simulator.timeToFirstTokenMs);
        const before = await deployment();
        const podsBefore = e.view(model().name).readyPods;
        await keepsN(`timeToFirstTokenMs ${current} -> ${current + 100}`, async () => {
            await s.project.pulumi(["config", "set", "-s", s.name, "--path", key, String(current + 100), "--type", "int"]);
            await s.up();
            await waitFor("the rollout to finish with N ready pods", 120_000, async () => {
                const d = await deployment();
                const v = e.view(model().name);
                return d.status.observedGeneration === d.metadata.generation && d.status.updatedReplicas === n
                    && v.readyPods.length === n && !v.readyPods.some((p) => podsBefore.includes(p)) ? true : undefined;
            });
        });
        const after = await deployment();
        assert.ok(after.metadata.generation > before.metadata.generation, "the pod template changed");
        assert.ok(JSON.stringify(after.spec.template).includes(`${current + 100}ms`), "the new arg is in the pod template");
        log(`rolled: pods ${podsBefore.join(", ")} -> ${e.view(model().name).readyPods.join(", ")}`);
        e2e = replan({ timeToFirstTokenMs: current + 100 });
    });

    // Faults (docs/scaling.md, "The scaling rules"): the KEDA operator restarted mid-run. While it is down the
    // HPA gets no metric (the adapter asks the operator for them) and so changes nothing; KEDA keeps
    // no count of its own to lose, and once back it reads the triggers again.
    it("faults: the KEDA operator restarted mid-run (SIGTERM, then SIGKILL as a crash): no replica lost, scaling resumes", async () => {
        const e = need(engines, "engines");
        const c = need(cluster, "cluster");
        const n = need(scaledTo, "N");
        const ns = plan().namespace;
        assert.strictEqual(await replicas(), n, "the replica-ownership steps leave N under the load step");
        // What the HPA reads: one of its external metrics, through the adapter, from the operator.
        const hpa = await c.get(["hpa", model().hpaName, "-n", ns]);
        const metric = hpa.spec.metrics.find((m: any) => m.type === "External").external.metric;
        const selector = Object.entries(metric.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
        const externalMetric = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/${metric.name}?labelSelector=${encodeURIComponent(selector)}`;
        // Down for as many polling intervals as KEDA's fallback waits for failed polls.
        const down = so().fallback.failureThreshold * so().pollingInterval;
        const from = e.now;
        for (const signal of ["TERM", "KILL"] as const) {
            const t0 = e.now;
            const hpaSeen = new Set<string>();
            let restarting = true;
            const restarted = c.restart("keda-operator", { signal, downSeconds: down }).finally(() => { restarting = false; });
            while (restarting) {
                const sa = condition(await c.get(["hpa", model().hpaName, "-n", ns]), "ScalingActive");
                if (sa) hpaSeen.add(`${sa.status} (${sa.reason})`);
                await sleep(1000);
            }
            const r = await restarted;
            const healthyS = e.now - t0;
            assert.ok(r.newPid !== undefined && r.newPid !== r.oldPid, `keda-operator was not restarted:\n${r.report}`);
            // Back: the adapter reaches the new process (its gRPC client reconnects with backoff), and
            // the new process has reconciled the ScaledObject (it exports its paused gauge on every reconcile).
            await waitFor("the external metrics API to answer again", 120_000, async () => {
                const g = await c.kubectl(["get", "--raw", externalMetric], { allowFailure: true, timeoutMs: 10_000 });
                return g.code === 0 && JSON.parse(g.stdout).items?.length > 0 ? true : undefined;
            }, 250);
            const metricsS = e.now - t0;
            await waitFor("the restarted operator to reconcile the ScaledObject", 60_000, async () =>
                ((await kedaOperatorMetrics())("keda_scaled_object_paused", { namespace: ns, scaledObject: model().scaledObjectName }) !== undefined ? true : undefined), 250);
            const live = await liveScaledObject();
            assert.strictEqual(condition(live, "Ready")?.status, "True", "the ScaledObject is not Ready after the restart");
            log(`SIG${signal}: keda-operator pid ${r.oldPid} -> ${r.newPid}, down ${down} s (${signal === "KILL" ? "killed" : "stopped"} in ${/in ([0-9.]+)s/.exec(r.report)?.[1] ?? "?"} s), ` +
                `healthy again ${healthyS.toFixed(1)} s after the signal, the external metrics API answering ${metricsS.toFixed(1)} s after, reconciled ${(e.now - t0).toFixed(1)} s after; ` +
                `HPA ScalingActive meanwhile: ${[...hpaSeen].join(", ") || "-"}`);
        }
        const held = e.samples.filter((x) => x.t >= from && x.desired !== undefined).map((x) => x.desired!);
        log(`replicas seen during both restarts (${(e.now - from).toFixed(0)} s): ${[...new Set(held)].join(", ")}`);
        assert.deepStrictEqual([...new Set(held)], [n], "the replicas moved while the operator restarted");

        // Scaling resumes: a heavier load, and the count its rule gives. No count between N and that
        // one is held by the HPA's tolerance, so the loop cannot stop short of it.
        const { n: more, table } = expectedReplicas(plan(), RESUME_RPS);
        assert.ok(more > n, `${RESUME_RPS} rps should need more than ${n} replicas: ${table}`);
        const engine = paramsForPlan(plan(), 0).engine;
        for (let k = n; k < more; k++) {
            const m = scaledModelOf(plan(), 0);
            const values = valuesOf(m, steadyState(engine, RESUME_RPS, k), RESUME_RPS, k);
            assert.ok(hpaProposal(m, values, k) > k, `the HPA's tolerance would hold ${k} replicas at ${RESUME_RPS} rps`);
        }
        const cross = secondsToScaleOut(plan(), STEP_RPS, RESUME_RPS, n);
        const bound = cross + SCRAPE_INTERVAL_SECONDS + so().pollingInterval + HPA_SYNC_SECONDS + SLACK_SECONDS;
        const t0 = e.now;
        e.setRate(model().name, RESUME_RPS);
        await waitFor("a step above N", (bound + 60) * 1000, async () => ((await replicas()) > n ? true : undefined), 250);
        const upS = e.now - t0;
        await reach(more);
        const reachedS = e.now - t0;
        await sleep(1000); // the harness's sample of the last step
        log(`resumed: ${STEP_RPS} -> ${RESUME_RPS} rps, first step above ${n} after ${upS.toFixed(1)} s (bound: the engine model's ${cross} s to ask for more + scrape ${SCRAPE_INTERVAL_SECONDS} s + polling ${so().pollingInterval} s + HPA sync ${HPA_SYNC_SECONDS} s + slack ${SLACK_SECONDS} s = ${bound} s), ${more} ready after ${reachedS.toFixed(1)} s`);
        log(`timeline:\n        ${timeline(e.samples, from - 2)}`);
        assert.ok(upS <= bound, `scaling resumed after ${upS.toFixed(1)} s, over ${bound} s`);
        const after = e.samples.filter((x) => x.t >= t0 && x.desired !== undefined).map((x) => x.desired!);
        assert.ok(Math.min(...after) >= n && Math.max(...after) <= more, `replicas seen after the load change: ${[...new Set(after)].join(", ")}`);
    });

    // Scaling back down and to zero after the cooldown: held against the rules on the demo's trace
    // (tests/e2e/demo.e2e.ts), which runs this stack from zero to zero.

    // Faults (docs/scaling.md, "The scaling rules"): an outage never scales a model down; paused freezes it.
    it("faults: Prometheus stopped, KEDA's fallback holds the replicas (never fewer); Prometheus back, scaling resumes", async () => {
        const e = need(engines, "engines");
        const p = need(prom, "prometheus");
        const c = need(cluster, "cluster");
        const { n } = expectedReplicas(plan(), STEP_RPS);
        e.setRate(model().name, STEP_RPS);
        // Reached, not held: the fallback holds whatever count is current (as in the empty-answer test).
        await reach(n);
        const fb = so().fallback;
        assert.strictEqual(fb.behavior, "currentReplicasIfHigher");
        assert.ok(fb.replicas < n, "the fallback count is below N: holding N shows the current count wins");
        // Load gone and Prometheus gone together: had KEDA read the engines, it would scale down.
        // Held for the failures that trigger the fallback plus a whole scale-down window and period.
        const outage = fb.failureThreshold * so().pollingInterval + settleSeconds() + SLACK_SECONDS;
        const from = e.now;
        await p.stopPrometheus();
        e.setRate(model().name, 0);
        let fallbackSeen = false;
        // KEDA's own counters (read from the operator: Prometheus is down) once the fallback has served for a while, and at the end.
        let served: { at: number; read: Awaited<ReturnType<typeof kedaOperatorMetrics>> } | undefined;
        let fallbackAt: number | undefined;
        const deadline = Date.now() + outage * 1000;
        while (Date.now() < deadline) {
            const live = await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace]);
            if (condition(live, "Fallback")?.status === "True") {
                fallbackSeen = true;
                fallbackAt ??= e.now;
                if (!served && e.now - fallbackAt >= 2 * so().pollingInterval) served = { at: e.now, read: await kedaOperatorMetrics() };
            }
            await sleep(1000);
        }
        const end = await kedaOperatorMetrics();
        const during = e.samples.filter((s) => s.t >= from && s.desired !== undefined).map((s) => s.desired!);
        log(`outage of ${outage} s with the load gone: replicas seen ${[...new Set(during)].join(", ")}, Fallback condition ${fallbackSeen ? "True" : "never True"}`);
        assert.ok(during.length > 0 && Math.min(...during) >= n, `replicas dropped below ${n} during the outage`);
        assert.ok(fallbackSeen, "KEDA never reported the fallback active");
        // What the scaler-errors alert reads through a lasting outage (components/plan/alerts.ts): KEDA's failed queries go on being counted.
        assert.ok(served, `the fallback did not serve for ${2 * so().pollingInterval} s within the outage`);
        const grown = (name: string, match: Record<string, string>) => (end(name, match) ?? 0) - (served!.read(name, match) ?? 0);
        const failed = grown("keda_scaler_http_requests_total", { namespace: plan().namespace, scaled_resource: model().scaledObjectName, status_code: "error" });
        const errors = grown("keda_scaled_object_errors_total", { namespace: plan().namespace, scaledObject: model().scaledObjectName });
        log(`the last ${(e.now - served.at).toFixed(0)} s of the outage, the fallback serving: keda_scaler_http_requests_total{status_code="error"} +${failed}, keda_scaled_object_errors_total +${errors}`);
        assert.ok(failed > 0, "KEDA counted no failed query while the fallback served (the scaler-errors alert reads them)");
        const back = e.now;
        await p.startAgain();
        // Back: the engines read idle, the HPA's window still holds the fallback's recommendation.
        const bound = SCRAPE_INTERVAL_SECONDS + fb.failureThreshold * so().pollingInterval + HPA_SYNC_SECONDS + settleSeconds();
        await waitFor("a step down after Prometheus is back", (bound + 60) * 1000, async () => ((await replicas()) < n ? true : undefined), 500);
        const resumed = e.now - back;
        await sleep(2000);
        log(`Prometheus back: first step down after ${resumed.toFixed(1)} s (bound ${bound} s)`);
        log(`timeline:\n        ${timeline(e.samples, from - 2)}`);
        assert.ok(resumed <= bound, `scaling resumed after ${resumed.toFixed(1)} s, over ${bound} s`);
    });

    // A trigger that answers nothing. Every query of the package ends in `or vector(0)`, so Prometheus
    // itself never answers empty; what does is a Prometheus that finds nothing (the wrong one, or one
    // that scrapes no engine). The triggers keep ignoreNullValues "false", and this holds on real KEDA
    // that an empty answer is then an error (the fallback holds the count), not a 0 that would scale
    // the model down. Built as an arg change: prometheusUrl pointed at an API that answers nothing.
    it("faults: a trigger answered with nothing: KEDA reports the error, the fallback holds the replicas; the URL back, scaling resumes", async () => {
        const e = need(engines, "engines");
        const s = need(stack, "stack");
        const c = need(cluster, "cluster");
        const p = need(prom, "prometheus");
        const ns = plan().namespace;
        const soName = model().scaledObjectName;
        const { n } = expectedReplicas(plan(), STEP_RPS);
        const fb = so().fallback;
        assert.ok(fb.replicas < n, "the fallback count is below N: holding N shows the current count wins");
        for (const t of so().triggers.filter((x: any) => x.type === "prometheus")) assert.strictEqual(t.metadata.ignoreNullValues, "false", t.name);
        const queries = new Set<string>(so().triggers.filter((x: any) => x.type === "prometheus").map((x: any) => x.metadata.query));
        // Back at N under the load step (the outage before left the model stepping down).
        e.setRate(model().name, STEP_RPS);
        await reach(n);
        const key = "vllm-autoscaling:monitoring.prometheusUrl";
        const empty = await emptyPrometheus();
        let restored = false;
        const restore = async () => {
            await s.project.pulumi(["config", "set", "-s", s.name, "--path", key, p.url]);
            await s.up();
            restored = true;
        };
        try {
            // The generated rules on the suite's Prometheus (which scrapes the real KEDA operator), time-compressed; quiet while healthy.
            await p.loadRules(timeCompressedRules(need(e2e, "stack").config));
            const scalerErrors = async (state: string) => (await p.alerts()).filter((a) =>
                a.labels.alertname === ALERT.scalerErrors && a.labels.model === model().name && a.state === state);
            await waitFor(`${ALERT.scalerErrors} inactive before the fault`, 60_000, async () => ((await p.alerts()).some((a) =>
                a.labels.alertname === ALERT.scalerErrors && a.labels.model === model().name) ? undefined : true), 1000);
            // KEDA's counters before the switch (the real Prometheus answers until then). These two
            // survive the ScaledObject's reconcile; the per-scaler keda_scaler_detail_errors_total is
            // deleted on every reconcile (KEDA's updatePromMetrics), so no difference of it means anything.
            const m0 = await kedaOperatorMetrics();
            const switched = e.now;
            await s.project.pulumi(["config", "set", "-s", s.name, "--path", key, empty.url]);
            await s.up();
            const upS = e.now - switched;
            const live = await liveScaledObject();
            const addresses = live.spec.triggers.filter((t: any) => t.type === "prometheus").map((t: any) => t.metadata.serverAddress);
            assert.deepStrictEqual([...new Set(addresses)], [empty.url], "the live triggers do not all point at the empty API");
            // The fault starts with KEDA's first query there (the operator rebuilds its scalers on the
            // change, then polls, and the HPA asks); the load stops with it.
            const firstQuery = so().pollingInterval + HPA_SYNC_SECONDS + SLACK_SECONDS;
            await waitFor("KEDA's first query to the empty API", firstQuery * 1000, async () => (empty.queries.length > 0 ? true : undefined), 100);
            const from = e.now;
            e.setRate(model().name, 0);
            // Held for the failures that trigger the fallback plus a whole scale-down window and
            // period, as with Prometheus stopped.
            const outage = fb.failureThreshold * so().pollingInterval + settleSeconds() + SLACK_SECONDS;
            const conditions = new Set<string>();
            let fallbackAt: number | undefined;
            let firingAt: number | undefined;
            while (e.now - from < outage) {
                const o = await liveScaledObject();
                for (const cond of o?.status?.conditions ?? []) conditions.add(`${cond.type}=${cond.status}${cond.reason ? ` (${cond.reason})` : ""}`);
                if (condition(o, "Fallback")?.status === "True") fallbackAt ??= e.now - from;
                if (firingAt === undefined && (await scalerErrors("firing")).length > 0) firingAt = e.now - from;
                await sleep(1000);
            }
            // At the fault's end: the alert fires, though KEDA's error counter has been flat for longer than the window.
            const firingAtEnd = await scalerErrors("firing");
            const errorsInWindow = await p.query(`sum(increase(keda_scaled_object_errors_total{namespace="${ns}",scaledObject="${soName}"}[${ALERT_TEST_WINDOW}])) > 0`);
            const m1 = await kedaOperatorMetrics();
            const events = ((await c.get(["events", "-n", ns, "--field-selector", `involvedObject.name=${soName},reason=KEDAScalerFailed`]))?.items ?? [])
                .filter((ev: any) => /result is empty/.test(ev.message ?? ""));
            const during = e.samples.filter((x) => x.t >= from && x.desired !== undefined).map((x) => x.desired!);
            const asked = new Set(empty.queries);

            // The URL back: the engines read idle, the HPA's window still holds the fallback's recommendation.
            const back = e.now;
            await restore();
            const restoreS = e.now - back;
            const bound = restoreS + so().pollingInterval + HPA_SYNC_SECONDS + settleSeconds() + SLACK_SECONDS;
            const liveBack = await liveScaledObject();
            await waitFor("a step down after the URL is back", (bound + 60) * 1000, async () => ((await replicas()) < n ? true : undefined), 500);
            const resumed = e.now - back;
            await sleep(2000);

            const delta = (name: string, match: Record<string, string>) => (m1(name, match) ?? 0) - (m0(name, match) ?? 0);
            const emptyAnswers: [string, number][] = so().triggers.filter((t: any) => t.type === "prometheus").map((t: any) =>
                [t.name, delta("keda_scaler_empty_upstream_responses_total", { namespace: ns, scaledResource: soName, triggerName: t.name, ignoreNullValues: "false" })]);
            const soErrors = delta("keda_scaled_object_errors_total", { namespace: ns, scaledObject: soName });
            log(`switch: pulumi up ${upS.toFixed(1)} s, KEDA's first query to the empty API ${(from - switched - upS).toFixed(1)} s after it`);
            log(`answered nothing for ${outage} s with the load gone: replicas seen ${[...new Set(during)].join(", ")}; Fallback True after ${fallbackAt?.toFixed(1) ?? "-"} s; ` +
                `conditions seen: ${[...conditions].join(", ")}`);
            log(`KEDA's reports: ${events.length} KEDAScalerFailed event(s) "${events[0]?.message ?? "-"}" (count ${events.map((ev: any) => ev.count ?? ev.series?.count ?? 1).join("+")}); ` +
                `operator metrics over the fault: keda_scaled_object_errors_total +${soErrors}, keda_scaler_empty_upstream_responses_total{ignoreNullValues="false"} ` +
                `${emptyAnswers.map(([name, d]) => `${name} +${d}`).join(", ")}; queries asked: ${asked.size} distinct, ${empty.queries.length} in all`);
            log(`${ALERT.scalerErrors} (window ${ALERT_TEST_WINDOW}, for ${ALERT_TEST_FOR_SECONDS} s): firing ${firingAt?.toFixed(1) ?? "never"} s into the fault, ` +
                `${firingAtEnd.length > 0 ? "still firing" : "not firing"} at its end (${outage} s), with ${errorsInWindow.length > 0 ? "errors" : "no error"} counted in its last ${ALERT_TEST_WINDOW}`);
            log(`URL back (pulumi up ${restoreS.toFixed(1)} s): first step down after ${resumed.toFixed(1)} s (bound: the up + polling ${so().pollingInterval} s + HPA sync ${HPA_SYNC_SECONDS} s + window and period + slack = ${bound.toFixed(0)} s)`);
            log(`timeline:\n        ${timeline(e.samples, from - 2)}`);
            assert.ok(during.length > 0 && Math.min(...during) >= n, `replicas dropped below ${n} while the triggers answered nothing`);
            // Failures are counted at least once a polling interval, so the fallback comes within its threshold's polls.
            const fallbackBound = fb.failureThreshold * so().pollingInterval + SLACK_SECONDS;
            assert.ok(fallbackAt !== undefined, "KEDA never reported the fallback active");
            assert.ok(fallbackAt <= fallbackBound, `the fallback came after ${fallbackAt.toFixed(1)} s, over ${fallbackBound} s`);
            assert.ok(events.length > 0, "no KEDAScalerFailed event saying the result is empty");
            assert.ok(soErrors > 0, "keda_scaled_object_errors_total did not grow (the package's scaler-errors alert reads it)");
            for (const [name, d] of emptyAnswers) assert.ok(d > 0, `no empty answer counted for trigger ${name} with ignoreNullValues false`);
            assert.deepStrictEqual([...asked].sort(), [...queries].sort(), "the empty API was not asked exactly the triggers' queries");
            // The alert reads what lasts as long as the fault: with the error counter alone it would have resolved by now.
            assert.ok(firingAt !== undefined && firingAt <= fallbackBound + ALERT_TEST_FOR_SECONDS + SLACK_SECONDS,
                `${ALERT.scalerErrors} fired ${firingAt?.toFixed(1) ?? "never"} s into the fault, over ${fallbackBound + ALERT_TEST_FOR_SECONDS + SLACK_SECONDS} s`);
            assert.strictEqual(firingAtEnd.length, 1, `${ALERT.scalerErrors} is not firing (once) at the fault's end: ${JSON.stringify(firingAtEnd)}`);
            assert.deepStrictEqual(errorsInWindow, [], "KEDA still counted errors at the fault's end (it stops once its fallback serves): the fault did not test the lasting signals");
            assert.deepStrictEqual([...new Set(liveBack.spec.triggers.filter((t: any) => t.type === "prometheus").map((t: any) => t.metadata.serverAddress))], [p.url]);
            assert.ok(resumed <= bound, `scaling resumed after ${resumed.toFixed(1)} s, over ${bound.toFixed(0)} s`);
        } finally {
            if (!restored) await restore().catch((err) => log(`restoring prometheusUrl failed: ${String(err).slice(0, 300)}`));
            await empty.close();
        }
    });

    it("faults: paused: true through pulumi up freezes the replicas; unpaused, they move again", async () => {
        const e = need(engines, "engines");
        const s = need(stack, "stack");
        const c = need(cluster, "cluster");
        const { n } = expectedReplicas(plan(), STEP_RPS);
        e.setRate(model().name, STEP_RPS);
        // Reached, not held: paused freezes whatever count is current, which is read once KEDA reports Paused.
        await reach(n);
        await s.project.pulumi(["config", "set", "-s", s.name, "--path", "vllm-autoscaling:models[0].autoscaling.paused", "true", "--type", "bool"]);
        await s.up();
        const live = await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace]);
        assert.strictEqual(live.metadata.annotations?.["autoscaling.keda.sh/paused"], "true");
        await waitFor("KEDA to report the ScaledObject paused", 30_000, async () => {
            const o = await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", plan().namespace]);
            return condition(o, "Paused")?.status === "True" ? true : undefined;
        });
        const held = need(await replicas(), "the count when paused");
        assert.ok(held >= 1);
        // The load stops: unpaused, the HPA would step down within a poll, a sync, its window and a period.
        const from = e.now;
        e.setRate(model().name, 0);
        const frozen = settleSeconds() + so().pollingInterval + HPA_SYNC_SECONDS;
        await sleep(frozen * 1000);
        const during = e.samples.filter((x) => x.t >= from && x.desired !== undefined).map((x) => x.desired!);
        log(`paused for ${frozen} s with the load gone: replicas seen ${[...new Set(during)].join(", ")}`);
        assert.deepStrictEqual([...new Set(during)], [held], "replicas moved while paused");
        await s.project.pulumi(["config", "set", "-s", s.name, "--path", "vllm-autoscaling:models[0].autoscaling.paused", "false", "--type", "bool"]);
        const unpaused = e.now;
        await s.up();
        const bound = (e.now - unpaused) + so().pollingInterval + HPA_SYNC_SECONDS + settleSeconds() + SLACK_SECONDS;
        await waitFor("a step down once unpaused", (bound + 60) * 1000, async () => ((await replicas()) < held ? true : undefined), 500);
        const moved = e.now - unpaused;
        log(`unpaused (pulumi up included): first step down after ${moved.toFixed(1)} s (bound ${bound.toFixed(0)} s)`);
        assert.ok(moved <= bound, `replicas moved ${moved.toFixed(1)} s after unpausing, over ${bound.toFixed(0)} s`);
    });

    /** The plan with one of the model's settings changed as `pulumi config set` changes it. */
    function replan(change: { maxReplicas?: number; timeToFirstTokenMs?: number }): E2eStack {
        const cur = need(e2e, "stack");
        const config = JSON.parse(JSON.stringify(cur.config));
        if (change.maxReplicas !== undefined) config.models[0].autoscaling.maxReplicas = change.maxReplicas;
        if (change.timeToFirstTokenMs !== undefined) config.models[0].simulator.timeToFirstTokenMs = change.timeToFirstTokenMs;
        const next = e2eStackFromConfig(config);
        return { ...cur, config, plan: next };
    }
});

/** The plan a (merged) stack config gives, as e2eStack computes it. */
function e2eStackFromConfig(config: Record<string, unknown>): InferencePlan {
    const { componentName, args } = argsFromConfig(config);
    return planInference(componentName, args);
}
