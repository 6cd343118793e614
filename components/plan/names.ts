// Kubernetes names the vllm-stack chart derives from the release and model names (checked
// against the chart 0.1.12 templates), and the names the package gives its own objects.

/** Longest Service name Kubernetes accepts (DNS-1035 label). */
export const MAX_LABEL_LENGTH = 63;
/** Helm refuses release names longer than this. */
export const MAX_RELEASE_NAME_LENGTH = 53;
/** `<release>-<model>-engine-service` must be a DNS label: release + model may use the rest. */
export const ENGINE_SERVICE_SUFFIX = "-engine-service";
export const MAX_RELEASE_PLUS_MODEL_LENGTH = MAX_LABEL_LENGTH - ENGINE_SERVICE_SUFFIX.length - 1;

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** templates/deployment-vllm-multi.yaml: metadata.name */
export function engineDeploymentName(release: string, model: string): string {
    return `${release}-${model}-deployment-vllm`;
}

/** templates/pdb-vllm-multi.yaml: metadata.name (rendered when `modelSpec[].pdb.enabled`) */
export function enginePdbName(release: string, model: string): string {
    return `${release}-${model}-pdb-vllm`;
}

/** The HPA KEDA creates for a ScaledObject (KEDA 2.20.2 controllers/keda/hpa.go getDefaultHpaName: `keda-hpa-<name>`, unless advanced.horizontalPodAutoscalerConfig.name is set, which the package never sets). */
export function kedaHpaName(scaledObject: string): string {
    return `keda-hpa-${scaledObject}`;
}

/** templates/service-vllm.yaml: metadata.name (port `service-port`) */
export function engineServiceName(release: string, model: string): string {
    return `${release}-${model}${ENGINE_SERVICE_SUFFIX}`;
}

/** templates/service-router.yaml: metadata.name (port `router-sport`, 80 -> 8000) */
export function routerServiceName(release: string): string {
    return `${release}-router-service`;
}

/** templates/deployment-router.yaml: metadata.name */
export function routerDeploymentName(release: string): string {
    return `${release}-deployment-router`;
}

/** KEDA labels the HPA with this name, so it must stay a DNS label too. */
export function scaledObjectName(release: string, model: string): string {
    return `${release}-${model}`;
}

/** The Secret the package writes Hugging Face tokens to; the chart reads it by name and key. */
export function hfTokenSecretName(release: string): string {
    return `${release}-hf-token`;
}

export function hfTokenSecretKey(model: string): string {
    return `hf-token-${model}`;
}

/** The Secret the package writes Grafana's admin credentials to, when the user gives a password. */
export function grafanaAdminSecretName(monitoringRelease: string): string {
    return `${monitoringRelease}-grafana-admin`;
}

/** The stable headless Service the Prometheus Operator creates for every Prometheus. */
export function prometheusOperatedUrl(namespace: string): string {
    return `http://prometheus-operated.${namespace}.svc:9090`;
}

/** The Secret the Grafana chart generates when no password is given (kube-prometheus-stack's `<release>-grafana`). */
export function grafanaGeneratedSecretName(monitoringRelease: string): string {
    return `${monitoringRelease}-grafana`;
}
