import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

/** Loads the config module only when a config command runs, so `palisade --help` stays fast. */
const configModule = () => import("../config/index.js");

/** Reads the config file text; "" when it does not exist. PAL_CONFIG_NOT_FOUND for a missing explicit file. */
async function readText(
  ctx: CliContext,
  opts: { createIfMissing: boolean },
): Promise<{ text: string; hash: string }> {
  const { readConfigFile, configHash } = await configModule();
  const bytes = await readConfigFile(ctx.paths.configPath);
  if (!bytes && ctx.paths.configExplicit && !opts.createIfMissing) {
    const { fail } = await import("../core/errors.js");
    throw fail("PAL_CONFIG_NOT_FOUND", { file: ctx.paths.configPath });
  }
  return { text: bytes ? bytes.toString("utf8") : "", hash: configHash(bytes ?? "") };
}

async function envFor(ctx: CliContext): Promise<Record<string, string>> {
  const { loadEnv } = await configModule();
  return loadEnv({ env: process.env, cwd: process.cwd(), stateDir: ctx.paths.stateDir });
}

async function validate(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  const { validateConfigText, configHash } = await configModule();
  const { text } = await readText(ctx, { createIfMissing: false });
  const file = ctx.paths.configPath;
  const result = validateConfigText(text, file, await envFor(ctx));
  if (opts.json) {
    const out = result.ok
      ? { valid: true, file, hash: configHash(text) }
      : { valid: false, file, problems: result.problems };
    ctx.out(JSON.stringify(out, null, 2));
    return result.ok ? 0 : 2;
  }
  if (result.ok) {
    ctx.out(`valid: ${file}`);
    return 0;
  }
  ctx.err(`error: config ${file} has ${result.problems.length} problem(s):`);
  for (const p of result.problems) ctx.err(`  ${p.text}`);
  return 2;
}

async function get(ctx: CliContext, path: string, opts: { json?: boolean }): Promise<number> {
  const { readRawTree, getAtPath, parsePath } = await configModule();
  const segs = parsePath(path);
  const { text } = await readText(ctx, { createIfMissing: false });
  const raw = readRawTree(text, ctx.paths.configPath, await envFor(ctx));
  if (!raw.tree) {
    const { fail } = await import("../core/errors.js");
    throw fail(
      "PAL_CONFIG_INVALID",
      { file: ctx.paths.configPath, count: raw.problems.length },
      { details: { problems: raw.problems } },
    );
  }
  const found = getAtPath(raw.value, segs);
  if (!found.found) {
    ctx.err(
      `error: ${path} is not set in ${ctx.paths.configPath}; its default applies (see \`palisade config schema\`)`,
    );
    return 1;
  }
  const v = found.value;
  ctx.out(opts.json || typeof v !== "string" ? JSON.stringify(v, null, 2) : v);
  return 0;
}

async function parseValue(raw: string): Promise<unknown> {
  const JSON5 = (await import("json5")).default;
  try {
    return JSON5.parse(raw);
  } catch (err) {
    const { fail } = await import("../core/errors.js");
    const hint = /^[\w.:/@-]+$/.test(raw) ? ` (to set the string, quote it: '"${raw}"')` : "";
    throw fail("PAL_USAGE_BAD_JSON", {
      what: `value ${JSON.stringify(raw)}`,
      detail: `${(err as Error).message}${hint}`,
    });
  }
}

/** Applies an edit to the file text, validates the whole result, and writes it only if valid. */
async function edit(ctx: CliContext, change: (text: string) => string, done: string): Promise<number> {
  const { validateConfigText, writeConfigFileAtomic, readRawTree } = await configModule();
  const { fail } = await import("../core/errors.js");
  const { text, hash } = await readText(ctx, { createIfMissing: true });
  const file = ctx.paths.configPath;
  const env = await envFor(ctx);
  const before = readRawTree(text, file, env);
  if (!before.tree)
    throw fail("PAL_CONFIG_INVALID", { file, count: 1 }, { details: { problems: before.problems } });
  const next = change(text);
  const result = validateConfigText(next, file, env, { allowMissingEnv: true });
  if (!result.ok)
    throw fail(
      "PAL_CONFIG_INVALID",
      { file: `${file} (after this change, so nothing was written)`, count: result.problems.length },
      { details: { problems: result.problems } },
    );
  if (next !== text) await writeConfigFileAtomic(file, next, { baseHash: hash });
  ctx.out(done);
  return 0;
}

