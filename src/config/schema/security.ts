import { z } from "zod";

/** `security`: integrity checks the gateway runs on itself. */
export const securitySchema = z
  .strictObject({
    soul: z
      .strictObject({
        onMismatch: z
          .enum(["warn", "refuse"])
          .default("warn")
          .describe(
            "When SOUL.md or another identity file differs from `palisade soul baseline`: warn (default: critical audit event and log line) or refuse (also refuse to run agents until re-baselined).",
          ),
        watch: z
          .boolean()
          .default(true)
          .describe(
            "Re-check the identity files whenever they change on disk (fs.watch), not only at start.",
          ),
      })
      .prefault({})
      .describe(
        "Integrity of the agent identity files (SOUL.md, AGENTS.md, USER.md, IDENTITY.md, TOOLS.md).",
      ),
  })
  .describe("Self-checks of the gateway.");

/** The validated `security` section. */
export type SecurityConfig = z.output<typeof securitySchema>;
