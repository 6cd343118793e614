#!/usr/bin/env bash
# A local Kubernetes control plane for the end-to-end tests, without containers:
#
#   npm run e2e:cluster -- up [--keda-crds] [--no-keda] [--karpenter]
#                                                         start (idempotent; repairs dead processes)
#   npm run e2e:cluster -- down [--keep-data] [--netns]   stop what `up` started (by recorded pid)
#   npm run e2e:cluster -- status                         processes, /version, nodes (exit 1 if down)
#   npm run e2e:cluster -- restart NAME [--signal TERM|KILL] [--down SECONDS]
#                                                         one process by its recorded pid: stopped (or
#                                                         killed), left down, started again as `up` does
#   npm run e2e:cluster -- kubectl <args...>              kubectl inside the namespace
#
# Everything runs inside the network namespace E2E_NETNS (default vllm-e2e) where only `lo` is up:
# the charts register admission webhooks and an APIService pointing at ClusterIPs; with no
# kube-proxy the API server would dial those through the default route, off the machine. In the
# namespace such a connect fails at once (ENETUNREACH). Clients must run there too:
# `bash e2e/cluster/in-netns.sh <cmd>` or `ip netns exec vllm-e2e .e2e/bin/kubectl ...`.
#
# Ports, the HPA timings and the cluster's addresses: e2e/cluster/cluster.env (declared once; the
# TypeScript harness reads the same file). Manifests (kwok's configuration and stages, the nodes,
# the external metrics APIService): e2e/cluster/manifests/, ${NAME} filled in from this script.
#
# Processes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (fake nodes
# cpu-0, gke-l4-0, gke-l4-1), and KEDA's operator and metrics adapter out of cluster. The KEDA
# CRDs are not applied unless `up --keda-crds` (the stacks under test install them with the KEDA
# chart, and Helm refuses CRDs it does not own): KEDA's processes start through a wrapper that
# waits (E2E_KEDA_CRD_WAIT seconds, default 900) for scaledobjects.keda.sh to be Established and
# then execs the binary, so the recorded pid is the binary's. `up --karpenter` also applies
# Karpenter's CRDs (.e2e/karpenter-crds, from the module) and runs Karpenter's core with its kwok
# provider (karpenter-kwok) out of cluster as the node autoscaler: it makes kwok nodes (annotated
# kwok.x-k8s.io/node=fake, so this kwok manages them) from the instance types of
# manifests/karpenter-instance-types.json. The adapter's wrapper also creates
# the Service e2e-system/keda-e2e-metrics-apiserver (ExternalName localhost) and the APIService
# v1beta1.external.metrics.k8s.io pointing at it (only then, so that API discovery never sees an
# APIService without a backend).
#
# Environment: E2E_NETNS, E2E_POD_READY_DELAY (pod readiness delay standing for model load,
# e.g. 5s, 500ms, 1m; default 0; read when kwok starts), E2E_HPA_SYNC_PERIOD and
# E2E_HPA_DOWNSCALE_STABILIZATION (defaults in cluster.env), E2E_KEDA_CRD_WAIT, E2E_CLUSTER_DIR.
# State (certificates, etcd data, logs, pids, kubeconfig): E2E_CLUSTER_DIR, default .e2e/cluster/.
# Two clusters run side by side when each has its own E2E_NETNS and E2E_CLUSTER_DIR (the ports are
# per namespace): that is how `npm run test:e2e` runs its shards. Binaries: .e2e/bin/
# (built by `npm run e2e:tools`). Needs root (ip netns), openssl and curl.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
ROOT=$(cd "$HERE/../.." && pwd)
# Ports, timings and addresses: declared once, in cluster.env (the TypeScript harness reads it too).
# shellcheck source=cluster.env
source "$HERE/cluster.env"
MANIFESTS=$HERE/manifests
NS=${E2E_NETNS:-$NETNS_DEFAULT}
BIN=$ROOT/.e2e/bin
STATE=${E2E_CLUSTER_DIR:-$ROOT/.e2e/cluster}
KEDA_CRDS=$ROOT/.e2e/keda-crds
KARPENTER_CRDS=$ROOT/.e2e/karpenter-crds
PKI=$STATE/pki LOGS=$STATE/logs PIDS=$STATE/pids KC=$STATE/kubeconfig

