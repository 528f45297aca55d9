#!/usr/bin/env node
// Compares the server's route table with the contract's operations, both ways.
// Usage: node tools/check-routes.mjs CONTRACT.yaml ROUTES.txt
// ROUTES.txt: one "METHOD /path/{param}" per line (as `noaber routes` prints it); blank
// lines and lines starting with # are skipped. Parameter names must match the contract's.
import { readFileSync } from 'node:fs';
import { loadContract, templateShape, METHODS } from './lib/contract.mjs';

const [contractFile, routesFile] = process.argv.slice(2);
if (!contractFile || !routesFile) {
  console.error('usage: check-routes.mjs CONTRACT.yaml ROUTES.txt');
  process.exit(2);
}

let doc;
try {
  doc = loadContract(contractFile);
} catch (err) {
  console.log(`cannot read the contract: ${err.message.split('\n')[0]}`);
  process.exit(1);
}
const contract = new Set();
for (const [template, item] of Object.entries(doc.paths)) {
  for (const m of METHODS) if (item?.[m]) contract.add(`${m.toUpperCase()} ${template}`);
}

const problems = [];
const server = new Set();
let routeText = '';
try {
  routeText = readFileSync(routesFile, 'utf8');
} catch (err) {
  problems.push(`cannot read the routes: ${err.message}`);
}
routeText
  .split('\n')
  .forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(line);
    if (!m) {
      problems.push(`${routesFile}:${i + 1}: cannot read route line ${JSON.stringify(raw)}`);
      return;
    }
    const route = `${m[1].toUpperCase()} ${m[2]}`;
    // A route registered twice usually means one registration shadows the other.
    if (server.has(route)) problems.push(`${routesFile}:${i + 1}: ${route} registered twice`);
    server.add(route);
  });

if (server.size === 0) problems.push(`${routesFile}: no routes`);

const shape = (r) => {
  const [method, path] = r.split(' ');
  return `${method} ${templateShape(path)}`;
};
const missingFromContract = [...server].filter((r) => !contract.has(r)).sort();
const missingFromServer = [...contract].filter((r) => !server.has(r)).sort();

for (const r of missingFromContract) {
  // Same shape but other parameter names: say so, it is the likely mistake.
  const twin = missingFromServer.find((c) => shape(c) === shape(r));
  problems.push(twin
    ? `server registers ${r} but the contract names its parameters ${twin}`
    : `server registers ${r}, which is not in the contract`);
}
for (const c of missingFromServer) {
  if (missingFromContract.some((r) => shape(r) === shape(c))) continue; // reported above
  problems.push(`contract has ${c}, which the server does not register`);
}

for (const p of problems) console.log(p);
console.log(problems.length === 0
  ? `routes match: ${server.size} routes`
  : `routes differ: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
