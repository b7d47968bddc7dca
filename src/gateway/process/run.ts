import { join } from "node:path";
import type { PalisadeConfig } from "../../config/index.js";
import { fail } from "../../core/errors.js";
import { ensurePrivateDir, type PalisadePaths } from "../../core/paths.js";
import { registerSecurityMethods } from "../methods/security.js";
import { acquireGatewayLock } from "./lock.js";
import { releaseStartupMemory } from "./startup-memory.js";
import { ensureGatewayToken, isPlaceholderSecret } from "./token.js";

/** Options for {@link runGateway}. */
export interface RunGatewayOptions {
  readonly paths: PalisadePaths;
  /** Port override (`gateway run --port`). */
  readonly port?: number | undefined;
  /** Environment for `${VAR}` and `.env`; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Line writers for the operator (stdout / stderr). */
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Resolves when the process should stop; default SIGTERM or SIGINT. */
  readonly stopSignal?: Promise<string>;
}

/** Resolves once SIGTERM or SIGINT arrives, with the signal's name. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(sig);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

/**
 * What a sender is told while `security.soul.onMismatch: "refuse"` holds an agent back because
 * its identity files (SOUL.md and the others) differ from the baseline.
 */
const AGENT_PAUSED_TEXT =
  "This assistant is paused: its identity files changed since the operator's baseline. The operator can check them with `palisade soul verify`.";

/**
 * Runs the gateway in the foreground: validate config (invalid: nothing binds), take the lock,
 * resolve auth (generating a token on first run), open the log, bind, serve until a stop
 * signal, then drain and exit 0. Returns the exit code.
 */