NODES=(cpu-0 gke-l4-0 gke-l4-1)
CONTROL_PLANE=(kube-apiserver kube-controller-manager kube-scheduler kwok)
KEDA=(keda-operator keda-adapter)
KARPENTER=(karpenter-kwok)
CRD=scaledobjects.keda.sh APISERVICE=v1beta1.external.metrics.k8s.io

say() { printf '%s\n' "$*"; }
die() { printf 'e2e-cluster: %s\n' "$*" >&2; exit 1; }
rel() { printf '%s' "${1#"$ROOT"/}"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
in_ns() { ip netns exec "$NS" "$@"; }
kctl() { in_ns "$BIN/kubectl" --kubeconfig "$KC" "$@"; }
api() { in_ns curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$P_APISERVER$1"; }

need_bins() {
  local b
  for b; do
    [[ -x $BIN/$b ]] || die "missing binary $(rel "$BIN/$b"): 'npm run e2e:tools' builds it"
  done
}
need_tools() {
  local t
  for t in ip openssl curl base64 setsid; do command -v "$t" >/dev/null || die "missing tool: $t"; done
  ((EUID == 0)) || die "needs root (ip netns)"
}

# --- processes ------------------------------------------------------------------------------------

pid_of() { cat "$PIDS/$1.pid" 2>/dev/null || true; }
# Alive = the recorded pid runs our binary (checked on its command line, so a reused pid or a
# zombie does not count). KEDA's wrapper carries the binary's path among its arguments.
alive() {
  local pid cmd
  pid=$(pid_of "$1")
  [[ -n $pid ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *"$BIN/$1 "* ]]
}

STARTED=()
# start NAME [VAR=value...] COMMAND...: in the namespace, in its own session, proxies unset.
start() {
  local name=$1
  shift
  if alive "$name"; then
    say "  $name already running (pid $(pid_of "$name"))"
    return
  fi
  local log=$LOGS/$name.log
  [[ -f $log ]] && mv -f "$log" "$log.prev"
  # ip netns exec, setsid (not a group leader here) and env all exec: $! is the process itself.
  ip netns exec "$NS" setsid env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy \
    -u NO_PROXY -u no_proxy -u KUBECONFIG "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PIDS/$name.pid"
  STARTED+=("$name")
  say "  started $name  pid $pid  log $(rel "$log")"
}

# Fails (with the log's tail) if a process started by this run has exited.
started_alive() {
  local n
  for n in "${STARTED[@]}"; do
    if ! alive "$n"; then
      say "$n (pid $(pid_of "$n")) exited; last lines of $(rel "$LOGS/$n.log"):" >&2
      tail -n 25 "$LOGS/$n.log" >&2 || true
      return 1
    fi
  done
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...
wait_for() {
  local desc=$1 end=$(($(date +%s) + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    started_alive || die "while waiting for $desc (stop with: npm run e2e:cluster -- down)"
    (($(date +%s) < end)) || die "timed out waiting for $desc (logs in $(rel "$LOGS"))"
    sleep 0.2
  done
  [[ -z ${T0:-} ]] || say "  $desc  (at $(since "$T0")s)"
}

# stop NAME...: SIGTERM to those alive, SIGKILL after 20 s; reports each.
stop() {
  local n pid t0 end names=() left
  local -A took=()
  t0=$(now)
  for n; do
    pid=$(pid_of "$n")
    if alive "$n"; then
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$n")
    elif [[ -n $pid ]]; then
      say "  $n not running (stale pid $pid)"
      rm -f "$PIDS/$n.pid"
    fi
  done
  end=$(($(date +%s) + 20))
  while :; do
    left=0
    for n in "${names[@]}"; do
      [[ -n ${took[$n]:-} ]] && continue
      if alive "$n"; then left=1; else took[$n]=$(since "$t0"); fi
    done
    ((left == 0)) || (($(date +%s) >= end)) && break
    sleep 0.1
  done
  for n in "${names[@]}"; do
    pid=$(pid_of "$n")
    if [[ -n ${took[$n]:-} ]]; then
      say "  stopped $n (pid $pid) in ${took[$n]}s"
    else
      kill -KILL "$pid" 2>/dev/null || true
      say "  killed $n (pid $pid): still running 20 s after SIGTERM"
    fi
    rm -f "$PIDS/$n.pid"
  done
}

# --- certificates and kubeconfig ------------------------------------------------------------------

new_ca() { # NAME CN
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 3650 \
    -keyout "$1.key" -out "$1.crt" -subj "/CN=$2" -config <(printf '%s\n' '[req]' \
    'distinguished_name=dn' 'x509_extensions=ext' '[dn]' '[ext]' \
    'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' \
    'subjectKeyIdentifier=hash') 2>/dev/null
}
new_cert() { # NAME CA SUBJECT EKU [SANS]
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$1.key" \
    -out "$1.csr" -subj "$3" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 3650 \
    -out "$1.crt" -extfile <(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature' "extendedKeyUsage=$4" 'authorityKeyIdentifier=keyid' \
    ${5:+"subjectAltName=$5"}) 2>/dev/null
  rm -f "$1.csr"
}

gen_pki() {
  [[ -f $PKI/done ]] && return
  rm -rf "$PKI" && mkdir -p "$PKI" && chmod 700 "$PKI"
  (
    cd "$PKI"
    new_ca ca vllm-e2e-ca
    new_ca front-proxy-ca vllm-e2e-front-proxy-ca
    new_cert apiserver ca /CN=kube-apiserver serverAuth "IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    new_cert admin ca "/O=system:masters/CN=vllm-e2e-admin" clientAuth
    new_cert front-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
    # KEDA's operator <-> adapter gRPC is mutual TLS from the same directory; the adapter also
    # serves the external metrics API with it.
    new_cert keda ca /CN=keda-e2e serverAuth,clientAuth "IP:127.0.0.1,DNS:localhost"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
  )
  mkdir -p "$STATE/keda/certs" "$STATE/keda/ca"
  cp "$PKI/ca.crt" "$STATE/keda/certs/ca.crt"
  cp "$PKI/keda.crt" "$STATE/keda/certs/tls.crt"
  cp "$PKI/keda.key" "$STATE/keda/certs/tls.key"
  cp "$PKI/ca.crt" "$STATE/keda/ca/ca.crt" # --ca-dir must hold only PEM certificates
  touch "$PKI/done"
}

write_kubeconfig() {
  cat >"$KC.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: vllm-e2e
  cluster:
    server: https://127.0.0.1:$P_APISERVER
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: vllm-e2e-admin
  user:
    client-certificate-data: $(base64 -w0 "$PKI/admin.crt")
    client-key-data: $(base64 -w0 "$PKI/admin.key")
contexts:
- name: vllm-e2e
  context:
    cluster: vllm-e2e
    user: vllm-e2e-admin
current-context: vllm-e2e
EOF
  chmod 600 "$KC.tmp" && mv -f "$KC.tmp" "$KC"
}

# --- kwok: configuration and stages (after kwok v0.8.0's kustomize/stage/{node,pod}/...) ----------

duration_ms() { # 0, 500ms, 5s, 1.5s, 2m, or plain seconds
  [[ $1 =~ ^([0-9]+(\.[0-9]+)?)(ms|s|m)?$ ]] || die "bad duration '$1' (examples: 0, 500ms, 5s, 2m)"
  awk -v n="${BASH_REMATCH[1]}" -v u="${BASH_REMATCH[3]:-s}" \
    'BEGIN { printf "%d", n * (u == "ms" ? 1 : u == "m" ? 60000 : 1000) }'
}

# render FILE: a manifest of manifests/ with each ${NAME} replaced by that variable's value. Its
# comment lines are for its reader and left out; a line that is only ${NAME} goes when the value is
# empty (an optional block).
render() {
  local line name
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line != \#* ]] || continue
    if [[ $line =~ ^\$\{([A-Z_][A-Z0-9_]*)\}$ ]]; then
      name=${BASH_REMATCH[1]}
      [[ -z ${!name} ]] || printf '%s\n' "${!name}"
      continue
    fi
    while [[ $line =~ \$\{([A-Z_][A-Z0-9_]*)\} ]]; do
      name=${BASH_REMATCH[1]}
      [[ -v $name ]] || die "$(rel "$1"): \${$name} is not set"
      line=${line//"\${$name}"/${!name}}
    done
    printf '%s\n' "$line"
  done <"$1"
}

write_kwok_config() {
  local ready_delay_ms POD_READY_DELAY=""
  ready_delay_ms=$(duration_ms "${E2E_POD_READY_DELAY:-0}")
  ((ready_delay_ms == 0)) || POD_READY_DELAY=$(printf '  delay:\n    durationMilliseconds: %d' "$ready_delay_ms")
  mkdir -p "$STATE/kwok"
  render "$MANIFESTS/kwok.yaml" >"$STATE/kwok/kwok.yaml"
}

# --- cluster objects ------------------------------------------------------------------------------

nodes_manifest() { render "$MANIFESTS/nodes.yaml"; }
external_metrics_manifest() { render "$MANIFESTS/external-metrics.yaml"; }

crd_established() {
  [[ $(kctl get crd "$CRD" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null) == True ]]
}
apiservice_available() {
  [[ $(kctl get apiservice "$APISERVICE" -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null) == True ]]
}
# Our nodes all Ready and free of node.kubernetes.io/* taints (not-ready, unreachable), so that
# pods schedule right away.
nodes_ready() {
  local out
  out=$(kctl get nodes "${NODES[@]}" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.taints[*].key}{"\n"}{end}') || return 1
  [[ $(awk '$2 == "True" && $0 !~ /node\.kubernetes\.io\// { n++ } END { print n + 0 }' <<<"$out") == "${#NODES[@]}" ]]
}

# --- the processes' command lines -----------------------------------------------------------------

# start_component NAME: starts one process of the cluster as `up` does (nothing if it runs).
start_component() {
  local kcs=(--kubeconfig "$KC" --authentication-kubeconfig "$KC" --authorization-kubeconfig "$KC"
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false)
  local kenv=(WATCH_NAMESPACE= POD_NAMESPACE=keda KEDA_CLUSTER_OBJECT_NAMESPACE=keda KUBECONFIG="$KC")
  local certs=$STATE/keda/certs
  case $1 in
    etcd)
      start etcd "$BIN/etcd" --name e2e --data-dir "$STATE/etcd" \
        --listen-client-urls "http://127.0.0.1:$P_ETCD" --advertise-client-urls "http://127.0.0.1:$P_ETCD" \
        --listen-peer-urls "http://127.0.0.1:$P_ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_ETCD_PEER" \
        --initial-cluster "e2e=http://127.0.0.1:$P_ETCD_PEER" --unsafe-no-fsync --log-level warn
      ;;
    kube-apiserver)
      start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$P_ETCD" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$P_APISERVER" \
        --endpoint-reconciler-type none --service-cluster-ip-range "$SERVICE_CIDR" \
        --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
        --client-ca-file "$PKI/ca.crt" --authorization-mode Node,RBAC --allow-privileged \
        --service-account-issuer https://kubernetes.default.svc.cluster.local \
        --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
        --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
        --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
        --requestheader-extra-headers-prefix X-Remote-Extra- \
        --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
        --enable-aggregator-routing=false --profiling=false
      ;;
    kube-controller-manager)
      start kube-controller-manager "$BIN/kube-controller-manager" "${kcs[@]}" --secure-port "$P_KCM" \
        --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
        --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
        --service-cluster-ip-range "$SERVICE_CIDR" \
        --horizontal-pod-autoscaler-sync-period "${E2E_HPA_SYNC_PERIOD:-$HPA_SYNC_PERIOD_DEFAULT}" \
        --horizontal-pod-autoscaler-downscale-stabilization "${E2E_HPA_DOWNSCALE_STABILIZATION:-$HPA_DOWNSCALE_STABILIZATION_DEFAULT}"
      ;;
    kube-scheduler) start kube-scheduler "$BIN/kube-scheduler" "${kcs[@]}" --secure-port "$P_SCHED" ;;
    # HOME: kwok would also load ~/.kwok/kwok.yaml.
    kwok) start kwok HOME="$STATE/kwok/home" "$BIN/kwok" --kubeconfig "$KC" --config "$STATE/kwok/kwok.yaml" ;;
    keda-operator)
      start keda-operator "${kenv[@]}" POD_NAME="$KEDA_OPERATOR_POD_NAME" OPERATOR_NAME=keda-operator \
        bash "$SELF" __exec-after-crd -- "$BIN/keda-operator" --leader-elect=false \
        --metrics-bind-address "127.0.0.1:$P_KEDA_METRICS" --health-probe-bind-address "127.0.0.1:$P_KEDA_PROBE" \
        --metrics-service-bind-address "127.0.0.1:$P_KEDA_GRPC" --cert-dir "$certs" --ca-dir "$STATE/keda/ca" \
        --enable-cert-rotation=false --zap-encoder console
      ;;
    keda-adapter)
      start keda-adapter "${kenv[@]}" bash "$SELF" __exec-after-crd --apiservice -- "$BIN/keda-adapter" \
        --secure-port "$P_ADAPTER" --bind-address 127.0.0.1 --port "$P_ADAPTER_METRICS" \
        --cert-dir "$certs" --tls-cert-file "$certs/tls.crt" --tls-private-key-file "$certs/tls.key" \
        --client-ca-file "$PKI/ca.crt" --lister-kubeconfig "$KC" --authentication-kubeconfig "$KC" \
        --authorization-kubeconfig "$KC" --metrics-service-address "127.0.0.1:$P_KEDA_GRPC" \
        --zap-encoder console
      ;;
    # Configured by environment only (a --kubeconfig flag made it panic); decisions batched fast for tests.
    karpenter-kwok)
      start karpenter-kwok KUBECONFIG="$KC" DISABLE_LEADER_ELECTION=true SYSTEM_NAMESPACE=kube-system \
        METRICS_PORT="$P_KARPENTER_METRICS" HEALTH_PROBE_PORT="$P_KARPENTER_PROBE" \
        BATCH_IDLE_DURATION=200ms BATCH_MAX_DURATION=2s \
        INSTANCE_TYPES_FILE_PATH="$MANIFESTS/karpenter-instance-types.json" "$BIN/karpenter-kwok"
      ;;
    *) die "no component '$1' (components: etcd ${CONTROL_PLANE[*]} ${KEDA[*]} ${KARPENTER[*]})" ;;
  esac
}

