/**
 * Load of a running gateway for readiness and `status`: the agent's run queue and the channel
 * pipeline's backlog against their bounds (each a readiness stage that fails while it refuses
 * new work, so `/readyz` answers 503 naming it and recovers when the queue drains), plus the
 * event-loop delay.
 */
import type { LaneLoad } from "../../agent/index.js";
import type { GatewayServer } from "../types.js";
import { EventLoopMonitor } from "./event-loop.js";

/** Readiness stage while the agent's overall run queue is at its bound. */
export const AGENT_QUEUE_STAGE = "agent-queue";
/** Readiness stage while the channel pipeline's backlog is at its bound (the pipeline's name). */
export const CHANNEL_BACKLOG_STAGE = "channel-backlog";

/** The channel pipeline's counters (`ChannelPipeline.stats()`). */
export interface BacklogStats {
  readonly queued: number;
  readonly active: number;
  readonly maxBacklog: number;
  readonly refused: number;
}

/** Where the monitor reads load from; both are read on demand, never cached. */
export interface LoadSources {
  readonly agent: () => LaneLoad;
  /** Undefined until the channels started. */
  readonly channels?: (() => BacklogStats | undefined) | undefined;
}

/** A running load monitor (one per process; it outlives in-process server restarts). */
export interface LoadMonitor {
  /** The first overloaded stage, else undefined. */
  overloaded(): string | undefined;
  /** The agent queue's stage while it is full (the channels' overload hook), else undefined. */
  agentOverloaded(): string | undefined;
  /** Registers the load stages on a (re)started server's readiness. */
  attach(server: Pick<GatewayServer, "readiness">): void;
  /** `status.gateway` fields: `load` and `eventLoop`. */
  status(): Record<string, unknown>;
  close(): void;
}

const backlogFull = (s: BacklogStats | undefined) => s !== undefined && s.queued + s.active >= s.maxBacklog;

/** Starts the event-loop monitor and reads load from `sources`. */
export function startLoadMonitor(sources: LoadSources): LoadMonitor {
  const loop = new EventLoopMonitor();
  const agentOverloaded = () => (sources.agent().full ? AGENT_QUEUE_STAGE : undefined);
  const overloaded = () =>
    agentOverloaded() ?? (backlogFull(sources.channels?.()) ? CHANNEL_BACKLOG_STAGE : undefined);
  return {
    overloaded,
    agentOverloaded,
    attach(server) {
      server.readiness.probe(AGENT_QUEUE_STAGE, () => !sources.agent().full);
      server.readiness.probe(CHANNEL_BACKLOG_STAGE, () => !backlogFull(sources.channels?.()));
    },
    status() {
      return {
        load: {
          overloaded: overloaded() ?? null,
          agent: sources.agent(),
          channels: sources.channels?.() ?? null,
        },
        eventLoop: loop.snapshot(),
      };
    },
    close() {
      loop.close();
    },
  };
}
