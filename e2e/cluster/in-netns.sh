#!/usr/bin/env bash
# Run a command inside the end-to-end network namespace, creating the namespace first if needed.
#
#   bash e2e/cluster/in-netns.sh <command> [args...]   e.g. bash e2e/cluster/in-netns.sh npx mocha ...
#   bash e2e/cluster/in-netns.sh                       only make sure the namespace exists
#
# The namespace (E2E_NETNS, default NETNS_DEFAULT of cluster.env: vllm-e2e) has only `lo` up and a resolv.conf naming 127.0.0.1:
# a connect to any other address fails at once with ENETUNREACH, and DNS answers nothing. The
# local control plane of e2e/cluster/cluster.sh listens on 127.0.0.1 *inside* it, so every client
# (kubectl, pulumi, mocha) must run in it too. KUBECONFIG defaults to that cluster's kubeconfig
# when it exists and the caller did not set KUBECONFIG. Needs root (ip netns).
set -euo pipefail

# shellcheck source=cluster.env
source "$(dirname "${BASH_SOURCE[0]}")/cluster.env"
NS=${E2E_NETNS:-$NETNS_DEFAULT}

ensure_netns() {
  if [[ ! -e /run/netns/$NS ]]; then
    # Tolerate a concurrent creator: only fail if it still does not exist afterwards.
    ip netns add "$NS" 2>/dev/null || [[ -e /run/netns/$NS ]] || {
      echo "in-netns: cannot create network namespace $NS (ip netns add needs root)" >&2
      exit 1
    }
  fi
  ip netns exec "$NS" ip link set lo up
  mkdir -p "/etc/netns/$NS"
  local resolv="/etc/netns/$NS/resolv.conf"
  [[ "$(cat "$resolv" 2>/dev/null)" == "nameserver 127.0.0.1" ]] || echo "nameserver 127.0.0.1" >"$resolv"
}

ensure_netns
(($# == 0)) && exit 0

kubeconfig="${E2E_CLUSTER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.e2e/cluster}/kubeconfig"
if [[ -z "${KUBECONFIG:-}" && -f $kubeconfig ]]; then
  export KUBECONFIG=$kubeconfig
fi
exec ip netns exec "$NS" "$@"
