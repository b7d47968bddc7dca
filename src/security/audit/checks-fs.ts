import { readdirSync } from "node:fs";
import { join } from "node:path";
import { agentWorkspaces, IDENTITY_FILES } from "../workspaces.js";
import { cfg, modeText, obj, othersRead, othersWrite, str } from "./helpers.js";
import type { AuditContext, Check, Hit } from "./types.js";

const FIX_DIR = (p: string) => `chmod 700 ${p} (or run \`palisade security audit --fix\`)`;
const FIX_FILE = (p: string) => `chmod 600 ${p} (or run \`palisade security audit --fix\`)`;

/** Files and dirs directly under `dir` (one level), for permission sweeps; bounded to 1000. */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir)
      .slice(0, 1000)
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function readableBy(ctx: AuditContext, paths: string[], fix: (p: string) => string): Hit[] {
  const hits: Hit[] = [];
  for (const p of paths) {
    const st = ctx.stat(p);
    if (st && !st.isSymbolicLink() && (othersRead(st) || othersWrite(st)))
      hits.push({ found: `${p} is ${modeText(st)} (group/world can access it)`, fix: fix(p) });
  }
  return hits;
}

/** Paths of the SQLite store and its WAL side files. */
export const storeFiles = (stateDir: string) =>
  ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"].map((n) => join(stateDir, n));

/** Log dir and the files in it. */
export function logPaths(ctx: AuditContext): string[] {
  const file = str(obj(cfg(ctx).logging).file);
  const dir = join(ctx.paths.stateDir, "logs");
  return [dir, ...listDir(dir), ...(file ? [file] : [])];
}

