// The component from YAML and Python on the real engine, through the provider plugin: the archive
// `npm run plugin` builds, installed with `pulumi plugin install resource vllm-autoscaling <version>
// --file <archive>` into a Pulumi home that holds only it and the Kubernetes provider (no aws, no
// gcp). Each program deploys the loop stack's model (e2e/stacks/loop.yaml): preview, up, KEDA
// scales it from zero on the router's counter, a preview with no changes and a second up keep
// KEDA's replicas, destroy leaves nothing. The YAML host is pulumi-yaml v1.25.0's, the Python host
// the one of sdk/v3 v3.68.0 (both built by `npm run e2e:tools`). Go: not run here (see
// docs/multi-language.md: inside sdk/v3 the module proxy serves the Go host only up to v3.66.0).
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { TRIGGER } from "../../components/plan/triggers";
import { argsFromConfig } from "../../stacks/config";
import { LoopSession } from "../../e2e/support/loopSession";
import { REPO_ROOT, tool } from "../../e2e/support/paths";
import { need, run, waitFor } from "../../e2e/support/proc";
import { PulumiProject, type PulumiStack } from "../../e2e/support/pulumiStack";

const PLUGIN = "vllm-autoscaling";
const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
/** A trickle that wakes the model to one engine (the loop suite checks that it needs exactly one). */
const WAKE_RPS = 0.5;

