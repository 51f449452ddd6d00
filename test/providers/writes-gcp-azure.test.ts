/**
 * Provider.write for gcp-sm:// (AddSecretVersion / CreateSecret, over REST and gRPC) and azure-kv://
 * (setSecret), through the real SDKs against the local test servers. Every value carries the sentinel;
 * every error message is checked for it.
 */
import * as grpc from "@grpc/grpc-js";
import { OAuth2Client } from "google-auth-library";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import azureKv from "../../src/providers/azure-kv.ts";
import gcpSm, { type GcpSmOptions } from "../../src/providers/gcp-sm.ts";
import { ProviderWriteError, type Provider, type ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { createSelfSignedCertificate, hasOpenssl, type TestCertificate } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer, type AzureKeyVaultServer } from "../servers/azure/server.ts";
import { startGcpGrpcServer } from "../servers/gcp/grpc-server.ts";
import { googleErrorBody, startGcpServer, type SecretStore } from "../servers/gcp/server.ts";
import type { FaultQueue } from "../servers/faults.ts";

const NEW = secretValue("new");
const OLD = secretValue("old");
const USER = secretValue("user");
const context = (env: Record<string, string>): ResolveContext => ({ env, signal: AbortSignal.timeout(20_000), production: false, warn: () => undefined });
type Writable = Provider & { write: NonNullable<Provider["write"]> };

/** The ProviderWriteError a write rejects with; its message must hold no sentinel. */
async function writeError(write: Promise<unknown>): Promise<ProviderWriteError> {
  const error = await write.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderWriteError);
  expectNoSentinel((error as Error).message);
  return error as ProviderWriteError;
}

const PROJECT = "test-project";
const TOKEN = "ya29.s3cr3t-sentinel-token";

interface GcpTransport {
  readonly store: SecretStore;
  readonly faults: FaultQueue;
  /** Write requests seen so far (REST paths or gRPC parents). */
  writes(): number;
  readonly options: GcpSmOptions;
  close(): Promise<void>;
}

function tokenAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  return client;
}

const transports: Record<string, () => Promise<GcpTransport & { readonly faultOn: string }>> = {
  // An http:// endpoint: the SDK's REST transport.
  REST: async () => {
    const server = await startGcpServer({ projects: { [PROJECT]: 123456789012 }, tokens: [TOKEN] });
    return {
      ...server,
      faultOn: ":addVersion",
      writes: () => server.requests.filter((r) => r.method === "POST").length,
      options: { endpoint: server.url, authClient: tokenAuth() },
    };
  },
  // The SDK's default transport; the plaintext local server needs insecure channel credentials.
  gRPC: async () => {
    const server = await startGcpGrpcServer({ projects: { [PROJECT]: 123456789012 } });
    return {
      ...server,
      faultOn: "AddSecretVersion",
      writes: () => server.requests.filter((name) => !name.includes("/versions/")).length,
      options: { endpoint: server.endpoint, authClient: tokenAuth(), clientOptions: { sslCreds: grpc.credentials.createInsecure() } },
    };
  },
};

describe.each(Object.keys(transports))("gcp-sm write over %s", (transport) => {
  let server: Awaited<ReturnType<(typeof transports)[string]>>;
  let provider: Writable;
  beforeEach(async () => {
    server = await transports[transport]!();
    provider = gcpSm({ ...server.options, baseDelayMs: 1 }) as Writable;
  });
  afterEach(async () => {
    await provider.close?.();
    await server.close();
  });

  const write = (raw: string, value = NEW) => provider.write(parseRef(raw), value, context({ GCP_PROJECT_ID: PROJECT }));
  const latest = (secret: string): string => {
    const answer = server.store.access(`projects/${PROJECT}/secrets/${secret}/versions/latest`);
    if (!answer.ok) throw new Error(`no latest version of ${secret}`);
    return new TextDecoder().decode(answer.data);
  };

  it("adds a version to an existing secret and creates a missing one (automatic replication)", async () => {
    server.store.addVersion(PROJECT, "db", OLD);
    expect(await write("gcp-sm://db")).toEqual({ version: "2" });
    expect(latest("db")).toBe(NEW);
    expect(await write(`gcp-sm://projects/${PROJECT}/secrets/fresh`)).toEqual({ version: "1" });
    expect(latest("fresh")).toBe(NEW);
    const read = await provider.resolve([parseRef("gcp-sm://fresh")], context({ GCP_PROJECT_ID: PROJECT }));
    expect(read.get("gcp-sm://fresh")).toEqual({ status: "found", value: NEW, version: "1" });
  });

  it("changes one #key of a JSON secret keeping the others, adds a new key, and creates a JSON secret", async () => {
    server.store.addVersion(PROJECT, "app", JSON.stringify({ password: OLD, user: USER, port: 5432 }));
    expect(await write("gcp-sm://app#password")).toEqual({ version: "2" });
    expect(JSON.parse(latest("app"))).toEqual({ password: NEW, user: USER, port: 5432 });
    await write("gcp-sm://app#token", secretValue("token"));
    expect(JSON.parse(latest("app"))).toEqual({ password: NEW, user: USER, port: 5432, token: secretValue("token") });
    await write("gcp-sm://made#api_key");
    expect(JSON.parse(latest("made"))).toEqual({ api_key: NEW });
  });

  it("refuses pinned versions, #keys of non-JSON secrets and of an unreadable latest version, writing nothing", async () => {
    server.store.addVersion(PROJECT, "db", OLD);
    server.store.addVersion(PROJECT, "off", JSON.stringify({ a: OLD }), { state: "DISABLED" });
    const before = server.writes();
    expect((await writeError(write("gcp-sm://db?version=1"))).message).toMatch(/^gcp-sm:\/\/db\?version=1 pins version 1: .*drop the version/);
    expect((await writeError(write(`gcp-sm://projects/${PROJECT}/secrets/db/versions/1`))).kind).toBe("invalid");
    expect((await writeError(write("gcp-sm://db#key"))).message).toMatch(/not a JSON object/);
    expect((await writeError(write("gcp-sm://off#a"))).message).toMatch(/version 1 is disabled.*enable it, or drop "#a"/);
    expect(server.writes()).toBe(before);
  });

  it("classifies a denied write and an unavailable service, naming the ref and the role", async () => {
    server.store.addVersion(PROJECT, "locked", OLD);
    server.store.deny(PROJECT, "locked");
    const denied = await writeError(write("gcp-sm://locked"));
    expect(denied.kind).toBe("denied");
    expect(denied.message).toMatch(/^gcp-sm:\/\/locked: Secret Manager denied AddSecretVersion .*roles\/secretmanager\.secretVersionAdder/);
    server.store.addVersion(PROJECT, "db", OLD);
    server.faults.add({ kind: "status", status: 503, body: googleErrorBody(503, "UNAVAILABLE") }, { match: server.faultOn });
    const unavailable = await writeError(write("gcp-sm://db"));
    expect(unavailable.kind).toBe("unavailable");
    expect(unavailable.message).toContain("check the secret's latest version, then run the command again");
    expect(latest("db")).toBe(OLD);
  });
});

