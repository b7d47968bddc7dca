import { z } from "zod";
import { configSchema } from "./schema/root.js";

/**
 * The config's JSON Schema (draft 2020-12) for editors and `palisade config schema`. It
 * describes the input (what one writes): defaults are shown, not required. Cross-field rules
 * are not expressible in JSON Schema; `palisade config validate` checks them.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: "Palisade config", $id: "https://palisade.dev/schema/palisade.json" };
}
