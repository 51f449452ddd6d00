/** The vault:// provider, driven through node-vault against the wire-compatible test server. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import vault, { type VaultOptions } from "../../src/providers/vault.ts";
import type { Outcome, ResolveContext } from "../../src/providers/types.ts";
import type { Scheduler } from "../../src/providers/vault/config.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";

const MARKER = "s3cr3t-sentinel";
const ROOT_TOKEN = "hvs.s3cr3t-sentinel-root-token";
const NARROW_TOKEN = "hvs.s3cr3t-sentinel-narrow-token";
const ROLE_ID = "role-s3cr3t-sentinel-id";
const SECRET_ID = "secret-id-s3cr3t-sentinel-1";
const TEAM_ROLE_ID = "role-s3cr3t-sentinel-team";
const TEAM_SECRET_ID = "secret-id-s3cr3t-sentinel-team";
const JWT = "eyJhbGciOiJSUzI1NiJ9.s3cr3t-sentinel-jwt.sig";
const DB_URL = "postgres://app:s3cr3t-sentinel-pw@db/app";
const OLD_DB_URL = "postgres://app:s3cr3t-sentinel-old@db/app";
const API_TOKEN = "s3cr3t-sentinel-api-token";

let server: VaultTestServer;
const home = mkdtempSync(join(tmpdir(), "vault-home-"));
const seen: string[] = []; // every message and warning produced, for the leak check

/** Resolve refs with a fresh provider (unless one is given) and record every message it produced. */
async function resolve(raws: string[], env: Record<string, string>, options: VaultOptions = {}, signal = AbortSignal.timeout(10_000)) {
  const warnings: string[] = [];
  const provider = vault({ homeDir: home, retry: { baseDelayMs: 1 }, ...options });
  const ctx: ResolveContext = { env: { VAULT_ADDR: server.url, ...env }, signal, production: false, warn: (m) => void warnings.push(m) };
  const result = await provider.resolve(raws.map(parseRef), ctx);
  await provider.close?.();
  record(result, warnings);
  return { result, warnings, get: (raw: string) => result.get(raw)! };
}

function record(result: ReadonlyMap<string, Outcome>, warnings: string[]): void {
  for (const outcome of result.values()) {
    if (outcome.status === "error") seen.push(outcome.message, inspect(outcome, { depth: 5 }));
    if (outcome.status === "missing") seen.push(outcome.reason ?? "");
  }
  seen.push(...warnings);
}

const found = (value: string, extra: Record<string, unknown> = {}) => ({ status: "found", value, ...extra });
const reads = () => server.requests.filter((r) => r.method === "GET" && !r.path.includes("/sys/"));
const tokenEnv = { VAULT_TOKEN: ROOT_TOKEN };
const approleEnv = { VAULT_ROLE_ID: ROLE_ID, VAULT_SECRET_ID: SECRET_ID };

