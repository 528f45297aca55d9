// Every user-facing text the integration tests received is in the language the response says
// (issue 12, api/language.h). Usage: node tools/check-language.mjs i18n/texts.json exchanges.jsonl
//
// For each logged response with a JSON body:
//   - a problem must say its language (Content-Language nl or en) and vary on Accept-Language;
//   - in a Dutch response, the problem's title, detail, errors[].message and rule.message, every
//     status_label and next_step, and every suggestion reason part must be Dutch from the
//     catalogue (a `{}` in a catalogue text stands for one word, a final `{rest}` for the rest),
//     never the English source;
//   - in an English response, labels and next steps must be the English ones.
// The English texts that reached a Dutch reader untranslated are listed, once each.
// With --sources DIR..., every message the C sources under those directories write as a literal
// (problem details, field error messages, field rules' messages, *_MESSAGE constants) must have
// its Dutch in the catalogue too, also those no test happens to provoke.
import fs from "node:fs";

const args = process.argv.slice(2);
const sourcesAt = args.indexOf("--sources");
const sourceDirs = sourcesAt >= 0 ? args.splice(sourcesAt).slice(1) : [];
const [cataloguePath, exchangesPath] = args;
if (!cataloguePath || !exchangesPath) {
  console.error("usage: check-language.mjs <texts.json> <exchanges.jsonl>");
  process.exit(2);
}
const catalogue = JSON.parse(fs.readFileSync(cataloguePath, "utf8"));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// {} is one word; {rest}, at the end, the rest of the text (api/language.h).
const pattern = (text) =>
  new RegExp("^" + text.replace(/\{rest\}$/, "\u0000").split("{}").map(escape).join("[^ ]+").replace("\u0000", ".+") + "$");

function texts(language) {
  const exact = new Set();
  const patterns = [];
  const add = (t) => (t.includes("{}") || t.endsWith("{rest}") ? patterns.push(pattern(t)) : exact.add(t));
  if (language === "nl") Object.values(catalogue.nl.messages).forEach(add);
  for (const table of ["labels", "next_steps"])
    for (const kind of Object.values(catalogue[language][table] ?? {})) Object.values(kind).forEach(add);
  return (t) => exact.has(t) || patterns.some((p) => p.test(t));
}
const isDutch = texts("nl");
const isEnglishLabel = texts("en");

const untranslated = new Map(); // text -> first place seen
let checked = 0;
let failures = 0;
function fail(where, message) {
  failures++;
  if (failures <= 30) console.error(`check-language: ${where}: ${message}`);
}

// The texts of one response body that people read, as [where, text] pairs.
function readable(body, path) {
  const found = [];
  const walk = (node, at) => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`));
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === "status_label" || key === "next_step") && typeof value === "string") found.push([`${at}/${key}`, value]);
      else walk(value, `${at}/${key}`);
    }
  };
  walk(body, "");
  if (typeof body?.type === "string" && typeof body?.title === "string") {
    for (const key of ["title", "detail"]) if (typeof body[key] === "string") found.push([`/${key}`, body[key]]);
    (body.errors ?? []).forEach((e, i) => typeof e?.message === "string" && found.push([`/errors/${i}/message`, e.message]));
    if (typeof body.rule?.message === "string") found.push(["/rule/message", body.rule.message]);
  }
  if (/\/suggestions$/.test(path.split("?")[0]))
    (body.items ?? []).forEach((s, i) =>
      (s.reason ?? "").split("; ").forEach((part) => found.push([`/items/${i}/reason`, part])),
    );
  return found;
}

for (const line of fs.readFileSync(exchangesPath, "utf8").split("\n")) {
  if (line.trim() === "") continue;
  const x = JSON.parse(line);
  const type = x.headers?.["content-type"] ?? "";
  if (!type.startsWith("application/json") && !type.startsWith("application/problem+json")) continue;
  let body;
  try {
    body = JSON.parse(x.body);
  } catch {
    continue;
  }
  if (x.path.startsWith("/v1/openapi.json")) continue; // the contract's examples, not a reader's texts
  const where = `${x.test}: ${x.method} ${x.path} ${x.status}`;
  const language = x.headers?.["content-language"];
  if (type.startsWith("application/problem+json")) {
    if (language !== "nl" && language !== "en") fail(where, `a problem without Content-Language (${language})`);
    if (!/accept-language/i.test(x.headers?.vary ?? "")) fail(where, "a problem without Vary: Accept-Language");
  }
  for (const [at, text] of readable(body, x.path)) {
    checked++;
    if (language === "en") {
      if (at.endsWith("status_label") || at.endsWith("next_step"))
        if (!isEnglishLabel(text)) fail(where, `${at}: not an English label: ${JSON.stringify(text)}`);
      continue;
    }
    if (language !== "nl") {
      fail(where, `${at} has text but the response says no language`);
      continue;
    }
    if (!isDutch(text) && !untranslated.has(text)) untranslated.set(text, `${where} ${at}`);
  }
}
// Messages written as literals in the C sources (adjacent literals joined first).
const englishTemplates = Object.keys(catalogue.nl.messages).filter((t) => t.includes("{}") || t.endsWith("{rest}"));
const translatable = (t) => t in catalogue.nl.messages || englishTemplates.some((k) => pattern(k).test(t));
const messagePatterns = [
  /detail\s*=\s*"((?:[^"\\]|\\.)*)"/g,
  /result_field_error\([^;]*?"((?:[^"\\]|\\.)*)"\s*\);/gs,
  /api_problem\([^,]+,\s*\d+,\s*"((?:[^"\\]|\\.)*)"/g,
  /\{"[a-z_.]+",\s*FIELD_\w+[^{};]*?"[a-z_]+",\s*"([^"]+)"\s*\}/g,
  /#define \w*(?:MESSAGE|INVALID|DETAIL)\w* "([^"]+)"/g,
];
const walkFiles = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walkFiles(`${dir}/${e.name}`) : /\.[ch]$/.test(e.name) ? [`${dir}/${e.name}`] : [],
  );
for (const file of sourceDirs.flatMap(walkFiles)) {
  const text = fs.readFileSync(file, "utf8").replace(/"\s*\n\s*"/g, "");
  for (const p of messagePatterns)
    for (const m of text.matchAll(p)) {
      const message = m[1];
      if (!message.includes(" ") || message.includes("%") || translatable(message)) continue;
      if (!untranslated.has(message)) untranslated.set(message, `${file} (written, no Dutch)`);
    }
}

for (const [text, where] of untranslated) {
  failures++;
  console.error(`check-language: ${where}: not translated: ${JSON.stringify(text)}`);
}
if (untranslated.size > 0) console.error(`check-language: ${untranslated.size} English texts reached a Dutch reader`);
console.log(`check-language: ${checked} texts checked, ${failures} problems`);
process.exit(failures === 0 ? 0 : 1);
