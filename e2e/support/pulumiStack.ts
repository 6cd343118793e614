// The real Pulumi engine, run as a user runs it: the CLI, the Node.js language host and the
// Kubernetes provider built by `npm run e2e:tools`, a file backend and a passphrase secrets
// provider in a temporary folder. The project folder is temporary too and links to the
// repository's program (stacks/index.ts), components and node_modules, so the stack files the
// suite writes never land in the repository.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { BIN_DIR, kubernetesSdkVersion, REPO_ROOT, tool } from "./paths";
import { run, RunResult } from "./proc";

/** What `pulumi` commands may take at most; a stack's up waits for Helm releases and Deployments. */
const COMMAND_TIMEOUT_MS = 12 * 60_000;
const LINKED = ["stacks", "components", "node_modules", "package.json", "tsconfig.json"];
export const PASSPHRASE = "e2e-passphrase-not-a-secret";

/** Config keys as a stack file holds them: with the project's prefix. */
function projectKeys(config: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [`vllm-autoscaling:${k}`, v]));
}

function writeFiles(dir: string, files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

export class PulumiProject {
    private constructor(readonly dir: string, readonly env: NodeJS.ProcessEnv) {}

    /**
     * A project folder, a private PULUMI_HOME and backend, and the Kubernetes provider plugin
     * installed. The program is the repository's stacks/index.ts, or `main` (a path in the
     * repository, e.g. one of e2e/programs/).
     */
    static async create(kubeconfig: string, opts: { main?: string } = {}): Promise<PulumiProject> {
        return PulumiProject.make(kubeconfig, (dir) => {
            for (const name of [...LINKED, ...(opts.main ? ["e2e"] : [])]) fs.symlinkSync(path.join(REPO_ROOT, name), path.join(dir, name));
            const project = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
            if (opts.main) project.main = opts.main;
            // The stack files the suite writes live in this folder, not in the repository's stacks/.
            delete project.stackConfigDir;
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(project));
        });
    }

    /**
     * A project of any language: `files` (Pulumi.yaml and the program) written into its folder, with
     * the same private home, backend and Kubernetes plugin as create(), and `env` added.
     */
    static async withProgram(kubeconfig: string, files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<PulumiProject> {
        return PulumiProject.make(kubeconfig, (dir) => writeFiles(dir, files), env);
    }

    private static async make(kubeconfig: string, fill: (dir: string) => void, extraEnv: NodeJS.ProcessEnv = {}): Promise<PulumiProject> {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "vllm-autoscaling-e2e-"));
        const dir = path.join(base, "project");
        fs.mkdirSync(dir);
        fill(dir);
        for (const d of ["home", "state", "helm/cache", "helm/config", "helm/data"]) fs.mkdirSync(path.join(base, d), { recursive: true });
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            PATH: [BIN_DIR, path.dirname(process.execPath), process.env.PATH ?? ""].join(":"),
            KUBECONFIG: kubeconfig,
            PULUMI_HOME: path.join(base, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(base, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            HELM_CACHE_HOME: path.join(base, "helm/cache"),
            HELM_CONFIG_HOME: path.join(base, "helm/config"),
            HELM_DATA_HOME: path.join(base, "helm/data"),
            ...extraEnv,
        };
        const p = new PulumiProject(dir, env);
        // The language host reports no required plugins: install the provider under the version the SDK asks for.
        await p.pulumi(["plugin", "install", "resource", "kubernetes", kubernetesSdkVersion(), "--file", tool("pulumi-resource-kubernetes")]);
        return p;
    }

    /** (Re)writes files of the project's program, as a user edits them between runs. */
    write(files: Record<string, string>): void {
        writeFiles(this.dir, files);
    }

    /** The project's private PULUMI_HOME. */
    get home(): string {
        return this.env.PULUMI_HOME!;
    }

    pulumi(args: string[], opts: { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
        return run(tool("pulumi"), [...args, "--non-interactive"], {
            cwd: this.dir, env: this.env, timeoutMs: opts.timeoutMs ?? COMMAND_TIMEOUT_MS, allowFailure: opts.allowFailure,
        });
    }

    /** Creates stack `name` with this project's config (keys without the project prefix) and secret config. */
    async stack(name: string, config: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<PulumiStack> {
        fs.writeFileSync(this.stackFile(name), YAML.stringify({ config: projectKeys(config) }));
        await this.pulumi(["stack", "init", name, "--secrets-provider", "passphrase"]);
        for (const [k, v] of Object.entries(secrets)) {
            // Through stdin, so the value is never on a command line.
            await run(tool("pulumi"), ["config", "set", "--secret", "-s", name, `vllm-autoscaling:${k}`, "--non-interactive"],
                { cwd: this.dir, env: this.env, timeoutMs: 60_000, input: v });
        }
        return new PulumiStack(this, name);
    }

    /** The stack's settings file (`Pulumi.<name>.yaml`) in the project folder. */
    stackFile(name: string): string {
        return path.join(this.dir, `Pulumi.${name}.yaml`);
    }

    /** The folder the file backend keeps its state in. */
    get stateDir(): string {
        return new URL(this.env.PULUMI_BACKEND_URL!).pathname;
    }

    remove(): void {
        fs.rmSync(path.dirname(this.dir), { recursive: true, force: true });
    }
}

export class PulumiStack {
    constructor(readonly project: PulumiProject, readonly name: string) {}

    private cmd(verb: string[], extra: string[] = [], opts: { allowFailure?: boolean } = {}): Promise<RunResult> {
        return this.project.pulumi([...verb, "-s", this.name, ...extra], opts);
    }

    preview(extra: string[] = [], opts: { allowFailure?: boolean } = {}): Promise<RunResult> {
        return this.cmd(["preview"], ["--diff", ...extra], opts);
    }

    up(extra: string[] = []): Promise<RunResult> {
        return this.cmd(["up"], ["--yes", "--skip-preview", ...extra]);
    }

    /** `pulumi refresh`: the state made to match the live objects (what drift detection runs). */
    refresh(extra: string[] = []): Promise<RunResult> {
        return this.cmd(["refresh"], ["--yes", "--skip-preview", ...extra]);
    }

    destroy(extra: string[] = []): Promise<RunResult> {
        return this.cmd(["destroy"], ["--yes", "--skip-preview", ...extra]);
    }

    /**
     * Replaces the stack's config (keys without the project prefix) as a user edits the stack
     * file: the secret values and everything beside `config` (the passphrase's salt) stay.
     */
    setConfig(config: Record<string, unknown>): void {
        const file = this.project.stackFile(this.name);
        const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
        const secure = Object.entries(doc.config ?? {}).filter(([, v]) => typeof v === "object" && v !== null && "secure" in v);
        doc.config = { ...projectKeys(config), ...Object.fromEntries(secure) };
        fs.writeFileSync(file, YAML.stringify(doc));
    }

    async outputs(): Promise<Record<string, unknown>> {
        return JSON.parse((await this.cmd(["stack", "output"], ["--json"])).stdout);
    }

    /** The stack's checkpoint as the file backend stores it (secrets as ciphertext). */
    stateFileText(): string {
        const found: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else if (e.name === `${this.name}.json`) found.push(p);
            }
        };
        walk(this.project.stateDir);
        if (found.length !== 1) throw new Error(`expected one state file ${this.name}.json under ${this.project.stateDir}, found ${found.length}`);
        return fs.readFileSync(found[0], "utf8");
    }
}

/** One engine event of `pulumi up|destroy --json` (JSON lines on stdout), reduced to what the suite reads. */
export interface EngineEvent {
    sequence: number;
    kind: "pre" | "outputs" | "other";
    op?: string;
    type?: string;
    urn?: string;
}

export function parseEngineEvents(jsonLines: string): EngineEvent[] {
    return jsonLines.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => {
        const e = JSON.parse(l);
        const md = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
        return {
            sequence: e.sequence,
            kind: e.resourcePreEvent ? "pre" : e.resOutputsEvent ? "outputs" : "other",
            op: md?.op, type: md?.type, urn: md?.urn,
        };
    });
}
