// The runnable Pulumi program: one LlmInference from the stack's config (see stacks/config.ts).
// The Kubernetes provider is the default one: the ambient kubeconfig, or `kubernetes:context`.
import * as pulumi from "@pulumi/pulumi";
import { LlmInference } from "../components";
import { argsFromConfig, projectEntries, PROJECT } from "./config";

function parseConfigValue(raw: string): unknown {
    // Structured config arrives as JSON text; plain strings are not JSON.
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

const raw = pulumi.runtime.allConfig();
const entries = projectEntries(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, parseConfigValue(v)])));
const config = new pulumi.Config(PROJECT);
const { componentName, args } = argsFromConfig(entries, {
    hfToken: config.getSecret("hfToken"),
    grafanaAdminPassword: config.getSecret("grafanaAdminPassword"),
});

const llm = new LlmInference(componentName, args);

export const namespace = llm.namespace;
export const endpoint = llm.endpoint;
export const routerServiceName = llm.routerServiceName;
export const scaledObjectNames = llm.scaledObjectNames;
export const prometheusUrl = llm.prometheusUrl;
export const engineDeploymentNames = llm.engineDeploymentNames;
export const grafanaAdminSecret = llm.grafanaAdminSecret;
