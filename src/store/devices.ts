import { randomUUID, timingSafeEqual } from "node:crypto";
import { fail } from "../core/errors.js";
import {
  type DeviceStore,
  hashDeviceToken,
  json,
  MAX_PENDING_REQUESTS,
  meta,
  newToken,
  opt,
  PAIR_REQUEST_TTL_MS,
  type PairedDevice,
  type PairRequest,
  type Row,
  strings,
  toRequest,
  toSummary,
} from "./devices-model.js";
import type { Store } from "./store.js";

export type {
  DeviceMeta,
  DeviceStore,
  DeviceTokenSummary,
  NewPairRequest,
  PairedDevice,
  PairRequest,
  RotateResult,
  TokenState,
} from "./devices-model.js";
export { hashDeviceToken, MAX_PENDING_REQUESTS, PAIR_REQUEST_TTL_MS } from "./devices-model.js";

/** Options for {@link createDeviceStore}. */
export interface DeviceStoreOptions {
  /** Clock in ms; default `Date.now`. */
  readonly now?: () => number;
}

/** The devices aggregate over an open store (tables from migration 2). */
export function createDeviceStore(store: Store, opts: DeviceStoreOptions = {}): DeviceStore {
  const now = opts.now ?? Date.now;
  const q = (sql: string) => store.statement(sql);

  const get = (deviceId: string): PairedDevice | undefined => {
    const r = q("SELECT * FROM devices WHERE device_id = ?").get(deviceId) as Row | undefined;
    if (r === undefined) return undefined;
    const tokens = (
      q("SELECT * FROM device_tokens WHERE device_id = ? ORDER BY role").all(deviceId) as Row[]
    ).map(toSummary);
    return {
      deviceId: String(r.device_id),
      publicKey: String(r.public_key),
      ...meta(r),
      roles: strings(r.roles),
      scopes: strings(r.scopes),
      createdAtMs: Number(r.created_at),
      approvedAtMs: Number(r.approved_at),
      tokens,
    };
  };

  const prune = () => void q("DELETE FROM device_pair_requests WHERE expires_at <= ?").run(now());

  const findRequest = (id: string): PairRequest | undefined => {
    prune();
    const r =
      (q("SELECT * FROM device_pair_requests WHERE request_id = ?").get(id) as Row | undefined) ??
      (q("SELECT * FROM device_pair_requests WHERE device_id = ? ORDER BY created_at DESC LIMIT 1").get(id) as
        | Row
        | undefined);
    return r === undefined ? undefined : toRequest(r);
  };

  const mustRequest = (id: string): PairRequest => {
    const r = findRequest(id);
    if (r === undefined) throw fail("PAL_DEVICE_NOT_FOUND", { what: "pairing request", id: id.slice(0, 80) });
    return r;
  };

  const mustDevice = (deviceId: string): PairedDevice => {
    const d = get(deviceId);
    if (d === undefined)
      throw fail("PAL_DEVICE_NOT_FOUND", { what: "paired device", id: deviceId.slice(0, 80) });
    return d;
  };

  const mustRole = (d: PairedDevice, role: string) => {
    if (!d.roles.includes(role))
      throw fail("PAL_DEVICE_SCOPE_WIDEN", {
        detail: `device ${d.deviceId.slice(0, 12)} was never approved for role ${role}`,
      });
  };

  const approvedFor = (d: PairedDevice, role: string): string[] => (role === "operator" ? d.scopes : []);

  return {
    get,
    list() {
      const ids = q("SELECT device_id FROM devices ORDER BY approved_at, device_id").all() as Row[];
      return ids.map((r) => get(String(r.device_id))).filter((d): d is PairedDevice => d !== undefined);
    },
    pending() {
      prune();
      return (q("SELECT * FROM device_pair_requests ORDER BY created_at, request_id").all() as Row[]).map(
        toRequest,
      );
    },
    request(input) {
      return store.transaction(() => {
        prune();
        const existing = get(input.deviceId);
        q("DELETE FROM device_pair_requests WHERE device_id = ?").run(input.deviceId);
        const count = Number((q("SELECT count(*) AS n FROM device_pair_requests").get() as Row).n);
        if (count >= MAX_PENDING_REQUESTS) {
          q(
            `DELETE FROM device_pair_requests WHERE request_id IN
             (SELECT request_id FROM device_pair_requests ORDER BY created_at, request_id LIMIT ?)`,
          ).run(count - MAX_PENDING_REQUESTS + 1);
        }
        const ts = now();
        const requestId = randomUUID();
        q(
          `INSERT INTO device_pair_requests (request_id, device_id, public_key, display_name, platform,
             device_family, client_id, client_mode, role, scopes, remote_ip, is_repair, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          requestId,
          input.deviceId,
          input.publicKey,
          input.displayName ?? null,
          input.platform ?? null,
          input.deviceFamily ?? null,
          input.clientId ?? null,
          input.clientMode ?? null,
          input.role,
          json([...new Set(input.scopes)]),
          input.remoteIp ?? null,
          existing === undefined ? 0 : 1,
          ts,
          ts + PAIR_REQUEST_TTL_MS,
        );
        return mustRequest(requestId);
      });
    },
    findRequest,
    approve(requestId) {
      return store.transaction(() => {
        const req = mustRequest(requestId);
        const ts = now();
        const prev = get(req.deviceId);
        const roles = [...new Set([...(prev?.roles ?? []), req.role])];
        const scopes = req.role === "operator" ? req.scopes : [];
        const allScopes = [...new Set([...(prev?.scopes ?? []), ...scopes])];
        q(
          `INSERT INTO devices (device_id, public_key, display_name, platform, device_family, client_id,
             client_mode, roles, scopes, remote_ip, created_at, approved_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET roles = excluded.roles, scopes = excluded.scopes,
             approved_at = excluded.approved_at, display_name = excluded.display_name,
             platform = excluded.platform, device_family = excluded.device_family`,
        ).run(
          req.deviceId,
          req.publicKey,
          req.displayName ?? null,
          req.platform ?? null,
          req.deviceFamily ?? null,
          req.clientId ?? null,
          req.clientMode ?? null,
          json(roles),
          json(allScopes),
          req.remoteIp ?? null,
          prev?.createdAtMs ?? ts,
          ts,
        );
        // The token row exists from approval on; its hash is set when the device next connects
        // and receives the token in hello-ok (the store never holds a token it could hand out).
        q(
          `INSERT INTO device_tokens (device_id, role, token_hash, scopes, created_at)
           VALUES (?, ?, NULL, ?, ?)
           ON CONFLICT (device_id, role) DO UPDATE SET token_hash = NULL, scopes = excluded.scopes,
             revoked_at = NULL, created_at = excluded.created_at`,
        ).run(req.deviceId, req.role, json(scopes), ts);
        q("DELETE FROM device_pair_requests WHERE device_id = ?").run(req.deviceId);
        return { request: req, device: mustDevice(req.deviceId) };
      });
    },
    reject(requestId) {
      const req = mustRequest(requestId);
      q("DELETE FROM device_pair_requests WHERE request_id = ?").run(req.requestId);
      return req;
    },
    remove(deviceId) {
      return store.transaction(() => {
        q("DELETE FROM device_pair_requests WHERE device_id = ?").run(deviceId);
        return Number(q("DELETE FROM devices WHERE device_id = ?").run(deviceId).changes) > 0;
      });
    },
    issueToken(deviceId, role) {
      return store.transaction(() => {
        const d = mustDevice(deviceId);
        mustRole(d, role);
        const row = q("SELECT scopes FROM device_tokens WHERE device_id = ? AND role = ?").get(
          deviceId,
          role,
        ) as Row | undefined;
        const scopes = row === undefined ? approvedFor(d, role) : strings(row.scopes);
        const token = newToken();
        q(
          `INSERT INTO device_tokens (device_id, role, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (device_id, role) DO UPDATE SET token_hash = excluded.token_hash`,
        ).run(deviceId, role, hashDeviceToken(token), json(scopes), now());
        return { token, scopes };
      });
    },
    rotate(deviceId, role, scopes) {
      return store.transaction(() => {
        const d = mustDevice(deviceId);
        mustRole(d, role);
        const approved = approvedFor(d, role);
        const current = q("SELECT scopes FROM device_tokens WHERE device_id = ? AND role = ?").get(
          deviceId,
          role,
        ) as Row | undefined;
        const next =
          scopes === undefined ? (current ? strings(current.scopes) : approved) : [...new Set(scopes)];
        const wider = next.filter((s) => !approved.includes(s));
        if (wider.length > 0)
          throw fail("PAL_DEVICE_SCOPE_WIDEN", {
            detail: `${wider.join(", ")} ${wider.length === 1 ? "is" : "are"} not approved for this device's ${role} role`,
          });
        const token = newToken();
        const ts = now();
        q(
          `INSERT INTO device_tokens (device_id, role, token_hash, scopes, created_at, rotated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (device_id, role) DO UPDATE SET token_hash = excluded.token_hash,
             scopes = excluded.scopes, rotated_at = excluded.rotated_at, revoked_at = NULL`,
        ).run(deviceId, role, hashDeviceToken(token), json(next), ts, ts);
        return { token, scopes: next, rotatedAtMs: ts };
      });
    },
    revoke(deviceId, role) {
      const d = mustDevice(deviceId);
      mustRole(d, role);
      const ts = now();
      q(
        `INSERT INTO device_tokens (device_id, role, token_hash, scopes, created_at, revoked_at)
         VALUES (?, ?, NULL, '[]', ?, ?)
         ON CONFLICT (device_id, role) DO UPDATE SET token_hash = NULL, revoked_at = excluded.revoked_at`,
      ).run(deviceId, role, ts, ts);
      return ts;
    },
    verifyToken(deviceId, role, token) {
      const state = this.tokenState(deviceId, role);
      if (state === undefined || state.revoked || state.tokenHash === undefined) return undefined;
      const given = Buffer.from(hashDeviceToken(token), "hex");
      const stored = Buffer.from(state.tokenHash, "hex");
      if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
      q("UPDATE device_tokens SET last_used_at = ? WHERE device_id = ? AND role = ?").run(
        now(),
        deviceId,
        role,
      );
      return { scopes: state.scopes, tokenHash: state.tokenHash };
    },
    tokenState(deviceId, role) {
      const r = q(
        "SELECT token_hash, scopes, revoked_at FROM device_tokens WHERE device_id = ? AND role = ?",
      ).get(deviceId, role) as Row | undefined;
      if (r === undefined) return undefined;
      return {
        tokenHash: opt(r.token_hash),
        scopes: strings(r.scopes),
        revoked: r.revoked_at !== null && r.revoked_at !== undefined,
      };
    },
  };
}
