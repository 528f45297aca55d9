// A small closed-loop HTTP load client for bench/matching.sh: `clients` keep-alive connections,
// each sending its next GET as soon as the previous answer is in, until `requests` answers are
// in (after `warmup` unmeasured ones) or `max_seconds` have passed. Loopback only. URL may be
// several URLs separated by commas: the requests go round-robin over them.
//
//   node bench/load.mjs URL[,URL...] TOKEN REQUESTS CLIENTS [WARMUP] [MAX_SECONDS]
//
// Prints one JSON line: {requests, clients, errors, statuses, p50_ms, p90_ms, p99_ms, max_ms,
// mean_ms, rps, seconds, cpu_ms (this client's own CPU time, warm-up included)}. Latency is from
// writing the request to the last byte of the body.
import http from "node:http";

const [url, token, nArg, cArg, wArg = "0", tArg = "120"] = process.argv.slice(2);
if (!url || !token || !nArg || !cArg) {
  console.error("usage: node bench/load.mjs URL TOKEN REQUESTS CLIENTS [WARMUP] [MAX_SECONDS]");
  process.exit(2);
}
const targets = url.split(",").map((u) => new URL(u));
if (!targets.every((t) => ["127.0.0.1", "localhost", "[::1]"].includes(t.hostname))) {
  console.error("load.mjs: loopback addresses only");
  process.exit(2);
}
const total = Math.max(1, Math.min(100000, parseInt(nArg, 10)));
const clients = Math.max(1, Math.min(64, parseInt(cArg, 10)));
const warmup = Math.max(0, Math.min(10000, parseInt(wArg, 10)));
const maxSeconds = Math.max(1, Math.min(600, parseFloat(tArg)));

const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const options = targets.map((t) => ({
  host: t.hostname.replace(/^\[|\]$/g, ""),
  port: t.port,
  path: t.pathname + t.search,
  method: "GET",
  agent,
  headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
}));

function once(i) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(options[i % options.length], (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on("error", () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.setTimeout(10000, () => req.destroy());
    req.end();
  });
}

async function run(count, record) {
  const latencies = [];
  const statuses = {};
  let started = 0;
  const deadline = Date.now() + maxSeconds * 1000;
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (started < count && Date.now() < deadline) {
      const r = await once(started++);
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (record) latencies.push(r.ms);
    }
  }
  await Promise.all(Array.from({ length: clients }, worker));
  return { latencies, statuses, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function pct(sorted, p) {
  // nearest-rank percentile
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

if (warmup > 0) await run(warmup, false);
const { latencies, statuses, seconds } = await run(total, true);
agent.destroy();
latencies.sort((a, b) => a - b);
const errors = Object.entries(statuses).filter(([s]) => s !== "200").reduce((n, [, c]) => n + c, 0);
const r3 = (x) => Math.round(x * 1000) / 1000;
console.log(JSON.stringify({
  requests: latencies.length,
  clients,
  errors,
  statuses,
  p50_ms: r3(pct(latencies, 50)),
  p90_ms: r3(pct(latencies, 90)),
  p99_ms: r3(pct(latencies, 99)),
  max_ms: r3(latencies[latencies.length - 1]),
  mean_ms: r3(latencies.reduce((a, b) => a + b, 0) / latencies.length),
  rps: Math.round((latencies.length / seconds) * 10) / 10,
  seconds: r3(seconds),
  cpu_ms: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
}));
process.exit(errors > 0 ? 1 : 0);
