//go:build tools

// Package tools pins the Node.js language host (github.com/pulumi/pulumi/sdk/v3, version in
// go.mod) for the end-to-end harness; e2e/tools/build.sh builds it with `go build`.
// A module of its own: the newest sdk/v3 that still holds nodejs/cmd/pulumi-language-nodejs is
// older than the sdk/v3 the CLI needs, and its own module path is not served.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)
