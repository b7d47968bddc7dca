#!/usr/bin/env node
// Launcher for the palisade CLI. The CLI needs Node >= 24 (node:sqlite, Ed25519 in WebCrypto);
// the repo pins Node 26 as a devDependency, so when this file is started by an older system
// Node (for example `./node_modules/.bin/palisade` from a plain shell) it re-executes itself
// with the pinned binary instead of failing half way.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);

if (major < 24) {
  const pinned = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(pinned)) {
    process.stderr.write(
      `palisade needs Node.js >= 24 (this is ${process.version}); run \`npm install\` in ${root} to get the pinned Node, or install Node 24+.\n`,
    );
    process.exit(2);
  }
  const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

// Node's on-disk compile cache roughly halves the time to load the bundled chunks on every
// later start. It lives in a private folder inside the install, not in a shared /tmp.
try {
  const { enableCompileCache } = await import("node:module");
  const cacheDir = join(root, "node_modules", ".cache", "palisade-compile");
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  enableCompileCache?.(cacheDir);
} catch {
  // A read-only install simply starts without the cache.
}

// The bundle's chunks import each other as "./chunk-X.js", side by side in dist/: a gateway start
// resolves ~370 of them, and Node's resolver does a stat, a realpath and two path.resolve calls
// for each, enough to get path code optimized by TurboFan during start-up (whose compiler pages
// are ~5 MiB of RSS). An in-thread resolve hook (module.registerHooks, Node >= 22.15) maps those
// specifiers to the sibling file directly; everything else resolves as usual.
try {
  const { registerHooks } = await import("node:module");
  const dist = new URL("../dist/", import.meta.url).href;
  registerHooks?.({
    resolve(specifier, context, nextResolve) {
      if (specifier.startsWith("./") && context.parentURL?.startsWith(dist) && !specifier.includes(".."))
        return { url: new URL(specifier, context.parentURL).href, format: "module", shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
} catch {
  // Without the hooks API the default resolution is used.
}

const entry = join(root, "dist", "cli.js");
if (!existsSync(entry)) {
  process.stderr.write(`palisade is not built yet: run \`npm install\` (or \`npm run build\`) in ${root}.\n`);
  process.exit(2);
}
await import(entry);