beforeAll(async () => {
  server = await startVaultServer({ rootToken: ROOT_TOKEN });
  server.putSecret("secret", "app/db", { url: OLD_DB_URL, user: "app" });
  server.putSecret("secret", "app/db", { url: DB_URL, user: "app", port: 5432 });
  server.putSecret("secret", "app/api", { token: API_TOKEN });
  server.putSecret("secret", "app/gone", { a: "s3cr3t-sentinel-gone" });
  server.putSecret("secret", "app/gone", { a: "s3cr3t-sentinel-gone-2" });
  server.deleteVersion("secret", "app/gone", 2);
  server.putSecret("secret", "app/shredded", { a: "s3cr3t-sentinel-shredded" });
  server.destroyVersion("secret", "app/shredded", 1);
  server.mountKv("kv/team-a", 2);
  server.putSecret("kv/team-a", "svc/cfg", { port: 8080, tls: true });
  server.mountKv("legacy", 1);
  server.putSecret("legacy", "app/db", { url: DB_URL });
  server.setPolicy("app-read", { "secret/data/app/*": ["read"], "kv/team-a/data/*": ["read"], "legacy/*": ["read"], "secret/data/bench/*": ["read"] });
  server.setPolicy("narrow", { "secret/data/app/api": ["read"] });
  server.createToken({ policies: ["narrow"], id: NARROW_TOKEN, ttl: 3600 });
  server.addAppRole("web", { roleId: ROLE_ID, secretIds: [SECRET_ID], policies: ["app-read"], ttl: 60, maxTtl: 600 });
  server.addKubernetesRole("app", { jwts: [JWT], policies: ["app-read"], ttl: 120 });
  server.addKubernetesRole("app", { jwts: [JWT], policies: ["app-read"], ttl: 120 }, { mount: "k8s-prod" });
  // A namespace with its own mount, policy and AppRole, as on Vault Enterprise / OpenBao.
  server.mountKv("secret", 2, { namespace: "team-b" });
  server.putSecret("secret", "svc/key", { value: "s3cr3t-sentinel-team-b" }, { namespace: "team-b" });
  server.setPolicy("svc", { "secret/data/svc/*": ["read"] }, { namespace: "team-b" });
  server.addAppRole("svc", { roleId: TEAM_ROLE_ID, secretIds: [TEAM_SECRET_ID], policies: ["svc"], ttl: 60 }, { namespace: "team-b" });
  for (let p = 0; p < 10; p++) {
    server.putSecret("secret", `bench/p${p}`, Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`k${k}`, `v${p}.${k}`])));
  }
});

afterEach(() => {
  server.faults.clear();
  server.unseal();
});

afterAll(async () => {
  await server.close();
});

