//go:build tools

// Package tools pins the kwok command (sigs.k8s.io/kwok, version in go.mod) for the end-to-end
// harness; e2e/tools/build.sh builds it with `go build sigs.k8s.io/kwok/cmd/kwok`.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
