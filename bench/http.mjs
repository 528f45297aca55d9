// One HTTP call for bench/matching.sh (so the benchmark needs no curl): prints the response body
// and exits 0 on a 2xx answer; otherwise prints the status and body on stderr and exits 1.
// With a JavaScript expression as the last argument (after --get), prints its value over the
// parsed JSON body `j` instead of the body.
//
//   node bench/http.mjs METHOD URL [TOKEN|-] [BODY|-] [--get EXPR]
import http from "node:http";

const args = process.argv.slice(2);
let expr = null;
const at = args.indexOf("--get");
if (at >= 0) {
  expr = args[at + 1];
  args.splice(at, 2);
}
const [method, url, token = "-", body = "-"] = args;
if (!method || !url) {
  console.error("usage: node bench/http.mjs METHOD URL [TOKEN|-] [BODY|-] [--get EXPR]");
  process.exit(2);
}
const target = new URL(url);
if (!["127.0.0.1", "localhost"].includes(target.hostname)) {
  console.error("http.mjs: loopback addresses only");
  process.exit(2);
}
const headers = { Accept: "application/json" };
if (token !== "-") headers.Authorization = `Bearer ${token}`;
if (body !== "-") headers["Content-Type"] = "application/json";
const req = http.request(
  { host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers },
  (res) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (d) => (text += d));
    res.on("end", () => {
      if (res.statusCode < 200 || res.statusCode > 299) {
        console.error(`${method} ${target.pathname}: ${res.statusCode} ${text.slice(0, 500)}`);
        process.exit(1);
      }
      if (expr === null) {
        process.stdout.write(text + "\n");
      } else {
        const j = JSON.parse(text); // eslint-disable-line no-unused-vars
        const v = eval(expr);
        console.log(typeof v === "object" ? JSON.stringify(v) : String(v));
      }
    });
  },
);
req.on("error", (e) => {
  console.error(`${method} ${target.pathname}: ${e.message}`);
  process.exit(1);
});
req.setTimeout(10000, () => req.destroy(new Error("timeout")));
if (body !== "-") req.write(body);
req.end();
