// vLLM engines with continuous batching, as a fluid model pooled over the ready replicas (the
// router spreads requests evenly): each engine runs up to maxNumSeqs requests at once (fewer
// when the KV cache fills first), decodes every running request one token per step whose time
// grows with the batch, and queues the rest. Waits and TTFTs are recorded per arriving cohort.

import { REFERENCE_COLD_START } from "../plan/coldStart";

/** Engine parameters. Defaults: an 8B model on one 24 GB-class GPU, chat traffic. */
export interface EngineParams {
    /** vLLM --max-num-seqs: requests one engine runs at once. */
    maxNumSeqs: number;
    /** Mean prompt length (tokens). Default 1000. */
    promptTokens: number;
    /** Mean output length (tokens). Default 256. */
    outputTokens: number;
    /** Time per output token with a batch of one (seconds). Default 0.015. */
    itlBaseSeconds: number;
    /** Added time per output token per running request (seconds). Default 0.00025 (batch 64: 0.031 s). */
    itlPerSeqSeconds: number;
    /** Prefill time of one prompt on an idle engine (seconds). Default 0.1; grows with the batch. */
    prefillSeconds: number;
    /** KV-cache capacity of one engine in tokens. Default 100000 (a full batch of 64 average requests needs ~72000). */
    kvCacheTokens: number;
    /**
     * Seconds from a pod starting on a node to serving: image pull, weight download, weight load,
     * warm-up (CUDA graphs). Default 120 (coldStartPhases splits it).
     */
    modelLoadSeconds: number;
    /** The part of modelLoadSeconds a node that already has the engine image skips (a warm-headroom placeholder pulled it, or an engine ran there). Default 45. */
    imagePullSeconds: number;
}

/** The phases of a cold start, in the order they happen (node boot is the cluster's: ClusterParams.nodeBootSeconds). */
export interface ColdStartPhases {
    imagePullSeconds: number;
    weightDownloadSeconds: number;
    weightLoadSeconds: number;
    warmupSeconds: number;
}

/**
 * The reference engine's assumed split of its 120 s model load (an 8B model, ~16 GB of weights,
 * a ~10 GB vLLM image on a fresh node): assumptions of the model, not measurements; every phase
 * is a flag of `npm run simulate`.
 */
export const DEFAULT_COLD_START: ColdStartPhases = {
    imagePullSeconds: REFERENCE_COLD_START.imagePullSeconds,
    weightDownloadSeconds: REFERENCE_COLD_START.weightDownloadSeconds,
    weightLoadSeconds: REFERENCE_COLD_START.weightLoadSeconds,
    warmupSeconds: REFERENCE_COLD_START.warmupSeconds,
};

/** The engine parameters for a cold start given phase by phase. */
export function withColdStart(e: EngineParams, phases: ColdStartPhases): EngineParams {
    return {
        ...e,
        modelLoadSeconds: phases.imagePullSeconds + phases.weightDownloadSeconds + phases.weightLoadSeconds + phases.warmupSeconds,
        imagePullSeconds: phases.imagePullSeconds,
    };
}

export const DEFAULT_ENGINE: EngineParams = {
    maxNumSeqs: 64,
    promptTokens: 1000,
    outputTokens: 256,
    itlBaseSeconds: 0.015,
    itlPerSeqSeconds: 0.00025,
    prefillSeconds: 0.1,
    kvCacheTokens: 100_000,
    modelLoadSeconds: REFERENCE_COLD_START.imagePullSeconds + REFERENCE_COLD_START.weightDownloadSeconds +
        REFERENCE_COLD_START.weightLoadSeconds + REFERENCE_COLD_START.warmupSeconds,
    imagePullSeconds: REFERENCE_COLD_START.imagePullSeconds,
};

/** KV tokens an average running request holds (its prompt and, on average, half its output). */
export function kvTokensPerRequest(e: EngineParams): number {
    return e.promptTokens + e.outputTokens / 2;
}

/** Requests one engine can run: maxNumSeqs, or fewer when the KV cache fills first. */
export function concurrencyLimit(e: EngineParams): number {
    return Math.min(e.maxNumSeqs, Math.floor(e.kvCacheTokens / kvTokensPerRequest(e)));
}

/** Inter-token latency with `batch` requests running on one engine. */
export function itl(e: EngineParams, batch: number): number {
    return e.itlBaseSeconds + e.itlPerSeqSeconds * batch;
}

/** Time a request spends running with `batch` requests per engine (prefill + decode). */
export function serviceSeconds(e: EngineParams, batch: number): number {
    return prefillSeconds(e, batch) + e.outputTokens * itl(e, batch);
}

/** Prefill competes with decoding: it slows down as the batch grows (x2 at a full batch). */
export function prefillSeconds(e: EngineParams, batch: number): number {
    return e.prefillSeconds * (1 + batch / e.maxNumSeqs);
}

/** Requests per second one engine completes when it runs `batch` requests. */
export function throughput(e: EngineParams, batch: number): number {
    return batch <= 0 ? 0 : batch / serviceSeconds(e, batch);
}

/** Histogram of a per-request quantity in fixed bins (0.05 s up to 1800 s), weighted by request mass. */
export class WeightedHistogram {
    static readonly BIN = 0.05;
    private readonly bins = new Float64Array(Math.ceil(1800 / WeightedHistogram.BIN) + 1);
    total = 0;

