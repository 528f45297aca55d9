#!/usr/bin/env node
// Checks the contract's examples: every request body and every 2xx response body has one, and
// every example in the contract (media types, parameters, headers, component schemas) is valid
// against its schema, with the validator the exchange checks use (tools/lib/contract.mjs).
// Usage: node tools/check-examples.mjs CONTRACT   (the YAML root or the bundled JSON)
// Prints one line per problem and ends with "N examples valid, M problems".
import { loadContract, deref, METHODS, contractValidator, ajvMessage } from './lib/contract.mjs';

const [contractFile] = process.argv.slice(2);
if (!contractFile) {
  console.error('usage: check-examples.mjs CONTRACT');
  process.exit(2);
}
let doc;
try {
  doc = loadContract(contractFile);
} catch (err) {
  console.log(`cannot read the contract: ${err.message.split('\n')[0]}`);
  process.exit(1);
}
const validatorFor = contractValidator(doc);
const problems = [];
let valid = 0;

// Each example of a media type, parameter or header: `example`, or the values of `examples`.
function examplesOf(holder) {
  const out = [];
  if (holder && 'example' in holder) out.push(['example', holder.example]);
  for (const [name, ex] of Object.entries(holder?.examples ?? {})) {
    const resolved = deref(doc, ex);
    if (resolved && 'value' in resolved) out.push([`examples/${name}`, resolved.value]);
  }
  return out;
}

function check(where, schema, examples) {
  if (!schema) return;
  for (const [name, value] of examples) {
    const validate = validatorFor(`${where} ${name}`, schema);
    if (validate(value)) valid++;
    else problems.push(`${where} ${name}: ${ajvMessage(validate.errors)}`);
  }
}

function checkContent(where, content, required) {
  for (const [type, media] of Object.entries(content ?? {})) {
    const examples = examplesOf(media);
    if (required && examples.length === 0) problems.push(`${where} ${type}: no example`);
    check(`${where} ${type}`, media.schema, examples);
  }
}

function checkParameters(where, parameters) {
  for (const raw of parameters ?? []) {
    const p = deref(doc, raw);
    check(`${where} parameter ${p.name}`, p.schema, examplesOf(p));
  }
}

for (const [path, item] of Object.entries(doc.paths)) {
  checkParameters(path, item.parameters);
  for (const method of METHODS) {
    const op = item[method];
    if (!op) continue;
    const where = `${method.toUpperCase()} ${path}`;
    checkParameters(where, op.parameters);
    if (op.requestBody) checkContent(`${where} request`, deref(doc, op.requestBody).content, true);
    for (const [status, raw] of Object.entries(op.responses ?? {})) {
      const response = deref(doc, raw);
      checkContent(`${where} ${status}`, response.content, /^2/.test(status));
      for (const [name, h] of Object.entries(response.headers ?? {})) {
        const header = deref(doc, h);
        check(`${where} ${status} header ${name}`, header.schema, examplesOf(header));
      }
    }
  }
}

// Examples written on the component schemas themselves (`example`, or JSON Schema `examples`).
for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
  const examples = [];
  if ('example' in schema) examples.push(['example', schema.example]);
  if (Array.isArray(schema.examples)) schema.examples.forEach((v, i) => examples.push([`examples/${i}`, v]));
  check(`schema ${name}`, { $ref: `#/components/schemas/${name}` }, examples);
}

for (const p of problems) console.log(`FAIL ${p}`);
console.log(`${valid} examples valid, ${problems.length} problems`);
process.exit(problems.length > 0 || valid === 0 ? 1 : 0);
