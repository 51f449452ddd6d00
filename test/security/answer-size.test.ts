/**
 * A manager answer that never ends (or is far larger than any secret) must be cut off at the size
 * cap, and a request whose attempt was abandoned (deadline passed) must be destroyed, not left
 * downloading. Deterministic: each test waits for the test server to see its socket closed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import awsSm from "../../src/providers/aws-sm.ts";
import azureKv from "../../src/providers/azure-kv.ts";
import vault from "../../src/providers/vault.ts";
import type { Outcome, ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startAwsServer, type AwsServer } from "../servers/aws/server.ts";
import { createSelfSignedCertificate, hasOpenssl, type TestCertificate } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer, type AzureKeyVaultServer } from "../servers/azure/server.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const ROOT_TOKEN = `hvs.${secretValue("root-token")}`;
/** Long enough that only the size cap or the abandoned attempt can end a request in these tests. */
const NO_TIMEOUT = { requestTimeoutMs: 600_000, retry: { attempts: 1 } };

let vaultServer: VaultTestServer;
beforeAll(async () => {
  vaultServer = await startVaultServer({ rootToken: ROOT_TOKEN });
  vaultServer.putSecret("secret", "app/db", { url: secretValue("db-url") });
});
afterEach(() => vaultServer.faults.clear());
afterAll(async () => vaultServer.close());

/** A promise that settles when the fault's socket closes, and the callback to give the fault. */
function socketClosed(): { closed: Promise<void>; onClose: () => void } {
  let onClose!: () => void;
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  return { closed, onClose };
}

async function resolveVault(ctx: Partial<ResolveContext>, options: Parameters<typeof vault>[0] = {}): Promise<Outcome> {
  const provider = vault({ ...NO_TIMEOUT, ...options });
  const context: ResolveContext = { env: { VAULT_ADDR: vaultServer.url, VAULT_TOKEN: ROOT_TOKEN }, signal: new AbortController().signal, production: true, warn: () => {}, ...ctx };
  const outcome = (await provider.resolve([parseRef("vault://app/db#url")], context)).get("vault://app/db#url")!;
  await provider.close?.();
  if (outcome.status !== "found") expectNoSentinel(outcome);
  return outcome;
}

describe("vault answer size", () => {
  it("stops reading an endless answer at the cap and closes the connection", async () => {
    const { closed, onClose } = socketClosed();
    vaultServer.faults.add({ kind: "endless", onClose }, { match: "GET /v1/secret/data/app/db" });
    const outcome = await resolveVault({ maxAnswerBytes: 256 * 1024 });
    expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("sent an answer over the size limit, so reading it was stopped") });
    await closed;
  });

  it("takes the cap from the provider option too", async () => {
    const outcome = await resolveVault({}, { maxAnswerBytes: 16 });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("over the size limit") });
    expect(await resolveVault({})).toMatchObject({ status: "found", value: secretValue("db-url") });
  });

  it("destroys the request when the deadline passes mid-answer", async () => {
    const { closed, onClose } = socketClosed();
    const deadline = new AbortController();
    vaultServer.faults.add({ kind: "stall", onStart: () => deadline.abort(), onClose }, { match: "GET /v1/secret/data/app/db" });
    const outcome = await resolveVault({ signal: deadline.signal });
    expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("deadline passed") });
    await closed;
  });
});

describe("vault answer encoding", () => {
  it("refuses an answer that is not UTF-8, as secret files are", async () => {
    vaultServer.faults.add({ kind: "malformed", body: Buffer.from('{"data":{"data":{"url":"\xff\xfe"},"metadata":{"version":1}}}', "latin1") }, { match: "GET /v1/secret/data/app/db" });
    const outcome = await resolveVault({});
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("is not UTF-8 text") });
  });
});

