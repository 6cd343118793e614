#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end suite on the real engines, in shards that run side by side.
# Each shard is one mocha run with its own local cluster (e2e/cluster/cluster.sh) in its own
# network namespace and state folder, so the ports never clash. The suite mostly waits on real
# time (KEDA's polls, the HPA's syncs, scale-down windows, a 210 s trace), so two clusters share
# the 2 cores with little contention, and the wall time is the longest shard's, not the sum.
#
#   npm run test:e2e                     the shards side by side (what CI runs)
#   E2E_SERIAL=1 npm run test:e2e        one cluster, every file in turn (slower; one set of logs)
#   npm run test:e2e -- loop demo        only these files (stems under tests/e2e), in one shard
#
# Every compiled tests/e2e/*.e2e.js must be in exactly one shard: a new file fails the run until
# it is placed. A shard's output is printed whole when it ends (mocha's own summary included).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DIST=dist/tests/e2e
MOCHA=(node_modules/.bin/mocha --config .mocharc.e2e.json)
# shellcheck source=cluster/cluster.env
source "$ROOT/e2e/cluster/cluster.env"

# Balanced by the measured times (warm CI at e9cd1c8+, three shards): the scaling loop (about 7.5 min),
# the GPU and dev stacks, the demo and Karpenter (about 10), the YAML and Python programs and the two
# stacks in one cluster (about 4.5 + 3.5). The third shard has no timing bound of the scaling loop's
# or the demo's, so it runs at a lower CPU priority (NICE) and takes what the timed shards leave.
SHARDS=("loop coldStartRoute" "deploy demo karpenter" "languages sharedCluster")
NICE=(0 0 10)

die() { echo "test:e2e: $*" >&2; exit 1; }
files_of() { local s; for s in $1; do printf '%s/%s.e2e.js ' "$DIST" "$s"; done; }

all=$(cd "$DIST" 2>/dev/null && ls -- *.e2e.js | sed 's/\.e2e\.js$//' | sort) || die "no compiled suite in $DIST (npm run build)"
if (($# > 0)); then
  SHARDS=("$*")
elif [[ -n "${E2E_SERIAL:-}" ]]; then
  SHARDS=("$(printf '%s ' "${SHARDS[@]}")")
fi
if (($# == 0)); then
  placed=$(printf '%s\n' ${SHARDS[*]} | sort)
  [[ "$placed" == "$all" ]] || die "the shards in e2e/run.sh must name each suite once; compiled: $(echo $all), placed: $(echo $placed)"
fi
for s in ${SHARDS[*]}; do [[ -f $DIST/$s.e2e.js ]] || die "no suite $DIST/$s.e2e.js"; done

# Shard 0 keeps the defaults (namespace NETNS_DEFAULT of cluster.env, state .e2e/cluster), as `npm run e2e:cluster` has them.
mkdir -p .e2e/logs
pids=() logs=() started=$SECONDS
for i in "${!SHARDS[@]}"; do
  log=.e2e/logs/shard-$i.log
  logs+=("$log")
  if ((i == 0)); then ns=${E2E_NETNS:-$NETNS_DEFAULT} dir=${E2E_CLUSTER_DIR:-$ROOT/.e2e/cluster}
  else ns=${E2E_NETNS:-$NETNS_DEFAULT}-$i dir=${E2E_CLUSTER_DIR:-$ROOT/.e2e/cluster}-$i; fi
  echo "test:e2e: shard $i ($(echo ${SHARDS[$i]})): network namespace $ns, cluster $(realpath -m --relative-to="$ROOT" "$dir"), log $log"
  # shellcheck disable=SC2046
  E2E_NETNS=$ns E2E_CLUSTER_DIR=$dir KUBECONFIG=$dir/kubeconfig \
    nice -n "${NICE[$i]:-0}" bash e2e/cluster/in-netns.sh "${MOCHA[@]}" $(files_of "${SHARDS[$i]}") >"$log" 2>&1 &
  pids+=($!)
done

status=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then rc=0; else rc=$?; status=1; fi
  echo
  echo "==== shard $i ($(echo ${SHARDS[$i]})): exit $rc, $((SECONDS - started)) s since the shards started"
  cat "${logs[$i]}"
done
echo "test:e2e: $((SECONDS - started)) s for ${#SHARDS[@]} shard(s) side by side"
exit "$status"
