// The subset of expr-lang (the language KEDA compiles `scalingModifiers.formula` with) the package
// accepts: numbers, trigger names, + - * / % **, comparisons, && || !, `c ? a : b`, parentheses
// and max/min/abs/ceil/floor/round/float/int. Parsed once for validation (unknown names are errors, so a
// formula cannot silently read a trigger that does not exist) and evaluated by the simulator.

export type FormulaNode =
    | { kind: "num"; value: number }
    | { kind: "var"; name: string }
    | { kind: "unary"; op: string; arg: FormulaNode }
    | { kind: "binary"; op: string; left: FormulaNode; right: FormulaNode }
    | { kind: "cond"; test: FormulaNode; then: FormulaNode; else: FormulaNode }
    | { kind: "call"; fn: string; args: FormulaNode[] };

export const FORMULA_FUNCTIONS: Readonly<Record<string, { min: number; max: number; apply: (xs: number[]) => number }>> = {
    max: { min: 1, max: Infinity, apply: (xs) => Math.max(...xs) },
    min: { min: 1, max: Infinity, apply: (xs) => Math.min(...xs) },
    abs: { min: 1, max: 1, apply: ([x]) => Math.abs(x) },
    ceil: { min: 1, max: 1, apply: ([x]) => Math.ceil(x) },
    floor: { min: 1, max: 1, apply: ([x]) => Math.floor(x) },
    round: { min: 1, max: 1, apply: ([x]) => Math.round(x) },
    // KEDA wraps every formula in float(...) itself (castToFloatIfNecessary); users may too.
    float: { min: 1, max: 1, apply: ([x]) => x },
    int: { min: 1, max: 1, apply: ([x]) => Math.trunc(x) },
};

type Token = { t: "num"; v: number } | { t: "id"; v: string } | { t: "op"; v: string };

function tokenize(src: string): Token[] {
    const out: Token[] = [];
    const re = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:(),^]))/y;
    let i = 0;
    while (i < src.length) {
        if (/^\s*$/.test(src.slice(i))) break;
        re.lastIndex = i;
        const m = re.exec(src);
        if (!m) throw new Error(`unexpected character ${JSON.stringify(src.slice(i).trimStart()[0])} at position ${src.length - src.slice(i).trimStart().length + 1}`);
        if (m[1] !== undefined) out.push({ t: "num", v: Number(m[1]) });
        else if (m[2] !== undefined) {
            const w = m[2];
            if (w === "and") out.push({ t: "op", v: "&&" });
            else if (w === "or") out.push({ t: "op", v: "||" });
            else if (w === "not") out.push({ t: "op", v: "!" });
            else out.push({ t: "id", v: w });
        } else out.push({ t: "op", v: m[3] === "^" ? "**" : m[3] });
        i = re.lastIndex;
    }
    return out;
}

/** Parses a formula; throws with a readable reason. */
export function parseFormula(src: string): FormulaNode {
    const toks = tokenize(src);
    let pos = 0;
    const peek = (): Token | undefined => toks[pos];
    const isOp = (v: string) => peek()?.t === "op" && peek()!.v === v;
    const expect = (v: string) => {
        if (!isOp(v)) throw new Error(`expected "${v}"${peek() ? ` but found "${String(peek()!.v)}"` : " at the end"}`);
        pos++;
    };
    const binary = (next: () => FormulaNode, ops: string[]) => (): FormulaNode => {
        let left = next();
        while (peek()?.t === "op" && ops.includes(peek()!.v as string)) {
            const op = toks[pos++].v as string;
            left = { kind: "binary", op, left, right: next() };
        }
        return left;
    };
    const primary = (): FormulaNode => {
        const t = peek();
        if (!t) throw new Error("the formula ends too early");
        if (t.t === "num") {
            pos++;
            return { kind: "num", value: t.v };
        }
        if (t.t === "id") {
            pos++;
            if (isOp("(")) {
                pos++;
                const args: FormulaNode[] = [];
                if (!isOp(")")) {
                    args.push(conditional());
                    while (isOp(",")) {
                        pos++;
                        args.push(conditional());
                    }
                }
                expect(")");
                return { kind: "call", fn: t.v, args };
            }
            return { kind: "var", name: t.v };
        }
        if (t.v === "(") {
            pos++;
            const e = conditional();
            expect(")");
            return e;
        }
        throw new Error(`unexpected "${t.v}"`);
    };
    const power = (): FormulaNode => {
        const base = primary();
        if (isOp("**")) {
            pos++;
            return { kind: "binary", op: "**", left: base, right: unary() };
        }
        return base;
    };
    const unary = (): FormulaNode => {
        if (isOp("-") || isOp("+") || isOp("!")) {
            const op = toks[pos++].v as string;
            return { kind: "unary", op, arg: unary() };
        }
        return power();
    };
    const mul = binary(unary, ["*", "/", "%"]);
    const add = binary(mul, ["+", "-"]);
    const cmp = binary(add, ["==", "!=", "<", ">", "<=", ">="]);
    const and = binary(cmp, ["&&"]);
    const or = binary(and, ["||"]);
    function conditional(): FormulaNode {
        const test = or();
        if (isOp("?")) {
            pos++;
            const then = conditional();
            expect(":");
            return { kind: "cond", test, then, else: conditional() };
        }
        return test;
    }
    if (toks.length === 0) throw new Error("the formula is empty");
    const root = conditional();
    if (pos < toks.length) throw new Error(`unexpected "${String(toks[pos].v)}" after the end of the expression`);
    return root;
}

