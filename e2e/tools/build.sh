#!/usr/bin/env bash
# Builds the real engines for the end-to-end harness into .e2e/bin/ (gitignored), from the Go
# modules the module proxy serves, in two lanes side by side (E2E_TOOLS_JOBS, default 2; the
# provider build peaks at about 4.5 GiB, KEDA's at 2.3). A binary is reused while .e2e/bin/.<name>.stamp matches the hash of its wrapper
# module (e2e/tools/<set>/go.mod, go.sum) and of its build recipe below.
#
#   npm run e2e:tools                      # everything
#   npm run e2e:tools -- etcd kwok         # only these tools (or sets: kubernetes, keda, ...)
#   npm run e2e:tools -- --list            # the tool names
#
# Versions: the wrapper modules' `require` lines (see e2e/tools/versions.sh); the Kubernetes
# provider is stamped with the @pulumi/kubernetes version in package.json, under which the
# harness installs it as a plugin. Go caches: the defaults (or GOMODCACHE / GOCACHE if set), so
# they persist between runs on this machine. Each binary built is also kept under its hash in
# E2E_TOOLS_CACHE (default ~/.cache/vllm-autoscaling/e2e-bin/<tool>/<hash>, one per tool), so that a fresh clone
# on a machine that built it once links it in a moment instead of relinking it from the Go cache.
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS_DIR="$ROOT/e2e/tools"
E2E_DIR="$ROOT/.e2e"
BIN_DIR="$E2E_DIR/bin"
BUILD_DIR="$E2E_DIR/build"
KEDA_CRDS_DIR="$E2E_DIR/keda-crds"
KARPENTER_CRDS_DIR="$E2E_DIR/karpenter-crds"
CACHE_DIR="${E2E_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vllm-autoscaling/e2e-bin}"

# Static binaries, as the upstream release builds make them (and no C compiler needed).
export CGO_ENABLED=0

# Build lanes side by side (see main); 1 builds one tool at a time.
JOBS="${E2E_TOOLS_JOBS:-2}"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "e2e:tools: error: E2E_TOOLS_JOBS must be a whole number >= 1 (got '$JOBS')" >&2; exit 1; }

# Bump when the way a tool is built changes in a way its recipe string below does not show.
RECIPE_REV=1

# Build order within a lane: cheap first, the provider (heaviest) last.
ALL_TOOLS=(etcd kwok kube-apiserver kube-controller-manager kube-scheduler kubectl
  keda-operator keda-adapter karpenter-kwok pulumi-language-nodejs pulumi-language-python
  pulumi pulumi-language-yaml pulumi-resource-kubernetes)

# shellcheck source=SCRIPTDIR/../../e2e/tools/versions.sh
source "$TOOLS_DIR/versions.sh"

die() { echo "e2e:tools: error: $*" >&2; exit 1; }
log() { echo "e2e:tools: $*"; }

tool_set() {
  case "$1" in
    etcd | kwok) echo "$1" ;;
    kube-apiserver | kube-controller-manager | kube-scheduler | kubectl) echo kubernetes ;;
    keda-operator | keda-adapter) echo keda ;;
    karpenter-kwok) echo karpenter ;;
    pulumi-language-nodejs | pulumi | pulumi-language-yaml) echo "$1" ;;
    pulumi-language-python) echo pulumi-language-nodejs ;;
    pulumi-resource-kubernetes) echo pulumi-kubernetes ;;
    *) return 1 ;;
  esac
}

# The package `go build` builds, inside the tool's wrapper module.
tool_package() {
  case "$1" in
    etcd) echo . ;;
    kwok) echo sigs.k8s.io/kwok/cmd/kwok ;;
    kube-*) echo "k8s.io/kubernetes/cmd/$1" ;;
    kubectl) echo k8s.io/kubernetes/cmd/kubectl ;;
    keda-operator) echo github.com/kedacore/keda/v2/cmd/operator ;;
    keda-adapter) echo github.com/kedacore/keda/v2/cmd/adapter ;;
    karpenter-kwok) echo sigs.k8s.io/karpenter/kwok ;;
    pulumi-language-nodejs) echo github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs ;;
    pulumi-language-python) echo github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python ;;
    pulumi-language-yaml) echo github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml ;;
    pulumi) echo github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ;;
    pulumi-resource-kubernetes) echo github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes ;;
  esac
}

