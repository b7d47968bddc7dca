import type { Stats } from "node:fs";
import type { PalisadeConfig } from "../../config/index.js";
import type { PalisadePaths } from "../../core/paths.js";

/** How bad a finding is: info (context), warn (fix soon), critical (fix now; exit 1). */
export type Severity = "info" | "warn" | "critical";

/** One result of a check. */
export interface Finding {
  /** Stable check id, e.g. `fs.state_dir.perms_world_writable`. Never renamed. */
  readonly id: string;
  readonly severity: Severity;
  /** One-line title of the check. */
  readonly title: string;
  /** What was found, naming the file, key or value (never a secret's value). */
  readonly found: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix it. */
  readonly fix: string;
  /** True when `--fix` can repair it safely. */
  readonly autoFix?: boolean;
}

/** What a check returns for each problem it sees; the registry adds id, title, why and fix. */
export interface Hit {
  readonly found: string;
  /** Overrides the check's default severity for this hit. */
  readonly severity?: Severity;
  /** Overrides the check's fix text (e.g. to name the exact path). */
  readonly fix?: string;
}

/** Probes of the host the audit and doctor share; injected so tests control them. */
export interface HostProbes {
  /** True when the Docker Engine answers on its unix socket. */
  dockerAvailable(): Promise<boolean>;
  /** True when `bwrap --version` runs. */
  bwrapAvailable(): Promise<boolean>;
}

/** Everything a check reads; built once per run by {@link buildAuditContext}. */
export interface AuditContext {
  readonly paths: PalisadePaths;
  /** Process env merged with `.env` files. */
  readonly env: Readonly<Record<string, string>>;
  /** Config file text ("" when missing). */
  readonly text: string;
  /** The config as written: includes merged, `${VAR}` kept. Undefined when it does not parse. */
  readonly raw: unknown;
  /** The validated config (variables substituted, defaults applied); undefined when invalid. */
  readonly config: PalisadeConfig | undefined;
  /** Validation problems (rendered), empty when valid. */
  readonly problems: readonly string[];
  /** The gateway token in effect: config value, else the generated token file. */
  readonly gatewayToken: string | undefined;
  /** Results of the host probes. */
  readonly docker: boolean;
  readonly bwrap: boolean;
  /** lstat that returns undefined for a missing path. */
  stat(path: string): Stats | undefined;
}

/** One audit check: a stable id, its default severity and the texts an operator reads. */
export interface Check {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  readonly fix: string;
  /** Whether `--fix` repairs it (see fix.ts). */
  readonly autoFix?: boolean;
  /** The problems seen; empty when the check passes. */
  run(ctx: AuditContext): Hit[];
}