const HELP_VALIDATE = `
Checks JSON5 syntax, $include files, \${VAR} references and every key, and lists every problem as
FILE:LINE:COL path.to.key: what is wrong; how to fix

Examples:
  palisade config validate
  palisade config validate --json          machine-readable result on stdout
  palisade --config ./palisade.json config validate

Exit codes: 0 valid, 2 invalid or unreadable.`;

const HELP_GET = `
Prints the value as written in the file (\${VAR} references are not expanded; $include files are
merged). Strings print bare; other values as JSON.

Examples:
  palisade config get gateway.port
  palisade config get channels.telegram --json
  palisade config get 'channels.telegram.groups["*"].requireMention'

Exit codes: 0 printed, 1 not set (the default applies), 2 bad path or invalid file.`;

const HELP_SET = `
The value is JSON5: numbers, true/false, null, "strings", [arrays] and {objects}. Quote strings
(and protect the quotes from the shell). The whole resulting config is validated first; an
invalid result is refused and the file is left untouched. Comments and formatting are kept.

Examples:
  palisade config set gateway.port 18790
  palisade config set gateway.bind '"loopback"'
  palisade config set gateway.auth.token '"\${PALISADE_GATEWAY_TOKEN}"'
  palisade config set channels.telegram.allowFrom '["123456789"]'
  palisade config set agents.defaults.sandbox '{ mode: "all", workspaceAccess: "ro" }'

Exit codes: 0 written, 2 bad value or invalid result (nothing written), 1 write failed.`;

const HELP_UNSET = `
Removes the key (its default applies again). The result is validated before writing.

Examples:
  palisade config unset gateway.customBindHost
  palisade config unset 'channels.telegram.groups["-1001234"]'`;

/** Registers `palisade config validate|get|set|unset|schema|file`. */
export function registerConfigCommands(program: Command): void {
  const config = program
    .command("config")
    .description("read, change and validate the config file (JSON5, default <state-dir>/palisade.json)");

  config
    .command("validate")
    .description("check the config file and list every problem")
    .option("--json", "print a machine-readable result on stdout")
    .addHelpText("after", HELP_VALIDATE)
    .action(action((ctx, opts: { json?: boolean }) => validate(ctx, opts)));

  config
    .command("get")
    .description("print the value at a dot path, as written in the file")
    .argument("<path>", "dot path, e.g. gateway.port or agents.list[0].id")
    .option("--json", "print the value as JSON (strings quoted)")
    .addHelpText("after", HELP_GET)
    .action(action((ctx, path: string, opts: { json?: boolean }) => get(ctx, path, opts)));

  config
    .command("set")
    .description("set the value at a dot path (JSON5 value), validating before writing")
    .argument("<path>", "dot path, e.g. gateway.port")
    .argument("<value>", "JSON5 value; quote strings: '\"loopback\"'")
    .addHelpText("after", HELP_SET)
    .action(
      action(async (ctx, path: string, raw: string) => {
        const { setConfigText, parsePath } = await configModule();
        const segs = parsePath(path);
        const value = await parseValue(raw);
        return edit(
          ctx,
          (text) => setConfigText(text, segs, value),
          `set ${path} in ${ctx.paths.configPath}`,
        );
      }),
    );

  config
    .command("unset")
    .description("remove the key at a dot path, validating before writing")
    .argument("<path>", "dot path, e.g. gateway.customBindHost")
    .addHelpText("after", HELP_UNSET)
    .action(
      action(async (ctx, path: string) => {
        const { unsetConfigText, parsePath } = await configModule();
        const segs = parsePath(path);
        return edit(ctx, (text) => unsetConfigText(text, segs), `unset ${path} in ${ctx.paths.configPath}`);
      }),
    );

  config
    .command("schema")
    .description("print the config's JSON Schema (for editors and tooling)")
    .addHelpText("after", "\nExample:\n  palisade config schema > palisade.schema.json")
    .action(
      action(async (ctx) => {
        const { configJsonSchema } = await configModule();
        ctx.out(JSON.stringify(configJsonSchema(), null, 2));
      }),
    );

  config
    .command("file")
    .description("print the resolved config file path")
    .addHelpText(
      "after",
      "\nResolution: --config, then PALISADE_CONFIG_PATH, then <state-dir>/palisade.json.",
    )
    .action(
      action(async (ctx) => {
        ctx.out(ctx.paths.configPath);
      }),
    );
}