export async function runGateway(opts: RunGatewayOptions): Promise<number> {
  const { paths } = opts;
  const { loadConfig } = await import("../../config/index.js");
  const loaded = await loadConfig({ paths, ...(opts.env ? { env: opts.env } : {}) });
  const config = loaded.config;
  ensurePrivateDir(paths.stateDir);
  const lock = acquireGatewayLock(paths.stateDir);
  try {
    const gw = config.gateway;
    const first = resolveAuth(config, paths.stateDir);
    const { configuredSecrets } = await import("../../security/index.js");
    const { attachChannels, channelSecrets } = await import("./channels-runtime.js");
    const secrets = [
      first.token,
      gw.auth?.password,
      ...configuredSecrets(config),
      ...(await channelSecrets(config)),
    ].filter((s): s is string => typeof s === "string" && s.length > 0);
    const logging = config.logging ?? { level: "info" as const, redactSensitive: "tools" as const };
    const logFile = logging.file ?? join(paths.stateDir, "logs", "palisade.log");
    const { createLogger, createRedactor } = await import("../../logging/index.js");
    const redactOpts = {
      secrets,
      patterns: logging.redactPatterns ?? [],
      sensitive: logging.redactSensitive,
    };
    const redactor = createRedactor(redactOpts);
    // Console lines go to stderr (journald under systemd); stdout is kept for the few lines an
    // operator or a script reads: where the gateway listens and first-run instructions.
    const logger = createLogger({
      level: logging.level,
      ...(logging.consoleLevel ? { consoleLevel: logging.consoleLevel } : {}),
      file: logFile,
      console: { write: (line: string) => process.stderr.write(line), isTTY: process.stderr.isTTY === true },
      redact: redactOpts,
    });
    const { openStore } = await import("../../store/index.js");
    // WAL checkpoints (page copies and fsyncs) run on a worker thread, not the event loop.
    const store = openStore({ file: join(paths.stateDir, "state.sqlite"), walCheckpoints: "background" });
    const { startSecurityMonitor } = await import("../../security/index.js");
    const security = startSecurityMonitor({ store, config, stateDir: paths.stateDir, logger, redactor });
    const { attachAgentRuntime } = await import("./agent-runtime.js");
    const agents = await attachAgentRuntime({
      config,
      env: loaded.env,
      stateDir: paths.stateDir,
      logger,
      store,
      runtime: {
        refuseAgent: (agentId) => (security.agentAllowed(agentId) ? undefined : AGENT_PAUSED_TEXT),
      },
    });
    // Sandboxes a crashed earlier run left must go before any tool can run in a new one: every
    // sandbox creation waits for that cleanup, which starts once the gateway listens (its
    // backend probes and container listing took ~50 ms of the start). Until it has finished,
    // /readyz answers 503 with the stage.
    agents.holdSandboxes();
    const { startLoadMonitor } = await import("./load.js");
    let channels: Awaited<ReturnType<typeof attachChannels>> | undefined;
    const load = startLoadMonitor({
      agent: () => agents.service.deps.lanes.load(),
      channels: () => channels?.backlog(),
    });
    try {
      channels = await attachChannels({
        config,
        store,
        agents,
        logger,
        redact: (t) => redactor.text(t),
        overload: () => load.agentOverloaded(),
      });
    } catch (err) {
      load.close();
      agents.close();
      security.close();
      store.close();
      throw err;
    }
    const { startRuntime } = await import("./runtime.js");
    let runtime: Awaited<ReturnType<typeof startRuntime>>;
    try {
      runtime = await startRuntime({
        store,
        config,
        configFile: loaded.file,
        configHash: loaded.hash,
        env: loaded.env,
        logger,
        build: (c) => {
          const a = resolveAuth(c, paths.stateDir);
          return {
            gateway: c.gateway,
            auth: {
              ...(a.token ? { token: a.token } : {}),
              ...(c.gateway.auth?.password ? { password: c.gateway.auth.password } : {}),
            },
            logger,
            logFile,
            redact: (text: string) => redactor.text(text),
            onSecurityEvent: security.onSecurityEvent,
            ...(opts.port !== undefined ? { listen: { port: opts.port } } : {}),
          };
        },
        onHotReload: (c) => {
          agents.reconfigure(c);
          channels?.apply(c);
        },
        status: () => load.status(),
        onStarted: (server) => {
          load.attach(server);
          agents.attach(server);
          registerSecurityMethods(server.methods, { paths, env: opts.env ?? process.env });
          channels?.attach(server);
          lock.update({ port: server.port, host: server.host });
        },
      });
    } catch (err) {
      await channels.close();
      load.close();
      agents.close();
      security.close();
      store.close();
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw fail("PAL_GATEWAY_PORT_IN_USE", {
          port: opts.port ?? gw.port,
          host: hostOf(gw.bind, gw.customBindHost),
        });
      }
      throw err;
    }
    const server = runtime.supervisor.current();
    if (first.generated) {
      opts.out(`generated a gateway token: ${first.generated.file} (0600)`);
      opts.out(
        "  local CLI commands use it automatically; other clients send it in the connect frame's auth.token",
      );
      opts.out(
        "  or as `Authorization: Bearer <token>` (never in a URL). Print it with: palisade gateway token",
      );
    }
    opts.out(`listening on ${server.url}`);
    logger.info({ url: server.url }, "gateway started");
    let cancelRelease: (() => void) | undefined;
    const sandboxes = agents.startSandboxes().then(() => {
      cancelRelease = releaseStartupMemory({
        idle: () => agents.service.deps.lanes.load().active === 0 && (channels?.backlog().active ?? 0) === 0,
      });
    });
    const signal = await (opts.stopSignal ?? untilSignal());
    logger.info({ signal }, "gateway stopping");
    await channels.close();
    load.close();
    await sandboxes;
    cancelRelease?.();
    await agents.stopSandboxes();
    agents.close();
    await runtime.close(signal === "SIGTERM" || signal === "SIGINT" ? "shutdown" : signal);
    security.close();
    store.close();
    logger.flush?.();
    return 0;
  } finally {
    lock.release();
  }
}

function hostOf(bind: string, custom: string | undefined): string {
  return bind === "custom" && custom ? custom : bind === "loopback" ? "127.0.0.1" : bind;
}

/**
 * The gateway secrets for a config: the configured token, or the generated one on first run.
 * A placeholder token is refused (PAL_GATEWAY_UNSAFE_BIND).
 */
function resolveAuth(
  config: PalisadeConfig,
  stateDir: string,
): { token: string | undefined; generated: { file: string } | undefined } {
  const gw = config.gateway;
  const authMode = gw.auth?.mode ?? "token";
  let token = gw.auth?.token;
  let generated: { file: string } | undefined;
  if (authMode === "token" && (token === undefined || token.trim() === "")) {
    const t = ensureGatewayToken(stateDir);
    token = t.token;
    if (t.generated) generated = t;
  }
  if (authMode === "token" && isPlaceholderSecret(token)) {
    throw fail("PAL_GATEWAY_UNSAFE_BIND", {
      detail:
        "gateway.auth.token is a placeholder; set a real secret (32+ random characters) or remove it to have one generated",
    });
  }
  return { token, generated };
}
