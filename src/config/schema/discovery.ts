import { z } from "zod";

/** `discovery`: how the gateway announces itself on the network. Off unless enabled (no phone-home). */
export const discoverySchema = z
  .strictObject({
    mdns: z
      .strictObject({
        mode: z
          .enum(["off", "minimal", "full"])
          .default("off")
          .describe(
            "Bonjour/mDNS broadcast: off (default), minimal (service only, no paths or hostnames), full.",
          ),
      })
      .optional()
      .describe("Local-network discovery over mDNS."),
  })
  .describe("Network discovery of this gateway.");

/** The validated `discovery` section. */
export type DiscoveryConfig = z.output<typeof discoverySchema>;
