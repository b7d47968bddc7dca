/** Capped capture of a command's output streams, shared by every backend. */

/** Collects up to `max` bytes of one stream; reports when the cap was crossed. */
export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** True once bytes past the cap were seen (and dropped). */
  overflowed = false;

  /**
   * @param max bytes kept
   * @param onChunk receives the kept part of each chunk, as it arrives
   */
  constructor(
    private readonly max: number,
    private readonly onChunk?: (chunk: Buffer) => void,
  ) {}

  /** Adds a chunk; returns false when the cap has been crossed. */
  push(chunk: Buffer): boolean {
    const room = this.max - this.size;
    if (chunk.length > room) {
      this.overflowed = true;
      if (room > 0) this.keep(chunk.subarray(0, room));
      return false;
    }
    this.keep(chunk);
    return true;
  }

  private keep(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.onChunk?.(chunk);
  }

  /** The kept bytes as utf8. */
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Signal numbers for the names backends report. */
const SIGNALS: Readonly<Record<number, string>> = {
  9: "SIGKILL",
  15: "SIGTERM",
  6: "SIGABRT",
  11: "SIGSEGV",
};

/** The signal name for an exit code of 128+n, when n is a known signal. */
export function signalFromExitCode(code: number): string | undefined {
  return code > 128 ? SIGNALS[code - 128] : undefined;
}

/** Why a run was stopped by us, if it was. */
export type StopReason = "timeout" | "abort" | "output";

/**
 * Arms the timeout and abort signal for one run; calls `stop` once with the reason.
 * Returns a disposer that clears the timer and listener.
 */
export function armStop(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  stop: (reason: StopReason) => void,
): { fire(reason: StopReason): void; reason(): StopReason | undefined; dispose(): void } {
  let why: StopReason | undefined;
  const fire = (reason: StopReason) => {
    if (why) return;
    why = reason;
    stop(reason);
  };
  const timer = setTimeout(() => fire("timeout"), timeoutMs);
  timer.unref?.();
  const onAbort = () => fire("abort");
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    fire,
    reason: () => why,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
