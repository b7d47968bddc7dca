import { chmodSync, existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { configHash, setConfigText, validateConfigText, writeConfigFileAtomic } from "../../config/index.js";
import { agentWorkspaces, IDENTITY_FILES } from "../workspaces.js";
import { logPaths, storeFiles } from "./checks-fs.js";
import { cfg, channelScopes, modeText, obj, str } from "./helpers.js";
import type { AuditContext } from "./types.js";

/** What `--fix` did: one line per change, plus what it could not do safely. */
export interface FixResult {
  readonly changes: string[];
  readonly skipped: string[];
  /** Config paths written (for the audit log). */
  readonly configPaths: string[];
}

function chmodIf(path: string, want: (mode: number) => number, out: string[]): void {
  try {
    if (!existsSync(path)) return;
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    const next = want(mode);
    if (next === mode) return;
    chmodSync(path, next);
    out.push(`chmod ${next.toString(8).padStart(3, "0")} ${path} (was ${modeText(st)})`);
  } catch (err) {
    out.push(`could not chmod ${path}: ${(err as Error).message}`);
  }
}

const PRIVATE_DIR = () => 0o700;
const PRIVATE_FILE = () => 0o600;
const NO_OTHER_WRITE = (m: number) => m & ~0o022;

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function fixPermissions(ctx: AuditContext, out: string[]): void {
  const { stateDir, configPath } = ctx.paths;
  const st = ctx.stat(stateDir);
  if (st?.isDirectory()) chmodIf(stateDir, PRIVATE_DIR, out);
  chmodIf(configPath, PRIVATE_FILE, out);
  chmodIf(join(stateDir, ".env"), PRIVATE_FILE, out);
  const creds = join(stateDir, "credentials");
  chmodIf(creds, PRIVATE_DIR, out);
  for (const f of listDir(creds)) chmodIf(f, ctx.stat(f)?.isDirectory() ? PRIVATE_DIR : PRIVATE_FILE, out);
  for (const f of storeFiles(stateDir)) chmodIf(f, PRIVATE_FILE, out);
  const [logDir, ...logs] = logPaths(ctx);
  if (logDir) chmodIf(logDir, PRIVATE_DIR, out);
  for (const f of logs) chmodIf(f, ctx.stat(f)?.isDirectory() ? PRIVATE_DIR : PRIVATE_FILE, out);
  for (const ws of agentWorkspaces(cfg(ctx), stateDir)) {
    chmodIf(ws.dir, NO_OTHER_WRITE, out);
    for (const name of IDENTITY_FILES) chmodIf(join(ws.dir, name), NO_OTHER_WRITE, out);
  }
  for (const c of channelScopes(cfg(ctx))) {
    const file = str(c.node.tokenFile);
    if (file) chmodIf(file, PRIVATE_FILE, out);
  }
}

/** Config edits that only tighten: redaction back on, open groups to allowlist. Never auth, bind or secrets. */
function configEdits(ctx: AuditContext): Array<{ path: string[]; value: unknown; why: string }> {
  const root = cfg(ctx);
  const edits: Array<{ path: string[]; value: unknown; why: string }> = [];
  if (str(obj(root.logging).redactSensitive) === "off")
    edits.push({ path: ["logging", "redactSensitive"], value: "tools", why: "log redaction on" });
  if (str(obj(obj(root.channels).defaults).groupPolicy) === "open")
    edits.push({
      path: ["channels", "defaults", "groupPolicy"],
      value: "allowlist",
      why: "open groups to allowlist",
    });
  for (const c of channelScopes(root))
    if (str(c.node.groupPolicy) === "open")
      edits.push({
        path: [...c.segments, "groupPolicy"],
        value: "allowlist",
        why: "open groups to allowlist",
      });
  return edits;
}

/**
 * Applies the safe fixes: permissions (chmod only, never chown), `logging.redactSensitive`
 * back to "tools", and `groupPolicy "open"` to "allowlist". It never rotates a secret and
 * never touches bind or auth. Config edits keep comments, are validated as a whole and written
 * atomically (0600); when the result would not validate nothing is written and the edit is
 * reported as skipped.
 */
export async function applySafeFixes(ctx: AuditContext): Promise<FixResult> {
  const changes: string[] = [];
  const skipped: string[] = [];
  const configPaths: string[] = [];
  fixPermissions(ctx, changes);
  const edits = configEdits(ctx);
  if (edits.length > 0) {
    let text = ctx.text;
    try {
      for (const e of edits) text = setConfigText(text, e.path, e.value);
      const result = validateConfigText(text, ctx.paths.configPath, ctx.env, { allowMissingEnv: true });
      if (!result.ok && ctx.problems.length === 0) {
        skipped.push(
          `config edits (${edits.map((e) => e.path.join(".")).join(", ")}): the result would not validate`,
        );
      } else {
        await writeConfigFileAtomic(ctx.paths.configPath, text, { baseHash: configHash(ctx.text) });
        for (const e of edits) {
          changes.push(
            `set ${e.path.join(".")} = ${JSON.stringify(e.value)} in ${ctx.paths.configPath} (${e.why})`,
          );
          configPaths.push(e.path.join("."));
        }
      }
    } catch (err) {
      skipped.push(`config edits: ${(err as Error).message}`);
    }
  }
  return { changes, skipped, configPaths };
}
