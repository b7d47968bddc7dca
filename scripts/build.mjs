// Bundles the CLI into dist/ with esbuild. Code splitting keeps `palisade --version` and
// `--help` from loading the gateway, the store or the config schema: each command imports what
// it needs lazily, and esbuild turns every dynamic import into its own chunk.
// Then builds the Control UI (ui/) with Vite into dist/ui, which the gateway serves at `/`.
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { build as viteBuild } from "vite";
import { builtinShims, leftOutExportUsed } from "./module-shims.mjs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Build into a private folder and swap it in, so a CLI started while another build runs (tests
// in parallel) never finds dist/ half written or missing.
const dist = new URL("../dist", import.meta.url).pathname;
const fresh = `${dist}.build-${process.pid}`;
const old = `${dist}.old-${process.pid}`;
rmSync(fresh, { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: "src/cli/main.ts" },
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  sourcemap: "linked",
  // Whitespace and syntax only: identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // Optional native helpers of ws and pino's worker-based transports stay out of the bundle;
  // they are loaded from node_modules if present. dockerode stays out too: its ssh2 transport
  // has optional native add-ons esbuild cannot bundle; the sandbox commands load it lazily.
  external: ["bufferutil", "utf-8-validate", "pino-pretty", "thread-stream", "dockerode"],
  banner: {
    js: "import { createRequire as __palisadeCreateRequire } from 'node:module'; const require = __palisadeCreateRequire(import.meta.url);",
  },
  define: { __PALISADE_VERSION__: JSON.stringify(pkg.version) },
  plugins: [builtinShims()],
  logLevel: "warning",
});
// `ns.X` on a namespace import of a shimmed built-in, with X left out, is only a warning.
if (leftOutExportUsed(result.warnings)) throw new Error("the bundle reads a built-in export a shim left out");

// The Control UI: relative asset URLs (base "./") so one build works under any
// gateway.controlUi.basePath; no modulepreload polyfill, source maps or inlined assets, so the
// page needs nothing but same-origin script and style files (strict CSP, no inline script).
await viteBuild({
  configFile: false,
  root: new URL("../ui", import.meta.url).pathname,
  base: "./",
  logLevel: "warn",
  build: {
    outDir: `${fresh}/ui`,
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});

if (existsSync(dist)) renameSync(dist, old);
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
