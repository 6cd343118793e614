//go:build tools

// Package tools pins the Node.js and Python language hosts (github.com/pulumi/pulumi/sdk/v3,
// version in go.mod) for the end-to-end harness; e2e/tools/build.sh builds them with `go build`.
// A module of its own: the newest sdk/v3 that still holds nodejs/cmd/pulumi-language-nodejs is
// older than the sdk/v3 the CLI needs, and the hosts' own module paths are not served.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
