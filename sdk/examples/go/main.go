// The dev stack of vllm-autoscaling (stacks/Pulumi.dev.yaml) written in Go: one model served by the CPU
// simulator (no GPU, no cloud account) on the cluster of the ambient kubeconfig (kind, k3d, minikube),
// scaled by KEDA from 0 (idle) to 1 (first request) and out to 4 under load.
//
//	pulumi config set --secret hfToken hf_...   # optional: only gated models need it
//	pulumi up
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	vllm "github.com/vllm-autoscaling/vllm-autoscaling/sdk/go/vllmautoscaling"
)

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")

	engine := vllm.EngineSIMULATOR
	model := vllm.ModelArgs{
		Name:     "qwen-0-5b",
		ModelUrl: "Qwen/Qwen2.5-0.5B-Instruct",
		Engine:   &engine,
		// Requests one replica runs at once; more wait in its queue (the scaling signals read both).
		MaxNumSeqs: pulumi.Float64Ref(8),
		Simulator: &vllm.SimulatorArgs{
			TimeToFirstTokenMs:  pulumi.Float64Ref(200),
			InterTokenLatencyMs: pulumi.Float64Ref(50),
			StartupSeconds:      pulumi.Float64Ref(10),
		},
		Autoscaling: vllm.AutoscalingArgs{
			MinReplicas:      pulumi.Float64Ref(0),
			MaxReplicas:      4,
			TargetQueueDepth: pulumi.Float64Ref(5),
			CooldownSeconds:  pulumi.Float64Ref(300),
		},
	}
	// A secret Output: the token reaches the component (and its Kubernetes Secret) encrypted in state.
	if token, err := cfg.TrySecret("hfToken"); err == nil {
		model.HfToken = token
	}

	llm, err := vllm.NewLlmInference(ctx, "chat", &vllm.LlmInferenceArgs{
		Models: []vllm.ModelArgs{model},
	})
	if err != nil {
		return err
	}
	ctx.Export("endpoint", llm.Endpoint)
	ctx.Export("scaledObjectNames", llm.ScaledObjectNames)
	return nil
}
