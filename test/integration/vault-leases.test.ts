/**
 * Vault dynamic secrets end to end: loadSecrets with refresh, the built-in vault provider (real
 * node-vault) and the local Vault test server's database engine. One fake clock (setTimeout and
 * Date, shared by the runtime, the provider and the server's lease expiry) decides when refreshes
 * run; the HTTP between them is real, so after each step the test waits, on real event-loop
 * turns, for the audit events that say the refresh pass has been applied.
 */
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { close, loadSecrets, onChange, provenance, type Provenance, type RefreshOptions } from "../../src/runtime/index.ts";
import { auditRecorder, settled } from "../helpers/fake-clock.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { withBuiltinProviders } from "../helpers/builtin-providers.ts";

const APP_TOKEN = `hvs.${secretValue("app-token")}`;
const password = (n: number) => secretValue(`db-password-${n}`);
const username = (n: number) => `v-token-app-${n}`;

const schema = defineSecrets({
  DB_USER: secret(z.string(), { from: "vault://creds/app?mount=database#username" }),
  DB_PASSWORD: secret(z.string().min(16), { from: "vault://creds/app?mount=database#password" }),
});
type Secrets = { DB_USER: string; DB_PASSWORD: string };

let server: VaultTestServer;
const audit = auditRecorder();
const { events } = audit;
const warnings: string[] = [];

beforeAll(async () => {
  server = await startVaultServer();
  server.mountDatabase("database");
  server.addDatabaseRole("database", "app", { ttl: 30, maxTtl: 75, credentials: (n) => ({ username: username(n), password: password(n) }) });
  server.addDatabaseRole("database", "batch", { ttl: 30, maxTtl: 30, renewable: false, credentials: (n) => ({ username: username(n), password: password(n) }) });
  // Reading the creds, and revoking leases (Vault's default policy already grants renewing them).
  server.setPolicy("app", { "database/creds/*": ["read"], "sys/leases/revoke": ["update"] });
  server.createToken({ policies: ["app"], id: APP_TOKEN });
  audit.subscribe();
});

beforeEach(() => {
  events.length = 0;
  warnings.length = 0;
  server.requests.length = 0;
});

afterEach(() => {
  server.faults.clear();
  vi.useRealTimers();
});

afterAll(async () => {
  audit.unsubscribe();
  await server.close();
});

function load(refresh?: RefreshOptions, from = schema) {
  return loadSecrets<Secrets>(withBuiltinProviders(from), {
    production: true, dotenv: false, env: { VAULT_ADDR: server.url, VAULT_TOKEN: APP_TOKEN }, onWarning: (m) => void warnings.push(m),
    ...(refresh ? { refresh: { jitter: 0, ...refresh } } : {}),
  });
}

const refreshAfter = (ms: number, fields = 2) => audit.refreshAfter(ms, fields);

const calls = (what: RegExp) => server.requests.filter((r) => what.test(`${r.method} ${r.path}`)).length;
const READ = /^GET \/v1\/database\/creds\//;
const RENEW = /^PUT \/v1\/sys\/leases\/renew$/;
const REVOKE = /^PUT \/v1\/sys\/leases\/revoke$/;