# healthy NAME: the process answers on its own health endpoint (kwok serves none: running is all
# it shows). KEDA's probes are controller-runtime's ping: up, not yet caught up with the cluster.
healthy() {
  case $1 in
    etcd) in_ns curl -fsS --max-time 2 "http://127.0.0.1:$P_ETCD/health" ;;
    kube-apiserver) api /readyz ;;
    kube-controller-manager) in_ns curl -fsSk --max-time 2 "https://127.0.0.1:$P_KCM/healthz" ;;
    kube-scheduler) in_ns curl -fsSk --max-time 2 "https://127.0.0.1:$P_SCHED/healthz" ;;
    kwok) alive kwok ;;
    keda-operator) in_ns curl -fsS --max-time 2 "http://127.0.0.1:$P_KEDA_PROBE/readyz" ;;
    keda-adapter) in_ns curl -fsSk --max-time 2 "https://127.0.0.1:$P_ADAPTER/readyz" ;;
    karpenter-kwok) in_ns curl -fsS --max-time 2 "http://127.0.0.1:$P_KARPENTER_PROBE/healthz" ;;
  esac
}

# --- commands -------------------------------------------------------------------------------------

cmd_up() {
  local keda=1 crds=0 karpenter=0 arg
  for arg; do
    case $arg in
      --keda-crds) crds=1 ;;
      --no-keda) keda=0 ;;
      --karpenter) karpenter=1 ;;
      *) die "up: unknown option $arg (options: --keda-crds, --no-keda, --karpenter)" ;;
    esac
  done
  ((keda || !crds)) || die "up: --keda-crds and --no-keda exclude each other"
  T0=$(now)
  need_tools
  need_bins etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubectl
  ((keda)) && need_bins "${KEDA[@]}"
  if ((karpenter)); then
    need_bins "${KARPENTER[@]}"
    compgen -G "$KARPENTER_CRDS/*.yaml" >/dev/null || die "no Karpenter CRDs in $(rel "$KARPENTER_CRDS"): 'npm run e2e:tools' puts them there"
  fi
  if ((crds)); then
    compgen -G "$KEDA_CRDS/*.yaml" >/dev/null || die "no KEDA CRDs in $(rel "$KEDA_CRDS"): 'npm run e2e:tools' puts them there"
  fi

  bash "$HERE/in-netns.sh"
  mkdir -p "$LOGS" "$PIDS" "$STATE/kwok/home"
  mkdir -p "$STATE/etcd" && chmod 700 "$STATE/etcd"
  gen_pki
  write_kubeconfig
  write_kwok_config
  say "e2e cluster: network namespace $NS, state $(rel "$STATE")"

  start_component etcd
  wait_for "etcd /health" 60 healthy etcd
  start_component kube-apiserver
  wait_for "kube-apiserver /readyz" 180 healthy kube-apiserver
  start_component kube-controller-manager
  start_component kube-scheduler
  start_component kwok
  if ((keda)); then
    start_component keda-operator
    start_component keda-adapter
  elif kctl get apiservice "$APISERVICE" >/dev/null 2>&1; then
    # Without its backend the APIService breaks API discovery (and namespace deletion).
    kctl delete apiservice "$APISERVICE" >/dev/null
    say "  deleted APIService $APISERVICE (no KEDA adapter with --no-keda)"
  fi

  nodes_manifest | kctl apply -f - >/dev/null &
  local nodes_applied=$!
  if ((crds)); then
    kctl apply --server-side --field-manager e2e-cluster -f "$KEDA_CRDS" >/dev/null
    say "  applied KEDA CRDs from $(rel "$KEDA_CRDS")"
  fi
  wait "$nodes_applied" || die "could not create the nodes"
  ((crds)) && wait_for "CRD $CRD Established" 60 crd_established
  if ((karpenter)); then
    kctl apply --server-side --field-manager e2e-cluster -f "$KARPENTER_CRDS" >/dev/null
    wait_for "Karpenter's CRDs Established" 60 kctl wait --for condition=Established --timeout 1s crd/nodepools.karpenter.sh crd/nodeclaims.karpenter.sh crd/kwoknodeclasses.karpenter.kwok.sh
    start_component karpenter-kwok
    wait_for "karpenter-kwok healthy" 120 healthy karpenter-kwok
  fi
  wait_for "nodes ${NODES[*]} Ready and untainted" 90 nodes_ready
  wait_for "ServiceAccount default/default" 60 kctl get serviceaccount default -n default
  if ((keda)); then
    if crd_established; then
      wait_for "APIService $APISERVICE Available" 120 apiservice_available
    else
      say "  KEDA operator and adapter wait for CRD $CRD (the KEDA chart installs it, or: up --keda-crds)"
    fi
  fi
  started_alive || die "a process exited (stop with: npm run e2e:cluster -- down)"

  if ((${#STARTED[@]} == 0)); then
    say "already up and healthy (checked in $(since "$T0")s)"
  else
    say "up in $(since "$T0")s"
  fi
  say "kubectl runs inside the namespace: ip netns exec $NS $(rel "$BIN/kubectl") --kubeconfig $(rel "$KC") get nodes   (or: bash e2e/cluster/in-netns.sh <cmd>)"
  say "KUBECONFIG=$KC"
}

cmd_down() {
  local keep=0 netns=0 arg
  for arg; do
    case $arg in
      --keep-data) keep=1 ;;
      --netns) netns=1 ;;
      *) die "down: unknown option $arg (options: --keep-data, --netns)" ;;
    esac
  done
  stop "${KARPENTER[@]}" "${KEDA[@]}" kwok kube-scheduler kube-controller-manager
  stop kube-apiserver
  stop etcd
  if ((keep)); then
    say "  kept etcd data in $(rel "$STATE/etcd")"
  else
    rm -rf "$STATE/etcd"
  fi
  if ((netns)) && [[ -e /run/netns/$NS ]]; then
    ip netns delete "$NS"
    rm -rf "/etc/netns/$NS"
    say "  deleted network namespace $NS"
  fi
  say "down"
}

