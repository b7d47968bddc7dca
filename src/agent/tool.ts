import type { jsonSchema, ToolSet } from "ai";
import { z } from "zod";
import { fail } from "../core/errors.js";
import { loadSdk, type Sdk } from "../providers/index.js";

/** What a tool gets besides its arguments. Extended by the tools issue (sandbox, approvals). */
export interface ToolContext {
  /** The model's id for this call. */
  readonly toolCallId: string;
  /** Aborts when the run is stopped or times out; long tools must honour it. */
  readonly signal: AbortSignal;
  /** Caller-provided values (session key, agent id, sandbox, ...). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * The Tool port: a named action the model may call. `params` is validated before `execute` runs
 * and is sent to the model as JSON Schema. The result is text or any JSON value.
 */
export interface Tool<P extends z.ZodType = z.ZodType> {
  /** Name the model calls; letters, digits, `_` and `-`, at most 64 characters. */
  readonly name: string;
  /** What the tool does, for the model. */
  readonly description: string;
  /** Argument schema (zod 4). */
  readonly params: P;
  /** Runs the tool with validated arguments. A thrown error goes back to the model as text. */
  execute(ctx: ToolContext, args: z.output<P>): Promise<unknown> | unknown;
}

/** Defines a tool with its argument type inferred from the schema. */
export function defineTool<P extends z.ZodType>(tool: Tool<P>): Tool<P> {
  return tool;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * JSON Schemas of tool parameter schemas, built once per schema object: zod's conversion took
 * about a tenth of the gateway's CPU per channel message when it ran for every run.
 */
const inputSchemas = new WeakMap<z.ZodType, ReturnType<typeof jsonSchema>>();

function inputSchemaOf(sdk: Sdk, params: z.ZodType): ReturnType<typeof jsonSchema> {
  let s = inputSchemas.get(params);
  if (s === undefined) {
    const schema = z.toJSONSchema(params, { io: "input", unrepresentable: "any" });
    s = sdk.jsonSchema(schema as Parameters<typeof jsonSchema>[0]);
    inputSchemas.set(params, s);
  }
  return s;
}

/**
 * Turns tools into AI SDK definitions without `execute` (the runner executes) and without SDK-side
 * validation (the runner validates with zod so a bad call becomes a message to the model).
 * Loads the AI SDK on first use.
 */
export function toSdkTools(tools: readonly Tool[]): Promise<ToolSet> {
  // Tool lists are resolved once per policy and reused by every run under it, so the SDK
  // definitions (and the provider request form model-step.ts derives from them) are built once.
  let p = sdkToolSets.get(tools);
  if (p === undefined) {
    p = buildSdkTools(tools);
    sdkToolSets.set(tools, p);
    p.catch(() => sdkToolSets.delete(tools));
  }
  return p;
}

const sdkToolSets = new WeakMap<readonly Tool[], Promise<ToolSet>>();

async function buildSdkTools(tools: readonly Tool[]): Promise<ToolSet> {
  const sdk = await loadSdk();
  const out: ToolSet = {};
  for (const t of tools) {
    if (!TOOL_NAME.test(t.name))
      throw fail("PAL_AGENT_BAD_TOOLS", { detail: `bad tool name ${JSON.stringify(t.name)}` });
    if (Object.hasOwn(out, t.name)) throw fail("PAL_AGENT_BAD_TOOLS", { detail: `duplicate tool ${t.name}` });
    out[t.name] = { description: t.description, inputSchema: inputSchemaOf(sdk, t.params) };
  }
  return out;
}

/** Default cap on one tool result sent back to the model, in characters. */
export const DEFAULT_MAX_TOOL_RESULT_CHARS = 20_000;

/** Serializes a tool result and caps it, saying how much was cut so the model knows. */
export function capToolResult(value: unknown, maxChars: number): { text: string; truncated: boolean } {
  let text: string;
  if (typeof value === "string") text = value;
  else if (value === undefined) text = "";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  if (text.length <= maxChars) return { text, truncated: false };
  const cut = text.length - maxChars;
  return {
    text: `${text.slice(0, maxChars)}\n[truncated: ${cut} more characters not shown]`,
    truncated: true,
  };
}

/** Short form of a zod error for the model: path and message of the first few issues. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length === 0 ? "(root)" : i.path.join(".")}: ${i.message}`)
    .join("; ");
}
