// npm run demo [-- --keep] [--out demo-timeline.svg] [--dashboard demo-dashboard.svg] [--json result.json]
// The main job on an embedded default, with no cloud, GPU or cluster: builds or reuses the real
// engines (npm run e2e:tools), starts the local cluster with Karpenter's core as its node
// autoscaler, deploys the demo stack (e2e/stacks/demo.yaml: a CPU simulator model, and a vLLM
// model on a GPU pool Karpenter grows, with one warm-headroom slot) with the real Pulumi engine,
// plays a compressed traffic trace (e2e/stacks/loop-trace.csv) through emulated engines while
// real KEDA and the real HPA scale them, prints a progress line every few seconds, then the real
// timeline beside the simulator's prediction of the same trace (replicas, and the GPU pool's
// nodes: a table and an SVG), draws the package's dashboard panels from the
// same Prometheus over the trace (engine and router series from the emulated engines,
// kube-state-metrics' Deployment series served from the API server, KEDA's from the real
// operator), and tears everything down.
// Runs inside the loopback-only network namespace (package.json wraps it in e2e/cluster/in-netns.sh).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as YAML from "yaml";
import { agreement, agreementTable, type Agreement } from "../components/sim/agreement";
import { simulatePlan } from "../components/sim/run";
import { timelineSvg } from "../components/sim/svg";
import { traceFromCsv } from "../components/sim/traces";
import { SIMULATOR_DEFAULTS } from "../components/plan/simulatorEngine";
import { dashboardFor } from "../components/plan";
import { argsFromConfig } from "../stacks/config";
import { SCRAPE_INTERVAL_SECONDS } from "../e2e/support/prometheusHarness";
import { REPO_ROOT } from "../e2e/support/paths";
import { HPA_SYNC_SECONDS } from "../e2e/support/cluster";
import { LoopSession } from "../e2e/support/loopSession";
import { waitFor } from "../e2e/support/proc";
import { fetchPanelData, renderDashboardSvg } from "./dashboardSvg";
import {
    DEMO_DASHBOARD_RATE_WINDOW_SECONDS, EXPECTED_ABSENT, missingPanelNotes, missingSources, panelSelectors, selectorMetric, selectorsSeen,
    type DemoDashboardResult,
} from "./demo/dashboard";
import { localLoopOverrides, onPool, progressLine, realNodes, realTimeline, simulateCommand, type LocalLoop } from "./demo/realVsSimulated";
import { kwokPool } from "../e2e/support/karpenterPool";

const USAGE = `usage: npm run demo [-- --keep] [--out <file.svg>] [--dashboard <file.svg>] [--json <file.json>]

  --keep                leave the local cluster and the deployed stack up (prints the KUBECONFIG line)
  --out <file.svg>      the real-vs-simulated timeline (default: demo-timeline.svg)
  --dashboard <file>    the package's dashboard panels for the deployed plan, drawn from the demo's
                        Prometheus over the trace, a point per second (default: demo-dashboard.svg
                        in the folder of --out). Rates over ${DEMO_DASHBOARD_RATE_WINDOW_SECONDS} s instead of the dashboard's 5 min, which
                        is longer than the compressed trace; otherwise the dashboard's own queries
  --json <file.json>    also write both timelines, the comparison and the dashboard's data as JSON
  --progress <s>        seconds between progress lines (default 5)`;

const STACK_FILE = "demo.yaml";
/** The demo pool's kwok instance type (1 GPU, 4 vCPU, 16 GiB), its boot and its idle time. */
const POOL_INSTANCE_TYPE = "g6.xlarge";
const POOL_REGISTRATION_DELAY_SECONDS = 10;
const POOL_CONSOLIDATE_AFTER_SECONDS = 20;
const TRACE_FILE = path.join("e2e", "stacks", "loop-trace.csv");

