// The engine Deployment's pods and the GPU nodes under them: the cluster autoscaler adds a node
// for a pod that fits nowhere (ready after nodeBootSeconds) and removes a node that has been
// empty for idleNodeRemovalSeconds; nodes are billed while they exist. A pod loads the model
// for modelLoadSeconds once it has a node. Scale-down removes pods the way a ReplicaSet picks
// them: unscheduled first, then not ready, then the most recently ready.

import { REFERENCE_COLD_START } from "../plan/coldStart";

/** Cluster parameters. Defaults: one GPU per node, 150 s to a new GPU node, CA's 10 min idle delay. */
export interface ClusterParams {
    /** Seconds from the cluster autoscaler seeing a pending pod to the node accepting it (CA scan, VM boot, driver). Default 150. */
    nodeBootSeconds: number;
    /** Seconds a node must stay empty before the cluster autoscaler removes it (scale-down-unneeded-time). Default 600. */
    idleNodeRemovalSeconds: number;
    /** GPUs per node. Default 1. */
    gpusPerNode: number;
    /** GPUs per engine replica (the model's gpusPerReplica). Default 1. */
    gpusPerReplica: number;
    /** Price of one GPU-hour (whole node share), for the cost column. Default 1.0. */
    gpuHourlyPrice: number;
    /** Nodes that exist from the start (already warm, e.g. a minimum pool size). Default 0. */
    initialNodes: number;
    /**
     * Warm headroom (`autoscaling.headroomSlots`): placeholder pods of one engine's size at a low
     * priority. An engine that fits nowhere preempts one and starts on its node at once (no node
     * boot); the evicted placeholder goes pending and the autoscaler adds a node for it. Default 0.
     */
    headroomSlots: number;
}

export const DEFAULT_CLUSTER: ClusterParams = {
    nodeBootSeconds: REFERENCE_COLD_START.nodeBootSeconds,
    idleNodeRemovalSeconds: 600,
    gpusPerNode: 1,
    gpusPerReplica: 1,
    gpuHourlyPrice: 1.0,
    initialNodes: 0,
    headroomSlots: 0,
};

/**
 * `pods` counts engines and placeholders (both hold a slot); `holders` the placeholders among them.
 * `imageAt`: when the node has the engine image (the first engine or placeholder placed there pulls it).
 */
interface Node { id: number; readyAt: number; pods: number; holders: number; emptySince: number | null; imageAt?: number }
interface Pod { id: number; node: Node | null; readyAt: number | null; createdAt: number }

export class Cluster {
    private nodes: Node[] = [];
    private pods: Pod[] = [];
    /** Placeholders without a node (evicted, or not yet placed). */
    private pendingHolders = 0;
    private nextId = 1;
    /** Node-seconds, summed (x gpusPerNode / 3600 = GPU-hours). */
    nodeSeconds = 0;
    readonly podsPerNode: number;

    private readonly imagePullSeconds: number;

    /**
     * `modelLoadSeconds`: a pod's start to serving on a node; `imagePullSeconds`: the part of it a
     * node that already has the engine image skips (0: the model ignores the image).
     */
    constructor(readonly params: ClusterParams, private readonly modelLoadSeconds: number, imagePullSeconds = 0) {
        // The pull is part of the load: never more than all of it.
        this.imagePullSeconds = Math.min(Math.max(0, imagePullSeconds), modelLoadSeconds);
        this.podsPerNode = Math.max(1, Math.floor(params.gpusPerNode / params.gpusPerReplica));
        if (params.gpusPerReplica > params.gpusPerNode) throw new Error(`a replica needs ${params.gpusPerReplica} GPUs but a node has ${params.gpusPerNode}`);
        this.pendingHolders = params.headroomSlots;
        for (let i = 0; i < params.initialNodes; i++) this.nodes.push({ id: this.nextId++, readyAt: 0, pods: 0, holders: 0, emptySince: 0 });
    }

    get replicas(): number {
        return this.pods.length;
    }

    ready(now: number): number {
        return this.pods.filter((p) => p.readyAt !== null && p.readyAt <= now).length;
    }

    get nodeCount(): number {
        return this.nodes.length;
    }

    /** Placeholders that hold a slot on a node. */
    get placedHolders(): number {
        return this.nodes.reduce((s, n) => s + n.holders, 0);
    }

