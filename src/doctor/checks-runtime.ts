import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { agentWorkspaces, verifySoul } from "../security/index.js";
import { openStore } from "../store/index.js";
import type { DoctorCheck, DoctorResult } from "./types.js";

/** Default sandbox image (see the sandbox schema). */
export const DEFAULT_SANDBOX_IMAGE = "palisade-sandbox:bookworm-slim";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** Docker Engine reachable with the image present, and bwrap installed. */
export const checkSandbox: DoctorCheck = async (ctx) => {
  const sandbox = obj(obj(ctx.config?.agents?.defaults).sandbox);
  const mode = typeof sandbox.mode === "string" ? sandbox.mode : "non-main";
  const backend = typeof sandbox.backend === "string" ? sandbox.backend : undefined;
  const image =
    typeof obj(sandbox.docker).image === "string" ? String(obj(sandbox.docker).image) : DEFAULT_SANDBOX_IMAGE;
  const [docker, bwrap] = await Promise.all([ctx.probes.dockerAvailable(), ctx.probes.bwrapAvailable()]);
  const out: DoctorResult[] = [];
  const needDocker = backend === "docker";
  const needBwrap = backend === "bwrap";
  if (docker) {
    const present = await ctx.probes.imagePresent(image);
    out.push(
      present
        ? {
            id: "doctor.sandbox.docker",
            status: "ok",
            message: `Docker Engine answers; image ${image} present`,
          }
        : {
            id: "doctor.sandbox.docker",
            status: needDocker ? "fail" : "warn",
            message: `Docker Engine answers but image ${image} is missing`,
            fix: `build or pull ${image}`,
          },
    );
  } else
    out.push({
      id: "doctor.sandbox.docker",
      status: needDocker && mode !== "off" ? "fail" : "skip",
      message: "the Docker Engine does not answer on its socket",
      fix: "install Docker and add the gateway user to the docker group",
    });
  out.push(
    bwrap
      ? { id: "doctor.sandbox.bwrap", status: "ok", message: "bubblewrap is installed" }
      : {
          id: "doctor.sandbox.bwrap",
          status: needBwrap && mode !== "off" ? "fail" : "skip",
          message: "bwrap is not installed",
          fix: "apt install bubblewrap",
        },
  );
  if (!docker && !bwrap && mode !== "off" && backend === undefined)
    out.push({
      id: "doctor.sandbox.none",
      status: "warn",
      message: "no sandbox backend: sandboxed sessions cannot run tools",
      fix: "install Docker or bubblewrap",
    });
  return out;
};

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const TOKEN_KEYS: Record<string, string[][]> = {
  telegram: [["botToken", "tokenFile"]],
  discord: [["token", "tokenFile"]],
  slack: [["botToken"], ["appToken"]],
};

/** Every enabled channel that needs a credential has one (value set or token file readable). */
export const checkChannelCredentials: DoctorCheck = async (ctx) => {
  const channels = obj(ctx.config?.channels);
  const out: DoctorResult[] = [];
  for (const [name, groups] of Object.entries(TOKEN_KEYS)) {
    const ch = obj(channels[name]);
    if (channels[name] === undefined || ch.enabled === false) continue;
    const nodes: Array<[string, Obj]> = [[`channels.${name}`, ch]];
    for (const [id, acc] of Object.entries(obj(ch.accounts)))
      nodes.push([`channels.${name}.accounts.${id}`, { ...ch, ...obj(acc) }]);
    for (const [path, node] of nodes) {
      const missing = groups.filter(
        (alts) =>
          !alts.some((k) => {
            const v = node[k];
            if (typeof v !== "string" || v.trim() === "") return false;
            return k === "tokenFile" ? readable(v) : true;
          }),
      );
      out.push(
        missing.length === 0
          ? { id: "doctor.channel_credentials", status: "ok", message: `${path}: credentials present` }
          : {
              id: "doctor.channel_credentials",
              status: "fail",
              message: `${path}: missing ${missing.map((m) => m.join(" or ")).join(", ")} (or the token file is unreadable)`,
              fix: `set ${path}.${missing[0]?.[0]} as \${VAR}`,
            },
      );
    }
  }
  return out.length > 0
    ? out
    : { id: "doctor.channel_credentials", status: "skip", message: "no channels configured" };
};

/** `--deep`: GET <baseUrl>/models of every configured provider with a short timeout. */
export const checkProviders: DoctorCheck = async (ctx) => {
  const providers = obj(obj(ctx.config?.models).providers);
  if (!ctx.deep)
    return { id: "doctor.provider", status: "skip", message: "provider reachability needs --deep" };
  const out: DoctorResult[] = [];
  for (const [id, raw] of Object.entries(providers)) {
    const p = obj(raw);
    if (typeof p.baseUrl !== "string") continue;
    const url = `${p.baseUrl.replace(/\/+$/, "")}/models`;
    const key = typeof p.apiKey === "string" ? p.apiKey : undefined;
    const headers: Record<string, string> = {};
    if (key) {
      if (p.api === "anthropic-messages") {
        headers["x-api-key"] = key;
        headers["anthropic-version"] = "2023-06-01";
      } else headers.authorization = `Bearer ${key}`;
    }
    try {
      const res = await ctx.fetch(url, { headers, signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      out.push(
        res.ok
          ? { id: "doctor.provider", status: "ok", message: `${id}: ${url} answered ${res.status}` }
          : {
              id: "doctor.provider",
              status: res.status === 401 || res.status === 403 ? "fail" : "warn",
              message: `${id}: ${url} answered ${res.status}`,
              fix:
                res.status === 401 || res.status === 403
                  ? `check models.providers.${id}.apiKey`
                  : "check baseUrl",
            },
      );
    } catch (err) {
      out.push({
        id: "doctor.provider",
        status: "fail",
        message: `${id}: ${url} unreachable (${(err as Error).name})`,
        fix: `check models.providers.${id}.baseUrl and the network`,
      });
    }
  }
  return out.length > 0
    ? out
    : { id: "doctor.provider", status: "skip", message: "no providers with a baseUrl configured" };
};

/** Identity files match the `soul baseline`. */
export const checkSoul: DoctorCheck = async (ctx) => {
  const file = join(ctx.paths.stateDir, "state.sqlite");
  if (!existsSync(file)) return { id: "doctor.soul", status: "skip", message: "no store yet" };
  const store = openStore({ file });
  try {
    const r = verifySoul(store, ctx.config ?? {}, ctx.paths.stateDir);
    if (!r.baseline)
      return {
        id: "doctor.soul",
        status: "warn",
        message: `no baseline for ${agentWorkspaces(ctx.config ?? {}, ctx.paths.stateDir).length} workspace(s)`,
        fix: "review SOUL.md and run `palisade soul baseline`",
      };
    return r.ok
      ? { id: "doctor.soul", status: "ok", message: `identity files match the baseline (${r.checked})` }
      : {
          id: "doctor.soul",
          status: "fail",
          message: `differs: ${r.mismatches.map((m) => `${m.path} (${m.kind})`).join(", ")}`,
          fix: "review the change; if intended run `palisade soul baseline`",
        };
  } finally {
    store.close();
  }
};
