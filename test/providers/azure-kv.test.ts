/**
 * azure-kv provider: the real @azure/keyvault-secrets + @azure/identity against the local HTTPS
 * Key Vault + Entra token server (test/servers/azure). Every string the provider produces is
 * collected and checked for the `s3cr3t-sentinel` marker at the end (secret values, the client
 * secret, the federated assertion and every issued access token carry it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import azureKv, { type AzureKvOptions, type TokenCredentialLike } from "../../src/providers/azure-kv.ts";
import { outcomeOfError } from "../../src/providers/azure-kv/outcome.ts";
import { targetOf } from "../../src/providers/azure-kv/refs.ts";
import type { Outcome, Provider, ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { createSelfSignedCertificate, hasOpenssl, type TestCertificate } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer, type AzureKeyVaultServer } from "../servers/azure/server.ts";

const MARKER = "s3cr3t-sentinel";
const CLIENT_SECRET = `client-${MARKER}-secret`;
const ASSERTION = `eyJhbGciOiJSUzI1NiJ9.${MARKER}-federated.sig`;
const DB_PASSWORD = `pw-${MARKER}-1`;
const OLD_PASSWORD = `pw-${MARKER}-0`;
const IDENTITY_HEADER = `hdr-${MARKER}`;
const JSON_SECRET = JSON.stringify({ user: "app", password: `json-${MARKER}-2`, port: 5432 });

const opensslOk = hasOpenssl();
if (!opensslOk) console.warn("azure-kv tests SKIPPED: the `openssl` CLI is needed for the test certificate (apt-get install openssl)");

/** Every message, reason and warning produced, checked for the marker at the end. */
const produced: string[] = [];

