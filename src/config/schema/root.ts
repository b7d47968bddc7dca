import { z } from "zod";
import { accessSchema } from "./access.js";
import { agentsSchema } from "./agents.js";
import { bindingsSchema } from "./bindings.js";
import { channelsSchema } from "./channels.js";
import { crossChecks } from "./cross-checks.js";
import { discoverySchema } from "./discovery.js";
import { gatewaySchema } from "./gateway.js";
import { loggingSchema } from "./logging.js";
import { modelsSchema } from "./models.js";
import { securitySchema } from "./security.js";
import { sessionSchema } from "./session.js";
import { toolsSchema } from "./tools.js";

/** The sections Palisade understands; every one is optional and has safe defaults. */
export const configShape = {
  $schema: z.string().optional().describe("JSON Schema URL for editors; ignored."),
  meta: z.record(z.string(), z.unknown()).optional().describe("Written by OpenClaw; accepted and ignored."),
  wizard: z.record(z.string(), z.unknown()).optional().describe("Written by OpenClaw; accepted and ignored."),
  gateway: gatewaySchema.prefault({}),
  discovery: discoverySchema.optional(),
  channels: channelsSchema.optional(),
  agents: agentsSchema.optional(),
  bindings: bindingsSchema.optional(),
  access: accessSchema.optional(),
  session: sessionSchema.prefault({}),
  tools: toolsSchema.optional(),
  models: modelsSchema.optional(),
  logging: loggingSchema.prefault({}),
  security: securitySchema.prefault({}),
};

/**
 * The whole Palisade config (`palisade.json`). Strict at every level: unknown keys are errors.
 * Cross-field rules run even when single keys are invalid, so one validation reports everything.
 */
export const configSchema = z
  .strictObject(configShape)
  .superRefine(
    (value, ctx) => {
      for (const issue of crossChecks(value)) ctx.addIssue({ code: "custom", ...issue });
    },
    { when: () => true },
  )
  .describe("Palisade config (OpenClaw-compatible keys).");

/** A validated config with defaults filled in. */
export type PalisadeConfig = z.output<typeof configSchema>;
/** A config as written (before defaults). */
export type PalisadeConfigInput = z.input<typeof configSchema>;