const opensslOk = hasOpenssl();

describe.skipIf(!opensslOk)("azure-kv write", () => {
  const CLIENT_SECRET = secretValue("client-secret");
  let certificate: TestCertificate;
  let server: AzureKeyVaultServer;
  const opened: Provider[] = [];
  beforeAll(async () => {
    certificate = createSelfSignedCertificate();
    server = await startAzureKeyVaultServer({ certificate, clientSecret: CLIENT_SECRET });
  });
  afterAll(async () => {
    await Promise.all(opened.map((provider) => provider.close?.()));
    await server.close();
  });

  const env = () => ({ AZURE_TENANT_ID: server.tenantId, AZURE_CLIENT_ID: server.clientId, AZURE_CLIENT_SECRET: CLIENT_SECRET, AZURE_AUTHORITY_HOST: server.authorityHost });
  const open = (): Writable => {
    const provider = azureKv({ ca: certificate.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true, vaultUrls: { "my-vault": server.url } });
    opened.push(provider);
    return provider as Writable;
  };
  const write = (raw: string, value = NEW) => open().write(parseRef(raw), value, context(env()));
  const puts = () => server.requests.filter((r) => r.method === "PUT" && r.authorized).length;

  it("sets a new version of an existing secret and creates a missing one, returning the version id", async () => {
    server.setSecret("db-password", OLD);
    const { version } = await write("azure-kv://my-vault/db-password");
    expect(server.latest("db-password")).toEqual({ value: NEW, version });
    const created = await write("azure-kv://my-vault/fresh");
    expect(created.version).toMatch(/^[0-9a-f]{32}$/);
    expect(server.latest("fresh")).toEqual({ value: NEW, version: created.version });
  });

  it("changes one #key of a JSON secret keeping the others, adds a new key, and creates a JSON secret", async () => {
    server.setSecret("app", JSON.stringify({ password: OLD, user: USER }));
    await write("azure-kv://my-vault/app#password");
    expect(JSON.parse(server.latest("app")!.value)).toEqual({ password: NEW, user: USER });
    await write("azure-kv://my-vault/app#token", secretValue("token"));
    expect(JSON.parse(server.latest("app")!.value)).toEqual({ password: NEW, user: USER, token: secretValue("token") });
    await write("azure-kv://my-vault/made#api-key");
    expect(JSON.parse(server.latest("made")!.value)).toEqual({ "api-key": NEW });
  });

  it("refuses pinned versions, #keys of non-JSON secrets and of a disabled latest version, writing nothing", async () => {
    const old = server.setSecret("pinned", OLD);
    server.setSecret("off", JSON.stringify({ a: OLD }), { enabled: false });
    const before = puts();
    expect((await writeError(write(`azure-kv://my-vault/pinned/${old}`))).message).toMatch(/pins version .*drop the version/);
    expect((await writeError(write(`azure-kv://my-vault/pinned?version=${old}`))).kind).toBe("invalid");
    expect((await writeError(write("azure-kv://my-vault/pinned#key"))).message).toMatch(/not a JSON object/);
    expect((await writeError(write("azure-kv://my-vault/off#a"))).message).toMatch(/is disabled.*drop "#a"/);
    expect(puts()).toBe(before);
  });

  it("classifies a denied write and an unavailable vault, naming the ref and the role", async () => {
    server.setSecret("private", OLD);
    server.deny("private");
    const denied = await writeError(write("azure-kv://my-vault/private"));
    expect(denied.kind).toBe("denied");
    expect(denied.message).toMatch(/^azure-kv:\/\/my-vault\/private: the vault refused to set .*"Key Vault Secrets Officer"/);
    server.setSecret("flaky", OLD);
    server.faults.add({ kind: "status", status: 503, body: JSON.stringify({ error: { code: "ServiceUnavailable", message: "injected" } }) }, { match: "PUT /secrets/flaky" });
    try {
      expect((await writeError(write("azure-kv://my-vault/flaky"))).kind).toBe("unavailable");
    } finally {
      server.faults.clear();
    }
    expect(server.latest("flaky")!.value).toBe(OLD);
  });
});
