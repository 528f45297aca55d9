#!/usr/bin/env bash
# Lints the OpenAPI contract with Redocly (structure, references) and Spectral (OAS rules plus
# the OWASP API Security ruleset). Fails on any error from either; warnings are printed only.
# Needs the pinned devDependencies: run `npm ci` first.
set -uo pipefail
cd "$(dirname "$0")/.."

contract="${1:-openapi/openapi.yaml}"
# Spectral lints the bundle (one document, as served): it does not follow a root's $refs into
# other files reliably. .spectral.yaml's overrides name places in this file; its line numbers
# are the ones Spectral reports.
bundle=build/lint/openapi.yaml
status=0

# No usage reporting or update checks: lint runs offline and in CI.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

echo "== redocly lint $contract"
# --no-install: never fetch a different version than the lock file pins.
npx --no-install redocly lint --config redocly.yaml "$contract" || status=1

echo "== redocly bundle $contract"
mkdir -p "$(dirname "$bundle")" && rm -f "$bundle"
if npx --no-install redocly bundle --config redocly.yaml "$contract" --output "$bundle"; then
  echo "== spectral lint $bundle"
  npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=error "$bundle" || status=1
else
  status=1
fi

if [ "$status" -ne 0 ]; then
  echo "lint: FAILED" >&2
else
  echo "lint: ok"
fi
exit "$status"