describe("aws-sm answer size", () => {
  let aws: AwsServer;
  beforeAll(async () => {
    aws = await startAwsServer();
    aws.seed("prod/app", { api_key: secretValue("api-key") });
  });
  afterEach(() => aws.faults.clear());
  afterAll(async () => aws.close());

  const AWS_ENV = { AWS_ACCESS_KEY_ID: "AKIA-test", AWS_SECRET_ACCESS_KEY: secretValue("aws-key"), AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  async function resolveAws(ref: string, ctx: Partial<ResolveContext>): Promise<Outcome> {
    const provider = awsSm({ endpoint: aws.url, maxAttempts: 1 });
    const context: ResolveContext = { env: AWS_ENV, signal: new AbortController().signal, production: true, warn: () => {}, retryPolicy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, requestTimeoutMs: 600_000 }, ...ctx };
    const outcome = (await provider.resolve([parseRef(ref)], context)).get(ref)!;
    await provider.close?.();
    if (outcome.status !== "found") expectNoSentinel(outcome);
    return outcome;
  }

  it.each(["BatchGetSecretValue", "GetSecretValue"])("stops reading an endless %s answer at the cap and closes the connection", async (operation) => {
    const { closed, onClose } = socketClosed();
    aws.faults.add({ kind: "endless", onClose }, { match: `secretsmanager.${operation}` });
    const ref = operation === "GetSecretValue" ? "aws-sm://prod/app?versionStage=AWSCURRENT#api_key" : "aws-sm://prod/app#api_key";
    const outcome = await resolveAws(ref, { maxAnswerBytes: 64 * 1024 });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("AWS Secrets Manager sent an answer over the size limit, so reading it was stopped") });
    await closed;
  });

  it("destroys the request when the deadline passes mid-answer", async () => {
    const { closed, onClose } = socketClosed();
    const deadline = new AbortController();
    aws.faults.add({ kind: "stall", onStart: () => deadline.abort(), onClose }, { match: "secretsmanager.BatchGetSecretValue" });
    const outcome = await resolveAws("aws-sm://prod/app#api_key", { signal: deadline.signal });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("deadline passed") });
    await closed;
  });

  it("refuses an answer that is not UTF-8 instead of decoding it to U+FFFD", async () => {
    aws.faults.add({ kind: "malformed", body: Buffer.from('{"SecretValues":[{"Name":"prod/app","SecretString":"{\\"api_key\\":\\"\xff\xfe\\"}","VersionId":"v1"}],"Errors":[]}', "latin1") }, { match: "secretsmanager.BatchGetSecretValue" });
    expect(await resolveAws("aws-sm://prod/app#api_key", {})).toMatchObject({ status: "error", message: expect.stringContaining("is not UTF-8 text") });
  });

  it("reads a normal answer under the cap", async () => {
    expect(await resolveAws("aws-sm://prod/app#api_key", { maxAnswerBytes: 64 * 1024 })).toMatchObject({ status: "found", value: secretValue("api-key") });
  });
});

describe.skipIf(!hasOpenssl())("azure-kv answer size", () => {
  const CLIENT_SECRET = secretValue("azure-client-secret");
  let certificate: TestCertificate;
  let azure: AzureKeyVaultServer;
  beforeAll(async () => {
    certificate = createSelfSignedCertificate();
    azure = await startAzureKeyVaultServer({ certificate, clientSecret: CLIENT_SECRET });
    azure.setSecret("api-key", secretValue("azure-api-key"));
  });
  afterEach(() => azure.faults.clear());
  afterAll(async () => azure.close());

  async function resolveAzure(ctx: Partial<ResolveContext>): Promise<Outcome> {
    const provider = azureKv({ ca: certificate.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true, vaultUrls: { "my-vault": azure.url }, retry: { maxRetries: 0 } });
    const env = { AZURE_TENANT_ID: azure.tenantId, AZURE_CLIENT_ID: azure.clientId, AZURE_CLIENT_SECRET: CLIENT_SECRET, AZURE_AUTHORITY_HOST: azure.authorityHost };
    const context: ResolveContext = { env, signal: new AbortController().signal, production: true, warn: () => {}, retryPolicy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, requestTimeoutMs: 600_000 }, ...ctx };
    const outcome = (await provider.resolve([parseRef("azure-kv://my-vault/api-key")], context)).get("azure-kv://my-vault/api-key")!;
    await provider.close?.();
    if (outcome.status !== "found") expectNoSentinel(outcome);
    return outcome;
  }
  /** Only the authorized read: the unauthenticated first request meets the bearer challenge. */
  const authorized = (request: { headers: Record<string, unknown> }) => request.headers.authorization !== undefined;

  it("stops reading an endless answer at the cap and closes the connection", async () => {
    const { closed, onClose } = socketClosed();
    azure.faults.add({ kind: "endless", onClose }, { match: "GET /secrets/api-key/", when: authorized });
    const outcome = await resolveAzure({ maxAnswerBytes: 64 * 1024 });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("the vault sent an answer over the size limit, so reading it was stopped") });
    await closed;
  });

  it("destroys the request when the deadline passes mid-answer", async () => {
    const { closed, onClose } = socketClosed();
    const deadline = new AbortController();
    azure.faults.add({ kind: "stall", onStart: () => deadline.abort(), onClose }, { match: "GET /secrets/api-key/", when: authorized });
    const outcome = await resolveAzure({ signal: deadline.signal });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("deadline") });
    await closed;
  });

  it("reads a normal answer under the cap", async () => {
    expect(await resolveAzure({ maxAnswerBytes: 64 * 1024 })).toMatchObject({ status: "found", value: secretValue("azure-api-key") });
  });
});
