// Runs every benchmark in bench/ (each prints JSON) and prints them as one JSON object.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";

const dir = new URL(".", import.meta.url);
const results = {};
for (const name of readdirSync(dir).sort()) {
  if (!/\.(mjs|ts)$/.test(name) || name === "run-all.mjs" || name.startsWith("_")) continue;
  const out = execFileSync(process.execPath, [new URL(name, dir).pathname], { encoding: "utf8" });
  results[name.replace(/\.(mjs|ts)$/, "")] = JSON.parse(out);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