describe("KV reads", () => {
  it("reads several keys of a KV v2 secret with one request, with the version", async () => {
    server.requests.length = 0;
    const { get } = await resolve(["vault://app/db#url", "vault://app/db#user", "vault://app/db#port", "vault://app/api"], tokenEnv);
    expect(get("vault://app/db#url")).toEqual(found(DB_URL, { version: "2" }));
    expect(get("vault://app/db#user")).toEqual(found("app", { version: "2" }));
    expect(get("vault://app/db#port")).toEqual(found("5432", { version: "2" }));
    expect(get("vault://app/api")).toEqual(found(API_TOKEN, { version: "1" }));
    expect(reads().map((r) => r.path).sort()).toEqual(["/v1/secret/data/app/api", "/v1/secret/data/app/db"]);
  });

  it("reads a pinned version", async () => {
    const { get } = await resolve(["vault://app/db?version=1#url", "vault://app/db#url"], tokenEnv);
    expect(get("vault://app/db?version=1#url")).toEqual(found(OLD_DB_URL, { version: "1" }));
    expect(get("vault://app/db#url")).toEqual(found(DB_URL, { version: "2" }));
  });

  it("reads a nested KV v2 mount named in the ref or by VAULT_MOUNT", async () => {
    const byRef = await resolve(["vault://svc/cfg?mount=kv/team-a#port"], tokenEnv);
    expect(byRef.get("vault://svc/cfg?mount=kv/team-a#port")).toEqual(found("8080", { version: "1" }));
    const byEnv = await resolve(["vault://svc/cfg#tls"], { ...tokenEnv, VAULT_MOUNT: "kv/team-a" });
    expect(byEnv.get("vault://svc/cfg#tls")).toEqual(found("true", { version: "1" }));
  });

  it("detects a KV v1 mount once and reads it without /data/, with its lease as TTL", async () => {
    server.requests.length = 0;
    const { get } = await resolve(["vault://app/db?mount=legacy#url", "vault://app/db?mount=legacy&version=2#url"], tokenEnv);
    expect(get("vault://app/db?mount=legacy#url")).toEqual(found(DB_URL, { ttlSeconds: 2_764_800 }));
    expect(get("vault://app/db?mount=legacy&version=2#url")).toMatchObject({ status: "error", kind: "invalid" });
    expect(server.requests.filter((r) => r.path.startsWith("/v1/sys/internal/ui/mounts/")).map((r) => r.path)).toEqual(["/v1/sys/internal/ui/mounts/legacy"]);
    expect(reads().map((r) => r.path)).toEqual(["/v1/legacy/app/db"]);
  });

  it("falls back to VAULT_KV_VERSION when the mount lookup is refused", async () => {
    server.faults.add({ kind: "status", status: 403 }, { match: "/sys/internal/ui/mounts/legacy" });
    const { get } = await resolve(["vault://app/db?mount=legacy#url"], { ...tokenEnv, VAULT_KV_VERSION: "1" });
    expect(get("vault://app/db?mount=legacy#url")).toMatchObject({ status: "found", value: DB_URL });
  });

  it("warns when the configured mount lies inside a real mount", async () => {
    const { get, warnings } = await resolve(["vault://db#url"], { ...tokenEnv, VAULT_MOUNT: "secret/app" });
    expect(get("vault://db#url")).toMatchObject({ status: "missing" });
    expect(warnings).toEqual([expect.stringContaining('set the mount to "secret"')]);
  });

  it("says which: no secret, deleted version, destroyed version, absent version", async () => {
    const { get } = await resolve(["vault://app/nothing#a", "vault://app/gone#a", "vault://app/shredded#a", "vault://app/db?version=9#url", "vault://app/gone?version=1#a"], tokenEnv);
    expect(get("vault://app/nothing#a")).toEqual({ status: "missing", reason: "no secret at secret/data/app/nothing" });
    expect(get("vault://app/gone#a")).toEqual({ status: "missing", reason: "version 2 of secret/data/app/gone was deleted" });
    expect(get("vault://app/shredded#a")).toEqual({ status: "missing", reason: "version 1 of secret/data/app/shredded was destroyed" });
    expect(get("vault://app/db?version=9#url")).toMatchObject({ status: "missing" });
    expect(get("vault://app/gone?version=1#a")).toEqual(found("s3cr3t-sentinel-gone", { version: "1" }));
  });

  it("explains a missing key or a multi-key secret without #key by key names only", async () => {
    const { get } = await resolve(["vault://app/db#nope", "vault://app/db"], tokenEnv);
    const missingKey = get("vault://app/db#nope");
    expect(missingKey).toMatchObject({ status: "error", kind: "invalid" });
    expect(missingKey.status === "error" && missingKey.message).toBe('vault://app/db#nope: the secret at secret/data/app/db has no key "nope"; it has "url", "user", "port"');
    expect(get("vault://app/db")).toMatchObject({ status: "error", kind: "invalid", message: expect.stringContaining("needs a #key") });
  });

  it("rejects refs it cannot use", async () => {
    const { get } = await resolve(["vault://app/db?version=abc#url", "vault://app/db?region=x#url", "vault://app/../db#url"], tokenEnv);
    for (const raw of ["vault://app/db?version=abc#url", "vault://app/db?region=x#url", "vault://app/../db#url"]) {
      expect(get(raw)).toMatchObject({ status: "error", kind: "invalid" });
    }
  });

  it("bounds concurrency and reads each path once: 50 refs over 10 paths = 1 login + 1 mount lookup + 10 reads", async () => {
    server.requests.length = 0;
    const logins = server.logins;
    const refs = Array.from({ length: 50 }, (_, i) => `vault://bench/p${i % 10}#k${Math.floor(i / 10)}`);
    server.faults.add({ kind: "latency", ms: 20 }, { match: "/secret/data/bench/" });
    const { result } = await resolve(refs, approleEnv, { concurrency: 4 });
    expect([...result.values()].every((o) => o.status === "found")).toBe(true);
    expect(result.get("vault://bench/p3#k2")).toEqual(found("v3.2", { version: "1" }));
    const lines = server.requests.map((r) => `${r.method} ${r.path}`);
    expect(lines.filter((l) => l === "POST /v1/auth/approle/login")).toHaveLength(1);
    expect(lines.filter((l) => l === "GET /v1/sys/internal/ui/mounts/secret")).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("GET /v1/secret/data/bench/"))).toHaveLength(10);
    expect(server.requests).toHaveLength(12);
    expect(server.logins - logins).toBe(1);
    expect(server.maxInFlight).toBeLessThanOrEqual(4);
  });
});

