//go:build tools

// Package tools pins KEDA's operator and metrics adapter (github.com/kedacore/keda/v2, version in
// go.mod) for the end-to-end harness; e2e/tools/build.sh builds both with `go build`.
package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/adapter"
	_ "github.com/kedacore/keda/v2/cmd/operator"
)