cmd_status() {
  local n up=0
  for n in etcd "${CONTROL_PLANE[@]}" "${KEDA[@]}" "${KARPENTER[@]}"; do
    if alive "$n"; then
      local what=running
      grep -q __exec-after-crd "/proc/$(pid_of "$n")/cmdline" 2>/dev/null && what="waiting for CRD $CRD:"
      printf '  %-24s %s  pid %-8s %s\n' "$n" "$what" "$(pid_of "$n")" "$(rel "$LOGS/$n.log")"
    elif [[ -n $(pid_of "$n") ]]; then
      printf '  %-24s EXITED   pid %-8s %s\n' "$n" "$(pid_of "$n")" "$(rel "$LOGS/$n.log")"
    else
      printf '  %-24s stopped\n' "$n"
    fi
  done
  if [[ -e /run/netns/$NS && -f $PKI/done ]] && api /readyz >/dev/null 2>&1; then
    up=1
    say "kube-apiserver https://127.0.0.1:$P_APISERVER (netns $NS): $(api /version | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p')"
    kctl get nodes -o wide
    local crd=absent svc=absent
    crd_established && crd=Established
    kctl get apiservice "$APISERVICE" >/dev/null 2>&1 && svc=$(kctl get apiservice "$APISERVICE" \
      -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')
    say "CRD $CRD: $crd; APIService $APISERVICE Available: $svc"
    say "KUBECONFIG=$KC"
  else
    say "kube-apiserver: not reachable"
  fi
  ((up))
}

# restart NAME [--signal TERM|KILL] [--down SECONDS]: one process, by its recorded pid. TERM stops
# it as `down` does (SIGKILL after 20 s), KILL at once (a crash); it stays down for SECONDS (default
# 0), is started again as `up` starts it, and is waited for until its health endpoint answers.
cmd_restart() {
  local name=${1:-} sig=TERM down=0 n old pid end
  shift || true
  while (($# > 0)); do
    case $1 in
      --signal) sig=${2:-} && shift 2 ;;
      --down) down=${2:-} && shift 2 ;;
      *) die "restart: unknown option $1 (options: --signal TERM|KILL, --down SECONDS)" ;;
    esac
  done
  local known=0
  for n in etcd "${CONTROL_PLANE[@]}" "${KEDA[@]}" "${KARPENTER[@]}"; do [[ $n == "$name" ]] && known=1; done
  ((known)) || die "restart: no component '$name' (components: etcd ${CONTROL_PLANE[*]} ${KEDA[*]} ${KARPENTER[*]})"
  [[ $sig == TERM || $sig == KILL ]] || die "restart: --signal is TERM or KILL, not '$sig'"
  [[ $down =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "restart: --down takes seconds, not '$down'"
  need_tools
  alive "$name" || die "restart: $name is not running (npm run e2e:cluster -- up starts it)"
  T0=$(now)
  old=$(pid_of "$name")
  if [[ $sig == KILL ]]; then
    kill -KILL "$old" 2>/dev/null || true
    end=$(($(date +%s) + 10))
    while alive "$name"; do
      (($(date +%s) < end)) || die "restart: $name (pid $old) still running 10 s after SIGKILL"
      sleep 0.05
    done
    rm -f "$PIDS/$name.pid"
    say "  killed $name (pid $old) with SIGKILL in $(since "$T0")s"
  else
    stop "$name"
  fi
  if [[ $down != 0 ]]; then
    sleep "$down"
    say "  left down for ${down}s (at $(since "$T0")s)"
  fi
  start_component "$name"
  wait_for "$name healthy" 120 healthy "$name"
  started_alive || die "restart: $name exited after starting again"
  pid=$(pid_of "$name")
  say "restarted $name: pid $old -> $pid in $(since "$T0")s"
}

# Internal: run inside the namespace by `up`; waits for the ScaledObject CRD, then execs "$@".
cmd_exec_after_crd() {
  local apiservice=0
  [[ ${1:-} == --apiservice ]] && apiservice=1 && shift
  [[ ${1:-} == -- ]] && shift
  local limit=${E2E_KEDA_CRD_WAIT:-900}
  local end=$(($(date +%s) + limit))
  kctl() { "$BIN/kubectl" --kubeconfig "$KC" "$@"; } # already inside the namespace
  if ! crd_established; then
    say "[e2e-cluster] waiting up to ${limit}s for CRD $CRD to be Established"
    until crd_established; do
      (($(date +%s) < end)) || die "CRD $CRD not Established after ${limit}s; not starting $1"
      sleep 0.5
    done
  fi
  say "[e2e-cluster] CRD $CRD Established"
  if ((apiservice)); then
    external_metrics_manifest | kctl apply -f -
  fi
  say "[e2e-cluster] exec $*"
  exec "$@"
}

case ${1:-} in
  up) shift && cmd_up "$@" ;;
  down) shift && cmd_down "$@" ;;
  status) shift && cmd_status "$@" ;;
  restart) shift && cmd_restart "$@" ;;
  kubectl)
    shift
    need_bins kubectl
    exec ip netns exec "$NS" "$BIN/kubectl" --kubeconfig "$KC" "$@"
    ;;
  __exec-after-crd) shift && cmd_exec_after_crd "$@" ;;
  *) die "usage: $(basename "$0") up [--keda-crds] [--no-keda] [--karpenter] | down [--keep-data] [--netns] | status | restart <component> [--signal TERM|KILL] [--down SECONDS] | kubectl <args>" ;;
esac
