// Reuse from other languages: sdk/schema.json against the TypeScript source and docs/arguments.md, the generated
// Python and Go SDKs against a fresh generation and under each SDK's own mocks, and the examples in
// sdk/examples against the schema and the dev stack.
//
// The Python and Go parts run `bash scripts/sdk.sh check|python|go` (Go >= 1.25 and Python >= 3.9 with venv
// on PATH; every download and build stays under .tmp/). Without those tools the tests fail with a message;
// SKIP_SDK_TESTS=1 skips them instead (CI never sets it).
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { diffJson, formatSchema, inferSchema, PACKAGE_NAME, SCHEMA_PATH } from "../scripts/schema";
import { loadStack } from "../stacks/load";

const ROOT = path.resolve(__dirname, "..", "..");
const TOKEN = `${PACKAGE_NAME}:index:LlmInference`;

type Spec = Record<string, any>;
type Schema = { name: string; version: string; resources: Record<string, Spec>; types: Record<string, Spec> };

const readSchema = (): Schema => JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_PATH), "utf8"));

/** The object type a property spec refers to (through arrays), or undefined. */
function refType(schema: Schema, spec: Spec | undefined): Spec | undefined {
    if (!spec) return undefined;
    if (spec.type === "array") return refType(schema, spec.items);
    const ref: string | undefined = spec.$ref;
    return ref && ref.startsWith("#/types/") ? schema.types[ref.slice("#/types/".length)] : undefined;
}

/** "string" | "number" | "boolean" | "array" | "object" | "enum" | "any" | "map". */
function kindOf(schema: Schema, spec: Spec): string {
    if (spec.$ref === "pulumi.json#/Any") return "any";
    const t = refType(schema, spec.type === "array" ? undefined : spec);
    if (t) return t.enum ? "enum" : "object";
    if (spec.type === "object" && spec.additionalProperties) return "map";
    return spec.type;
}

/** Properties of the object a path of argument names leads to, from the LlmInference inputs down. */
function propertiesAt(schema: Schema, names: string[]): { properties: Record<string, Spec>; required: string[] } {
    const resource = schema.resources[TOKEN];
    let current = { properties: resource.inputProperties as Record<string, Spec>, required: (resource.requiredInputs ?? []) as string[] };
    for (const name of names) {
        const t = refType(schema, current.properties[name]);
        assert.ok(t?.properties, `schema: ${names.join(".")}: ${name} is not an object type`);
        current = { properties: t.properties, required: t.required ?? [] };
    }
    return current;
}

// ---------------------------------------------------------------------------------------------------------
// The argument list in docs/arguments.md: bullets under "# Arguments", grouped by a line naming the object (e.g.
// `LlmInferenceArgs`, `models[]`); `x`: `a` (...), `b` (...) documents the sub-object x (`x` (required): ...
// a required one). A name followed by
// "(required" is required; a default in parentheses that is a number or true/false gives the type.

export interface DocumentedArg {
    path: string[]; // object path from the LlmInference inputs, then the argument
    required: boolean;
    defaultKind?: "number" | "boolean";
    secretInput: boolean; // documented as a "secret input"
}

/** Text with parenthesized parts removed, and for each backticked name just before "(", what the parentheses held. */
function splitParens(text: string): { outside: string; notes: Map<string, string> } {
    let outside = "";
    const notes = new Map<string, string>();
    let depth = 0;
    let note = "";
    for (const ch of text) {
        if (ch === "(") {
            depth++;
            if (depth === 1) {
                note = "";
                continue;
            }
        }
        if (ch === ")" && depth > 0) {
            depth--;
            if (depth === 0) {
                const m = /`([A-Za-z][A-Za-z0-9]*)`\s*$/.exec(outside);
                if (m && !notes.has(m[1])) notes.set(m[1], note.trim());
                continue;
            }
        }
        if (depth > 0) note += ch;
        else outside += ch;
    }
    return { outside, notes };
}

