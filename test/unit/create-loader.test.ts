/**
 * The generated module's loader: production validates with the plans and imports the schema (and
 * so zod) only when a field needs zod; development always imports it and refuses stale plans.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { createLoader, SecretsLoadError } from "../../src/runtime/index.ts";
import { toManifest } from "../../src/schema/manifest.ts";
import { planOf } from "../../src/schema/plan-of.ts";
import type { SecretsSchema } from "../../src/schema/define.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const schema = defineSecrets({
  API_KEY: secret(z.string().min(20)),
  PORT: z.coerce.number().int().default(3000),
  LOG_LEVEL: z.enum(["debug", "info"]),
});

/** What the codegen would write for `source`, importing `imported` and counting the imports. */
function generated(source: SecretsSchema, imported: SecretsSchema = source) {
  const imports = { count: 0 };
  const module = {
    manifest: toManifest(source.fields),
    plans: Object.fromEntries(source.fields.map((field) => [field.name, planOf(field.validator)])),
    schema: async () => (imports.count++, { default: imported }),
  };
  return { module, imports };
}

const env = { API_KEY: secretValue("api-key"), PORT: "8080", LOG_LEVEL: "info" };

describe("createLoader (generated modules)", () => {
  it("in production, validates with the plans without importing the schema", async () => {
    const { module, imports } = generated(schema);
    const secrets = await createLoader<Record<string, unknown>>(module)({ env, production: true, dockerDir: "/nonexistent" });
    expect({ ...secrets, API_KEY: secrets.API_KEY === env.API_KEY }).toEqual({ API_KEY: true, PORT: 8080, LOG_LEVEL: "info" });
    expect(imports.count).toBe(0);
  });

  it("in production, reports plan failures with zod's messages, never the value", async () => {
    const { module, imports } = generated(schema);
    const error = await createLoader(module)({ env: { ...env, API_KEY: "s3cr3t-sentinel-x", PORT: "1.5" }, production: true, dockerDir: "/nonexistent" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsLoadError);
    const message = (error as Error).message;
    expect(message).toContain("Too small: expected string to have >=20 characters");
    expect(message).toContain("Invalid input: expected int, received number");
    expectNoSentinel(message);
    expect(imports.count).toBe(0);
  });

  it("imports the schema once, only when a field needs zod (a default zod computes)", async () => {
    const { module, imports } = generated(schema);
    const secrets = await createLoader<Record<string, unknown>>(module)({ env: { API_KEY: env.API_KEY, LOG_LEVEL: "debug" }, production: true, dockerDir: "/nonexistent" });
    expect(secrets.PORT).toBe(3000);
    expect(imports.count).toBe(1);
  });

  it("in production, a field without a plan means zod validates everything", async () => {
    const withTransform = defineSecrets({ HOSTS: z.string().transform((value) => value.split(",")) });
    const { module, imports } = generated(withTransform);
    expect(module.plans.HOSTS).toBeNull();
    const secrets = await createLoader<Record<string, unknown>>(module)({ env: { HOSTS: "a,b" }, production: true });
    expect(secrets.HOSTS).toEqual(["a", "b"]);
    expect(imports.count).toBe(1);
  });

  it("in development, imports the schema and refuses plans that no longer match it", async () => {
    const changed = defineSecrets({
      API_KEY: secret(z.string().min(32)),
      PORT: z.coerce.number().int().default(3000),
      LOG_LEVEL: z.enum(["debug", "info"]),
    });
    const stale = generated(schema, changed);
    await expect(createLoader(stale.module)({ env, production: false })).rejects.toThrow("out of date with its schema (changed: API_KEY): run `npx secrets-gen`");
    const current = generated(schema);
    await expect(createLoader(current.module)({ env, production: false, dockerDir: "/nonexistent", dotenv: false })).resolves.toBeDefined();
    expect(current.imports.count).toBe(1);
  });

  it("treats a module whose plans lack a field as stale rather than crashing", async () => {
    const { module, imports } = generated(schema);
    const { PORT: _, ...partial } = module.plans;
    await expect(createLoader({ ...module, plans: partial })({ env, production: true })).rejects.toThrow(/out of date with its schema/);
    expect(imports.count).toBe(1);
  });

  it("in production, fails closed when the schema evaluates differently from what was generated, naming the field", async () => {
    // Generated under development (optional), imported under production (required): never start.
    const asInDevelopment = defineSecrets({ SECRET: secret(z.string().optional()), HOSTS: z.string().transform((value) => value.split(",")) });
    const asInProduction = defineSecrets({ SECRET: secret(z.string()), HOSTS: z.string().transform((value) => value.split(",")) });
    const { module } = generated(asInDevelopment, asInProduction);
    const error = await createLoader(module)({ env: { HOSTS: "a" }, production: true }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "the generated secrets module is out of date with its schema (changed: SECRET): run `npx secrets-gen` to regenerate it",
    );
  });

  it("refuses a manifest that no longer matches the schema", async () => {
    const renamed = defineSecrets({ API_TOKEN: secret(z.string()) });
    const { module } = generated(schema, renamed);
    await expect(createLoader(module)({ env, production: false })).rejects.toThrow(/out of date with its schema \(changed: API_KEY, PORT, LOG_LEVEL, API_TOKEN\)/);
  });
});
