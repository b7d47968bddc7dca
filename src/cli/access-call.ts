import { action, type CliContext } from "./context.js";
import { reportCallError } from "./gateway.js";
import { callGatewayOrLocal, dispatchLocal } from "./local-call.js";

/** Connection flags of the pairing and access commands. */
export interface AccessFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
  account?: string;
  notify?: boolean;
  reason?: string;
  channel?: string;
}

/**
 * Runs one `pairing.*` / `access.*` method: over the running gateway, or, when none answers and
 * no --url or PALISADE_GATEWAY_URL names one, directly on the local state store (the state dir's
 * owner is the operator). The same method code runs either way; only `--notify` needs the
 * gateway, since it sends through a running channel.
 */
export function callAccess(
  ctx: CliContext,
  flags: AccessFlags,
  method: string,
  params: Record<string, unknown>,
) {
  return callGatewayOrLocal(ctx, flags, method, params, () =>
    dispatchLocal(ctx, method, params, async (methods, store) => {
      const { loadConfig } = await import("../config/index.js");
      const { PairingService, AccessRoles } = await import("../access/index.js");
      const { registerPairingMethods } = await import("../gateway/methods/pairing.js");
      const { registerAccessMethods } = await import("../gateway/methods/access.js");
      // Config roles win over stored ones; without a readable config only the store counts.
      const config = await loadConfig({ paths: ctx.paths }).then(
        (l) => l.config,
        () => ({ channels: undefined }),
      );
      registerPairingMethods(methods, { pairing: new PairingService({ store }) });
      registerAccessMethods(methods, new AccessRoles({ store, config }));
    }),
  );
}

/**
 * A commander action for one `pairing.*` / `access.*` method: positional args and flags become
 * params, the answer is printed as JSON (with --json, or when there is no `print` for people),
 * and a gateway error is reported with exit code 1.
 */
export function accessAction(
  method: string,
  toParams: (args: string[], flags: AccessFlags) => Record<string, unknown>,
  print?: (ctx: CliContext, payload: unknown) => void,
) {
  return action(async (ctx, ...args: unknown[]) => {
    const flags = args[args.length - 2] as AccessFlags;
    const positional = args
      .slice(0, -2)
      .filter((a) => a !== undefined)
      .map(String);
    try {
      const payload = await callAccess(ctx, flags, method, toParams(positional, flags));
      if (print !== undefined && !flags.json) print(ctx, payload);
      else ctx.out(JSON.stringify(payload, null, flags.json ? undefined : 2));
    } catch (err) {
      return reportCallError(ctx, err);
    }
    return 0;
  });
}
