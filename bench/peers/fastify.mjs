// The Node peer for bench/http-bench.sh: Fastify + node-postgres, one process, a pg.Pool of 8,
// running Noaber's own SQL (from `noaber statements`) as named prepared queries. No auth, no
// row-level-security context, no request logging; it connects as a role that bypasses RLS.
//
//   node bench/peers/fastify.mjs PORT STATEMENTS.json NAME...
//
// The database comes from the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE). Routes as
// the bare C peer: GET /stmt/:name?p1=..  (first column of every row as a JSON array) and
// GET /doc/:name?p1=..  (the first row's first column, 404 if none); absent pN is NULL;
// GET /healthz once listening.
import { readFileSync } from "node:fs";
import Fastify from "fastify";
import pg from "pg";

const [portArg, file, ...names] = process.argv.slice(2);
const port = Number.parseInt(portArg, 10);
if (!(port > 0 && port < 65536) || !file || names.length === 0) {
  console.error("usage: node bench/peers/fastify.mjs PORT STATEMENTS.json NAME...");
  process.exit(2);
}
const all = JSON.parse(readFileSync(file, "utf8"));
const statements = new Map();
for (const name of names) {
  const text = all[name];
  if (typeof text !== "string") {
    console.error(`fastify-peer: no statement ${name} in ${file}`);
    process.exit(1);
  }
  // The highest $N in the text is the parameter count (as PostgreSQL infers it).
  const nparams = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  statements.set(name, { name, text, nparams });
}

// jit=off as the noaber server sets it.
const pool = new pg.Pool({ max: 8, options: "-c jit=off", application_name: "fastify-peer" });
pool.on("error", (e) => console.error(`fastify-peer: idle client error: ${e.message}`));

const app = Fastify({ logger: false });

async function run(request, reply) {
  const st = statements.get(request.params.name);
  if (!st) return reply.code(404).send({ error: "no such statement" });
  const values = [];
  for (let i = 1; i <= st.nparams; i++) {
    const v = request.query[`p${i}`];
    values.push(typeof v === "string" ? v : null); // repeated keys arrive as arrays: NULL
  }
  return pool.query({ name: st.name, text: st.text, values, rowMode: "array" });
}

app.get("/healthz", async () => ({}));

app.get("/stmt/:name", async (request, reply) => {
  const res = await run(request, reply);
  if (res === reply) return reply;
  const body = `[${res.rows.map((r) => (r[0] === null ? "null" : typeof r[0] === "string" ? r[0] : JSON.stringify(r[0]))).join(",")}]`;
  return reply.type("application/json").send(body);
});

app.get("/doc/:name", async (request, reply) => {
  const res = await run(request, reply);
  if (res === reply) return reply;
  if (res.rows.length === 0 || res.rows[0][0] === null) return reply.code(404).send({ error: "not found" });
  const doc = res.rows[0][0];
  return reply.type("application/json").send(typeof doc === "string" ? doc : JSON.stringify(doc));
});

// node-postgres prepares a named query on a connection at its first use (the warm-up does that);
// here only check that the database answers.
await pool.query("SELECT 1");

const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
await app.listen({ port, host: "127.0.0.1" });
console.error(`fastify-peer: listening on 127.0.0.1:${port}`);
