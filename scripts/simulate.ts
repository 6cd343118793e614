// npm run simulate -- --stack <name> --trace <steady|diurnal|bursty|onoff|file.csv> [options]
// Runs the stack's own ScaledObject (from planInference, as `pulumi up` would apply it) through
// the simulator, next to the oracle and static baselines, prints the report and writes an SVG.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { InferencePlan } from "../components/plan/types";
import { describeTriggers } from "../components/plan/describeTriggers";
import { DEFAULT_CLUSTER, type ClusterParams } from "../components/sim/cluster";
import { concurrencyLimit, DEFAULT_COLD_START, DEFAULT_ENGINE, throughput, withColdStart, type EngineParams } from "../components/sim/engine";
import { oracle, staticMean, staticPeak } from "../components/sim/oracle";
import { scaledModelOf } from "../components/sim/keda";
import { DEFAULT_SIM, paramsForPlan, scaledObjectController, simulate, type SimResult } from "../components/sim/run";
import { chartSvg } from "../components/sim/svg";
import { referenceTrace, traceFromCsv, TraceKind, type Trace } from "../components/sim/traces";
import { planStack, planStackFile } from "../stacks/load";

const USAGE = `usage: npm run simulate -- --stack <name> --trace <steady|diurnal|bursty|onoff|file.csv> [options]

  --stack <name|file.yaml>  stacks/Pulumi.<name>.yaml, or a stack config file such as e2e/stacks/loop.yaml (required)
  --trace <kind|file.csv>   reference trace, or a CSV of "seconds,rps" lines (required)
  --model <name>            which model of the stack (default: the first)
  --out <file.svg>          chart path (default: simulate-<stack>-<model>-<trace>.svg)
  --hours <h>               reference trace length (default 8)
  --peak-rps <r>            reference trace peak (default: 75% of what maxReplicas serve at full batches)
  --json                    print the results as JSON
engine (defaults: the reference engine):
  --max-num-seqs is the model's own (maxNumSeqs); --prompt-tokens ${DEFAULT_ENGINE.promptTokens} --output-tokens ${DEFAULT_ENGINE.outputTokens}
  --itl-ms ${DEFAULT_ENGINE.itlBaseSeconds * 1000} --itl-per-seq-ms ${DEFAULT_ENGINE.itlPerSeqSeconds * 1000} --prefill-ms ${DEFAULT_ENGINE.prefillSeconds * 1000}
  --kv-cache-tokens ${DEFAULT_ENGINE.kvCacheTokens}
cold start (a pod on a node to serving; node boot is the cluster's):
  --image-pull-seconds ${DEFAULT_COLD_START.imagePullSeconds}      skipped on a node that has the image (warm headroom pre-pulls it)
  --weight-download-seconds ${DEFAULT_COLD_START.weightDownloadSeconds} --weight-load-seconds ${DEFAULT_COLD_START.weightLoadSeconds} --warmup-seconds ${DEFAULT_COLD_START.warmupSeconds}
  --model-load-seconds ${DEFAULT_ENGINE.modelLoadSeconds}     all four at once, the same on every node (no image pull to skip)
control loop:
  --scrape-interval-seconds <s>  Prometheus's scrape interval (default: the plan's, ${DEFAULT_SIM.scrapeIntervalSeconds} s unless the stack sets it)
  --hpa-sync-seconds ${DEFAULT_SIM.hpaSyncSeconds}        kube-controller-manager's --horizontal-pod-autoscaler-sync-period
cluster:
  --node-boot-seconds ${DEFAULT_CLUSTER.nodeBootSeconds} --idle-node-seconds ${DEFAULT_CLUSTER.idleNodeRemovalSeconds} --gpus-per-node ${DEFAULT_CLUSTER.gpusPerNode} --gpu-price ${DEFAULT_CLUSTER.gpuHourlyPrice}
  --initial-nodes ${DEFAULT_CLUSTER.initialNodes}         GPU nodes up from the start (a pool's minimum size)
  --headroom-slots <n>      warm headroom placeholders (default: the model's headroomSlots)
SLOs:
  --wait-slo 2 --ttft-slo 2 (seconds)
  --cold                    start from the policy's minimum instead of a warm fleet
  --outage <from-to>        Prometheus unreachable from..to (seconds of the trace; repeatable): shows KEDA's fallback
`;

const num = { type: "string" } as const;
const { values } = parseArgs({
    options: {
        stack: { type: "string" }, trace: { type: "string" }, model: { type: "string" }, out: { type: "string" },
        hours: num, "peak-rps": num, json: { type: "boolean", default: false }, cold: { type: "boolean", default: false },
        "prompt-tokens": num, "output-tokens": num, "itl-ms": num, "itl-per-seq-ms": num, "prefill-ms": num, "kv-cache-tokens": num,
        "model-load-seconds": num, "image-pull-seconds": num, "weight-download-seconds": num, "weight-load-seconds": num, "warmup-seconds": num,
        "headroom-slots": num, "node-boot-seconds": num, "initial-nodes": num, "idle-node-seconds": num, "gpus-per-node": num, "gpu-price": num,
        "wait-slo": num, "ttft-slo": num, "scrape-interval-seconds": num, "hpa-sync-seconds": num, outage: { type: "string", multiple: true },
        help: { type: "boolean", short: "h", default: false },
    },
});