const { values } = parseArgs({
    options: {
        keep: { type: "boolean", default: false },
        out: { type: "string", default: "demo-timeline.svg" },
        dashboard: { type: "string" },
        json: { type: "string" },
        progress: { type: "string", default: "5" },
        help: { type: "boolean", short: "h", default: false },
    },
});
if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
const progressEvery = Number(values.progress);
if (!Number.isInteger(progressEvery) || progressEvery < 1) {
    console.error(`demo: --progress ${values.progress} is not a whole number of seconds >= 1\n\n${USAGE}`);
    process.exit(2);
}

const dashboardFile = values.dashboard ?? path.join(path.dirname(values.out), "demo-dashboard.svg");

const t0 = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${line}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The real vs simulated result of one model, as --json writes it. */
interface ModelResult {
    model: string;
    agreement: Agreement;
    real: { replicas: number[]; ready: number[] };
    simulated: { replicas: number[]; ready: number[] };
    simulateCommand: string;
    /** For a model on the Karpenter pool: its nodes per second, real (NodeClaims, Ready ones) and simulated, and their node-seconds compared. */
    nodes?: {
        real: number[]; realReady: number[]; simulated: number[]; agreement: Agreement;
        /** The model's warm-headroom placeholders on a node, real (Running pods) and simulated. */
        realPlaceholders: number[]; simulatedPlaceholders: number[];
    };
}

