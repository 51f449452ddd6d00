/**
 * Issue #14: zod decides optionality, devOptional is "required in production only", config()
 * gives plain fields options, and the hints a missing field gets point the right way.
 */
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { config, defineSecrets, SchemaError, secret, type SecretsOutput } from "../../src/index.ts";
import { explain, loadSecrets, provenance, SecretsLoadError, type LoadOptions } from "../../src/runtime/index.ts";
import { toManifest } from "../../src/schema/manifest.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const empty = writeFiles(join(tempDir(), "empty"), {});

async function load<T>(schema: Parameters<typeof loadSecrets>[0], options: LoadOptions & { env?: Record<string, string> }): Promise<T> {
  return loadSecrets<T>(schema, { dockerDir: empty, cwd: empty, onWarning: () => {}, ...options, env: options.env ?? {} });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SecretsLoadError);
  expectNoSentinel((error as Error).message);
  return (error as Error).message;
}

describe("zod decides optionality (repro 2)", () => {
  const schema = defineSecrets({
    MAYBE: secret(z.string().optional()),
    EMPTY_DEFAULT: secret(z.string().default("")),
    CAUGHT: secret(z.string().min(3).catch("fallback")),
    NULLISH: secret(z.string().nullish()),
    EITHER: secret(z.union([z.string(), z.undefined()])),
    WITH_FLAG: secret(z.string().default("x"), { optional: true }),
  });

  it("loads secrets whose zod schema accepts a missing value, applying zod's default", async () => {
    const secrets = await load<Record<string, unknown>>(schema, { production: true });
    const expected = { MAYBE: undefined, EMPTY_DEFAULT: "", CAUGHT: "fallback", NULLISH: undefined, EITHER: undefined, WITH_FLAG: "x" };
    // Sensitive fields are not enumerable (src/runtime/secrets-object.ts): read each one.
    expect(Object.fromEntries(Object.keys(expected).map((field) => [field, secrets[field]]))).toEqual(expected);
  });

  it("types a defaulted secret as zod's output type, not T | undefined", () => {
    type Out = SecretsOutput<typeof schema.shape>;
    expectTypeOf<Out["EMPTY_DEFAULT"]>().toEqualTypeOf<string>();
    expectTypeOf<Out["WITH_FLAG"]>().toEqualTypeOf<string>();
    expectTypeOf<Out["MAYBE"]>().toEqualTypeOf<string | undefined>();
  });

  it("writes optional into the manifest from zod's own rules", () => {
    const manifest = toManifest(schema.fields);
    expect(Object.values(manifest).map((field) => field.optional)).toEqual([true, true, true, true, true, true]);
    expect(toManifest(defineSecrets({ PORT: z.coerce.number().default(3000) }).fields).PORT!.optional).toBe(true);
  });

  it("still requires a secret whose schema has an async refinement (cannot be asked synchronously)", async () => {
    const asyncSchema = defineSecrets({ TOKEN: secret(z.string().optional().refine(async () => true)) });
    expect(asyncSchema.fields[0]!.optional).toBe(false);
  });

  it("refuses a zod default together with a devDefault, which could never be used", () => {
    expect(() => defineSecrets({ X: secret(z.string().default("a"), { devDefault: "b" }) })).toThrow(SchemaError);
    expect(() => defineSecrets({ X: secret(z.string().default("a"), { devDefault: "b" }) })).toThrow(
      "field X in the schema has both a zod default (.default() or .catch()) and a devDefault, so the devDefault would never be used: remove one of them",
    );
    expect(defineSecrets({ X: secret(z.string().optional(), { devDefault: "b" }) }).fields[0]!.devDefault).toBe("b");
  });

  it("labels an unset optional field as unset, and a zod default as the schema default (repro 5)", async () => {
    const secrets = await load<object>(schema, { production: false });
    expect(provenance(secrets, "MAYBE")).toMatchObject({ source: "unset", where: "not set (optional)" });
    expect(provenance(secrets, "EMPTY_DEFAULT")).toMatchObject({ source: "schema", where: "schema default" });
    expect(explain(secrets)).toMatch(/^MAYBE +secret +unset +not set \(optional\)/m);
    expect(explain(secrets)).toMatch(/^EMPTY_DEFAULT +secret +schema +schema default/m);
  });
});

