// Where a chart comes from: its pinned public repository, or the user's `repo` override (a
// mirror, an OCI registry, or a local chart path for air-gapped clusters and the end-to-end tests).
import type { Values } from "./merge";
import type { Problems } from "./problems";
import type { ChartPin } from "./versions";

/** A Helm chart to install, with the values the package sets merged with the user's. */
export interface ChartPlan {
    /** The chart's name. */
    chart: string;
    /** Chart version; absent for a local chart path (`source: path`), which is installed as it is. */
    version?: string;
    /** Chart repository URL, OCI registry (`oci://...`) or local chart path, as `source` says. */
    repo: string;
    /** `repository`, `oci` or `path` (see chartSource.ts). */
    source: string;
    namespace: string;
    releaseName: string;
    values: Values;
    /**
     * Install the chart without its `crds/` folder (`helm.v4.Chart` `skipCrds`): for a cluster-scoped
     * CRD that every release of the chart in a cluster would share, and that one release's destroy
     * would delete under the others (the vllm-stack chart's LoraAdapter CRD).
     */
    skipCrds?: boolean;
}

/** The annotation that makes `helm uninstall` leave an object in place (CRDs several releases share). */
export const HELM_RESOURCE_POLICY = "helm.sh/resource-policy";

/** How Helm finds the chart: by name in a chart repository, in an OCI registry, or at a path. */
export const ChartSourceKind = { Repository: "repository", Oci: "oci", Path: "path" } as const;
export type ChartSourceKind = (typeof ChartSourceKind)[keyof typeof ChartSourceKind];

const HINT = "use a chart repository URL (\"https://charts.example.com\"), an OCI registry (\"oci://registry.example.com/charts\") " +
    "or a local chart directory or .tgz (a path starting with \"/\", \"./\" or \"../\")";

/** The kind of a chart source, or undefined when it is none of the three. */
export function chartSourceKind(repo: string): ChartSourceKind | undefined {
    if (/^oci:\/\/[^/\s]+/.test(repo)) return ChartSourceKind.Oci;
    if (/^(\/|\.\/|\.\.\/)/.test(repo)) return ChartSourceKind.Path;
    try {
        const u = new URL(repo);
        if ((u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0) return ChartSourceKind.Repository;
    } catch {
        // not a URL
    }
    return undefined;
}

/**
 * Checks a chart source at `repoPath` (and that no version, at `versionPath`, goes with a local
 * path); true when valid or absent.
 */
export function checkChartSource(p: Problems, repoPath: string, repo: unknown, versionPath?: string, version?: unknown): boolean {
    if (repo === undefined) return true;
    if (!p.string(repoPath, repo, { hint: HINT })) return false;
    const kind = chartSourceKind(repo as string);
    if (kind === undefined) {
        p.add(repoPath, `${JSON.stringify(repo)} is not a chart source; ${HINT}`);
        return false;
    }
    if (kind === ChartSourceKind.Path && version !== undefined && versionPath !== undefined) {
        p.add(versionPath, `is set, but ${repoPath} is a local chart path, whose chart is installed as it is; drop ${versionPath}`);
        return false;
    }
    return true;
}

/** The chart's source fields of a ChartPlan: the pin, with the user's repo and version over it. */
export function chartSource(pin: ChartPin, repo?: string, version?: string): Pick<ChartPlan, "chart" | "repo" | "version" | "source"> {
    const source = chartSourceKind(repo ?? pin.repo) ?? ChartSourceKind.Repository;
    return {
        chart: pin.chart,
        repo: repo ?? pin.repo,
        source,
        // A local chart is what it is; the pinned version would only be misleading in the plan.
        ...(source === ChartSourceKind.Path ? {} : { version: version ?? pin.version }),
    };
}

/** The `chart`, `version` and `repositoryOpts` that helm.v3.Release and helm.v4.Chart take. */
export function helmChartInputs(c: Pick<ChartPlan, "chart" | "repo" | "version" | "source">):
    { chart: string; version?: string; repositoryOpts?: { repo: string } } {
    switch (c.source) {
        case ChartSourceKind.Path:
            return { chart: c.repo };
        case ChartSourceKind.Oci:
            return { chart: `${c.repo.replace(/\/+$/, "")}/${c.chart}`, version: c.version };
        default:
            return { chart: c.chart, version: c.version, repositoryOpts: { repo: c.repo } };
    }
}

/** One line for `npm run plan`: what is installed from where. */
export function describeChartSource(c: Pick<ChartPlan, "chart" | "repo" | "version" | "source">): string {
    if (c.source === ChartSourceKind.Path) return `${c.chart} from the local chart ${c.repo}`;
    return `${c.chart} ${c.version} from ${c.repo}`;
}
