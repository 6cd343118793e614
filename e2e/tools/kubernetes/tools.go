//go:build tools

// Package tools pins the Kubernetes control-plane commands (k8s.io/kubernetes, version in go.mod)
// for the end-to-end harness; e2e/tools/build.sh builds each of them with `go build`.
// Importing every built command keeps go.sum complete.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
