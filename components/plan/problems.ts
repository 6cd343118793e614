// Collects every problem in the arguments so that one run reports them all, each with the
// field path, what is wrong and what would be valid.

export interface Problem {
    /** Field path in the args, e.g. `models[1].autoscaling.maxReplicas`. */
    path: string;
    /** What is wrong and what would be valid. */
    message: string;
}

export class PlanValidationError extends Error {
    readonly problems: Problem[];
    /** `kind`: the component class the arguments belong to (GpuNodePool validates its own). */
    constructor(component: string, problems: Problem[], kind = "LlmInference") {
        const n = problems.length;
        const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
        super(`${kind} "${component}": ${n} problem${n === 1 ? "" : "s"} in the arguments:\n${lines.join("\n")}`);
        this.name = "PlanValidationError";
        this.problems = problems;
    }
}

function show(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Checks that record into one list; each returns whether the value passed. */
export class Problems {
    readonly list: Problem[] = [];

    add(path: string, message: string): void {
        this.list.push({ path, message });
    }

    /** An integer within [min, max] (max optional), or undefined when `optional`. */
    integer(path: string, value: unknown, min: number, opts: { max?: number; optional?: boolean } = {}): boolean {
        if (value === undefined && opts.optional) return true;
        const range = opts.max === undefined ? `>= ${min}` : `from ${min} to ${opts.max}`;
        if (typeof value !== "number" || !Number.isInteger(value)) {
            this.add(path, `${value === undefined ? "is required" : `${show(value)} is not a whole number`}; use an integer ${range}`);
            return false;
        }
        if (value < min || (opts.max !== undefined && value > opts.max)) {
            this.add(path, `${value} is out of range; use an integer ${range}`);
            return false;
        }
        return true;
    }

    /** A finite number > 0 (or >= 0 with `allowZero`). */
    positive(path: string, value: unknown, opts: { allowZero?: boolean; optional?: boolean } = {}): boolean {
        if (value === undefined && opts.optional) return true;
        const want = opts.allowZero ? ">= 0" : "> 0";
        if (typeof value !== "number" || !Number.isFinite(value) || (opts.allowZero ? value < 0 : value <= 0)) {
            this.add(path, `${value === undefined ? "is required" : `${show(value)} is not allowed`}; use a number ${want}`);
            return false;
        }
        return true;
    }

    string(path: string, value: unknown, opts: { optional?: boolean; pattern?: RegExp; hint?: string } = {}): boolean {
        if (value === undefined && opts.optional) return true;
        if (typeof value !== "string" || value.length === 0) {
            this.add(path, `${value === undefined ? "is required" : `${show(value)} is not a non-empty string`}${opts.hint ? `; ${opts.hint}` : ""}`);
            return false;
        }
        if (opts.pattern && !opts.pattern.test(value)) {
            this.add(path, `${show(value)} is not valid${opts.hint ? `; ${opts.hint}` : ""}`);
            return false;
        }
        return true;
    }

    boolean(path: string, value: unknown): boolean {
        if (value === undefined || typeof value === "boolean") return true;
        this.add(path, `${show(value)} is not a boolean; use true or false`);
        return false;
    }

    object(path: string, value: unknown, opts: { optional?: boolean } = {}): boolean {
        if (value === undefined && opts.optional) return true;
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            this.add(path, `${value === undefined ? "is required" : `${show(value)} is not an object`}; use an object`);
            return false;
        }
        return true;
    }

    throwIfAny(component: string, kind?: string): void {
        if (this.list.length > 0) throw new PlanValidationError(component, this.list, kind);
    }
}

/** Flags keys the args type does not have (a YAML or Python typo would otherwise be ignored). */
/**
 * The field names of an argument interface, for unknownKeys: written as an object with every key
 * of T set to true, so that a key T lacks, or one of T's keys left out, is a compile error and the
 * list cannot drift from the interface in components/args.ts.
 */
export function fieldsOf<T extends object>(fields: { [K in keyof Required<T>]: true }): readonly (keyof T & string)[] {
    return Object.keys(fields) as (keyof T & string)[];
}

export function unknownKeys(problems: Problems, path: string, value: unknown, known: readonly string[]): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
        if (!known.includes(key)) {
            problems.add(`${path}.${key}`, `is not a known field; known fields here: ${known.join(", ")}`);
        }
    }
}
