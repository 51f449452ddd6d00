import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadSchema } from "../../src/codegen/load-schema.ts";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/import/", import.meta.url));
const projects: string[] = [];
afterAll(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A project directory inside the repository: a written schema's imports of "zod" and "secrets-gen"
 * (the package's own name) resolve from here, so the real loader can load it.
 */
function project(files: Record<string, string> = {}): string {
  const dir = join(FIXTURES, `tmp-import-${randomBytes(6).toString("hex")}`);
  projects.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copy a fixture into a new project as src/<its real name> (".ts.txt" keeps tsc off the fixtures) and import it there. */
async function importFixture(fixture: string, ...args: string[]) {
  const dir = project();
  const input = `src/${basename(fixture).replace(/\.txt$/, "")}`;
  mkdirSync(join(dir, "src"));
  copyFileSync(join(FIXTURES, fixture), join(dir, input));
  const result = await runCli(["import", input, ...args], { cwd: dir });
  return { dir, input, ...result };
}

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
/** The line that declares a field in a written schema. */
const fieldLine = (schema: string, name: string) => schema.split("\n").find((line) => line.startsWith(`  ${name}: `));
// Each CLI run starts Node with tsx, and some tests run it several times: slow on a busy machine.
const SLOW = { timeout: 180_000 };

describe("secrets-gen import: t3-env", SLOW, () => {
  it("converts create-t3-app's env.js: the production ternary becomes devOptional, secrets are marked by name, zod kept as written", async () => {
    const { code, stdout, stderr, dir } = await importFixture("create-t3-app/with-better-auth-db-planetscale.js");
    expect(code).toBe(0);
    expect(stdout).toBe(`// Converted by \`secrets-gen import\` from src/with-better-auth-db-planetscale.js (t3-env). Review it, then run \`npx secrets-gen\`.
// secret(...) marks the fields whose names look sensitive: check each one, and wrap any other sensitive field in secret().
// TODO(secrets-gen import): skipValidation is not converted: secrets-gen never skips validation, but generating needs no values, so code that runs during a build should import generated/secrets.ts and call loadSecrets() when it runs rather than import generated/index.ts

import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  BETTER_AUTH_SECRET: secret(z.string(), { devOptional: true }),
  BETTER_AUTH_GITHUB_CLIENT_ID: z.string(),
  BETTER_AUTH_GITHUB_CLIENT_SECRET: secret(z.string()),
  DATABASE_URL: secret(
    z
      .string()
      .url()
      .refine(
        (str) => !str.includes("YOUR_MYSQL_URL_HERE"),
        "You forgot to change the default URL"
      ),
  ),
  NODE_ENV: z
    .enum(["development", "test", "production"])
    .default("development"),
});
`);
    expect(stderr).toBe(`secrets-gen: converted 5 fields from t3-env.
Marked secret(...) by name — review these, and wrap any other sensitive field in secret():
  BETTER_AUTH_SECRET                name contains SECRET
  BETTER_AUTH_GITHUB_CLIENT_SECRET  name contains SECRET
  DATABASE_URL                      a connection string, which holds credentials
Not converted (marked TODO(secrets-gen import) in the schema):
  - skipValidation is not converted: secrets-gen never skips validation, but generating needs no values, so code that runs during a build should import generated/secrets.ts and call loadSecrets() when it runs rather than import generated/index.ts
Notes:
  - emptyStringAsUndefined needs no option: secrets-gen always treats an empty variable as not set
dry run: nothing was written; run with --write to write secrets.schema.ts
`);
    expect(existsSync(join(dir, "secrets.schema.ts"))).toBe(false);
  });

  it("converts create-t3-app's auth + db env.js (AUTH_SECRET devOptional, the Discord secret marked, the Discord id plain)", async () => {
    const { code, stdout } = await importFixture("create-t3-app/with-auth-db.js");
    expect(code).toBe(0);
    expect(fieldLine(stdout, "AUTH_SECRET")).toBe(`  AUTH_SECRET: secret(z.string(), { devOptional: true }),`);
    expect(fieldLine(stdout, "AUTH_DISCORD_ID")).toBe(`  AUTH_DISCORD_ID: z.string(),`);
    expect(fieldLine(stdout, "AUTH_DISCORD_SECRET")).toBe(`  AUTH_DISCORD_SECRET: secret(z.string()),`);
    expect(fieldLine(stdout, "DATABASE_URL")).toBe(`  DATABASE_URL: secret(z.string().url()),`);
  });

  it("writes schemas the real loader accepts: create-t3-app's db and base env.js", async () => {
    const db = await importFixture("create-t3-app/with-db.js", "--write");
    expect(db.code).toBe(0);
    expect(db.stdout).toBe("secrets-gen: wrote secrets.schema.ts: review it, then run `npx secrets-gen`\n");
    const schema = await loadSchema(join(db.dir, "secrets.schema.ts"));
    expect(schema.fields.map(({ name, sensitive }) => [name, sensitive])).toEqual([["DATABASE_URL", true], ["NODE_ENV", false]]);
    const [url, nodeEnv] = schema.fields.map((field) => field.validator);
    expect(url!.safeParse("postgres://db.internal/app").success).toBe(true);
    expect(url!.safeParse("not a url").success).toBe(false);
    expect(nodeEnv!.parse(undefined)).toBe("development");

    const base = await importFixture("create-t3-app/base-env.js", "--write");
    expect(base.code).toBe(0);
    const baseSchema = await loadSchema(join(base.dir, "secrets.schema.ts"));
    expect(baseSchema.fields.map((field) => field.name)).toEqual(["NODE_ENV"]);
    expect(base.stderr).toContain("No field name looks sensitive, so none is marked secret(...): wrap each sensitive field in secret() yourself.");
  });

  it("converts t3-env's documented core example: client variables are reported, runtimeEnv: process.env reads fields by name", async () => {
    const { code, stdout, stderr, dir } = await importFixture("t3-env/docs-core-env.ts.txt", "--write");
    expect(code).toBe(0);
    const schema = read(dir, "secrets.schema.ts");
    expect(schema).toContain(`import * as z from "zod";\nimport { defineSecrets, secret } from "secrets-gen";`);
    expect(fieldLine(schema, "DATABASE_URL")).toBe("  DATABASE_URL: secret(z.url()),");
    expect(fieldLine(schema, "OPEN_AI_API_KEY")).toBe("  OPEN_AI_API_KEY: secret(z.string().min(1)),");
    expect(schema).not.toContain("  PUBLIC_CLERK_PUBLISHABLE_KEY:");
    const clientNote = "client variables PUBLIC_CLERK_PUBLISHABLE_KEY are not converted: the browser bundle gets them at build time, which secrets-gen does not do, so keep them in t3-env or your framework's public env";
    expect(schema).toContain(`// TODO(secrets-gen import): ${clientNote}\n`);
    expect(stderr).toContain(`  - ${clientNote}\n`);
    expect(stderr).toContain("  - clientPrefix is not converted: client variables stay with t3-env\n");
    expect(stdout).toBe("secrets-gen: wrote secrets.schema.ts: review it, then run `npx secrets-gen`\n");
    expect((await loadSchema(join(dir, "secrets.schema.ts"))).fields.map((field) => field.name)).toEqual(["DATABASE_URL", "OPEN_AI_API_KEY"]);
  });

  it("reports t3-env's createFinalSchema and extends (its documented examples) as not converted, and keeps shared fields", async () => {
    const final = await importFixture("t3-env/docs-create-final-schema.ts.txt", "--write");
    expect(final.code).toBe(0);
    const schema = read(final.dir, "secrets.schema.ts");
    expect(schema).toContain("// TODO(secrets-gen import): createFinalSchema (checks across fields) is not converted: check those rules in your code after the secrets load\n");
    expect(fieldLine(schema, "PASSWORD")).toBe("  PASSWORD: secret(z.string().min(1).optional()),");
    expect((await loadSchema(join(final.dir, "secrets.schema.ts"))).fields.map((field) => field.name)).toEqual(["SKIP_AUTH", "EMAIL", "PASSWORD"]);

    const nextjs = await importFixture("t3-env/examples-nextjs-env.ts.txt");
    expect(nextjs.code).toBe(0);
    expect(nextjs.stdout).toContain("// TODO(secrets-gen import): extends ([vercel()]) is not converted: declare the variables of those presets that your code reads as fields here\n");
    expect(fieldLine(nextjs.stdout, "SECRET")).toBe("  SECRET: secret(z.string()),");
    expect(fieldLine(nextjs.stdout, "NODE_ENV")).toBe(`  NODE_ENV: z.enum(["development", "production"]),`);
    expect(nextjs.stderr).toContain("client variables NEXT_PUBLIC_GREETING are not converted");
  });

  it("turns runtimeEnv renames into env options (config() for plain fields), and marks what it cannot convert faithfully", async () => {
    const { code, stdout, stderr } = await importFixture("ours/t3-env-renames.ts.txt");
    expect(code).toBe(0);
    expect(stdout).toContain(`import { config, defineSecrets, secret } from "secrets-gen";`);
    expect(stdout).toContain([
      "  // TODO(secrets-gen import): uses teamId from the original file: copy it into this schema",
      `  AUTH_DEFAULT_TEAM_ID: config(teamId.optional(), { env: "AUTH_SSO_DEFAULT_TEAM_ID" }),`,
      "  // The server-side Stripe key.",
      `  STRIPE_KEY: secret(z.string().startsWith("sk_"), { env: "STRIPE_SECRET_KEY" }),`,
      // The !== spelling of the production pattern, branches swapped.
      `  SMTP_PASSWORD: secret(z.string(), { devOptional: true }),`,
      `  LOG_LEVEL: z.enum(["debug", "info", "warn"]).default("info").describe("Lowest level written"),`,
      "  // TODO(secrets-gen import): t3-env picked this schema when the file loaded (`process.env.VERCEL ? … : …`); secrets-gen fixes it when generating, so this is the first branch: make it right for every environment",
      "  UPLOAD_URL: z.string(),",
      "  // TODO(secrets-gen import): t3-env's runtimeEnv computes it `process.env.SITE_URL ?? process.env.VERCEL_URL`, but secrets-gen reads the variable SITE_URL: set env: to read another one, or a default",
      "  SITE_URL: z.string().url(),",
    ].join("\n"));
    expect(stderr).toContain("  STRIPE_KEY     name contains KEY\n  SMTP_PASSWORD  name contains PASSWORD\n");
    expect(stderr).toContain("  - AUTH_DEFAULT_TEAM_ID: uses teamId from the original file: copy it into this schema\n");
  });
});

describe("secrets-gen import: envalid", SLOW, () => {
  it("converts envalid's README example: validators to zod, default, desc, choices, and a json helper", async () => {
    const { code, stdout, stderr } = await importFixture("envalid/readme-example.js");
    expect(code).toBe(0);
    expect(stdout).toContain(`import { z } from "zod";\nimport { config, defineSecrets, secret } from "secrets-gen";\n`);
    expect(stdout).toContain("const json = z.string().transform((text, ctx) => {");
    expect(stdout).toContain([
      "export default defineSecrets({",
      "  API_KEY: secret(z.string()),",
      `  ADMIN_EMAIL: z.email().default("admin@example.com"),`,
      `  EMAIL_CONFIG_JSON: config(json, { description: "Additional email parameters" }),`,
      `  NODE_ENV: z.enum(["development", "test", "production", "staging"]),`,
      "});",
    ].join("\n"));
    expect(stderr).toContain("  API_KEY  name contains KEY\n");
  });

  it("marks a custom makeValidator() validator (envalid's README example) as not converted", async () => {
    const { code, stdout, stderr } = await importFixture("envalid/readme-custom-validator.js");
    expect(code).toBe(0);
    const todo = "its validator `twochars()` is not one of envalid's (a custom validator?): write its check in zod (.refine, .transform); until then any text passes";
    expect(stdout).toContain(`  // TODO(secrets-gen import): ${todo}\n  INITIALS: z.string(),\n`);
    expect(stderr).toContain(`  - INITIALS: ${todo}\n`);
    expect(stderr).toContain("secrets-gen: converted 1 field from envalid.\n");
  });

  it("converts a real NestJS app's validators (novu's API) into a schema the loader accepts, marking conditional and computed fields", async () => {
    const { code, stdout, stderr, dir } = await importFixture("novu/env.validators.ts.txt", "--write");
    expect(code).toBe(0);
    expect(stdout).toBe("secrets-gen: wrote secrets.schema.ts: review it, then run `npx secrets-gen`\n");
    const text = read(dir, "secrets.schema.ts");
    // The feature-flag fields are computed at run time: reported, not guessed.
    expect(text).toContain("// TODO(secrets-gen import): `...Object.keys(FeatureFlagsKeysEnum).reduce( (acc, key) => …` is not converted (a spread or a computed name): declare the fields it adds here\n");
    expect(fieldLine(text, "PORT")).toBe("  PORT: z.coerce.number().int().min(1).max(65535),");
    expect(fieldLine(text, "DISABLE_USER_REGISTRATION")).toBe("  DISABLE_USER_REGISTRATION: z.stringbool().default(false),");
    expect(fieldLine(text, "REDIS_TLS")).toBe("  REDIS_TLS: json.optional(),"); // default: undefined
    expect(fieldLine(text, "MONGO_MAX_POOL_SIZE")).toBe("  MONGO_MAX_POOL_SIZE: z.coerce.number().default(500),");
    expect(fieldLine(text, "STRIPE_API_KEY")).toBe("  STRIPE_API_KEY: secret(z.string().optional()),");
    // A default imported from another package is not copied as a name the schema lacks.
    expect(fieldLine(text, "NOTIFICATION_RETENTION_DAYS")).toBe("  NOTIFICATION_RETENTION_DAYS: z.coerce.number(),");
    expect(text).toContain("// TODO(secrets-gen import): its default `DEFAULT_NOTIFICATION_RETENTION_DAYS` uses names from the original file or the environment: write the value here (.default(...)); until then the field is required\n");
    expect(text).toContain([
      "  // TODO(secrets-gen import): envalid declared it only when `processEnv.STORAGE_SERVICE === 'AWS'`; here it is always declared and optional: check that rule in your code",
      "  AWS_SECRET_ACCESS_KEY: secret(z.string().optional()),",
    ].join("\n"));
    expect(stderr).toContain("  MONGO_URL                         a connection string, which holds credentials\n");
    expect(stderr).toContain("  - bool() became z.stringbool(), which takes true/false, 1/0, yes/no, on/off, y/n and enabled/disabled in any case, but not envalid's t/f\n");

    const schema = await loadSchema(join(dir, "secrets.schema.ts"));
    expect(schema.fields).toHaveLength(53);
    expect(schema.fields.filter((field) => field.sensitive)).toHaveLength(15);
    const validator = (name: string) => schema.fields.find((field) => field.name === name)!.validator;
    expect(validator("REDIS_TLS").parse('{"rejectUnauthorized":false}')).toEqual({ rejectUnauthorized: false });
    expect(validator("REDIS_TLS").safeParse("{not json").success).toBe(false); // an issue, not a thrown SyntaxError
    expect(validator("PORT").parse("8080")).toBe(8080);
    expect(validator("PORT").safeParse("70000").success).toBe(false);
    expect(validator("ENABLE_OTEL").parse("yes")).toBe(true);
    expect(validator("NODE_ENV").safeParse("staging").success).toBe(false);
  });

  it("maps every envalid option: devDefault on secrets, desc/docs/example to description, number choices; reports the rest", async () => {
    const { code, stdout, stderr } = await importFixture("ours/envalid-options.ts.txt");
    expect(code).toBe(0);
    expect(stdout).toContain([
      "  // TODO(secrets-gen import): envalid's devDefault has no equivalent for a non-secret field: put PORT=3000 in .env for development",
      `  PORT: config(z.coerce.number().int().min(1).max(65535), { description: "HTTP port" }),`,
      `  DB_PASSWORD: secret(z.string(), { devDefault: "dev-only-password", description: "Docs: https://example.com/docs/db" }),`,
      "  // TODO(secrets-gen import): envalid's devDefault has no equivalent for a non-secret field: put SMTP_HOST=localhost in .env for development",
      "  SMTP_HOST: z.union([z.hostname(), z.ipv4(), z.ipv6()]),",
      "  WORKERS: z.coerce.number().pipe(z.literal([1, 2, 4])).default(2),",
      "  DEBUG: z.stringbool().default(false),",
      "  WEBHOOK_URL: z.url().optional(),",
      "  // TODO(secrets-gen import): requiredWhen (a rule across fields) is not converted: the field is optional here, so check that rule in your code",
      "  SENTRY_DSN: secret(z.string().optional()),",
      "  // TODO(secrets-gen import): its testDefault `\"test-region\"` is not converted: set REGION in your test environment",
      `  REGION: config(z.string(), { description: "Example: eu-west-1" }),`,
    ].join("\n"));
    expect(stderr).toContain("  - cleanEnv's options ({ reporter: null }) are not converted: secrets-gen reports every invalid field itself, naming it and never its value\n");
  });

  it("never prints a secret field's default, testDefault or runtimeEnv fallback in its notes", async () => {
    const token = secretValue("import-default");
    const dir = project({
      "envalid.ts": `import { cleanEnv, str } from "envalid";\nconst prefix = "x";\nexport const env = cleanEnv(process.env, {\n  API_TOKEN: str({ default: \`\${prefix}${token}\`, testDefault: "${token}" }),\n});\n`,
      "t3.ts": `import { createEnv } from "@t3-oss/env-core";\nimport { z } from "zod";\nexport const env = createEnv({\n  server: { API_TOKEN: z.string() },\n  runtimeEnv: { API_TOKEN: process.env.API_TOKEN ?? "${token}" },\n});\n`,
    });
    for (const file of ["envalid.ts", "t3.ts"]) {
      const result = await runCli(["import", file], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("  API_TOKEN: secret(z.string()),");
      expect(result.stderr).toContain("  - API_TOKEN: ");
      expectNoSentinel(result.stdout, result.stderr);
    }
  });
});

describe("secrets-gen import: the command", SLOW, () => {
  it("refuses to replace an existing schema without --force, replaces it with --force, and writes elsewhere with --out", async () => {
    const { dir, input } = await importFixture("create-t3-app/with-db.js");
    writeFileSync(join(dir, "secrets.schema.ts"), "// mine\n");
    const refused = await runCli(["import", input, "--write"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("secrets-gen: secrets.schema.ts already exists: pass --force to replace it, or --out <path> to write elsewhere\n");
    expect(read(dir, "secrets.schema.ts")).toBe("// mine\n");

    const forced = await runCli(["import", input, "--write", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(read(dir, "secrets.schema.ts")).toContain("  DATABASE_URL: secret(z.string().url()),");

    const elsewhere = await runCli(["import", input, "--write", "--out", "config/app.schema.ts"], { cwd: dir });
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toBe("secrets-gen: wrote config/app.schema.ts: review it, then run `npx secrets-gen`\n");
    expect(read(dir, "config/app.schema.ts")).toBe(read(dir, "secrets.schema.ts"));
  });

  it("reads the file without running it", async () => {
    const dir = project({
      "env.ts": `import { writeFileSync } from "node:fs";\nimport { createEnv } from "@t3-oss/env-core";\nimport { z } from "zod";\nwriteFileSync("ran.txt", "");\nexport const env = createEnv({ server: { PORT: z.coerce.number() }, runtimeEnv: process.env });\n`,
    });
    const result = await runCli(["import", "env.ts"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  PORT: z.coerce.number(),");
    expect(existsSync(join(dir, "ran.txt"))).toBe(false);
  });

  it("follows createEnv({ server }) to the const that holds it, and quotes a name that is not an identifier", async () => {
    const dir = project({
      "env.ts": `import { createEnv } from "@t3-oss/env-core";\nimport { z } from "zod";\nconst server = { "LOG-LEVEL": z.string(), PORT: z.coerce.number() };\nexport const env = createEnv({ server, runtimeEnv: process.env });\n`,
    });
    const result = await runCli(["import", "env.ts"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`export default defineSecrets({\n  "LOG-LEVEL": z.string(),\n  PORT: z.coerce.number(),\n});\n`);
  });

  it("explains in one line a file it cannot convert, and wrong usage", async () => {
    const dir = project({
      "plain.ts": `export const port = Number(process.env.PORT ?? 3000);\n`,
      "two.ts": `import { cleanEnv, str } from "envalid";\nexport const a = cleanEnv(process.env, { A: str() });\nexport const b = cleanEnv(process.env, { B: str() });\n`,
    });
    const plain = await runCli(["import", "plain.ts"], { cwd: dir });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe("secrets-gen: plain.ts has no createEnv(...) imported from @t3-oss/env-* and no cleanEnv(...) imported from envalid: pass the file that declares your environment variables\n");
    const two = await runCli(["import", "two.ts"], { cwd: dir });
    expect(two.code).toBe(1);
    expect(two.stderr).toBe("secrets-gen: two.ts declares its environment 2 times (lines 2, 3), so import cannot tell which one to convert: put the one to convert in a file of its own and pass that\n");
    const missing = await runCli(["import", "nope.ts"], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("secrets-gen: cannot read nope.ts (ENOENT): pass the path of your t3-env or envalid file\n");

    const none = await runCli(["import"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("secrets-gen: give the file to convert, e.g. secrets-gen import src/env.ts: run `secrets-gen --help` for usage\n");
    const outWithoutWrite = await runCli(["import", "plain.ts", "--out", "x.ts"], { cwd: dir });
    expect(outWithoutWrite.code).toBe(2);
    expect(outWithoutWrite.stderr).toBe("secrets-gen: --out and --force apply only with --write: run `secrets-gen --help` for usage\n");
  });

  it("has --help, and is listed in secrets-gen --help", async () => {
    const help = await runCli(["import", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: secrets-gen import <file> \[options\]\n/);
    expect(help.stdout).toContain("--force          with --write: replace an existing file");
    const overview = await runCli(["--help"]);
    expect(overview.stdout).toContain("  import     convert a t3-env createEnv() or envalid cleanEnv() file into secrets.schema.ts (prints it unless --write)\n");
  });
});
