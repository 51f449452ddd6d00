/** Provider.delete for vault:// (KV v2) and aws-sm://, against the test servers: always recoverable. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import awsSm from "../../src/providers/aws-sm.ts";
import vault from "../../src/providers/vault.ts";
import { ProviderWriteError, type Provider, type ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { ROOT_TOKEN, useManagerServers } from "../helpers/managers-env.ts";

const DATA_ONLY_TOKEN = "hvs.s3cr3t-sentinel-data-only";

const managers = useManagerServers("all");
const opened: Provider[] = [];

const context = (env: Record<string, string>): ResolveContext => ({ env, signal: AbortSignal.timeout(10_000), production: false, warn: () => undefined });
function remove(provider: Provider, raw: string, env: Record<string, string>): Promise<void> {
  opened.push(provider);
  return provider.delete!(parseRef(raw), context(env));
}
const vaultDelete = (raw: string, token?: string) => remove(vault(), raw, managers.vaultEnv(token));
const awsDelete = (raw: string) => remove(awsSm({ retryBaseDelayMs: 1 }), raw, managers.awsEnv());

async function vaultRead(path: string, version?: number): Promise<{ status: number; data?: Record<string, unknown> | null; deleted?: string }> {
  const response = await fetch(`${managers.vault.url}/v1/secret/data/${path}${version ? `?version=${version}` : ""}`, { headers: { "x-vault-token": ROOT_TOKEN } });
  const body = (await response.json()) as { data?: { data: Record<string, unknown> | null; metadata: { deletion_time: string } } };
  return { status: response.status, data: body.data?.data, deleted: body.data?.metadata.deletion_time };
}

beforeAll(() => {
  managers.vault.setPolicy("data-only", { "secret/data/*": ["read", "create", "update"] });
  managers.vault.createToken({ policies: ["data-only"], id: DATA_ONLY_TOKEN });
});

afterAll(() => Promise.all(opened.map((provider) => provider.close?.())));

describe("vault delete", () => {
  it("a #key ref writes a new version without the key (check-and-set); the old version keeps it", async () => {
    managers.vault.putSecret("secret", "keyed", { a: secretValue("a"), b: secretValue("b") });
    await vaultDelete("vault://keyed#a");
    expect(await vaultRead("keyed")).toMatchObject({ status: 200, data: { b: secretValue("b") } });
    expect(await vaultRead("keyed", 1)).toMatchObject({ status: 200, data: { a: secretValue("a") } });
    await vaultDelete("vault://keyed#a"); // already gone: nothing to do
    expect(managers.vault.requests.filter((r) => r.method === "POST" && r.path.endsWith("/keyed"))).toHaveLength(1);
  });

  it("a whole-value ref soft-deletes exactly the version read (undeletable); metadata and older versions stay", async () => {
    managers.vault.putSecret("secret", "whole", { value: secretValue("v1") });
    managers.vault.putSecret("secret", "whole", { value: secretValue("v2") });
    await vaultDelete("vault://whole");
    expect(await vaultRead("whole")).toMatchObject({ status: 404, data: null });
    expect((await vaultRead("whole")).deleted).not.toBe("");
    expect(await vaultRead("whole", 1)).toMatchObject({ status: 200, data: { value: secretValue("v1") } });
    await vaultDelete("vault://nothing-here");
  });

  it("refuses a whole-value ref to a multi-key secret, and names the capability a denied delete needs", async () => {
    managers.vault.putSecret("secret", "multi", { a: "1", b: "2" });
    const multi = await vaultDelete("vault://multi").catch((error: unknown) => error as ProviderWriteError);
    expect(multi).toMatchObject({ kind: "invalid", message: expect.stringContaining("has 2 keys, so deleting it would take the others too") });
    managers.vault.putSecret("secret", "single", { value: secretValue("single") });
    const denied = await vaultDelete("vault://single", DATA_ONLY_TOKEN).catch((error: unknown) => error as ProviderWriteError);
    expect(denied).toBeInstanceOf(ProviderWriteError);
    expect(denied).toMatchObject({ kind: "denied", message: expect.stringContaining(`path "secret/delete/single" { capabilities = ["update"] }`) });
    expectNoSentinel((denied as Error).message);
  });
});

describe("aws-sm delete", () => {
  it("a #key ref puts a new AWSCURRENT version without the key", async () => {
    managers.aws.seed("keyed", { a: secretValue("a"), b: secretValue("b") });
    await awsDelete("aws-sm://keyed#a");
    expect(JSON.parse(managers.aws.store.getValue({ SecretId: "keyed" }).SecretString as string)).toEqual({ b: secretValue("b") });
    expect(JSON.parse(managers.aws.store.getValue({ SecretId: "keyed", VersionStage: "AWSPREVIOUS" }).SecretString as string)).toHaveProperty("a");
  });

  it("a whole secret is scheduled for deletion with a 30-day recovery window, never forced", async () => {
    managers.aws.seed("whole", secretValue("whole"));
    await awsDelete("aws-sm://whole");
    const sent = managers.aws.requests.filter((r) => r.op === "DeleteSecret");
    expect(sent.map((r) => r.body)).toEqual([{ SecretId: "whole", RecoveryWindowInDays: 30 }]);
    expect(managers.aws.store.describe({ SecretId: "whole" })).toHaveProperty("DeletedDate");
    expect(() => managers.aws.store.getValue({ SecretId: "whole" })).toThrow(/marked for deletion/);
    await awsDelete("aws-sm://never-existed");
  });
});
