import type { Command } from "commander";
import { fail } from "../core/errors.js";
import { action, type CliContext } from "./context.js";

/** Loads config and builds the model registry exactly as the gateway does (no gateway needed). */
async function localRegistry(ctx: CliContext) {
  const { loadConfig } = await import("../config/index.js");
  const { registryFromConfig, resolveAgents } = await import("../agent/index.js");
  const loaded = await loadConfig({ paths: ctx.paths });
  const registry = registryFromConfig(loaded.config, { env: loaded.env, stateDir: ctx.paths.stateDir });
  const agents = resolveAgents(loaded.config.agents, ctx.paths.stateDir);
  return { registry, agents, config: loaded.config };
}

/** Registers `palisade models list|test`. */
export function registerModelsCommands(program: Command): void {
  const models = program
    .command("models")
    .description("list configured models or test one (reads the config directly)");

  models
    .command("list")
    .description("list providers, their configured models and which agent uses which model")
    .option("--json", "print JSON")
    .action(
      action(async (ctx, flags: { json?: boolean }) => {
        const { registry, agents } = await localRegistry(ctx);
        const { modelChain, providerEnvVar } = await import("../providers/index.js");
        const providers = registry.providerIds().map((id) => ({
          id,
          usable: isUsable(registry, id),
          envVar: providerEnvVar(id),
          models: registry.models(id).map((m) => m.id),
        }));
        const agentRows = [...agents.agents.values()].map((a) => ({
          id: a.id,
          default: a.isDefault,
          models: a.model === undefined ? [] : modelChain(a.model).map((r) => r.ref),
        }));
        if (flags.json) {
          ctx.out(JSON.stringify({ providers, agents: agentRows }));
          return 0;
        }
        for (const p of providers) {
          ctx.out(
            `${p.id}  ${p.usable ? "ready" : `no key (set ${p.envVar} or credentials/${p.id}.key)`}  models: ${p.models.join(", ") || "-"}`,
          );
        }
        for (const a of agentRows) {
          ctx.out(
            `agent ${a.id}${a.default ? " (default)" : ""}: ${a.models.join(" -> ") || "no model configured"}`,
          );
        }
        return 0;
      }),
    );

  models
    .command("test <ref>")
    .description("send a tiny prompt to a model and report ok, latency or the error")
    .option("--timeout <ms>", "give up after this long", "30000")
    .option("--json", "print JSON")
    .action(
      action(async (ctx, ref: string, flags: { timeout: string; json?: boolean }) => {
        const timeoutMs = Number(flags.timeout);
        if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
          throw fail("PAL_USAGE", { detail: "--timeout takes milliseconds" });
        const { registry } = await localRegistry(ctx);
        const { streamModelStep, describeError } = await import("../providers/index.js");
        const model = registry.resolve(ref);
        const started = performance.now();
        try {
          const r = await streamModelStep(
            [model],
            { messages: [{ role: "user", content: "Reply with the single word: ok" }], maxOutputTokens: 16 },
            {
              maxAttempts: 1,
              signal: AbortSignal.timeout(timeoutMs),
              stallTimeoutMs: timeoutMs,
              secrets: registry.secrets(),
            },
          );
          const latencyMs = Math.round(performance.now() - started);
          if (flags.json)
            ctx.out(JSON.stringify({ ok: true, ref: model.ref, latencyMs, text: r.text.slice(0, 200) }));
          else ctx.out(`ok ${model.ref} ${latencyMs} ms: ${JSON.stringify(r.text.slice(0, 200))}`);
          return 0;
        } catch (err) {
          const latencyMs = Math.round(performance.now() - started);
          const error = describeError(err, registry.secrets());
          if (flags.json) ctx.out(JSON.stringify({ ok: false, ref: model.ref, latencyMs, error }));
          else ctx.err(`error ${model.ref} after ${latencyMs} ms: ${error}`);
          return 1;
        }
      }),
    );
}

/** Whether refs to provider `id` resolve (base URL present; key present where one is needed). */
function isUsable(registry: { resolve(ref: string): unknown }, id: string): boolean {
  try {
    registry.resolve(`${id}/probe`);
    return true;
  } catch {
    return false;
  }
}