    /** Starts with `replicas` pods already serving, each on a node that is up, and the headroom placed (a warm start). */
    warmStart(replicas: number): void {
        for (; this.pendingHolders > 0; this.pendingHolders--) {
            const node = { id: this.nextId++, readyAt: 0, pods: 1, holders: 1, emptySince: null, imageAt: 0 };
            this.nodes.push(node);
        }
        for (let i = 0; i < replicas; i++) {
            let node = this.nodes.find((x) => x.pods < this.podsPerNode);
            if (!node) {
                node = { id: this.nextId++, readyAt: 0, pods: 0, holders: 0, emptySince: null, imageAt: 0 };
                this.nodes.push(node);
            }
            node.pods++;
            node.emptySince = null;
            this.pods.push({ id: this.nextId++, node, readyAt: 0, createdAt: 0 });
        }
    }

    /** Sets the Deployment's replica count (pods are created or deleted at once). */
    scaleTo(replicas: number, now: number): void {
        while (this.pods.length < replicas) this.pods.push({ id: this.nextId++, node: null, readyAt: null, createdAt: now });
        if (this.pods.length > replicas) {
            // ReplicaSet deletion order: unscheduled, then not ready, then the most recently ready.
            const rank = (p: Pod) => (p.node === null ? 0 : p.readyAt === null || p.readyAt > now ? 1 : 2);
            const victims = [...this.pods].sort((a, b) => rank(a) - rank(b) || (b.readyAt ?? b.createdAt) - (a.readyAt ?? a.createdAt))
                .slice(0, this.pods.length - replicas);
            for (const v of victims) {
                if (v.node) {
                    v.node.pods--;
                    if (v.node.pods === 0) v.node.emptySince = now;
                }
            }
            const gone = new Set(victims);
            this.pods = this.pods.filter((p) => !gone.has(p));
        }
    }

    /** One second: schedule pending pods, provision nodes for the rest, remove idle nodes, bill. */
    step(now: number): void {
        const p = this.params;
        // Schedule onto nodes that are up and have room, else preempt a placeholder on one.
        for (const pod of this.pods) {
            if (pod.node) continue;
            let node = this.nodes.find((n) => n.readyAt <= now && n.pods < this.podsPerNode);
            if (!node) {
                node = this.nodes.find((n) => n.readyAt <= now && n.holders > 0);
                if (node) {
                    node.holders--;
                    node.pods--;
                    this.pendingHolders++;
                }
            }
            if (node) {
                node.pods++;
                node.emptySince = null;
                pod.node = node;
                // The image pull is skipped, or shortened, where the node has (or is pulling) the image.
                const pull = node.imageAt === undefined ? this.imagePullSeconds : Math.min(this.imagePullSeconds, Math.max(0, node.imageAt - now));
                node.imageAt ??= now + this.imagePullSeconds;
                pod.readyAt = now + this.modelLoadSeconds - this.imagePullSeconds + pull;
            }
        }
        // Placeholders take what room is left on nodes that are up.
        for (const n of this.nodes) {
            while (this.pendingHolders > 0 && n.readyAt <= now && n.pods < this.podsPerNode) {
                n.pods++;
                n.holders++;
                n.emptySince = null;
                // The placeholder runs the engine image: the node pulls it now.
                n.imageAt ??= now + this.imagePullSeconds;
                this.pendingHolders--;
            }
        }
        // The cluster autoscaler provisions for pods that fit nowhere (placeholders included), counting nodes still booting.
        const pending = this.pods.filter((x) => !x.node).length + this.pendingHolders;
        const bootingRoom = this.nodes.filter((n) => n.readyAt > now).reduce((s, n) => s + this.podsPerNode - n.pods, 0);
        const missing = Math.ceil(Math.max(0, pending - bootingRoom) / this.podsPerNode);
        for (let i = 0; i < missing; i++) this.nodes.push({ id: this.nextId++, readyAt: now + p.nodeBootSeconds, pods: 0, holders: 0, emptySince: null });
        // Booting nodes reserve room for the pending pods; an unneeded booting node idles like any other.
        let claimed = pending;
        for (const n of this.nodes) {
            if (n.readyAt > now) {
                const take = Math.min(claimed, this.podsPerNode);
                claimed -= take;
                if (take === 0 && n.emptySince === null) n.emptySince = now;
                if (take > 0) n.emptySince = null;
            }
        }
        this.nodes = this.nodes.filter((n) => !(n.pods === 0 && n.emptySince !== null && now - n.emptySince >= p.idleNodeRemovalSeconds));
        this.nodeSeconds += this.nodes.length;
    }

    gpuHours(): number {
        return (this.nodeSeconds * this.params.gpusPerNode) / 3600;
    }
}
