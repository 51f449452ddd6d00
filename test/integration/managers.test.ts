/**
 * The four managers together through loadSecrets with the built-in providers: one schema,
 * one load, each provider configured from the environment as an app would be (Azure also needs
 * in-code options for the local test vault's address and certificate).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import azureKv from "../../src/providers/azure-kv.ts";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, provenance, SecretsLoadError, type LoadOptions } from "../../src/runtime/index.ts";
import { startAwsServer, type AwsServer } from "../servers/aws/server.ts";
import { createSelfSignedCertificate } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer, type AzureKeyVaultServer } from "../servers/azure/server.ts";
import { startGcpServer, type GcpServer } from "../servers/gcp/server.ts";
import { writeServiceAccountKey } from "../servers/gcp/service-account.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import { withBuiltinProviders } from "../helpers/builtin-providers.ts";

/** Every SDK import the providers make, and an optional gate each import passes before it runs. */
const sdkImports = vi.hoisted(() => ({ started: [] as string[], gate: undefined as ((pkg: string) => Promise<void>) | undefined }));
vi.mock("../../src/providers/import-lib.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/providers/import-lib.ts")>();
  return {
    ...real,
    async importLib<T>(provider: string, pkg: string, load: () => Promise<T>): Promise<T> {
      sdkImports.started.push(pkg);
      await sdkImports.gate?.(pkg);
      return real.importLib(provider, pkg, load);
    },
  };
});

const dir = tempDir();
const CREDENTIALS = {
  vaultSecretId: secretValue("vault-secret-id"),
  awsSecretKey: secretValue("aws-secret-key"),
  azureClientSecret: secretValue("azure-client-secret"),
};
let vault: VaultTestServer, aws: AwsServer, gcp: GcpServer, azure: AzureKeyVaultServer;
let env: Record<string, string>;
let azureOptions: Parameters<typeof azureKv>[0];
const said: string[] = [];

beforeAll(async () => {
  vault = await startVaultServer();
  vault.putSecret("secret", "app/db", { password: secretValue("vault-db") });
  vault.putSecret("secret", "private/admin", { password: secretValue("vault-admin") });
  vault.setPolicy("app", { "secret/data/app/*": ["read"] });
  vault.addAppRole("app", { roleId: "app-role", secretIds: [CREDENTIALS.vaultSecretId], policies: ["app"], ttl: 3600 });

  aws = await startAwsServer({ region: "eu-west-1" });
  aws.seed("prod/app", { api_key: secretValue("aws-api"), other: "x" });

  const keyFile = join(dir, "sa.json");
  const { publicKey } = writeServiceAccountKey(keyFile, "p");
  gcp = await startGcpServer({ projects: { p: 1 }, serviceAccountKeys: [publicKey] });
  gcp.store.addVersion("p", "svc-token", secretValue("gcp-token"));

  const certificate = createSelfSignedCertificate();
  azure = await startAzureKeyVaultServer({ certificate, clientSecret: CREDENTIALS.azureClientSecret });
  azure.setSecret("signing-key", secretValue("azure-key"));
  azureOptions = { vaultUrls: { "my-vault": azure.url }, ca: certificate.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true };

  env = {
    VAULT_ADDR: vault.url, VAULT_ROLE_ID: "app-role", VAULT_SECRET_ID: CREDENTIALS.vaultSecretId,
    AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url, AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: CREDENTIALS.awsSecretKey,
    GCP_PROJECT_ID: "p", GCP_SM_ENDPOINT: gcp.url, GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    AZURE_TENANT_ID: azure.tenantId, AZURE_CLIENT_ID: azure.clientId, AZURE_CLIENT_SECRET: CREDENTIALS.azureClientSecret, AZURE_AUTHORITY_HOST: azure.authorityHost,
  };
});

afterAll(async () => {
  await Promise.all([vault?.close(), aws?.close(), gcp?.close(), azure?.close()]);
  expectNoSentinel(...said); // every warning and error text the loads produced
});

function options(extra: LoadOptions = {}): LoadOptions {
  return { env, dockerDir: join(dir, "none"), cwd: dir, providers: [azureKv(azureOptions)], onWarning: (m) => void said.push(m), ...extra };
}

async function failure(promise: Promise<unknown>): Promise<SecretsLoadError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SecretsLoadError);
  said.push((error as Error).message);
  return error as SecretsLoadError;
}

