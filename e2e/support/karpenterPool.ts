// A pool of the package's under Karpenter's real core on the local cluster: the NodePool the plan
// writes for an EKS pool (planGpuNodePool: the pool's label, taint, instance types, GPU limit and
// empty-node consolidation), on a KWOKNodeClass whose registration delay stands in for an
// instance's boot instead of the EC2NodeClass (EC2 is not here). Used by `npm run demo` for its
// node lane; the Karpenter suite builds its own to change the pool mid-test.
import * as YAML from "yaml";
import { planGpuNodePool, type NodePoolPlan } from "../../components/plan/nodePool";

export interface KwokPool {
    plan: NodePoolPlan;
    /** The KWOKNodeClass and the NodePool, as YAML documents for `kubectl apply`. */
    manifests: string;
    registrationDelaySeconds: number;
    consolidateAfterSeconds: number;
}

/**
 * Karpenter's empty-node removal after consolidateAfter: its disruption controller polls every
 * 10 s when idle and validates a command for 15 s before it runs (sigs.k8s.io/karpenter
 * pkg/controllers/disruption controller.go pollingPeriod, consolidation.go
 * commandValidationDelay): about 20 s on average, which the simulator adds to the idle delay.
 */
export const KARPENTER_EMPTY_NODE_DELAY_SECONDS = 20;

export function kwokPool(name: string, o: { instanceTypes: string[]; maxNodes: number; registrationDelaySeconds: number; consolidateAfterSeconds: number }): KwokPool {
    const plan = planGpuNodePool(name, {
        eks: { clusterName: "local", subnetIds: ["subnet-0123456789abcdef0"], instanceTypes: o.instanceTypes, karpenter: { consolidateAfterSeconds: o.consolidateAfterSeconds } },
        minNodes: 0,
        maxNodes: o.maxNodes,
    });
    const nodePool = structuredClone(plan.eks!.karpenter!.nodePool);
    nodePool.spec.template.spec.nodeClassRef = { group: "karpenter.kwok.sh", kind: "KWOKNodeClass", name };
    const nodeClass = { apiVersion: "karpenter.kwok.sh/v1alpha1", kind: "KWOKNodeClass", metadata: { name }, spec: { nodeRegistrationDelay: `${o.registrationDelaySeconds}s` } };
    return {
        plan, manifests: [nodeClass, nodePool].map((x) => YAML.stringify(x)).join("---\n"),
        registrationDelaySeconds: o.registrationDelaySeconds, consolidateAfterSeconds: o.consolidateAfterSeconds,
    };
}
