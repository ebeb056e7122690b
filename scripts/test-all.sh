#!/usr/bin/env bash
# Runs every check of the project, as CI does: Go (format, vet, staticcheck, go.mod tidy, race
# tests incl. end-to-end over gRPC, bounded fuzzing), front end (types, lint, jest, build, browser check), the backend for
# every platform, and the package. Needs Go, Node.js/npm with `npm ci` done, and Debian's
# chromium (see .ci/run for a fresh machine). Prints "N passed, M failed" at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=()
step() {
  local name=$1
  shift
  echo
  echo "=== ${name}"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "--- ok: ${name} ($((SECONDS - start))s)"
  else
    failed+=("${name}")
    echo "--- FAILED: ${name} ($((SECONDS - start))s)"
  fi
}

gofmt_clean() {
  local files
  files=$(gofmt -l pkg internal cmd tests Magefile.go)
  [ -z "${files}" ] || { echo "not gofmt-ed:"; echo "${files}"; return 1; }
}

# Each fuzz target runs a fixed number of inputs from its committed corpus in testdata/fuzz
# (FUZZTIME overrides it for all targets, e.g. FUZZTIME=60s for a longer local session).
# A count, not a duration: a duration-bound run fails with a bare "context deadline exceeded"
# when the deadline hits a worker that is minimizing an input (go.dev/issue/75804), which a
# loaded 2-core CI machine does often. Minimization is bounded too, for the same reason.
fuzz_all() {
  local pkg target count
  for spec in ./pkg/agentsight:FuzzDecodePage:20000 ./pkg/models:FuzzParseQuery:40000 ./pkg/models:FuzzLoadSettings:15000; do
    IFS=: read -r pkg target count <<<"${spec}"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-${count}x}" -fuzzminimizetime=5s "${pkg}" || return 1
  done
}

# gosec over the plugin's Go code, failing on any HIGH finding, in two versions: the go.mod
# tool, and the one Grafana's plugin validator runs (GOSEC_VERSION in its Dockerfile), which
# sees fewer bounds checks (G115), so that a green run means a clean validator. The validator's
# version runs by module path, outside this module's go.mod. A false positive is silenced where
# it stands, with "#nosec Gnnn -- why" on its own statement (v2.22.8 does not read it at the end
# of an `if` line), never here.
VALIDATOR_GOSEC=v2.22.8
gosec_args=(-quiet -severity high -confidence low -fmt text ./pkg/... ./internal/... ./cmd/...)
gosec_high() {
  go tool gosec "${gosec_args[@]}"
}
gosec_high_validator() {
  go run "github.com/securego/gosec/v2/cmd/gosec@${VALIDATOR_GOSEC}" "${gosec_args[@]}"
}

e2e_with_dist_binary() {
  AGENTSIGHT_PLUGIN_BINARY="${PWD}/dist/gpx_agentsight_$(go env GOOS)_$(go env GOARCH)" go test -count=1 ./tests/e2e/
}

step "go: gofmt" gofmt_clean
step "go: vet" go vet ./...
step "go: staticcheck (go.mod tool)" go tool staticcheck ./...
step "go: go.mod and go.sum tidy" go mod tidy -diff
step "go: test -race (unit, golden, e2e over gRPC)" go test -race -count=1 ./...
step "go: fuzz (bounded)" fuzz_all
step "go: hostile suite (built binary over gRPC vs hostile APIs, memory and request budgets)" go test -tags hostile -count=1 -timeout 15m ./tests/hostile/
step "go: gosec, the go.mod tool (no HIGH finding)" gosec_high
step "go: gosec ${VALIDATOR_GOSEC}, the plugin validator's (no HIGH finding)" gosec_high_validator
step "front end: typecheck" npm run typecheck
step "front end: lint" npm run lint
step "front end: jest" npm run test:ci
step "front end: build (dist/module.js, dist/plugin.json)" npm run build
step "front end: browser check in chromium (screenshots in test-results/)" npm run test:browser
step "dashboard in chromium: provisioned panels drawn from the built plugin's answers (via tests/internal/bridge)" npm run test:dashboard
step "backend: build every platform (go tool mage -v)" go tool mage -v
step "e2e against the dist/ binary" e2e_with_dist_binary
step "package: zip + checksums + validator rules" bash scripts/package.sh
step "docker-compose.yaml and Dockerfile.fake (static)" bash scripts/check-compose.sh
step "negative tests of the package and compose checks (node --test scripts/)" node --test scripts/

echo
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}"
fi
echo "checks: ${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