describe("Vault dynamic secrets", () => {
  it("reads username and password from one lease, with its TTL, and leaves a one-shot load's lease alone", async () => {
    const n = server.leases().length + 1; // the mount numbers its credentials
    const secrets = await load();
    expect([secrets.DB_USER, secrets.DB_PASSWORD]).toEqual([username(n), password(n)]);
    expect(calls(READ)).toBe(1);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/sys/internal/ui/mounts/database", "GET /v1/database/creds/app"]);
    expect(provenance(secrets, "DB_PASSWORD")).toMatchObject({ source: "manager", where: "vault://creds/app?mount=database#password", ttlSeconds: 30 });
    // No refresh: nothing renews the lease, and the provider closed after loading must not revoke what the app now uses.
    expect(calls(REVOKE)).toBe(0);
    expect(server.leases().at(-1)).toMatchObject({ revoked: false, renewals: 0 });
  });

  it("renews the lease before it expires, rotates at the max TTL with onChange once per field, and revokes on close()", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const n = server.leases().length + 1;
    const secrets = await settled(load({}));
    expect([secrets.DB_USER, secrets.DB_PASSWORD]).toEqual([username(n), password(n)]);
    const changes: Record<string, Provenance[]> = { DB_USER: [], DB_PASSWORD: [] };
    onChange(secrets, "DB_USER", (p) => void changes.DB_USER!.push(p));
    onChange(secrets, "DB_PASSWORD", (p) => void changes.DB_PASSWORD!.push(p));
    const leaseCount = server.leases().length;

    // 30 s lease, 75 s max TTL: refreshes at 20 s and 40 s renew it by the full 30 s.
    for (const at of [20, 40]) {
      const pass = await refreshAfter(20_000);
      expect(pass.map((e) => `${e.field} ${e.outcome}`)).toEqual(["DB_USER unchanged", "DB_PASSWORD unchanged"]);
      expect(calls(RENEW)).toBe(at / 20);
      expect(calls(READ)).toBe(1); // the same credentials: no new read
    }
    expect(server.leases().length).toBe(leaseCount);
    expect(server.leases().at(-1)).toMatchObject({ revoked: false, renewals: 2, expiresAt: Date.now() + 30_000 });
    expect(changes.DB_PASSWORD).toEqual([]);

    // At 60 s Vault grants only the 15 s left before the max TTL: new credentials, read once for both fields.
    const rotation = await refreshAfter(20_000);
    expect(rotation.map((e) => `${e.field} ${e.outcome}`)).toEqual(["DB_USER changed", "DB_PASSWORD changed"]);
    expect(calls(READ)).toBe(2);
    expect(calls(RENEW)).toBe(3);
    expect([secrets.DB_USER, secrets.DB_PASSWORD]).toEqual([username(n + 1), password(n + 1)]);
    expect(changes.DB_USER).toHaveLength(1);
    expect(changes.DB_PASSWORD).toHaveLength(1);
    expect(changes.DB_PASSWORD![0]).toMatchObject({ where: "vault://creds/app?mount=database#password", ttlSeconds: 30, loadedAt: new Date(Date.now()) });
    expect(provenance(secrets, "DB_PASSWORD")).toBe(changes.DB_PASSWORD![0]);

    // close(): no timer left, and both leases (the replaced one still had 15 s) revoked.
    await settled(close(secrets));
    expect(vi.getTimerCount()).toBe(0);
    expect(calls(REVOKE)).toBe(2);
    expect(server.leases().slice(leaseCount - 1).map((l) => l.revoked)).toEqual([true, true]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls(READ) + calls(RENEW)).toBe(2 + 3);

    const leaseIds = server.leases().map((l) => l.id);
    const output = [...warnings, JSON.stringify(events), inspect(secrets), JSON.stringify(secrets), JSON.stringify(changes)];
    expectNoSentinel(...output);
    for (const id of leaseIds) expect(output.join("\n")).not.toContain(id);
  });

  it("reads new credentials when Vault refuses a renewal or the lease cannot be renewed, and keeps the lease through a 503", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const batch = defineSecrets({ TOKEN: secret(z.string().min(16), { from: "vault://creds/batch?mount=database#password" }) });
    const secrets = await settled(load({}));
    const other = await settled(loadSecrets<{ TOKEN: string }>(withBuiltinProviders(batch), {
      production: true, dotenv: false, env: { VAULT_ADDR: server.url, VAULT_TOKEN: APP_TOKEN }, onWarning: (m) => void warnings.push(m), refresh: { jitter: 0 },
    }));
    const changed = vi.fn();
    onChange(secrets, "DB_PASSWORD", changed);
    const reads = calls(READ);
    const before = secrets.DB_PASSWORD;

    // A 503 on renewal: the lease is still good, so the value stays; with 10 s left, the next try comes 6.7 s later.
    server.faults.add({ kind: "status", status: 503, body: JSON.stringify({ errors: ["standby"] }) }, { match: "sys/leases/renew", times: 1 });
    const kept = await refreshAfter(20_000, 3);
    expect(kept.map((e) => `${e.field} ${e.outcome}`).sort()).toEqual(["DB_PASSWORD unchanged", "DB_USER unchanged", "TOKEN changed"]);
    expect(calls(READ) - reads).toBe(1); // the non-renewable lease was replaced by a new read; the renewable one was kept
    expect(changed).not.toHaveBeenCalled();

    // Then Vault says the lease is gone: new credentials at once, and onChange.
    server.faults.add({ kind: "status", status: 400, body: JSON.stringify({ errors: ["lease not found"] }) }, { match: "sys/leases/renew", times: 1 });
    await refreshAfter(6_667);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(calls(READ) - reads).toBe(2);
    expect(secrets.DB_PASSWORD).not.toBe(before);

    await settled(close(secrets));
    await settled(close(other));
    expect(vi.getTimerCount()).toBe(0);
    expectNoSentinel(...warnings, events);
  });
});
