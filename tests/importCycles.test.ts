// How the sources depend on each other. The package's modules form no import cycle: a module that
// both imports and is imported by another (directly or around a loop) hides which one decides,
// and breaks under partial loading (type-only imports count too; they tie the modules' meanings
// just the same). And what users run (the package, scripts/ behind the npm commands, the
// end-to-end harness in e2e/) imports nothing from tests/.
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
    });
}

/** The relative modules a file imports or re-exports, as absolute paths without extension. */
function relativeImports(file: string): string[] {
    const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    const out: string[] = [];
    for (const st of src.statements) {
        const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
            ? st.moduleSpecifier.text : undefined;
        if (spec?.startsWith(".")) out.push(path.resolve(path.dirname(file), spec).replace(/\.(js|ts)$/, ""));
    }
    return out;
}

/** Every cycle of the graph, each once, as the list of modules around it (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
    let index = 0;
    const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
    const visit = (v: string) => {
        idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!graph.has(w)) continue;
            if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
            else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
        if (low.get(v) === idx.get(v)) {
            const scc: string[] = [];
            let w: string;
            do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
            if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
        }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    return out;
}

describe("modules: no import cycles", () => {
    it("finds the cycle it is written to find (sanity)", () => {
        const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
        assert.deepStrictEqual(cycles(g), [["a", "b", "c"]]);
    });

    it("components/ has none", () => {
        const files = sourceFiles(path.join(ROOT, "components"));
        assert.ok(files.length > 20, `only ${files.length} files under components/`);
        const graph = new Map(files.map((f) => [f.replace(/\.ts$/, ""), relativeImports(f)]));
        const found = cycles(graph).map((c) => c.map((m) => path.relative(ROOT, m)).join(" <-> "));
        assert.deepStrictEqual(found, []);
    });
});

describe("modules: nothing a user runs imports from tests/", () => {
    it("components/, stacks/, scripts/ and e2e/ import no module under tests/", () => {
        const tests = path.join(ROOT, "tests") + path.sep;
        const files = ["components", "stacks", "scripts", "e2e"].flatMap((d) => sourceFiles(path.join(ROOT, d)));
        assert.ok(files.some((f) => f.includes(`${path.sep}e2e${path.sep}support${path.sep}`)), "the harness's support code is under e2e/support");
        const bad = files.flatMap((f) => relativeImports(f).filter((m) => (m + path.sep).startsWith(tests)).map((m) => `${path.relative(ROOT, f)} -> ${path.relative(ROOT, m)}`));
        assert.deepStrictEqual(bad, []);
    });
});
