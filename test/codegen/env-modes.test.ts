/**
 * Issue #14, repro 1: a schema that reads the environment while it is evaluated must never
 * generate a module that fails open in production, and `--check` must not trust its cache.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../src/codegen/generate.ts";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { writeFiles } from "../helpers/tmp.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
// Inside the repository (and git-ignored), so the schemas resolve zod from its node_modules.
const dir = mkdtempSync(join(REPO, "test/fixtures/codegen/.tmp-env-modes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Each app is a folder of `dir`.
const SRC = relative(join(dir, "app"), join(REPO, "src")).split("\\").join("/");

const schemaText = (fields: string) =>
  `import { z } from "zod";\nimport { defineSecrets, secret } from "${SRC}/index.ts";\n\nexport default defineSecrets({\n${fields}\n});\n`;

function generateIn(name: string, fields: string) {
  const app = writeFiles(join(dir, name), { "secrets.schema.ts": schemaText(fields) });
  return generate({ schema: join(app, "secrets.schema.ts"), runtimeImport: `../${relative(app, join(REPO, "src/runtime/index.ts"))}` }).then(
    (generated) => ({ app, generated }),
  );
}

describe("a schema whose fields differ by NODE_ENV", () => {
  it.each([
    ["t3-env-ternary", `  BETTER_AUTH_SECRET: process.env.NODE_ENV === "production" ? secret(z.string()) : secret(z.string().optional()),`],
    ["optional-from-node-env", `  BETTER_AUTH_SECRET: secret(z.string(), { optional: process.env.NODE_ENV !== "production" }),`],
  ])("is refused at generate time, naming the field and the static way to say it (%s)", async (_case, fields) => {
    const error = await generateIn(_case, `${fields}\n  PORT: z.coerce.number().default(3000),`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/depends on the environment it is evaluated in \(BETTER_AUTH_SECRET has a different optional( and validation rules)? when NODE_ENV is production and when it is development\)/);
    expect(message).toContain("devOptional: true");
    expect(message).not.toContain("PORT");
    expect(message.split("\n")).toHaveLength(1);
  });

  it("is refused when a validation rule differs by mode", async () => {
    const error = await generateIn("rules", `  KEY: secret(process.env.NODE_ENV === "test" ? z.string() : z.string().min(32)),`).catch((e: unknown) => e);
    expect((error as Error).message).toContain("KEY has a different validation rules when NODE_ENV is production and when it is test");
  });

  it("is refused when a field is declared in some modes only", async () => {
    const error = await generateIn("presence", `  TOKEN: secret(z.string()),\n  ...(process.env.NODE_ENV === "production" ? {} : { DEBUG_TOKEN: secret(z.string()) }),`).catch((e: unknown) => e);
    expect((error as Error).message).toContain("(DEBUG_TOKEN is declared when NODE_ENV is development but not when it is production)");
  });

  it("generates when the schema reads NODE_ENV but every field comes out the same", async () => {
    const { generated } = await generateIn("same", `  TOKEN: secret(z.string(), { description: process.env.NODE_ENV ? "Token" : "Token" }),`);
    expect(generated.envRead).toContain("NODE_ENV");
  });
});

describe("devOptional in a generated module, run for real", () => {
  const main = `import { secrets, provenance } from "./generated/index.ts";\nconsole.log("AUTH=" + typeof secrets.BETTER_AUTH_SECRET + " " + provenance("BETTER_AUTH_SECRET").source);\n`;

  function runApp(app: string, env: Record<string, string>) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(app, "main.ts")], {
        cwd: app,
        env: { PATH: process.env.PATH ?? "", SECRETS_DOCKER_DIR: join(app, "no-docker"), ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("starts outside production with the secret unset, and refuses to start in production", async () => {
    const { app, generated } = await generateIn("dev-optional", `  BETTER_AUTH_SECRET: secret(z.string().min(8), { devOptional: true }),`);
    for (const file of generated.files) writeFiles(app, { [relative(app, file.path)]: file.content });
    writeFileSync(join(app, "main.ts"), main);
    expect(generated.files[0]!.content).toContain("readonly BETTER_AUTH_SECRET: string | undefined;");

    const development = await runApp(app, { NODE_ENV: "development" });
    expect(development).toMatchObject({ code: 0, stdout: "AUTH=undefined unset\n" });

    const production = await runApp(app, { NODE_ENV: "production" });
    expect(production.code).toBe(1);
    expect(production.stderr).toContain("BETTER_AUTH_SECRET: no value found");
    expect(production.stdout).not.toContain("AUTH=");

    const provided = await runApp(app, { NODE_ENV: "production", BETTER_AUTH_SECRET: secretValue("auth") });
    expect(provided).toMatchObject({ code: 0, stdout: "AUTH=string env\n" });
    expectNoSentinel(development, production, provided);
  }, 300_000);
});

describe("secrets-gen --check and its cache", () => {
  it("does not answer a production --check from a cache made in development", async () => {
    const app = writeFiles(join(dir, "cache-mode"), {
      "secrets.schema.ts": schemaText(`  BETTER_AUTH_SECRET: secret(z.string(), { optional: process.env.NODE_ENV !== "production" }),`),
    });
    const args = ["--schema", join(app, "secrets.schema.ts")];
    await runCli(args, { cwd: app, env: { ...process.env, NODE_ENV: "development" } });
    const check = await runCli([...args, "--check"], { cwd: app, env: { ...process.env, NODE_ENV: "production" } });
    expect(check.code).toBe(1);
    expect(check.stdout).not.toContain("up to date");
  }, 300_000);

  it("never shortcuts a schema that reads the environment: a changed variable makes --check fail", async () => {
    const app = writeFiles(join(dir, "cache-env"), {
      "secrets.schema.ts": schemaText(`  DB: secret(z.string(), { description: process.env.DB_LABEL ?? "Database" }),`),
    });
    const args = ["--schema", join(app, "secrets.schema.ts")];
    const env = { ...process.env, DB_LABEL: "Primary database" };
    expect(await runCli(args, { cwd: app, env })).toMatchObject({ code: 0, stdout: expect.stringContaining("wrote") });
    expect(await runCli([...args, "--check"], { cwd: app, env })).toMatchObject({ code: 0, stdout: expect.not.stringContaining("inputs unchanged") });
    const changed = await runCli([...args, "--check"], { cwd: app, env: { ...env, DB_LABEL: "Replica" } });
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("Replica. Secret.");
  }, 300_000); // three CLI runs, each type-checking
});