function fail(message: string): never {
    console.error(`simulate: ${message}\n\n${USAGE}`);
    process.exit(2);
}

function number(flag: string, min = 0): number | undefined {
    const v = (values as Record<string, unknown>)[flag];
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x < min) fail(`--${flag} ${String(v)} is not a number >= ${min}`);
    return x;
}

if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
if (!values.stack) fail("--stack is required");
if (!values.trace) fail("--trace is required");

let plan: InferencePlan;
try {
    plan = values.stack.endsWith(".yaml") ? planStackFile(values.stack) : planStack(values.stack);
} catch (e) {
    fail((e as Error).message);
}
const modelIndex = values.model === undefined ? 0 : plan.models.findIndex((m) => m.name === values.model);
if (modelIndex < 0) fail(`stack ${values.stack} has no model ${values.model}; models: ${plan.models.map((m) => m.name).join(", ")}`);
const model = plan.models[modelIndex];

const engine: EngineParams = {
    ...DEFAULT_ENGINE,
    ...(number("prompt-tokens", 1) !== undefined ? { promptTokens: number("prompt-tokens", 1)! } : {}),
    ...(number("output-tokens", 1) !== undefined ? { outputTokens: number("output-tokens", 1)! } : {}),
    ...(number("itl-ms") !== undefined ? { itlBaseSeconds: number("itl-ms")! / 1000 } : {}),
    ...(number("itl-per-seq-ms") !== undefined ? { itlPerSeqSeconds: number("itl-per-seq-ms")! / 1000 } : {}),
    ...(number("prefill-ms") !== undefined ? { prefillSeconds: number("prefill-ms")! / 1000 } : {}),
    ...(number("kv-cache-tokens", 1) !== undefined ? { kvCacheTokens: number("kv-cache-tokens", 1)! } : {}),
    // The whole load, wherever a pod starts: no part of it is an image pull a node could skip.
    ...(number("model-load-seconds") !== undefined ? { modelLoadSeconds: number("model-load-seconds")!, imagePullSeconds: 0 } : {}),
};
// The cold start phase by phase: any phase flag sets the whole load from the phases.
const phaseFlags = ["image-pull-seconds", "weight-download-seconds", "weight-load-seconds", "warmup-seconds"] as const;
if (phaseFlags.some((f) => number(f) !== undefined)) {
    if (number("model-load-seconds") !== undefined) fail("--model-load-seconds is the sum of the phase flags; give one or the others");
    Object.assign(engine, withColdStart(engine, {
        imagePullSeconds: number("image-pull-seconds") ?? DEFAULT_COLD_START.imagePullSeconds,
        weightDownloadSeconds: number("weight-download-seconds") ?? DEFAULT_COLD_START.weightDownloadSeconds,
        weightLoadSeconds: number("weight-load-seconds") ?? DEFAULT_COLD_START.weightLoadSeconds,
        warmupSeconds: number("warmup-seconds") ?? DEFAULT_COLD_START.warmupSeconds,
    }));
}
// The stack's own GPU pool, when it has one, sets the node size and the price (flags still win).
const pool = plan.gpuNodePool;
const poolDefaults: Partial<ClusterParams> = pool ? {
    gpusPerNode: pool.gpusPerNode,
    ...(pool.hourlyCost !== undefined ? { gpuHourlyPrice: pool.hourlyCost / pool.gpusPerNode } : {}),
} : {};
const cluster: Partial<ClusterParams> = {
    ...poolDefaults,
    ...(number("node-boot-seconds") !== undefined ? { nodeBootSeconds: number("node-boot-seconds")! } : {}),
    ...(number("idle-node-seconds") !== undefined ? { idleNodeRemovalSeconds: number("idle-node-seconds")! } : {}),
    ...(number("gpus-per-node", 1) !== undefined ? { gpusPerNode: number("gpus-per-node", 1)! } : {}),
    ...(number("gpu-price") !== undefined ? { gpuHourlyPrice: number("gpu-price")! } : {}),
    ...(number("initial-nodes") !== undefined ? { initialNodes: Math.floor(number("initial-nodes")!) } : {}),
    ...(number("headroom-slots") !== undefined ? { headroomSlots: Math.floor(number("headroom-slots")!) } : {}),
};
const params = paramsForPlan(plan, modelIndex, {
    // Only the flags: paramsForPlan lays them over the defaults and the plan's own (headroom).
    engine, cluster,
    ...(number("wait-slo") !== undefined ? { waitSloSeconds: number("wait-slo")! } : {}),
    ...(number("ttft-slo") !== undefined ? { ttftSloSeconds: number("ttft-slo")! } : {}),
    warmStart: !values.cold,
    ...(number("scrape-interval-seconds", 1) !== undefined ? { scrapeIntervalSeconds: number("scrape-interval-seconds", 1)! } : {}),
    ...(number("hpa-sync-seconds", 1) !== undefined ? { hpaSyncSeconds: number("hpa-sync-seconds", 1)! } : {}),
    outages: (values.outage ?? []).map((o) => {
        const m = /^(\d+)-(\d+)$/.exec(o);
        if (!m || Number(m[1]) >= Number(m[2])) fail(`--outage ${o}: use <from>-<to> in seconds, from < to (e.g. 3600-4500)`);
        return { from: Number(m[1]), to: Number(m[2]) };
    }),
});

