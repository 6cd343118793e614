// A ScaledObject's triggers in words, for `npm run plan` and `npm run simulate`: what scales the
// model, toward which target, and when it wakes or sleeps. Read from the manifest itself.
import type { ScaledObjectManifest } from "./types";
import { peakHoldOf, queryWindowSeconds } from "./queries";
import { SCHEDULE_TRIGGER_PREFIX, TRIGGER } from "./triggers";

function windowOf(query: string): string {
    const w = queryWindowSeconds(query);
    return w !== undefined ? `${w} s` : "its window";
}

/** One line per trigger (and one for the composite formula, the cooldown and the fallback). */
export function describeTriggers(so: ScaledObjectManifest): string[] {
    const s = so.spec;
    const lines: string[] = [];
    for (const t of s.triggers) {
        const md = t.metadata as Record<string, string>;
        const type = t.metricType ?? "AverageValue";
        const per = type === "AverageValue" ? "per replica" : "in total (metricType Value: times the ready pods)";
        const act = Number(md.activationThreshold ?? "0");
        const wakes = act > 0 ? `; counts as active above ${act}` : "";
        switch (t.name) {
            case TRIGGER.load:
            {
                // The scale-down margin (see loadQuery): h per busy engine in the query and in the threshold.
                const h = Number(/ \+ (\d+) \* \(count\(/.exec(md.query ?? "")?.[1] ?? 0);
                const target = Number(md.threshold) - h;
                lines.push(h > 0
                    ? `${t.name}: requests running + waiting in the model's engines, ${target} ${per}, plus ${h} per busy engine in the metric and the threshold (${md.threshold}): ` +
                      `adds a replica at about ${target} per replica, gives one back only once the load fits one fewer with ${h} to spare${wakes}`
                    : `${t.name}: requests running + waiting in the model's engines, ${md.threshold} ${per} -> replicas = ceil(load / ${md.threshold})${wakes}`);
                break;
            }
            case TRIGGER.loadPeak: {
                const hold = peakHoldOf(md.query ?? "");
                lines.push(`${t.name}: the load's largest value over the last ${hold ? `${hold.holdSeconds} s (sampled every ${hold.stepSeconds} s)` : "window"}, ` +
                    `against the load's threshold (${md.threshold}): keeps the replicas the peak needed until it leaves the window`);
                break;
            }
            case TRIGGER.kvCache:
                lines.push(`${t.name}: KV-cache usage summed over the engines (0..1 each; pre-0.9 gauge name included), ${md.threshold} ${per}${wakes}`);
                break;
            case TRIGGER.queueDepth:
                lines.push(`${t.name}: requests waiting in the engines' queues, ${md.threshold} ${per}${wakes}`);
                break;
            case TRIGGER.ttft:
                lines.push(`${t.name}: p95 time to first token over ${windowOf(md.query)} x engines, SLO ${md.threshold} s ${per} -> grows the fleet by the factor the SLO is missed by`);
                break;
            case TRIGGER.gpuUtilization:
                lines.push(`${t.name}: GPU utilization (dcgm-exporter, %) averaged per engine pod and summed, ${md.threshold}% ${per}${wakes}; reads "busy", not "overloaded"`);
                break;
            case TRIGGER.wakeOnRequest:
                lines.push(`${t.name}: wakes the model from zero on the first request the router sees (window ${windowOf(md.query)}); asks for at most 1 replica`);
                break;
            default:
                if (t.type === "cron" && t.name?.startsWith(SCHEDULE_TRIGGER_PREFIX)) {
                    lines.push(`${t.name}: at least ${md.desiredReplicas} replicas from "${md.start}" to "${md.end}" (${md.timezone})`);
                } else {
                    lines.push(`${t.name ?? "(unnamed)"}: ${t.type} trigger, threshold ${md.threshold ?? "-"}`);
                }
        }
    }
    const sm = s.advanced?.scalingModifiers;
    if (sm?.formula) lines.push(`composite (scalingModifiers): replicas = ceil((${sm.formula}) / ${sm.target}), active above ${sm.activationTarget ?? "0"}; it replaces the max over the triggers`);
    else lines.push("the HPA takes the largest of the triggers' replica counts");
    const min = s.minReplicaCount ?? 0;
    lines.push(min === 0
        ? `scales to zero ${s.cooldownPeriod ?? 300} s after the last active poll (every ${s.pollingInterval ?? 30} s); between ${1} and ${s.maxReplicaCount} replicas otherwise`
        : `between ${min} and ${s.maxReplicaCount} replicas, polled every ${s.pollingInterval ?? 30} s`);
    if (s.fallback) lines.push(`if Prometheus fails ${s.fallback.failureThreshold + 1} reads in a row: ${s.fallback.replicas} replica${s.fallback.replicas === 1 ? "" : "s"} (${s.fallback.behavior ?? "static"})`);
    return lines;
}
