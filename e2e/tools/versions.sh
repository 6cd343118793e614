#!/usr/bin/env bash
# Reads the version pins of the end-to-end engines. The `require` lines of the wrapper modules
# beside this file (e2e/tools/<set>/go.mod) are the only place a version is written; the
# Kubernetes provider plugin is installed under the @pulumi/kubernetes version in package.json.
#
#   bash e2e/tools/versions.sh                 # table: set, module, pinned version
#   bash e2e/tools/versions.sh <set> <module>  # one pinned version, e.g. kubernetes k8s.io/kubernetes
#   source e2e/tools/versions.sh               # then: e2e_pin <set> <module>; e2e_kubernetes_plugin_version
#
# Parses go.mod text, so it needs neither `go` nor the network.

E2E_TOOLS_DIR="${E2E_TOOLS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
E2E_REPO_ROOT="${E2E_REPO_ROOT:-$(cd "$E2E_TOOLS_DIR/../.." && pwd)}"

# The main module each wrapper set pins (the one whose version the harness reports).
e2e_set_module() {
  case "$1" in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kwok) echo sigs.k8s.io/kwok ;;
    kubernetes) echo k8s.io/kubernetes ;;
    keda) echo github.com/kedacore/keda/v2 ;;
    karpenter) echo sigs.k8s.io/karpenter ;;
    pulumi) echo github.com/pulumi/pulumi/pkg/v3 ;;
    pulumi-language-nodejs) echo github.com/pulumi/pulumi/sdk/v3 ;;
    pulumi-language-yaml) echo github.com/pulumi/pulumi-yaml ;;
    pulumi-kubernetes) echo github.com/pulumi/pulumi-kubernetes/provider/v4 ;;
    *) echo "e2e/tools/versions.sh: unknown set '$1'" >&2; return 1 ;;
  esac
}
E2E_SETS=(etcd kwok kubernetes keda karpenter pulumi-language-nodejs pulumi pulumi-language-yaml pulumi-kubernetes)

# e2e_pin <set> [module]: the version that e2e/tools/<set>/go.mod requires of module.
e2e_pin() {
  local set="$1" mod="${2:-}" gomod v
  [[ -n "$mod" ]] || mod="$(e2e_set_module "$set")" || return 1
  gomod="$E2E_TOOLS_DIR/$set/go.mod"
  [[ -f "$gomod" ]] || { echo "e2e/tools/versions.sh: no $gomod" >&2; return 1; }
  v="$(awk -v m="$mod" '
    /^require[ \t]*\($/ { block = 1; next }
    block && /^\)/ { block = 0; next }
    $1 == "require" && $2 == m { print $3; exit }
    block && $1 == m { print $2; exit }
  ' "$gomod")"
  [[ -n "$v" ]] || { echo "e2e/tools/versions.sh: $gomod does not require $mod" >&2; return 1; }
  echo "$v"
}

# The provider plugin version: the @pulumi/kubernetes dependency in package.json.
e2e_kubernetes_plugin_version() {
  local v
  v="$(sed -n 's/^[[:space:]]*"@pulumi\/kubernetes":[[:space:]]*"\([^"]*\)".*/\1/p' \
    "$E2E_REPO_ROOT/package.json" | head -n 1)"
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || {
    echo "e2e/tools/versions.sh: no exact @pulumi/kubernetes version in package.json (got '$v')" >&2
    return 1
  }
  echo "$v"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  if [[ $# -ge 1 ]]; then
    e2e_pin "$@"
  else
    for s in "${E2E_SETS[@]}"; do
      m="$(e2e_set_module "$s")"
      printf '%-24s %-50s %s\n' "$s" "$m" "$(e2e_pin "$s" "$m")"
    done
    printf '%-24s %-50s %s\n' "(plugin)" "kubernetes (package.json @pulumi/kubernetes)" \
      "$(e2e_kubernetes_plugin_version)"
  fi
fi
