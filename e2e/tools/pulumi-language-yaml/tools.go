//go:build tools

// Package tools pins the YAML language host (github.com/pulumi/pulumi-yaml, version in go.mod)
// for the end-to-end harness; e2e/tools/build.sh builds it with `go build`, with the pulumi
// pkg/v3 and sdk/v3 that pulumi-yaml itself requires (v3.206.0): it does not compile against the
// CLI's v3.274.1 (plugin.NewContextWithRoot and schema.NewPluginLoader changed since).
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
