// Shared helpers for the contract tools: bundling and loading the contract, following its
// local $refs, and matching concrete request paths against its path templates.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const REPO = fileURLToPath(new URL('../..', import.meta.url));

// The contract's root (openapi/openapi.yaml) refers to paths/*.yaml and components/*.yaml.
// Redocly CLI (the pinned devDependency, run on the Node running this tool, never fetched)
// bundles it into the one document that is served: every component under the name the root
// gives it, every other $ref local. It fails on a duplicate key or a $ref it cannot resolve.
export function bundleContract(root) {
  const dir = mkdtempSync(join(tmpdir(), 'noaber-contract-'));
  try {
    const out = join(dir, 'openapi.json');
    const run = spawnSync(
      process.execPath,
      [join(REPO, 'node_modules/.bin/redocly'), 'bundle', '--config', join(REPO, 'redocly.yaml'),
        resolve(root), '--output', out],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    if (run.error) throw new Error(`cannot run redocly: ${run.error.message}`);
    if (run.status !== 0) throw new Error(`redocly bundle ${root} failed:\n${run.stdout}${run.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hasExternalRef(node) {
  if (Array.isArray(node)) return node.some(hasExternalRef);
  if (!node || typeof node !== 'object') return false;
  return Object.entries(node).some(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? !v.startsWith('#') : hasExternalRef(v));
}

// Loads a contract as one document: the root (bundled, see above) or an already bundled one
// (the served openapi.json).
export function loadContract(file) {
  let doc = parse(readFileSync(file, 'utf8'), { uniqueKeys: true, maxAliasCount: 100 });
  if (hasExternalRef(doc)) doc = bundleContract(file);
  if (!doc || typeof doc !== 'object' || !doc.paths) {
    throw new Error(`${file}: not an OpenAPI document with paths`);
  }
  return doc;
}

// Follows a local reference ("#/components/...") chain to the object it names.
export function deref(doc, obj) {
  const seen = new Set();
  while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    if (!ref.startsWith('#/')) throw new Error(`unsupported non-local $ref ${ref}`);
    if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
    seen.add(ref);
    obj = ref
      .slice(2)
      .split('/')
      .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((node, key) => (node == null ? undefined : node[key]), doc);
    if (obj === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return obj;
}

// Path templates ordered so that templates with fewer parameters win: a literal segment is
// a better match than a parameter that happens to accept the same text.
export function compilePaths(doc) {
  const out = [];
  for (const template of Object.keys(doc.paths)) {
    const names = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const m = /^\{([^}]+)\}$/.exec(part);
        if (m) {
          names.push(m[1]);
          return '([^/]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    out.push({ template, names, regex: new RegExp(`^${source}$`) });
  }
  out.sort((a, b) => a.names.length - b.names.length);
  return out;
}

export function matchPath(compiled, path) {
  const bare = path.split('?')[0].split('#')[0];
  for (const entry of compiled) {
    if (entry.regex.test(bare)) return entry.template;
  }
  return null;
}

// "/v1/x/{id}" with parameter names replaced, for comparing shapes regardless of naming.
export function templateShape(template) {
  return template.replace(/\{[^}]+\}/g, '{}');
}

// The one JSON Schema validator of the contract tools (exchanges and examples alike). The
// contract's components are registered once under a base id; schemas are compiled with their
// local "#/..." refs pointed at that base, so refs inside components resolve too. strict:false
// lets OpenAPI-only keywords (example, x-*) through. validatorFor caches by key.
export function contractValidator(doc) {
  const BASE = 'urn:noaber:contract';
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: BASE, components: doc.components ?? {} }, undefined, undefined, false);
  const rebase = (node) => {
    if (Array.isArray(node)) return node.map(rebase);
    if (!node || typeof node !== 'object') return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? BASE + v : rebase(v);
    }
    return out;
  };
  const compiled = new Map();
  return function validatorFor(key, schema) {
    if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
    return compiled.get(key);
  };
}

export function ajvMessage(errors) {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('; ');
}
