/**
 * Plans on real schemas (test/fixtures/real-schemas/, ported from public apps): which fields still
 * need zod, and that a schema made of the newer planned constructs starts in production without
 * importing the schema. `node --import tsx bench/plan-coverage.ts` prints the shares.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { createLoader, SecretsLoadError } from "../../src/runtime/index.ts";
import type { SecretsSchema } from "../../src/schema/define.ts";
import { toManifest } from "../../src/schema/manifest.ts";
import { planOf } from "../../src/schema/plan-of.ts";
import createT3App from "../fixtures/real-schemas/create-t3-app.schema.ts";
import novu from "../fixtures/real-schemas/novu.schema.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const leftToZod = (schema: SecretsSchema) => schema.fields.filter((field) => planOf(field.validator) === null).map((field) => field.name);

describe("plans on real schemas", () => {
  it("leave to zod only what runs user code or a default zod hides behind a getter", () => {
    expect(leftToZod(createT3App)).toEqual([]);
    expect(leftToZod(novu)).toEqual(["REDIS_TLS", "REDIS_CACHE_SERVICE_TLS"]); // envalid json(): a transform
  });

  it("carry a message given as text, as zod words it", () => {
    const plan = planOf(z.url("REDIS_URL is required for caching"));
    expect(JSON.stringify(plan)).toContain("REDIS_URL is required for caching");
  });
});

describe("a schema of the newer planned constructs", () => {
  const schema = defineSecrets({
    STRIPE_KEY: secret(z.string().trim().startsWith("sk_", "expected a Stripe secret key")),
    REDIS_URL: secret(z.url({ protocol: /^rediss?$/ })),
    HOST: z.hostname().nullable(),
    ALLOWED_CIDR: z.cidrv4(),
    REGION: z.union([z.literal("eu"), z.literal("us")]).catch("eu"),
    SINCE: z.coerce.date(),
  });
  const generated = () => {
    const imports = { count: 0 };
    const module = {
      manifest: toManifest(schema.fields),
      plans: Object.fromEntries(schema.fields.map((field) => [field.name, planOf(field.validator)])),
      schema: async () => (imports.count++, { default: schema }),
    };
    return { module, imports };
  };
  const env = { STRIPE_KEY: ` sk_${secretValue("stripe")} `, REDIS_URL: "rediss://cache:6380", HOST: "db.internal", ALLOWED_CIDR: "10.0.0.0/8", REGION: "mars", SINCE: "2026-01-02" };

  it("starts in production without importing the schema (or zod), with zod's values", async () => {
    const { module, imports } = generated();
    const secrets = await createLoader<Record<string, unknown>>(module)({ env, production: true, dockerDir: "/nonexistent" });
    // Sensitive fields are not enumerable (see src/runtime/secrets-object.ts): read each one.
    const { STRIPE_KEY, REDIS_URL, HOST, ALLOWED_CIDR, REGION, SINCE } = secrets;
    expect(STRIPE_KEY === env.STRIPE_KEY.trim()).toBe(true);
    expect({ REDIS_URL, HOST, ALLOWED_CIDR, REGION, SINCE }).toEqual({ REDIS_URL: "rediss://cache:6380", HOST: "db.internal", ALLOWED_CIDR: "10.0.0.0/8", REGION: "eu", SINCE: new Date("2026-01-02") });
    expect(imports.count).toBe(0);
  });

  it("reports a failing field with its text message and zod's, never the value", async () => {
    const { module, imports } = generated();
    const bad = { ...env, STRIPE_KEY: secretValue("not-stripe"), REDIS_URL: "https://cache" };
    const error = await createLoader(module)({ env: bad, production: true, dockerDir: "/nonexistent" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsLoadError);
    const message = (error as Error).message;
    expect(message).toContain("expected a Stripe secret key");
    expect(message).toContain("Invalid URL");
    expectNoSentinel(message);
    expect(imports.count).toBe(0);
  });
});
