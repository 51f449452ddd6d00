/**
 * `secrets-gen rotate` and `push`, through the real CLI, against the GCP Secret Manager and Azure Key
 * Vault test servers in this process. GCP is configured from env alone (REST to an http:// endpoint,
 * a service-account key file); Azure through test/fixtures/cli/azure-test-vault-cli.ts (see there why).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import { createSelfSignedCertificate, hasOpenssl } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer, type AzureKeyVaultServer } from "../servers/azure/server.ts";
import { startGcpServer, type GcpServer } from "../servers/gcp/server.ts";
import { writeServiceAccountKey } from "../servers/gcp/service-account.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/cli");
const SCHEMA = "writes-gcp-azure.schema.ts";
const PROJECT = "test-project";
const OLD = secretValue("old");
const USER = secretValue("user");
const NEW_PASSWORD = secretValue("db-password-2");
const NEW_TOKEN = secretValue("api-token-2");
const FIELD_VARS = { NODE_ENV: undefined, SECRETS_ENV: undefined, DB_PASSWORD: undefined, API_TOKEN: undefined, SIGNING_KEY: undefined, WEBHOOK_SECRET: undefined };
const dir = tempDir("secrets-gen-push-gcp-azure-");

/** The version a rotate says it wrote. */
const versionIn = (stdout: string): string | undefined => /\(version ([^)]+)\)/.exec(stdout)?.[1];

describe("against GCP Secret Manager", () => {
  let server: GcpServer;
  let keyFile: string;
  beforeEach(async () => {
    keyFile = join(dir, `sa-${Date.now()}.json`);
    const { publicKey } = writeServiceAccountKey(keyFile, PROJECT);
    server = await startGcpServer({ projects: { [PROJECT]: 123456789012 }, serviceAccountKeys: [publicKey] });
    server.store.addVersion(PROJECT, "app-db", JSON.stringify({ password: OLD, user: USER }));
  });
  afterEach(() => server.close());

  async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
    const env = { ...process.env, ...FIELD_VARS, GCP_PROJECT_ID: PROJECT, GCP_SM_ENDPOINT: server.url, GOOGLE_APPLICATION_CREDENTIALS: keyFile, ...extra };
    const result = await runCli([...args, "--schema", SCHEMA], { cwd: FIXTURES, env });
    expectNoSentinel(result.stdout, result.stderr);
    return result;
  }
  const posts = () => server.requests.filter((r) => r.method === "POST");
  const latest = (secret: string): string => {
    const answer = server.store.access(`projects/${PROJECT}/secrets/${secret}/versions/latest`);
    if (!answer.ok) throw new Error(`no latest version of ${secret}`);
    return new TextDecoder().decode(answer.data);
  };

  it("rotate: a dry run writes nothing; --apply adds a version with the other JSON keys kept, never printing the value", async () => {
    const dry = await cli(["rotate", "DB_PASSWORD"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("would write a new random value (32 characters, charset alnum) to gcp-sm://app-db#password");
    expect(posts()).toEqual([]);

    const result = await cli(["rotate", "DB_PASSWORD", "--apply"]);
    expect(result.code).toBe(0);
    expect(versionIn(result.stdout)).toBe("2");
    const stored = JSON.parse(latest("app-db")) as Record<string, string>;
    expect(stored.user).toBe(USER);
    expect(stored.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(result.stdout + result.stderr).not.toContain(stored.password);
  });

  it("push --from-env: a dry run writes nothing; --apply updates a #key and creates a missing secret", async () => {
    const values = { DB_PASSWORD: NEW_PASSWORD, API_TOKEN: NEW_TOKEN };
    const dry = await cli(["push", "--from-env"], values);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/\nDB_PASSWORD\s+gcp-sm:\/\/app-db#password\s+update\n/);
    expect(dry.stdout).toMatch(/\nAPI_TOKEN\s+gcp-sm:\/\/api-token\s+create\n/);
    expect(posts()).toEqual([]);

    const result = await cli(["push", "--from-env", "--apply"], values);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nDB_PASSWORD\s+gcp-sm:\/\/app-db#password\s+update\s+2\n/);
    expect(result.stdout).toMatch(/\nAPI_TOKEN\s+gcp-sm:\/\/api-token\s+create\s+1\n/);
    expect(JSON.parse(latest("app-db"))).toEqual({ password: NEW_PASSWORD, user: USER });
    expect(latest("api-token")).toBe(NEW_TOKEN);
  });
});

const AZURE_CLI = join(FIXTURES, "azure-test-vault-cli.ts");
const TSX = import.meta.resolve("tsx");
const run = promisify(execFile);

describe.skipIf(!hasOpenssl())("against Azure Key Vault", () => {
  const CLIENT_SECRET = secretValue("azure-client-secret");
  let server: AzureKeyVaultServer;
  beforeEach(async () => {
    server = await startAzureKeyVaultServer({ certificate: createSelfSignedCertificate(), clientSecret: CLIENT_SECRET });
    server.setSecret("app-signing", JSON.stringify({ key: OLD, kid: "k1" }));
  });
  afterEach(() => server.close());

  /** The real CLI through the fixture entry (so its azure-kv built-in knows the test vault); the same node + tsx command as runCli. */
  async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
    const env = {
      ...process.env, ...FIELD_VARS, ...extra,
      AZURE_TENANT_ID: server.tenantId, AZURE_CLIENT_ID: server.clientId, AZURE_CLIENT_SECRET: CLIENT_SECRET, AZURE_AUTHORITY_HOST: server.authorityHost,
      SECRETS_GEN_TEST_AZURE_KV: JSON.stringify({ ca: server.ca, disableInstanceDiscovery: true, disableChallengeResourceVerification: true, vaultUrls: { "my-vault": server.url } }),
    };
    const result = await run(process.execPath, ["--import", TSX, AZURE_CLI, ...args, "--schema", SCHEMA], { cwd: FIXTURES, env, timeout: 60_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, signal: null, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, signal: null, stdout: error.stdout, stderr: error.stderr }),
    );
    expectNoSentinel(result.stdout, result.stderr);
    return result;
  }
  const puts = () => server.requests.filter((r) => r.method === "PUT");

  it("rotate: a dry run writes nothing; --apply sets a version with the other JSON keys kept, never printing the value", async () => {
    expect((await cli(["rotate", "SIGNING_KEY"])).code).toBe(0);
    expect(puts()).toEqual([]);

    const result = await cli(["rotate", "SIGNING_KEY", "--apply"]);
    expect(result.code).toBe(0);
    const latest = server.latest("app-signing")!;
    expect(versionIn(result.stdout)).toBe(latest.version);
    const stored = JSON.parse(latest.value) as Record<string, string>;
    expect(stored.kid).toBe("k1");
    expect(stored.key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(result.stdout + result.stderr).not.toContain(stored.key);
  });

  it("push --from-env: a dry run writes nothing; --apply creates a missing secret with its version id", async () => {
    const values = { WEBHOOK_SECRET: NEW_TOKEN };
    const dry = await cli(["push", "--from-env"], values);
    expect(dry.stdout).toMatch(/\nWEBHOOK_SECRET\s+azure-kv:\/\/my-vault\/webhook\s+create\n/);
    expect(puts()).toEqual([]);

    const result = await cli(["push", "--from-env", "--apply"], values);
    expect(result.code).toBe(0);
    const latest = server.latest("webhook")!;
    expect(latest.value).toBe(NEW_TOKEN);
    expect(result.stdout).toMatch(new RegExp(`\\nWEBHOOK_SECRET\\s+azure-kv://my-vault/webhook\\s+create\\s+${latest.version}\\n`));
  });
});