function documentedNames(text: string): DocumentedArg[] {
    const { outside, notes } = splitParens(text);
    const names = [...outside.matchAll(/`([a-z][A-Za-z0-9]*)`/g)].map((m) => m[1]);
    return [...new Set(names)].map((name) => {
        const note = notes.get(name) ?? "";
        const first = note.split(/[;,]/)[0].trim();
        return {
            path: [name],
            required: /^required\b/.test(note) && !/^required when/.test(note),
            defaultKind: /^-?\d+(\.\d+)?$/.test(first) ? "number" : /^(true|false)$/.test(first) ? "boolean" : undefined,
            secretInput: /^:\s*secret input/.test(outside.slice(outside.indexOf(`\`${name}\``) + name.length + 2)),
        };
    });
}

/** Where the arguments and outputs are documented for users. */
export const ARGUMENTS_DOC = "docs/arguments.md";

export function documentedArguments(doc: string): DocumentedArg[] {
    const section = doc.split(/^# Arguments\s*$/m)[1]?.split(/^#{1,2} /m)[0];
    assert.ok(section, `${ARGUMENTS_DOC} has no '# Arguments' section`);
    const out: DocumentedArg[] = [];
    let base: string[] | undefined;
    // Bullets continue on indented lines.
    const blocks = section.replace(/\n {2,}(?=\S)/g, " ").split("\n");
    for (const line of blocks) {
        const header = /^`([A-Za-z][A-Za-z0-9.]*)(\[\])?`\s*$/.exec(line.trim());
        if (header) {
            base = header[1] === "LlmInferenceArgs" ? [] : header[1].split(".");
            continue;
        }
        if (!line.startsWith("- ") || base === undefined) continue;
        const sub = /^- `([a-z][A-Za-z0-9]*)`( \(required\))?:\s*(`.*)$/.exec(line);
        if (sub) {
            out.push({ path: [...base, sub[1]], required: sub[2] !== undefined, secretInput: false });
            for (const arg of documentedNames(sub[3])) out.push({ ...arg, path: [...base, sub[1], ...arg.path] });
        } else {
            for (const arg of documentedNames(line.slice(2))) out.push({ ...arg, path: [...base, ...arg.path] });
        }
    }
    return out;
}

export function documentedOutputs(doc: string): string[] {
    // The paragraph ends at a blank line or at the end of the file.
    const paragraph = /^Outputs:[\s\S]*?(?=\n\s*\n|\s*(?![\s\S]))/m.exec(doc)?.[0];
    assert.ok(paragraph, `${ARGUMENTS_DOC} has no 'Outputs:' paragraph`);
    return [...splitParens(paragraph).outside.matchAll(/`([a-z][A-Za-z0-9]*)`/g)].map((m) => m[1]);
}

// ---------------------------------------------------------------------------------------------------------
// components/args.ts: the choices declared as `const X = {...} as const` must be schema enums, and the
// properties typed with them must refer to those enums.

function sourceEnums(source: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const m of source.matchAll(/export const (\w+) = \{([\s\S]*?)\} as const;/g)) {
        out.set(m[1], [...m[2].matchAll(/^\s*\w+:\s*"([^"]*)"/gm)].map((v) => v[1]));
    }
    return out;
}

function sourceInterfaces(source: string): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const m of source.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
        const props = new Map<string, string>();
        for (const p of m[2].matchAll(/^\s{4}(\w+)\??:\s*(.+);\s*$/gm)) props.set(p[1], p[2]);
        out.set(m[1], props);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// Every property name a value uses must exist where the schema says it may (recursively through object types).

function unknownProperties(schema: Schema, properties: Record<string, Spec>, value: any, at: string): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
    return Object.entries(value).flatMap(([key, v]) => {
        const spec = properties[key];
        const here = at ? `${at}.${key}` : key;
        if (!spec) return [here];
        const t = refType(schema, spec);
        if (!t?.properties) return [];
        const items = spec.type === "array" && Array.isArray(v) ? v : [v];
        return items.flatMap((item: any, i: number) =>
            unknownProperties(schema, t.properties, item, spec.type === "array" ? `${here}[${i}]` : here),
        );
    });
}

/** The dev stack's LlmInference name and args as plain data (no secrets: the dev stack sets no hfToken). */
function devStack(): { name: string; args: any } {
    const { componentName, args } = loadStack("dev");
    return { name: componentName, args: JSON.parse(JSON.stringify(args)) };
}

/** A registration's inputs without the hfToken the example runners put in the example's config. */
function withoutToken(inputs: any): any {
    return { ...inputs, models: (inputs.models ?? []).map(({ hfToken: _t, ...m }: any) => m) };
}

// ---------------------------------------------------------------------------------------------------------

describe("sdk/schema.json (the package schema the Python, Go and YAML SDKs come from)", function () {
    this.timeout(180_000);
    const schema = readSchema();
    const argumentsDoc = fs.readFileSync(path.join(ROOT, ARGUMENTS_DOC), "utf8");
    const args = fs.readFileSync(path.join(ROOT, "components", "args.ts"), "utf8");

    it("is what the analyzer infers from components/ now (else: npm run schema && npm run sdk)", async () => {
        const fresh = await inferSchema(ROOT);
        const committed = fs.readFileSync(path.join(ROOT, SCHEMA_PATH), "utf8");
        if (committed !== formatSchema(fresh)) {
            const diff = diffJson(JSON.parse(committed), fresh);
            assert.fail(
                `${SCHEMA_PATH} is stale; run \`npm run schema && npm run sdk\` and commit sdk/. Differences:\n  ` +
                    (diff.length ? diff.slice(0, 30).join("\n  ") : "(formatting only)"),
            );
        }
    });

    it("names the package and its component as documented, with package.json's version", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.strictEqual(schema.name, "vllm-autoscaling");
        assert.strictEqual(schema.version, pkg.version);
        assert.strictEqual(TOKEN, "vllm-autoscaling:index:LlmInference");
        assert.ok(schema.resources[TOKEN], `no resource ${TOKEN}`);
        assert.strictEqual(schema.resources[TOKEN].isComponent, true);
        assert.deepStrictEqual(schema.resources[TOKEN].requiredInputs, ["models"]);
    });

    const documented = documentedArguments(argumentsDoc);

    it("the argument list of docs/arguments.md parses (sanity: the parser still understands it)", () => {
        const paths = documented.map((a) => a.path.join("."));
        for (const p of ["models", "namespace", "keda.install", "monitoring.prometheusUrl", "vllmStack.routerImage",
            "models.name", "models.hfToken", "models.autoscaling", "models.autoscaling.maxReplicas"]) {
            assert.ok(paths.includes(p), `${ARGUMENTS_DOC}: argument ${p} not found by the parser; found: ${paths.join(", ")}`);
        }
        assert.ok(documented.length >= 40, `only ${documented.length} arguments parsed from ${ARGUMENTS_DOC}`);
    });

    it("has every argument docs/arguments.md documents, required exactly when it says so", () => {
        const problems: string[] = [];
        for (const arg of documented) {
            const name = arg.path[arg.path.length - 1];
            const where = propertiesAt(schema, arg.path.slice(0, -1));
            const spec = where.properties[name];
            const at = arg.path.join(".");
            if (!spec) {
                problems.push(`${at}: documented in ${ARGUMENTS_DOC}, missing from the schema`);
                continue;
            }
            if (where.required.includes(name) !== arg.required) {
                problems.push(`${at}: ${ARGUMENTS_DOC} says ${arg.required ? "required" : "optional"}, schema says the opposite`);
            }
            if (arg.defaultKind && kindOf(schema, spec) !== arg.defaultKind) {
                problems.push(`${at}: ${ARGUMENTS_DOC} default is a ${arg.defaultKind}, schema type is ${kindOf(schema, spec)}`);
            }
            if (!spec.description) problems.push(`${at}: no description (TSDoc) in the schema`);
        }
        assert.deepStrictEqual(problems, []);
    });

    it("takes Outputs only where docs/arguments.md says 'secret input'; every other argument is a plain value", () => {
        const problems: string[] = [];
        for (const arg of documented) {
            const spec = propertiesAt(schema, arg.path.slice(0, -1)).properties[arg.path[arg.path.length - 1]];
            if (!spec) continue; // reported above
            const plain = spec.plain === true;
            if (plain === arg.secretInput) {
                problems.push(`${arg.path.join(".")}: ${plain ? "plain" : "Input"} in the schema, ${ARGUMENTS_DOC} says ${arg.secretInput ? "secret input" : "plain value"}`);
            }
        }
        assert.deepStrictEqual(problems, []);
        assert.ok(documented.some((a) => a.secretInput), `${ARGUMENTS_DOC} documents no secret input (hfToken)`);
    });

    it("types the arguments that matter across languages as intended", () => {
        const model = propertiesAt(schema, ["models"]);
        const autoscaling = propertiesAt(schema, ["models", "autoscaling"]);
        const top = propertiesAt(schema, []);
        const expect: [string, Spec | undefined, string, boolean][] = [
            // path, spec, kind, plain
            ["models", top.properties.models, "array", true],
            ["models.name", model.properties.name, "string", true],
            ["models.modelUrl", model.properties.modelUrl, "string", true],
            ["models.hfToken", model.properties.hfToken, "string", false],
            ["models.extraArgs", model.properties.extraArgs, "array", true],
            ["models.values", model.properties.values, "map", true],
            ["models.image", model.properties.image, "object", true],
            ["models.autoscaling", model.properties.autoscaling, "object", true],
            ["models.autoscaling.maxReplicas", autoscaling.properties.maxReplicas, "number", true],
            ["models.autoscaling.minReplicas", autoscaling.properties.minReplicas, "number", true],
            ["models.autoscaling.paused", autoscaling.properties.paused, "boolean", true],
            ["keda.values", propertiesAt(schema, ["keda"]).properties.values, "map", true],
        ];
        for (const [at, spec, kind, plain] of expect) {
            assert.ok(spec, `${at} missing`);
            assert.strictEqual(kindOf(schema, spec), kind, `${at}: type`);
            assert.strictEqual(spec.plain === true, plain, `${at}: plain`);
        }
        assert.strictEqual(refType(schema, top.properties.models)?.properties?.name?.type, "string");
        assert.ok(model.required.includes("name") && model.required.includes("autoscaling"));
        assert.ok(autoscaling.required.includes("maxReplicas"), "autoscaling.maxReplicas must be required");
        assert.ok(!model.required.includes("hfToken"));
    });

    it("has the outputs docs/arguments.md documents", () => {
        const outputs = schema.resources[TOKEN].properties as Record<string, Spec>;
        const outputNames = documentedOutputs(argumentsDoc);
        assert.ok(outputNames.length >= 7, `${ARGUMENTS_DOC} outputs: ${outputNames}`);
        for (const name of outputNames) {
            assert.ok(outputs[name], `output ${name} documented in ${ARGUMENTS_DOC}, missing from the schema`);
            assert.ok(["string", "array"].includes(outputs[name].type), `output ${name}: type ${outputs[name].type}`);
            assert.ok(outputs[name].description, `output ${name}: no description`);
        }
        assert.strictEqual(outputs.scaledObjectNames.items.type, "string");
    });

    it("has a description on every argument and output of every resource and type", () => {
        const missing: string[] = [];
        for (const [token, r] of Object.entries(schema.resources)) {
            for (const [k, v] of Object.entries({ ...r.inputProperties, ...r.properties } as Record<string, Spec>)) {
                if (!v.description) missing.push(`${token}.${k}`);
            }
        }
        for (const [token, t] of Object.entries(schema.types)) {
            for (const [k, v] of Object.entries((t.properties ?? {}) as Record<string, Spec>)) {
                if (!v.description) missing.push(`${token}.${k}`);
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("has each choice of components/args.ts (const ... as const) as an enum, used by the properties typed with it", () => {
        const enums = sourceEnums(args);
        assert.ok(enums.size > 0, "components/args.ts declares no choices");
        const problems: string[] = [];
        for (const [name, values] of enums) {
            const t = schema.types[`${PACKAGE_NAME}:index:${name}`];
            if (!t?.enum) {
                problems.push(`${name}: no enum type in the schema`);
                continue;
            }
            const got = t.enum.map((e: Spec) => e.value);
            if (JSON.stringify(got) !== JSON.stringify(values)) problems.push(`${name}: enum values ${got}, source ${values}`);
        }
        for (const [iface, props] of sourceInterfaces(args)) {
            const t = schema.types[`${PACKAGE_NAME}:index:${iface}`] ?? (iface === "LlmInferenceArgs" ? { properties: schema.resources[TOKEN].inputProperties } : undefined);
            if (!t) continue; // an interface not reachable from a component
            for (const [prop, type] of props) {
                if (!enums.has(type)) continue;
                const ref = t.properties?.[prop]?.$ref;
                if (ref !== `#/types/${PACKAGE_NAME}:index:${type}`) problems.push(`${iface}.${prop}: refers to ${ref}, want enum ${type}`);
            }
        }
        assert.deepStrictEqual(problems, []);
    });
});

// ---------------------------------------------------------------------------------------------------------

interface StepResult {
    code: number | null;
    output: string;
    seconds: number;
}

/** `bash scripts/sdk.sh <step>`, output captured (printed when it fails). */
function runStep(step: string): Promise<StepResult> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn("bash", [path.join(ROOT, "scripts", "sdk.sh"), step], { cwd: ROOT, env: process.env });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", (err) => resolve({ code: -1, output: output + String(err), seconds: 0 }));
        child.on("close", (code) => resolve({ code, output, seconds: Math.round((Date.now() - started) / 1000) }));
    });
}