let trace: Trace;
const kinds = Object.values(TraceKind) as string[];
if (kinds.includes(values.trace)) {
    const fullRate = throughput(params.engine, concurrencyLimit(params.engine));
    trace = referenceTrace(values.trace as TraceKind, {
        hours: number("hours") ?? 8,
        peakRps: number("peak-rps") ?? Math.max(0.1, Math.round(0.75 * model.maxReplicas * fullRate * 10) / 10),
    });
} else if (values.trace.endsWith(".csv")) {
    try {
        trace = traceFromCsv(path.basename(values.trace), fs.readFileSync(values.trace, "utf8"));
    } catch (e) {
        fail((e as Error).message);
    }
} else {
    fail(`--trace ${values.trace}: use ${kinds.join(", ")} or a .csv file`);
}

const so = plan.scaledObjects[modelIndex];
const stackName = path.basename(values.stack).replace(/^Pulumi\.|\.yaml$/g, "");
const runs: SimResult[] = [
    simulate(trace, scaledObjectController(`${stackName}/${model.name}`, scaledModelOf(plan, modelIndex), trace, params.hpaSyncSeconds), params),
    simulate(trace, oracle(trace, params.engine, params.cluster, so.spec.minReplicaCount ?? 0), params),
    simulate(trace, staticPeak(trace, params.engine), params),
    simulate(trace, staticMean(trace, params.engine), params),
];
const out = values.out ?? `simulate-${stackName}-${model.name}-${trace.name.replace(/\.csv$/, "")}.svg`;
fs.writeFileSync(out, chartSvg(runs[0], `${stackName} / ${model.name} on ${trace.name}: ${so.metadata?.name}`));

if (values.json) {
    console.log(JSON.stringify(runs.map(({ series: _s, ...r }) => r), null, 2));
} else {
    const e = params.engine;
    const c = params.cluster;
    console.log(`stack ${stackName}, model ${model.name} (ScaledObject ${so.metadata?.name}), trace ${trace.name} (${runs[0].hours.toFixed(1)} h, peak ${Math.max(...trace.rps).toFixed(1)} req/s)`);
    if (model.engine === "simulator") {
        console.log("\n(the stack runs the CPU simulator engine; this run models the reference vLLM engine with the model's maxNumSeqs: pass --itl-ms, --prefill-ms, --model-load-seconds to match the simulator's settings)");
    }
    console.log("\nwhat scales it:");
    for (const line of describeTriggers(so)) console.log(`  - ${line}`);
    console.log(`\nmodel (not a measurement): maxNumSeqs ${e.maxNumSeqs}, ${e.promptTokens}/${e.outputTokens} prompt/output tokens, ITL ${(e.itlBaseSeconds * 1000).toFixed(1)} ms + ${(e.itlPerSeqSeconds * 1000).toFixed(2)} ms x batch, ` +
        `KV ${e.kvCacheTokens} tokens, load ${e.modelLoadSeconds} s (image pull ${e.imagePullSeconds} s of it, skipped where a node has the image); node boot ${c.nodeBootSeconds} s, ` +
        `${c.headroomSlots > 0 ? `warm headroom ${c.headroomSlots} slot(s), ` : ""}idle node removal ${c.idleNodeRemovalSeconds} s, ${c.gpusPerNode} GPU/node, $${c.gpuHourlyPrice}/GPU-h; scrape ${params.scrapeIntervalSeconds} s, HPA sync ${params.hpaSyncSeconds} s`);
    console.log("\n| policy | GPU-h | cost | x oracle | wait <= SLO | TTFT <= SLO | p95 wait | p95 TTFT | refused | replica changes | max replicas | burst -> first replica | burst -> first ready engine |");
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    const o = runs[1].gpuHours;
    for (const r of runs) {
        console.log(`| ${r.policy} | ${r.gpuHours.toFixed(1)} | $${r.cost.toFixed(2)} | ${(r.gpuHours / o).toFixed(2)} | ${(100 * r.waitSlo).toFixed(1)}% | ${(100 * r.ttftSlo).toFixed(1)}% | ` +
            `${r.p95WaitSeconds.toFixed(1)} s | ${r.p95TtftSeconds.toFixed(1)} s | ${Math.round(r.refused)} | ${r.replicaChanges} | ${r.maxReplicas} | ` +
            `${r.burstReactionSeconds === undefined ? (r.bursts ? "none within 15 min" : "no burst") : `${r.burstReactionSeconds} s (median of ${r.bursts})`} | ` +
            `${r.burstReadySeconds === undefined ? (r.bursts ? "none within 15 min" : "no burst") : `${r.burstReadySeconds} s`} |`);
    }
    console.log(`\nchart: ${out}`);
}
