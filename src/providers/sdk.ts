/** The AI SDK's runtime, as loaded by {@link loadSdk}. */
export type Sdk = typeof import("./sdk-runtime.js");

let loading: Promise<Sdk> | undefined;

/**
 * Loads the AI SDK and the provider packages once, on first use (a model call, tool schemas for
 * a run), and keeps them loaded: the gateway starts and idles without them, and every call after
 * the first finds them in memory. A failed load is retried by the next caller.
 */
export function loadSdk(): Promise<Sdk> {
  if (loading === undefined) {
    const p = import("./sdk-runtime.js");
    loading = p;
    p.catch(() => {
      if (loading === p) loading = undefined;
    });
  }
  return loading;
}
