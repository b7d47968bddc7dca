import { type ErrorSpec, spec } from "./spec.js";

/** Error codes of usage, config, state dir and store, logging, and internal errors. Add new codes at the end of their group; never rename or reuse one. */
export const CORE_ERRORS = {
  // usage
  PAL_USAGE: spec({ message: "{detail}", layer: "usage", wire: "INVALID_REQUEST", http: 400, exit: 2 }),
  PAL_USAGE_BAD_JSON: spec({
    message: "{what} is not valid JSON5: {detail}; quote strings and check brackets",
    layer: "usage",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  // config
  PAL_CONFIG_INVALID: spec({
    message: "config {file} has {count} problem(s); fix them and run `palisade config validate`",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_CONFIG_NOT_FOUND: spec({
    message: "config file {file} does not exist; create it or point --config at the right file",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 2,
  }),
  PAL_CONFIG_READ_FAILED: spec({
    message: "cannot read config {file}: {detail}",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_CONFIG_CONFLICT: spec({
    message:
      "config changed since it was read (baseHash {baseHash} is not the current {currentHash}); reload it and apply your change again",
    layer: "config",
    wire: "CONFLICT",
    http: 409,
    exit: 1,
  }),
  PAL_CONFIG_PATH: spec({
    message: "{path} is not a valid config path: {detail}",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_CONFIG_WRITE_FAILED: spec({
    message: "cannot write config {file}: {detail}; nothing was changed",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  // state dir and store
  PAL_STATE_DIR: spec({
    message: "state dir {dir} is not usable: {detail}",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_OPEN_FAILED: spec({
    message: "cannot open the state store {file}: {detail}",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
    retryable: true,
  }),
  PAL_STORE_MIGRATION_FAILED: spec({
    message: "store migration {version} failed: {detail}; the store was left at version {from}",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_TOO_NEW: spec({
    message:
      "the state store is at schema version {version}, newer than this Palisade knows ({known}); upgrade Palisade",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_BUSY: spec({
    message:
      "the state store {file} stayed locked for {timeoutMs} ms; another process holds it, retry or stop the other palisade process",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
    retryable: true,
  }),
  PAL_STORE_MISUSE: spec({
    message: "state store misuse: {detail}",
    layer: "store",
    wire: "INTERNAL",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_BAD_ROW: spec({
    message:
      "a stored {table} row ({key}) does not match its schema: {detail}; run `palisade doctor` or delete the row",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_VALUE_INVALID: spec({
    message: "cannot store {table} row ({key}): {detail}",
    layer: "store",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  // logging
  PAL_LOG_FILE: spec({
    message: "cannot write the log file {file}: {detail}; fix its permissions or set logging.file",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  // internal
  PAL_INTERNAL: spec({
    message: "internal error",
    layer: "internal",
    wire: "INTERNAL",
    http: 500,
    exit: 1,
  }),
} as const satisfies Record<string, ErrorSpec>;
