/**
 * What an exec approval binds: the command line, the argv that runs it, the working directory,
 * the variables the model set, where it runs (sandbox or host, elevated or not) and the sha256 of
 * every script file it names. The hash of all of it is what an approval (or a standing
 * allow-always) is checked against at run time; any difference needs a new approval.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../store/index.js";
import { type Jail, readJailed } from "../fs/jail.js";

/** The exact thing an approval allows. */
export interface ExecBinding {
  readonly agentId: string;
  readonly command: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly host: "sandbox" | "host";
  readonly elevated: boolean;
  /** Script path (as named) -> sha256 hex, or "missing" / "unverifiable". */
  readonly scripts: Readonly<Record<string, string>>;
}

const INTERPRETERS =
  /^(sh|bash|dash|zsh|ksh|ash|python[0-9.]*|node|nodejs|perl|ruby|php|deno|bun|lua|Rscript|tclsh)$/;
const INLINE = /^-(c|e|-eval|-command|m|p)$/;
/** Largest script hashed. */
const MAX_SCRIPT_BYTES = 8 * 1024 * 1024;

/** Paths of script files a set of commands runs (interpreter arguments and `./x` programs). */
export function scriptPaths(commands: readonly (readonly string[])[]): string[] {
  const out = new Set<string>();
  for (const argv of commands) {
    const cmd = argv[0] ?? "";
    if (cmd.includes("/")) out.add(cmd);
    const name = cmd.slice(cmd.lastIndexOf("/") + 1);
    if (!INTERPRETERS.test(name)) continue;
    if (argv.slice(1).some((a) => INLINE.test(a) || /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a))) continue;
    const file = argv.slice(1).find((a) => !a.startsWith("-"));
    if (file !== undefined) out.add(file);
  }
  return [...out];
}

/**
 * Hashes each script through the jail (relative to `cwdInJail`). Paths outside the workspace
 * cannot be verified and are recorded as such, so an approval still binds the name.
 */
export async function hashScripts(
  jail: Jail,
  cwdInJail: string,
  paths: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    const rel = p.startsWith("/") || cwdInJail === "" ? p : `${cwdInJail}/${p}`;
    try {
      const { data } = await readJailed(jail, rel, MAX_SCRIPT_BYTES);
      out[p] = createHash("sha256").update(data).digest("hex");
    } catch (err) {
      const code = (err as { code?: string }).code;
      out[p] = code === "PAL_TOOL_FILE_NOT_FOUND" ? "missing" : "unverifiable";
    }
  }
  return out;
}

/** The sha256 of a binding's canonical JSON. */
export function bindingHash(b: ExecBinding): string {
  return createHash("sha256").update(canonicalJson(b)).digest("hex");
}

/** Names what differs between two bindings (for the mismatch message). */
export function bindingDiff(a: ExecBinding, b: ExecBinding): string {
  const keys = ["command", "argv", "cwd", "env", "host", "elevated", "scripts", "agentId"] as const;
  const changed = keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
  return changed.length === 0 ? "nothing" : `${changed.join(", ")} changed`;
}
