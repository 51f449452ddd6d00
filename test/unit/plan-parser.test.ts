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
};
// Built from the subset but with something the plan cannot carry: zod keeps them.
const NOT_PLANNED: Record<string, z.ZodType> = {
  refine: z.string().refine((value) => value.length > 2),
  transform: z.string().transform((value) => value.split(",")),
  "custom message": z.string().min(3, "too short"),
  "custom type error": z.string({ error: "need text" }),
  trim: z.string().trim(),
  "url with protocol": z.url({ protocol: /^https$/ }),
  "numeric enum": z.enum({ A: 1, B: 2 } as never),
  "number literal": z.literal(3),
  "multipleOf": z.coerce.number().multipleOf(5),
  "abort": z.string().min(3, { abort: true }),
  "pipe": z.coerce.number().pipe(z.int()),
  "startsWith": z.string().startsWith("a"),
};

const interesting = fc.constantFrom(
  "", " ", "0", "-0", "1", "-1", "1.5", "-1.5", "1e400", "-1e400", "Infinity", "NaN", "9007199254740993", "-9007199254740993",
  "true", "TRUE", "yes", "Ja", "ja", "Nein", "on", "off", "debug", "info", "a", "b", "x", "abc", "ABBC", "slug-1",
  "ops@example.com", "a.b@c.io", "not an email", "https://example.com/path", " http://x ", "http://a\tb.com", "mailto:x", "::",
  "123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "😀😀", "😀", "\ud83d", "abcdefghijkl", "1234",
);
const input = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: interesting },
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789.-+eE xX"), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."abc@.:/-_ABC😀\t"), maxLength: 16 }) },
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
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          const before = fellBack;
          const planned = shape(await parser.safeParseAsync(value));
          expect(planned).toEqual(shape(await schema.safeParseAsync(value)));
          // Only a missing value with a default goes to zod; everything else is the plan's own answer.
          if (fellBack > before) expect(value).toBeUndefined();
        }),
        { seed: SEED, numRuns: 400 },
      );
    });
  }

  for (const [name, schema] of Object.entries(NOT_PLANNED)) {
    it(`${name}: gets no plan and stays with zod`, () => {
      expect(planOf(schema)).toBeNull();
    });
  }

  it("leaves a check to zod when it behaves as another zod release did (length in UTF-16 units, URLs untrimmed)", () => {
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
