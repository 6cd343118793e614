// Pulumi component: autoscaled vLLM inference on Kubernetes (KEDA, kube-prometheus-stack, vLLM Production Stack) with LLM-aware scaling signals
package vllmautoscaling