/** Names the formula reads and functions it calls. */
export function formulaNames(node: FormulaNode): { vars: Set<string>; calls: { fn: string; arity: number }[] } {
    const vars = new Set<string>();
    const calls: { fn: string; arity: number }[] = [];
    const walk = (n: FormulaNode): void => {
        switch (n.kind) {
            case "var": vars.add(n.name); break;
            case "unary": walk(n.arg); break;
            case "binary": walk(n.left); walk(n.right); break;
            case "cond": walk(n.test); walk(n.then); walk(n.else); break;
            case "call": calls.push({ fn: n.fn, arity: n.args.length }); n.args.forEach(walk); break;
            case "num": break;
        }
    };
    walk(node);
    return { vars, calls };
}

/** Problems of a formula against the trigger names of its ScaledObject (empty = valid). */
export function checkFormula(src: string, triggerNames: readonly string[]): string[] {
    let node: FormulaNode;
    try {
        node = parseFormula(src);
    } catch (e) {
        return [`cannot be parsed: ${(e as Error).message}`];
    }
    const problems: string[] = [];
    const { vars, calls } = formulaNames(node);
    for (const v of vars) {
        if (!triggerNames.includes(v)) problems.push(`reads "${v}", which is not a trigger of this ScaledObject; its triggers are ${triggerNames.join(", ")}`);
    }
    for (const c of calls) {
        const f = FORMULA_FUNCTIONS[c.fn];
        if (!f) problems.push(`calls ${c.fn}(), which is not supported; use ${Object.keys(FORMULA_FUNCTIONS).join(", ")}`);
        else if (c.arity < f.min || c.arity > f.max) problems.push(`calls ${c.fn}() with ${c.arity} argument(s)`);
    }
    return problems;
}

/** Evaluates a parsed formula with trigger values (booleans as in expr: comparisons, && and ||). */
export function evaluateFormula(node: FormulaNode, values: Readonly<Record<string, number>>): number {
    const ev = (n: FormulaNode): number | boolean => {
        switch (n.kind) {
            case "num": return n.value;
            case "var": {
                const v = values[n.name];
                if (v === undefined) throw new Error(`formula reads unknown trigger ${n.name}`);
                return v;
            }
            case "unary": {
                const a = ev(n.arg);
                return n.op === "!" ? !a : n.op === "-" ? -Number(a) : Number(a);
            }
            case "cond": return ev(n.test) ? ev(n.then) : ev(n.else);
            case "call": return FORMULA_FUNCTIONS[n.fn].apply(n.args.map((a) => Number(ev(a))));
            case "binary": {
                if (n.op === "&&") return Boolean(ev(n.left)) && Boolean(ev(n.right));
                if (n.op === "||") return Boolean(ev(n.left)) || Boolean(ev(n.right));
                const a = Number(ev(n.left));
                const b = Number(ev(n.right));
                switch (n.op) {
                    case "+": return a + b;
                    case "-": return a - b;
                    case "*": return a * b;
                    case "/": return a / b;
                    case "%": return a % b;
                    case "**": return a ** b;
                    case "==": return a === b;
                    case "!=": return a !== b;
                    case "<": return a < b;
                    case ">": return a > b;
                    case "<=": return a <= b;
                    case ">=": return a >= b;
                }
                throw new Error(`unknown operator ${n.op}`);
            }
        }
    };
    const r = ev(node);
    if (typeof r !== "number") throw new Error("the formula returns a boolean, not a number");
    return r;
}
