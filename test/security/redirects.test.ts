/**
 * A manager's redirect must never carry a token, a login credential or a request body to another
 * server, and what another server answers must never become a secret. Real SDKs against the test
 * servers, with a redirect fault pointing at a server that records whatever reaches it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import awsSm from "../../src/providers/aws-sm.ts";
import azureKv from "../../src/providers/azure-kv.ts";
import vault from "../../src/providers/vault.ts";
import type { ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startAwsServer, type AwsServer } from "../servers/aws/server.ts";
import { createSelfSignedCertificate, hasOpenssl } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer, type AzureKeyVaultServer } from "../servers/azure/server.ts";
import { startCaptureServer, type CaptureServer } from "../servers/capture.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const ROOT_TOKEN = `hvs.${secretValue("root-token")}`;
const ROLE_ID = secretValue("role-id");
const SECRET_ID = secretValue("secret-id");
const FORGED = secretValue("forged");

let vaultServer: VaultTestServer;
let elsewhere: CaptureServer;

beforeAll(async () => {
  vaultServer = await startVaultServer({ rootToken: ROOT_TOKEN });
  vaultServer.putSecret("secret", "app/db", { url: secretValue("db-url") });
  vaultServer.setPolicy("read", { "secret/data/app/*": ["read"] });
  vaultServer.addAppRole("web", { roleId: ROLE_ID, secretIds: [SECRET_ID], policies: ["read"], ttl: 60 });
  // What "another server" answers: a well-formed KV v2 secret and login, so only the redirect policy stands in the way.
  elsewhere = await startCaptureServer(JSON.stringify({ data: { data: { url: FORGED }, metadata: { version: 1 } }, auth: { client_token: FORGED, lease_duration: 60 } }));
});
afterEach(() => {
  vaultServer.faults.clear();
  elsewhere.requests.length = 0;
});
afterAll(async () => Promise.all([vaultServer.close(), elsewhere.close()]));

async function resolveVault(env: Record<string, string>, production = false) {
  const warnings: string[] = [];
  const provider = vault({ retry: { baseDelayMs: 1 } });
  const ctx: ResolveContext = { env: { VAULT_ADDR: vaultServer.url, ...env }, signal: AbortSignal.timeout(10_000), production, warn: (m) => void warnings.push(m) };
  const outcome = (await provider.resolve([parseRef("vault://app/db#url")], ctx)).get("vault://app/db#url")!;
  await provider.close?.();
  expectNoSentinel(warnings, ...(outcome.status === "found" ? [] : [outcome]));
  return { outcome, warnings };
}

describe("vault: redirects are refused", () => {
  it.each([307, 302, 308])("does not follow a %i with the token to another server", async (status) => {
    vaultServer.faults.add({ kind: "redirect", status, location: `${elsewhere.url}/v1/secret/data/app/db` }, { match: "GET /v1/secret/data/app/db" });
    const { outcome } = await resolveVault({ VAULT_TOKEN: ROOT_TOKEN }, true);
    expect(elsewhere.requests).toEqual([]);
    expect(outcome).toMatchObject({ status: "error", kind: "unavailable" });
    expect(outcome).toMatchObject({ message: expect.stringContaining(`Vault at ${vaultServer.url} answered with a redirect, which is not followed`) });
  });

  it("does not send an AppRole secret_id on to another server", async () => {
    vaultServer.faults.add({ kind: "redirect", location: `${elsewhere.url}/v1/auth/approle/login` }, { match: "/v1/auth/approle/login" });
    const { outcome } = await resolveVault({ VAULT_ROLE_ID: ROLE_ID, VAULT_SECRET_ID: SECRET_ID });
    expect(elsewhere.requests).toEqual([]);
    expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("answered with a redirect") });
  });
});

describe("vault: writes (push, rotate, migrate) share the transport", () => {
  it("does not send a new secret value on to a redirect's target", async () => {
    vaultServer.faults.add({ kind: "redirect", location: `${elsewhere.url}/v1/secret/data/app/db` }, { match: "POST /v1/secret/data/app/db" });
    const provider = vault({ retry: { baseDelayMs: 1 } });
    const ctx: ResolveContext = { env: { VAULT_ADDR: vaultServer.url, VAULT_TOKEN: ROOT_TOKEN }, signal: AbortSignal.timeout(10_000), production: false, warn: () => {} };
    const error = await provider.write!(parseRef("vault://app/db#url"), secretValue("new-db-url"), ctx).then(() => undefined, (e: unknown) => e);
    await provider.close?.();
    expect(elsewhere.requests.length).toBe(0);
    expect(error).toMatchObject({ name: "ProviderWriteError", message: expect.stringContaining("answered with a redirect") });
    expectNoSentinel((error as Error).message);
  });
});

describe("vault: plain http in production", () => {
  it("warns that a non-loopback http:// VAULT_ADDR sends the token unencrypted", async () => {
    const { warnings } = await resolveVault({ VAULT_TOKEN: ROOT_TOKEN, VAULT_ADDR: "http://vault.invalid:8200" }, true);
    expect(warnings).toContain("VAULT_ADDR is http://vault.invalid:8200, plain http: the token and every secret cross the network unencrypted; use an https:// address");
  });

  it("stays quiet for loopback (a local Vault Agent) and outside production", async () => {
    expect((await resolveVault({ VAULT_TOKEN: ROOT_TOKEN }, true)).warnings).toEqual([]);
    expect((await resolveVault({ VAULT_TOKEN: ROOT_TOKEN, VAULT_ADDR: "http://vault.invalid:8200" }, false)).warnings).toEqual([]);
  });
});

describe("aws-sm: redirects are not followed (NodeHttpHandler never follows them)", () => {
  let aws: AwsServer;
  beforeAll(async () => {
    aws = await startAwsServer();
    aws.seed("prod/app", { api_key: secretValue("api-key") });
  });
  afterAll(async () => aws.close());

  it("sends no signed request to the redirect's target and accepts nothing from it", async () => {
    aws.faults.add({ kind: "redirect", location: `${elsewhere.url}/` });
    const provider = awsSm({ endpoint: aws.url, maxAttempts: 1 });
    const env = { AWS_ACCESS_KEY_ID: "AKIA-test", AWS_SECRET_ACCESS_KEY: secretValue("aws-key"), AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const ctx: ResolveContext = { env, signal: AbortSignal.timeout(10_000), production: true, warn: () => {} };
    const outcome = (await provider.resolve([parseRef("aws-sm://prod/app#api_key")], ctx)).get("aws-sm://prod/app#api_key")!;
    await provider.close?.();
    expect(elsewhere.requests).toEqual([]);
    expect(outcome).toMatchObject({ status: "error" });
    expectNoSentinel(outcome);
  });
});

describe("aws-sm: plain http in production", () => {
  it("warns that a non-loopback http:// endpoint sends signed requests unencrypted", async () => {
    const warnings: string[] = [];
    const provider = awsSm({ endpoint: "http://secrets.invalid:4566", maxAttempts: 1 });
    const env = { AWS_ACCESS_KEY_ID: "AKIA-test", AWS_SECRET_ACCESS_KEY: secretValue("aws-key"), AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    await provider.resolve([parseRef("aws-sm://prod/app#api_key")], { env, signal: AbortSignal.timeout(10_000), production: true, warn: (m) => void warnings.push(m) });
    await provider.close?.();
    expect(warnings).toContain("the aws-sm endpoint http://secrets.invalid:4566 is plain http: signed requests and every secret cross the network unencrypted; use an https:// endpoint");
  });
});

describe.skipIf(!hasOpenssl())("azure-kv: cross-origin redirects are not followed (the pipeline's own rule)", () => {
  const CLIENT_SECRET = secretValue("azure-client-secret");
  const certificate = hasOpenssl() ? createSelfSignedCertificate() : undefined;
  let azure: AzureKeyVaultServer;
  beforeAll(async () => {
    azure = await startAzureKeyVaultServer({ certificate: certificate!, clientSecret: CLIENT_SECRET });
    azure.setSecret("api-key", secretValue("azure-api-key"));
  });
  afterAll(async () => azure.close());

  it("sends no bearer token to the redirect's target and accepts nothing from it", async () => {
    azure.faults.add({ kind: "redirect", location: `${elsewhere.url}/secrets/api-key/` }, { match: "GET /secrets/api-key/", when: (request) => request.headers.authorization !== undefined });
    const provider = azureKv({ ca: certificate!.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true, vaultUrls: { "my-vault": azure.url }, retry: { maxRetries: 0 } });
    const env = { AZURE_TENANT_ID: azure.tenantId, AZURE_CLIENT_ID: azure.clientId, AZURE_CLIENT_SECRET: CLIENT_SECRET, AZURE_AUTHORITY_HOST: azure.authorityHost };
    const outcome = (await provider.resolve([parseRef("azure-kv://my-vault/api-key")], { env, signal: AbortSignal.timeout(15_000), production: true, warn: () => {} })).get("azure-kv://my-vault/api-key")!;
    await provider.close?.();
    expect(elsewhere.requests.length).toBe(0);
    expect(outcome.status).toBe("error");
    expectNoSentinel(outcome);
  });
});
