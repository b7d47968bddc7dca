import { spawnSync } from "node:child_process";

/**
 * Builds dist/ once before the tests, so tests that spawn the real CLI run the current code.
 * A failed build is reported but does not stop unit tests from running: `npm test` builds
 * separately first and fails hard there.
 */
export default function setup(): void {
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  if (r.status !== 0)
    process.stderr.write("global-setup: build failed; tests that spawn the CLI will fail\n");
}
