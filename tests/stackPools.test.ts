// Every stack file in stacks/ plans cleanly (so none can rot), and the three environments are what
// their comments promise: dev on the CPU simulator, gke an L4 pool scaling to zero, eks a
// tensor-parallel model on a pool that holds it. `npm run plan` shows capacity and cost.
import * as assert from "assert";
import { renderPlan } from "../scripts/plan";
import { listStacks, planStack } from "../stacks/load";

describe("stacks: GPU pools, simulator, capacity and cost", () => {
    it("has the dev, gke and eks stacks", () => {
        for (const s of ["dev", "gke", "eks"]) assert.ok(listStacks().includes(s), `stacks/Pulumi.${s}.yaml is missing`);
    });

    for (const stack of listStacks()) {
        it(`plans stack ${stack} and shows its capacity and cost`, () => {
            const plan = planStack(stack);
            const view = renderPlan(stack, plan);
            for (const title of ["== GPU node pool ==", "== Capacity ==", "== Cost (730-hour month) =="]) assert.ok(view.includes(title), title);
            if (plan.capacity.checked) assert.ok(plan.capacity.pools.every((c) => c.fits));
        });
    }

    it("dev runs every model on the simulator, with no GPU pool and no cost", () => {
        const plan = planStack("dev");
        assert.ok(plan.models.length > 0 && plan.models.every((m) => m.engine === "simulator"));
        assert.strictEqual(plan.simulators.length, plan.models.length);
        assert.deepStrictEqual(plan.charts.vllmStack.values.servingEngineSpec.modelSpec, []);
        assert.strictEqual(plan.gpuNodePool, undefined);
        assert.strictEqual(plan.cost?.monthlyMax, 0);
        assert.ok(plan.models.every((m) => m.minReplicas === 0), "dev shows 1 -> N -> 0");
    });

    it("gke is an L4 pool that scales to zero, within its budget", () => {
        const plan = planStack("gke");
        const pool = plan.gpuNodePool!;
        assert.deepStrictEqual([pool.provider, pool.gke?.acceleratorType, pool.minNodes], ["gke", "nvidia-l4", 0]);
        assert.strictEqual(plan.cost?.monthlyMin, 0);
        assert.ok(plan.cost!.monthlyMax > 0);
    });

    it("eks serves a tensor-parallel model on nodes with enough GPUs, with the device plugin", () => {
        const plan = planStack("eks");
        const pool = plan.gpuNodePool!;
        assert.strictEqual(pool.provider, "eks");
        const tp = plan.models.find((m) => m.gpusPerReplica > 1);
        assert.ok(tp, "a model with gpusPerReplica > 1");
        assert.ok(pool.gpusPerNode >= tp.gpusPerReplica);
        assert.ok(pool.devicePlugin, "AL2023 NVIDIA AMI: the package installs the device plugin");
        const spec = plan.charts.vllmStack.values.servingEngineSpec.modelSpec.find((m: any) => m.name === tp.name);
        assert.strictEqual(spec.vllmConfig.tensorParallelSize, tp.gpusPerReplica);
    });
});
