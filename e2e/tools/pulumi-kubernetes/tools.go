//go:build tools

// Package tools pins the Kubernetes resource provider (github.com/pulumi/pulumi-kubernetes/
// provider/v4, version in go.mod) for the end-to-end harness. Its command embeds generated
// files that the module zip lacks, so e2e/tools/build.sh copies the module into .e2e/build,
// generates them there and builds the command against this module's requirements. The import
// below is what that command imports (and its generate.go, codegen/schema, comes with them),
// which keeps go.sum complete.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)
