/** Provider.write for vault:// (KV v2 with check-and-set) and aws-sm:// (new AWSCURRENT version), against the test servers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import awsSm from "../../src/providers/aws-sm.ts";
import vault from "../../src/providers/vault.ts";
import { ProviderWriteError, type Provider, type ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { useManagerServers } from "../helpers/managers-env.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const READ_ONLY_TOKEN = "hvs.s3cr3t-sentinel-read-only";
const NEW = secretValue("new");
const USER = secretValue("user");

const managers = useManagerServers("all");
const { vaultEnv, awsEnv } = managers;
const opened: Provider[] = [];

const context = (env: Record<string, string>): ResolveContext => ({ env, signal: AbortSignal.timeout(10_000), production: false, warn: () => undefined });

function open(provider: Provider): Provider & { write: NonNullable<Provider["write"]> } {
  opened.push(provider);
  if (!provider.write) throw new Error("provider has no write");
  return provider as Provider & { write: NonNullable<Provider["write"]> };
}
const vaultWrite = (raw: string, value: string, token?: string) =>
  open(vault({ retry: { baseDelayMs: 1 } })).write(parseRef(raw), value, context(vaultEnv(token)));
const awsWrite = (raw: string, value: string) => open(awsSm({ retryBaseDelayMs: 1 })).write(parseRef(raw), value, context(awsEnv()));

/** The ProviderWriteError a write rejects with; its message must hold no sentinel. */
async function writeError(write: Promise<unknown>): Promise<ProviderWriteError> {
  const error = await write.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderWriteError);
  expectNoSentinel((error as Error).message);
  return error as ProviderWriteError;
}

beforeAll(() => {
  managers.vault.mountKv("kv1", 1);
  managers.vault.setPolicy("read-only", { "secret/data/*": ["read"] });
  managers.vault.createToken({ policies: ["read-only"], id: READ_ONLY_TOKEN });
});

afterAll(() => Promise.all(opened.map((provider) => provider.close?.())));

describe("vault write", () => {
  it("writes a new KV v2 version with the other keys kept, sending the version read as check-and-set", async () => {
    managers.vault.putSecret("secret", "app/db", { password: secretValue("old"), user: USER });
    // A check-and-set other than 1 (the version just read) would be refused by this fault: it proves what was sent.
    managers.vault.faults.add({ kind: "status", status: 400, body: JSON.stringify({ errors: ["check-and-set parameter did not match the current version"] }) }, { match: /POST \S+app\/db(?![\s\S]*"cas":1)/ });
    expect(await vaultWrite("vault://app/db#password", NEW)).toEqual({ version: "2" });
    managers.vault.faults.clear();
    const stored = await open(vault()).resolve([parseRef("vault://app/db#password"), parseRef("vault://app/db#user")], context(vaultEnv()));
    expect(stored.get("vault://app/db#password")).toMatchObject({ status: "found", value: NEW, version: "2" });
    expect(stored.get("vault://app/db#user")).toMatchObject({ status: "found", value: USER });
  });

  it("creates a missing secret (check-and-set 0), and writes a whole-value ref to the secret's only key", async () => {
    expect(await vaultWrite("vault://app/fresh#token", NEW)).toEqual({ version: "1" });
    managers.vault.putSecret("secret", "app/single", { only: secretValue("single") });
    expect(await vaultWrite("vault://app/single", NEW)).toEqual({ version: "2" });
    const stored = await open(vault()).resolve([parseRef("vault://app/single#only")], context(vaultEnv()));
    expect(stored.get("vault://app/single#only")).toMatchObject({ value: NEW });
  });

  it("reports a check-and-set conflict as kind conflict", async () => {
    managers.vault.putSecret("secret", "app/busy", { password: secretValue("busy") });
    managers.vault.faults.add({ kind: "status", status: 400, body: JSON.stringify({ errors: ["check-and-set parameter did not match the current version"] }) }, { match: "POST /v1/secret/data/app/busy", times: 1 });
    const error = await writeError(vaultWrite("vault://app/busy#password", NEW));
    expect(error.kind).toBe("conflict");
    expect(error.message).toContain("check-and-set");
  });

  it("refuses KV v1 mounts, pinned versions and whole-value refs to multi-key secrets", async () => {
    expect((await writeError(vaultWrite("vault://app/db?mount=kv1#password", NEW))).message).toMatch(/KV v1/);
    expect((await writeError(vaultWrite("vault://app/db?version=1#password", NEW))).message).toMatch(/drop \?version=/);
    expect((await writeError(vaultWrite("vault://app/db", NEW))).message).toMatch(/needs a #key/);
    expect(managers.vault.requests.filter((r) => r.method === "POST" && r.path.includes("kv1"))).toEqual([]);
  });

  it("names the policy capabilities a denied write needs", async () => {
    const error = await writeError(vaultWrite("vault://app/db#password", NEW, READ_ONLY_TOKEN));
    expect(error.kind).toBe("denied");
    expect(error.message).toContain(`path "secret/data/app/db" { capabilities = ["create", "update"] }`);
  });
});

describe("aws-sm write", () => {
  it("puts a new AWSCURRENT version with the other JSON keys kept; the old one becomes AWSPREVIOUS", async () => {
    const before = managers.aws.seed("prod/app", { api_key: secretValue("old-key"), user: USER });
    const { version } = await awsWrite("aws-sm://prod/app#api_key", NEW);
    expect(version).toBeDefined();
    const stages = managers.aws.store.describe({ SecretId: "prod/app" }).VersionIdsToStages as Record<string, string[]>;
    expect(stages).toEqual({ [version!]: ["AWSCURRENT"], [before.versionId]: ["AWSPREVIOUS"] });
    expect(JSON.parse(managers.aws.store.getValue({ SecretId: "prod/app" }).SecretString as string)).toEqual({ api_key: NEW, user: USER });
    const put = managers.aws.requests.findLast((r) => r.op === "PutSecretValue")!;
    expect(put.body.ClientRequestToken).toBe(version); // idempotency token = the new version id
  });

  it("creates a missing secret, as a JSON object for a #key ref and as plain text otherwise", async () => {
    await awsWrite("aws-sm://prod/new#api_key", NEW);
    expect(JSON.parse(managers.aws.store.getValue({ SecretId: "prod/new" }).SecretString as string)).toEqual({ api_key: NEW });
    await awsWrite("aws-sm://prod/plain", NEW);
    expect(managers.aws.store.getValue({ SecretId: "prod/plain" }).SecretString).toBe(NEW);
  });

  it("refuses pinned versions and non-JSON secrets for #key refs", async () => {
    expect((await writeError(awsWrite("aws-sm://prod/app?versionStage=AWSPREVIOUS#api_key", NEW))).message).toMatch(/pins a version/);
    expect((await writeError(awsWrite("aws-sm://prod/app?versionId=abc#api_key", NEW))).message).toMatch(/pins a version/);
    managers.aws.seed("prod/text", secretValue("text"));
    expect((await writeError(awsWrite("aws-sm://prod/text#api_key", NEW))).message).toMatch(/not a JSON object/);
  });

  it("names secretsmanager:PutSecretValue when the write is denied", async () => {
    managers.aws.store.deniedOperations.add("PutSecretValue");
    try {
      const error = await writeError(awsWrite("aws-sm://prod/app#api_key", NEW));
      expect(error.kind).toBe("denied");
      expect(error.message).toContain("grant secretsmanager:PutSecretValue");
      expect(error.message).toContain("prod/app");
    } finally {
      managers.aws.store.deniedOperations.delete("PutSecretValue");
    }
  });
});
