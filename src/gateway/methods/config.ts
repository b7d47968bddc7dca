/**
 * `config.get`, `config.schema` (operator.read) and `config.apply`, `config.patch`
 * (operator.admin). Writes come only from an operator transport (WebSocket or HTTP RPC, never a
 * chat channel), need the current file's `baseHash`, are validated in full before anything is
 * written, are rate-limited per device and address, and are audited with the changed paths.
 */
import JSON5 from "json5";
import { z } from "zod";
import {
  changedPaths,
  configHash,
  configJsonSchema,
  fileValue,
  MAX_CONFIG_BYTES,
  mergePatchText,
  readConfigFile,
  readRawTree,
  redactConfigText,
  redactConfigValue,
  restoreRedacted,
  validateConfigText,
  writeConfigFileAtomic,
} from "../../config/index.js";
import { fail } from "../../core/errors.js";
import { VERSION } from "../../core/version.js";
import type { ConfigAudit } from "../../store/index.js";
import type { MethodContext, MethodRegistry } from "../method-registry.js";
import { WriteLimiter } from "../write-limit.js";

/** What the config methods need. */
export interface ConfigMethodDeps {
  /** The config file the gateway runs from. */
  readonly file: string;
  /** Environment for `${VAR}` (process env plus `.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where writes are audited; without it writes still succeed (tests of other parts). */
  readonly audit?: ConfigAudit | undefined;
  readonly now: () => number;
  /** Applies a written config to the running gateway; its result is returned as `reload`. */
  readonly afterWrite?: (text: string, hash: string) => unknown;
  /** Config writes per caller: default 30 per 60 s. */
  readonly writeLimit?: { readonly max: number; readonly windowMs: number };
}

/** Transports a config write may come from: an operator's WebSocket (CLI, UI) or HTTP RPC. */
const WRITERS = new Set<MethodContext["transport"]>(["ws", "http"]);

const writeParams = {
  raw: z.string().min(1).max(MAX_CONFIG_BYTES),
  baseHash: z.string().min(1).max(128),
  note: z.string().max(1000).optional(),
  sessionKey: z.string().max(512).optional(),
  restartDelayMs: z.int().min(0).max(3_600_000).optional(),
  idempotencyKey: z.string().max(256).optional(),
};

async function current(file: string): Promise<{ text: string; hash: string; exists: boolean }> {
  const bytes = await readConfigFile(file);
  return {
    text: bytes ? bytes.toString("utf8") : "",
    hash: configHash(bytes ?? ""),
    exists: bytes !== undefined,
  };
}

/** Registers the config methods. */
export function registerConfigMethods(methods: MethodRegistry, deps: ConfigMethodDeps): void {
  const limiter = new WriteLimiter({
    max: deps.writeLimit?.max ?? 30,
    windowMs: deps.writeLimit?.windowMs ?? 60_000,
    now: deps.now,
  });

  methods.register({
    name: "config.get",
    scope: "operator.read",
    params: z.object({}).optional(),
    handler: async () => {
      const cur = await current(deps.file);
      const raw = readRawTree(cur.text, deps.file, deps.env, { allowMissingEnv: true });
      const checked = validateConfigText(cur.text, deps.file, deps.env);
      const parsed = redactConfigValue(raw.value ?? {});
      const config = checked.ok ? redactConfigValue(checked.config).value : null;
      return {
        path: deps.file,
        exists: cur.exists,
        raw: cur.exists ? (redactConfigText(cur.text) ?? null) : null,
        parsed: parsed.value,
        valid: checked.ok,
        config,
        hash: cur.hash,
        issues: checked.ok
          ? []
          : checked.problems.map((p) => ({ path: p.path, message: p.message, text: p.text })),
        warnings: [],
        secrets: parsed.secrets,
      };
    },
  });

  methods.register({
    name: "config.schema",
    scope: "operator.read",
    params: z.object({}).optional(),
    handler: () => ({
      schema: configJsonSchema(),
      uiHints: {},
      version: VERSION,
      generatedAt: new Date(deps.now()).toISOString(),
    }),
  });

  const write = async (
    method: string,
    p: { baseHash: string; note?: string | undefined },
    ctx: MethodContext,
    edit: (text: string) => string,
  ) => {
    if (!WRITERS.has(ctx.transport))
      throw fail("PAL_CONFIG_WRITE_FORBIDDEN", { detail: `this call came from ${ctx.transport}` });
    const limited = limiter.take(`${ctx.deviceId ?? "-"}@${ctx.clientAddress}`);
    if (!limited.ok)
      throw fail(
        "PAL_CONFIG_RATE_LIMITED",
        { seconds: Math.ceil(limited.retryAfterMs / 1000) },
        { retryAfterMs: limited.retryAfterMs, details: { code: "CONFIG_WRITE_RATE_LIMITED" } },
      );
    const cur = await current(deps.file);
    if (p.baseHash !== cur.hash)
      throw fail(
        "PAL_CONFIG_CONFLICT",
        { baseHash: p.baseHash.slice(0, 12), currentHash: cur.hash.slice(0, 12) },
        { details: { code: "CONFIG_BASE_HASH_MISMATCH", currentHash: cur.hash } },
      );
    const next = restoreRedacted(edit(cur.text), cur.text);
    const checked = validateConfigText(next, deps.file, deps.env);
    if (!checked.ok)
      throw fail(
        "PAL_CONFIG_INVALID",
        { file: deps.file, count: checked.problems.length },
        { details: { file: deps.file, problems: checked.problems } },
      );
    const before = readRawTree(cur.text, deps.file, deps.env, { allowMissingEnv: true }).value ?? {};
    const after = readRawTree(next, deps.file, deps.env, { allowMissingEnv: true }).value ?? {};
    const paths = changedPaths(before, after);
    const hash = configHash(next);
    if (next !== cur.text) {
      await writeConfigFileAtomic(deps.file, next, { baseHash: cur.hash });
      deps.audit?.record({
        ts: deps.now(),
        method,
        actor: {
          connId: ctx.connId,
          transport: ctx.transport,
          clientAddress: ctx.clientAddress,
          deviceId: ctx.deviceId,
          clientId: ctx.clientId,
        },
        baseHash: cur.hash,
        newHash: hash,
        paths,
        ...(p.note !== undefined ? { note: p.note } : {}),
      });
    }
    const reload = next !== cur.text && deps.afterWrite ? await deps.afterWrite(next, hash) : null;
    return {
      ok: true,
      path: deps.file,
      hash,
      changedPaths: paths,
      config: redactConfigValue(checked.config).value,
      reload,
    };
  };

  methods.register({
    name: "config.apply",
    scope: "operator.admin",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object(writeParams),
    handler: (p, ctx) => write("config.apply", p, ctx, () => p.raw),
  });

  methods.register({
    name: "config.patch",
    scope: "operator.admin",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object(writeParams),
    handler: (p, ctx) => {
      let patch: unknown;
      try {
        patch = JSON5.parse(p.raw);
      } catch (err) {
        throw fail("PAL_CONFIG_PATCH_INVALID", { detail: (err as Error).message });
      }
      if (typeof patch !== "object" || patch === null || Array.isArray(patch))
        throw fail("PAL_CONFIG_PATCH_INVALID", { detail: "it is not an object" });
      const obj = patch as Record<string, unknown>;
      return write("config.patch", p, ctx, (text) => mergePatchText(text, fileValue(text) ?? {}, obj));
    },
  });
}
