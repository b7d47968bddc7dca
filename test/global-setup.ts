import { execFileSync } from "node:child_process";

/** Builds dist/ once before the tests, so tests that spawn the real CLI run the current code. */
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