/** State dir and file permission checks. */
export const FS_CHECKS: Check[] = [
  {
    id: "fs.state_dir.perms_world_writable",
    severity: "critical",
    title: "State dir is world-writable",
    why: "Any local user can replace the config, the store or the token and take over the gateway.",
    fix: "chmod 700 <stateDir>",
    autoFix: true,
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.stateDir);
      return st?.isDirectory() && st.mode & 0o002
        ? [{ found: `${ctx.paths.stateDir} is ${modeText(st)}`, fix: FIX_DIR(ctx.paths.stateDir) }]
        : [];
    },
  },
  {
    id: "fs.state_dir.perms_group_writable",
    severity: "warn",
    title: "State dir is group-writable",
    why: "Members of the group can change the config, the store or the token.",
    fix: "chmod 700 <stateDir>",
    autoFix: true,
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.stateDir);
      return st?.isDirectory() && st.mode & 0o020
        ? [{ found: `${ctx.paths.stateDir} is ${modeText(st)}`, fix: FIX_DIR(ctx.paths.stateDir) }]
        : [];
    },
  },
  {
    id: "fs.state_dir.perms_readable",
    severity: "warn",
    title: "State dir is readable by others",
    why: "Others can list and read transcripts, logs and credentials whose own modes are loose.",
    fix: "chmod 700 <stateDir>",
    autoFix: true,
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.stateDir);
      return st?.isDirectory() && st.mode & 0o055
        ? [{ found: `${ctx.paths.stateDir} is ${modeText(st)}`, fix: FIX_DIR(ctx.paths.stateDir) }]
        : [];
    },
  },
  {
    id: "fs.state_dir.symlink",
    severity: "warn",
    title: "State dir is a symlink",
    why: "Whoever controls the link target controls the gateway's state; it is another trust boundary.",
    fix: "point --state-dir / PALISADE_STATE_DIR at the real directory",
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.stateDir);
      return st?.isSymbolicLink() ? [{ found: `${ctx.paths.stateDir} is a symlink` }] : [];
    },
  },
  {
    id: "fs.config.perms_writable",
    severity: "critical",
    title: "Config file is writable by others",
    why: "Others can change auth, bind and tool policy, e.g. turn auth off or allow every tool.",
    fix: "chmod 600 <config>",
    autoFix: true,
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.configPath);
      return st && othersWrite(st)
        ? [{ found: `${ctx.paths.configPath} is ${modeText(st)}`, fix: FIX_FILE(ctx.paths.configPath) }]
        : [];
    },
  },
  {
    id: "fs.config.perms_world_readable",
    severity: "critical",
    title: "Config file is world-readable",
    why: "The config can hold tokens and shows the whole security posture to every local user.",
    fix: "chmod 600 <config>",
    autoFix: true,
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.configPath);
      return st && st.mode & 0o004
        ? [{ found: `${ctx.paths.configPath} is ${modeText(st)}`, fix: FIX_FILE(ctx.paths.configPath) }]
        : [];
    },
  },
  {
    id: "fs.config.perms_group_readable",
    severity: "warn",
    title: "Config file is group-readable",
    why: "Members of the group can read tokens and settings in the config.",
    fix: "chmod 600 <config>",
    autoFix: true,
    run: (ctx) => {
      const st = ctx.stat(ctx.paths.configPath);
      return st && st.mode & 0o040 && !(st.mode & 0o004)
        ? [{ found: `${ctx.paths.configPath} is ${modeText(st)}`, fix: FIX_FILE(ctx.paths.configPath) }]
        : [];
    },
  },
  {
    id: "fs.env_file.perms",
    severity: "critical",
    title: ".env file is readable by others",
    why: "The .env file holds the secrets the config references as ${VAR}.",
    fix: "chmod 600 <stateDir>/.env",
    autoFix: true,
    run: (ctx) => readableBy(ctx, [join(ctx.paths.stateDir, ".env")], FIX_FILE),
  },
  {
    id: "fs.credentials.perms",
    severity: "critical",
    title: "Credentials are readable by others",
    why: "credentials/ holds auth profiles and tokens; anyone who reads them can act as the gateway.",
    fix: "chmod 700 <stateDir>/credentials and chmod 600 the files in it",
    autoFix: true,
    run: (ctx) => {
      const dir = join(ctx.paths.stateDir, "credentials");
      const files = listDir(dir).filter((p) => !p.endsWith("gateway.token"));
      return readableBy(ctx, [dir], FIX_DIR).concat(readableBy(ctx, files, FIX_FILE));
    },
  },
  {
    id: "fs.gateway_token.perms",
    severity: "critical",
    title: "Gateway token file is readable by others",
    why: "The token grants full operator access to the gateway.",
    fix: "chmod 600 <stateDir>/credentials/gateway.token",
    autoFix: true,
    run: (ctx) => readableBy(ctx, [join(ctx.paths.stateDir, "credentials", "gateway.token")], FIX_FILE),
  },
  {
    id: "fs.store.perms",
    severity: "critical",
    title: "State store is readable by others",
    why: "state.sqlite holds transcripts, pairings, device token hashes and the audit log.",
    fix: "chmod 600 <stateDir>/state.sqlite*",
    autoFix: true,
    run: (ctx) => readableBy(ctx, storeFiles(ctx.paths.stateDir), FIX_FILE),
  },
  {
    id: "fs.logs.perms",
    severity: "warn",
    title: "Logs are readable by others",
    why: "Logs carry sender ids, tool summaries and errors; redaction is a second line, not the only one.",
    fix: "chmod 700 <stateDir>/logs and chmod 600 the files in it",
    autoFix: true,
    run: (ctx) => {
      const [dir, ...files] = logPaths(ctx);
      return readableBy(ctx, dir ? [dir] : [], FIX_DIR).concat(readableBy(ctx, files, FIX_FILE));
    },
  },
  {
    id: "fs.soul.perms_writable",
    severity: "critical",
    title: "Agent identity files are writable by others",
    why: "SOUL.md and its siblings set the agent's boundaries; whoever edits them rewrites the agent.",
    fix: "chmod 644 (or 444, root-owned) the file; run `palisade soul baseline` after a reviewed change",
    autoFix: true,
    run: (ctx) => {
      const hits: Hit[] = [];
      for (const ws of agentWorkspaces(cfg(ctx), ctx.paths.stateDir)) {
        const dirSt = ctx.stat(ws.dir);
        if (dirSt?.isDirectory() && othersWrite(dirSt))
          hits.push({ found: `${ws.dir} is ${modeText(dirSt)}`, fix: `chmod go-w ${ws.dir}` });
        for (const name of IDENTITY_FILES) {
          const p = join(ws.dir, name);
          const st = ctx.stat(p);
          if (st && othersWrite(st)) hits.push({ found: `${p} is ${modeText(st)}`, fix: `chmod go-w ${p}` });
        }
      }
      return hits;
    },
  },
];