/** Why the SDK tests cannot run here, or undefined. */
function missingTools(): string | undefined {
    const go = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
    const goVersion = go.status === 0 ? /go(\d+)\.(\d+)/.exec(go.stdout) : null;
    if (!goVersion || Number(goVersion[1]) * 100 + Number(goVersion[2]) < 125) {
        return `Go >= 1.25 is not on PATH (${go.status === 0 ? go.stdout.trim() : "go not found"})`;
    }
    const py = spawnSync("python3", ["-c", "import sys, venv, ensurepip; assert sys.version_info >= (3, 9)"], { encoding: "utf8" });
    if (py.status !== 0) return "python3 >= 3.9 with the venv and ensurepip modules is not on PATH";
    return undefined;
}

function assertStep(result: StepResult, what: string): void {
    if (result.code !== 0) {
        const tail = result.output.split("\n").slice(-60).join("\n");
        assert.fail(`${what} failed (exit ${result.code}, ${result.seconds}s):\n${tail}`);
    }
}

describe("Python and Go SDKs (scripts/sdk.sh; Go and Python toolchains)", function () {
    // Cold (empty .tmp/): generator and Go SDK builds take minutes on 2 cores.
    this.timeout(20 * 60_000);
    const steps: Record<string, Promise<StepResult>> = {};
    let missing: string | undefined;

    before(function () {
        missing = missingTools();
        if (missing && process.env.SKIP_SDK_TESTS === "1") {
            console.log(`      skipped (SKIP_SDK_TESTS=1): ${missing}`);
            this.skip();
        }
        if (missing) return;
        // Concurrently: the downloads of one overlap the compilation of the others.
        for (const step of ["check", "python", "go"]) steps[step] = runStep(step);
    });

    async function step(name: string): Promise<StepResult> {
        if (missing) {
            assert.fail(`${missing}. The SDK tests need Go and Python (see docs/testing.md); set SKIP_SDK_TESTS=1 to skip them locally.`);
        }
        return steps[name];
    }

    it("sdk/python and sdk/go are what sdk/gen generates from the schema (else: npm run sdk)", async () => {
        assertStep(await step("check"), "scripts/sdk.sh check");
    });

    it("the Python SDK installs with pip and passes its tests under the Pulumi Python SDK's mocks", async () => {
        const result = await step("python");
        assertStep(result, "scripts/sdk.sh python");
        assert.match(result.output, /Ran \d+ tests?[\s\S]*\nOK/);
    });

    it("the Go SDK builds, vets and passes its tests under the Go SDK's mocks", async () => {
        const result = await step("go");
        assertStep(result, "scripts/sdk.sh go");
        assert.match(result.output, /--- PASS: TestLlmInferenceRegistersTheNodeComponentsInputs/);
        assert.match(result.output, /--- PASS: TestExampleUnderMocks/);
    });

    for (const language of ["python", "go"]) {
        it(`the ${language} example declares the dev stack's LlmInference, with schema properties only`, async () => {
            assertStep(await step(language), `scripts/sdk.sh ${language}`);
            const schema = readSchema();
            const registrations = JSON.parse(fs.readFileSync(path.join(ROOT, ".tmp", "examples", `${language}.json`), "utf8"));
            const llm = registrations.filter((r: any) => r.type === TOKEN);
            assert.strictEqual(llm.length, 1, JSON.stringify(registrations));
            const inputs = llm[0].inputs;
            assert.deepStrictEqual(unknownProperties(schema, schema.resources[TOKEN].inputProperties, inputs, ""), []);
            // The token from the example's config reaches the component as a secret.
            assert.strictEqual(inputs.models[0].hfToken, "hf_example_token");
            assert.ok(llm[0].secrets.some((p: string) => "models[0].hfToken".startsWith(p)), `secrets: ${llm[0].secrets}`);
            const dev = devStack();
            assert.strictEqual(llm[0].name, dev.name);
            assert.deepStrictEqual(withoutToken(inputs), dev.args, "the example no longer matches stacks/Pulumi.dev.yaml");
        });
    }
});

