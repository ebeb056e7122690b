#!/usr/bin/env bash
# Packages dist/ as the archive Grafana installs and the plugin catalog accepts:
#
#   artifacts/agentsight-conversations-datasource-<version>.zip   one top folder named after the id
#   artifacts/agentsight-conversations-datasource-<version>.zip.sha1
#   artifacts/agentsight-conversations-datasource-<version>.zip.sha256
#
# then checks the archive with scripts/check-package.mjs.
#
# dist/ must already hold a production build of both halves; this script does not build:
#   npm run build        (module.js, plugin.json with the version filled in, README, logos)
#   go tool mage -v      (gpx_agentsight_<os>_<arch> for every platform)
# <version> is package.json's version. Needs zip and unzip (CI: apt-get install -y zip unzip).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

id="agentsight-conversations-datasource"
# Overridable for tests of this script: DIST_DIR (default dist/), ARTIFACTS_DIR (default artifacts/).
dist="${DIST_DIR:-$root/dist}"
out_dir="${ARTIFACTS_DIR:-$root/artifacts}"

die() { echo "package: $*" >&2; exit 1; }

for tool in zip unzip node sha1sum sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (on Debian/Ubuntu: apt-get install -y zip unzip)"
done

[ -d "$dist" ] || die "dist/ is missing: run 'npm run build' and 'go tool mage -v' first"
[ -f "$dist/module.js" ] || die "dist/module.js is missing: run 'npm run build' first"
[ -f "$dist/plugin.json" ] || die "dist/plugin.json is missing: run 'npm run build' first"
compgen -G "$dist/gpx_agentsight_*" >/dev/null || die "dist/ has no gpx_agentsight_* binaries: run 'go tool mage -v' first"

version="$(node -p "require('./package.json').version")"
[ -n "$version" ] || die "package.json has no version"

zip_name="$id-$version.zip"
zip_path="$out_dir/$zip_name"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cp -R "$dist" "$tmp/$id"
# Grafana runs the binaries; the catalog's validator wants exactly 0755 on the non-Windows ones.
find "$tmp/$id" -maxdepth 1 -type f -name 'gpx_*' ! -name '*.exe' -exec chmod 0755 {} +
find "$tmp/$id" -type d -exec chmod 0755 {} +

mkdir -p "$out_dir"
rm -f "$zip_path" "$zip_path.sha1" "$zip_path.sha256"
# -X: no extra attributes (owner ids, times in UTC extra fields) so the archive depends on contents.
(cd "$tmp" && zip -q -r -X "$zip_path" "$id")

(cd "$out_dir" && sha1sum "$zip_name" >"$zip_name.sha1" && sha256sum "$zip_name" >"$zip_name.sha256")

echo "package: wrote $zip_path ($(wc -c <"$zip_path") bytes)"
echo "package: sha1   $(cut -d' ' -f1 "$zip_path.sha1")"
echo "package: sha256 $(cut -d' ' -f1 "$zip_path.sha256")"
echo "package: verify with: (cd artifacts && sha256sum -c $zip_name.sha256)"

node "$root/scripts/check-package.mjs" "$zip_path"
