// How closely the simulator predicts a real scaling loop: two per-second replica timelines of the
// same trace (the Deployment's spec.replicas as the real loop set it, and as the simulator set
// it) reduced to the numbers the benchmark table depends on. Replica-seconds are what a GPU bill
// counts; the first scale-up and the peak are what users feel.

/** One timeline: spec.replicas in each second of the trace, second 0 first. */
export type ReplicaTimeline = readonly number[];

export interface TimelineFacts {
    /** Sum over the seconds of spec.replicas. */
    replicaSeconds: number;
    /** First second at which the replicas rise above the count at second 0 (undefined: never). */
    firstScaleUp?: number;
    /** Highest spec.replicas. */
    peak: number;
    /** Seconds at which the count changed. */
    changes: number;
}

export interface Agreement {
    real: TimelineFacts;
    simulated: TimelineFacts;
    /** |simulated - real| / real replica-seconds (0 when both are 0; Infinity when only real is 0). */
    replicaSecondsDiff: number;
    /** simulated - real first scale-up, in seconds (undefined when either never scales up). */
    firstScaleUpDelta?: number;
    /** The seconds compared: the shorter timeline's length. */
    seconds: number;
}

export function timelineFacts(t: ReplicaTimeline): TimelineFacts {
    let replicaSeconds = 0;
    let firstScaleUp: number | undefined;
    let changes = 0;
    for (let i = 0; i < t.length; i++) {
        replicaSeconds += t[i];
        if (firstScaleUp === undefined && t[i] > t[0]) firstScaleUp = i;
        if (i > 0 && t[i] !== t[i - 1]) changes++;
    }
    return { replicaSeconds, firstScaleUp, peak: t.length ? Math.max(...t) : 0, changes };
}

/** Compares the two timelines over the seconds both cover. */
export function agreement(real: ReplicaTimeline, simulated: ReplicaTimeline): Agreement {
    const n = Math.min(real.length, simulated.length);
    const r = timelineFacts(real.slice(0, n));
    const s = timelineFacts(simulated.slice(0, n));
    const diff = r.replicaSeconds === 0 ? (s.replicaSeconds === 0 ? 0 : Infinity) : Math.abs(s.replicaSeconds - r.replicaSeconds) / r.replicaSeconds;
    return {
        real: r,
        simulated: s,
        replicaSecondsDiff: diff,
        firstScaleUpDelta: r.firstScaleUp !== undefined && s.firstScaleUp !== undefined ? s.firstScaleUp - r.firstScaleUp : undefined,
        seconds: n,
    };
}

/** The comparison as table rows (markdown), for the demo, the test output and docs/end-to-end.md. */
export function agreementTable(a: Agreement): string[] {
    const sec = (x?: number) => (x === undefined ? "never" : `${x} s`);
    return [
        "| | real loop | simulator | difference |",
        "|---|---|---|---|",
        `| replica-seconds | ${a.real.replicaSeconds} | ${a.simulated.replicaSeconds} | ${(100 * a.replicaSecondsDiff).toFixed(1)}% |`,
        `| first scale-up | ${sec(a.real.firstScaleUp)} | ${sec(a.simulated.firstScaleUp)} | ${a.firstScaleUpDelta === undefined ? "-" : `${a.firstScaleUpDelta > 0 ? "+" : ""}${a.firstScaleUpDelta} s`} |`,
        `| peak replicas | ${a.real.peak} | ${a.simulated.peak} | ${a.simulated.peak - a.real.peak} |`,
        `| replica changes | ${a.real.changes} | ${a.simulated.changes} | ${a.simulated.changes - a.real.changes} |`,
    ];
}