function log(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** Terminal colour codes, dropped from what the suite logs. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Stack frames of a Node.js or Python trace, which a user's error must not show. */
const STACK_FRAME = /^\s+at .+[:(]|Traceback \(most recent call last\)/m;

/** The YAML program: the component with the loop stack's arguments, at the plugin's version. */
function yamlProgram(name: string, args: unknown, type = "vllm-autoscaling:index:LlmInference"): Record<string, string> {
    return {
        "Pulumi.yaml": YAML.stringify({
            name: "vllm-autoscaling-e2e-yaml",
            runtime: "yaml",
            resources: { [name]: { type, properties: args, options: { version: VERSION } } },
            outputs: { namespace: `\${${name}.namespace}`, scaledObjectNames: `\${${name}.scaledObjectNames}` },
        }),
    };
}

/**
 * The Python program: the generated SDK's LlmInference with the same arguments. Top-level
 * arguments are Python keywords (snake_case); nested dicts keep the schema's names, which the SDK
 * passes through as they are.
 */
function pythonProgram(name: string, args: Record<string, unknown>): Record<string, string> {
    return {
        "Pulumi.yaml": YAML.stringify({ name: "vllm-autoscaling-e2e-python", runtime: "python" }),
        "args.json": JSON.stringify({ name, args }),
        "__main__.py": [
            "import json, re",
            "import pulumi",
            "import pulumi_vllm_autoscaling as vllm",
            "",
            "spec = json.load(open('args.json'))",
            "snake = lambda k: re.sub(r'(?<!^)(?=[A-Z])', '_', k).lower()",
            "llm = vllm.LlmInference(spec['name'], **{snake(k): v for k, v in spec['args'].items()})",
            "pulumi.export('namespace', llm.namespace)",
            "pulumi.export('scaledObjectNames', llm.scaled_object_names)",
            "",
        ].join("\n"),
    };
}

describe("end-to-end: the component from YAML and Python through the provider plugin (no aws or gcp plugin)", function () {
    this.timeout(20 * 60_000);
    let session: LoopSession | undefined;
    let archive: string | undefined;
    let work: string | undefined;
    const plan = () => need(session, "session").e2e.plan;
    const model = () => plan().models[0];
    const program = () => argsFromConfig(need(session, "session").e2e.config) as { componentName: string; args: any };

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "vllm-autoscaling-languages-"));
        // The archive from this checkout's dist/ (test:e2e built it), as `npm run plugin` makes it.
        const built = await run("bash", [path.join(REPO_ROOT, "scripts", "plugin.sh"), "--no-build"], {
            cwd: REPO_ROOT, env: { ...process.env, PLUGIN_OUT: path.join(work, "plugin") }, timeoutMs: 8 * 60_000,
        });
        archive = built.stdout.trim().split("\n").pop();
        log(`plugin archive: ${archive} (${(fs.statSync(archive!).size / 1e6).toFixed(0)} MB, built in ${(built.ms / 1000).toFixed(0)} s)`);
        session = await LoopSession.start({ stackFile: "loop.yaml", stackPrefix: "languages-", maxSeconds: 15 * 60, log });
    });

    after(async () => {
        await session?.stop({ log });
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    /** A project of `files` whose Pulumi home has the plugin installed from the archive. */
    const projectOf = async (files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<PulumiProject> => {
        const p = await PulumiProject.withProgram(need(session, "session").cluster.kubeconfig, files, env);
        await p.pulumi(["plugin", "install", "resource", PLUGIN, VERSION, "--file", need(archive, "the plugin archive")]);
        return p;
    };

    /** The Pulumi home's plugins, by kind and name. */
    const pluginsOf = async (p: PulumiProject): Promise<string[]> =>
        (JSON.parse((await p.pulumi(["plugin", "ls", "--json"])).stdout) as { kind: string; name: string; version: string }[])
            .map((x) => `${x.kind} ${x.name} ${x.version}`).sort();

    it("installs the plugin from the archive; `pulumi package get-schema` against it prints the schema sdk/schema.json holds", async () => {
        const p = await projectOf({ "Pulumi.yaml": "name: get-schema\nruntime: yaml\n" });
        try {
            const installed = path.join(p.home, "plugins", `resource-${PLUGIN}-v${VERSION}`);
            assert.deepStrictEqual(fs.readdirSync(installed).sort(), ["README.md", "dist", "node_modules", "package.json", `pulumi-resource-${PLUGIN}`, "schema.json"]);
            assert.strictEqual(fs.readFileSync(path.join(installed, "schema.json"), "utf8"), fs.readFileSync(path.join(REPO_ROOT, "sdk", "schema.json"), "utf8"),
                "the archive's schema is not sdk/schema.json");
            // Outside any project (a project's `packages` could remap the name).
            const outside = { cwd: os.tmpdir(), env: p.env, timeoutMs: 120_000 };
            const served = await run(tool("pulumi"), ["package", "get-schema", `${PLUGIN}@${VERSION}`], outside);
            // The CLI binds a schema before printing it; the committed file, bound by the same CLI, is the reference.
            const committed = await run(tool("pulumi"), ["package", "get-schema", path.join(REPO_ROOT, "sdk", "schema.json")], outside);
            assert.deepStrictEqual(JSON.parse(served.stdout), JSON.parse(committed.stdout));
            assert.strictEqual(JSON.parse(served.stdout).version, VERSION);
            log(`get-schema ${PLUGIN}@${VERSION}: ${Object.keys(JSON.parse(served.stdout).resources).join(", ")} (equal to sdk/schema.json as the CLI binds it)`);
            assert.deepStrictEqual(await pluginsOf(p), [`resource kubernetes ${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/kubernetes/package.json"), "utf8")).version}`, `resource ${PLUGIN} ${VERSION}`]);
        } finally {
            p.remove();
        }
    });

    /** Preview, up, KEDA's wake, preview with no changes, a second up, destroy: the user's lifecycle of a stack. */
    const lifecycle = async (language: string, p: PulumiProject): Promise<void> => {
        const s = need(session, "session");
        const c = s.cluster;
        const ns = plan().namespace;
        const stack: PulumiStack = await p.stack(`${language}-e2e`, {});
        const timings: string[] = [];
        const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
            const t0 = Date.now();
            const r = await f();
            timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
            return r;
        };
        try {
            // An earlier program's traffic counts in the wake trigger's window: start from an idle model.
            const wake = (plan().scaledObjects[0].spec as any).triggers.find((t: any) => t.name === TRIGGER.wakeOnRequest);
            await timed("idle wait", () => waitFor("the wake trigger to read no request", 180_000, async () =>
                (await s.prom.kedaValue(wake.metadata.query)) === 0 ? true : undefined, 1000));
            const preview = await timed("preview", () => stack.preview());
            assert.match(preview.stdout, /\+ +vllm-autoscaling:index:LlmInference/, "the preview shows the component to create");
            await timed("up", () => stack.up());
            const so = await waitFor(`ScaledObject ${model().scaledObjectName} Ready`, 90_000, async () => {
                const o = await c.get(["scaledobjects.keda.sh", model().scaledObjectName, "-n", ns]);
                return (o?.status?.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True") ? o : undefined;
            });
            // The arguments crossed the language boundary whole: the live triggers are the plan's.
            const planned = plan().scaledObjects[0].spec as any;
            assert.deepStrictEqual(so.spec.triggers.map((t: any) => [t.name, t.metadata.query, t.metadata.threshold]),
                planned.triggers.map((t: any) => [t.name, t.metadata.query, t.metadata.threshold]));
            assert.deepStrictEqual([so.spec.minReplicaCount, so.spec.maxReplicaCount], [planned.minReplicaCount, planned.maxReplicaCount]);
            const outputs = await stack.outputs();
            assert.deepStrictEqual([outputs.namespace, outputs.scaledObjectNames], [ns, [model().scaledObjectName]]);

            // KEDA, not Pulumi, sets the replicas: zero -> one on the router's counter. The chart
            // renders minReplicas (0); should KEDA have activated the model anyway (a trigger above its
            // activation at the first poll), its cooldown brings it back to zero before the wake.
            const deployment = () => c.get(["deployment", model().deploymentName, "-n", ns]);
            const atUp = (await deployment()).spec.replicas;
            if (atUp !== 0) {
                const values = await Promise.all(planned.triggers.map(async (t: any) => `${t.name} ${(await s.prom.kedaValue(t.metadata.query)).toFixed(3)}`));
                log(`${language}: ${atUp} replica(s) right after up (trigger values now: ${values.join(", ")}); waiting for KEDA's cooldown (${planned.cooldownPeriod} s)`);
            }
            await timed("at zero", () => waitFor("the engines at zero replicas", (planned.cooldownPeriod + 60) * 1000, async () =>
                (await deployment())?.spec?.replicas === 0 ? true : undefined, 1000));
            s.engines.setRate(model().name, WAKE_RPS);
            await timed("KEDA's wake", () => waitFor("KEDA to scale the engines to one ready replica", 60_000, async () => {
                const d = await deployment();
                return d?.spec?.replicas === 1 && d?.status?.readyReplicas === 1 ? true : undefined;
            }));
            const generation = (await deployment()).metadata.generation;
            const again = await timed("preview --expect-no-changes", () => stack.preview(["--expect-no-changes"], { allowFailure: true }));
            assert.strictEqual(again.code, 0, `the preview after KEDA scaled wants changes:\n${again.stdout.slice(-3000)}\n${again.stderr.slice(-2000)}`);
            await timed("second up", () => stack.up());
            const after = await deployment();
            assert.deepStrictEqual([after.spec.replicas, after.metadata.generation], [1, generation], "the second up moved KEDA's replicas or wrote the Deployment");

            s.engines.setRate(model().name, 0);
            await timed("destroy", () => stack.destroy());
            const left = await waitFor(`namespace ${ns} gone`, 120_000, async () => (await c.get(["namespace", ns])) === undefined ? true : undefined);
            assert.ok(left);
            const state = JSON.parse((await p.pulumi(["stack", "export", "-s", stack.name])).stdout);
            assert.deepStrictEqual((state.deployment?.resources ?? []).map((r: any) => r.type), [], "destroy left resources in the state");
            const plugins = await pluginsOf(p);
            assert.ok(plugins.every((x) => !/ (aws|gcp) /.test(x)), `a cloud plugin was installed: ${plugins.join(", ")}`);
            log(`${language}: ${timings.join(", ")}; plugins in its Pulumi home: ${plugins.join(", ")}`);
        } finally {
            s.engines.setRate(model().name, 0);
        }
    };

    it("YAML (pulumi-yaml v1.25.0): preview, up, KEDA scales from zero, no changes previewed, a second up keeps KEDA's replicas, destroy leaves nothing", async () => {
        const { componentName, args } = program();
        const p = await projectOf(yamlProgram(componentName, args));
        try {
            await lifecycle("yaml", p);
        } finally {
            p.remove();
        }
    });

    it("YAML: a wrong type token, a missing required argument and an invalid value each fail with a message naming it, without a stack trace", async () => {
        const { componentName, args } = program();
        const cases: { what: string; files: Record<string, string>; expect: RegExp[] }[] = [
            { what: "wrong type token", files: yamlProgram(componentName, args, "vllm-autoscaling:index:LlmInferense"), expect: [/unable to find resource type "vllm-autoscaling:index:LlmInferense"/] },
            { what: "missing required argument", files: yamlProgram(componentName, { ...args, models: undefined }), expect: [/[Mm]issing required property 'models'/] },
            {
                what: "invalid value",
                files: yamlProgram(componentName, { ...args, models: args.models.map((m: any) => ({ ...m, autoscaling: { ...m.autoscaling, minReplicas: 5, maxReplicas: 2 } })) }),
                // The package's own validation, one line per field, through the engine's property errors.
                expect: [/LlmInference "loop": \d+ problems? in the arguments/, /property models\[0\]\.autoscaling\.(minReplicas|maxReplicas) with value .* has a problem: /],
            },
        ];
        // One project and Pulumi home; each case rewrites the program.
        const p = await projectOf(cases[0].files);
        try {
            for (const k of cases) {
                p.write(k.files);
                const stack = await p.stack(`errors-${k.what.replace(/ /g, "-")}`, {});
                const r = await stack.preview([], { allowFailure: true });
                const out = `${r.stdout}\n${r.stderr}`;
                assert.notStrictEqual(r.code, 0, `${k.what}: the preview passed`);
                for (const e of k.expect) assert.match(out, e, `${k.what}: the output lacks ${e}:\n${out.slice(-3000)}`);
                assert.doesNotMatch(out, STACK_FRAME, `${k.what}: a stack trace reached the user:\n${out.slice(-3000)}`);
                const lines = out.replace(ANSI, "").split("\n");
                log(`${k.what}: ${k.expect.map((e) => lines.find((l) => e.test(l))?.trim().slice(0, 240)).join(" | ")}`);
            }
        } finally {
            p.remove();
        }
    });

    it("Python (the generated SDK, the sdk/v3 v3.68.0 host): the same lifecycle", async () => {
        // The venv `npm run e2e:tools` made outside the network namespace (pulumi and the SDK's
        // dependencies); the SDK itself reinstalled from this checkout, offline.
        const venv = path.join(REPO_ROOT, ".e2e", "python");
        const python = path.join(venv, "bin", "python");
        if (!fs.existsSync(python)) throw new Error(`no Python venv at ${venv}: run \`npm run e2e:tools\` (it makes it with pip, outside the suite's network namespace)`);
        const sdk = path.join(need(work, "work folder"), "sdk-python");
        fs.cpSync(path.join(REPO_ROOT, "sdk", "python"), sdk, { recursive: true });
        const t0 = Date.now();
        await run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", "--no-deps", "--no-build-isolation", "--force-reinstall", sdk], { timeoutMs: 5 * 60_000 });
        const versions = (await run(python, ["-c", "import importlib.metadata as m; print(m.version('pulumi'), m.version('pulumi_vllm_autoscaling'))"], { timeoutMs: 60_000 })).stdout.trim();
        log(`python venv: pulumi and pulumi_vllm_autoscaling ${versions} (the SDK reinstalled from sdk/python in ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        const { componentName, args } = program();
        // The v3.68 host ignores Pulumi.yaml's `virtualenv`; it runs PULUMI_PYTHON_CMD.
        const p = await projectOf(pythonProgram(componentName, args as unknown as Record<string, unknown>), { PULUMI_PYTHON_CMD: python });
        try {
            await lifecycle("python", p);
        } finally {
            p.remove();
        }
    });
});
