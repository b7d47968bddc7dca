// esbuild plugin: how the bundle loads a few Node built-ins and packages, so a gateway start
// loads only what it uses. Used by scripts/build.mjs.

/**
 * Exports of Node built-ins that are lazy getters loading a subsystem the CLI does not use.
 * An ESM `import ... from "node:http"` makes Node build the module's ESM facade, and the facade
 * reads every export: `http.WebSocket` and friends load undici (~60 ms and ~15 MiB in a bare
 * process), `crypto.webcrypto` the WebCrypto layer, `fs.ReadStream` the stream classes.
 * ESM imports of these modules get a module that re-exports everything but these getters.
 */
const FACADE_FREE = {
  http: ["WebSocket", "CloseEvent", "MessageEvent"],
  crypto: ["webcrypto", "subtle", "getRandomValues"],
  fs: ["ReadStream", "WriteStream", "FileReadStream", "FileWriteStream", "Utf8Stream"],
};

/**
 * Built-ins loaded on first use: TLS and HTTPS (about 3 MiB and 8 ms) serve only outgoing
 * https requests and wss:// clients (web_fetch, the AI SDK's providers through fetch, `ws`'s
 * client), and zlib only permessage-deflate; `ws` and the tools require them at load time.
 * A `require` gets a proxy that loads the module at its first property access; an ESM import
 * gets wrappers of the module's functions (classes and constants are left out: importing one
 * fails the build).
 */
const ON_FIRST_USE = ["https", "tls", "zlib"];

/**
 * Packages loaded on first use: pino requires thread-stream (and through it worker_threads,
 * about 1.5 MiB and 5 ms) at load time, for worker transports the gateway never configures.
 * A `require` of one gets a constructible proxy that loads the package when first used.
 */
const PACKAGES_ON_FIRST_USE = ["thread-stream"];

const IDENT = /^[A-Za-z_$][\w$]*$/;
const builtin = (id) => `process.getBuiltinModule(${JSON.stringify(id)})`;
// A bound function is a constructible target without an own `prototype`, so `new`, calls and
// Object.keys on the proxy all reach the loaded module.
const loader = (load, target = "{}") =>
  `let m;\nconst load = () => (m ??= ${load});\n` +
  `const proxy = new Proxy(${target}, {\n` +
  "  apply: (_, self, args) => Reflect.apply(load(), self, args),\n" +
  "  construct: (_, args, nt) => Reflect.construct(load(), args, nt === proxy ? load() : nt),\n" +
  "  get: (_, k) => load()[k],\n" +
  "  has: (_, k) => k in load(),\n" +
  "  ownKeys: () => Reflect.ownKeys(load()),\n" +
  "  getOwnPropertyDescriptor: (_, k) => {\n" +
  "    const d = Reflect.getOwnPropertyDescriptor(load(), k);\n" +
  "    return d && { ...d, configurable: true };\n" +
  "  },\n" +
  "});\n";

function facadeFree(id, name) {
  const skip = new Set(FACADE_FREE[name]);
  const names = Object.keys(process.getBuiltinModule(id)).filter(
    (k) => !skip.has(k) && k !== "default" && IDENT.test(k),
  );
  return [
    `const m = process.getBuiltinModule(${JSON.stringify(id)});`,
    "export default m;",
    ...names.map((k) => `export const ${k} = m.${k};`),
  ].join("\n");
}

function onFirstUseEsm(id) {
  const mod = process.getBuiltinModule(id);
  const fns = Object.keys(mod).filter(
    (k) => /^[a-z]/.test(k) && IDENT.test(k) && typeof mod[k] === "function",
  );
  return [
    loader(builtin(id)),
    "export default proxy;",
    ...fns.map((k) => `export function ${k}(...args) { return load().${k}(...args); }`),
  ].join("\n");
}

/** The esbuild plugin. A use of a left-out export fails the build (see `leftOutExportUsed`). */
export function builtinShims() {
  const names = [...Object.keys(FACADE_FREE), ...ON_FIRST_USE];
  const filter = new RegExp(`^(node:)?(${names.join("|")})$`);
  const packages = new RegExp(`^(${PACKAGES_ON_FIRST_USE.join("|")})$`);
  return {
    name: "builtin-shims",
    setup(b) {
      b.onResolve({ filter }, (args) => {
        const name = args.path.replace(/^node:/, "");
        const esm = args.kind === "import-statement";
        if (ON_FIRST_USE.includes(name) && (esm || args.kind === "require-call"))
          return { path: `${name}.${esm ? "esm" : "cjs"}`, namespace: "builtin-shim" };
        if (name in FACADE_FREE && esm) return { path: `${name}.facade`, namespace: "builtin-shim" };
        return undefined;
      });
      b.onResolve({ filter: packages }, (args) => {
        if (args.namespace === "package-shim") return { path: args.path, external: true };
        return args.kind === "require-call" ? { path: args.path, namespace: "package-shim" } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "package-shim" }, (args) => ({
        contents: `${loader(`require(${JSON.stringify(args.path)})`, "function () {}.bind()")}module.exports = proxy;\n`,
        loader: "js",
      }));
      b.onLoad({ filter: /.*/, namespace: "builtin-shim" }, (args) => {
        const [name, kind] = args.path.split(".");
        const id = `node:${name}`;
        if (kind === "facade") return { contents: facadeFree(id, name), loader: "js" };
        if (kind === "esm") return { contents: onFirstUseEsm(id), loader: "js" };
        return { contents: `${loader(builtin(id))}module.exports = proxy;\n`, loader: "js" };
      });
    },
  };
}

/** True when the build warned that code reads an export a shim left out (always undefined). */
export function leftOutExportUsed(warnings) {
  return warnings.some((w) => w.text.includes("builtin-shim:"));
}
