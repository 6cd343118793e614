// Karpenter's NodePool and EC2NodeClass as Pulumi resources, apart from karpenter.ts and its AWS
// SDK so that the e2e deploys the package's own NodePool with `pulumi up` where there is no AWS.
//
// Their Pulumi names and metadata.name come from the pool's name alone, so a changed pool
// (instance types, maxNodes, consolidation) is an update in place. A replacement would delete the
// NodePool, and Karpenter terminates every node a deleted NodePool made, engines and all.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KarpenterManifest } from "./plan/karpenter";

type Spec = pulumi.Input<Record<string, unknown>>;

function customResource(parent: pulumi.Resource | undefined, name: string, m: KarpenterManifest, spec: Spec, dependsOn: pulumi.Input<pulumi.Resource>[]) {
    return new k8s.apiextensions.CustomResource(name, { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec }, { parent, dependsOn });
}

/** The pool's NodePool (`<name>-nodepool`); `spec` is the plan's, with what only the deployment knows filled in. */
export function nodePoolResource(parent: pulumi.Resource | undefined, name: string, m: KarpenterManifest, spec: Spec, dependsOn: pulumi.Input<pulumi.Resource>[]) {
    return customResource(parent, `${name}-nodepool`, m, spec, dependsOn);
}

/** The pool's EC2NodeClass (`<name>-ec2nodeclass`). */
export function ec2NodeClassResource(parent: pulumi.Resource | undefined, name: string, m: KarpenterManifest, spec: Spec, dependsOn: pulumi.Input<pulumi.Resource>[]) {
    return customResource(parent, `${name}-ec2nodeclass`, m, spec, dependsOn);
}