describe.skipIf(!opensslOk)("azure-kv provider", () => {
  let certificate: TestCertificate;
  let server: AzureKeyVaultServer;
  let versions: { old: string; current: string };
  let tmp: string;
  /** One Entra tenant for every vault server in these tests. */
  const tokens = new Set<string>();

  beforeAll(async () => {
    certificate = createSelfSignedCertificate();
    server = await startAzureKeyVaultServer({ certificate, clientSecret: CLIENT_SECRET, clientAssertion: ASSERTION, identityHeader: IDENTITY_HEADER, tokens });
    const old = server.setSecret("db-password", OLD_PASSWORD);
    const current = server.setSecret("db-password", DB_PASSWORD);
    versions = { old, current };
    server.setSecret("db-json", JSON_SECRET, { contentType: "application/json" });
    server.setSecret("plain", `plain-${MARKER}`);
    server.setSecret("off", `off-${MARKER}`, { enabled: false });
    server.setSecret("gone-by", `exp-${MARKER}`, { exp: new Date(Date.now() - 3_600_000) });
    server.setSecret("later", `nbf-${MARKER}`, { nbf: new Date(Date.now() + 3_600_000) });
    server.setSecret("expiring", `ttl-${MARKER}`, { exp: new Date(Date.now() + 3_600_000) });
    server.setSecret("prod-api-key", `prefixed-${MARKER}`);
    server.setSecret("private", `denied-${MARKER}`);
    server.deny("private");
    for (let i = 0; i < 12; i++) server.setSecret(`bulk-${i}`, `bulk-${MARKER}-${i}`);
    tmp = mkdtempSync(join(tmpdir(), "azure-kv-test-"));
  });

  afterAll(async () => {
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const spEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    AZURE_TENANT_ID: server.tenantId,
    AZURE_CLIENT_ID: server.clientId,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: server.authorityHost,
    ...extra,
  });

  const provider = (options: AzureKvOptions = {}, s: AzureKeyVaultServer = server): Provider =>
    azureKv({
      ca: certificate.cert,
      disableInstanceDiscovery: true,
      // The vault lives at 127.0.0.1, not *.vault.azure.net.
      disableChallengeResourceVerification: true,
      vaultUrls: { "my-vault": s.url },
      retry: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
      ...options,
    });

  async function resolve(
    p: Provider,
    raws: string[],
    env: Record<string, string> = spEnv(),
    extra: Partial<ResolveContext> = {},
  ): Promise<ReadonlyMap<string, Outcome>> {
    const warnings: string[] = [];
    const context: ResolveContext = {
      env,
      signal: AbortSignal.timeout(15_000),
      production: false,
      warn: (message) => warnings.push(message),
      ...extra,
    };
    try {
      const result = await p.resolve(raws.map(parseRef), context);
      for (const raw of raws) expect(result.has(raw), raw).toBe(true);
      for (const outcome of result.values()) {
        if (outcome.status === "missing") produced.push(outcome.reason ?? "");
        if (outcome.status === "error") produced.push(outcome.message);
      }
      return result;
    } catch (error) {
      produced.push(String(error), (error as Error).stack ?? "");
      throw error;
    } finally {
      produced.push(...warnings);
    }
  }

  const one = async (raw: string, options: AzureKvOptions = {}, env?: Record<string, string>, extra?: Partial<ResolveContext>) =>
    (await resolve(provider(options), [raw], env, extra)).get(raw)!;
  const secretGets = (name: string, since = 0) =>
    server.requests.slice(since).filter((r) => r.kind === "secret" && r.authorized && r.path.startsWith(`/secrets/${name}/`));

  describe("ref forms", () => {
    it("reads azure-kv://<vault>/<secret> with a service principal from env (challenge, discovery, token)", async () => {
      const since = server.requests.length;
      const outcome = await one("azure-kv://my-vault/db-password");
      expect(outcome).toEqual({ status: "found", value: DB_PASSWORD, version: versions.current });
      const kinds = server.requests.slice(since).map((r) => `${r.kind}:${r.status}`);
      expect(kinds).toEqual(["secret:401", "discovery:200", "token:200", "secret:200"]);
    });

    it("reads a version from the path, from ?version=, and latest", async () => {
      const p = provider();
      const refs = [
        `azure-kv://my-vault/db-password/${versions.old}`,
        `azure-kv://my-vault/db-password?version=${versions.old.toUpperCase()}`,
        "azure-kv://my-vault/db-password?version=latest",
      ];
      const result = await resolve(p, refs);
      expect(result.get(refs[0]!)).toEqual({ status: "found", value: OLD_PASSWORD, version: versions.old });
      expect(result.get(refs[1]!)).toEqual({ status: "found", value: OLD_PASSWORD, version: versions.old });
      expect(result.get(refs[2]!)).toEqual({ status: "found", value: DB_PASSWORD, version: versions.current });
    });

    it("reads the short form from AZURE_KEYVAULT_URL, with AZURE_SECRET_PREFIX", async () => {
      const env = spEnv({ AZURE_KEYVAULT_URL: `${server.url}/` });
      expect(await one("azure-kv://plain", {}, env)).toMatchObject({ status: "found", value: `plain-${MARKER}` });
      expect(await one(`azure-kv://db-password?version=${versions.old}`, {}, env)).toMatchObject({ value: OLD_PASSWORD });
      const prefixed = await one("azure-kv://api-key", {}, { ...env, AZURE_SECRET_PREFIX: "prod-" });
      expect(prefixed).toMatchObject({ status: "found", value: `prefixed-${MARKER}` });
      // The option wins over env.
      expect(await one("azure-kv://api-key", { secretPrefix: "prod-", vaultUrl: server.url }, spEnv())).toMatchObject({
        status: "found",
      });
    });

    it("fetches a JSON secret once for several #keys, and names missing keys without values", async () => {
      const since = server.requests.length;
      const refs = [
        "azure-kv://my-vault/db-json#user",
        "azure-kv://my-vault/db-json#password",
        "azure-kv://my-vault/db-json#port",
        "azure-kv://my-vault/db-json#nope",
        "azure-kv://my-vault/plain#user",
      ];
      const result = await resolve(provider(), refs);
      expect(result.get(refs[0]!)).toMatchObject({ status: "found", value: "app" });
      expect(result.get(refs[1]!)).toMatchObject({ status: "found", value: `json-${MARKER}-2` });
      expect(result.get(refs[2]!)).toMatchObject({ status: "found", value: "5432" });
      const missingKey = result.get(refs[3]!)!;
      expect(missingKey).toMatchObject({ status: "error", kind: "invalid" });
      expect(missingKey.status === "error" && missingKey.message).toMatch(/no key "nope" \(keys: user, password, port\)/);
      expect(result.get(refs[4]!)).toMatchObject({ status: "error", kind: "invalid" });
      expect(secretGets("db-json", since)).toHaveLength(1);
    });

    it("maps vault names to https://<name>.vault.azure.net (or the dnsSuffix)", () => {
      const config = { prefix: "", vaultUrls: {}, dnsSuffix: "vault.azure.net" };
      expect(targetOf(parseRef("azure-kv://Contoso-KV/db-password/" + "a".repeat(32)), config)).toEqual({
        vaultUrl: "https://contoso-kv.vault.azure.net",
        name: "db-password",
        version: "a".repeat(32),
      });
      expect(targetOf(parseRef("azure-kv://kv-cn/x"), { ...config, dnsSuffix: "vault.azure.cn" }).vaultUrl).toBe(
        "https://kv-cn.vault.azure.cn",
      );
    });

    it("rejects refs Key Vault cannot hold, with a clear message and no request", async () => {
      const since = server.requests.length;
      const bad: Record<string, RegExp> = {
        "azure-kv://my-vault/db_password": /letters, digits and dashes.*e\.g\. "db-password"/,
        "azure-kv://db.password": /letters, digits and dashes/,
        "azure-kv://x_y/db-password": /not a Key Vault name/,
        "azure-kv://my-vault/a/b/c": /malformed/,
        "azure-kv://my-vault//b": /malformed/,
        "azure-kv://my-vault/db-password/3": /not a Key Vault version id/,
        [`azure-kv://my-vault/db-password/${versions.old}?version=latest`]: /two different versions/,
        "azure-kv://my-vault/db-password?stage=prod": /unknown parameter\(s\) stage/,
        "azure-kv://lonely": /names no vault: set AZURE_KEYVAULT_URL/,
      };
      const prefixed = await one("azure-kv://api-key", {}, spEnv({ AZURE_KEYVAULT_URL: server.url, AZURE_SECRET_PREFIX: "prod_" }));
      expect(prefixed.status === "error" && prefixed.message).toMatch(/"prod_api-key" \(with the prefix "prod_" from AZURE_SECRET_PREFIX/);
      const result = await resolve(provider(), Object.keys(bad));
      for (const [raw, pattern] of Object.entries(bad)) {
        const outcome = result.get(raw)!;
        expect(outcome.status === "error" && outcome.kind, raw).toBe("invalid");
        expect(outcome.status === "error" && outcome.message, raw).toMatch(pattern);
      }
      const insecure = await one("azure-kv://plain", {}, spEnv({ AZURE_KEYVAULT_URL: "http://kv.example" }));
      expect(insecure.status === "error" && insecure.message).toMatch(/AZURE_KEYVAULT_URL must be an https:\/\/ URL/);
      expect(server.requests.length).toBe(since);
    });
  });

  describe("states", () => {
    it("reports disabled, expired and not-yet-valid secrets as missing, saying which", async () => {
      const refs = ["azure-kv://my-vault/off", "azure-kv://my-vault/gone-by", "azure-kv://my-vault/later"];
      const result = await resolve(provider(), refs);
      expect(result.get(refs[0]!)).toEqual({ status: "missing", reason: expect.stringMatching(/"off" in vault .* is disabled/) });
      expect(result.get(refs[1]!)).toEqual({ status: "missing", reason: expect.stringMatching(/expired at .*\(exp\)/) });
      expect(result.get(refs[2]!)).toEqual({ status: "missing", reason: expect.stringMatching(/not valid before .*\(nbf\)/) });
    });

    it("reads an enabled old version while the latest is disabled", async () => {
      const s = await startAzureKeyVaultServer({ certificate, clientSecret: CLIENT_SECRET, tokens });
      try {
        const old = s.setSecret("rotating", `v1-${MARKER}`);
        s.setSecret("rotating", `v2-${MARKER}`, { enabled: false });
        const p = provider({}, s);
        const result = await resolve(p, ["azure-kv://my-vault/rotating", `azure-kv://my-vault/rotating/${old}`]);
        expect(result.get("azure-kv://my-vault/rotating")).toMatchObject({ status: "missing" });
        expect(result.get(`azure-kv://my-vault/rotating/${old}`)).toMatchObject({ status: "found", value: `v1-${MARKER}` });
      } finally {
        await s.close();
      }
    });

    it("gives the time to expiry as ttlSeconds", async () => {
      const outcome = await one("azure-kv://my-vault/expiring");
      expect(outcome.status).toBe("found");
      const ttl = outcome.status === "found" ? outcome.ttlSeconds! : 0;
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3600);
    });

    it("reports unknown secrets and versions as missing, and a denied get as denied", async () => {
      const refs = ["azure-kv://my-vault/nope", `azure-kv://my-vault/db-password/${"0".repeat(32)}`, "azure-kv://my-vault/private"];
      const result = await resolve(provider(), refs);
      expect(result.get(refs[0]!)).toEqual({ status: "missing", reason: expect.stringMatching(/"nope" in vault .* not found/), absent: true });
      expect(result.get(refs[1]!)).toMatchObject({ status: "missing", reason: expect.stringMatching(/version 0{32}/) });
      expect(result.get(refs[2]!)).toMatchObject({ status: "error", kind: "denied", message: expect.stringMatching(/403 Forbidden.*Key Vault Secrets User/) });
    });
  });

  describe("faults", () => {
    it("retries a 503 and a reset inside the SDK, once each", async () => {
      server.faults.add({ kind: "status", status: 503, body: "{}" }, { match: "GET /secrets/plain/", times: 1 });
      server.faults.add({ kind: "reset" }, { match: "GET /secrets/db-json/", times: 1 });
      const since = server.requests.length;
      const result = await resolve(provider(), ["azure-kv://my-vault/plain", "azure-kv://my-vault/db-json"]);
      expect([...result.values()].map((o) => o.status)).toEqual(["found", "found"]);
      const attempts = server.requests.slice(since).filter((r) => r.path === "/secrets/plain/" && r.status !== 401);
      expect(attempts.map((r) => r.status)).toEqual([503, 200]);
    });

    it("gives up on a persistent 500 after the SDK's retries (no second retry layer)", async () => {
      const p = provider();
      await resolve(p, ["azure-kv://my-vault/db-password"]); // authenticate first
      server.faults.add({ kind: "status", status: 500, body: JSON.stringify({ error: { code: "InternalServerError", message: "x" } }) }, { match: "GET /secrets/plain/" });
      try {
        const since = server.requests.length;
        const outcome = (await resolve(p, ["azure-kv://my-vault/plain"])).get("azure-kv://my-vault/plain");
        expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringMatching(/answered 500 InternalServerError/) });
        // 1 + maxRetries (2) attempts.
        expect(server.requests.slice(since).filter((r) => r.kind === "secret")).toHaveLength(3);
      } finally {
        server.faults.clear();
      }
    });

    it("honours Retry-After on 429 (waits it out instead of retrying at once)", async () => {
      server.faults.add(
        { kind: "status", status: 429, headers: { "retry-after": "30" }, body: JSON.stringify({ error: { code: "Throttled", message: "x" } }) },
        { match: "GET /secrets/plain/" },
      );
      try {
        const p = provider();
        await resolve(p, ["azure-kv://my-vault/db-password"]); // authenticate first
        const since = server.requests.length;
        const outcome = (await resolve(p, ["azure-kv://my-vault/plain"], spEnv(), { signal: AbortSignal.timeout(500) })).get(
          "azure-kv://my-vault/plain",
        )!;
        expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringMatching(/deadline/) });
        // With a 5 ms retry delay and no Retry-After, three attempts would fit in 500 ms.
        expect(server.requests.slice(since).filter((r) => r.kind === "secret")).toHaveLength(1);
      } finally {
        server.faults.clear();
      }
    });

    it("reports a 429 that outlasts the retries as unavailable", async () => {
      server.faults.add({ kind: "status", status: 429, headers: { "retry-after": "0" } }, { match: "GET /secrets/plain/" });
      try {
        expect(await one("azure-kv://my-vault/plain")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringMatching(/429/) });
      } finally {
        server.faults.clear();
      }
    });

    it("reports persistent resets as unavailable and a hang as a deadline", async () => {
      server.faults.add({ kind: "reset" }, { match: "GET /secrets/plain/" });
      try {
        expect(await one("azure-kv://my-vault/plain")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringMatching(/could not be reached \(ECONNRESET\)/) });
      } finally {
        server.faults.clear();
      }
      server.faults.add({ kind: "hang" }, { match: "GET /secrets/plain/" });
      try {
        const outcome = await one("azure-kv://my-vault/plain", {}, spEnv(), { signal: AbortSignal.timeout(400) });
        expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringMatching(/deadline/) });
      } finally {
        server.faults.clear();
      }
    });

    it("reports a malformed body as invalid and survives latency", async () => {
      server.faults.add({ kind: "malformed", body: `{"value": "${MARKER}-half` }, { match: "GET /secrets/plain/", times: 1 });
      const p = provider();
      await resolve(p, ["azure-kv://my-vault/db-password"]);
      expect((await resolve(p, ["azure-kv://my-vault/plain"])).get("azure-kv://my-vault/plain")).toMatchObject({
        status: "error", kind: "invalid", message: expect.stringMatching(/not valid JSON/),
      });
      server.faults.add({ kind: "latency", ms: 50 }, { match: "GET /secrets/plain/", times: 1 });
      expect((await resolve(p, ["azure-kv://my-vault/plain"])).get("azure-kv://my-vault/plain")).toMatchObject({ status: "found" });
    });

    it("reports token endpoint refusals as denied and its outages as unavailable", async () => {
      const wrong = await one("azure-kv://my-vault/plain", {}, spEnv({ AZURE_CLIENT_SECRET: `wrong-${MARKER}` }));
      expect(wrong).toMatchObject({ status: "error", kind: "denied", message: expect.stringMatching(/refused service principal secret \(AZURE_TENANT_ID.*\) \(invalid_client\)/) });
      const outage = { error: "temporarily_unavailable", error_description: "AADSTS50196: retry later", error_codes: [50196] };
      server.faults.add({ kind: "status", status: 503, body: JSON.stringify(outage) }, { match: "/oauth2/v2.0/token" });
      try {
        expect(await one("azure-kv://my-vault/plain")).toMatchObject({ status: "error", kind: "unavailable" });
      } finally {
        server.faults.clear();
      }
    });

    it("reports a token the vault no longer accepts as denied", async () => {
      const p = provider();
      await resolve(p, ["azure-kv://my-vault/plain"]);
      server.revokeTokens();
      const outcome = (await resolve(p, ["azure-kv://my-vault/plain"])).get("azure-kv://my-vault/plain")!;
      expect(outcome).toMatchObject({ status: "error", kind: "denied", message: expect.stringMatching(/401 Unauthorized/) });
    });

    it("reports an untrusted certificate as a TLS failure (verification stays on)", async () => {
      const outcome = await one("azure-kv://my-vault/plain", { ca: [] });
      expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringMatching(/TLS verification failed \(\w+\)/) });
    });

    it("classifies a missing credential as denied with what to set", async () => {
      const { AggregateAuthenticationError, CredentialUnavailableError } = await import("@azure/identity");
      const target = { vaultUrl: "https://kv.vault.azure.net", name: "x" };
      for (const error of [
        new CredentialUnavailableError(`no env; token ${MARKER}`),
        new AggregateAuthenticationError([new CredentialUnavailableError(MARKER)], "DefaultAzureCredential failed"),
      ]) {
        const outcome = outcomeOfError(error, target, false);
        expect(outcome).toMatchObject({ status: "error", kind: "denied", message: expect.stringMatching(/no Azure credential is available: set AZURE_TENANT_ID/) });
        produced.push(outcome.status === "error" ? outcome.message : "");
      }
    });

    it("keeps the SDK's challenge-resource check unless told otherwise", async () => {
      const outcome = await one("azure-kv://my-vault/plain", { disableChallengeResourceVerification: false });
      expect(outcome).toMatchObject({ status: "error", kind: "invalid", message: expect.stringMatching(/disableChallengeResourceVerification/) });
      const warnings: string[] = [];
      await provider().resolve([parseRef("azure-kv://my-vault/plain")], {
        env: spEnv(), signal: AbortSignal.timeout(15_000), production: true, warn: (m) => warnings.push(m),
      });
      produced.push(...warnings);
      expect(warnings).toEqual([expect.stringMatching(/challenge resource verification is disabled/)]);
    });
  });

  describe("auth and clients", () => {
    it("uses an explicit credential without building one from env", async () => {
      const { ClientSecretCredential } = await import("@azure/identity");
      const inner = new ClientSecretCredential(server.tenantId, server.clientId, CLIENT_SECRET, {
        authorityHost: server.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: certificate.cert },
      });
      const calls: unknown[] = [];
      const credential: TokenCredentialLike = {
        async getToken(scopes, options) {
          calls.push({ scopes, tenantId: (options as { tenantId?: string }).tenantId });
          return inner.getToken(scopes, options);
        },
      };
      const outcome = await one("azure-kv://my-vault/plain", { credential }, {});
      expect(outcome).toMatchObject({ status: "found" });
      expect(calls).toEqual([{ scopes: ["https://vault.azure.net/.default"], tenantId: server.tenantId }]);
    });

    it("uses workload identity (AZURE_FEDERATED_TOKEN_FILE) from env", async () => {
      const file = join(tmp, "federated-token");
      writeFileSync(file, ASSERTION);
      const env = { AZURE_TENANT_ID: server.tenantId, AZURE_CLIENT_ID: server.clientId, AZURE_FEDERATED_TOKEN_FILE: file, AZURE_AUTHORITY_HOST: server.authorityHost };
      expect(await one("azure-kv://my-vault/plain", {}, env)).toMatchObject({ status: "found" });
    });

    it("uses a service principal certificate (AZURE_CLIENT_CERTIFICATE_PATH) from env", async () => {
      const appCertificate = createSelfSignedCertificate("rsa");
      const s = await startAzureKeyVaultServer({ certificate, clientCertificate: appCertificate.cert, tokens });
      try {
        s.setSecret("plain", `cert-${MARKER}`);
        const file = join(tmp, "app.pem");
        writeFileSync(file, appCertificate.key + appCertificate.cert);
        const env = { AZURE_TENANT_ID: s.tenantId, AZURE_CLIENT_ID: s.clientId, AZURE_CLIENT_CERTIFICATE_PATH: file, AZURE_AUTHORITY_HOST: s.authorityHost };
        expect(await one("azure-kv://my-vault/plain", { vaultUrls: { "my-vault": s.url } }, env)).toMatchObject({ status: "found", value: `cert-${MARKER}` });
        expect(s.requests.filter((r) => r.kind === "token").map((r) => r.status)).toEqual([200]);
        const stranger = createSelfSignedCertificate("rsa");
        writeFileSync(file, stranger.key + stranger.cert);
        const refused = await one("azure-kv://my-vault/plain", { vaultUrls: { "my-vault": s.url } }, env);
        expect(refused).toMatchObject({ status: "error", kind: "denied", message: expect.stringMatching(/refused service principal certificate .*\(invalid_client\)/) });
      } finally {
        await s.close();
      }
    });

    it("uses managed identity when AZURE_USE_MANAGED_IDENTITY is set (user-assigned via AZURE_CLIENT_ID)", async () => {
      // MSAL finds the App Service identity endpoint in process.env, not in the injected env.
      vi.stubEnv("IDENTITY_ENDPOINT", `${server.url}/msi/token`);
      vi.stubEnv("IDENTITY_HEADER", IDENTITY_HEADER);
      try {
        const env = { AZURE_USE_MANAGED_IDENTITY: "true", AZURE_CLIENT_ID: "11111111-2222-4333-8444-555555555555" };
        expect(await one("azure-kv://my-vault/plain", {}, env)).toMatchObject({ status: "found", value: `plain-${MARKER}` });
        expect(await one("azure-kv://my-vault/plain", {}, { AZURE_USE_MANAGED_IDENTITY: "1" })).toMatchObject({ status: "found" });
        expect(server.managedIdentityClientIds.slice(-2)).toEqual([env.AZURE_CLIENT_ID, ""]);
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it("keeps one client per vault: a second batch needs no new challenge or token", async () => {
      const other = await startAzureKeyVaultServer({ certificate, clientSecret: CLIENT_SECRET, tokens });
      try {
        other.setSecret("plain", `other-${MARKER}`);
        const p = provider({ vaultUrls: { "my-vault": server.url, "other-vault": other.url } });
        const refs = ["azure-kv://my-vault/plain", "azure-kv://other-vault/plain"];
        const first = await resolve(p, refs);
        expect(first.get(refs[0]!)).toMatchObject({ value: `plain-${MARKER}` });
        expect(first.get(refs[1]!)).toMatchObject({ value: `other-${MARKER}` });
        const since = server.requests.length;
        const sinceOther = other.requests.length;
        await resolve(p, refs);
        expect(server.requests.slice(since).map((r) => `${r.kind}:${r.status}`)).toEqual(["secret:200"]);
        expect(other.requests.slice(sinceOther).map((r) => `${r.kind}:${r.status}`)).toEqual(["secret:200"]);
      } finally {
        await other.close();
      }
    });

    it("bounds concurrent gets, and meets the challenge and asks for a token once per vault", async () => {
      const refs = Array.from({ length: 12 }, (_, i) => `azure-kv://my-vault/bulk-${i}`);
      server.faults.add({ kind: "latency", ms: 20 }, { match: "GET /secrets/bulk-" });
      try {
        server.load.maxInFlight = 0;
        const since = server.requests.length;
        const result = await resolve(provider({ concurrency: 3 }), refs);
        expect([...result.values()].every((o) => o.status === "found")).toBe(true);
        expect(server.load.maxInFlight).toBeLessThanOrEqual(3);
        const log = server.requests.slice(since);
        expect(log.filter((r) => r.kind === "token")).toHaveLength(1);
        expect(log.filter((r) => r.kind === "secret" && r.status === 200)).toHaveLength(12);
        // The first request goes alone; the other 11 reuse its token instead of each meeting the challenge.
        expect(countKinds(log)).toEqual({ "secret:401": 1, "discovery:200": 1, "token:200": 1, "secret:200": 12 });
      } finally {
        server.faults.clear();
      }
    });

    it("holds a concurrent batch for the same new vault until the first request has its token", async () => {
      const p = provider();
      const since = server.requests.length;
      const [a, b] = await Promise.all([resolve(p, ["azure-kv://my-vault/plain"]), resolve(p, ["azure-kv://my-vault/plain"])]);
      expect(a.get("azure-kv://my-vault/plain")).toMatchObject({ status: "found" });
      expect(b.get("azure-kv://my-vault/plain")).toMatchObject({ status: "found" });
      expect(countKinds(server.requests.slice(since))).toEqual({ "secret:401": 1, "discovery:200": 1, "token:200": 1, "secret:200": 2 });
    });

    it("reports credential settings the SDK rejects as invalid, per ref", async () => {
      const outcome = await one("azure-kv://my-vault/plain", {}, spEnv({ AZURE_TENANT_ID: "not a tenant!" }));
      expect(outcome).toMatchObject({ status: "error", kind: "invalid", message: expect.stringMatching(/could not be set up \(\w+\); check AZURE_TENANT_ID/) });
    });

    it("does not load the SDK at module top level", () => {
      const source = readFileSync(new URL("../../src/providers/azure-kv.ts", import.meta.url), "utf8");
      expect(source).not.toMatch(/^import (?!type)[^;]*"@azure\//m);
      expect(source).toMatch(/import\("@azure\/keyvault-secrets"\)/);
    });
  });

  describe("test server, driven by a plain HTTPS client (no Azure SDK)", () => {
    const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; json: any }>((done, fail) => {
        const req = httpsRequest(`${server.url}${path}`, { method, headers, ca: certificate.cert }, (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) }));
        });
        req.on("error", fail);
        req.end(body);
      });

    it("follows the documented challenge, token and get-secret shapes", async () => {
      const challenge = await call("GET", "/secrets/plain?api-version=7.4");
      expect(challenge.status).toBe(401);
      expect(challenge.headers["www-authenticate"]).toBe(
        `Bearer authorization="https://login.microsoftonline.com/${server.tenantId}", resource="https://vault.azure.net"`,
      );
      expect(challenge.json.error.code).toBe("Unauthorized");

      const form = new URLSearchParams({
        grant_type: "client_credentials", client_id: server.clientId, client_secret: CLIENT_SECRET, scope: "https://vault.azure.net/.default",
      }).toString();
      const token = await call("POST", `/${server.tenantId}/oauth2/v2.0/token`, { "content-type": "application/x-www-form-urlencoded" }, form);
      expect(token.status).toBe(200);
      expect(token.json).toMatchObject({ token_type: "Bearer", expires_in: expect.any(Number), access_token: expect.any(String) });

      const auth = { authorization: `Bearer ${token.json.access_token}` };
      const found = await call("GET", "/secrets/plain?api-version=7.4", auth);
      expect(found.status).toBe(200);
      expect(found.json).toMatchObject({
        value: `plain-${MARKER}`,
        id: expect.stringMatching(new RegExp(`^${server.url}/secrets/plain/[0-9a-f]{32}$`)),
        attributes: { enabled: true, created: expect.any(Number), updated: expect.any(Number), recoveryLevel: expect.any(String) },
      });
      expect(await call("GET", "/secrets/nope/?api-version=7.4", auth)).toMatchObject({ status: 404, json: { error: { code: "SecretNotFound" } } });
      expect(await call("GET", "/secrets/off?api-version=7.4", auth)).toMatchObject({
        status: 403, json: { error: { code: "Forbidden", innererror: { code: "SecretDisabled" } } },
      });
      expect(await call("GET", "/secrets/plain", auth)).toMatchObject({ status: 400, json: { error: { code: "BadParameter" } } });
      const wrong = await call("POST", `/${server.tenantId}/oauth2/v2.0/token`, { "content-type": "application/x-www-form-urlencoded" }, form.replace("client_secret=", "client_secret=x"));
      expect(wrong).toMatchObject({ status: 401, json: { error: "invalid_client", error_codes: [7000215] } });
    });
  });

  // Runs last (tests in a file run in order): everything the provider said in this file.
  it("leaks no secret value, access token, federated assertion or client secret", () => {
    expect(produced.length).toBeGreaterThan(30);
    for (const text of produced) expect(text).not.toContain(MARKER);
    for (const token of server.issuedTokens) for (const text of produced) expect(text).not.toContain(token);
  });
});

function countKinds(log: readonly { kind: string; status?: number }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) counts[`${r.kind}:${r.status}`] = (counts[`${r.kind}:${r.status}`] ?? 0) + 1;
  return counts;
}
