// npm run bench:policies: every policy on every reference trace, as a Markdown table.
import { parseArgs } from "node:util";
import { BENCH_TRACES, benchPolicies, benchTable, burstTable, runBench } from "../components/sim/bench";
import { DEFAULT_CLUSTER } from "../components/sim/cluster";
import { DEFAULT_ENGINE } from "../components/sim/engine";
import { TraceKind } from "../components/sim/traces";

const { values } = parseArgs({
    options: {
        trace: { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
    },
});
if (values.help) {
    console.log("usage: npm run bench:policies [-- --trace steady --trace diurnal ...] [--json]");
    process.exit(0);
}
const known = Object.values(TraceKind) as string[];
const traces = (values.trace ?? [...BENCH_TRACES]) as TraceKind[];
for (const t of traces) {
    if (!known.includes(t)) {
        console.error(`unknown trace ${t}; use ${known.join(", ")}`);
        process.exit(2);
    }
}
const started = Date.now();
const bench = runBench(traces);
if (values.json) {
    console.log(JSON.stringify(bench.cells.map((row, i) => ({ policy: bench.policies[i].name, results: row.map(({ series: _s, ...r }) => r) })), null, 2));
} else {
    console.log(benchTable(bench, traces));
    console.log();
    console.log(burstTable(bench, traces));
    console.log();
    for (const p of benchPolicies()) console.log(`- ${p.name}: ${p.note}`);
    const e = DEFAULT_ENGINE;
    const c = DEFAULT_CLUSTER;
    console.log(`\nModel, not measurement: engine maxNumSeqs ${e.maxNumSeqs}, ${e.promptTokens} prompt / ${e.outputTokens} output tokens, ` +
        `ITL ${e.itlBaseSeconds * 1000} ms + ${e.itlPerSeqSeconds * 1000} ms per running request, KV cache ${e.kvCacheTokens} tokens, ` +
        `model load ${e.modelLoadSeconds} s; node boot ${c.nodeBootSeconds} s, idle node removal ${c.idleNodeRemovalSeconds} s, 1 GPU per node; ` +
        `8 h traces, peak 40 req/s; SLO: wait <= 2 s. (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
