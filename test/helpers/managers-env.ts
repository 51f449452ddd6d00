/**
 * The Vault and AWS test servers that the tests of writing to managers run against (provider writes and
 * deletes, and push / rotate / pull / migrate through the CLI), with the env that reaches them. Every
 * credential is a sentinel, so a test can check none of them is ever printed.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startAwsServer, type AwsServer } from "../servers/aws/server.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { runCli, type CliResult } from "./cli.ts";
import { expectNoSentinel } from "./sentinels.ts";

export const ROOT_TOKEN = "hvs.s3cr3t-sentinel-root";
const AWS_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIA-s3cr3t-sentinel", AWS_SECRET_ACCESS_KEY: "s3cr3t-sentinel-aws-key", AWS_REGION: "us-east-1",
  // The AWS SDK warns on Node 20 that its 2027 releases need Node 22; the tests check secrets-gen's own stderr.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

export interface ManagerServers {
  readonly vault: VaultTestServer;
  readonly aws: AwsServer;
  /** What the vault provider reads from env: the server's address and a token (default: the root token). */
  vaultEnv(token?: string): Record<string, string>;
  /** What the aws-sm provider reads from env: sentinel credentials and the server's endpoint. */
  awsEnv(): Record<string, string>;
  /** The latest KV v2 version of secret/<path>, read with the root token: undefined when there is none, data null when it is deleted. */
  vaultLatest(path: string): Promise<{ data: Record<string, string> | null; version: number } | undefined>;
}

/**
 * Starts a Vault server (root token ROOT_TOKEN) and an AWS server before each test, or once before all
 * of the file's tests, and closes them after. Hooks the caller registers later run after the start, so
 * they can seed the servers. Read `vault` and `aws` inside tests and hooks only.
 */
export function useManagerServers(lifetime: "each" | "all" = "each"): ManagerServers {
  let vault: VaultTestServer | undefined;
  let aws: AwsServer | undefined;
  const started = <T>(server: T | undefined): T => {
    if (server === undefined) throw new Error("the manager test servers are not started: read them inside a test or hook");
    return server;
  };
  (lifetime === "each" ? beforeEach : beforeAll)(async () => {
    [vault, aws] = await Promise.all([startVaultServer({ rootToken: ROOT_TOKEN }), startAwsServer()]);
  });
  (lifetime === "each" ? afterEach : afterAll)(async () => {
    await Promise.all([vault?.close(), aws?.close()]);
  });
  const servers: ManagerServers = {
    get vault() {
      return started(vault);
    },
    get aws() {
      return started(aws);
    },
    vaultEnv: (token = ROOT_TOKEN) => ({ VAULT_ADDR: servers.vault.url, VAULT_TOKEN: token }),
    awsEnv: () => ({ ...AWS_CREDENTIALS, AWS_ENDPOINT_URL_SECRETS_MANAGER: servers.aws.url }),
    async vaultLatest(path) {
      const response = await fetch(`${servers.vault.url}/v1/secret/data/${path}`, { headers: { "x-vault-token": ROOT_TOKEN } });
      const body = (await response.json()) as { data?: { data: Record<string, string> | null; metadata: { version: number } } };
      return body.data ? { data: body.data.data, version: body.data.metadata.version } : undefined;
    },
  };
  return servers;
}

const FIXTURES = join(import.meta.dirname, "../fixtures/cli");
/** The schema in test/fixtures/cli whose fields read vault:// and aws-sm:// refs. */
export const WRITES_SCHEMA = "writes.schema.ts";

/** The real CLI on WRITES_SCHEMA against the servers, failing the test when its output holds a sentinel. */
export function writesCli(servers: ManagerServers): {
  /** process.env without mode switches or the schema's variables, plus the managers' addresses and (sentinel) credentials. */
  env(overrides?: Record<string, string | undefined>): Record<string, string | undefined>;
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
} {
  const env = (overrides: Record<string, string | undefined> = {}) => ({
    ...process.env,
    NODE_ENV: undefined, SECRETS_ENV: undefined, DB_PASSWORD: undefined, API_KEY: undefined, SIGNING_KEY: undefined, AWS_PROFILE: undefined,
    ...servers.vaultEnv(),
    ...servers.awsEnv(),
    ...overrides,
  });
  return {
    env,
    async cli(args, childEnv = env()) {
      const result = await runCli([...args, "--schema", WRITES_SCHEMA], { cwd: FIXTURES, env: childEnv });
      expectNoSentinel(result.stdout, result.stderr);
      return result;
    },
  };
}
