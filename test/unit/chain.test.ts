import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, provenance, SecretsLoadError, type LoadOptions } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { kubeletMount, tempDir, writeFiles } from "../helpers/tmp.ts";

const root = tempDir();
const emptyDocker = writeFiles(join(root, "empty-docker"), {});
const K8S = secretValue("k8s");
const DOCKER = secretValue("docker");
const FILE_ENV = secretValue("file-env");
const ENV = secretValue("env");

const schema = defineSecrets({
  TOKEN: secret(z.string(), { devDefault: "dev-token-value" }),
  PORT: z.coerce.number().default(3000),
});

async function load(options: LoadOptions & { env?: Record<string, string> }) {
  return loadSecrets<{ TOKEN: string; PORT: number }>(schema, { dockerDir: emptyDocker, cwd: emptyDocker, onWarning: () => {}, ...options, env: options.env ?? {} });
}

async function loadError(promise: Promise<unknown>): Promise<SecretsLoadError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SecretsLoadError);
  expectNoSentinel((error as Error).message, (error as SecretsLoadError).failures);
  return error as SecretsLoadError;
}

describe("resolution chain, first hit wins", () => {
  const k8sDir = kubeletMount(join(root, "k8s"), { TOKEN: `${K8S}\n` });
  const dockerDir = writeFiles(join(root, "docker"), { token: `${DOCKER}\n` });
  const fileEnvPath = join(writeFiles(join(root, "files"), { "token.txt": FILE_ENV }), "token.txt");

  it("takes the Kubernetes mount first, through kubelet's ..data symlinks, trimming one newline", async () => {
    const secrets = await load({ k8sDir, dockerDir, env: { TOKEN_FILE: fileEnvPath, TOKEN: ENV } });
    expect(secrets.TOKEN).toBe(K8S);
    expect(provenance(secrets, "TOKEN")).toMatchObject({ source: "kubernetes", where: join(k8sDir, "TOKEN") });
  });

  it("then <ENV>_FILE", async () => {
    const secrets = await load({ dockerDir, cwd: root, env: { TOKEN_FILE: fileEnvPath, TOKEN: ENV } });
    expect(secrets.TOKEN).toBe(FILE_ENV);
    expect(provenance(secrets, "TOKEN")).toMatchObject({ source: "docker", where: `TOKEN_FILE=${fileEnvPath}` });
  });

  it("then the Docker secrets directory, falling back to the lower-case file name", async () => {
    const secrets = await load({ dockerDir, env: { TOKEN: ENV } });
    expect(secrets.TOKEN).toBe(DOCKER);
    expect(provenance(secrets, "TOKEN")).toMatchObject({ source: "docker", where: join(dockerDir, "token") });
  });

  it("reads the Docker and Kubernetes directories from SECRETS_DOCKER_DIR and SECRETS_K8S_DIR", async () => {
    const fromDocker = await loadSecrets<{ TOKEN: string }>(schema, { env: { SECRETS_DOCKER_DIR: dockerDir } });
    expect(fromDocker.TOKEN).toBe(DOCKER);
    const fromK8s = await loadSecrets<{ TOKEN: string }>(schema, { env: { SECRETS_K8S_DIR: k8sDir, SECRETS_DOCKER_DIR: dockerDir } });
    expect(fromK8s.TOKEN).toBe(K8S);
  });

  it("then the environment variable", async () => {
    const secrets = await load({ env: { TOKEN: ENV } });
    expect(secrets.TOKEN).toBe(ENV);
    expect(provenance(secrets, "TOKEN")).toMatchObject({ source: "env", where: "env TOKEN" });
  });

  it("then .env files, most specific first, outside production unless enabled", async () => {
    const app = writeFiles(join(root, "dotenv-app"), {
      ".env": "TOKEN=from-dotenv\nPORT=7000\n",
      ".env.local": "TOKEN=from-dotenv-local # a comment\n",
      ".env.development": "TOKEN=from-dotenv-development\n",
    });
    const secrets = await load({ cwd: app, env: {} });
    expect(secrets.TOKEN).toBe("from-dotenv-local");
    expect(secrets.PORT).toBe(7000);
    expect(provenance(secrets, "TOKEN")).toMatchObject({ source: "dotenv", where: ".env.local TOKEN" });
    writeFiles(app, { ".env.development.local": "TOKEN=from-dotenv-development-local\n" });
    expect((await load({ cwd: app, env: {} })).TOKEN).toBe("from-dotenv-development-local");
    expect((await load({ cwd: app, env: { TOKEN: ENV } })).TOKEN).toBe(ENV);

    const refused = await loadError(load({ cwd: app, env: { NODE_ENV: "production" } }));
    // Not read in production, only named: the value is there, and production ignores it.
    expect(refused.message).toContain("env TOKEN (not set; present in .env.local, but production ignores .env files: set the env var, or opt in with SECRETS_DOTENV=true)");
    expect((await load({ cwd: app, env: { NODE_ENV: "production", SECRETS_DOTENV: "true" } })).TOKEN).toBe("from-dotenv-local");
    expect((await load({ cwd: app, env: { NODE_ENV: "production" }, dotenv: true })).TOKEN).toBe("from-dotenv-local");
    await expect(load({ cwd: app, env: { SECRETS_DOTENV: "maybe" } })).rejects.toThrow('SECRETS_DOTENV is "maybe": set it to true or false');
  });

  it("then the dev default, outside production only", async () => {
    const secrets = await load({ env: { NODE_ENV: "development" } });
    expect(secrets.TOKEN).toBe("dev-token-value");
    expect(provenance(secrets, "TOKEN").source).toBe("dev-default");
  });

  it("treats an empty env var as unset", async () => {
    expect((await load({ env: { TOKEN: "" } })).TOKEN).toBe("dev-token-value");
  });

  it("sees a kubelet ..data swap on the next load", async () => {
    const dir = kubeletMount(join(root, "k8s-rotating"), { TOKEN: "first-value-xyz" });
    expect((await load({ k8sDir: dir })).TOKEN).toBe("first-value-xyz");
    const { renameSync, symlinkSync } = await import("node:fs");
    writeFiles(join(dir, "..2026_11_24"), { TOKEN: "second-value-xyz" });
    symlinkSync("..2026_11_24", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data")); // kubelet's atomic swap
    expect((await load({ k8sDir: dir })).TOKEN).toBe("second-value-xyz");
  });

  it("reads plain config from env only and applies zod defaults and coercion", async () => {
    const dockerWithPort = writeFiles(join(root, "docker-port"), { PORT: "9999" });
    expect((await load({ dockerDir: dockerWithPort, env: { TOKEN: ENV } })).PORT).toBe(3000);
    const secrets = await load({ env: { TOKEN: ENV, PORT: "8080" } });
    expect(secrets.PORT).toBe(8080);
    expect(provenance(secrets, "PORT")).toMatchObject({ source: "env", sensitive: false });
  });
});

describe("production", () => {
  it("is detected from NODE_ENV or SECRETS_ENV, and the option wins", async () => {
    await loadError(load({ env: { NODE_ENV: "production" } }));
    await loadError(load({ env: { SECRETS_ENV: "production" } }));
    await loadError(load({ production: true, env: {} }));
    expect((await load({ production: false, env: { NODE_ENV: "production" } })).TOKEN).toBe("dev-token-value");
  });

  it("refuses an unknown SECRETS_ENV instead of guessing", async () => {
    await expect(load({ env: { SECRETS_ENV: "prod" } })).rejects.toThrow(
      'SECRETS_ENV is "prod", which secrets-gen does not know: set it to production, development or test',
    );
  });

  it("never uses a dev default, and says how to provide the value", async () => {
    const error = await loadError(load({ env: { NODE_ENV: "production" } }));
    expect(error.production).toBe(true);
    expect(error.message).toContain("secrets-gen: 1 of 2 fields could not be loaded (production mode):");
    expect(error.message).toContain(`TOKEN: no value found (tried ${emptyDocker}/TOKEN (no such file), ${emptyDocker}/token (no such file), env TOKEN (not set or empty), devDefault in the schema (never used in production)); put it in ${emptyDocker}/TOKEN or point TOKEN_FILE at a file, or set the environment variable TOKEN, or if it may be missing, make it optional in the schema (.optional() or optional: true).`);
    expect(error.message).not.toContain("dev-token-value");
  });

  it("collects every bad field before failing, without values or zod echoes", async () => {
    const strict = defineSecrets({
      A: secret(z.string().min(80)),
      B: secret(z.string().regex(/^[0-9]+$/, { message: "must be digits" })),
      C: secret(z.url()),
      D: secret(z.string()),
      E: z.coerce.number().int(),
    });
    const error = await loadError(
      loadSecrets(strict, { production: true, dockerDir: emptyDocker, env: { A: secretValue("a"), B: secretValue("b"), C: secretValue("c"), E: "x" } }),
    );
    expect(error.failures.map((failure) => failure.field)).toEqual(["A", "B", "C", "D", "E"]);
    expect(error.failures[0]!.message).toBe("A: the value from env A is invalid (Too small: expected string to have >=80 characters); fix it at its source.");
    expect(error.failures[1]!.message).toContain("(must be digits)");
    expect(error.failures[3]!.message).toMatch(/^D: no value found/);
    expect(error.failures[4]!.message).toMatch(/^E: the value from env E is invalid/);
  });

  it("withholds a secret's custom zod message worded from its input", async () => {
    const quoting = defineSecrets({
      K: secret(z.string().refine(() => false, { error: (issue) => `bad key ${String(issue.input)}` })),
    });
    const error = await loadError(loadSecrets(quoting, { dockerDir: emptyDocker, env: { K: secretValue("quoted") } }));
    expect(error.message).toContain("(custom; a message worded from the input is not shown because it may quote the value)");
  });

  it("enforces a field's productionSources and says the value was present but not accepted", async () => {
    const narrow = defineSecrets({ KEY: secret(z.string(), { productionSources: ["docker"] }) });
    const error = await loadError(loadSecrets(narrow, { production: true, dockerDir: emptyDocker, env: { KEY: ENV } }));
    expect(error.message).toContain("env KEY (has a value, but production accepts this field only from docker)");
    expect(error.message).toContain(`put it in ${emptyDocker}/KEY or point KEY_FILE at a file, or if it may be missing`);
    const dev = await loadSecrets<{ KEY: string }>(narrow, { production: false, dockerDir: emptyDocker, env: { KEY: ENV } });
    expect(dev.KEY).toBe(ENV);
  });

  it("accepts a missing optional secret as undefined", async () => {
    const optional = defineSecrets({ SMTP: secret(z.string(), { optional: true }) });
    const secrets = await loadSecrets<{ SMTP?: string }>(optional, { production: true, dockerDir: emptyDocker, env: {} });
    expect(secrets.SMTP).toBeUndefined();
    expect(provenance(secrets, "SMTP")).toMatchObject({ source: "unset", where: "not set (optional)" });
  });
});

describe("development", () => {
  it("still fails on a missing secret without default, saying every way to provide it", async () => {
    const bare = defineSecrets({ API_KEY: secret(z.string(), { from: "mem://x" }) });
    const memory = { name: "memory", schemes: ["mem"], resolve: async () => new Map([["mem://x", { status: "missing" as const }]]) };
    const error = await loadError(loadSecrets(bare, { production: false, dockerDir: emptyDocker, cwd: emptyDocker, env: {}, providers: [memory] }));
    expect(error.message).toContain(
      `API_KEY: no value found (tried mem://x (not found), ${emptyDocker}/API_KEY (no such file), ${emptyDocker}/api_key (no such file), env API_KEY (not set or empty)); store it at mem://x, or put it in ${emptyDocker}/API_KEY or point API_KEY_FILE at a file, or set the environment variable API_KEY, or add API_KEY=… to .env.local, or add a devDefault in the schema, or make it optional in the schema (.optional() or optional: true; devOptional: true to require it in production only).`,
    );
  });

  it("warns through onWarning, never console, when given", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await load({ env: {} });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
