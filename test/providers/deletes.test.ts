/** Provider.delete for vault:// (KV v2) and aws-sm://, against the test servers: always recoverable. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import awsSm from "../../src/providers/aws-sm.ts";
import vault from "../../src/providers/vault.ts";
import { ProviderWriteError, type Provider, type ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { startAwsServer, type AwsServer } from "../servers/aws/server.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";

const ROOT_TOKEN = "hvs.s3cr3t-sentinel-root";
const DATA_ONLY_TOKEN = "hvs.s3cr3t-sentinel-data-only";
const AWS_ENV = { AWS_ACCESS_KEY_ID: "AKIA-s3cr3t-sentinel", AWS_SECRET_ACCESS_KEY: "s3cr3t-sentinel-aws-key", AWS_REGION: "us-east-1" };

let vaultServer: VaultTestServer;
let awsServer: AwsServer;
const opened: Provider[] = [];

const context = (env: Record<string, string>): ResolveContext => ({ env, signal: AbortSignal.timeout(10_000), production: false, warn: () => undefined });
function remove(provider: Provider, raw: string, env: Record<string, string>): Promise<void> {
  opened.push(provider);
  return provider.delete!(parseRef(raw), context(env));
}
const vaultDelete = (raw: string, token = ROOT_TOKEN) => remove(vault(), raw, { VAULT_ADDR: vaultServer.url, VAULT_TOKEN: token });
const awsDelete = (raw: string) => remove(awsSm({ retryBaseDelayMs: 1 }), raw, { ...AWS_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: awsServer.url });

async function vaultRead(path: string, version?: number): Promise<{ status: number; data?: Record<string, unknown> | null; deleted?: string }> {
  const response = await fetch(`${vaultServer.url}/v1/secret/data/${path}${version ? `?version=${version}` : ""}`, { headers: { "x-vault-token": ROOT_TOKEN } });
  const body = (await response.json()) as { data?: { data: Record<string, unknown> | null; metadata: { deletion_time: string } } };
  return { status: response.status, data: body.data?.data, deleted: body.data?.metadata.deletion_time };
}

beforeAll(async () => {
  vaultServer = await startVaultServer({ rootToken: ROOT_TOKEN });
  vaultServer.setPolicy("data-only", { "secret/data/*": ["read", "create", "update"] });
  vaultServer.createToken({ policies: ["data-only"], id: DATA_ONLY_TOKEN });
  awsServer = await startAwsServer();
});

afterAll(async () => {
  await Promise.all(opened.map((provider) => provider.close?.()));
  await Promise.all([vaultServer.close(), awsServer.close()]);
});

describe("vault delete", () => {
  it("a #key ref writes a new version without the key (check-and-set); the old version keeps it", async () => {
    vaultServer.putSecret("secret", "keyed", { a: secretValue("a"), b: secretValue("b") });
    await vaultDelete("vault://keyed#a");
    expect(await vaultRead("keyed")).toMatchObject({ status: 200, data: { b: secretValue("b") } });
    expect(await vaultRead("keyed", 1)).toMatchObject({ status: 200, data: { a: secretValue("a") } });
    await vaultDelete("vault://keyed#a"); // already gone: nothing to do
    expect(vaultServer.requests.filter((r) => r.method === "POST" && r.path.endsWith("/keyed"))).toHaveLength(1);
  });

  it("a whole-value ref soft-deletes exactly the version read (undeletable); metadata and older versions stay", async () => {
    vaultServer.putSecret("secret", "whole", { value: secretValue("v1") });
    vaultServer.putSecret("secret", "whole", { value: secretValue("v2") });
    await vaultDelete("vault://whole");
    expect(await vaultRead("whole")).toMatchObject({ status: 404, data: null });
    expect((await vaultRead("whole")).deleted).not.toBe("");
    expect(await vaultRead("whole", 1)).toMatchObject({ status: 200, data: { value: secretValue("v1") } });
    await vaultDelete("vault://nothing-here");
  });

  it("refuses a whole-value ref to a multi-key secret, and names the capability a denied delete needs", async () => {
    vaultServer.putSecret("secret", "multi", { a: "1", b: "2" });
    const multi = await vaultDelete("vault://multi").catch((error: unknown) => error as ProviderWriteError);
    expect(multi).toMatchObject({ kind: "invalid", message: expect.stringContaining("has 2 keys, so deleting it would take the others too") });
    vaultServer.putSecret("secret", "single", { value: secretValue("single") });
    const denied = await vaultDelete("vault://single", DATA_ONLY_TOKEN).catch((error: unknown) => error as ProviderWriteError);
    expect(denied).toBeInstanceOf(ProviderWriteError);
    expect(denied).toMatchObject({ kind: "denied", message: expect.stringContaining(`path "secret/delete/single" { capabilities = ["update"] }`) });
    expectNoSentinel((denied as Error).message);
  });
});

describe("aws-sm delete", () => {
  it("a #key ref puts a new AWSCURRENT version without the key", async () => {
    awsServer.seed("keyed", { a: secretValue("a"), b: secretValue("b") });
    await awsDelete("aws-sm://keyed#a");
    expect(JSON.parse(awsServer.store.getValue({ SecretId: "keyed" }).SecretString as string)).toEqual({ b: secretValue("b") });
    expect(JSON.parse(awsServer.store.getValue({ SecretId: "keyed", VersionStage: "AWSPREVIOUS" }).SecretString as string)).toHaveProperty("a");
  });

  it("a whole secret is scheduled for deletion with a 30-day recovery window, never forced", async () => {
    awsServer.seed("whole", secretValue("whole"));
    await awsDelete("aws-sm://whole");
    const sent = awsServer.requests.filter((r) => r.op === "DeleteSecret");
    expect(sent.map((r) => r.body)).toEqual([{ SecretId: "whole", RecoveryWindowInDays: 30 }]);
    expect(awsServer.store.describe({ SecretId: "whole" })).toHaveProperty("DeletedDate");
    expect(() => awsServer.store.getValue({ SecretId: "whole" })).toThrow(/marked for deletion/);
    await awsDelete("aws-sm://never-existed");
  });
});
