/**
 * `models.list`: models come only from config (`models.providers.*.models` and the agents'
 * refs); Palisade fetches no catalogs.
 */
import { z } from "zod";
import type { AgentService } from "../../agent/index.js";
import { modelChain } from "../../providers/index.js";
import type { MethodRegistry } from "../method-registry.js";

/** One entry of `models.list` (OpenClaw ModelChoice). */
export interface ModelChoice {
  id: string;
  name: string;
  provider: string;
  contextWindow?: number;
  /** Palisade: the agents using it as primary or fallback. */
  agents?: string[];
}

/** Every model the config names: provider catalogs plus agent refs. */
export function listModels(service: AgentService): ModelChoice[] {
  const { registry, agents } = service.deps;
  const out = new Map<string, ModelChoice>();
  for (const provider of registry.providerIds()) {
    for (const m of registry.models(provider)) {
      out.set(`${provider}/${m.id}`, {
        id: m.id,
        name: m.name ?? m.id,
        provider,
        ...(m.contextWindow === undefined ? {} : { contextWindow: m.contextWindow }),
      });
    }
  }
  for (const agent of agents.agents.values()) {
    if (agent.model === undefined) continue;
    let refs: ReturnType<typeof modelChain> = [];
    try {
      refs = modelChain(agent.model);
    } catch {
      continue;
    }
    for (const r of refs) {
      const entry = out.get(r.ref) ?? { id: r.model, name: r.model, provider: r.provider };
      entry.agents = [...(entry.agents ?? []), agent.id];
      out.set(r.ref, entry);
    }
  }
  return [...out.values()];
}

/** Registers `models.list` (operator.read). */
export function registerModelMethods(methods: MethodRegistry, service: AgentService): void {
  methods.register({
    name: "models.list",
    scope: "operator.read",
    params: z.object({}).optional(),
    handler: () => ({ models: listModels(service) }),
  });
}
