/**
 * The method table. Every RPC names the scope it needs, a zod schema for its params, whether it
 * changes state (then `idempotencyKey` is required), and its handler. Later issues register
 * their methods here; dispatch enforces all of it before a handler runs.
 */
import type { z } from "zod";
import type { Role, Scope } from "./scopes.js";

/** What a handler knows about its caller. */
export interface MethodContext {
  /** Connection id (`hello-ok.server.connId`), or `http` for HTTP RPC. */
  readonly connId: string;
  readonly role: Role;
  readonly scopes: readonly Scope[];
  /** Real client address (after trusted-proxy resolution). */
  readonly clientAddress: string;
  /** Aborted when the gateway shuts down. */
  readonly signal: AbortSignal;
  /**
   * How the call arrived: an operator WebSocket, the HTTP RPC route, or (later) a chat channel.
   * Methods that change config refuse anything but an operator transport.
   */
  readonly transport: "ws" | "http" | "channel";
  /** The verified device of the connection, when it presented one. */
  readonly deviceId?: string | undefined;
  /** OpenClaw client id of the connection (`cli`, `openclaw-control-ui`, ...). */
  readonly clientId?: string | undefined;
}

/** One method. `P` is the params type after parsing. */
export interface MethodSpec<P = unknown> {
  /** Wire name, e.g. `health`, `logs.tail`. */
  readonly name: string;
  /** Scope required, or `null` for any authenticated connection. */
  readonly scope: Scope | null;
  /** Params schema; receives `params` as sent (possibly undefined). */
  readonly params: z.ZodType<P>;
  /** Changes state: requires `params.idempotencyKey` and replays repeats. */
  readonly sideEffect?: boolean;
  /**
   * With `sideEffect`: the key is optional (replayed when given). For methods whose OpenClaw
   * params schema has no `idempotencyKey` (device.pair.*, config.apply/patch), so OpenClaw
   * clients keep working; such methods guard repeats themselves (request ids, baseHash).
   */
  readonly idempotencyOptional?: boolean;
  /** Runs the method; throw `fail(...)` for typed errors. */
  readonly handler: (params: P, ctx: MethodContext) => unknown;
}

/** Registered methods by name. Names are unique; registering twice is a bug. */
export class MethodRegistry {
  readonly #methods = new Map<string, MethodSpec<unknown>>();

  /** Adds a method. Throws when the name is taken or invalid. */
  register<P>(spec: MethodSpec<P>): void {
    if (!/^[a-z][a-zA-Z0-9._-]{0,127}$/.test(spec.name)) throw new Error(`invalid method name ${spec.name}`);
    if (spec.name === "connect") throw new Error("connect is the handshake, not a method");
    if (this.#methods.has(spec.name)) throw new Error(`method ${spec.name} is already registered`);
    this.#methods.set(spec.name, spec as MethodSpec<unknown>);
  }

  /** The method named `name`, if registered. */
  get(name: string): MethodSpec<unknown> | undefined {
    return this.#methods.get(name);
  }

  /** Registered names, sorted (advertised in `hello-ok.features.methods`). */
  names(): string[] {
    return [...this.#methods.keys()].sort();
  }
}