# The -X flags that make each tool report its version (the rest of -ldflags is "-s -w").
# tool_xflags <tool> hash: the same with the module time left symbolic (it follows from go.mod),
# so that deciding to reuse a binary needs neither the network nor the module cache.
tool_xflags() {
  local tool="$1" for_hash="${2:-}" set v
  set="$(tool_set "$tool")"
  case "$tool" in
    etcd | kwok | karpenter-kwok) ;; # their version is a constant in the source (Karpenter's: none; its build info has the module)
    kube-* | kubectl)
      # What hack/lib/version.sh sets, for client-go and component-base alike. The proxy does not
      # say which commit a tag is, so gitCommit stays empty; buildDate is the tag's time (from
      # the proxy), so that a rebuild is the same binary.
      v="$(e2e_pin kubernetes k8s.io/kubernetes)"
      local major minor date pkgs=(k8s.io/client-go/pkg/version k8s.io/component-base/version) p
      major="${v#v}"; major="${major%%.*}"
      minor="${v#v*.}"; minor="${minor%%.*}"
      if [[ "$for_hash" == hash ]]; then
        date="(time of k8s.io/kubernetes@$v)"
      else
        date="$(module_time kubernetes k8s.io/kubernetes)"
      fi
      for p in "${pkgs[@]}"; do
        printf -- '-X %s ' "$p.gitVersion=$v" "$p.gitMajor=$major" "$p.gitMinor=$minor" \
          "$p.gitCommit=" "$p.gitTreeState=" "$p.buildDate=$date"
      done
      ;;
    keda-*)
      # As KEDA's release build: the version without its "v".
      v="$(e2e_pin keda github.com/kedacore/keda/v2)"
      printf -- '-X github.com/kedacore/keda/v2/version.Version=%s ' "${v#v}"
      ;;
    pulumi-language-nodejs | pulumi-language-python)
      printf -- '-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=%s ' \
        "$(e2e_pin "$set" github.com/pulumi/pulumi/sdk/v3)"
      ;;
    pulumi-language-yaml)
      # As pulumi-yaml's release build (.goreleaser.yml): the tag.
      printf -- '-X github.com/pulumi/pulumi-yaml/pkg/version.Version=%s ' \
        "$(e2e_pin "$set" github.com/pulumi/pulumi-yaml)"
      ;;
    pulumi)
      printf -- '-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=%s ' \
        "$(e2e_pin "$set" github.com/pulumi/pulumi/pkg/v3)"
      ;;
    pulumi-resource-kubernetes)
      # As upstream's Makefile (VERSION_GENERIC: no "v").
      printf -- '-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=%s ' \
        "$(e2e_kubernetes_plugin_version)"
      ;;
  esac
}

