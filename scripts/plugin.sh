#!/usr/bin/env bash
# `npm run plugin`: builds the provider plugin archive that any Pulumi engine loads directly,
# with no language host (the way pulumi-eks ships its TypeScript components):
#
#   .tmp/plugin/pulumi-resource-vllm-autoscaling-v<version>.tar.gz
#     pulumi-resource-vllm-autoscaling   the launcher (plugin/pulumi-resource-vllm-autoscaling): Node.js >= 22
#     dist/components, dist/plugin       the compiled package and the provider (plugin/main.ts)
#     schema.json                        sdk/schema.json, the schema the Python and Go SDKs are generated from
#     package.json, node_modules         the runtime dependencies, @pulumi/aws and @pulumi/gcp included
#                                        (loaded only for an EKS or GKE pool)
#
# Install it with `pulumi plugin install resource vllm-autoscaling <version> --file <archive>`.
# The version is package.json's; the archive holds no PulumiPlugin.yaml, so the engine runs the
# launcher rather than a language host. Set PLUGIN_OUT to write elsewhere; `--no-build` packs the
# dist/ already built (the end-to-end suite's way: another suite may be running from it). Prints the
# archive's path last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

name=pulumi-resource-vllm-autoscaling
version=$(node -p 'require("./package.json").version')
schema_version=$(node -p 'require("./sdk/schema.json").version')
[[ "$schema_version" == "$version" ]] || {
  echo "plugin: sdk/schema.json is version $schema_version but package.json is $version (npm run sdk)" >&2
  exit 1
}
out=${PLUGIN_OUT:-$root/.tmp/plugin}
stage=$out/stage
archive=$out/$name-v$version.tar.gz

if [[ "${1:-}" != --no-build ]]; then npm run -s build; fi
[[ -f dist/plugin/main.js ]] || { echo "plugin: no dist/plugin/main.js (npm run build)" >&2; exit 1; }
rm -rf "$stage" && mkdir -p "$stage/dist"
cp plugin/$name "$stage/$name"
cp -r dist/components dist/plugin "$stage/dist/"
find "$stage/dist" \( -name '*.d.ts' -o -name '*.map' \) -delete
cp sdk/schema.json "$stage/schema.json"
cp README.md "$stage/"

# The runtime dependencies at the lockfile's versions. The clouds' SDKs are optional peers of the
# npm package (a TypeScript user without a pool never installs them); the plugin carries them, at
# the versions the package is built and tested with (its devDependencies).
node -e '
  const p = require("./package.json");
  const clouds = Object.keys(p.peerDependencies ?? {});
  const out = { name: p.name, version: p.version, private: true, license: p.license,
    dependencies: { ...p.dependencies, ...Object.fromEntries(clouds.map((c) => [c, p.devDependencies[c]])) },
    overrides: p.overrides };
  require("fs").writeFileSync(process.argv[1], JSON.stringify(out, null, 2) + "\n");
' "$stage/package.json"
cp package-lock.json "$stage/package-lock.json"
(cd "$stage" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
rm -f "$stage/package-lock.json"
# One @pulumi/pulumi in the process: the runtime's settings (the engine's monitor) are module state.
copies=$(find "$stage/node_modules" -path '*/@pulumi/pulumi/package.json' | wc -l)
[[ "$copies" == 1 ]] || { echo "plugin: $copies copies of @pulumi/pulumi in the archive's node_modules (want 1)" >&2; exit 1; }

rm -f "$archive"
# Regular files only (the engine's extractor refuses hard links), owned by nobody in particular.
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --hard-dereference -czf "$archive" .
echo "plugin: $(du -h "$archive" | cut -f1) archive, $(du -sh "$stage" | cut -f1) installed; install with:" >&2
echo "  pulumi plugin install resource vllm-autoscaling $version --file $archive" >&2
echo "$archive"