describe("auth", () => {
  it("logs in with AppRole once, even for concurrent batches", async () => {
    const logins = server.logins;
    const provider = vault({ homeDir: home });
    const ctx: ResolveContext = { env: { VAULT_ADDR: server.url, ...approleEnv }, signal: AbortSignal.timeout(10_000), production: false, warn: () => {} };
    const [a, b] = await Promise.all([provider.resolve([parseRef("vault://app/db#url")], ctx), provider.resolve([parseRef("vault://app/api#token")], ctx)]);
    const again = await provider.resolve([parseRef("vault://app/db#user")], ctx);
    await provider.close?.();
    expect(a.get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
    expect(b.get("vault://app/api#token")).toMatchObject({ status: "found", value: API_TOKEN });
    expect(again.get("vault://app/db#user")).toMatchObject({ status: "found", value: "app" });
    expect(server.logins - logins).toBe(1);
  });

  it("uses a namespace for the login and every read", async () => {
    server.requests.length = 0;
    const { get } = await resolve(["vault://svc/key#value"], { VAULT_ROLE_ID: TEAM_ROLE_ID, VAULT_SECRET_ID: TEAM_SECRET_ID, VAULT_NAMESPACE: "team-b" });
    expect(get("vault://svc/key#value")).toMatchObject({ status: "found", value: "s3cr3t-sentinel-team-b" });
    expect(server.requests.length).toBe(3);
    expect(server.requests.every((r) => r.namespace === "team-b")).toBe(true);
    const outside = await resolve(["vault://svc/key#value"], { VAULT_ROLE_ID: TEAM_ROLE_ID, VAULT_SECRET_ID: TEAM_SECRET_ID });
    expect(outside.get("vault://svc/key#value")).toMatchObject({ status: "error", kind: "denied" });
  });

  it("logs in with Kubernetes auth from the service-account token file, on a custom mount", async () => {
    const jwtPath = join(home, "sa-token");
    writeFileSync(jwtPath, `${JWT}\n`);
    const { get } = await resolve(["vault://app/db#url"], { VAULT_K8S_ROLE: "app", VAULT_K8S_TOKEN_PATH: jwtPath, VAULT_K8S_MOUNT: "k8s-prod" });
    expect(get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
    const wrongRole = await resolve(["vault://app/db#url"], { VAULT_K8S_ROLE: "nobody", VAULT_K8S_TOKEN_PATH: jwtPath });
    expect(wrongRole.get("vault://app/db#url")).toMatchObject({ status: "error", kind: "denied" });
    const noFile = await resolve(["vault://app/db#url"], { VAULT_K8S_ROLE: "app", VAULT_K8S_TOKEN_PATH: join(home, "absent") });
    expect(noFile.get("vault://app/db#url")).toMatchObject({ status: "error", kind: "invalid", message: expect.stringContaining("ENOENT") });
  });

  it("reads the token from ~/.vault-token when nothing else is set, and says what to set when it is absent", async () => {
    const none = await resolve(["vault://app/db#url"], {});
    expect(none.get("vault://app/db#url")).toMatchObject({ status: "error", kind: "invalid", message: expect.stringContaining("VAULT_TOKEN") });
    const withFile = mkdtempSync(join(tmpdir(), "vault-home-"));
    writeFileSync(join(withFile, ".vault-token"), `${ROOT_TOKEN}\n`);
    const { get } = await resolve(["vault://app/db#url"], {}, { homeDir: withFile });
    expect(get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
  });

  it("reports a rejected AppRole login as denied without the credentials", async () => {
    const { get } = await resolve(["vault://app/db#url", "vault://app/api"], { VAULT_ROLE_ID: ROLE_ID, VAULT_SECRET_ID: "secret-id-s3cr3t-sentinel-wrong" });
    expect(get("vault://app/db#url")).toMatchObject({ status: "error", kind: "denied", message: expect.stringContaining("auth/approle/login") });
    expect(get("vault://app/api")).toMatchObject({ status: "error", kind: "denied" });
  });

  it("reports a 403 as denied, naming the path and the policy to add", async () => {
    const { get } = await resolve(["vault://app/db#url", "vault://app/api"], { VAULT_TOKEN: NARROW_TOKEN });
    expect(get("vault://app/api")).toMatchObject({ status: "found", value: API_TOKEN });
    const denied = get("vault://app/db#url");
    expect(denied).toMatchObject({ status: "error", kind: "denied" });
    expect(denied.status === "error" && denied.message).toContain('path "secret/data/app/db" { capabilities = ["read"] }');
  });
});

/** A scheduler the test fires by hand, so renewal runs without waiting or fake timers. */
function manualScheduler() {
  const pending = new Map<number, { run: () => void; delayMs: number }>();
  let next = 0;
  const scheduler: Scheduler = {
    set: (run, delayMs) => (pending.set(++next, { run, delayMs }), next),
    clear: (handle) => void pending.delete(handle as number),
  };
  const fire = async () => {
    const [id, entry] = [...pending.entries()][0]!;
    pending.delete(id);
    entry.run();
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the renewal's request finish
  };
  return { scheduler, pending, fire };
}

describe("token lifetime", () => {
  it("renews a login token before it expires, logs in again when renewal fails, and stops on close()", async () => {
    const { scheduler, pending, fire } = manualScheduler();
    const provider = vault({ homeDir: home, scheduler });
    const ctx: ResolveContext = { env: { VAULT_ADDR: server.url, ...approleEnv }, signal: AbortSignal.timeout(10_000), production: false, warn: () => {} };
    const logins = server.logins;
    await provider.resolve([parseRef("vault://app/db#url")], ctx);
    expect([...pending.values()].map((p) => p.delayMs)).toEqual([40_000]); // 2/3 of the 60 s TTL

    server.requests.length = 0;
    await fire();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/auth/token/renew-self"]);
    expect(pending.size).toBe(1);

    server.faults.add({ kind: "status", status: 403, body: JSON.stringify({ errors: ["permission denied"] }) }, { match: "renew-self" });
    await fire();
    expect(server.logins - logins).toBe(2);
    const after = await provider.resolve([parseRef("vault://app/db#user")], ctx);
    expect(after.get("vault://app/db#user")).toMatchObject({ status: "found", value: "app" });
    expect(server.logins - logins).toBe(2);

    expect(pending.size).toBe(1);
    await provider.close?.();
    expect(pending.size).toBe(0);
  });

  it("logs in again once the token's TTL has passed", async () => {
    let now = 1_000_000;
    const provider = vault({ homeDir: home, scheduler: manualScheduler().scheduler, now: () => now });
    const ctx: ResolveContext = { env: { VAULT_ADDR: server.url, ...approleEnv }, signal: AbortSignal.timeout(10_000), production: false, warn: () => {} };
    const logins = server.logins;
    await provider.resolve([parseRef("vault://app/db#url")], ctx);
    now += 61_000;
    const later = await provider.resolve([parseRef("vault://app/db#url")], ctx);
    await provider.close?.();
    expect(later.get("vault://app/db#url")).toMatchObject({ status: "found" });
    expect(server.logins - logins).toBe(2);
  });
});

describe("failures", () => {
  it("reports a sealed Vault as unavailable after retrying", async () => {
    server.seal();
    server.requests.length = 0;
    const { get } = await resolve(["vault://app/db#url"], tokenEnv);
    expect(get("vault://app/db#url")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("sealed") });
    expect(server.requests).toHaveLength(3); // the mount lookup, tried 3 times
  });

  it("retries 5xx, 429 and connection resets, then succeeds", async () => {
    for (const fault of [{ kind: "status", status: 500 }, { kind: "status", status: 429 }, { kind: "reset" }] as const) {
      server.faults.add(fault, { match: "/secret/data/app/db", times: 2 });
      server.requests.length = 0;
      const { get } = await resolve(["vault://app/db#url"], tokenEnv);
      expect(get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
      expect(reads()).toHaveLength(3);
    }
  });

  it("gives up on persistent 5xx and 429 as unavailable", async () => {
    server.faults.add({ kind: "status", status: 502 }, { match: "/secret/data/app/db" });
    server.faults.add({ kind: "status", status: 429 }, { match: "/secret/data/app/api" });
    const { get } = await resolve(["vault://app/db#url", "vault://app/api"], tokenEnv);
    expect(get("vault://app/db#url")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("HTTP 502") });
    expect(get("vault://app/api")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("429") });
  });

  it("survives latency, and reports a malformed answer as invalid without retrying", async () => {
    server.faults.add({ kind: "latency", ms: 50 }, { match: "/secret/data/app/db" });
    server.faults.add({ kind: "malformed" }, { match: "/secret/data/app/api" });
    server.requests.length = 0;
    const { get } = await resolve(["vault://app/db#url", "vault://app/api"], tokenEnv);
    expect(get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
    expect(get("vault://app/api")).toMatchObject({ status: "error", kind: "invalid", message: expect.stringContaining("not Vault JSON") });
    expect(reads().filter((r) => r.path.endsWith("/app/api"))).toHaveLength(1);
  });

  it("ends a hung request by timeout or by the start-up deadline", async () => {
    server.faults.add({ kind: "hang" }, { match: "/secret/data/app/db" });
    const timedOut = await resolve(["vault://app/db#url"], tokenEnv, { requestTimeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1 } });
    expect(timedOut.get("vault://app/db#url")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("did not answer in time") });
    const deadline = await resolve(["vault://app/db#url"], tokenEnv, {}, AbortSignal.timeout(150));
    expect(deadline.get("vault://app/db#url")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("deadline") });
  });

  it("reports an unreachable server as unavailable", async () => {
    const { get } = await resolve(["vault://app/db#url"], { ...tokenEnv, VAULT_ADDR: "http://127.0.0.1:1" });
    expect(get("vault://app/db#url")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("ECONNREFUSED") });
  });
});