describe("devOptional: required in production, optional elsewhere (repro 1)", () => {
  const schema = defineSecrets({
    AUTH_SECRET: secret(z.string().min(8), { devOptional: true }),
    FEATURE: config(z.string(), { devOptional: true }),
  });

  it("is undefined outside production when nothing provides it", async () => {
    const secrets = await load<Record<string, unknown>>(schema, { production: false });
    expect(secrets.AUTH_SECRET).toBeUndefined();
    expect(secrets.FEATURE).toBeUndefined();
    expect(provenance(secrets, "AUTH_SECRET")).toMatchObject({ source: "unset" });
  });

  it("fails production start-up like any required field", async () => {
    const message = await failure(load(schema, { production: true }));
    expect(message).toContain("AUTH_SECRET: no value found");
    expect(message).toContain("FEATURE: no value");
  });

  it("still validates a value that is there, in every mode", async () => {
    const message = await failure(load(schema, { production: false, env: { AUTH_SECRET: "short", FEATURE: "on" } }));
    expect(message).toContain("AUTH_SECRET: the value from env AUTH_SECRET is invalid");
  });

  it("is typed T | undefined and recorded in the manifest", () => {
    type Out = SecretsOutput<typeof schema.shape>;
    expectTypeOf<Out["AUTH_SECRET"]>().toEqualTypeOf<string | undefined>();
    expect(toManifest(schema.fields).AUTH_SECRET).toMatchObject({ optional: false, devOptional: true });
    expect(toManifest(defineSecrets({ X: secret(z.string()) }).fields).X).not.toHaveProperty("devOptional");
  });

  it("refuses a devOptional that is not a boolean", () => {
    expect(() => defineSecrets({ X: secret(z.string(), { devOptional: "yes" as never }) })).toThrow(
      'field X in the schema has devOptional: "yes": write devOptional: true or leave it out',
    );
  });
});

describe("config(): plain fields with env and description (repro 4)", () => {
  const schema = defineSecrets({
    AUTH_DEFAULT_TEAM_ID: config(z.string(), { env: "AUTH_SSO_DEFAULT_TEAM_ID", description: "Team new SSO users join" }),
  });

  it("reads the named variable, and the field is neither sensitive nor redacted", async () => {
    const secrets = await load<Record<string, unknown>>(schema, { production: true, env: { AUTH_SSO_DEFAULT_TEAM_ID: "team-7" } });
    expect(secrets.AUTH_DEFAULT_TEAM_ID).toBe("team-7");
    expect(JSON.stringify(secrets)).toBe('{"AUTH_DEFAULT_TEAM_ID":"team-7"}');
    expect(provenance(secrets, "AUTH_DEFAULT_TEAM_ID")).toMatchObject({ sensitive: false, source: "env", where: "env AUTH_SSO_DEFAULT_TEAM_ID" });
  });

  it("describes its chain as env then .env only, with its description, in the manifest", () => {
    expect(toManifest(schema.fields).AUTH_DEFAULT_TEAM_ID).toEqual({
      sensitive: false, description: "Team new SSO users join", from: [], files: [], env: "AUTH_SSO_DEFAULT_TEAM_ID",
      devDefault: false, optional: false, productionSources: ["env", "dotenv"],
    });
  });

  it("never reads files for a plain field", async () => {
    const docker = writeFiles(join(tempDir(), "docker"), { AUTH_DEFAULT_TEAM_ID: "from-file", AUTH_SSO_DEFAULT_TEAM_ID: "from-file" });
    const message = await failure(load(schema, { production: true, dockerDir: docker }));
    expect(message).toContain("AUTH_DEFAULT_TEAM_ID: no value (tried env AUTH_SSO_DEFAULT_TEAM_ID (not set or empty))");
  });

  it("refuses options only secret() takes, which a plain field would silently ignore", () => {
    expect(() => defineSecrets({ X: config(z.string(), { from: "vault://a/b#c" } as never) })).toThrow(
      "field X in the schema passes from to config(), which only secret() fields take: use secret() or say it in the zod schema",
    );
  });

  it("refuses a bad env name with a SchemaError naming the field", () => {
    expect(() => defineSecrets({ X: config(z.string(), { env: "A-B" }) })).toThrow('field X in the schema has env "A-B", which is not a valid environment variable name');
  });
});

describe("hints for a missing value (repro 5)", () => {
  it("mention optional and devOptional as a way out", async () => {
    const schema = defineSecrets({ TOKEN: secret(z.string()), PORT: z.coerce.number() });
    const dev = await failure(load(schema, { production: false, dotenv: false }));
    expect(dev).toContain("or make it optional in the schema (.optional() or optional: true; devOptional: true to require it in production only).");
    expect(dev).toMatch(/PORT: no value \(tried env PORT \(not set or empty\)\); set the environment variable PORT, give it a \.default\(\) in the schema, or make it optional/);
    const production = await failure(load(schema, { production: true }));
    expect(production).toContain("or if it may be missing, make it optional in the schema (.optional() or optional: true).");
  });

  it("say when production found the value only in an ignored .env file", async () => {
    const cwd = writeFiles(join(tempDir(), "app"), { ".env.local": `TOKEN=${secretValue("dotenv")}\n` });
    const schema = defineSecrets({ TOKEN: secret(z.string()) });
    const message = await failure(load(schema, { production: true, cwd }));
    expect(message).toContain(
      "env TOKEN (not set; present in .env.local, but production ignores .env files: set the env var, or opt in with SECRETS_DOTENV=true)",
    );
    expect(message).not.toContain("env TOKEN (not set or empty)");
  });
});
