import type { PalisadeConfig } from "../config/index.js";
import type { PalisadePaths } from "../core/paths.js";
import type { HostProbes } from "../security/index.js";

/** Outcome of one doctor check. */
export type DoctorStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the doctor report. */
export interface DoctorResult {
  /** Stable id, e.g. `doctor.state_dir`. */
  readonly id: string;
  readonly status: DoctorStatus;
  /** What was found. */
  readonly message: string;
  /** How to fix it when not ok. */
  readonly fix?: string;
  /** What `--fix` changed. */
  readonly repaired?: readonly string[];
}

/** What every check gets. */
export interface DoctorContext {
  readonly paths: PalisadePaths;
  /** Validated config; undefined when invalid (checks then use defaults). */
  readonly config: PalisadeConfig | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** Apply repairs (`--fix`). */
  readonly fix: boolean;
  /** Run network checks (`--deep`). */
  readonly deep: boolean;
  readonly probes: HostProbes & {
    /** True when the sandbox image exists in Docker. */
    imagePresent(image: string): Promise<boolean>;
  };
  /** Injected `fetch` for provider checks. */
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

/** One doctor check. */
export type DoctorCheck = (ctx: DoctorContext) => Promise<DoctorResult | DoctorResult[]>;
