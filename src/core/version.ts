declare const __PALISADE_VERSION__: string | undefined;

/** Palisade's version: injected by the build; `0.0.0-dev` when running from source (tests). */
export const VERSION: string = typeof __PALISADE_VERSION__ === "string" ? __PALISADE_VERSION__ : "0.0.0-dev";

/** The gateway protocol version Palisade speaks (OpenClaw protocol v4). */
export const PROTOCOL_VERSION = 4;
