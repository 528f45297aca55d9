#!/usr/bin/env node
// Writes examples into the contract's YAML parts from what the integration tests exchanged:
// for every request body and 2xx response body (application/json) without an example, the
// richest body the tests sent or received for it (arrays cut to one item, tokens, passwords and
// the tests' e-mail addresses replaced), next to its schema, in the file that declares it. With
// --refresh it also replaces the examples that no longer validate (after a schema change).
// Every example written validates against its schema; make test-contract checks them all.
// Usage: NOABER_KEEP_TMP=1 make test, then
//        node tools/fill-examples.mjs /tmp/noaber-itest.XXXXXX/exchanges.jsonl [--refresh]
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
import { loadContract, compilePaths, matchPath, contractValidator } from './lib/contract.mjs';

const args = process.argv.slice(2);
const refresh = args.includes('--refresh');
const exchangesFile = args.find((a) => a !== '--refresh');
if (!exchangesFile) {
  console.error('usage: fill-examples.mjs EXCHANGES.jsonl [--refresh]');
  process.exit(2);
}
const ROOT = 'openapi/openapi.yaml';
const doc = loadContract(ROOT);
const compiled = compilePaths(doc);
const validatorFor = contractValidator(doc);
const root = YAML.parse(readFileSync(ROOT, 'utf8'));

// Never a real credential or a test address in the contract.
const FAKE = {
  access_token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImEifQ.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAxMDQifQ.c2lnbmF0dXJl',
  refresh_token: 'rt_3q2mXkV9pZf8HcT1uLwYbN0sJdRg7eAo',
  device_token: 'dt_Hq8Zr2LmW4xN7cVb1KsP0yTfGj5eUaDo',
  password: 'een lang wachtwoord van Bep',
};
function trim(v) {
  if (Array.isArray(v)) {
    const primitives = v.every((x) => x === null || typeof x !== 'object');
    return v.slice(0, primitives ? 3 : 1).map(trim);
  }
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && FAKE[k]) o[k] = FAKE[k];
      else if (typeof x === 'string' && /@test\.example$/.test(x)) o[k] = 'bep.jansen@example.org';
      else o[k] = trim(x);
    }
    return o;
  }
  return v;
}
// Non-null leaves: the example that shows the most fields wins.
const richness = (v) =>
  v && typeof v === 'object' ? Object.values(v).reduce((a, x) => a + richness(x), 1) : v === null ? 0 : 1;

// The YAML part, the path to the media type map, and the bundled schema, for one body.
const parts = new Map();
const part = (f) => {
  if (!parts.has(f)) parts.set(f, YAML.parse(readFileSync(f, 'utf8')));
  return parts.get(f);
};
function locate(template, method, status) {
  const [file, key] = root.paths[template].$ref.replace('./', 'openapi/').split('#/');
  const op = part(file)[key][method];
  const bundled = doc.paths[template][method];
  let node = status === 'request' ? op.requestBody : op.responses?.[status];
  let where = [file, status === 'request' ? [key, method, 'requestBody'] : [key, method, 'responses', status]];
  if (node?.$ref) {
    const [f, pointer] = node.$ref.split('#/');
    const componentFile = `openapi/components/${f.split('/').pop()}`;
    where = [componentFile, pointer.split('/')];
    node = pointer.split('/').reduce((n, k) => n?.[k], part(componentFile));
  }
  const media = node?.content?.['application/json'];
  const bundledNode = status === 'request' ? bundled.requestBody : bundled.responses?.[status];
  let schema = bundledNode?.content?.['application/json']?.schema;
  if (bundledNode?.$ref) {
    const resolved = bundledNode.$ref.slice(2).split('/').reduce((n, k) => n?.[k], doc);
    schema = resolved?.content?.['application/json']?.schema;
  }
  if (!media || !schema) return null;
  return { file: where[0], path: [...where[1], 'content', 'application/json'], media, schema };
}

const candidates = new Map(); // "template method status" -> [values]
for (const line of readFileSync(exchangesFile, 'utf8').split('\n')) {
  if (!line) continue;
  const ex = JSON.parse(line);
  if (ex.status < 200 || ex.status >= 300) continue;
  const template = matchPath(compiled, ex.path);
  const method = String(ex.method).toLowerCase();
  if (!template || !doc.paths[template]?.[method]) continue;
  const add = (status, text) => {
    let value;
    try {
      value = trim(JSON.parse(text));
    } catch {
      return;
    }
    const k = `${template} ${method} ${status}`;
    if (!candidates.has(k)) candidates.set(k, []);
    candidates.get(k).push(value);
  };
  if (String(ex.headers?.['content-type'] ?? '').startsWith('application/json') && ex.body) add(String(ex.status), ex.body);
  if (ex.request?.body && String(ex.request.content_type ?? '').startsWith('application/json')) add('request', ex.request.body);
}

const edits = new Map(); // file -> [{path, value, replace}]
const done = new Set();
for (const [k, values] of candidates) {
  const [template, method, status] = k.split(' ');
  const at = locate(template, method, status);
  if (!at) continue;
  const id = `${at.file} ${at.path.join('/')}`;
  if (done.has(id)) continue;
  const validate = validatorFor(id, at.schema);
  const has = 'example' in at.media || 'examples' in at.media;
  const replace = has && refresh && 'example' in at.media && !validate(at.media.example);
  if (has && !replace) continue;
  const fitting = values.filter((v) => JSON.stringify(v).length <= 3000 && validate(v));
  if (fitting.length === 0) continue;
  const value = fitting.reduce((a, b) => (richness(b) > richness(a) ? b : a));
  done.add(id);
  if (!edits.has(at.file)) edits.set(at.file, []);
  edits.get(at.file).push({ path: at.path, value, replace });
  console.log(`${replace ? 'replaced' : 'added'} ${id}`);
}

function yamlText(value, indent) {
  const d = new YAML.Document(value);
  YAML.visit(d, {
    Scalar(key, node) {
      if (key !== 'key' && typeof node.value === 'string') node.type = 'QUOTE_SINGLE';
    },
  });
  return d
    .toString({ lineWidth: 0, singleQuote: true })
    .trimEnd()
    .split('\n')
    .map((l) => ' '.repeat(indent) + l)
    .join('\n');
}
const exampleText = (value, indent) =>
  value && typeof value === 'object' && Object.keys(value).length > 0
    ? `example:\n${yamlText(value, indent + 2)}`
    : `example: ${JSON.stringify(value)}`;

for (const [file, list] of edits) {
  let text = readFileSync(file, 'utf8');
  const d = YAML.parseDocument(text);
  const changes = [];
  const endOf = (pos) => {
    while (pos > 0 && /\s/.test(text[pos - 1])) pos--;
    return pos;
  };
  for (const { path, value, replace } of list) {
    const media = d.getIn(path, true);
    const first = media.items[0].key.range[0];
    const indent = first - (text.lastIndexOf('\n', first) + 1);
    if (replace) {
      const pair = media.items.find((p) => p.key.value === 'example');
      changes.push([pair.key.range[0], endOf(pair.value.range[1]), exampleText(value, indent)]);
    } else {
      const end = endOf(media.range[1]);
      changes.push([end, end, `\n${' '.repeat(indent)}${exampleText(value, indent)}`]);
    }
  }
  changes.sort((a, b) => b[0] - a[0]);
  for (const [from, to, insert] of changes) text = text.slice(0, from) + insert + text.slice(to);
  writeFileSync(file, text);
}
