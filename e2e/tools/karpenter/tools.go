//go:build tools

// Package tools pins Karpenter's core with its kwok cloud provider (sigs.k8s.io/karpenter, version
// in go.mod: the line of the karpenter chart the package pins) for the end-to-end harness, which
// runs it as the local cluster's node autoscaler; e2e/tools/build.sh builds it with `go build`.
package tools

import _ "sigs.k8s.io/karpenter/kwok"
