/**
 * The running gateway's moving parts around the server: the state store (devices, config
 * audit), the device and config methods, the config reloader and the supervisor that restarts
 * the server in-process for restart-class changes. `runGateway` builds one of these.
 */
import type { Logger } from "pino";
import type { PalisadeConfig } from "../../config/index.js";
import { setLogLevels } from "../../logging/index.js";
import { createConfigAudit, createDeviceStore, type Store } from "../../store/index.js";
import { type ConfigReloader, createConfigReloader } from "../config-reloader.js";
import { registerConfigMethods } from "../methods/config.js";
import { registerDeviceMethods } from "../methods/devices.js";
import { type Supervisor, superviseGateway } from "../supervisor.js";
import type { GatewayServer, GatewayServerOptions } from "../types.js";

/** Inputs of {@link startRuntime}. */
export interface RuntimeOptions {
  readonly store: Store;
  readonly config: PalisadeConfig;
  readonly configFile: string;
  readonly configHash: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Server options for a config (auth secrets resolved); throws when unusable. */
  readonly build: (config: PalisadeConfig) => Omit<GatewayServerOptions, "devices" | "status">;
  /** Called after every (re)start with the new server, e.g. to update the lock file. */
  readonly onStarted?: (server: GatewayServer) => void;
  /** Applies hot-class changes of subsystems outside the gateway (agents, channels...). */
  readonly onHotReload?: (config: PalisadeConfig) => void;
  /** Extra `status.gateway` fields (load, event loop). */
  readonly status?: () => Record<string, unknown>;
  /** Watch the config file (default true). */
  readonly watch?: boolean;
  readonly now?: () => number;
}

/** A running gateway with its reloader. */
export interface Runtime {
  readonly supervisor: Supervisor<PalisadeConfig>;
  readonly reloader: ConfigReloader;
  close(reason?: string): Promise<void>;
}

/** Opens the device and audit aggregates, starts the server and the config reloader. */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const now = opts.now ?? Date.now;
  const devices = createDeviceStore(opts.store, { now });
  const audit = createConfigAudit(opts.store);
  let reloader: ConfigReloader | undefined;
  let supervisor: Supervisor<PalisadeConfig> | undefined;
  const emit = (event: string, payload: unknown) => supervisor?.current().broadcast(event, payload);

  supervisor = await superviseGateway<PalisadeConfig>({
    initial: opts.config,
    logger: opts.logger,
    build: (config) => ({
      ...opts.build(config),
      devices,
      status: () => ({ ...(reloader?.status() ?? {}), ...opts.status?.() }),
    }),
    setup: (server) => {
      registerDeviceMethods(server.methods, {
        devices,
        now,
        emit: (event, payload, scope) => server.broadcast(event, payload, { scope }),
        recheck: () => server.recheckConnections(),
      });
      registerConfigMethods(server.methods, {
        file: opts.configFile,
        env: opts.env,
        audit,
        now,
        afterWrite: () => reloader?.reload(),
      });
      opts.onStarted?.(server);
    },
  });
  const sup = supervisor;
  reloader = createConfigReloader({
    file: opts.configFile,
    env: opts.env,
    initial: { config: opts.config, hash: opts.configHash },
    logger: opts.logger,
    now,
    ...(opts.watch === false ? { watch: false } : {}),
    emit,
    applyHot: (config) => {
      setLogLevels(opts.logger, { level: config.logging.level, consoleLevel: config.logging.consoleLevel });
      opts.onHotReload?.(config);
    },
    restart: async (config) => {
      await sup.restart(config);
    },
  });
  const rl = reloader;
  return {
    supervisor: sup,
    reloader: rl,
    async close(reason) {
      rl.close();
      await rl.idle();
      await sup.close(reason);
    },
  };
}
