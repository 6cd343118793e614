// Checks the harness itself, and with it the upstream facts the queries are built on (docs/design.md,
// KEDA's Prometheus scaler), on a real Prometheus. Observations that matter to the design are
// printed as well as asserted.

import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { kedaValue, parsePromValue, prometheusConfig, PrometheusHarness, withPrometheus, type Sample } from "../e2e/support/prometheusHarness";

const WAITING_A = 'vllm:num_requests_waiting{model_name="model-a"}';
const TTFT_P95 = (model: string) =>
    `histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{model_name="${model}"}[1m])))`;
const INCOMING_NEW = 'vllm:num_incoming_requests_total{model="model-new"}';

const values = (ss: Sample[]) => ss.map((s) => s.value).sort((a, b) => a - b);
const note = (msg: string) => console.log(`      observed: ${msg}`);

describe("parsePromValue / kedaValue (no Prometheus)", () => {
    it("parses Prometheus's special float spellings", () => {
        assert.ok(Number.isNaN(parsePromValue("NaN")));
        assert.equal(parsePromValue("+Inf"), Infinity);
        assert.equal(parsePromValue("-Inf"), -Infinity);
        assert.equal(parsePromValue("1e-3"), 0.001);
        assert.throws(() => parsePromValue("abc"), /unparseable/);
    });

    it("mirrors KEDA's Prometheus scaler on empty, multiple, NaN and scalar answers", () => {
        const s = (value: number): Sample => ({ metric: {}, value, timestamp: 0 });
        const strict = { ignoreNullValues: false };
        const lax = { ignoreNullValues: true };
        assert.equal(kedaValue({ resultType: "vector", samples: [s(3)] }, "q", strict), 3);
        assert.throws(() => kedaValue({ resultType: "vector", samples: [s(1), s(2)] }, "q", lax), /multiple elements/);
        assert.throws(() => kedaValue({ resultType: "vector", samples: [] }, "q", strict), /empty/);
        assert.equal(kedaValue({ resultType: "vector", samples: [] }, "q", lax), 0);
        assert.throws(() => kedaValue({ resultType: "vector", samples: [s(NaN)] }, "q", strict), /NaN/);
        assert.equal(kedaValue({ resultType: "vector", samples: [s(Infinity)] }, "q", lax), 0);
        assert.throws(() => kedaValue({ resultType: "scalar", value: 1, timestamp: 0 }, "q", lax), /scalar/);
    });
});

describe("PrometheusHarness start-up failures", () => {
    it("says so, and how CI gets it, when the prometheus binary is missing", async () => {
        await assert.rejects(
            PrometheusHarness.start({ prometheusBin: "/nonexistent/prometheus" }),
            /Prometheus binary not found at \/nonexistent\/prometheus.*\.ci\/run installs Debian's `prometheus`/s,
        );
    });

    it("reports Prometheus's exit and stderr instead of hanging", async () => {
        // `false` exits at once: stands in for a Prometheus that dies on a bad flag or config.
        await assert.rejects(PrometheusHarness.start({ prometheusBin: "/bin/false" }), /Prometheus exited with code 1 while waiting/);
    });
});

