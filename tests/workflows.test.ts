// The GitHub Actions workflows: every `run:` step may only call npm scripts that package.json defines and
// files that exist in the repository, and every action is pinned to a release (a major version tag or a
// release branch), so a renamed script or a moved file breaks CI here, not on GitHub.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

/** Top-level entries of the repository that a `run:` step may name as a path (sdk/python, .ci/run, ...). */
const TRACKED_ROOTS = ["sdk", "stacks", "scripts", "components", "tests", "e2e", ".ci", ".github"];

export interface RunReference {
    kind: "npm-script" | "path";
    name: string;
}

/** What one `run:` script refers to: `npm run [-s] X`, `bash <path>`, and paths under the repository's folders. */
export function references(script: string): RunReference[] {
    const out: RunReference[] = [];
    for (const raw of script.split("\n")) {
        const line = raw.replace(/(^|\s)#.*$/, ""); // comments
        for (const m of line.matchAll(/\bnpm\s+run(?:\s+(?:-s|--silent))?\s+([A-Za-z0-9:._-]+)/g)) {
            out.push({ kind: "npm-script", name: m[1] });
        }
        for (const m of line.matchAll(/\bbash\s+(?!-)([^\s;&|)]+)/g)) out.push({ kind: "path", name: m[1] });
        for (const token of line.split(/[\s;&|()]+/)) {
            const t = token.replace(/^["']|["']$/g, "");
            if (/[$*{}`]/.test(t)) continue; // expanded at run time
            const rel = t.replace(/^\.\//, "");
            if (TRACKED_ROOTS.some((r) => rel === r || rel.startsWith(`${r}/`))) out.push({ kind: "path", name: rel });
        }
    }
    return out;
}

function workflowFiles(): string[] {
    return fs.existsSync(WORKFLOWS) ? fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
}

describe("GitHub Actions workflows (.github/workflows)", () => {
    const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;

    it("has ci, preview and release", () => {
        assert.deepStrictEqual(
            ["ci.yml", "preview.yml", "release.yml"].filter((f) => !workflowFiles().includes(f)),
            [],
        );
    });

    it("the reference parser finds npm scripts and paths", () => {
        assert.deepStrictEqual(references("npm run -s plan -- --stack \"$STACK\"\nbash scripts/sdk.sh check # npm run nope\n.ci/run\npython -m build sdk/python --outdir x"), [
            { kind: "npm-script", name: "plan" },
            { kind: "path", name: "scripts/sdk.sh" },
            { kind: "path", name: "scripts/sdk.sh" },
            { kind: "path", name: ".ci/run" },
            { kind: "path", name: "sdk/python" },
        ]);
    });

    for (const file of workflowFiles()) {
        describe(file, () => {
            const workflow = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
            const steps = Object.entries(workflow.jobs as Record<string, any>).flatMap(([job, j]) =>
                ((j.steps ?? []) as any[]).map((step, i) => ({ where: `jobs.${job}.steps[${i}]${step.name ? ` (${step.name})` : ""}`, step })),
            );

            it("parses, with a trigger and jobs that all have steps", () => {
                assert.ok(workflow.on, "no `on:`");
                assert.ok(steps.length > 0);
                for (const [job, j] of Object.entries(workflow.jobs as Record<string, any>)) {
                    assert.ok(Array.isArray(j.steps) && j.steps.length > 0, `job ${job} has no steps`);
                    assert.ok(j["runs-on"], `job ${job} has no runs-on`);
                }
            });

            it("runs only npm scripts of package.json and files of the repository", () => {
                const problems: string[] = [];
                for (const { where, step } of steps) {
                    if (typeof step.run !== "string") continue;
                    for (const ref of references(step.run)) {
                        if (ref.kind === "npm-script" && !(ref.name in scripts)) problems.push(`${where}: npm run ${ref.name}: no such script`);
                        if (ref.kind === "path" && !fs.existsSync(path.join(ROOT, ref.name))) problems.push(`${where}: ${ref.name}: no such file`);
                    }
                }
                assert.deepStrictEqual(problems, []);
            });

            it("uses actions pinned to a release, and local actions that exist", () => {
                const problems: string[] = [];
                for (const { where, step } of steps) {
                    if (typeof step.uses !== "string") continue;
                    if (step.uses.startsWith("./")) {
                        if (!fs.existsSync(path.join(ROOT, step.uses))) problems.push(`${where}: ${step.uses} does not exist`);
                    } else if (!/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|release\/v\d+|[0-9a-f]{40})$/.test(step.uses)) {
                        problems.push(`${where}: ${step.uses} is not pinned to a release`);
                    }
                }
                assert.deepStrictEqual(problems, []);
            });
        });
    }

    it("ci runs .ci/run on pushes and pull requests", () => {
        const ci = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, "ci.yml"), "utf8"));
        assert.ok("push" in ci.on && "pull_request" in ci.on);
        const runs = Object.values(ci.jobs as Record<string, any>).flatMap((j) => j.steps.map((s: any) => s.run)).filter(Boolean);
        assert.ok(runs.some((r: string) => r.trim() === ".ci/run"), "no step runs .ci/run");
        assert.ok(fs.statSync(path.join(ROOT, ".ci", "run")).mode & 0o100, ".ci/run is not executable");
    });

    it("preview comments a pulumi preview per enabled stack and writes the offline plan to the job summary", () => {
        const preview = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        assert.ok("pull_request" in preview.on);
        const steps: any[] = Object.values(preview.jobs as Record<string, any>).flatMap((j) => j.steps);
        const pulumi = steps.find((s) => typeof s.uses === "string" && s.uses.startsWith("pulumi/actions@"));
        assert.ok(pulumi, "no pulumi/actions step");
        assert.strictEqual(pulumi.uses, "pulumi/actions@v7");
        assert.strictEqual(pulumi.with.command, "preview");
        assert.strictEqual(pulumi.with["comment-on-pr"], true);
        assert.match(pulumi.with["cloud-url"], /secrets\.PULUMI_BACKEND_URL/);
        assert.match(pulumi.with["secrets-provider"], /secrets\.PULUMI_SECRETS_PROVIDER/);
        assert.ok(steps.some((s) => typeof s.run === "string" && /npm run -s plan -- --stack/.test(s.run) && /GITHUB_STEP_SUMMARY/.test(s.run)));
        assert.ok(steps.some((s) => s.uses?.startsWith("google-github-actions/auth@")));
        assert.ok(steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
    });
});