    add(value: number, mass: number): void {
        if (mass <= 0) return;
        const i = Math.min(this.bins.length - 1, Math.max(0, Math.floor(value / WeightedHistogram.BIN)));
        this.bins[i] += mass;
        this.total += mass;
    }

    /** Mass at or below `value`. */
    massAtMost(value: number): number {
        const last = Math.floor(value / WeightedHistogram.BIN + 1e-9);
        let m = 0;
        for (let i = 0; i < Math.min(last, this.bins.length); i++) m += this.bins[i];
        return m;
    }

    /** Upper edge of the bin holding quantile q (0 when empty). */
    quantile(q: number): number {
        if (this.total <= 0) return 0;
        const rank = q * this.total;
        let m = 0;
        for (let i = 0; i < this.bins.length; i++) {
            m += this.bins[i];
            if (m >= rank - 1e-12) return (i + 1) * WeightedHistogram.BIN;
        }
        return this.bins.length * WeightedHistogram.BIN;
    }
}

interface Cohort { arrived: number; mass: number }

/** The pooled engines of one model. Call step() once per simulated second. */
export class EnginePool {
    private queue: Cohort[] = [];
    private queued = 0;
    /** Requests running, summed over ready engines. */
    running = 0;
    wait = new WeightedHistogram();
    ttft = new WeightedHistogram();
    /** TTFT observations of recent seconds, for the ttft trigger's rate window. */
    private recentTtft: { at: number; value: number; mass: number }[] = [];
    refused = 0;
    arrived = 0;
    served = 0;
    /** Seconds the served requests ran, summed (vLLM's `vllm:request_inference_time_seconds` sum). */
    inferenceSeconds = 0;

    constructor(readonly params: EngineParams) {}

    /**
     * Starts the counts over (a pre-roll ends), keeping the engines' state. Requests still queued
     * count as arrived now: their wait is recorded when they start.
     */
    resetCounts(): void {
        this.wait = new WeightedHistogram();
        this.ttft = new WeightedHistogram();
        this.arrived = this.queued;
        this.refused = 0;
    }

    get waiting(): number {
        return this.queued;
    }

    /** Summed KV-cache usage over `ready` engines (each 0..1). */
    kvUsage(ready: number): number {
        if (ready <= 0) return 0;
        return Math.min(ready, (this.running * kvTokensPerRequest(this.params)) / this.params.kvCacheTokens);
    }

    /** p95 TTFT of requests admitted within the last `windowSeconds` (NaN when none). */
    ttftP95(now: number, windowSeconds: number): number {
        this.recentTtft = this.recentTtft.filter((o) => o.at > now - windowSeconds);
        const total = this.recentTtft.reduce((s, o) => s + o.mass, 0);
        if (total <= 1e-9) return NaN;
        const sorted = [...this.recentTtft].sort((a, b) => a.value - b.value);
        let m = 0;
        for (const o of sorted) {
            m += o.mass;
            if (m >= 0.95 * total) return o.value;
        }
        return sorted[sorted.length - 1].value;
    }

    /** One second: arrivals (refused when no engine is ready), completions, admissions. */
    step(now: number, arrivals: number, ready: number): void {
        const e = this.params;
        this.arrived += arrivals;
        if (ready <= 0) {
            // The router answers 503 while it has no ready engine for the model.
            this.refused += arrivals;
            // Requests still queued on engines that disappeared are lost too.
            this.refused += this.queued + this.running;
            this.queue = [];
            this.queued = 0;
            this.running = 0;
            return;
        }
        if (arrivals > 0) {
            this.queue.push({ arrived: now, mass: arrivals });
            this.queued += arrivals;
        }
        const batch = this.running / ready;
        const service = serviceSeconds(e, batch);
        const done = Math.min(this.running, this.running / service);
        this.running -= done;
        this.served += done;
        this.inferenceSeconds += done * service;
        let free = ready * concurrencyLimit(e) - this.running;
        const prefill = prefillSeconds(e, Math.min(e.maxNumSeqs, (this.running + Math.max(0, free)) / ready));
        while (free > 1e-9 && this.queue.length > 0) {
            const c = this.queue[0];
            const take = Math.min(c.mass, free);
            const wait = now - c.arrived;
            this.wait.add(wait, take);
            this.ttft.add(wait + prefill, take);
            this.recentTtft.push({ at: now, value: wait + prefill, mass: take });
            this.running += take;
            this.queued -= take;
            free -= take;
            c.mass -= take;
            if (c.mass <= 1e-9) this.queue.shift();
        }
        if (this.queued < 1e-9) this.queued = 0;
        // The fluid model's exponential tail stands for the last requests finishing: below a
        // thousandth of a request, the engines are idle (their gauges read 0).
        if (this.running < 1e-3 && this.queued === 0) {
            this.served += this.running;
            this.inferenceSeconds += this.running * serviceSeconds(e, 0);
            this.running = 0;
        }
        if (this.recentTtft.length > 4096) this.recentTtft.splice(0, this.recentTtft.length - 4096);
    }

    /** Requests still queued at the end of a run, with how long they have waited. */
    drainQueueInto(now: number): void {
        for (const c of this.queue) {
            this.wait.add(now - c.arrived, c.mass);
            this.ttft.add(now - c.arrived + this.params.prefillSeconds, c.mass);
        }
        this.queue = [];
        this.queued = 0;
    }
}
