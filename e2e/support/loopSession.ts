// One run of the real scaling loop, shared by the loop suite and `npm run demo`: a fresh local
// cluster, a real Prometheus whose router and kube-state-metrics targets exist from the start and
// which also scrapes the cluster's real KEDA operator (as the package's KEDA ServiceMonitor
// would have it scraped), the stack's config (an
// e2e/stacks/ file with overrides.yaml, Prometheus at the harness's), a Pulumi project and
// stack, and engines that follow the cluster's ready pods. stop() undoes all of it, each part by
// what it started.
import { PrometheusHarness, SCRAPE_INTERVAL_SECONDS, type StaticScrapeTarget } from "./prometheusHarness";
import { paramsForPlan } from "../../components/sim/run";
import type { InferencePlan } from "../../components/plan";
import type { Values } from "../../components/plan/merge";
import { kedaOperatorServiceMonitor } from "../../components/plan/serviceMonitors";
import { KEDA_OPERATOR_METRICS_ADDRESS, KEDA_OPERATOR_POD_NAME, LocalCluster } from "./cluster";
import { e2eStack, type E2eStack } from "./e2eStacks";
import { ClusterEngines, routerTargetId } from "./loopEngines";
import { requireTools } from "./paths";
import { waitFor } from "./proc";
import { PulumiProject, type PulumiStack } from "./pulumiStack";

export interface LoopSessionOptions {
    /** A file under e2e/stacks/. */
    stackFile: string;
    /** The stack name is `<prefix><plan name>`. */
    stackPrefix: string;
    /** Pod readiness delay in seconds (kwok), standing for model load. Default 0. */
    podReadyDelaySeconds?: number;
    /** The engines stop by themselves after this long. */
    maxSeconds: number;
    log: (line: string) => void;
    /** Config laid over the stack file. */
    extra?: Values;
    /**
     * Karpenter's core as the node autoscaler, with these manifests applied once the cluster is
     * up (a KWOKNodeClass and the NodePool named `nodePool`, whose NodeClaims the engines count).
     */
    karpenter?: { manifests: string; nodePool: string };
}

/** The emulator's exporter target standing for kube-state-metrics (served by ClusterEngines from the API server). */
export const KUBE_STATE_METRICS_ID = "kube-state-metrics";
/** kube-prometheus-stack's kube-state-metrics Service (`<release>-kube-state-metrics`, release kube-prometheus-stack). */
const KUBE_STATE_METRICS_SERVICE = "kube-prometheus-stack-kube-state-metrics";

/**
 * The real KEDA operator (out of cluster, metrics on `address`) as a scrape target shaped by the
 * package's own KEDA ServiceMonitor (components/plan/serviceMonitors.ts): the `job` label is the
 * Service it selects (the Operator's default job label; the KEDA chart names that Service after
 * the operator, as its `app.kubernetes.io/name`), honor_labels and the path as its endpoint says,
 * and the target labels the Operator would attach. None when the plan installs no KEDA.
 */
export function kedaOperatorScrapeTarget(plan: InferencePlan, address = KEDA_OPERATOR_METRICS_ADDRESS): StaticScrapeTarget | undefined {
    const keda = plan.charts.keda;
    if (!keda) return undefined;
    const sm = kedaOperatorServiceMonitor({ namespace: keda.namespace, scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, labels: {} });
    const service = (sm.spec.selector as { matchLabels: Record<string, string> }).matchLabels["app.kubernetes.io/name"];
    const endpoint = (sm.spec.endpoints as { port: string; path?: string; honorLabels?: boolean }[])[0];
    return {
        job: service, address, metricsPath: endpoint.path, honorLabels: endpoint.honorLabels,
        labels: { namespace: sm.metadata.namespace, service, endpoint: endpoint.port, pod: KEDA_OPERATOR_POD_NAME, container: service },
    };
}

export class LoopSession {
    private constructor(
        readonly cluster: LocalCluster,
        readonly prom: PrometheusHarness,
        readonly project: PulumiProject,
        readonly stack: PulumiStack,
        public e2e: E2eStack,
        readonly engines: ClusterEngines,
    ) {}

