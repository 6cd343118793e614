#!/usr/bin/env bash
# The Python and Go SDKs, generated from sdk/schema.json by sdk/gen (Pulumi's code generators as Go libraries).
#
#   scripts/sdk.sh gen      rewrite sdk/python and sdk/go            (npm run sdk)
#   scripts/sdk.sh check    fail if they differ from what sdk/gen makes (npm run sdk:check)
#   scripts/sdk.sh python   install the Python SDK into a venv, run sdk/tests/python (unittest, Pulumi mocks)
#                           and the Python example under mocks
#   scripts/sdk.sh go       build and vet the Go SDK, run sdk/tests/go and the Go example under mocks (go test)
#   scripts/sdk.sh verify   python, then go                            (npm run sdk:verify)
#
# The examples' registrations (type, name, inputs) go to .tmp/examples/<language>.json, where the mocha tests
# (tests/sdk.test.ts, which run check, python and go) compare them against sdk/schema.json and the dev stack.
#
# Go's module and build caches are the machine's own (GOMODCACHE / GOCACHE, as the end-to-end engines use), so a
# fresh clone reuses what an earlier run built; pip's cache and the venv stay under .tmp/ in the clone (git-ignored).
# Set ROOT to run on another checkout of the package (default: this script's repository).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${ROOT:-$here}" && pwd)
tmp="$here/.tmp"

export GOFLAGS=-modcacherw GOTOOLCHAIN=local
export PIP_CACHE_DIR="$tmp/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$tmp/go" "$tmp/examples"

# The generator binary; `go build` is a no-op when nothing changed.
sdkgen="$tmp/go/bin/sdkgen"
build_sdkgen() { go -C "$here/sdk/gen" build -o "$sdkgen" .; }

# pkg/v3 and sdk/v3 are released together: sdk/tests/go and sdk/examples/go require the sdk/v3 the generator
# uses (at least the one the generated go.mod asks for), so that the compiled packages are shared in GOCACHE.
sdk_v3() { go -C "$1" list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3; }

# The pulumi Python SDK matching the Node SDK the package is written with.
pulumi_version() { node -p 'require(process.argv[1]).dependencies["@pulumi/pulumi"]' "$root/package.json"; }

verify_python() {
  local venv="$tmp/venv" src="$tmp/sdk-python"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # Build from a copy: an in-tree pip build leaves build/ and *.egg-info in sdk/python.
  rm -rf "$src" && cp -r "$root/sdk/python" "$src"
  "$venv/bin/pip" install --quiet "$src" "pulumi==$(pulumi_version)"
  # Every resource of the schema is a class of the package, with its Args class.
  "$venv/bin/python" - "$root/sdk/schema.json" <<'EOF'
import json, sys
import pulumi_vllm_autoscaling as sdk
names = [token.split(":")[-1] for token in json.load(open(sys.argv[1]))["resources"]]
missing = [n for n in names + [n + "Args" for n in names] if not hasattr(sdk, n)]
assert not missing, f"missing from pulumi_vllm_autoscaling: {missing}"
print(f"python: pulumi_vllm_autoscaling imports, with {', '.join(sorted(names))}")
EOF
  # The SDK under the Pulumi Python SDK's mocks, then the example (its registrations for the mocha tests).
  (cd "$root/sdk/tests/python" && "$venv/bin/python" -m unittest -v 2>&1)
  (cd "$root/sdk/tests/python" && "$venv/bin/python" run_example.py "$root/sdk/examples/python" "$tmp/examples/python.json")
}

verify_go() {
  # sdk/tests/go and sdk/examples/go use the committed SDK through a replace directive, with their own go.sum;
  # the SDK itself is the generator's output plus the go.sum `go mod tidy` writes for it.
  local sdk_module want m
  sdk_module=$(go -C "$root/sdk/go" list -m)
  want=$(sdk_v3 "$here/sdk/gen")
  for m in sdk/tests/go sdk/examples/go; do
    [ "$(sdk_v3 "$root/$m")" = "$want" ] ||
      echo "go: warning: $m requires pulumi sdk/v3 $(sdk_v3 "$root/$m"), sdk/gen $want (go -C $m get github.com/pulumi/pulumi/sdk/v3@$want && go -C $m mod tidy)" >&2
  done
  # The SDK on its own, with its committed go.sum (read-only: a missing entry fails).
  go -C "$root/sdk/go" build -mod=readonly ./...
  go -C "$root/sdk/tests/go" build "$sdk_module/..."
  go -C "$root/sdk/tests/go" vet "$sdk_module/..." ./...
  echo "go: $sdk_module builds and vets"
  go -C "$root/sdk/tests/go" test -count=1 -v ./...
  go -C "$root/sdk/examples/go" vet ./...
  EXAMPLE_REGISTRATIONS="$tmp/examples/go.json" go -C "$root/sdk/examples/go" test -count=1 -v ./...
}

case "${1:-gen}" in
  # go.sum next to the generated go.mod, so that `go build ./...` works in sdk/go itself.
  gen) build_sdkgen && "$sdkgen" -root "$root" && go -C "$root/sdk/go" mod tidy ;;
  check) build_sdkgen && "$sdkgen" -root "$root" -check ;;
  python) verify_python ;;
  go) verify_go ;;
  verify) verify_python && verify_go ;;
  *) echo "usage: $0 [gen|check|python|go|verify]" >&2; exit 2 ;;
esac