async function main(): Promise<number> {
    const trace = traceFromCsv(path.basename(TRACE_FILE), fs.readFileSync(path.join(REPO_ROOT, TRACE_FILE), "utf8"));
    const stackConfig = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "e2e", "stacks", STACK_FILE), "utf8"));
    // Model load on the cluster = the simulator engine's startup (its readiness answers 503 until then).
    const podReadyDelaySeconds = Number(stackConfig.models[0].simulator?.startupSeconds ?? SIMULATOR_DEFAULTS.startupSeconds);
    const poolName: string | undefined = stackConfig.gpuNodePool?.name;
    const pool = poolName === undefined ? undefined : kwokPool(poolName, {
        instanceTypes: [POOL_INSTANCE_TYPE], maxNodes: Number(stackConfig.gpuNodePool.maxNodes),
        registrationDelaySeconds: POOL_REGISTRATION_DELAY_SECONDS, consolidateAfterSeconds: POOL_CONSOLIDATE_AFTER_SECONDS,
    });
    const loop: LocalLoop = {
        scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, hpaSyncSeconds: HPA_SYNC_SECONDS, podReadyDelaySeconds,
        ...(pool && poolName ? { pool: { name: poolName, registrationDelaySeconds: pool.registrationDelaySeconds, consolidateAfterSeconds: pool.consolidateAfterSeconds } } : {}),
    };

    say(`starting the local cluster (kube-apiserver, controllers, kwok, KEDA's operator and metrics adapter; pods Ready ${podReadyDelaySeconds} s after they start)` +
        `${pool ? `, Karpenter's core with a NodePool of ${POOL_INSTANCE_TYPE} kwok nodes (boot ${pool.registrationDelaySeconds} s, consolidateAfter ${pool.consolidateAfterSeconds} s)` : ""} and Prometheus`);
    const session = await LoopSession.start({
        stackFile: STACK_FILE, stackPrefix: "demo-", podReadyDelaySeconds, maxSeconds: trace.rps.length + 600, log: say,
        ...(pool && poolName ? { karpenter: { manifests: pool.manifests, nodePool: poolName } } : {}),
    });
    let keep = values.keep;
    const onSignal = () => {
        say("interrupted: tearing down");
        keep = false;
        void session.stop({ log: say }).finally(() => process.exit(130));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        const plan = session.e2e.plan;
        say(`deploying stack ${session.stack.name} with pulumi up (models: ${plan.models.map((m) => `${m.name} ${m.minReplicas}..${m.maxReplicas}`).join(", ")})`);
        const upMs = await session.deploy();
        say(`deployed in ${(upMs / 1000).toFixed(0)} s; every ScaledObject Ready in KEDA`);
        // The warm headroom is up before traffic, as in a stack that has been running (pulumi up does
        // not wait for it: a placeholder waits for its node to boot).
        for (const h of plan.headroom) {
            const started = Date.now();
            await waitFor(`headroom ${h.deploymentName} running`, 120_000, async () => {
                const d = await session.cluster.get(["deployment", h.deploymentName, "-n", h.namespace]);
                return (d?.status?.readyReplicas ?? 0) >= h.replicas ? true : undefined;
            }, 500);
            say(`warm headroom ${h.deploymentName}: ${h.replicas} placeholder(s) running on pool nodes after ${((Date.now() - started) / 1000).toFixed(0)} s more`);
        }

        // The prediction first: the progress lines show it next to what the cluster does.
        const predictions = plan.models.map((_m, i) => simulatePlan(plan, i, trace, localLoopOverrides(plan, loop, i)));
        say(`playing ${TRACE_FILE} (${trace.rps.length} s, peak ${Math.max(...trace.rps)} req/s) to ${plan.models.map((m) => m.name).join(", ")}`);
        for (const m of plan.models) session.engines.play(m.name, Array.from(trace.rps));
        const start = session.engines.now;
        const traceStartSec = Math.floor(Date.now() / 1000);
        for (let next = 0; next < trace.rps.length; next += progressEvery) {
            while (session.engines.now - start < next) await sleep(200);
            plan.models.forEach((m, i) => {
                const v = session.engines.view(m.name);
                say(progressLine({
                    second: next, model: m.name, rps: trace.rps[Math.min(next, trace.rps.length - 1)], waiting: v.waiting, running: v.running,
                    desired: v.desired, ready: v.readyPods.length, predicted: predictions[i].seconds?.[next]?.replicas,
                    ...(onPool(plan, i, loop) ? { nodes: session.engines.samples.at(-1)?.nodes, predictedNodes: predictions[i].seconds?.[next]?.nodes } : {}),
                }));
            });
        }
        while (session.engines.now - start < trace.rps.length + 1) await sleep(200);
        // The trace's last second scraped and ingested before the dashboard's queries run.
        await session.prom.waitForScrapes(1);

        const results: ModelResult[] = plan.models.map((m, i) => {
            const real = realTimeline(session.engines.samples, m.name, trace.rps.length);
            const seconds = predictions[i].seconds ?? [];
            const simulated = { replicas: seconds.map((s) => s.replicas), ready: seconds.map((s) => s.ready) };
            const nodes = onPool(plan, i, loop) ? (() => {
                const seen = realNodes(session.engines.samples, m.name, trace.rps.length);
                const sim = seconds.map((s) => s.nodes);
                return {
                    real: seen.launched, realReady: seen.ready, simulated: sim, agreement: agreement(seen.launched, sim),
                    realPlaceholders: seen.placeholders, simulatedPlaceholders: seconds.map((s) => s.placeholders),
                };
            })() : undefined;
            return {
                model: m.name, real, simulated, agreement: agreement(real.replicas, simulated.replicas),
                simulateCommand: simulateCommand(plan, path.join("e2e", "stacks", STACK_FILE), TRACE_FILE, m.name, loop),
                ...(nodes ? { nodes } : {}),
            };
        });
        for (const r of results) {
            console.log(`\n${r.model}: spec.replicas (desired) and ready pods, real loop vs simulator, at every change:`);
            let last = "";
            for (let s = 0; s < trace.rps.length; s++) {
                const key = `${trace.rps[s]} ${r.real.replicas[s]}/${r.real.ready[s]} ${r.simulated.replicas[s]}/${r.simulated.ready[s]}`;
                if (key === last) continue;
                last = key;
                console.log(`  t=${String(s).padStart(3)}s  demand ${trace.rps[s].toFixed(1)} req/s   real ${r.real.replicas[s]} desired / ${r.real.ready[s]} ready   simulator ${r.simulated.replicas[s]} / ${r.simulated.ready[s]}`);
            }
            console.log("");
            for (const line of agreementTable(r.agreement)) console.log(`  ${line}`);
            const within = r.agreement.replicaSecondsDiff <= 0.15;
            console.log(`\n  replica-seconds ${within ? "agree within" : "DIFFER BY MORE THAN"} 15% (the end-to-end suite's bound)`);
            if (r.nodes) {
                const n = r.nodes;
                console.log(`\n  GPU pool ${loop.pool!.name} (Karpenter's core): nodes launched (NodeClaims) / Ready, real vs simulator, at every change:`);
                let lastNodes = "";
                for (let s = 0; s < trace.rps.length; s++) {
                    const key = `${n.real[s]}/${n.realReady[s]}/${n.realPlaceholders[s]} ${n.simulated[s]}/${n.simulatedPlaceholders[s]}`;
                    if (key === lastNodes) continue;
                    lastNodes = key;
                    console.log(`  t=${String(s).padStart(3)}s  real ${n.real[s]} launched / ${n.realReady[s]} ready, ${n.realPlaceholders[s]} placeholder(s)   ` +
                        `simulator ${n.simulated[s]}, ${n.simulatedPlaceholders[s]} placeholder(s)`);
                }
                const a = n.agreement;
                console.log(`  node-seconds: real ${a.real.replicaSeconds}, simulator ${a.simulated.replicaSeconds} (${(100 * a.replicaSecondsDiff).toFixed(1)}%): ` +
                    `${a.replicaSecondsDiff <= 0.15 ? "agree within" : "DIFFER BY MORE THAN"} 15%; peak ${a.real.peak} vs ${a.simulated.peak}`);
            }
            console.log(`  the same prediction offline: ${r.simulateCommand}`);
        }
        const svg = timelineSvg(
            `npm run demo: ${results.map((r) => r.model).join(", ")} on ${path.basename(TRACE_FILE)}, real KEDA + HPA vs the simulator`,
            results.map((r) => `${r.model}: replica-seconds real ${r.agreement.real.replicaSeconds}, simulated ${r.agreement.simulated.replicaSeconds} ` +
                `(${(100 * r.agreement.replicaSecondsDiff).toFixed(1)}%); peak ${r.agreement.real.peak} / ${r.agreement.simulated.peak}`).join("; "),
            Array.from(trace.rps),
            results.flatMap((r) => [
                { label: `${r.model} desired, real loop`, color: "#08519c", values: r.real.replicas, width: 3 },
                { label: `${r.model} ready, real loop`, color: "#31a354", values: r.real.ready, width: 1.5 },
                { label: `${r.model} desired, simulator`, color: "#e6550d", values: r.simulated.replicas, dashed: true, width: 2 },
                { label: `${r.model} ready, simulator`, color: "#fdae6b", values: r.simulated.ready, dashed: true, width: 1.5 },
                // The node lane: nodes launched (billed, headroom's included) and Ready, real and simulated.
                ...(r.nodes ? [
                    { label: `${r.model} GPU nodes launched, real (Karpenter)`, color: "#54278f", values: r.nodes.real, width: 2.5 },
                    { label: `${r.model} GPU nodes Ready, real`, color: "#9e9ac8", values: r.nodes.realReady, width: 1.5 },
                    { label: `${r.model} GPU nodes, simulator`, color: "#756bb1", values: r.nodes.simulated, dashed: true, width: 2 },
                    { label: `${r.model} headroom placeholders, real`, color: "#de2d26", values: r.nodes.realPlaceholders, width: 1.5 },
                    { label: `${r.model} headroom placeholders, simulator`, color: "#fc9272", values: r.nodes.simulatedPlaceholders, dashed: true, width: 1.5 },
                ] : []),
            ]),
        );
        fs.writeFileSync(values.out, svg);
        console.log(`\ntimeline: ${values.out}`);

        const dashboard = await drawDashboard(session, trace.rps.length, traceStartSec, path.basename(TRACE_FILE));
        if (values.json) {
            fs.writeFileSync(values.json, JSON.stringify({ trace: TRACE_FILE, stack: STACK_FILE, loop, rps: Array.from(trace.rps), models: results, dashboard }, null, 1));
            console.log(`result: ${values.json}`);
        }
        const rejected = dashboard.panels.flatMap((p) => p.errors.map((e) => `${p.model}: ${p.title}: ${e}`));
        for (const e of rejected) console.error(`demo: Prometheus rejected a dashboard query: ${e}`);
        return rejected.length > 0 ? 1 : 0;
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        if (keep) {
            await session.stop({ keepCluster: true, log: say });
            say("the cluster stays up (--keep). Explore it from the network namespace, e.g.:");
            console.log(`  npm run e2e:cluster -- kubectl get scaledobjects,hpa,deployments,pods -n ${session.e2e.plan.namespace}`);
            console.log(`  KUBECONFIG=${session.cluster.kubeconfig}   (for clients run with: bash e2e/cluster/in-netns.sh <command>)`);
            console.log("  stop it with: npm run e2e:cluster -- down");
        } else {
            say("tearing down: pulumi destroy, Prometheus, the cluster");
            await session.stop({ log: say });
            say("done; nothing left running");
        }
    }
}

