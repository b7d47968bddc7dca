import { z } from "zod";

const ulimitSchema = z.union([
  z.int().min(-1),
  z.strictObject({ soft: z.int().min(-1), hard: z.int().min(-1) }),
]);

/** Docker backend settings for sandboxes. Defaults are the hardened ones from the deployment guide. */
export const dockerSandboxSchema = z
  .strictObject({
    image: z.string().min(1).optional().describe("Sandbox image (default palisade-sandbox:bookworm-slim)."),
    network: z
      .string()
      .min(1)
      .optional()
      .describe('Docker network: "none" (default, no network), "bridge" or a network name.'),
    readOnlyRoot: z.boolean().optional().describe("Mount the root filesystem read-only (default true)."),
    user: z.string().min(1).optional().describe('User inside the container, e.g. "1000:1000".'),
    workdir: z.string().min(1).optional().describe("Working directory inside the container."),
    binds: z
      .array(z.string().min(1))
      .max(100)
      .optional()
      .describe('Extra bind mounts "host:container[:ro|rw]".'),
    tmpfs: z.array(z.string().min(1)).max(50).optional().describe('tmpfs mounts, e.g. "/tmp:size=64m".'),
    env: z.record(z.string().min(1), z.string()).optional().describe("Environment inside the container."),
    memory: z
      .union([z.string().min(1), z.int().min(1)])
      .optional()
      .describe('Memory limit ("512m" or bytes).'),
    memorySwap: z
      .union([z.string().min(1), z.int()])
      .optional()
      .describe("Memory+swap limit."),
    cpus: z.number().positive().max(1024).optional().describe("CPU quota, e.g. 1.5."),
    pidsLimit: z.int().min(1).max(1_000_000).optional().describe("Max processes (default 256)."),
    ulimits: z
      .record(z.string().min(1), ulimitSchema)
      .optional()
      .describe("ulimits, e.g. { nofile: 1024, nproc: 256 }."),
    capDrop: z.array(z.string().min(1)).optional().describe('Capabilities to drop (default ["ALL"]).'),
    seccompProfile: z.string().min(1).optional().describe("Path to a seccomp profile."),
    dns: z.array(z.string().min(1)).optional().describe("DNS servers (only with a network)."),
    setupCommand: z.string().min(1).optional().describe("Command run once when a container is created."),
  })
  .describe("Docker sandbox backend.");

/** Sandbox policy shared by agents.defaults.sandbox and agents.list[].sandbox. */
export const sandboxSchema = z
  .strictObject({
    mode: z
      .enum(["off", "non-main", "all"])
      .optional()
      .describe(
        "off: tools run on the host; non-main (default): all but the main session; all: every session.",
      ),
    scope: z
      .enum(["session", "agent", "shared"])
      .optional()
      .describe("One sandbox per session (default), per agent, or one shared."),
    workspaceAccess: z
      .enum(["none", "ro", "rw"])
      .optional()
      .describe("Agent workspace inside the sandbox: none (default), ro or rw."),
    backend: z
      .enum(["auto", "docker", "bwrap", "host"])
      .optional()
      .describe(
        'Sandbox backend; default "auto": docker when available, then bwrap. "host" is refused here: host runs need tools.elevated and an approval.',
      ),
    workspaceRoot: z.string().min(1).optional().describe("Where sandbox workspaces live on the host."),
    docker: dockerSandboxSchema.optional(),
    prune: z
      .strictObject({
        idleHours: z.number().min(0).max(8760).optional().describe("Remove sandboxes idle this long."),
        maxAgeDays: z.number().min(0).max(3650).optional().describe("Remove sandboxes older than this."),
        maxSandboxes: z
          .int()
          .min(1)
          .max(1000)
          .optional()
          .describe("Most live sandboxes at once (default 32); the least recently used is removed past it."),
      })
      .optional(),
  })
  .describe("Where and how tools run isolated from the host.");

/** The validated sandbox policy. */
export type SandboxConfig = z.output<typeof sandboxSchema>;
