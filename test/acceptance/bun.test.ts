/**
 * Acceptance under Bun (the `bun` devDependency ships its binary): a fresh app with the packed
 * tarballs generates its accessor with the CLI running on Bun, then loads it on Bun from a Docker
 * secret file, env and a dev default, prints it redacted, and reads a `vault://` field from the Vault
 * test server through node-vault. No output may contain a secret value.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { Processes, REPO, SENTINEL, type Run } from "./fresh-app.ts";

const BUN = join(REPO, "node_modules/.bin/bun");
const DB_PASSWORD = `db-${SENTINEL}-password`;
const API_TOKEN = `api-${SENTINEL}-token`;
const VAULT_VALUE = `vault-${SENTINEL}-value`;

const SCHEMA = `import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  API_TOKEN: secret(z.string().min(10)),
  DB_PASSWORD: secret(z.string().min(8), { file: "db_password" }),
  SIGNING_KEY: secret(z.string().min(10), { from: "vault://app/signing#key" }),
  GREETING: secret(z.string(), { devDefault: "hello" }),
  PORT: z.coerce.number().int().default(3000),
});
`;

const MAIN = `import { provenance, redact, secrets } from "./generated/index.ts";

console.log("RUNTIME=" + ("Bun" in globalThis ? "bun" : "other"));
console.log("JSON=" + JSON.stringify(secrets));
console.log("DB_OK=" + (secrets.DB_PASSWORD === ${JSON.stringify(DB_PASSWORD)}));
console.log("VAULT_OK=" + (secrets.SIGNING_KEY === ${JSON.stringify(VAULT_VALUE)}));
console.log("REDACT=" + redact("token " + secrets.API_TOKEN));
for (const field of ["API_TOKEN", "DB_PASSWORD", "SIGNING_KEY", "GREETING", "PORT"] as const) console.log("PROV " + field + " " + provenance(field).source);
console.log("LOGGED", secrets);
`;

let processes: Processes;
let root: string;
let app: string;
let dockerDir: string;
let vault: VaultTestServer;

/** Bun in the app, asynchronously: the Vault test server in this process must keep answering. */
const bun = (label: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> =>
  processes.runAsync(label, BUN, args, { cwd: app, env: processes.env(env) });

beforeAll(async () => {
  processes = new Processes();
  root = mkdtempSync(join(tmpdir(), "secrets-gen-bun-"));
  app = join(root, "app");
  dockerDir = join(root, "run-secrets");
  mkdirSync(dockerDir);
  writeFileSync(join(dockerDir, "db_password"), `${DB_PASSWORD}\n`, { mode: 0o600 });
  processes.installApp(app, processes.pack(root), ["node-vault@^0.12"]);
  writeFileSync(join(app, "secrets.schema.ts"), SCHEMA);
  writeFileSync(join(app, "main.ts"), MAIN);
  vault = await startVaultServer();
  vault.putSecret("secret", "app/signing", { key: VAULT_VALUE });
}, 600_000);

afterAll(async () => {
  await vault?.close();
  if (root && !process.env.SECRETS_GEN_KEEP_ACCEPTANCE) rmSync(root, { recursive: true, force: true });
});

describe("under Bun", { timeout: 180_000 }, () => {
  it("npx-style `secrets-gen` generates the accessor with the CLI running on Bun", async () => {
    const generated = await bun("bun secrets-gen", ["node_modules/.bin/secrets-gen", "--no-cache"]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toMatch(/secrets-gen: wrote .*generated\/secrets\.ts/);
  });

  it("loads from a Docker secret, env, Vault and a dev default, redacted everywhere", async () => {
    const result = await bun("bun main.ts", ["main.ts"], { SECRETS_DOCKER_DIR: dockerDir, API_TOKEN, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("RUNTIME=bun");
    expect(result.stdout).toContain(`JSON={"API_TOKEN":"[redacted]","DB_PASSWORD":"[redacted]","SIGNING_KEY":"[redacted]","GREETING":"[redacted]","PORT":3000}`);
    expect(result.stdout).toContain("DB_OK=true");
    expect(result.stdout).toContain("VAULT_OK=true");
    expect(result.stdout).toContain("REDACT=token [redacted]");
    for (const line of ["PROV API_TOKEN env", "PROV DB_PASSWORD docker", "PROV SIGNING_KEY manager", "PROV GREETING dev-default", "PROV PORT schema"]) expect(result.stdout).toContain(line);
  });

  it("refuses to start in production without a value, naming the field", async () => {
    const result = await bun("bun main.ts production", ["main.ts"], { NODE_ENV: "production", SECRETS_DOCKER_DIR: dockerDir, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("JSON=");
    expect(result.stderr).toMatch(/^\s+- API_TOKEN: /m);
    expect(result.stderr).toMatch(/^\s+- GREETING: /m);
  });
});

it("never printed a secret value in any captured output", () => {
  expect(processes.captured.length).toBeGreaterThanOrEqual(5);
  for (const { label, text } of processes.captured) expect(text, label).not.toContain(SENTINEL);
});
