// The package's entry points, as a user and the Pulumi plugin host reach them.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./support/reference";

describe("package entry points", () => {
    it("require(<repo root>) after a build exposes LlmInference, GpuNodePool and planInference", () => {
        const out = execFileSync(process.execPath, ["-e", `
            const m = require(${JSON.stringify(REPO_ROOT)});
            const plan = m.planInference("chat", { models: [{ name: "m", modelUrl: "x/y", autoscaling: { maxReplicas: 1 } }] });
            console.log(JSON.stringify([typeof m.LlmInference, typeof m.GpuNodePool, plan.scaledObjects.length]));`], { encoding: "utf8" });
        assert.deepStrictEqual(JSON.parse(out), ["function", "function", 1]);
    });

    it("gives the schema analyzer a TypeScript entry and the plugin host a built main", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        assert.ok(fs.existsSync(path.join(REPO_ROOT, pkg.main)), `main ${pkg.main} exists after the build`);
        assert.match(fs.readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8"), /export \* from "\.\/components"/);
        assert.strictEqual(pkg.scripts.prepare, "npm run build", "npm install (as the plugin host runs it) must build dist/");
        assert.ok(fs.existsSync(path.join(REPO_ROOT, "PulumiPlugin.yaml")));
    });
});