describe("every manager in one load", () => {
  const schema = defineSecrets({
    DB_PASSWORD: secret(z.string(), { from: "vault://app/db#password", productionSources: ["manager"] }),
    API_KEY: secret(z.string(), { from: "aws-sm://prod/app#api_key" }),
    SERVICE_TOKEN: secret(z.string(), { from: "gcp-sm://svc-token" }),
    SIGNING_KEY: secret(z.string(), { from: "azure-kv://my-vault/signing-key" }),
  });

  it("resolves each field from its manager in production, with versions in the provenance", async () => {
    const secrets = await loadSecrets<Record<string, string>>(withBuiltinProviders(schema), options({ production: true }));
    expect(secrets).toMatchObject({
      DB_PASSWORD: secretValue("vault-db"), API_KEY: secretValue("aws-api"),
      SERVICE_TOKEN: secretValue("gcp-token"), SIGNING_KEY: secretValue("azure-key"),
    });
    expect(provenance(secrets, "DB_PASSWORD")).toMatchObject({ source: "manager", where: "vault://app/db#password", version: "1" });
    expect(provenance(secrets, "SERVICE_TOKEN")).toMatchObject({ source: "manager", version: "1" });
    expect(provenance(secrets, "API_KEY").version).toMatch(/^[0-9a-f-]{36}$/);
    said.push(JSON.stringify(secrets));
  });

  it("makes one login and one read per secret for Vault, and one batch call for AWS", async () => {
    const vaultBefore = vault.requests.length;
    const awsBefore = aws.requests.length;
    await loadSecrets(withBuiltinProviders(schema), options());
    expect(vault.requests.slice(vaultBefore).map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/auth/approle/login", "GET /v1/sys/internal/ui/mounts/secret", "GET /v1/secret/data/app/db",
    ]);
    expect(aws.requests.slice(awsBefore).map((r) => r.op)).toEqual(["BatchGetSecretValue"]);
  });
});

describe("SDK loading", () => {
  const SDKS = ["node-vault", "@aws-sdk/client-secrets-manager", "@google-cloud/secret-manager", "@azure/keyvault-secrets"];
  const twoPerManager = defineSecrets({
    DB_PASSWORD: secret(z.string(), { from: "vault://app/db#password" }),
    ADMIN_PASSWORD: secret(z.string(), { from: "vault://private/admin#password", optional: true }),
    API_KEY: secret(z.string(), { from: "aws-sm://prod/app#api_key" }),
    OTHER: secret(z.string(), { from: "aws-sm://prod/app#other" }),
    SERVICE_TOKEN: secret(z.string(), { from: "gcp-sm://svc-token" }),
    SERVICE_TOKEN_V1: secret(z.string(), { from: "gcp-sm://svc-token?version=1" }),
    SIGNING_KEY: secret(z.string(), { from: "azure-kv://my-vault/signing-key" }),
    NOT_THERE: secret(z.string(), { from: "azure-kv://my-vault/not-there", optional: true }),
  });

  it("imports each provider's SDK once per load, the four imports under way at the same time", async () => {
    // Each SDK import waits here until all four have started: imports made one after another
    // would never get past the first, and the load would not finish.
    const arrived = new Set<string>();
    let allStarted!: () => void;
    const everyone = new Promise<void>((resolve) => (allStarted = resolve));
    sdkImports.gate = async (pkg) => {
      if (!SDKS.includes(pkg)) return;
      arrived.add(pkg);
      if (arrived.size === SDKS.length) allStarted();
      await everyone;
    };
    sdkImports.started.length = 0;
    try {
      await loadSecrets(withBuiltinProviders(twoPerManager), options({ production: false }));
    } finally {
      sdkImports.gate = undefined;
    }
    const counts = Object.fromEntries([...new Set(sdkImports.started)].map((pkg) => [pkg, sdkImports.started.filter((p) => p === pkg).length]));
    expect(counts).toEqual({ ...Object.fromEntries(SDKS.map((pkg) => [pkg, 1])), "@azure/identity": 1 });
  });
});

describe("a manager that denies", () => {
  const schema = defineSecrets({ ADMIN_PASSWORD: secret(z.string(), { from: "vault://private/admin#password" }) });
  const withEnvFallback = () => ({ ...env, ADMIN_PASSWORD: "from-env-fallback" });

  it("fails closed in production, even when env has a value, naming the path and the policy it needs", async () => {
    const error = await failure(loadSecrets(withBuiltinProviders(schema), options({ production: true, env: withEnvFallback() })));
    expect(error.failures[0]!.message).toMatch(
      /^ADMIN_PASSWORD: vault:\/\/private\/admin#password failed \(denied: Vault denied reading "secret\/data\/private\/admin" .*capabilities = \["read"\].*\); production does not fall back to other sources/,
    );
  });

  it("warns and falls back to env in development", async () => {
    const before = said.length;
    const secrets = await loadSecrets<{ ADMIN_PASSWORD: string }>(withBuiltinProviders(schema), options({ production: false, env: withEnvFallback() }));
    expect(secrets.ADMIN_PASSWORD).toBe("from-env-fallback");
    expect(said.slice(before).join("\n")).toMatch(/ADMIN_PASSWORD: vault:\/\/private\/admin#password failed \(denied: .*\); trying the next source because this is not production\./);
  });
});

describe("a manager that is down", () => {
  it("fails closed in production with every field named, within the deadline", async () => {
    const schema = defineSecrets({
      API_KEY: secret(z.string(), { from: "aws-sm://prod/app#api_key" }),
      SERVICE_TOKEN: secret(z.string(), { from: "gcp-sm://svc-token" }),
    });
    aws.faults.add({ kind: "status", status: 503 });
    gcp.faults.add({ kind: "hang" });
    try {
      const error = await failure(loadSecrets(withBuiltinProviders(schema), options({ production: true, timeoutMs: 1_500 })));
      expect(error.failures.map((f) => f.field)).toEqual(["API_KEY", "SERVICE_TOKEN"]);
      for (const f of error.failures) expect(f.message).toMatch(/failed \(unavailable: .*\); production does not fall back/);
    } finally {
      aws.faults.clear();
      gcp.faults.clear();
    }
  });
});