# module_time <set> <module>: the module version's time from the proxy, as RFC 3339 UTC.
module_time() {
  (cd "$TOOLS_DIR/$1" && go list -mod=readonly -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$2") ||
    die "cannot read the time of $2 from the Go module proxy ($(go env GOPROXY))"
}

# module_dir <set> <module>: download the pinned module (verified against go.sum) and print its
# folder in the module cache.
module_dir() {
  local out dir
  out="$(cd "$TOOLS_DIR/$1" && go mod download -json "$2" 2>&1)" ||
    die "cannot download $2 (pinned in e2e/tools/$1/go.mod) from the Go module proxy ($(go env GOPROXY)):
$out"
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$out")"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download $2 gave no folder:
$out"
  echo "$dir"
}

# The hash that a reused binary's stamp must match.
tool_hash() {
  local tool="$1" set xflags go_id schema=""
  set="$(tool_set "$tool")"
  xflags="$(tool_xflags "$tool" hash)"
  go_id="$(go env GOVERSION GOOS GOARCH CGO_ENABLED | tr '\n' ' ')"
  [[ "$tool" != pulumi-resource-kubernetes ]] || schema="$(e2e_kubernetes_plugin_version)"
  {
    echo "recipe $RECIPE_REV $tool"
    echo "package $(tool_package "$tool")"
    echo "ldflags -s -w $xflags"
    echo "gcflags $GCFLAGS"
    echo "go $go_id"
    echo "schema version $schema"
    cat "$TOOLS_DIR/$set/go.mod" "$TOOLS_DIR/$set/go.sum"
  } | sha256sum | cut -d' ' -f1
}

# No DWARF at all: -w drops it at link time, -dwarf=false keeps the compiler from generating it
# for every package in the first place (less compile time, a smaller build cache). Nothing here is
# run under a debugger; a stack trace still has file and line.
GCFLAGS="all=-dwarf=false"
go_build() { # go_build <output> <package> <xflags>, in the current folder
  go build -mod=readonly -buildvcs=false -trimpath -gcflags "$GCFLAGS" -ldflags "-s -w $3" -o "$1" "$2"
}

build_tool() {
  local tool="$1" set out xflags
  set="$(tool_set "$tool")"
  out="$BIN_DIR/$tool"
  xflags="$(tool_xflags "$tool")"
  module_dir "$set" "$(e2e_set_module "$set")" >/dev/null
  rm -f "$out.tmp"
  if [[ "$tool" == pulumi-resource-kubernetes ]]; then
    build_kubernetes_provider "$out.tmp" "$xflags"
  else
    (cd "$TOOLS_DIR/$set" && go_build "$out.tmp" "$(tool_package "$tool")" "$xflags") ||
      die "building $tool failed (see above; a module that cannot be downloaded shows there)"
  fi
  mv -f "$out.tmp" "$out"
}

# A hard link where the cache and the clone share a file system, else a copy; never written in
# place afterwards (a rebuild writes <tool>.tmp and renames it), so the two names stay independent.
copy_binary() {
  rm -f "$2.tmp"
  ln -f "$1" "$2.tmp" 2>/dev/null || cp -f "$1" "$2.tmp"
  mv -f "$2.tmp" "$2"
}

# One binary per tool in the cache (<tool>/<hash>): the one just built.
keep_in_cache() {
  local tool="$1" hash="$2"
  rm -rf "${CACHE_DIR:?}/$tool"
  { mkdir -p "$CACHE_DIR/$tool" && copy_binary "$BIN_DIR/$tool" "$CACHE_DIR/$tool/$hash"; } ||
    log "could not keep $tool in $CACHE_DIR (not fatal)"
}

# The provider's command embeds schema-embed.json and terraform-mapping-embed.json, which its
# Makefile generates (`VERSION=... go generate`, running cmd/pulumi-resource-kubernetes/
# generate.go) and the module zip lacks. So: copy the module into .e2e/build, run its own
# generate.go there with VERSION = the plugin version, and build the command in a scratch main
# module that is the wrapper's go.mod/go.sum plus a replace of the provider by that copy (the
# copy's own go.mod, whose only replace points at a ../sdk folder, is not used as a main module).
build_kubernetes_provider() {
  local out="$1" xflags="$2" src work cmd version
  version="$(e2e_kubernetes_plugin_version)"
  src="$(module_dir pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)"
  work="$BUILD_DIR/pulumi-kubernetes"
  rm -rf "$work"
  mkdir -p "$work"
  cp -R "$src" "$work/provider"
  chmod -R u+w "$work/provider"
  cp "$TOOLS_DIR/pulumi-kubernetes/go.mod" "$TOOLS_DIR/pulumi-kubernetes/go.sum" "$work/"
  cmd="$work/provider/cmd/pulumi-resource-kubernetes"
  (
    cd "$work"
    go mod edit -replace github.com/pulumi/pulumi-kubernetes/provider/v4=./provider
    go build -mod=readonly -buildvcs=false -o "$work/generate" ./provider/cmd/pulumi-resource-kubernetes/generate.go
    (cd "$cmd" && VERSION="$version" "$work/generate")
    [[ -s "$cmd/schema-embed.json" && -s "$cmd/terraform-mapping-embed.json" ]]
    grep -q "\"version\":\"$version\"" "$cmd/schema-embed.json"
    go_build "$out" "$(tool_package pulumi-resource-kubernetes)" "$xflags"
  ) || die "building pulumi-resource-kubernetes failed in $work (see above)"
  rm -f "$work/generate"
}

# copy_crds <name> <dest> <set> <folder in the module>...: a set's CRDs from its module zip, for the
# harness to apply; copied (again only when the set's go.mod/go.sum changed), never committed.
copy_crds() {
  local name="$1" dest="$2" set="$3" hash stamp="$2/.stamp" src d
  shift 3
  hash="$(cat "$TOOLS_DIR/$set/go.mod" "$TOOLS_DIR/$set/go.sum" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(head -n 1 "$stamp")" == "$hash" ]] && compgen -G "$dest/*.yaml" >/dev/null; then
    return 0
  fi
  src="$(module_dir "$set" "$(e2e_set_module "$set")")"
  rm -rf "$dest"
  mkdir -p "$dest"
  for d; do
    compgen -G "$src/$d/*.yaml" >/dev/null || die "no CRDs under $src/$d"
    cp "$src/$d"/*.yaml "$dest/"
  done
  chmod u+w "$dest"/*.yaml
  echo "$hash" >"$stamp"
  log "$name CRDs copied to ${dest#"$ROOT/"} ($(find "$dest" -name '*.yaml' | wc -l) files)"
}

# The Python host (sdk/v3 v3.68.0) runs the program through pulumi-language-python-exec, a Python
# script it looks for beside its own executable only: copied from the same module.
copy_python_executor() {
  local src
  src="$(module_dir pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec"
  [[ -f "$src" ]] || die "no $src"
  if ! cmp -s "$src" "$BIN_DIR/pulumi-language-python-exec"; then
    cp -f "$src" "$BIN_DIR/pulumi-language-python-exec.tmp"
    chmod 0755 "$BIN_DIR/pulumi-language-python-exec.tmp"
    mv -f "$BIN_DIR/pulumi-language-python-exec.tmp" "$BIN_DIR/pulumi-language-python-exec"
  fi
}

# What each binary says its version is (cheap commands only), else what its build info says.
# Never fails: a tool that does not answer shows "?". (Whole outputs are read, then cut: a
# `| head` would close the pipe early, and with pipefail the SIGPIPE would lose the answer.)
reported_version() {
  local tool="$1" bin="$BIN_DIR/$1" out="" mod
  case "$tool" in
    etcd | kwok | kube-*) out="$("$bin" --version 2>&1)" || true ;;
    kubectl) out="$("$bin" version --client 2>&1)" || true ;;
    pulumi) out="pulumi $("$bin" version 2>&1)" || true ;;
    *) # No version flag (or only a slow one): what the build info says of the pinned module.
      mod="$(e2e_set_module "$(tool_set "$tool")")"
      out="$(go version -m "$bin" 2>/dev/null)" || true
      out="$(awk -v m="$mod" '($1 == "mod" || $1 == "dep") && $2 == m && !done { print "build info: " m " " $3; done = 1 }' <<<"$out")"
      [[ "$tool" != pulumi-resource-kubernetes ]] ||
        out="${out:-?}; stamped $(e2e_kubernetes_plugin_version) (version.Version and schema)"
      ;;
  esac
  out="${out%%$'\n'*}"
  echo "${out:-?}"
}

# kill_tree <pid>: the process and everything it started, children first.
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

# run_lane <results dir> <tool>...: reuse, link from the cache or build each tool in turn; writes
# "<status> <seconds>" to <results dir>/<tool>.
run_lane() {
  local results="$1" t t0 hash stamp status
  shift
  for t in "$@"; do
    t0=$SECONDS
    hash="$(tool_hash "$t")"
    stamp="$BIN_DIR/.$t.stamp"
    if [[ -x "$BIN_DIR/$t" && -f "$stamp" && "$(head -n 1 "$stamp")" == "$hash" ]]; then
      status=reused
    else
      rm -f "$stamp"
      if [[ -x "$CACHE_DIR/$t/$hash" ]]; then
        copy_binary "$CACHE_DIR/$t/$hash" "$BIN_DIR/$t"
        status=cached
      else
        log "building $t ($(e2e_set_module "$(tool_set "$t")")@$(e2e_pin "$(tool_set "$t")"))..."
        build_tool "$t"
        keep_in_cache "$t" "$hash"
        status=built
      fi
      printf '%s\n%s %s\n' "$hash" "$(tool_package "$t")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$stamp"
    fi
    # KEDA's (config/crd/bases); Karpenter's for its kwok provider (NodePool, NodeClaim, ...; KWOKNodeClass).
    [[ "$(tool_set "$t")" != keda ]] || copy_crds KEDA "$KEDA_CRDS_DIR" keda config/crd/bases
    [[ "$(tool_set "$t")" != karpenter ]] || copy_crds Karpenter "$KARPENTER_CRDS_DIR" karpenter kwok/charts/crds kwok/apis/crds
    [[ "$t" != pulumi-language-python ]] || copy_python_executor
    echo "$status $((SECONDS - t0))" >"$results/$t"
    log "$t: $status in $((SECONDS - t0)) s"
  done
}

# The Python program's venv (tests/e2e/languages.e2e.ts runs in a network namespace without the
# network, so pip runs here): the pulumi SDK of @pulumi/pulumi's version and the generated SDK
# with its dependencies (the suite reinstalls the SDK from the checkout, offline). Recreated when
# the pins, the SDK's pyproject.toml or the Python version change.
prepare_python_venv() {
  local venv="$E2E_DIR/python" pulumi_v want t0=$SECONDS src
  command -v python3 >/dev/null 2>&1 || die "python3 is missing (the end-to-end suite runs a Python program)"
  pulumi_v="$(sed -n 's/^[[:space:]]*"@pulumi\/pulumi":[[:space:]]*"\([^"]*\)".*/\1/p' "$ROOT/package.json" | head -n 1)"
  want="pulumi==$pulumi_v setuptools>=61 wheel $(python3 --version) $(sha256sum <"$ROOT/sdk/python/pyproject.toml" | cut -c1-16)"
  if [[ -x "$venv/bin/python" && -f "$venv/.stamp" && "$(cat "$venv/.stamp")" == "$want" ]]; then
    log "python venv ${venv#"$ROOT/"}: reused"
    return 0
  fi
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  src="$(mktemp -d)"
  cp -R "$ROOT/sdk/python/." "$src/"
  PIP_CACHE_DIR="$ROOT/.tmp/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$venv/bin/pip" install --quiet "pulumi==$pulumi_v" "setuptools>=61" wheel "$src" || { rm -rf "$src"; die "pip install into $venv failed (see above)"; }
  rm -rf "$src"
  echo "$want" >"$venv/.stamp"
  log "python venv ${venv#"$ROOT/"}: pulumi $pulumi_v and pulumi_vllm_autoscaling in $((SECONDS - t0)) s"
}

