// Writes sdk/schema.json: the Pulumi package schema that the Node SDK's component analyzer infers from the
// TypeScript source of components/, the same analysis the Pulumi plugin host runs for `pulumi package add`.
// Python and Go SDKs are generated from this file (sdk/gen), so it is committed and kept in sync:
//
//   npm run schema              regenerate sdk/schema.json
//   npm run schema -- --check   exit 1 with a summary of the differences if the committed file is stale
//
// Runs in-process, without the Pulumi CLI: `ComponentProvider.getSchema()` from
// @pulumi/pulumi/provider/experimental builds a TypeScript program from ./tsconfig.json and walks it from the
// root index.ts (package.json `main`/`exports` point at dist/, which has no .ts twin, so the analyzer falls back
// to index.ts). It needs the .ts sources (types and TSDoc come from them) and the compiled
// dist/components/index.js (the component classes are found by loading it, as the plugin host does).
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";

/** The Pulumi package name: type tokens are `vllm-autoscaling:index:<Class>`. */
export const PACKAGE_NAME = "vllm-autoscaling";
/** The module the analyzer starts from, relative to the package root (its fallback entry). */
export const ENTRY_SOURCE = "index.ts";
/** The compiled entry that holds the component classes at run time. */
export const ENTRY_COMPILED = "dist/components/index.js";
export const SCHEMA_PATH = "sdk/schema.json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deep copy with object keys sorted, so that the file does not depend on declaration or traversal order. */
export function sortKeys(value: Json): Json {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        const out: { [key: string]: Json } = {};
        for (const key of Object.keys(value).sort()) {
            out[key] = sortKeys(value[key]);
        }
        return out;
    }
    return value;
}

/** The canonical text of a schema: sorted keys, two-space indent, trailing newline. */
export function formatSchema(schema: Json): string {
    return JSON.stringify(sortKeys(schema), null, 2) + "\n";
}

/**
 * Descriptions the analyzer mangles. It joins `jsDoc.comment`, which TypeScript gives as an array of nodes
 * (not a string) when the comment has an inline tag such as `{@link X}`, so the text becomes
 * "[object Object],[object Object]". Returns the JSON paths of such descriptions.
 */
export function mangledDescriptions(value: Json, at = "$"): string[] {
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => mangledDescriptions(v, `${at}[${i}]`));
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) =>
            k === "description" && typeof v === "string" && v.includes("[object Object]")
                ? [`${at}.${k}`]
                : mangledDescriptions(v, `${at}.${k}`),
        );
    }
    return [];
}

/** Paths at which two JSON values differ ("+" only in `next`, "-" only in `prev`, "~" changed). */
export function diffJson(prev: Json | undefined, next: Json | undefined, at = "$"): string[] {
    const isObj = (v: Json | undefined): v is { [key: string]: Json } =>
        v !== null && typeof v === "object" && !Array.isArray(v);
    if (isObj(prev) && isObj(next)) {
        const keys = [...new Set([...Object.keys(prev), ...Object.keys(next)])].sort();
        return keys.flatMap((k) => diffJson(prev[k], next[k], `${at}.${k}`));
    }
    if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
        return prev.flatMap((v, i) => diffJson(v, next[i], `${at}[${i}]`));
    }
    if (prev === undefined) {
        return next === undefined ? [] : [`+ ${at}`];
    }
    if (next === undefined) {
        return [`- ${at}`];
    }
    return JSON.stringify(prev) === JSON.stringify(next) ? [] : [`~ ${at}`];
}

/** Runs the analyzer on the package at `root` and returns the schema as a JSON value (keys unsorted). */
export async function inferSchema(root: string): Promise<Json> {
    const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    // Load the compiled package the way the plugin host (@pulumi/pulumi/cmd/run-plugin) does and keep the
    // exported ComponentResource subclasses: each one becomes a resource of the schema.
    const compiled = path.join(root, ENTRY_COMPILED);
    if (!fs.existsSync(compiled)) {
        throw new Error(`${compiled} is missing: run \`npm run build\` first`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const components = getPulumiComponents(require(compiled));
    if (components.length === 0) {
        throw new Error(`${ENTRY_COMPILED} exports no ComponentResource subclass`);
    }
    const provider = new ComponentProvider({
        dirname: root,
        name: PACKAGE_NAME,
        version: packageJson.version,
        components,
    });
    // `exports` and `main` name dist/ files without a .ts twin, so the analyzer falls back to ./index.ts.
    if (!fs.existsSync(path.join(root, ENTRY_SOURCE))) {
        throw new Error(`${ENTRY_SOURCE} is missing: the analyzer and \`pulumi package add\` start from it`);
    }
    return JSON.parse(await provider.getSchema()) as Json;
}

async function main(argv: string[]): Promise<number> {
    const check = argv.includes("--check");
    const rootFlag = argv.indexOf("--root");
    const root = path.resolve(rootFlag >= 0 ? argv[rootFlag + 1] : path.join(__dirname, "..", ".."));
    const target = path.join(root, SCHEMA_PATH);

    const schema = await inferSchema(root);
    const mangled = mangledDescriptions(schema);
    if (mangled.length > 0) {
        console.error(
            "schema: these descriptions come from TSDoc with inline tags such as {@link ...}, which the analyzer " +
                "turns into '[object Object]'; write them as plain text:\n  " +
                mangled.join("\n  "),
        );
        return 1;
    }
    const text = formatSchema(schema);

    if (check) {
        const committed = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
        if (committed === text) {
            console.log(`schema: ${SCHEMA_PATH} is up to date`);
            return 0;
        }
        let differences: string[];
        try {
            differences = committed === undefined ? ["+ $ (file missing)"] : diffJson(JSON.parse(committed), schema);
        } catch {
            differences = ["~ $ (committed file is not valid JSON)"];
        }
        if (differences.length === 0) {
            differences = ["(formatting only)"];
        }
        const shown = differences.slice(0, 40);
        console.error(`schema: ${SCHEMA_PATH} is stale (${differences.length} difference(s); run \`npm run schema\`):`);
        console.error("  " + shown.join("\n  "));
        if (differences.length > shown.length) {
            console.error(`  ... and ${differences.length - shown.length} more`);
        }
        return 1;
    }

    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`schema: wrote ${SCHEMA_PATH}`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`schema: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
        },
    );
}
