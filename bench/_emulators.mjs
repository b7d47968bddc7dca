// Loads the TypeScript emulators from test/emulators for benchmarks (plain .mjs cannot import
// .ts): each is bundled once with esbuild into a temp dir and imported from there.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { root } from "./_gateway-lib.mjs";

async function bundle(entry, name) {
  const outfile = join(mkdtempSync(join(tmpdir(), "pal-bench-emu-")), `${name}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  return import(outfile);
}

/** `{ startOpenAIEmulator, startTelegramEmulator }` from test/emulators. */
export async function loadEmulators() {
  const [{ startOpenAIEmulator }, { startTelegramEmulator }] = await Promise.all([
    bundle("test/emulators/openai.ts", "openai"),
    bundle("test/emulators/telegram/server.ts", "telegram"),
  ]);
  return { startOpenAIEmulator, startTelegramEmulator };
}

/** Least-squares line through points [x, y]: { slope, intercept }. */
export function linearFit(points) {
  const n = points.length;
  if (n < 2) return { slope: 0, intercept: points[0]?.[1] ?? 0 };
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const d = n * sxx - sx * sx;
  const slope = d === 0 ? 0 : (n * sxy - sx * sy) / d;
  return { slope, intercept: (sy - slope * sx) / n };
}