usage() {
  echo "usage: bash e2e/tools/build.sh [--list] [tool-or-set...]"
  echo "tools: ${ALL_TOOLS[*]}"
  echo "sets:  ${E2E_SETS[*]}"
}

main() {
  local want=() arg t s
  for arg in "$@"; do
    case "$arg" in
      -h | --help) usage; return 0 ;;
      --list) printf '%s\n' "${ALL_TOOLS[@]}"; return 0 ;;
      -*) usage >&2; die "unknown option $arg" ;;
    esac
    if tool_set "$arg" >/dev/null; then
      want+=("$arg")
    elif e2e_set_module "$arg" >/dev/null 2>&1; then
      for t in "${ALL_TOOLS[@]}"; do [[ "$(tool_set "$t")" != "$arg" ]] || want+=("$t"); done
    else
      usage >&2
      die "unknown tool or set '$arg'"
    fi
  done
  # Keep the build order whatever the order of the arguments.
  local tools=()
  for t in "${ALL_TOOLS[@]}"; do
    if [[ ${#want[@]} -eq 0 ]] || [[ " ${want[*]} " == *" $t "* ]]; then tools+=("$t"); fi
  done

  command -v go >/dev/null 2>&1 ||
    die "'go' is not on PATH: install Go (>= the 'go' line of e2e/tools/*/go.mod, 1.26) to build the e2e engines"
  command -v sha256sum >/dev/null 2>&1 || die "sha256sum is missing (coreutils)"

  mkdir -p "$BIN_DIR" "$BUILD_DIR"
  # One run at a time: two runs would build two heavy tools in parallel.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$E2E_DIR/.tools.lock"
    flock -n 9 || { log "another e2e:tools run holds $E2E_DIR/.tools.lock; waiting for it"; flock 9; }
  fi

  log "go $(go env GOVERSION); GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) GOPROXY=$(go env GOPROXY); $JOBS lane(s)"
  local start_all=$SECONDS t i lane_pids=() results="$E2E_DIR/.tools-results"
  rm -rf "$results"
  mkdir -p "$results"
  # Two lanes side by side (E2E_TOOLS_JOBS=1: one after the other): the Pulumi CLI, the YAML
  # host and the Kubernetes provider, the largest builds, in one; everything else in the other. A single
  # Go build leaves cores idle while it links or while few packages are ready to compile; two
  # fill them (about 7 GiB at the peak: the provider's 4.5 and KEDA's 2.3).
  local heavy=() rest=()
  for t in "${tools[@]}"; do
    case "$(tool_set "$t")" in pulumi | pulumi-language-yaml | pulumi-kubernetes) heavy+=("$t") ;; *) rest+=("$t") ;; esac
  done
  if ((JOBS > 1)) && ((${#heavy[@]} > 0 && ${#rest[@]} > 0)); then
    (run_lane "$results" "${heavy[@]}") &
    lane_pids+=($!)
    (run_lane "$results" "${rest[@]}") &
    lane_pids+=($!)
    # The first lane to fail stops the other (its go build included) instead of letting it run on.
    local pending=("${lane_pids[@]}") ended pid
    while ((${#pending[@]} > 0)); do
      if ! wait -n -p ended "${pending[@]}"; then
        for pid in "${pending[@]}"; do [[ "$pid" == "$ended" ]] || kill_tree "$pid"; done
        wait || true
        die "a build failed (see above)"
      fi
      for i in "${!pending[@]}"; do [[ "${pending[$i]}" != "$ended" ]] || unset 'pending[i]'; done
    done
  else
    (run_lane "$results" "${tools[@]}") || die "a build failed (see above)"
  fi
  echo
  printf '%-28s %-7s %6s  %-36s %s\n' TOOL STATUS SECONDS PIN "REPORTS"
  local s status secs
  for t in "${tools[@]}"; do
    s="$(tool_set "$t")"
    read -r status secs <"$results/$t"
    printf '%-28s %-7s %6s  %-36s %s\n' "$t" "$status" "$secs" \
      "$(e2e_pin "$s")" "$(reported_version "$t")"
  done
  # With the Python host (every full run), its program's venv.
  [[ " ${tools[*]} " != *" pulumi-language-python "* ]] || prepare_python_venv
  if [[ " ${tools[*]} " == *" pulumi-resource-kubernetes "* ]]; then
    echo "(pulumi-resource-kubernetes: install with 'pulumi plugin install resource kubernetes $(e2e_kubernetes_plugin_version) --file .e2e/bin/pulumi-resource-kubernetes')"
  fi
  log "done in $((SECONDS - start_all)) s; .e2e/bin holds $(du -sh "$BIN_DIR" | cut -f1)"
}

main "$@"
