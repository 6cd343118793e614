"""The dev stack of vllm-autoscaling (stacks/Pulumi.dev.yaml) written in Python: one model served by the CPU
simulator (no GPU, no cloud account) on the cluster of the ambient kubeconfig (kind, k3d, minikube), scaled by
KEDA from 0 (idle) to 1 (first request) and out to 4 under load.

    pulumi config set --secret hfToken hf_...   # optional: only gated models need it
    pulumi up
"""
import pulumi
import pulumi_vllm_autoscaling as vllm

config = pulumi.Config()
# A secret Output (or None): the token reaches the component (and its Kubernetes Secret) encrypted in state.
hf_token = config.get_secret("hfToken")

llm = vllm.LlmInference(
    "chat",
    models=[
        {
            "name": "qwen-0-5b",
            "model_url": "Qwen/Qwen2.5-0.5B-Instruct",
            "engine": "simulator",
            # Requests one replica runs at once; more wait in its queue (the scaling signals read both).
            "max_num_seqs": 8,
            "simulator": {
                "time_to_first_token_ms": 200,
                "inter_token_latency_ms": 50,
                "startup_seconds": 10,
            },
            "hf_token": hf_token,
            "autoscaling": {
                "min_replicas": 0,
                "max_replicas": 4,
                "target_queue_depth": 5,
                "cooldown_seconds": 300,
            },
        }
    ],
)

pulumi.export("endpoint", llm.endpoint)
pulumi.export("scaledObjectNames", llm.scaled_object_names)
