// Where the end-to-end suite finds the repository, the engines `npm run e2e:tools` builds, and the
// pinned charts in ../shared.
import * as fs from "node:fs";
import * as path from "node:path";

function findRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "vllm-autoscaling") return dir;
        if (path.dirname(dir) === dir) throw new Error(`no vllm-autoscaling package.json above ${start}`);
    }
}

export const REPO_ROOT = findRoot(__dirname);
export const BIN_DIR = path.join(REPO_ROOT, ".e2e", "bin");
/** The pinned charts (../shared/charts), for clusters that cannot reach the chart repositories. */
export const SHARED_CHARTS = path.join(REPO_ROOT, "..", "shared", "charts");

/** The engines the suite runs; each must have been built by `npm run e2e:tools`. */
export const TOOLS = [
    "pulumi", "pulumi-language-nodejs", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-language-yaml", "pulumi-resource-kubernetes",
    "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok",
    "keda-operator", "keda-adapter", "karpenter-kwok",
] as const;

export function tool(name: (typeof TOOLS)[number]): string {
    return path.join(BIN_DIR, name);
}

/** Fails (never skips) with what is missing and how to build it. */
export function requireTools(): void {
    const missing = TOOLS.filter((t) => !fs.existsSync(tool(t)));
    if (missing.length > 0) {
        throw new Error(`the end-to-end suite needs the real engines, and ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing from ${BIN_DIR}: ` +
            "run `npm run e2e:tools` (builds them from the Go module proxy; needs Go >= 1.25)");
    }
}

/** The version of @pulumi/kubernetes the program uses: the provider plugin is installed under it. */
export function kubernetesSdkVersion(): string {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "kubernetes", "package.json"), "utf8")).version;
}
