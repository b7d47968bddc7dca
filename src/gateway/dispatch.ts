/**
 * Runs one authenticated request: method lookup, scope check, params validation, idempotency,
 * handler. Every failure becomes a typed wire error; anything unexpected is a generic internal
 * error (the cause goes to the log, never to the client).
 */
import type { Logger } from "pino";
import { z } from "zod";
import { fail, toWireError } from "../core/errors.js";
import { describeIssues, errorFrame, okFrame, type RequestFrame, type ResponseFrame } from "./frames.js";
import type { IdempotencyCache } from "./idempotency.js";
import type { MethodContext, MethodRegistry } from "./method-registry.js";
import { hasScope } from "./scopes.js";

/** What dispatch needs from the server. */
export interface DispatchDeps {
  readonly methods: MethodRegistry;
  readonly idempotency: IdempotencyCache;
  readonly logger: Logger;
}

const idempotencyKeySchema = z.object({ idempotencyKey: z.string().min(1).max(256) });

async function run(frame: RequestFrame, ctx: MethodContext, deps: DispatchDeps): Promise<unknown> {
  const spec = deps.methods.get(frame.method);
  if (spec === undefined) {
    throw fail("PAL_PROTO_UNKNOWN_METHOD", { method: frame.method }, { details: { method: frame.method } });
  }
  if (spec.scope !== null && (ctx.role !== "operator" || !hasScope(ctx.scopes, spec.scope))) {
    throw fail(
      "PAL_FORBIDDEN_SCOPE",
      { missingScope: spec.scope },
      { details: { code: "MISSING_SCOPE", missingScope: spec.scope, requiredScopes: [spec.scope] } },
    );
  }
  let key: string | undefined;
  if (spec.sideEffect === true) {
    const k = idempotencyKeySchema.safeParse(frame.params);
    if (k.success) key = k.data.idempotencyKey;
    else if (spec.idempotencyOptional !== true)
      throw fail("PAL_PROTO_IDEMPOTENCY_REQUIRED", { method: frame.method });
  }
  const parsed = spec.params.safeParse(frame.params);
  if (!parsed.success) {
    throw fail("PAL_PROTO_INVALID_PARAMS", { method: frame.method, detail: describeIssues(parsed.error) });
  }
  const call = async () => spec.handler(parsed.data, ctx);
  if (key === undefined) return call();
  return deps.idempotency.execute(frame.method, key, frame.params, call);
}

/** Dispatches `frame` and always resolves to a response frame. */
export async function dispatch(
  frame: RequestFrame,
  ctx: MethodContext,
  deps: DispatchDeps,
): Promise<ResponseFrame> {
  try {
    const payload = await run(frame, ctx, deps);
    return okFrame(frame.id, payload ?? null);
  } catch (err) {
    const wire = toWireError(err);
    if (wire.code === "INTERNAL") {
      deps.logger.error({ err, method: frame.method, connId: ctx.connId }, "method failed");
    }
    return errorFrame(frame.id, wire);
  }
}