    /** Everything but the deployment: `deploy()` runs `pulumi up`. On a failure, what started is stopped. */
    static async start(o: LoopSessionOptions): Promise<LoopSession> {
        requireTools();
        const parts: { cluster?: LocalCluster; prom?: PrometheusHarness; project?: PulumiProject; e2e?: E2eStack } = {};
        try {
            parts.cluster = await LocalCluster.fresh({ podReadyDelaySeconds: o.podReadyDelaySeconds, karpenter: o.karpenter !== undefined });
            if (o.karpenter) {
                const c = parts.cluster;
                await c.kubectl(["apply", "-f", "-"], { input: o.karpenter.manifests });
                await waitFor(`NodePool ${o.karpenter.nodePool} Ready`, 60_000, async () =>
                    ((await c.get(["nodepool", o.karpenter!.nodePool]))?.status?.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True") ? true : undefined);
            }
            // The router's and kube-state-metrics' targets exist from the start (both run before any engine).
            const probeStack = e2eStack(o.stackFile, "http://127.0.0.1:9", {}, o.extra);
            probeStack.removeTemporary();
            const probe = probeStack.plan;
            const routerId = routerTargetId(probe.namespace);
            const keda = kedaOperatorScrapeTarget(probe);
            parts.prom = await PrometheusHarness.start({
                setup: (emu) => {
                    emu.addRouter(routerId, { namespace: probe.namespace, release: probe.charts.vllmStack.releaseName, pod: `${probe.charts.vllmStack.releaseName}-deployment-router-e2e` });
                    emu.addExporter(KUBE_STATE_METRICS_ID, { namespace: "monitoring", service: KUBE_STATE_METRICS_SERVICE });
                },
                staticTargets: keda ? [keda] : [],
            });
            const e2e = (parts.e2e = e2eStack(o.stackFile, parts.prom.url, {}, o.extra));
            parts.project = await PulumiProject.create(parts.cluster.kubeconfig);
            const stack = await parts.project.stack(`${o.stackPrefix}${e2e.plan.name}`, e2e.config, {});
            const engines = await ClusterEngines.start({
                cluster: parts.cluster, emulator: parts.prom.emulator, routerId, kubeStateMetricsId: KUBE_STATE_METRICS_ID, maxSeconds: o.maxSeconds, log: o.log,
                ...(o.karpenter ? { nodePool: o.karpenter.nodePool } : {}),
                models: e2e.plan.models.map((m, i) => ({
                    name: m.name, namespace: e2e.plan.namespace, deploymentName: m.deploymentName, servedModelName: m.servedModelName,
                    engine: paramsForPlan(e2e.plan, i).engine, engineKind: m.engine, release: e2e.plan.charts.vllmStack.releaseName,
                })),
            });
            return new LoopSession(parts.cluster, parts.prom, parts.project, stack, e2e, engines);
        } catch (e) {
            await parts.prom?.stop();
            await parts.cluster?.down();
            parts.project?.remove();
            parts.e2e?.removeTemporary();
            throw e;
        }
    }

    /** `pulumi up`, then every ScaledObject Ready in KEDA with its HPA. Returns the up's duration (ms). */
    async deploy(): Promise<number> {
        const r = await this.stack.up();
        const plan = this.e2e.plan;
        for (const m of plan.models) {
            await waitFor(`ScaledObject ${m.scaledObjectName} Ready`, 90_000, async () => {
                const o = await this.cluster.get(["scaledobjects.keda.sh", m.scaledObjectName, "-n", plan.namespace]);
                return (o?.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True") ? true : undefined;
            });
            await waitFor(`HPA ${m.hpaName}`, 60_000, () => this.cluster.get(["hpa", m.hpaName, "-n", plan.namespace]));
        }
        return r.ms;
    }

    /**
     * Stops what the session started. `keepCluster`: the cluster and what is deployed on it stay
     * up (`npm run e2e:cluster -- down` stops it all); Prometheus, the engines and the Pulumi
     * project folder always go.
     */
    async stop(opts: { keepCluster?: boolean; log?: (line: string) => void } = {}): Promise<void> {
        this.engines.stop();
        if (!opts.keepCluster) {
            await this.stack.destroy().catch((e) => opts.log?.(`cleanup: pulumi destroy failed: ${String(e).slice(0, 300)}`));
        }
        await this.prom.stop();
        if (!opts.keepCluster) await this.cluster.down();
        this.project.remove();
        this.e2e.removeTemporary();
    }
}
