/**
 * `palisade doctor`: diagnostics of a deployment (config, state dir, store, lock, port, sandbox
 * backends, channel credentials, providers, clock, identity files) and, only with `--fix`, the
 * safe repairs (permissions, stale lock, missing dirs).
 */
import { loadEnv, readConfigFile, validateConfigText } from "../config/index.js";
import type { PalisadePaths } from "../core/paths.js";
import { dockerImagePresent, type HostProbes, realProbes } from "../security/index.js";
import { checkChannelCredentials, checkProviders, checkSandbox, checkSoul } from "./checks-runtime.js";
import { checkLockAndPort, checkPermissions, checkStateDir, checkStore } from "./checks-state.js";
import type { DoctorCheck, DoctorContext, DoctorResult } from "./types.js";

export { GATEWAY_TOKEN_VAR, generateGatewayToken, type TokenGeneration } from "./token.js";
export type { DoctorContext, DoctorResult, DoctorStatus } from "./types.js";

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  readonly paths: PalisadePaths;
  readonly fix?: boolean;
  readonly deep?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly probes?: HostProbes & { imagePresent?(image: string): Promise<boolean> };
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const CHECKS: readonly DoctorCheck[] = [
  checkStateDir,
  checkPermissions,
  checkStore,
  checkLockAndPort,
  checkSandbox,
  checkChannelCredentials,
  checkProviders,
  checkSoul,
];

/** Runs every check in order; a check that throws becomes a `fail` line, never a crash. */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorResult[]> {
  const env = loadEnv({ env: opts.env ?? process.env, cwd: process.cwd(), stateDir: opts.paths.stateDir });
  const results: DoctorResult[] = [];
  let config: DoctorContext["config"];
  try {
    const text = (await readConfigFile(opts.paths.configPath))?.toString("utf8") ?? "";
    const v = validateConfigText(text, opts.paths.configPath, env);
    if (v.ok) {
      config = v.config;
      results.push({ id: "doctor.config", status: "ok", message: `${opts.paths.configPath} is valid` });
    } else
      results.push({
        id: "doctor.config",
        status: "fail",
        message: v.problems
          .map((p) => p.text)
          .slice(0, 10)
          .join("\n  "),
        fix: "fix each problem; `palisade config validate` lists them",
      });
  } catch (err) {
    results.push({ id: "doctor.config", status: "fail", message: (err as Error).message });
  }
  const probes: HostProbes & { imagePresent?(image: string): Promise<boolean> } = opts.probes ?? realProbes;
  const ctx: DoctorContext = {
    paths: opts.paths,
    config,
    env,
    fix: opts.fix === true,
    deep: opts.deep === true,
    probes: {
      dockerAvailable: () => probes.dockerAvailable(),
      bwrapAvailable: () => probes.bwrapAvailable(),
      imagePresent: (image) => probes.imagePresent?.(image) ?? dockerImagePresent(image),
    },
    fetch: opts.fetch ?? fetch,
    now: opts.now ?? Date.now,
  };
  for (const check of CHECKS) {
    try {
      const r = await check(ctx);
      results.push(...(Array.isArray(r) ? r : [r]));
    } catch (err) {
      results.push({
        id: `doctor.${check.name || "check"}`,
        status: "fail",
        message: (err as Error).message,
      });
    }
  }
  return results;
}

/** Plain-text report. */
export function formatDoctor(results: readonly DoctorResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${r.status.toUpperCase().padEnd(4)}] ${r.id}: ${r.message}`);
    if (r.fix && r.status !== "ok" && r.status !== "skip") lines.push(`       fix: ${r.fix}`);
    for (const c of r.repaired ?? []) lines.push(`       fixed: ${c}`);
  }
  const fails = results.filter((r) => r.status === "fail").length;
  const warns = results.filter((r) => r.status === "warn").length;
  lines.push(
    "",
    fails === 0
      ? `doctor: ${warns} warning(s), no failures`
      : `doctor: ${fails} failure(s), ${warns} warning(s)`,
  );
  return lines.join("\n");
}
