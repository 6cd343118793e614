// The CPU simulator engine: a model with `engine: simulator` runs the llm-d inference simulator
// instead of vLLM. The package writes its Deployment and Service itself (the chart only renders
// vLLM), shaped like the chart's engines so that everything around them works unchanged:
// - the router discovers engine pods by label selector (servingEngineSpec.labels) and asks each
//   ready pod on port 8000 which models it serves (src/vllm_router/service_discovery.py);
// - the chart's engine ServiceMonitor selects Services labelled app.kubernetes.io/instance=<release>,
//   component=serving-engine, part-of=vllm-stack plus servingEngineSpec.labels, on the port named
//   `service-port` (helm/templates/servicemonitor-engine.yaml, chart 0.1.12);
// - the Service has the chart's name, <release>-<model>-engine-service, and the simulator labels
//   its metrics `model_name` = served model name, so the package's queries need no change.
import { Engine } from "../args";
import type { Image, Model, Simulator } from "../args";
import { preStopLifecycle, type DrainPlan } from "./drain";
import type { Values } from "./merge";
import { engineDeploymentName, engineServiceName } from "./names";
import { fieldsOf, Problems, unknownKeys } from "./problems";
import { CHARTS, IMAGES } from "./versions";

export const SIMULATOR_DEFAULTS = {
    timeToFirstTokenMs: 200,
    interTokenLatencyMs: 50,
    startupSeconds: 10,
    cpu: "100m",
    memory: "128Mi",
    /** The simulator's own --max-num-seqs default (pkg/common/config.go, v0.9.2), used when the model sets none. */
    maxNumSeqs: 5,
} as const;

/** The simulator's HTTP port (pkg/common/config.go: vLLMDefaultPort) = the chart's engine containerPort. */
export const SIMULATOR_PORT = 8000;
/** The chart's names for the engine container port and the engine Service port (templates/_helpers.tpl). */
export const CONTAINER_PORT_NAME = "container-port";
export const SERVICE_PORT_NAME = "service-port";
/** Readiness answers 503 during --startup-duration (pkg/communication/http.go, v0.9.2). */
export const READINESS_PATH = "/health/ready";
export const LIVENESS_PATH = "/health";

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|K|M|G|T)?$/;

export interface ResolvedSimulator {
    image: { repository: string; tag: string };
    maxNumSeqs: number;
    timeToFirstTokenMs: number;
    interTokenLatencyMs: number;
    startupSeconds: number;
    cpu: string;
    memory: string;
}

const KNOWN_SIMULATOR = fieldsOf<Simulator>({ timeToFirstTokenMs: true, interTokenLatencyMs: true, startupSeconds: true, cpu: true, memory: true, image: true });

/**
 * Validates `engine` and `simulator` of one model. `maxNumSeqs` is the model's queue limit when
 * it sets one (the simulator then queues exactly where vLLM would).
 */
export function resolveEngine(p: Problems, path: string, m: Model, maxNumSeqs: number | undefined):
    { engine: Engine; simulator?: ResolvedSimulator } {
    const engines = Object.values(Engine) as string[];
    const engineOk = m.engine === undefined || engines.includes(m.engine);
    if (!engineOk) p.add(`${path}.engine`, `${JSON.stringify(m.engine)} is not one of ${engines.map((e) => JSON.stringify(e)).join(", ")}`);
    const engine = engineOk ? (m.engine ?? Engine.Vllm) : Engine.Vllm;
    const s = m.simulator;
    if (s !== undefined && engine !== Engine.Simulator) {
        p.add(`${path}.simulator`, `is set but engine is ${JSON.stringify(engine)}; set engine: "simulator", or drop simulator`);
    }
    if (engine !== Engine.Simulator) return { engine };
    if (!p.object(`${path}.simulator`, s, { optional: true })) return { engine };
    const a = (s ?? {}) as NonNullable<Model["simulator"]>;
    unknownKeys(p, `${path}.simulator`, a, KNOWN_SIMULATOR);
    p.integer(`${path}.simulator.timeToFirstTokenMs`, a.timeToFirstTokenMs, 0, { optional: true, max: 600_000 });
    p.integer(`${path}.simulator.interTokenLatencyMs`, a.interTokenLatencyMs, 0, { optional: true, max: 60_000 });
    p.integer(`${path}.simulator.startupSeconds`, a.startupSeconds, 0, { optional: true, max: 3600 });
    p.string(`${path}.simulator.cpu`, a.cpu, { optional: true, pattern: QUANTITY, hint: "use a Kubernetes CPU quantity such as \"100m\" or \"1\"" });
    p.string(`${path}.simulator.memory`, a.memory, { optional: true, pattern: QUANTITY, hint: "use a Kubernetes quantity such as \"128Mi\"" });
    let image: Image = IMAGES.simulator;
    if (p.object(`${path}.simulator.image`, a.image, { optional: true }) && a.image !== undefined) {
        unknownKeys(p, `${path}.simulator.image`, a.image, fieldsOf<Image>({ repository: true, tag: true }));
        p.string(`${path}.simulator.image.repository`, a.image.repository);
        p.string(`${path}.simulator.image.tag`, a.image.tag);
        image = a.image;
    }
    return {
        engine,
        simulator: {
            image: { repository: image.repository, tag: image.tag },
            maxNumSeqs: maxNumSeqs ?? SIMULATOR_DEFAULTS.maxNumSeqs,
            timeToFirstTokenMs: a.timeToFirstTokenMs ?? SIMULATOR_DEFAULTS.timeToFirstTokenMs,
            interTokenLatencyMs: a.interTokenLatencyMs ?? SIMULATOR_DEFAULTS.interTokenLatencyMs,
            startupSeconds: a.startupSeconds ?? SIMULATOR_DEFAULTS.startupSeconds,
            cpu: a.cpu ?? SIMULATOR_DEFAULTS.cpu,
            memory: a.memory ?? SIMULATOR_DEFAULTS.memory,
        },
    };
}

