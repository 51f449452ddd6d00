/**
 * Differential property tests: for every schema of the planned subset, the plan runner must give
 * exactly zod's answer — success and value, or the same issues (code, path, message) in the same
 * order — for any input text or a missing value. Constructs outside the subset must get no plan.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { planOf } from "../../src/schema/plan-of.ts";
import { planParser, type FieldParser, type ParseResult } from "../../src/runtime/plan-parser.ts";

const SEED = 20261123;

const PLANNED: Record<string, z.ZodType> = {
  string: z.string(),
  "coerced string": z.coerce.string().max(12),
  "string min": z.string().min(8),
  "string max": z.string().max(5),
  "string length": z.string().length(4),
  "string min+max+regex": z.string().min(3).max(10).regex(/^[a-z0-9-]+$/),
  "regex with flags": z.string().regex(/^ab+c$/i),
  "global regex (lastIndex)": z.string().regex(/a/g),
  email: z.email(),
  "string().email().min()": z.string().email().min(10),
  uuid: z.uuid(),
  guid: z.guid(),
  url: z.url(),
  "url then max": z.url().max(20),
  number: z.number(),
  "coerced number": z.coerce.number(),
  "coerced int min": z.coerce.number().int().min(0),
  "coerced min then int": z.coerce.number().min(0).int(),
  "int max exclusive": z.coerce.number().int().lt(100),
  "positive": z.coerce.number().positive(),
  "z.int()": z.int(),
  boolean: z.boolean(),
  "coerced boolean": z.coerce.boolean(),
  enum: z.enum(["debug", "info", "warn"]),
  literal: z.literal("on"),
  stringbool: z.stringbool(),
  "stringbool custom": z.stringbool({ truthy: ["Ja"], falsy: ["Nein"], case: "sensitive" }),
  optional: z.string().min(2).optional(),
  "optional enum": z.enum(["a", "b"]).optional(),
  "default number": z.coerce.number().int().default(3000),
  "optional default": z.string().default("x").optional(),
  "custom message": z.string().min(3, "too short"),
  "custom type error": z.string({ error: "need text" }),
  "custom message object": z.string().max(4, { message: "at most four" }),
  "url with message": z.url("REDIS_URL must be a URL"),
  httpUrl: z.httpUrl(),
  "httpUrl normalized": z.httpUrl({ normalize: true }),
  "url with protocol": z.url({ protocol: /^https$/ }),
  "url with hostname": z.url({ hostname: /^([a-z0-9-]+\.)*example\.com$/ }),
  "url normalized": z.url({ normalize: true }),
  "url with protocol and hostname, then max": z.url({ protocol: /^wss?$/, hostname: /\.internal$/g }).max(24),
  "enum with message": z.enum(["1", "0"], { error: "1 or 0" }),
  trim: z.string().trim(),
  "trim then min": z.string().trim().min(2),
  "toLowerCase then regex": z.string().toLowerCase().regex(/^[a-z]+$/),
  "toUpperCase then max": z.string().toUpperCase().max(3),
  "url then trim": z.url().trim(),
  startsWith: z.string().startsWith("sk_"),
  endsWith: z.string().endsWith(".com"),
  includes: z.string().includes("@"),
  "includes at position": z.string().includes("b", { position: 2 }),
  "startsWith with message": z.string().startsWith("xapp-", "must be an app token"),
  ipv4: z.ipv4(),
  ipv6: z.ipv6(),
  cidrv4: z.cidrv4(),
  cidrv6: z.cidrv6(),
  hostname: z.hostname(),
  "string().lowercase()": z.string().lowercase(),
  "stringFormat regex": z.stringFormat("slug", /^[a-z-]+$/),
  "coerced date": z.coerce.date(),
  "union of literals": z.union([z.literal("a"), z.literal("b"), z.enum(["x", "on"])]),
  "union with message": z.union([z.literal("on"), z.literal("off")], "on or off"),
  "single-option union": z.union([z.string().min(2)]),
  nullable: z.string().min(1).nullable(),
  "nullable optional": z.url().nullable().optional(),
  catch: z.coerce.number().int().catch(8080),
  "catch enum": z.enum(["debug", "info"]).catch("info"),
  "catch of optional": z.string().min(3).optional().catch("fallback"),
  "optional of catch": z.string().min(3).catch("x").optional(),
  "optional of catch of default": z.string().min(3).default("abc").catch("x").optional(),
  describe: z.string().min(2).describe("meta only"),
  meta: z.coerce.number().meta({ description: "a number" }),
  "stringbool with message": z.stringbool({ error: "yes or no" }),
};
// Built from the subset but with something the plan cannot carry: zod keeps them.
const NOT_PLANNED: Record<string, z.ZodType> = {
  refine: z.string().refine((value) => value.length > 2),
  transform: z.string().transform((value) => value.split(",")),
  "message function": z.string().min(3, { error: (issue) => `got ${String(issue.input)}` }),
  "type message function": z.string({ error: () => "need text" }),
  "custom overwrite": z.string().overwrite((value) => value.slice(1)),
  xor: z.xor([z.literal("a"), z.literal("b")]),
  "union with a refine": z.url().or(z.string().refine((text) => text === "")),
  "catch function": z.string().catch(() => "x"),
  "catch object": z.string().catch({ a: 1 } as never),
  date: z.date(),
  "coerced date with min": z.coerce.date().min(new Date(0)),
  prefault: z.enum(["production", "staging"]).prefault("production"),
  "global regex format": z.stringFormat("g", /a/g),
  "format function": z.stringFormat("even", (text) => text.length % 2 === 0),
  "numeric enum": z.enum({ A: 1, B: 2 } as never),
  "number literal": z.literal(3),
  "multipleOf": z.coerce.number().multipleOf(5),
  "abort": z.string().min(3, { abort: true }),
  "pipe": z.coerce.number().pipe(z.int()),
};

const INTERESTING = [
  "", " ", "0", "-0", "1", "-1", "1.5", "-1.5", "1e400", "-1e400", "Infinity", "NaN", "9007199254740993", "-9007199254740993",
  "true", "TRUE", "yes", "Ja", "ja", "Nein", "on", "off", "debug", "info", "a", "b", "x", "abc", "ABBC", "slug-1",
  "ops@example.com", "a.b@c.io", "not an email", "https://example.com/path", " http://x ", "http://a\tb.com", "mailto:x", "::",
  "123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "😀😀", "😀", "\ud83d", "abcdefghijkl", "1234",
  "192.168.0.1", " 192.168.0.1", "256.1.1.1", "10.0.0.0/8", "10.0.0.0/33", "::1", "::1\n", "::@1\\", "2001:db8::/32", "::1/129", "::1/01",
  "example.com", "Example.COM.", "-bad-.com", "a..b", "sk_live_x", "xapp-1", "x.com", "abbc", "Slug-ok", "slug-ok",
  "https://example.com", "http:example.com", "HTTPS://Example.COM/a\tb", " wss://a.internal ", "ws://b.internal/x", "ftp://example.com",
  "https://sub.example.com:8080/x?y#z", "http://[::1]/", "https://exa\nmple.com", "file:///etc/passwd", "https://user:pw@example.com",
  "2024-01-01", "2024-02-30T25:00", "1700000000000", "Tue, 01 Jan 2030 00:00:00 GMT", "İ", "ß", "ﬀ", "\u00a0 x \u2028", "\t on \n",
];
const interesting = fc.constantFrom(...INTERESTING);
const input = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: interesting },
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789.-+eE xX"), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."abc@.:/-_ABC😀\t"), maxLength: 16 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789abcdef:./ \n@\\"), maxLength: 20 }) },
);

/** zod's answer, reduced to what the loader reads. */
const shape = (result: ParseResult | z.ZodSafeParseResult<unknown>) =>
  result.success
    ? { success: true, data: result.data }
    : { success: false, issues: result.error.issues.map((issue) => ({ code: issue.code, path: [...issue.path], message: issue.message })) };

