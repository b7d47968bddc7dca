/**
 * An HTTP(S) client that only talks to public addresses. Every hop (the first URL and each
 * redirect, followed by hand and bounded) is parsed, its host resolved by the guard itself (an
 * injected resolver in tests), every answer checked, and the connection pinned to the checked
 * address through the request's `lookup`, so a DNS answer that changes between check and connect
 * (rebinding) cannot redirect the socket. No cookies or credentials are ever sent; the body and
 * the whole exchange are capped in size and time.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { fail } from "../../core/errors.js";
import { nonPublicReason } from "./ip.js";

/** Resolves a hostname to every address it has. */
export type Resolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

/** The default resolver: the system's, all addresses. */
export const systemResolver: Resolver = (h) => dnsLookup(h, { all: true, verbatim: true });

/** Options of {@link safeFetch}. */
export interface SafeFetchOptions {
  /** DNS; default the system resolver. Tests map made-up hostnames. */
  readonly resolve?: Resolver | undefined;
  /** Why an address is refused (undefined: allowed). Default {@link nonPublicReason}. */
  readonly addressPolicy?: ((address: string) => string | undefined) | undefined;
  /** Largest body read; the rest is cut off. Default 2 MiB. */
  readonly maxBytes?: number | undefined;
  /** Whole-fetch limit, ms. Default 30_000. */
  readonly timeoutMs?: number | undefined;
  /** Redirects followed. Default 5. */
  readonly maxRedirects?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** User-Agent header. */
  readonly userAgent?: string | undefined;
}

/** A fetched response. */
export interface SafeFetchResult {
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
  readonly truncated: boolean;
  /** Every hop with the address connected to. */
  readonly hops: readonly { url: string; address: string }[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const shown = (u: string) => u.slice(0, 300);

/** Checks a URL's scheme and credentials and resolves it to one checked public address. */
export async function checkUrl(
  raw: string,
  resolve: Resolver,
  policy: (a: string) => string | undefined,
): Promise<{ url: URL; address: string; family: number }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail("PAL_TOOL_URL_REFUSED", { url: shown(raw), reason: "not a valid absolute URL" });
  }
  const refuse = (reason: string) => fail("PAL_TOOL_URL_REFUSED", { url: shown(url.href), reason });
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse("only http and https are allowed");
  if (url.username !== "" || url.password !== "") throw refuse("credentials in URLs are not allowed");
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (host === "") throw refuse("no host");
  let answers: readonly { address: string; family: number }[];
  if (isIP(host) !== 0) answers = [{ address: host, family: isIP(host) }];
  else {
    try {
      answers = await resolve(host);
    } catch {
      throw refuse("the host name does not resolve");
    }
  }
  if (answers.length === 0) throw refuse("the host name has no addresses");
  for (const a of answers) {
    const why = policy(a.address);
    if (why !== undefined) throw refuse(`${host} resolves to ${a.address}, which is ${why}`);
  }
  const first = answers[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

function pinned(address: string, family: number): LookupFunction {
  return (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    else cb(null, address, family);
  };
}

function once(
  url: URL,
  address: string,
  family: number,
  ua: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
    method: "GET",
    agent: false,
    lookup: pinned(address, family),
    headers: {
      "user-agent": ua,
      accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.5",
      "accept-encoding": "identity",
    },
    signal,
  });
  return new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

async function readCapped(res: IncomingMessage, max: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    const room = max - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      size = max;
      truncated = true;
      res.destroy();
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks, size), truncated };
}

/** Fetches `raw` with GET, refusing any hop whose address is not public. */
export async function safeFetch(raw: string, opts: SafeFetchOptions = {}): Promise<SafeFetchResult> {
  const resolve = opts.resolve ?? systemResolver;
  const policy = opts.addressPolicy ?? nonPublicReason;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const maxRedirects = opts.maxRedirects ?? 5;
  const hops: { url: string; address: string }[] = [];
  let next = raw;
  for (let hop = 0; ; hop++) {
    const { url, address, family } = await checkUrl(next, resolve, policy);
    hops.push({ url: url.href, address });
    let res: IncomingMessage;
    try {
      res = await once(url, address, family, opts.userAgent ?? "Palisade-web_fetch/1", signal);
    } catch (err) {
      const detail = signal.aborted
        ? "timed out"
        : ((err as NodeJS.ErrnoException).code ?? "connection failed");
      throw fail("PAL_TOOL_FETCH_FAILED", { url: shown(url.href), detail }, { cause: err });
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      res.destroy();
      if (hop >= maxRedirects)
        throw fail("PAL_TOOL_FETCH_FAILED", {
          url: shown(url.href),
          detail: `more than ${maxRedirects} redirects`,
        });
      next = new URL(location, url).href;
      continue;
    }
    try {
      const { body, truncated } = await readCapped(res, opts.maxBytes ?? 2 * 1024 * 1024);
      return {
        url: url.href,
        status,
        contentType: String(res.headers["content-type"] ?? ""),
        body,
        truncated,
        hops,
      };
    } catch (err) {
      throw fail(
        "PAL_TOOL_FETCH_FAILED",
        { url: shown(url.href), detail: signal.aborted ? "timed out" : "the body could not be read" },
        { cause: err },
      );
    }
  }
}