describe("sdk/examples/yaml (Pulumi YAML)", () => {
    it("declares the dev stack's LlmInference, with schema properties only", () => {
        const schema = readSchema();
        const program = YAML.parse(fs.readFileSync(path.join(ROOT, "sdk", "examples", "yaml", "Pulumi.yaml"), "utf8"));
        assert.strictEqual(program.runtime, "yaml");
        const resources = Object.entries(program.resources as Record<string, any>).filter(([, r]) =>
            [TOKEN, `${PACKAGE_NAME}:LlmInference`].includes(r.type),
        );
        assert.strictEqual(resources.length, 1);
        const [name, resource] = resources[0];
        // The plugin route: the resource pins the installed plugin's version, which is the package's.
        assert.strictEqual(String(resource.options?.version), JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version,
            "the example must pin the plugin at package.json's version (options.version)");
        assert.deepStrictEqual(unknownProperties(schema, schema.resources[TOKEN].inputProperties, resource.properties, ""), []);
        const outputs = schema.resources[TOKEN].properties;
        for (const [key, value] of Object.entries((program.outputs ?? {}) as Record<string, string>)) {
            const m = /^\$\{(\w+)\.(\w+)\}$/.exec(value);
            if (m && m[1] === name) assert.ok(outputs[m[2]], `outputs.${key}: ${m[2]} is not an output of LlmInference`);
        }
        const dev = devStack();
        assert.strictEqual(name, dev.name);
        assert.deepStrictEqual(resource.properties, dev.args, "the example no longer matches stacks/Pulumi.dev.yaml");
    });
});
