// What a stack leaves in the cluster: every object of every listable kind, less the harness's own
// and those that come and go on their own, to compare before `pulumi up` and after `pulumi destroy`.
import type { LocalCluster } from "./cluster";

/**
 * What `pulumi destroy` may leave by design (docs/resources.md, Cluster-scoped objects): CRDs
 * Helm installed from a chart's crds/ folder (the Prometheus Operator's), and KEDA's, which the
 * package annotates `helm.sh/resource-policy: keep`.
 */
export const LEFT_BY_DESIGN = [
    /^CustomResourceDefinition\/\/[a-z0-9]+\.monitoring\.coreos\.com$/,
    /^CustomResourceDefinition\/\/[a-z0-9]+\.(eventing\.)?keda\.sh$/,
];
/** The harness's own namespace (e2e/cluster/cluster.sh: the ExternalName Service KEDA's APIService points at). */
export const HARNESS_NAMESPACE = "e2e-system";
/** Objects that come and go on their own (events, leases, the API server's own bookkeeping). */
const IGNORED_KINDS = new Set(["Event", "Lease", "EndpointSlice", "Endpoints", "ControllerRevision", "APIService"]);

/** Every object of every listable kind, as `Kind/namespace/name`, and the JSON of all but Secrets. */
export async function inventory(cluster: LocalCluster): Promise<{ ids: Set<string>; json: string }> {
    const kinds = (await cluster.kubectl(["api-resources", "--verbs=list", "-o", "name"])).stdout.split("\n").filter(Boolean);
    const r = await cluster.kubectl(["get", kinds.join(","), "-A", "-o", "json", "--ignore-not-found"], { timeoutMs: 120_000 });
    const items: any[] = JSON.parse(r.stdout).items ?? [];
    const ids = new Set(items
        .filter((o) => !IGNORED_KINDS.has(o.kind) && o.metadata.namespace !== HARNESS_NAMESPACE
            && !(o.kind === "Namespace" && o.metadata.name === HARNESS_NAMESPACE))
        .map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`));
    // Secrets may hold the secrets; everything else must not.
    return { ids, json: JSON.stringify(items.filter((o) => o.kind !== "Secret")) };
}

/** What is in `after` but not in `before`, less what destroy leaves by design. */
export function leftBehind(before: Set<string>, after: Set<string>): string[] {
    return [...after].filter((id) => !before.has(id) && !LEFT_BY_DESIGN.some((re) => re.test(id)));
}
