/**
 * Bad-input corpus: property-based tests (fast-check, fixed seed) over refs, schema options, env
 * values, secret file contents and provider responses. Each must end in a value or a classified
 * error (RefSyntaxError, SchemaError, SecretsLoadError, ConfigError), never an uncaught exception,
 * a TypeError escaping, or a hang, and no error message may show a secret value.
 * The shapes this corpus first found crashing (prototype-named ref parameters, non-string or
 * non-list options, providers throwing non-Errors or answering malformed outcomes) are fixed in
 * src and stay covered here, with no exclusions.
 */
import { Buffer, isUtf8 } from "node:buffer";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, parseRef, SchemaError, secret, type Provider, type SecretRef } from "../../src/index.ts";
import { RefSyntaxError } from "../../src/schema/ref.ts";
import { ConfigError, loadSecrets, SecretsLoadError } from "../../src/runtime/index.ts";
import { expectNoSentinel, SENTINEL } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import { anyString, hugeString, refLike, secretOptions, weird } from "./bad-input-arbitraries.ts";

const SEED = 42;
const root = tempDir("secrets-gen-bad-input-");
const emptyCwd = join(root, "cwd");
const noDocker = join(root, "no-docker-dir");
mkdirSync(emptyCwd, { recursive: true });

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => void process.on("unhandledRejection", onUnhandled));
/** What each property saw, printed once: how many runs ended which way, and how many hit a known bug. */
const figures: Record<string, unknown> = {};
afterAll(() => {
  console.log(`bad-input corpus (seed ${SEED}): ${JSON.stringify(figures)}`);
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

/** A value counts as leaked when it shows in the text outside the "[redacted]" markers. */
function leaked(text: string, values: readonly (string | undefined)[]): string[] {
  const stripped = text.replaceAll("[redacted]", "\u0000");
  return values.filter((v): v is string => v !== undefined && v.length >= 4 && stripped.includes(v));
}

const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : `non-Error ${typeof error}: ${String(error).slice(0, 100)}`);

describe("bad input: refs", () => {
  /** The query part of a ref as parseRef's regex splits it. */
  function queryOf(input: string): string {
    const rest = input.slice(input.indexOf("://") + 3);
    const q = rest.indexOf("?");
    const h = rest.indexOf("#");
    return q >= 0 && (h < 0 || q < h) ? rest.slice(q + 1, h < 0 ? undefined : h) : "";
  }

  function checkRef(input: string): void {
    let ref: SecretRef;
    try {
      ref = parseRef(input);
    } catch (error) {
      if (!(error instanceof RefSyntaxError)) expect.fail(`parseRef threw ${describeError(error)}`);
      if ((error as Error).message.includes("repeats the parameter")) {
        const names = [...new URLSearchParams(queryOf(input)).keys()];
        if (new Set(names).size === names.length) expect.fail(`parseRef said a parameter repeats in ${JSON.stringify(input)}`);
      }
      return;
    }
    expect(ref.raw).toBe(input);
    expect(ref.scheme).toMatch(/^[a-z][a-z0-9+.-]*$/);
    expect(ref.path.length).toBeGreaterThan(0);
    expect(ref.path).not.toMatch(/[?#]/);
    const head = `${ref.scheme}://${ref.path}`;
    expect(input.startsWith(head)).toBe(true);
    const keyPart = ref.key === undefined ? "" : `#${ref.key}`;
    const tail = input.slice(head.length);
    expect(tail.endsWith(keyPart)).toBe(true);
    const queryPart = tail.slice(0, tail.length - keyPart.length);
    // The fields re-compose to the input: scheme://path[?query][#key].
    expect(queryPart === "" || (queryPart.startsWith("?") && !queryPart.includes("#"))).toBe(true);
    expect(`${head}${queryPart}${keyPart}`).toBe(input);
    expect(Object.entries(ref.params)).toEqual([...new URLSearchParams(queryPart.slice(1))]);
    expect(Object.isFrozen(ref)).toBe(true);
  }

  it("parseRef: any string gives a ref that re-composes to it, or a RefSyntaxError", () => {
    fc.assert(fc.property(fc.oneof(anyString(200), refLike()), checkRef), { seed: SEED, numRuns: 300 });
  });

  it("parseRef: very long refs settle too (no catastrophic backtracking)", () => {
    const long = fc
      .tuple(hugeString(), fc.constantFrom("mem://", "vault://a?", "x", "mem://a#", ""), fc.constantFrom("", "#k", "\n", "?q=1", "#"))
      .map(([body, prefix, suffix]) => `${prefix}${body}${suffix}`);
    fc.assert(fc.property(long, checkRef), { seed: SEED, numRuns: 100 });
  });
});

describe("bad input: schema options", () => {
  const fieldName = fc.oneof(anyString(16), fc.constantFrom("API_KEY", "__proto__", "constructor", "toString", "a b", "é", "", "1X", "db.password"));

  function expectSchemaOrSchemaError(name: string, define: () => unknown): void {
    try {
      const schema = define() as { fields: readonly { name: string }[] };
      expect(schema.fields.map((f) => f.name)).toEqual([name]);
    } catch (error) {
      if (!(error instanceof SchemaError)) expect.fail(`defineSecrets threw ${describeError(error)}`);
      expect(error.message.startsWith(`field ${name} in the schema `)).toBe(true);
    }
  }

  it("defineSecrets: any secret() options give a schema or a SchemaError naming the field", () => {
    fc.assert(
      fc.property(fieldName, secretOptions(), (name, options) => {
        expectSchemaOrSchemaError(name, () => defineSecrets(Object.fromEntries([[name, secret(z.string(), options as never)]])));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("defineSecrets: any value as a field definition gives a schema or a SchemaError", () => {
    const definition = fc.oneof(
      weird(),
      fc.constant(z.string()),
      // secret() around something that is not a zod schema, with and without `optional`.
      fc.tuple(weird(), fc.boolean()).map(([notZod, optional]) => secret(notZod as never, { optional })),
    );
    fc.assert(
      fc.property(fieldName, definition, (name, def) => expectSchemaOrSchemaError(name, () => defineSecrets(Object.fromEntries([[name, def]]) as never))),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("bad input: env values", () => {
  const envSchema = defineSecrets({
    API_KEY: secret(z.string().min(8)),
    DB_URL: secret(z.url()),
    FEATURE_ON: secret(z.stringbool()),
    EXTRA_TOKEN: secret(z.string().min(4), { optional: true }),
    PORT: z.coerce.number().int().default(3000),
    MODE: z.enum(["blue", "green"]),
  });
  const SECRET_FIELDS = ["API_KEY", "DB_URL", "FEATURE_ON", "EXTRA_TOKEN"] as const;
  const PLAIN_FIELDS = ["PORT", "MODE"] as const;
  const valid: Record<string, readonly string[]> = {
    API_KEY: ["0123456789abcdef", "sk_live_abcdefgh"], DB_URL: ["postgres://db.internal:5432/app", "https://example.com/x"],
    FEATURE_ON: ["true", "0", "yes", "off"], EXTRA_TOKEN: ["tok-1234"], PORT: ["8080", " 42 ", "1e3"], MODE: ["blue", "green"],
  };
  const FIELDS = [...SECRET_FIELDS, ...PLAIN_FIELDS];
  /** A fuzzed value: arbitrary text (control characters, any code point, 100 KB+) or unset. */
  const badValue = (tagged: boolean) =>
    fc.option(
      tagged
        ? fc.tuple(anyString(8), anyString(8)).map(([a, b]) => `${a}${SENTINEL}${b}`)
        : fc.oneof({ arbitrary: anyString(), weight: 4 }, { arbitrary: hugeString(), weight: 1 }),
      { nil: undefined, freq: 5 },
    );
  const modeVar = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: fc.oneof(fc.constantFrom("production", "development", "test", "true", "false", "1", "0", "prod", ""), anyString(12)), weight: 1 },
  );
  /** A valid env, then a random subset of its fields replaced by fuzz (sentinel-tagged in half the runs). */
  const envArb = fc
    .record({
      tagged: fc.boolean(),
      corrupt: fc.subarray(FIELDS),
      base: fc.record(Object.fromEntries(FIELDS.map((f) => [f, fc.constantFrom(...valid[f]!)]))),
      modes: fc.record({ SECRETS_ENV: modeVar, SECRETS_DOTENV: modeVar, NODE_ENV: modeVar }),
    })
    .chain(({ tagged, corrupt, base, modes }) =>
      fc.record(Object.fromEntries(corrupt.map((f) => [f, badValue(tagged)]))).map((bad) => ({ env: { ...base, ...bad, ...modes } as Record<string, string | undefined> })),
    );

  it("loadSecrets: any env values give an object or a SecretsLoadError / ConfigError that shows no value", async () => {
    const tally = { loaded: 0, loadError: 0, configError: 0 };
    await fc.assert(
      fc.asyncProperty(envArb, async ({ env }) => {
        const warnings: string[] = [];
        const secretValues = SECRET_FIELDS.map((f) => env[f]);
        const plainValues = PLAIN_FIELDS.map((f) => env[f]);
        try {
          const secrets = await loadSecrets<Record<string, unknown>>(envSchema, { env, cwd: emptyCwd, dockerDir: noDocker, onWarning: (m) => void warnings.push(m) });
          tally.loaded++;
          for (const field of ["API_KEY", "DB_URL"] as const) expect(secrets[field]).toBe(env[field]);
          expect(typeof secrets.FEATURE_ON).toBe("boolean");
          expect(Number.isInteger(secrets.PORT)).toBe(true);
          const printed = `${inspect(secrets)}\n${JSON.stringify(secrets)}\n${String(secrets)}`;
          expect(leaked(printed, secretValues.filter((v) => v !== "true" && v !== "false"))).toEqual([]);
          expectNoSentinel(printed, ...warnings);
        } catch (error) {
          if (error instanceof ConfigError) {
            tally.configError++;
            // Only the mode switches are configuration: SECRETS_ENV, SECRETS_DOTENV, or a NODE_ENV
            // that makes a .env file name unreadable.
            expect(error.message).toMatch(/^(SECRETS_ENV is |SECRETS_DOTENV is |the \.env file )/);
            return;
          }
          if (!(error instanceof SecretsLoadError)) expect.fail(`loadSecrets threw ${describeError(error)}`);
          tally.loadError++;
          const text = `${error.message}\n${JSON.stringify(error.failures)}\n${warnings.join("\n")}`;
          expect(leaked(text, secretValues), "a secret value leaked into the load error").toEqual([]);
          expect(leaked(text, plainValues), "a plain config value leaked into the load error").toEqual([]);
          expectNoSentinel(text);
        }
      }),
      { seed: SEED, numRuns: 250 },
    );
    figures.env = tally;
    // The corpus exercises all three endings.
    expect(tally.loaded).toBeGreaterThan(0);
    expect(tally.loadError).toBeGreaterThan(0);
    expect(tally.configError).toBeGreaterThan(0);
  });
});

describe("bad input: secret file contents", () => {
  const docker = join(root, "docker");
  mkdirSync(docker, { recursive: true });
  const MAX = 2048;
  const fileSchema = defineSecrets({ TOKEN: secret(z.string()) });
  const encode = (s: string) => new TextEncoder().encode(s);
  const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
  const bytesArb = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    anyString(300).map(encode),
    fc
      .tuple(fc.constantFrom("", "\uFEFF", "\uFEFF\uFEFF"), anyString(200), fc.constantFrom("", "\n", "\r\n", "\n\n", "\r\n\r\n", "\r", "\n\r", "\u0000"))
      .map(([bom, body, end]) => encode(`${bom}${body}${end}`)),
    fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 })).map(([a, b]) => concat(a, encode(SENTINEL), b)),
    fc.tuple(fc.integer({ min: MAX - 4, max: MAX + 40 }), fc.constantFrom(0x61, 0x0a)).map(([n, byte]) => new Uint8Array(n).fill(byte)),
  );

  /** What the chain must return for valid text: decoded, one leading BOM dropped (TextDecoder does), one trailing newline trimmed. */
  function expectedText(bytes: Uint8Array): string {
    let text = Buffer.from(bytes).toString("utf8");
    if (text.startsWith("\uFEFF")) text = text.slice(1);
    if (text.endsWith("\r\n")) return text.slice(0, -2);
    return text.endsWith("\n") ? text.slice(0, -1) : text;
  }

  it("any bytes in a Docker secret give the text minus one trailing newline, or a not-UTF-8 / size error", async () => {
    const tally = { value: 0, binary: 0, tooBig: 0 };
    await fc.assert(
      fc.asyncProperty(bytesArb, async (bytes) => {
        writeFileSync(join(docker, "TOKEN"), bytes);
        const load = loadSecrets<{ TOKEN: string }>(fileSchema, { env: {}, dotenv: false, production: false, dockerDir: docker, cwd: emptyCwd, maxFileBytes: MAX });
        const tooBig = bytes.length > MAX;
        const binary = !isUtf8(bytes) || bytes.includes(0);
        if (!tooBig && !binary) {
          const secrets = await load.catch((error: unknown) => expect.fail(`valid text was refused: ${describeError(error)}`));
          tally.value++;
          expect(secrets.TOKEN).toBe(expectedText(bytes));
          expectNoSentinel(inspect(secrets), JSON.stringify(secrets));
          return;
        }
        const error = await load.then(() => expect.fail("bad file content was accepted"), (e: unknown) => e);
        if (!(error instanceof SecretsLoadError)) expect.fail(`loadSecrets threw ${describeError(error)}`);
        if (tooBig) {
          tally.tooBig++;
          expect(error.message).toContain(`${join(docker, "TOKEN")} is ${bytes.length} bytes, over the ${MAX}-byte limit`);
        } else {
          tally.binary++;
          expect(error.message).toContain(`${join(docker, "TOKEN")} is not UTF-8 text (binary content)`);
        }
        expectNoSentinel(error.message, error.failures);
      }),
      { seed: SEED, numRuns: 300 },
    );
    figures.files = tally;
    expect(tally.value).toBeGreaterThan(0);
    expect(tally.binary).toBeGreaterThan(0);
    expect(tally.tooBig).toBeGreaterThan(0);
  });
});

describe("bad input: provider responses", () => {
  const providerSchema = defineSecrets({
    ALPHA: secret(z.string().min(4), { from: "mem://alpha" }),
    BETA: secret(z.string(), { from: ["mem://beta#k", "mem://gamma?version=2"] }),
  });
  const outcome = fc.oneof(
    fc.record(
      {
        status: fc.constantFrom("found", "missing", "error", "FOUND", "", "ok"),
        value: fc.oneof(anyString(), fc.uint8Array({ maxLength: 8 }), weird()),
        version: fc.oneof(anyString(8), weird()),
        ttlSeconds: weird(),
      },
      { requiredKeys: [] },
    ),
    fc.record({ status: fc.constant("found"), value: anyString(), version: fc.option(anyString(6), { nil: undefined }) }, { requiredKeys: ["status", "value"] }),
    fc.record(
      { status: fc.constant("error"), kind: fc.oneof(fc.constantFrom("denied", "unavailable", "invalid"), weird()), message: fc.oneof(anyString(), weird()), cause: weird() },
      { requiredKeys: ["status"] },
    ),
    fc.record({ status: fc.constant("missing"), reason: fc.oneof(anyString(), weird()) }, { requiredKeys: ["status"] }),
    weird(),
  );
  const thrown = fc.oneof(anyString(), fc.constant(undefined), fc.constant(null), anyString().map((m) => new Error(m)), fc.constant(new TypeError("boom")), weird());
  const behaviour = fc.oneof(
    fc.record({ kind: fc.constant("map" as const), answers: fc.array(fc.option(outcome, { nil: undefined, freq: 4 }), { minLength: 3, maxLength: 3 }) }),
    fc.record({ kind: fc.constantFrom("resolve-value" as const, "return-raw" as const), value: weird() }),
    fc.record({ kind: fc.constantFrom("reject" as const, "throw-sync" as const), value: thrown }),
    fc.record({ kind: fc.constant("hang" as const) }),
  );
  type Behaviour = typeof behaviour extends fc.Arbitrary<infer B> ? B : never;

  function fuzzProvider(b: Behaviour): Provider {
    return {
      name: "fuzz",
      schemes: ["mem"],
      resolve(refs) {
        switch (b.kind) {
          case "map":
            return Promise.resolve(new Map(refs.flatMap((ref, i) => (b.answers[i] === undefined ? [] : [[ref.raw, b.answers[i]]])) as never));
          case "resolve-value":
            return Promise.resolve(b.value as never);
          case "return-raw":
            return b.value as never;
          case "reject":
            return Promise.reject(b.value);
          case "throw-sync":
            throw b.value;
          case "hang":
            return new Promise(() => {});
        }
      },
    };
  }

  it("loadSecrets settles with a value or a SecretsLoadError / ConfigError whatever a provider answers", async () => {
    const tally = { loaded: 0, loadError: 0 };
    await fc.assert(
      fc.asyncProperty(behaviour, fc.boolean(), fc.option(anyString(12), { nil: undefined }), async (b, production, fallback) => {
        const warnings: string[] = [];
        try {
          await loadSecrets(providerSchema, {
            env: { ALPHA: fallback, BETA: fallback }, production, dotenv: false, cwd: emptyCwd, dockerDir: noDocker,
            providers: [fuzzProvider(b)], timeoutMs: 25, onWarning: (m) => void warnings.push(m),
          });
          tally.loaded++;
        } catch (error) {
          if (!(error instanceof SecretsLoadError || error instanceof ConfigError)) expect.fail(`loadSecrets threw ${describeError(error)} for ${inspect(b, { depth: 4 }).slice(0, 400)}`);
          tally.loadError++;
        }
        for (const warning of warnings) expect(typeof warning).toBe("string");
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(tally.loaded).toBeGreaterThan(0);
    expect(tally.loadError).toBeGreaterThan(0);
    figures.providers = tally;
  }, 60_000);
});
