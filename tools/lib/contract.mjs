// Shared helpers for the contract tools: loading the YAML contract, following its local
// $refs, and matching concrete request paths against its path templates.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function loadContract(file) {
  const doc = parse(readFileSync(file, 'utf8'), { uniqueKeys: true, maxAliasCount: 100 });
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