describe("validator plans", () => {
  for (const [name, schema] of Object.entries(PLANNED)) {
    it(`${name}: the plan answers exactly as zod does`, async () => {
      const plan = planOf(schema);
      expect(plan, "this schema should be planned").not.toBeNull();
      let fellBack = 0;
      const zodParser: FieldParser = { safeParseAsync: async (value) => (fellBack++, schema.safeParseAsync(value)) };
      const parser = planParser(plan!, async () => zodParser);
      const answersAsZod = async (value: string | undefined) => {
        const before = fellBack;
        const planned = shape(await parser.safeParseAsync(value));
        expect(planned, JSON.stringify(value)).toEqual(shape(await schema.safeParseAsync(value)));
        // Only a missing value with a default goes to zod; everything else is the plan's own answer.
        if (fellBack > before) expect(value).toBeUndefined();
      };
      // Every hand-picked input once, then random ones.
      for (const value of [undefined, ...INTERESTING]) await answersAsZod(value);
      await fc.assert(fc.asyncProperty(input, answersAsZod), { seed: SEED, numRuns: 400 });
    });
  }

  for (const [name, schema] of Object.entries(NOT_PLANNED)) {
    it(`${name}: gets no plan and stays with zod`, () => {
      expect(planOf(schema)).toBeNull();
    });
  }

  it("leaves a check to zod when it behaves as another zod release did (length in UTF-16 units, URLs untrimmed, IPv6 or http URLs unguarded, ASCII-only case)", () => {
    type Payload = { value: string; issues: unknown[] };
    const withCheck = (schema: z.ZodType, check: (payload: Payload) => void) => {
      const first = ((schema._zod.def as { checks?: unknown[] }).checks?.[0] ?? schema) as { _zod: { check: unknown } };
      first._zod.check = check;
      return schema;
    };
    const byUnits = withCheck(z.string().min(2), (payload) => void (payload.value.length < 2 && payload.issues.push({ code: "too_small" })));
    expect(planOf(byUnits)).toBeNull();
    const untrimmed = withCheck(z.url(), (payload) => void (!URL.canParse(payload.value) && payload.issues.push({ code: "invalid_format" })));
    expect(planOf(untrimmed)).toBeNull();
    const unguarded = withCheck(z.ipv6(), (payload) => void (!URL.canParse(`http://[${payload.value}]`) && payload.issues.push({ code: "invalid_format" })));
    expect(planOf(unguarded)).toBeNull();
    const asciiOnly = withCheck(z.string().toUpperCase(), (payload) => void (payload.value = payload.value.replace(/[a-z]/g, (c) => c.toUpperCase())));
    expect(planOf(asciiOnly)).toBeNull();
    const unguardedHttp = withCheck(z.httpUrl(), (payload) => void (!URL.canParse(payload.value.trim()) && payload.issues.push({ code: "invalid_format" })));
    expect(planOf(unguardedHttp)).toBeNull();
    expect(planOf(z.string().min(2))).not.toBeNull();
  });

  it("hands bytes to zod rather than guessing", async () => {
    const schema = z.string().min(2);
    let asked = 0;
    const parser = planParser(planOf(schema)!, async () => ({ safeParseAsync: async (value) => (asked++, schema.safeParseAsync(value)) }));
    expect(shape(await parser.safeParseAsync(new Uint8Array([1, 2])))).toEqual(shape(await schema.safeParseAsync(new Uint8Array([1, 2]))));
    expect(asked).toBe(1);
  });

  it("plans are plain data (what the codegen writes survives JSON)", () => {
    for (const schema of Object.values(PLANNED)) {
      const plan = planOf(schema);
      expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    }
  });
});
