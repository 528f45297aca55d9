#!/usr/bin/env node
// Opens the server's /docs page in headless Chromium and checks that Redoc rendered the
// contract's operations and that the page talked to no host but its own origin.
// Usage: node tools/docs-check.mjs URL [SCREENSHOT.png]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [target, screenshot] = process.argv.slice(2);
if (!target) {
  console.error('usage: docs-check.mjs URL [SCREENSHOT.png]');
  process.exit(2);
}
const origin = new URL(target).origin;
const TIMEOUT_MS = 30000;

// data: never touches the network; blob: URLs carry the origin that created them.
function leavesOrigin(url) {
  if (url.startsWith('data:')) return false;
  try {
    const u = new URL(url);
    return (u.protocol === 'blob:' ? new URL(u.pathname).origin : u.origin) !== origin;
  } catch {
    return true;
  }
}

const failures = [];
const requests = [];
// A fresh profile each run: no cache, cookies or service workers from earlier runs.
const profile = mkdtempSync(join(tmpdir(), 'noaber-docs-check-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Context-wide, so requests from workers and popups are seen too.
  context.on('request', (req) => {
    requests.push(req.url());
    if (leavesOrigin(req.url())) failures.push(`request to another origin: ${req.method()} ${req.url()}`);
  });
  context.on('requestfailed', (req) => {
    if (!leavesOrigin(req.url())) failures.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  context.on('response', (res) => {
    if (res.status() >= 400) failures.push(`HTTP ${res.status()} for ${res.url()}`);
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => failures.push(`script error on the page: ${err.message}`));

  const res = await page.goto(target, { waitUntil: 'domcontentloaded', timeout: TIMEOUT_MS });
  if (!res || !res.ok()) throw new Error(`GET ${target} answered ${res ? res.status() : 'nothing'}`);

  // Expect every operation of the contract the page renders: read it from the page's own
  // spec-url, the same document Redoc loads.
  const specUrl = await page.getAttribute('redoc', 'spec-url');
  if (!specUrl) throw new Error('the page has no <redoc spec-url=...> element');
  const specRes = await page.request.get(new URL(specUrl, target).href, { timeout: TIMEOUT_MS });
  if (!specRes.ok()) throw new Error(`GET ${specUrl} answered ${specRes.status()}`);
  const spec = await specRes.json();
  const expected = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === 'object' && op.operationId) {
        expected.push({ id: op.operationId, method: method.toUpperCase(), path, summary: op.summary ?? op.operationId });
      }
    }
  }
  if (expected.length === 0) throw new Error(`${specUrl} has no operations`);

  // Redoc renders one section per operation with id "operation/<operationId>" (under
  // "tag/<tag>/" in some versions), headed by the summary, and lists the path in the
  // endpoint box. Wait until all of them are in the DOM.
  try {
    await page.waitForFunction(
      (ops) => {
        const text = document.body.innerText;
        return ops.every((op) =>
          document.querySelector(`[id="operation/${op.id}"], [id$="/operation/${op.id}"]`) &&
          text.includes(op.summary) &&
          text.includes(op.path));
      },
      expected,
      { timeout: TIMEOUT_MS, polling: 250 },
    );
  } catch {
    const missing = await page.evaluate((ops) => {
      const text = document.body.innerText;
      return ops
        .filter((op) => !document.querySelector(`[id="operation/${op.id}"], [id$="/operation/${op.id}"]`) || !text.includes(op.summary))
        .map((op) => `${op.method} ${op.path} (${op.summary})`);
    }, expected);
    failures.push(`operations not rendered within ${TIMEOUT_MS / 1000}s: ${missing.slice(0, 10).join(', ')}`);
  }

  const title = await page.title();
  if (!title.includes('Noaber API')) failures.push(`page title is ${JSON.stringify(title)}, expected "Noaber API"`);

  // Some Redoc parts (the menu footer, the search worker) mount after the first render: let
  // the page go quiet so their requests are seen too.
  await page.waitForLoadState('networkidle', { timeout: TIMEOUT_MS }).catch(() => {});
  await page.waitForTimeout(1000);

  if (screenshot) await page.screenshot({ path: screenshot });
  console.log(`rendered ${expected.length} operations; ${requests.length} requests, hosts: ${[...new Set(requests.map((u) => (u.startsWith('data:') ? 'data:' : new URL(u).origin)))].join(' ')}`);
} catch (err) {
  failures.push(err.message.split('\n')[0]);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

if (failures.length > 0) {
  for (const f of [...new Set(failures)]) console.log(`FAIL ${f}`);
  process.exit(1);
}
console.log(`docs ok: ${target}`);
