/** Picks the backend for a sandbox: the configured one, or auto (docker, then bwrap). Never host. */
import { fail } from "../core/errors.js";
import type { BackendChoice } from "./policy.js";
import type { Availability, SandboxBackend } from "./types.js";

/** The result of a selection: the backend and why it was chosen. */
export interface Selection {
  /** The chosen backend. */
  readonly backend: SandboxBackend;
  /** One line on why. */
  readonly why: string;
}

/**
 * Chooses among `backends` (in preference order: docker, bwrap). `probe` decides availability;
 * by default each backend's own `available()`; tests inject one to simulate a bare host.
 * When nothing fits, throws PAL_SANDBOX_UNAVAILABLE naming what to install: sandboxed work is
 * refused, never run on the host.
 */
export async function selectBackend(
  choice: BackendChoice,
  backends: readonly SandboxBackend[],
  probe: (b: SandboxBackend) => Promise<Availability> = (b) => b.available(),
): Promise<Selection> {
  const candidates = backends.filter((b) => b.name !== "host" && (choice === "auto" || b.name === choice));
  const reasons: string[] = [];
  const fixes: string[] = [];
  for (const b of candidates) {
    const a = await probe(b);
    if (a.ok)
      return {
        backend: b,
        why: choice === "auto" ? `auto: ${b.name} is available (${a.reason})` : `configured: ${b.name}`,
      };
    reasons.push(`${b.name}: ${a.reason}`);
    if (a.fix) fixes.push(a.fix);
  }
  if (candidates.length === 0) reasons.push(`backend "${choice}" is not built into this gateway`);
  throw fail("PAL_SANDBOX_UNAVAILABLE", {
    detail: reasons.join("; "),
    fix: fixes.length > 0 ? `To fix: ${[...new Set(fixes)].join("; or ")}.` : "",
  });
}
