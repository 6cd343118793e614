#!/usr/bin/env bash
# The Python and Go SDKs, generated from sdk/schema.json by sdk/gen (Pulumi's code generators as Go libraries).
#
#   scripts/sdk.sh gen      rewrite sdk/python and sdk/go            (npm run sdk)
#   scripts/sdk.sh check    fail if they differ from what sdk/gen makes (npm run sdk:check)
#   scripts/sdk.sh verify   install the Python SDK into a venv and import it; build and vet the Go SDK
#                           (npm run sdk:verify)
#
# Everything Go and pip download or build stays under .tmp/ in the clone (git-ignored), so nothing outside
# it is needed or cached: GOMODCACHE=.tmp/go/mod, GOCACHE=.tmp/go/cache, the venv in .tmp/venv.
# Set ROOT to run on another checkout of the package (default: this script's repository).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${ROOT:-$here}" && pwd)
tmp="$here/.tmp"

export GOMODCACHE="$tmp/go/mod" GOCACHE="$tmp/go/cache" GOFLAGS=-modcacherw GOTOOLCHAIN=local
mkdir -p "$tmp/go"

# The generator binary; `go build` is a no-op when nothing changed.
sdkgen="$tmp/go/bin/sdkgen"
build_sdkgen() { go -C "$here/sdk/gen" build -o "$sdkgen" .; }

# pkg/v3 and sdk/v3 are released together: build the Go SDK against the sdk/v3 the generator uses (at least
# the one the generated go.mod asks for), so that the compiled packages are shared in GOCACHE.
sdk_v3() { go -C "$here/sdk/gen" list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3; }

# The pulumi Python SDK matching the Node SDK the package is written with.
pulumi_version() { node -p 'require(process.argv[1]).dependencies["@pulumi/pulumi"]' "$root/package.json"; }

verify_python() {
  local venv="$tmp/venv" src="$tmp/sdk-python"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # Build from a copy: an in-tree pip build leaves build/ and *.egg-info in sdk/python.
  rm -rf "$src" && cp -r "$root/sdk/python" "$src"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$src" "pulumi==$(pulumi_version)"
  # Every resource of the schema is a class of the package, with its Args class.
  "$venv/bin/python" - "$root/sdk/schema.json" <<'EOF'
import json, sys
import pulumi_vllm_autoscaling as sdk
names = [token.split(":")[-1] for token in json.load(open(sys.argv[1]))["resources"]]
missing = [n for n in names + [n + "Args" for n in names] if not hasattr(sdk, n)]
assert not missing, f"missing from pulumi_vllm_autoscaling: {missing}"
print(f"python: pulumi_vllm_autoscaling imports, with {', '.join(sorted(names))}")
EOF
}

verify_go() {
  local src="$tmp/sdk-go"
  # Build a copy: the committed SDK is exactly the generator's output (go.mod without go.sum, as
  # `pulumi package add` writes it); tidying adds go.sum and the indirect requirements.
  rm -rf "$src" && cp -r "$root/sdk/go" "$src"
  local want have
  want=$(sdk_v3)
  have=$(sed -n 's|.*github.com/pulumi/pulumi/sdk/v3 \(v[^ ]*\).*|\1|p' "$src/go.mod" | head -n 1)
  if [ "$(printf '%s\n%s\n' "$have" "$want" | sort -V | tail -n 1)" = "$want" ]; then
    go -C "$src" mod edit -require="github.com/pulumi/pulumi/sdk/v3@$want"
  fi
  go -C "$src" mod tidy
  go -C "$src" build ./...
  go -C "$src" vet ./...
  echo "go: $(go -C "$src" list -m) builds and vets"
}

case "${1:-gen}" in
  gen) build_sdkgen && "$sdkgen" -root "$root" ;;
  check) build_sdkgen && "$sdkgen" -root "$root" -check ;;
  verify) verify_python && verify_go ;;
  *) echo "usage: $0 [gen|check|verify]" >&2; exit 2 ;;
esac
