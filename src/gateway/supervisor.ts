/**
 * Keeps one gateway server running and restarts it in-process when a restart-class config
 * change arrives: drain and close the old server, start a new one from the new settings, and
 * register the subsystems' methods on it again. A new server that cannot start (port taken,
 * unsafe bind) is rolled back to the previous settings.
 */
import type { Logger } from "pino";
import { startGateway } from "./server.js";
import type { GatewayServer, GatewayServerOptions } from "./types.js";

/** Options of {@link superviseGateway}; `S` is whatever settings `build` turns into options. */
export interface SupervisorOptions<S> {
  /** Settings to start with. */
  readonly initial: S;
  /** Server options for some settings (throws when they are unusable). */
  readonly build: (settings: S) => GatewayServerOptions;
  /** Registers methods and wiring on each new server. */
  readonly setup: (server: GatewayServer) => void;
  readonly logger: Logger;
}

/** A supervised gateway. */
export interface Supervisor<S> {
  /** The server running now. */
  current(): GatewayServer;
  /** Replaces the server with one built from `settings`; rolls back when it cannot start. */
  restart(settings: S): Promise<GatewayServer>;
  /** Stops the running server. */
  close(reason?: string): Promise<void>;
}

/** Starts the first server and returns the supervisor. */
export async function superviseGateway<S>(opts: SupervisorOptions<S>): Promise<Supervisor<S>> {
  const start = async (settings: S) => {
    const server = await startGateway(opts.build(settings));
    opts.setup(server);
    return server;
  };
  let settings = opts.initial;
  let server = await start(settings);
  return {
    current: () => server,
    async restart(next) {
      opts.logger.info("restarting gateway subsystems for a config change");
      await server.close("config change: restarting");
      try {
        server = await start(next);
        settings = next;
      } catch (err) {
        opts.logger.error({ err }, "the new gateway settings cannot start; restoring the previous ones");
        server = await start(settings);
        throw err;
      }
      return server;
    },
    close: (reason) => server.close(reason),
  };
}