describe("Prometheus 2.42 scraping the vLLM emulator: upstream facts", function () {
    this.timeout(30_000);
    const fx = withPrometheus({
        setup(emu) {
            emu.addEngine("model-a-0", { model: "model-a" });
            emu.addEngine("model-a-1", { model: "model-a" });
            emu.addEngine("model-b-sim-0", { model: "model-b", flavor: "llm-d-sim" });
            emu.addEngine("model-c-old-0", { model: "model-c", flavor: "vllm-pre-0.9", kvCacheUsage: 0.5 });
            emu.addRouter("router-0");
        },
    });

    it("scrapes every target without error, with the Operator's target labels", async () => {
        const targets = await fx.prom.activeTargets();
        assert.equal(targets.length, 5);
        for (const t of targets) assert.deepEqual([t.health, t.lastError], ["up", ""], JSON.stringify(t.labels));
        const [a0] = await fx.prom.query('vllm:num_requests_running{pod="model-a-0"}');
        assert.deepEqual(a0.metric, {
            __name__: "vllm:num_requests_running",
            container: "vllm",
            endpoint: "service-port",
            engine: "0",
            instance: a0.metric.instance,
            job: "vllm-model-a-engine-service",
            model_name: "model-a",
            namespace: "llm",
            pod: "model-a-0",
            service: "vllm-model-a-engine-service",
        });
    });

    it("emulates each engine flavor's names and labels", async () => {
        const sim = await fx.prom.query('vllm:num_requests_waiting{model_name="model-b"}');
        assert.equal(sim.length, 1);
        assert.equal(sim[0].metric.engine, undefined, "the simulator has no engine label");
        // The simulator creates histogram children only on first use; vLLM at start-up.
        assert.deepEqual(await fx.prom.query('vllm:time_to_first_token_seconds_count{model_name="model-b"}'), []);
        assert.equal((await fx.prom.query('vllm:time_to_first_token_seconds_count{model_name="model-a"}')).length, 2);
        assert.deepEqual(values(await fx.prom.query('vllm:gpu_cache_usage_perc{model_name="model-c"}')), [0.5]);
        assert.deepEqual(await fx.prom.query('vllm:kv_cache_usage_perc{model_name="model-c"}'), []);
    });

    it("query() refuses a scalar result and says so; queryResult() returns it", async () => {
        await assert.rejects(fx.prom.query("scalar(vector(1))"), /returned a scalar, not an instant vector/);
        const r = await fx.prom.queryResult("1/0");
        assert.deepEqual([r.resultType, r.resultType === "scalar" && r.value], ["scalar", Infinity]);
    });

    it("two engine pods: the raw gauge has two elements (KEDA errors), `sum(...) or vector(0)` one", async () => {
        fx.emu.setEngine("model-a-0", { waiting: 3 });
        fx.emu.setEngine("model-a-1", { waiting: 4 });
        await fx.prom.waitForScrapes(1);

        const raw = await fx.prom.query(WAITING_A);
        assert.deepEqual(values(raw), [3, 4]);
        await assert.rejects(fx.prom.kedaValue(WAITING_A), /multiple elements/);

        const summed = await fx.prom.query(`sum(${WAITING_A}) or vector(0)`);
        assert.equal(summed.length, 1);
        assert.equal(summed[0].value, 7);
        assert.deepEqual(summed[0].metric, {}, "sum() drops every label");
    });

    it("no pods of a model: `sum(...)` is empty, `sum(...) or vector(0)` is one 0", async () => {
        const q = 'sum(vllm:num_requests_waiting{model_name="model-z"})';
        assert.deepEqual(await fx.prom.query(q), []);
        await assert.rejects(fx.prom.kedaValue(q, { ignoreNullValues: false }), /empty/);
        const r = await fx.prom.query(`${q} or vector(0)`);
        assert.deepEqual(values(r), [0]);
    });

    it("an unfiltered sum() double counts the router's same-named gauges", async () => {
        const server = "http://10.0.0.1:8000";
        fx.emu.setEngine("model-a-0", { running: 2 });
        fx.emu.setRouterServer(server, { running: 2, qps: 1.5 });
        await fx.prom.waitForScrapes(1);

        const all = await fx.prom.query("sum(vllm:num_requests_running)");
        const engines = await fx.prom.query('sum(vllm:num_requests_running{model_name!=""})');
        note(`sum(vllm:num_requests_running) = ${all[0].value}, engines only = ${engines[0].value}`);
        assert.equal(engines[0].value, 2);
        assert.equal(all[0].value, 4);

        // The real router declares vllm:num_requests_waiting{server} but never sets it, so it has
        // no samples and the waiting sum is right by luck; a router that set it would be counted.
        const waitingAll = async () => (await fx.prom.query("sum(vllm:num_requests_waiting)"))[0].value;
        assert.equal(await waitingAll(), 7);
        assert.deepEqual(await fx.prom.query('vllm:num_requests_waiting{server!=""}'), []);
        fx.emu.setRouterServer(server, { waiting: 5 });
        await fx.prom.waitForScrapes(1);
        note(`sum(vllm:num_requests_waiting) = ${await waitingAll()} once the router exports waiting=5 (engines: 7)`);
        assert.equal(await waitingAll(), 12);
        assert.deepEqual(values(await fx.prom.query(`sum(${WAITING_A}) or vector(0)`)), [7]);
        fx.emu.removeRouterServer(server);
    });

    it("histogram_quantile without traffic is NaN (vLLM) or empty (simulator); `(... >= 0) or vector(0)` is 0", async () => {
        // rate() needs two samples in the window; start-up waited for one.
        await fx.prom.waitForScrapes(1);
        const vllm = await fx.prom.query(TTFT_P95("model-a"));
        note(`${TTFT_P95("model-a")} with no traffic = ${JSON.stringify(vllm.map((s) => String(s.value)))}`);
        assert.equal(vllm.length, 1);
        assert.ok(Number.isNaN(vllm[0].value));
        assert.deepEqual(values(await fx.prom.query(`(${TTFT_P95("model-a")} >= 0) or vector(0)`)), [0]);
        await assert.rejects(fx.prom.kedaValue(TTFT_P95("model-a")), /NaN/);

        assert.deepEqual(await fx.prom.query(TTFT_P95("model-b")), []);
        assert.deepEqual(values(await fx.prom.query(`(${TTFT_P95("model-b")} >= 0) or vector(0)`)), [0]);

        fx.emu.observeTtft("model-a-0", 0.3, 10);
        fx.emu.observeTtft("model-b-sim-0", 3, 10);
        await fx.prom.waitForScrapes(1);
        const p95 = async (model: string) => (await fx.prom.query(`(${TTFT_P95(model)} >= 0) or vector(0)`))[0].value;
        const a = await p95("model-a");
        // The simulator's histogram is born with these 10 observations in it: one sample, no rate.
        const bFirst = await p95("model-b");
        note(`p95 TTFT after 10 requests at 0.3 s: ${a}; simulator after 10 first requests at 3 s: ${bFirst}`);
        assert.ok(a > 0.25 && a <= 0.5, `p95 ${a} should fall in the (0.25, 0.5] bucket`);
        assert.equal(bFirst, 0, "rate() of a histogram series born with its observations misses them");

        fx.emu.observeTtft("model-b-sim-0", 3, 10);
        await fx.prom.waitForScrapes(1);
        const b = await p95("model-b");
        note(`simulator p95 after 10 more requests at 3 s: ${b}`);
        assert.ok(b > 2.5 && b <= 5, `p95 ${b} should fall in the (2.5, 5] bucket`);
    });

    it("a removed pod's series disappear at the next scrape (staleness), down to `or vector(0)` = 0", async () => {
        fx.emu.removeTarget("model-a-1");
        await fx.prom.waitForScrapes(1);
        const left = await fx.prom.query(WAITING_A);
        assert.deepEqual(left.map((s) => s.metric.pod), ["model-a-0"]);
        assert.deepEqual(await fx.prom.query('{pod="model-a-1", __name__=~"vllm:.*"}'), []);

        fx.emu.removeTarget("model-a-0");
        await fx.prom.waitForScrapes(1);
        assert.deepEqual(await fx.prom.query(WAITING_A), []);
        assert.deepEqual(values(await fx.prom.query(`sum(${WAITING_A}) or vector(0)`)), [0]);
    });

    it("a target added after start is discovered through file_sd", async function () {
        // Prometheus 2.42 batches discovery updates every 5 s (discovery and scrape managers).
        this.timeout(35_000);
        const t0 = Date.now();
        fx.emu.addEngine("model-a-2", { model: "model-a", waiting: 9 });
        await fx.prom.waitForScrapes(1);
        note(`new target discovered and ingested after ${Date.now() - t0} ms`);
        assert.deepEqual(values(await fx.prom.query(WAITING_A)), [9]);
    });

    it("a router counter that first appears with value 1: increase() never sees that first request", async function () {
        const inc = `increase(${INCOMING_NEW}[1m])`;
        const sumInc = `sum(${inc}) or vector(0)`;
        const newSeries = `sum(${INCOMING_NEW} unless ${INCOMING_NEW} offset 1m) or vector(0)`;
        const wake = `(${sumInc}) + (${newSeries})`;
        // `at` pins every query to one instant: a scrape landing between them would change the answer.
        const observe = async (when: string, at?: number) => {
            const r = {
                raw: values(await fx.prom.query(INCOMING_NEW, at)),
                increase: values(await fx.prom.query(inc, at)),
                sumIncreaseOrZero: values(await fx.prom.query(sumInc, at)),
                newSeriesOrZero: values(await fx.prom.query(newSeries, at)),
                wake: values(await fx.prom.query(wake, at)),
            };
            note(`${when}: ${JSON.stringify(r)}`);
            return r;
        };

        assert.deepEqual(await fx.prom.query(INCOMING_NEW), [], "no series before the first request");
        fx.emu.routerRequest("model-new", 1);

        await fx.prom.waitForScrapes(1);
        // The instant of the first sample: the series has exactly one sample then, however many
        // scrapes have landed since.
        const samples = await fx.prom.queryResult(`${INCOMING_NEW}[1m]`);
        assert.equal(samples.resultType, "matrix");
        const born = samples.resultType === "matrix" ? samples.series[0].values[0][0] : NaN;
        let r = await observe("first request, 1 scrape", born);
        assert.deepEqual(r.raw, [1], "the series is born with the first increment counted");
        assert.deepEqual(r.increase, [], "one sample: increase() has nothing to compare");
        assert.deepEqual(r.sumIncreaseOrZero, [0], "so the usual wake query reads 0");
        assert.deepEqual(r.newSeriesOrZero, [1]);
        assert.deepEqual(r.wake, [1]);

        await fx.prom.waitForScrapes(2);
        r = await observe("first request, 3 scrapes");
        assert.deepEqual(r.increase, [0], "1 -> 1 is no increase: the first request is lost for good");
        assert.deepEqual(r.wake, [1]);

        fx.emu.routerRequest("model-new", 1);
        await fx.prom.waitForScrapes(1);
        r = await observe("second request, 1 scrape");
        assert.deepEqual(r.raw, [2]);
        assert.equal(r.increase.length, 1);
        // 1 -> 2 over ~3 s of samples, extrapolated by up to half an interval at the start and up
        // to one at the end: between 1 and ~1.5; the first request is still not in it.
        assert.ok(r.increase[0] >= 1 && r.increase[0] < 2, `increase ${r.increase[0]}`);
    });
});