/** Settings of a simulator model that only mean something to vLLM: the plan says they are ignored. */
export function simulatorWarnings(index: number, m: Model): string[] {
    if (m.engine !== Engine.Simulator) return [];
    const ignored = (["gpusPerReplica", "cacheSize", "cacheStorageClass", "cpu", "memory", "maxModelLen", "extraArgs", "image", "values", "hfToken"] as const)
        .filter((k) => m[k] !== undefined);
    if (ignored.length === 0) return [];
    return [`models[${index}] (${m.name}): engine is "simulator", which ignores ${ignored.join(", ")} (they configure vLLM or its GPU); ` +
        "the simulator's own settings are under simulator."];
}

/** One simulator engine, as plain Kubernetes data the component materializes. */
export interface SimulatorPlan {
    model: string;
    namespace: string;
    deploymentName: string;
    serviceName: string;
    /** Replicas on creation; from then on KEDA owns spec.replicas (Pulumi ignores it). */
    replicas: number;
    /** Labels of the Deployment's pods: the router's selector, the chart's engine labels and `model`. */
    podLabels: Record<string, string>;
    /** The Deployment's selector (a subset of podLabels that never changes). */
    selector: Record<string, string>;
    /** Labels of the Service: what the chart's engine ServiceMonitor selects. */
    serviceLabels: Record<string, string>;
    annotations: Record<string, string>;
    /** The pod spec (one container), in Kubernetes terms. */
    podSpec: Values;
    /** The Service spec, in Kubernetes terms. */
    serviceSpec: Values;
}

export interface SimulatorPlanInput {
    release: string;
    namespace: string;
    model: string;
    modelUrl: string;
    servedModelName: string;
    minReplicas: number;
    readyTimeoutSeconds: number;
    /** servingEngineSpec.labels of the vllm-stack values the chart is installed with. */
    engineLabels: Record<string, string>;
    simulator: ResolvedSimulator;
    /** Pulumi's await-timeout annotation key. */
    timeoutAnnotation: string;
    /** Pod shutdown: the same preStop sleep and grace period as the model's vLLM engines would get. */
    drain: DrainPlan;
}

/** The simulator's command line (flags of llm-d-inference-sim v0.9.x, pkg/common/parser.go). */
export function simulatorArgs(input: Pick<SimulatorPlanInput, "modelUrl" | "servedModelName" | "simulator">): string[] {
    const s = input.simulator;
    return [
        "--port", String(SIMULATOR_PORT),
        "--model", input.modelUrl,
        "--served-model-name", input.servedModelName,
        "--max-num-seqs", String(s.maxNumSeqs),
        "--time-to-first-token", `${s.timeToFirstTokenMs}ms`,
        "--inter-token-latency", `${s.interTokenLatencyMs}ms`,
        "--startup-duration", `${s.startupSeconds}s`,
        // A real Hugging Face model name would make v0.9+ load its tokenizer; the dummy one needs nothing.
        "--force-dummy-tokenizer",
    ];
}

export function simulatorPlan(input: SimulatorPlanInput): SimulatorPlan {
    const chart = CHARTS.vllmStack.chart;
    const standard = {
        "app.kubernetes.io/name": input.model,
        "app.kubernetes.io/instance": input.release,
        "app.kubernetes.io/component": "serving-engine",
        "app.kubernetes.io/part-of": chart,
        "app.kubernetes.io/managed-by": "pulumi",
    };
    const selector = { model: input.model, "helm-release-name": input.release, "app.kubernetes.io/component": "serving-engine" };
    const podLabels = { ...standard, ...input.engineLabels, ...selector };
    const serviceLabels = { ...standard, ...input.engineLabels };
    const s = input.simulator;
    const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: CONTAINER_PORT_NAME }, periodSeconds, failureThreshold,
    });
    const podSpec: Values = {
        containers: [{
            name: "llm-d-inference-sim",
            image: `${s.image.repository}:${s.image.tag}`,
            args: simulatorArgs(input),
            // The simulator reads these for its logs and KV events (pkg/common/parser.go).
            env: [fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"), fieldEnv("POD_IP", "status.podIP")],
            ports: [{ name: CONTAINER_PORT_NAME, containerPort: SIMULATOR_PORT, protocol: "TCP" }],
            readinessProbe: probe(READINESS_PATH, 2, 3),
            livenessProbe: { ...probe(LIVENESS_PATH, 10, 3), initialDelaySeconds: 5 },
            resources: { requests: { cpu: s.cpu, memory: s.memory }, limits: { memory: s.memory } },
            // The router and the Service stop sending before SIGTERM (drain.ts).
            lifecycle: preStopLifecycle(input.drain),
        }],
        terminationGracePeriodSeconds: input.drain.terminationGracePeriodSeconds,
    };
    return {
        model: input.model,
        namespace: input.namespace,
        deploymentName: engineDeploymentName(input.release, input.model),
        serviceName: engineServiceName(input.release, input.model),
        replicas: input.minReplicas,
        podLabels,
        selector,
        serviceLabels,
        annotations: { [input.timeoutAnnotation]: String(input.readyTimeoutSeconds) },
        podSpec,
        serviceSpec: {
            type: "ClusterIP",
            ports: [{ name: SERVICE_PORT_NAME, port: SIMULATOR_PORT, targetPort: CONTAINER_PORT_NAME, protocol: "TCP" }],
            selector,
        },
    };
}
