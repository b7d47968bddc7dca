/**
 * `usage.status`: token usage and cost the store recorded per run, summed per model. Provider
 * quota windows (OpenClaw's `providers`) are empty: Palisade does not poll provider dashboards.
 */
import { z } from "zod";
import type { AgentService } from "../../agent/index.js";
import type { MethodRegistry } from "../method-registry.js";

/** Registers `usage.status` (operator.read). */
export function registerUsageMethods(methods: MethodRegistry, service: AgentService): void {
  methods.register({
    name: "usage.status",
    scope: "operator.read",
    params: z.object({ sinceMs: z.int().min(0).optional() }).optional(),
    handler: (p) => {
      const byModel = service.deps.usage.totals({ since: p?.sinceMs ?? 0 });
      const sum = (k: "runs" | "inputTokens" | "outputTokens" | "totalTokens") =>
        byModel.reduce((a, r) => a + (r[k] ?? 0), 0);
      const costs = byModel.filter((r) => r.costUsd !== null);
      return {
        updatedAt: service.deps.now(),
        providers: [],
        totals: {
          runs: sum("runs"),
          inputTokens: sum("inputTokens"),
          outputTokens: sum("outputTokens"),
          totalTokens: sum("totalTokens"),
          ...(costs.length === 0 ? {} : { costUsd: costs.reduce((a, r) => a + (r.costUsd ?? 0), 0) }),
        },
        byModel,
      };
    },
  });
}
