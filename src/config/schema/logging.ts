import { z } from "zod";

const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** `logging`: structured logs and redaction of secrets (on by default). */
export const loggingSchema = z
  .strictObject({
    level: z.enum(levels).default("info").describe("Minimum level written to the log file."),
    consoleLevel: z
      .enum(levels)
      .optional()
      .describe("Minimum level printed on the console; defaults to level."),
    file: z
      .string()
      .min(1)
      .optional()
      .describe("Log file path; default <stateDir>/logs/palisade.log (rotated)."),
    redactSensitive: z
      .enum(["off", "tools"])
      .default("tools")
      .describe("tools (default): redact secrets in logs and tool output; off: write them as is."),
    redactPatterns: z
      .array(z.string().min(1))
      .max(200)
      .optional()
      .describe("Extra regular expressions whose matches are redacted, added to the built-in ones."),
  })
  .describe("Logging and redaction.");

/** The validated `logging` section. */
export type LoggingConfig = z.output<typeof loggingSchema>;
