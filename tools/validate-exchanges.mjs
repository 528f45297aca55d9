#!/usr/bin/env node
// Checks HTTP exchanges recorded by the integration tests against the OpenAPI contract.
// Usage: node tools/validate-exchanges.mjs CONTRACT.yaml EXCHANGES.jsonl
//
// Each JSONL line: {"test", "method", "path", "status", "headers": {lower-case: value},
// "body": text|null, "expect_unknown_route"?: true}. For every exchange the operation must
// exist, the status must be declared, the content type must be declared for that status, a
// JSON body must validate against its schema, required headers must be present (and every
// declared header that is present must match its schema), no header may be sent that the
// response does not declare (but for HTTP's framing), and an undeclared body must be empty. The
// extra headers of a request the server did not refuse must be header parameters of the
// operation. A request body the server accepted (2xx) must be one the contract allows: valid
// against the operation's requestBody schema, and present when that is required (a body the
// contract forbids may be refused by the server, never accepted). Prints one line per failure
// and ends with "N passed, M failed" and how many request bodies were checked.
import { readFileSync } from 'node:fs';
import {
  loadContract, deref, compilePaths, matchPath, METHODS, contractValidator, ajvMessage,
} from './lib/contract.mjs';

const [contractFile, exchangesFile] = process.argv.slice(2);
if (!contractFile || !exchangesFile) {
  console.error('usage: validate-exchanges.mjs CONTRACT.yaml EXCHANGES.jsonl');
  process.exit(2);
}

let doc;
try {
  doc = loadContract(contractFile);
} catch (err) {
  console.log(`cannot read the contract: ${err.message.split('\n')[0]}`);
  process.exit(1);
}
const paths = compilePaths(doc);

const validatorFor = contractValidator(doc);

const mediaType = (value) => String(value ?? '').split(';')[0].trim().toLowerCase();
const isJsonMedia = (mt) => mt === 'application/json' || mt.endsWith('+json');

function findContent(content, received) {
  for (const [declared, media] of Object.entries(content)) {
    const d = mediaType(declared);
    if (d === received || d === '*/*' || (d.endsWith('/*') && received.startsWith(d.slice(0, -1)))) {
      return { declared, media };
    }
  }
  return null;
}

function headerValue(headers, name) {
  const v = headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

// Header values arrive as text; numbers are compared as numbers.
function coerceHeader(value, schema) {
  const types = [].concat(schema?.type ?? []);
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value)) {
    return Number(value);
  }
  return value;
}

// The response the contract would send for this exchange's status on this operation.
function declaredResponse(operation, status) {
  const responses = operation.responses ?? {};
  const code = String(status);
  const key = [code, `${code[0]}XX`, `${code[0]}xx`, 'default'].find((k) => k in responses);
  return key ? { key, response: deref(doc, responses[key]) } : null;
}

// For deliberately unknown routes: the contract's own 404/405 response (every operation
// declares them), so the same headers and body rules apply.
function standardResponse(status) {
  for (const item of Object.values(doc.paths)) {
    for (const m of METHODS) {
      const r = item?.[m]?.responses?.[String(status)];
      if (r) return { key: String(status), response: deref(doc, r), where: `${m} (standard ${status})` };
    }
  }
  return null;
}

// Response headers no response declares: the content type (declared as content), and the
// message framing and connection management of HTTP itself, which a client library handles.
const FRAMING_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);
// Request headers no operation declares: framing, the credentials (the security scheme) and
// what an HTTP client sends by itself.
const CLIENT_HEADERS = new Set([
  'content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'expect', 'authorization',
  'accept', 'user-agent', 'accept-encoding',
]);

function checkResponse(ex, opKey, { key, response }) {
  const problems = [];
  const headers = ex.headers ?? {};
  const body = ex.body ?? '';

  // Every header sent must be declared on this response: a client generated from the contract
  // knows only those.
  const declaredNames = new Set(Object.keys(response.headers ?? {}).map((n) => n.toLowerCase()));
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (!FRAMING_HEADERS.has(lower) && !declaredNames.has(lower)) problems.push(`undeclared response header ${name}`);
  }

  for (const [name, raw] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') continue; // ignored by OpenAPI
    const header = deref(doc, raw);
    const value = headerValue(headers, name);
    if (value === undefined) {
      if (header.required) problems.push(`missing required header ${name}`);
      continue;
    }
    if (header.schema) {
      const validate = validatorFor(`${opKey} ${key} header ${name}`, header.schema);
      if (!validate(coerceHeader(value, deref(doc, header.schema)))) {
        problems.push(`header ${name}: ${JSON.stringify(value)} ${ajvMessage(validate.errors)}`);
      }
    }
  }

  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    if (body !== '') problems.push(`response ${key} declares no content but the body is ${JSON.stringify(body.slice(0, 80))}`);
    return problems;
  }

  const received = mediaType(headerValue(headers, 'content-type'));
  const match = findContent(content, received);
  if (!match) {
    problems.push(`content-type ${JSON.stringify(received || null)} not declared for ${key} (declared: ${Object.keys(content).join(', ')})`);
    return problems;
  }
  const schema = match.media.schema;
  if (!schema) return problems;
  const validate = validatorFor(`${opKey} ${key} ${match.declared}`, schema);

  if (isJsonMedia(mediaType(match.declared))) {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      problems.push(`body is not JSON: ${err.message}`);
      return problems;
    }
    if (!validate(parsed)) problems.push(`body: ${ajvMessage(validate.errors)}`);
    // A problem document describes this very response.
    if (received === 'application/problem+json' && parsed && typeof parsed === 'object') {
      if (parsed.status !== ex.status) problems.push(`problem status ${parsed.status} != HTTP status ${ex.status}`);
      const rid = headerValue(headers, 'x-request-id');
      if (rid !== undefined && parsed.request_id !== rid) {
        problems.push(`problem request_id ${JSON.stringify(parsed.request_id)} != X-Request-Id ${JSON.stringify(rid)}`);
      }
    }
  } else if (!validate(body)) {
    problems.push(`body: ${ajvMessage(validate.errors)}`);
  }
  return problems;
}