/**
 * The package's dashboard panels for the deployed plan (planned from the same config; the loop
 * stack itself writes no dashboard), their queries answered by the session's Prometheus over the
 * trace, drawn to --dashboard; and how many series each selector the panels read held.
 */
async function drawDashboard(session: LoopSession, seconds: number, traceStartSec: number, traceName: string): Promise<DemoDashboardResult> {
    const { componentName, args } = argsFromConfig(session.e2e.config);
    const dash = dashboardFor(componentName, args, { rateWindowSeconds: DEMO_DASHBOARD_RATE_WINDOW_SECONDS });
    const startSec = traceStartSec;
    const endSec = traceStartSec + seconds;
    const stepSec = SCRAPE_INTERVAL_SECONDS;
    const data = await fetchPanelData(session.prom.url, dash.panels, startSec, endSec, stepSec);
    const sources = await selectorsSeen(session.prom.url, panelSelectors(dash.panels), startSec, endSec);
    const notes = [
        `npm run demo: ${STACK_FILE} on ${traceName} (${seconds} s from its first second), a point per ${stepSec} s, rates over ${DEMO_DASHBOARD_RATE_WINDOW_SECONDS} s (the dashboard's: 5 min, longer than the trace).`,
        "Engine and router series: emulated engines following the cluster's ready pods; kube_deployment_*: served from the API server's Deployment; keda_*: the real KEDA operator.",
        ...missingPanelNotes(session.e2e.plan, dash.panels),
    ];
    fs.writeFileSync(dashboardFile, renderDashboardSvg(dash.title, data, startSec, endSec, { notes }));
    const series = data.reduce((n, d) => n + d.series.length, 0);
    console.log(`dashboard: ${dashboardFile} (${data.length} panels, ${series} series)`);
    for (const s of sources) {
        const why = s.series === 0 ? EXPECTED_ABSENT[selectorMetric(s.selector)] : undefined;
        console.log(`  ${String(s.series).padStart(2)} series  ${s.selector}${why ? `  (none expected: ${why})` : ""}`);
    }
    const missing = missingSources(sources);
    if (missing.length > 0) console.log(`  NO DATA for ${missing.join(", ")}: the panels reading them show their fallback`);
    return {
        file: dashboardFile, traceStartSec, startSec, endSec, stepSec, rateWindowSeconds: DEMO_DASHBOARD_RATE_WINDOW_SECONDS, notes,
        panels: data.map((d) => ({ model: d.panel.model, title: d.panel.title, queries: d.panel.queries, series: d.series, errors: d.errors })),
        sources,
    };
}

main().then((code) => process.exit(code), (e) => {
    console.error(`demo: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(1);
});