describe("TLS", () => {
  let tlsServer: VaultTestServer;
  let caFile: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "vault-tls-"));
    const [keyFile, certFile] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    caFile = certFile;
    tlsServer = await startVaultServer({ rootToken: ROOT_TOKEN, tls: { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") } });
    tlsServer.putSecret("secret", "app/db", { url: DB_URL });
  });
  afterAll(async () => tlsServer.close());

  it("verifies the server with VAULT_CACERT, fails closed without it, and warns loudly on VAULT_SKIP_VERIFY", async () => {
    const env = { ...tokenEnv, VAULT_ADDR: tlsServer.url };
    const trusted = await resolve(["vault://app/db#url"], { ...env, VAULT_CACERT: caFile });
    expect(trusted.get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
    const untrusted = await resolve(["vault://app/db#url"], env);
    expect(untrusted.get("vault://app/db#url")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("VAULT_CACERT") });
    const skipped = await resolve(["vault://app/db#url"], { ...env, VAULT_SKIP_VERIFY: "true" });
    expect(skipped.get("vault://app/db#url")).toMatchObject({ status: "found", value: DB_URL });
    expect(skipped.warnings).toEqual([expect.stringContaining("NOT verified")]);
  });
});

describe("secrecy", () => {
  it("never put a secret value, token, secret id or JWT in a message, reason or warning", () => {
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((text) => text.includes(MARKER))).toEqual([]);
  });
});
