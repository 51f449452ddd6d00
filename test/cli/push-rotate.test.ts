/** `secrets-gen rotate` and `push`, through the real CLI, against the Vault and AWS test servers in this process. */
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { useManagerServers, writesCli } from "../helpers/managers-env.ts";
import { secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const READ_ONLY_TOKEN = "hvs.s3cr3t-sentinel-read-only";
const DB_PASSWORD = secretValue("db-password");
const DB_USER = secretValue("db-user");
const API_KEY = `sk_${secretValue("api-key")}`;
const ACCOUNT = secretValue("account");
const dir = tempDir("secrets-gen-push-");

const managers = useManagerServers();
const { env: managerEnv, cli } = writesCli(managers);
const { vaultLatest } = managers;
let awsVersion: string;

beforeEach(() => {
  managers.vault.setPolicy("read-only", { "secret/data/*": ["read"] });
  managers.vault.createToken({ policies: ["read-only"], id: READ_ONLY_TOKEN });
  managers.vault.putSecret("secret", "app/db", { password: DB_PASSWORD, user: DB_USER });
  awsVersion = managers.aws.seed("prod/app", { api_key: API_KEY, account: ACCOUNT }).versionId;
});

const vaultWrites = () => managers.vault.requests.filter((r) => r.method === "POST" || r.method === "PUT");
const awsWrites = () => managers.aws.requests.filter((r) => r.op === "PutSecretValue" || r.op === "CreateSecret");

const awsCurrent = () => JSON.parse(managers.aws.store.getValue({ SecretId: "prod/app" }).SecretString as string) as Record<string, string>;
const awsStages = () => managers.aws.store.describe({ SecretId: "prod/app" }).VersionIdsToStages as Record<string, string[]>;

describe("secrets-gen rotate", () => {
  it("dry run: says what it would write and writes nothing", async () => {
    const result = await cli(["rotate", "DB_PASSWORD"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("would write a new random value (32 characters, charset alnum) to vault://app/db#password for DB_PASSWORD; run with --apply to write it\n");
    const aws = await cli(["rotate", "API_KEY", "--prefix", "sk_", "--charset", "hex"]);
    expect(aws.code).toBe(0);
    expect(vaultWrites()).toEqual([]);
    expect(awsWrites()).toEqual([]);
  });

  it("--apply writes a new KV v2 version, keeping the secret's other keys, and never prints the value", async () => {
    const result = await cli(["rotate", "DB_PASSWORD", "--apply", "--length", "40"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("wrote a new version of DB_PASSWORD to vault://app/db#password (version 2); running apps pick it up on their next refresh\n");
    const latest = (await vaultLatest("app/db"))!;
    expect(latest.version).toBe(2);
    expect(latest.data!.user).toBe(DB_USER);
    expect(latest.data!.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(result.stdout + result.stderr).not.toContain(latest.data!.password);
  });

  it("--apply writes a new AWSCURRENT version with the other JSON keys; the old one becomes AWSPREVIOUS", async () => {
    const result = await cli(["rotate", "API_KEY", "--apply", "--prefix", "sk_", "--charset", "base64url", "--length", "24"]);
    expect(result.code).toBe(0);
    const [newVersion] = /\(version ([^)]+)\)/.exec(result.stdout)!.slice(1);
    expect(awsStages()).toEqual({ [newVersion!]: ["AWSCURRENT"], [awsVersion]: ["AWSPREVIOUS"] });
    const current = awsCurrent();
    expect(current.account).toBe(ACCOUNT);
    expect(current.api_key).toMatch(/^sk_[A-Za-z0-9_-]{24}$/);
    expect(result.stdout + result.stderr).not.toContain(current.api_key);
  });

  it("exits 1 without writing when the schema rejects the random value, naming the zod issue and the options to change", async () => {
    const result = await cli(["rotate", "API_KEY", "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the schema of API_KEY rejects a random alnum value of 32 characters (zod: invalid_format)");
    expect(result.stderr).toContain("--length, --charset or --prefix");
    expect(awsWrites()).toEqual([]);
  });

  it("refuses fields without a manager ref, config fields and bad options", async () => {
    const noRef = await cli(["rotate", "SESSION_SECRET"]);
    expect(noRef.code).toBe(1);
    expect(noRef.stderr).toContain("field SESSION_SECRET has no manager ref");
    const config = await cli(["rotate", "LOG_LEVEL"]);
    expect(config.code).toBe(1);
    expect(config.stderr).toContain("field LOG_LEVEL is config, not a secret");
    expect((await cli(["rotate", "DB_PASSWORD", "--charset", "emoji"])).code).toBe(2);
    expect((await cli(["rotate"])).code).toBe(2);
  });

  it("--json prints one document: the field, ref, action and (with --apply) the new version", async () => {
    const dryRun = await cli(["rotate", "DB_PASSWORD", "--json"]);
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toEqual({ command: "rotate", apply: false, rows: [{ field: "DB_PASSWORD", ref: "vault://app/db#password", action: "rotate", version: null }] });
    const applied = await cli(["rotate", "DB_PASSWORD", "--json", "--apply"]);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({ command: "rotate", apply: true, rows: [{ field: "DB_PASSWORD", ref: "vault://app/db#password", action: "rotate", version: "2" }] });
    expect(applied.stdout).not.toContain((await vaultLatest("app/db"))!.data!.password);
  });

  it("reports a denied write with the Vault policy it needs", async () => {
    const result = await cli(["rotate", "DB_PASSWORD", "--apply"], managerEnv({ VAULT_TOKEN: READ_ONLY_TOKEN }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`rotating DB_PASSWORD failed: Vault denied writing "secret/data/app/db"`);
    expect(result.stderr).toContain(`capabilities = ["create", "update"]`);
  });
});

describe("secrets-gen push", () => {
  const envFile = (name: string, lines: Record<string, string>) =>
    writeFiles(dir, { [name]: Object.entries(lines).map(([key, value]) => `${key}=${value}`).join("\n") }) && join(dir, name);
  const NEW_DB_PASSWORD = secretValue("db-password-2");
  const SIGNING_KEY = secretValue("signing-key");

  it("dry run: prints the plan (names only) and writes nothing", async () => {
    const file = envFile("plan.env", { DB_PASSWORD: NEW_DB_PASSWORD, API_KEY, SESSION_SECRET: secretValue("session") });
    const result = await cli(["push", "--from-file", file]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^field\s+ref\s+action$/);
    expect(lines[2]).toMatch(/^DB_PASSWORD\s+vault:\/\/app\/db#password\s+update$/);
    expect(lines[3]).toMatch(/^API_KEY\s+aws-sm:\/\/prod\/app#api_key\s+unchanged$/);
    expect(lines[4]).toMatch(/^SIGNING_KEY\s+vault:\/\/app\/signing#key\s+skipped: no value in source$/);
    expect(lines[5]).toContain("dry run: nothing was written");
    expect(result.stdout).not.toContain("SESSION_SECRET");
    expect(vaultWrites()).toEqual([]);
    expect(awsWrites()).toEqual([]);
  });

  it("--apply creates and updates, leaves unchanged values alone and prints the new versions", async () => {
    const env = managerEnv({ DB_PASSWORD: NEW_DB_PASSWORD, API_KEY, SIGNING_KEY });
    const result = await cli(["push", "--from-env", "--apply"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nDB_PASSWORD\s+vault:\/\/app\/db#password\s+update\s+2\n/);
    expect(result.stdout).toMatch(/\nAPI_KEY\s+aws-sm:\/\/prod\/app#api_key\s+unchanged\s+-\n/);
    expect(result.stdout).toMatch(/\nSIGNING_KEY\s+vault:\/\/app\/signing#key\s+create\s+1\n/);
    expect(await vaultLatest("app/db")).toEqual({ version: 2, data: { password: NEW_DB_PASSWORD, user: DB_USER } });
    expect(await vaultLatest("app/signing")).toEqual({ version: 1, data: { key: SIGNING_KEY } });
    expect(awsWrites()).toEqual([]);
  });

  it("--only limits the fields; a value the schema rejects is an error row and is not written", async () => {
    const file = envFile("bad.env", { DB_PASSWORD: NEW_DB_PASSWORD, API_KEY: secretValue("no-prefix") });
    const result = await cli(["push", "--from-file", file, "--only", "API_KEY", "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\nAPI_KEY\s+aws-sm:\/\/prod\/app#api_key\s+error: invalid\s+-\n/);
    expect(result.stdout).not.toContain("DB_PASSWORD");
    expect(result.stderr).toContain("API_KEY: the source's value does not pass the field's schema (zod: invalid_format)");
    expect(awsWrites()).toEqual([]);
    expect(vaultWrites()).toEqual([]);
  });

  it("a denied write is an error row naming the permission: Vault policy and AWS PutSecretValue", async () => {
    managers.aws.faults.add(
      { kind: "status", status: 400, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ __type: "AccessDeniedException", message: "not authorized" }) },
      { match: "PutSecretValue" },
    );
    const env = managerEnv({ VAULT_TOKEN: READ_ONLY_TOKEN, DB_PASSWORD: NEW_DB_PASSWORD, API_KEY: `sk_${secretValue("api-key-2")}` });
    const result = await cli(["push", "--from-env", "--apply"], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\nDB_PASSWORD\s+vault:\/\/app\/db#password\s+error: denied\s+-\n/);
    expect(result.stdout).toMatch(/\nAPI_KEY\s+aws-sm:\/\/prod\/app#api_key\s+error: denied\s+-\n/);
    expect(result.stderr).toContain(`capabilities = ["create", "update"]`);
    expect(result.stderr).toContain("grant secretsmanager:PutSecretValue");
    expect(awsCurrent().api_key).toBe(API_KEY);
  });

  it("a #key missing from an existing secret is a create that keeps the other keys (Vault KV v2 and AWS)", async () => {
    managers.vault.putSecret("secret", "app/db", { user: DB_USER });
    managers.aws.seed("prod/app", { account: ACCOUNT });
    const env = managerEnv({ DB_PASSWORD: NEW_DB_PASSWORD, API_KEY });
    const plan = await cli(["push", "--from-env", "--only", "DB_PASSWORD,API_KEY"], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/\nDB_PASSWORD\s+vault:\/\/app\/db#password\s+create\n/);
    expect(plan.stdout).toMatch(/\nAPI_KEY\s+aws-sm:\/\/prod\/app#api_key\s+create\n/);
    expect(plan.stderr).toBe("");

    const applied = await cli(["push", "--from-env", "--only", "DB_PASSWORD,API_KEY", "--apply"], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/\nDB_PASSWORD\s+vault:\/\/app\/db#password\s+create\s+3\n/);
    expect(await vaultLatest("app/db")).toEqual({ version: 3, data: { user: DB_USER, password: NEW_DB_PASSWORD } });
    expect(awsCurrent()).toEqual({ account: ACCOUNT, api_key: API_KEY });
  });

  it("--json prints one document of value-free rows, with the same exit codes", async () => {
    const env = managerEnv({ DB_PASSWORD: NEW_DB_PASSWORD, API_KEY: secretValue("no-prefix") });
    const result = await cli(["push", "--from-env", "--apply", "--json"], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      command: "push",
      apply: true,
      rows: [
        { field: "DB_PASSWORD", ref: "vault://app/db#password", action: "update", version: "2" },
        { field: "API_KEY", ref: "aws-sm://prod/app#api_key", action: "error: invalid", version: null },
        { field: "SIGNING_KEY", ref: "vault://app/signing#key", action: "skipped: no value in source", version: null },
      ],
    });
    expect(result.stderr).toContain("API_KEY: the source's value does not pass the field's schema");
    const dryRun = await cli(["push", "--from-env", "--only", "DB_PASSWORD", "--json"], managerEnv({ DB_PASSWORD: NEW_DB_PASSWORD }));
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).rows).toEqual([{ field: "DB_PASSWORD", ref: "vault://app/db#password", action: "unchanged", version: null }]);
  });

  it("needs exactly one source and known --only fields (exit 2), and documents its exit codes", async () => {
    expect((await cli(["push"])).code).toBe(2);
    expect((await cli(["push", "--from-env", "--from-file", "x.env"])).code).toBe(2);
    expect((await cli(["push", "--from-env", "--only", "LOG_LEVEL"])).code).toBe(2);
    const help = await runCli(["push", "--help"]);
    expect(help.stdout).toContain("Exit codes: 0 plan shown");
  });
});