describe("PrometheusHarness static targets (a real exporter beside the emulator, as a ServiceMonitor scrapes it)", function () {
    this.timeout(60_000);
    // Stands in for KEDA's operator: a series of a ScaledObject's namespace, and one without a namespace.
    const exposition = [
        "# TYPE keda_scaler_metrics_value gauge",
        'keda_scaler_metrics_value{metric="s0-prometheus",namespace="llm",scaledObject="so",scaler="load",triggerIndex="0",type="scaledobject"} 3',
        "# TYPE keda_build_info gauge",
        'keda_build_info{version="v2.20.2"} 1',
        "",
    ].join("\n");
    let server: http.Server | undefined;
    let prom: PrometheusHarness | undefined;
    const targetLabels = (service: string) => ({ namespace: "keda", service, pod: `${service}-0`, endpoint: "metrics", container: service });

    before(async function () {
        this.timeout(60_000);
        server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition));
        await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
        const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
        prom = await PrometheusHarness.start({
            setup: (emu) => emu.addEngine("e-0", { model: "m" }),
            staticTargets: [
                { job: "keda-operator", address, honorLabels: true, labels: targetLabels("keda-operator") },
                { job: "plain", address, labels: targetLabels("plain") },
            ],
        });
    });
    after(async () => {
        await prom?.stop();
        server?.closeAllConnections();
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    });

    const scraped = async (job: string) => {
        for (let deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
            const ss = await prom!.query(`keda_scaler_metrics_value{job="${job}"}`);
            if (ss.length > 0) return ss;
        }
        throw new Error(`job ${job} never scraped: ${JSON.stringify(await prom!.activeTargets())}`);
    };

    it("honor_labels: the exporter's namespace wins; the target's fills series without one; job and target labels as given", async () => {
        const [v] = await scraped("keda-operator");
        assert.deepEqual(v.metric, {
            __name__: "keda_scaler_metrics_value", container: "keda-operator", endpoint: "metrics", instance: v.metric.instance, job: "keda-operator",
            metric: "s0-prometheus", namespace: "llm", pod: "keda-operator-0", scaledObject: "so", scaler: "load", service: "keda-operator",
            triggerIndex: "0", type: "scaledobject",
        });
        assert.equal(v.value, 3);
        const [info] = await prom!.query('keda_build_info{job="keda-operator"}');
        assert.equal(info.metric.namespace, "keda");
    });

    it("without honor_labels the exporter's namespace becomes exported_namespace (why the package's KEDA ServiceMonitor honors them)", async () => {
        const [v] = await scraped("plain");
        assert.equal(v.metric.namespace, "keda");
        assert.equal(v.metric.exported_namespace, "llm");
    });

    it("refuses a job name the emulator's jobs use", () => {
        assert.throws(() => prometheusConfig("/tmp/x.json", [{ job: "vllm-emulator", address: "127.0.0.1:1" }]), /already taken/);
        assert.throws(() => prometheusConfig("/tmp/x.json", [{ job: "a", address: "127.0.0.1:1" }, { job: "a", address: "127.0.0.1:2" }]), /already taken/);
    });
});
