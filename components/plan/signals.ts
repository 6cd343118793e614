// The optional scalingModifiers formula over a ScaledObject's triggers (triggers.ts names them):
// validated against the triggers the model gets, and written as KEDA reads it.
import type { ScalingModifiers } from "../args";
import { checkFormula } from "./formula";
import { fieldsOf, Problems, unknownKeys } from "./problems";

export interface ResolvedScalingModifiers {
    formula: string;
    target: number;
    activationTarget: number;
}

/** KEDA `advanced.scalingModifiers`; AverageValue so that the fallback keeps working. */
export function scalingModifiersSpec(m: ResolvedScalingModifiers) {
    return {
        formula: m.formula,
        target: String(m.target),
        activationTarget: String(m.activationTarget),
        metricType: "AverageValue" as const,
    };
}

const MODIFIER_KEYS = fieldsOf<ScalingModifiers>({ formula: true, target: true, activationTarget: true });

/** Validates `autoscaling.scalingModifiers` against the triggers the ScaledObject will have. */
export function resolveScalingModifiers(p: Problems, path: string, m: ScalingModifiers | undefined, names: readonly string[]): ResolvedScalingModifiers | undefined {
    if (!p.object(path, m, { optional: true }) || m === undefined) return undefined;
    unknownKeys(p, path, m, MODIFIER_KEYS);
    let ok = p.string(`${path}.formula`, m.formula, { hint: "use an expression over trigger names, e.g. \"max(load / 53, queue_depth / 5)\"" });
    if (ok) {
        for (const problem of checkFormula(m.formula, names)) {
            p.add(`${path}.formula`, problem);
            ok = false;
        }
    }
    // KEDA's fallback parses the composite target as an integer (pkg/fallback HasValidFallback).
    ok = p.integer(`${path}.target`, m.target, 1) && ok;
    ok = p.positive(`${path}.activationTarget`, m.activationTarget, { optional: true, allowZero: true }) && ok;
    if (!ok) return undefined;
    return { formula: m.formula, target: m.target, activationTarget: m.activationTarget ?? 0 };
}
