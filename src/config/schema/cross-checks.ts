/**
 * Rules that span several keys. They run on the raw input even when other keys are invalid, so
 * one pass reports every problem; each check therefore reads the input defensively.
 */

/** One cross-field problem: where it is and what to do. */
export interface CrossIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function checkGateway(root: Obj, out: CrossIssue[]): void {
  const gw = obj(root.gateway);
  if (gw.bind === "custom" && typeof gw.customBindHost !== "string")
    out.push({
      path: ["gateway", "bind"],
      message: 'bind "custom" needs gateway.customBindHost; set customBindHost to the address to listen on',
    });
  if (gw.customBindHost !== undefined && gw.bind !== "custom")
    out.push({
      path: ["gateway", "customBindHost"],
      message: 'customBindHost is only used with bind "custom"; set gateway.bind to "custom" or remove it',
    });
  const auth = obj(gw.auth);
  if (auth.mode === "password" && typeof auth.password !== "string")
    out.push({
      path: ["gateway", "auth", "mode"],
      message: 'auth mode "password" needs gateway.auth.password; set it (as "${VAR}") or use mode "token"',
    });
  if (auth.mode === "trusted-proxy" && arr(gw.trustedProxies).length === 0)
    out.push({
      path: ["gateway", "auth", "mode"],
      message:
        'auth mode "trusted-proxy" needs gateway.trustedProxies; list the proxy addresses whose headers are trusted',
    });
}

function checkAccess(node: Obj, path: (string | number)[], inherited: Obj, out: CrossIssue[]): void {
  const policy = node.dmPolicy ?? inherited.dmPolicy;
  const allowFrom = node.allowFrom ?? inherited.allowFrom;
  if (policy === "open" && !arr(allowFrom).includes("*"))
    out.push({
      path: [...path, node.allowFrom === undefined ? "dmPolicy" : "allowFrom"],
      message:
        'dmPolicy "open" lets anyone message the agent and needs "*" in allowFrom to confirm it; add "*" to allowFrom or use dmPolicy "pairing"',
    });
  if (node.botToken !== undefined && node.tokenFile !== undefined)
    out.push({
      path: [...path, "tokenFile"],
      message: "botToken and tokenFile are both set; keep only one",
    });
}

function checkChannels(root: Obj, out: CrossIssue[]): void {
  for (const [name, raw] of Object.entries(obj(root.channels))) {
    if (name === "defaults" || !isObj(raw)) continue;
    checkAccess(raw, ["channels", name], {}, out);
    for (const [id, acc] of Object.entries(obj(raw.accounts)))
      if (isObj(acc)) checkAccess(acc, ["channels", name, "accounts", id], raw, out);
  }
}

function checkAgents(root: Obj, out: CrossIssue[]): void {
  const list = arr(obj(root.agents).list);
  const seen = new Map<string, number>();
  let defaults = 0;
  list.forEach((a, i) => {
    const agent = obj(a);
    if (typeof agent.id === "string") {
      const first = seen.get(agent.id);
      if (first !== undefined)
        out.push({
          path: ["agents", "list", i, "id"],
          message: `agent id "${agent.id}" is already used by agents.list[${first}]; give each agent its own id`,
        });
      else seen.set(agent.id, i);
    }
    if (agent.default === true && ++defaults === 2)
      out.push({
        path: ["agents", "list", i, "default"],
        message: "more than one agent has default: true; keep it on one agent",
      });
  });
  const known = seen.size > 0 ? [...seen.keys()] : ["main"];
  arr(root.bindings).forEach((b, i) => {
    const id = obj(b).agentId;
    if (typeof id === "string" && !known.includes(id))
      out.push({
        path: ["bindings", i, "agentId"],
        message: `agent "${id}" is not in agents.list; use one of ${known.map((k) => `"${k}"`).join(", ")} or add the agent`,
      });
  });
}

function checkRegexList(list: unknown, path: (string | number)[], out: CrossIssue[]): void {
  arr(list).forEach((p, i) => {
    if (typeof p !== "string") return;
    try {
      new RegExp(p);
    } catch (err) {
      out.push({
        path: [...path, i],
        message: `not a valid regular expression (${(err as Error).message}); fix or escape it`,
      });
    }
  });
}

function checkPatterns(root: Obj, out: CrossIssue[]): void {
  checkRegexList(obj(root.logging).redactPatterns, ["logging", "redactPatterns"], out);
  const agents = obj(root.agents);
  const defaults = obj(obj(agents.defaults).groupChat).mentionPatterns;
  checkRegexList(defaults, ["agents", "defaults", "groupChat", "mentionPatterns"], out);
  arr(agents.list).forEach((a, i) => {
    checkRegexList(
      obj(obj(a).groupChat).mentionPatterns,
      ["agents", "list", i, "groupChat", "mentionPatterns"],
      out,
    );
  });
}

/** Runs every cross-field rule on a (possibly invalid) config object. */
export function crossChecks(root: unknown): CrossIssue[] {
  const out: CrossIssue[] = [];
  const r = obj(root);
  checkGateway(r, out);
  checkChannels(r, out);
  checkAgents(r, out);
  checkPatterns(r, out);
  return out;
}
