// Every preset keeps a scale-to-zero model above zero while any request still runs,
// not only while requests arrive. KEDA 2.20 keeps a ScaledObject active while any trigger's value
// is above its activationThreshold; once all are inactive for cooldownPeriod it scales to 0
// (docs/design.md, KEDA's Prometheus scaler). The state here is the one that used to drop a long
// stream: requests running, none waiting, and no new request at the router for longer than the
// wake window. Every trigger of each preset's real ScaledObject is evaluated on a real Prometheus
// as KEDA reads it.
import * as assert from "assert";
import type { Strategy } from "../components";
import { resolveArgs } from "../components/plan/resolve";
import { buildScaledObject } from "../components/plan/scaledObject";
import { withPrometheus } from "../e2e/support/prometheusHarness";
import { llama } from "./fixtures";

const NS = "llm";
const RELEASE = "chat";
/** A short wake window, so that "no new request within it" arrives within the test's time. */
const WINDOW = 3;
const PRESETS: Strategy[] = ["balanced", "latency-first", "queue-depth"];

function scaledObject(strategy: Strategy) {
    const r = resolveArgs(RELEASE, { models: [llama({ autoscaling: { minReplicas: 0, maxReplicas: 4, strategy } })] });
    const m = r.models[0];
    return buildScaledObject({
        name: `${RELEASE}-${m.name}`, namespace: NS, deploymentName: "d", prometheusUrl: "http://prometheus",
        scope: { namespace: NS, servedModelName: m.servedModelName }, wakeWindowSeconds: WINDOW, loadRateWindowSeconds: WINDOW, labels: {}, autoscaling: m.autoscaling,
    });
}

describe("every preset keeps a scale-to-zero model active while requests run (real Prometheus)", function () {
    this.timeout(120_000);
    const model = llama().modelUrl;
    const f = withPrometheus({
        setup: (emu) => {
            emu.addEngine("engine", { model, namespace: NS, release: RELEASE, running: 0, waiting: 0 });
            emu.addRouter("router", { namespace: NS, release: RELEASE });
        },
    });

    /** Each prometheus trigger's value as KEDA reads it, and whether it is active (value > activationThreshold). */
    async function triggers(strategy: Strategy): Promise<{ name: string; value: number; active: boolean }[]> {
        const so = scaledObject(strategy);
        const out = [];
        for (const t of so.spec.triggers.filter((x) => x.type === "prometheus")) {
            const md = t.metadata as Record<string, string>;
            const value = await f.prom.kedaValue(md.query, { ignoreNullValues: md.ignoreNullValues !== "false" });
            out.push({ name: t.name ?? "", value, active: value > Number(md.activationThreshold) });
        }
        return out;
    }

    it("control: with nothing running and the last request outside the window, every preset is inactive (it may scale to zero)", async () => {
        f.emu.routerRequest(model, 1);
        await new Promise((r) => setTimeout(r, (WINDOW + 2) * 1000));
        await f.prom.waitForScrapes(2);
        for (const s of PRESETS) {
            const ts = await triggers(s);
            assert.ok(ts.every((t) => !t.active), `${s}: ${JSON.stringify(ts)}`);
        }
    });

    it("2 requests running, 0 waiting, no new request within the wake window: every preset has an active trigger", async () => {
        f.emu.routerRequest(model, 2);
        f.emu.setEngine("engine", { running: 2, waiting: 0 });
        await new Promise((r) => setTimeout(r, (WINDOW + 2) * 1000));
        await f.prom.waitForScrapes(2);
        for (const s of PRESETS) {
            const ts = await triggers(s);
            assert.ok(ts.some((t) => t.active), `${s} would let KEDA scale to zero under running requests: ${JSON.stringify(ts)}`);
        }
    });
});