const requests = { accepted: 0, refused: 0, refusedAsContract: 0 };

// The request side of an exchange: what the server accepted, the contract must allow.
function checkRequest(ex, operation, opKey) {
  const declared = operation.requestBody ? deref(doc, operation.requestBody) : null;
  const sent = ex.request;
  const accepted = ex.status >= 200 && ex.status < 300;
  if (!declared) return [];
  if (!sent || sent.body === undefined || sent.body === null || sent.body === '') {
    return accepted && declared.required ? ['accepted a request without the body the contract requires'] : [];
  }
  const received = mediaType(sent.content_type);
  const match = findContent(declared.content ?? {}, received);
  let allowed = match !== null;
  let why = allowed ? '' : `request content-type ${JSON.stringify(received || null)} not declared`;
  if (match && match.media.schema && isJsonMedia(mediaType(match.declared))) {
    let parsed;
    try {
      parsed = JSON.parse(sent.body);
    } catch (err) {
      allowed = false;
      why = `request body is not JSON: ${err.message}`;
    }
    if (allowed) {
      const validate = validatorFor(`${opKey} request ${match.declared}`, match.media.schema);
      if (!validate(parsed)) {
        allowed = false;
        why = `request body: ${ajvMessage(validate.errors)}`;
      }
    }
  }
  if (accepted) {
    requests.accepted++;
    return allowed ? [] : [`accepted a request the contract forbids: ${why}`];
  }
  requests.refused++;
  if (!allowed) requests.refusedAsContract++;
  return [];
}

// The headers of a request the server answered without refusing (below 400) must be header
// parameters of the operation (or its path): a generated client can send only those.
function checkRequestHeaders(ex, pathItem, operation) {
  if (!ex.request_headers || ex.status >= 400) return [];
  const declared = new Set(
    [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]
      .map((p) => deref(doc, p))
      .filter((p) => p.in === 'header')
      .map((p) => p.name.toLowerCase()),
  );
  return Object.keys(ex.request_headers)
    .filter((name) => !CLIENT_HEADERS.has(name.toLowerCase()) && !declared.has(name.toLowerCase()))
    .map((name) => `request header ${name} is not a parameter of ${operation.operationId ?? 'the operation'}`);
}

function checkExchange(ex) {
  if (!ex || typeof ex !== 'object') return ['not a JSON object'];
  for (const field of ['method', 'path', 'status']) {
    if (ex[field] === undefined) return [`exchange lacks "${field}"`];
  }
  const method = String(ex.method).toLowerCase();
  const template = matchPath(paths, String(ex.path));
  const operation = template ? doc.paths[template]?.[method] : undefined;

  if (ex.expect_unknown_route === true) {
    if (operation) return [`marked expect_unknown_route, but the contract has ${method.toUpperCase()} ${template}`];
    if (ex.status !== 404 && ex.status !== 405) return [`unknown route answered ${ex.status}, expected 404 or 405`];
    const standard = standardResponse(ex.status);
    if (!standard) return [`the contract declares no ${ex.status} response to compare with`];
    return checkResponse(ex, standard.where, standard);
  }

  if (!template) return ['path matches no path in the contract'];
  if (!operation) return [`the contract has no ${method.toUpperCase()} operation on ${template}`];
  const opKey = `${method} ${template}`;
  const declared = declaredResponse(operation, ex.status);
  if (!declared) {
    return [`status ${ex.status} not declared for ${operation.operationId ?? opKey} (declared: ${Object.keys(operation.responses ?? {}).join(', ')})`];
  }
  return [
    ...checkRequestHeaders(ex, doc.paths[template], operation),
    ...checkRequest(ex, operation, opKey),
    ...checkResponse(ex, opKey, declared),
  ];
}

let passed = 0;
let failed = 0;
let lines;
try {
  lines = readFileSync(exchangesFile, 'utf8').split('\n');
} catch (err) {
  console.log(`cannot read the exchanges: ${err.message}`);
  lines = [];
}
lines.forEach((line, i) => {
  if (line.trim() === '') return;
  let ex;
  let problems;
  try {
    ex = JSON.parse(line);
    problems = checkExchange(ex);
  } catch (err) {
    problems = [`line ${i + 1}: ${err.message}`];
  }
  if (problems.length === 0) {
    passed++;
    return;
  }
  failed++;
  const who = ex && typeof ex === 'object' ? ex : {};
  console.log(`FAIL [${who.test ?? `line ${i + 1}`}] ${who.method ?? '?'} ${who.path ?? '?'} -> ${who.status ?? '?'}: ${problems.join(' | ')}`);
});

if (passed + failed === 0) console.log('no exchanges found');
console.log(`${passed} passed, ${failed} failed`);
console.log(
  `request bodies: ${requests.accepted} accepted (each checked against the contract), ${requests.refused} refused ` +
    `(${requests.refusedAsContract} of them outside the contract, the others by rules it does not state)`,
);
process.exit(failed > 0 || passed + failed === 0 ? 1 : 0);
