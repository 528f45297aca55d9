#!/usr/bin/env node
// Converts the YAML contract to the JSON the server serves at /v1/openapi.json.
// Usage: node tools/openapi-to-json.mjs IN.yaml OUT.json
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { parse } from 'yaml';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: openapi-to-json.mjs IN.yaml OUT.json');
  process.exit(2);
}

let doc;
try {
  // uniqueKeys (the default) rejects duplicate keys, which YAML would otherwise let slip;
  // maxAliasCount guards against alias bombs.
  doc = parse(readFileSync(input, 'utf8'), { uniqueKeys: true, maxAliasCount: 100 });
} catch (err) {
  console.error(`${input}: ${err.message}`);
  process.exit(1);
}
if (!doc || typeof doc !== 'object' || typeof doc.openapi !== 'string') {
  console.error(`${input}: not an OpenAPI document`);
  process.exit(1);
}

// Write to a temporary file and rename, so a server never reads a half-written contract.
const tmp = `${output}.tmp-${process.pid}`;
writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
renameSync(tmp, output);
