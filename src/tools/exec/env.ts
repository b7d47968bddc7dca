/**
 * The environment of exec. Nothing is inherited from the gateway process and the workspace's
 * `.env` is never read: commands get a fixed base (PATH, HOME, LANG, TERM) plus the variables
 * the model asked for, each checked against a deny list of names that change how programs
 * load code or find binaries (PATH, LD_*, NODE_OPTIONS, BASH_ENV, ENV, PYTHON*, ...).
 */
import { fail } from "../../core/errors.js";

/** The fixed PATH of exec (config `tools.exec.pathPrepend` goes in front). */
export const EXEC_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Most variables one call may set. */
export const MAX_ENV_VARS = 32;
/** Longest value, characters. */
export const MAX_ENV_VALUE = 4096;

const DENY_EXACT = new Set([
  "PATH",
  "HOME",
  "SHELL",
  "ENV",
  "BASH_ENV",
  "SHELLOPTS",
  "BASHOPTS",
  "IFS",
  "PS4",
  "PROMPT_COMMAND",
  "CDPATH",
  "GLOBIGNORE",
  "ZDOTDIR",
  "INPUTRC",
  "TMPDIR",
  "CLASSPATH",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "GCONV_PATH",
  "HOSTALIASES",
  "LOCALDOMAIN",
  "RES_OPTIONS",
  "EDITOR",
  "VISUAL",
  "PAGER",
  "MANPAGER",
  "BROWSER",
  "LESSOPEN",
  "LESSCLOSE",
  "TERMINFO",
  "OPENSSL_CONF",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "CURL_CA_BUNDLE",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "ALL_PROXY",
  "NO_PROXY",
  "FTP_PROXY",
  "SSH_ASKPASS",
  "SSH_AUTH_SOCK",
  "SUDO_ASKPASS",
  "TZDIR",
  "LOCPATH",
  "NLSPATH",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_CONFIG_DIRS",
  "MAKEFLAGS",
  "MFLAGS",
]);
const DENY_PREFIX = [
  "LD_",
  "DYLD_",
  "NODE_",
  "NPM_CONFIG_",
  "YARN_",
  "PYTHON",
  "PERL",
  "RUBY",
  "GEM_",
  "BUNDLE_",
  "LUA_",
  "BASH_FUNC_",
  "GIT_",
  "MALLOC_",
  "GLIBC_",
  "GCONV_",
  "DOCKER_",
  "PALISADE_",
  "OPENCLAW_",
  "GOFLAGS",
  "CARGO_",
  "RUSTC",
  "PIP_",
  "UV_",
  "DENO_",
  "BUN_",
  "PHP",
  "R_",
];

/** Why a variable name cannot be set by a tool call, or undefined when it can. */
export function envNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return "names are letters, digits and _ (at most 64)";
  const upper = name.toUpperCase();
  if (DENY_EXACT.has(upper)) return "it changes how programs are found or loaded";
  if (DENY_PREFIX.some((p) => upper.startsWith(p)))
    return "variables with this prefix change how programs load code";
  return undefined;
}

/** Checks the model's variables; throws PAL_TOOL_ENV_REFUSED on the first bad one. */
export function checkModelEnv(env: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(env ?? {});
  if (entries.length > MAX_ENV_VARS)
    throw fail("PAL_TOOL_ENV_REFUSED", { name: "(env)", reason: `at most ${MAX_ENV_VARS} variables` });
  for (const [k, v] of entries) {
    const why = envNameProblem(k);
    if (why !== undefined) throw fail("PAL_TOOL_ENV_REFUSED", { name: k.slice(0, 64), reason: why });
    if (v.length > MAX_ENV_VALUE || v.includes("\0"))
      throw fail("PAL_TOOL_ENV_REFUSED", {
        name: k,
        reason: `values are at most ${MAX_ENV_VALUE} characters, no NUL`,
      });
    out[k] = v;
  }
  return out;
}

/** The full environment of a command: fixed base, then the checked model variables. */
export function execEnvironment(
  modelEnv: Readonly<Record<string, string>>,
  opts: { home: string; pathPrepend?: readonly string[] | undefined },
): Record<string, string> {
  const path = [...(opts.pathPrepend ?? []), EXEC_PATH].join(":");
  return { ...modelEnv, PATH: path, HOME: opts.home, LANG: "C.UTF-8", TERM: "dumb", PALISADE_SHELL: "exec" };
}
