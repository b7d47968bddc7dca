import type { ChannelAdapter } from "./types.js";

/** The running adapters by channel and account (one instance per account). */
export class ChannelRegistry {
  readonly #adapters = new Map<string, ChannelAdapter>();

  /** Adds or replaces the adapter of its channel account. */
  set(adapter: ChannelAdapter): void {
    this.#adapters.set(`${adapter.channel}:${adapter.accountId}`, adapter);
  }

  get(channel: string, accountId: string): ChannelAdapter | undefined {
    return this.#adapters.get(`${channel}:${accountId}`);
  }

  delete(channel: string, accountId: string): boolean {
    return this.#adapters.delete(`${channel}:${accountId}`);
  }

  /** All adapters, in channel then account order. */
  list(): ChannelAdapter[] {
    return [...this.#adapters.values()].sort(
      (a, b) => a.channel.localeCompare(b.channel) || a.accountId.localeCompare(b.accountId),
    );
  }
}
