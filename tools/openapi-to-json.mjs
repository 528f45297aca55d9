#!/usr/bin/env node
// Bundles the contract (the root and the files it refers to) into the one JSON document the
// server serves at /v1/openapi.json.
// Usage: node tools/openapi-to-json.mjs ROOT.yaml OUT.json
import { writeFileSync, renameSync } from 'node:fs';
import { bundleContract } from './lib/contract.mjs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: openapi-to-json.mjs ROOT.yaml OUT.json');
  process.exit(2);
}

let doc;
try {
  doc = bundleContract(input);
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
