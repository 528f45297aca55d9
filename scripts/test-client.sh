#!/usr/bin/env bash
# The typed-client check (make test-client): types generated from the built contract with
# openapi-typescript, then the app journeys in tests/client/ compiled against them with
# openapi-fetch by `tsc --strict --noEmit`. Nothing runs; the point is that the contract keeps
# yielding types an app can use (request bodies without the optional fields, nullable fields,
# `when`, declared headers, list items assigned to model types and passed on).
#
#   scripts/test-client.sh CONTRACT.json     (build/share/openapi.json)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
contract=${1:?usage: test-client.sh CONTRACT.json}
out="$repo/build/client"
mkdir -p "$out"
cd "$repo"
# tests/client/redocly.yaml: openapi-typescript would otherwise take the API named in the
# root redocly.yaml (the YAML parts) and ask for an output per API.
node node_modules/.bin/openapi-typescript "$contract" --redocly tests/client/redocly.yaml \
  --output "$out/api.d.ts.tmp" --silent
mv "$out/api.d.ts.tmp" "$out/api.d.ts"
node node_modules/.bin/tsc --project tests/client/tsconfig.json --strict --noEmit
echo "test-client: tests/client/*.ts compile against the contract's types"
