/** Labels and names that mark sandboxes as Palisade's, so orphans can be found after a crash. */
import { createHash, randomBytes } from "node:crypto";

/** Label present on every Palisade sandbox container. */
export const LABEL_SANDBOX = "dev.palisade.sandbox";
/** Label naming the install (hash of the state dir) the sandbox belongs to. */
export const LABEL_HOME = "dev.palisade.home";
/** Label carrying the scope key. */
export const LABEL_SCOPE = "dev.palisade.scope";
/** Label carrying the creation time (ms since epoch). */
export const LABEL_CREATED = "dev.palisade.created";

/** A short stable id of an install, from its state dir (or any string naming the install). */
export function homeId(stateDirOrName: string): string {
  return createHash("sha256").update(stateDirOrName).digest("hex").slice(0, 12);
}

/** A new sandbox id: readable prefix of the scope plus randomness; safe as a container name. */
export function newSandboxId(scopeKey: string): string {
  const slug = scopeKey
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `palisade-sbx-${slug || "x"}-${randomBytes(4).toString("hex")}`;
}
