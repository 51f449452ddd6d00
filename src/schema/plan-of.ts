/**
 * zod schema → validator plan (src/schema/plan.ts), for the subset whose behaviour the plan
 * reproduces exactly; anything else returns null and stays with zod. Read at generation time
 * (and in development, to check the generated plans are current), never on the production path.
 *
 * Being conservative is the point: a construct is planned only when its zod definition says all
 * there is to know about it. Message functions, `abort`, custom `when`, URL options, non-string
 * enums, defaults (zod does not say whether one is a function), checks or pipes outside the
 * list → null. The differential property tests (test/unit/plan-parser.test.ts) hold the plan
 * runner to zod's results and issues.
 */
import * as core from "zod/v4/core";
import { config, util } from "zod/v4/core";
import {
  receivedName,
  type CatchValue,
  type NumberCheck,
  type OverwriteMethod,
  type Plan,
  type PlannedIssue,
  type PlannedRegex,
  type StringCheck,
  type TypeMessages,
  type UrlOptions,
} from "./plan.ts";

type Def = Record<string, unknown> & { readonly type?: string; readonly check?: string; readonly format?: string };
interface Instance {
  readonly _zod: { readonly def: Def; readonly traits: Set<string>; readonly bag?: Record<string, unknown> };
}

// Formats whose check is zod's plain test of `def.pattern`.
const PATTERN_FORMATS = new Set(["regex", "email", "uuid", "guid", "ipv4", "cidrv4", "lowercase", "uppercase"]);

/*
 * Some of zod's own building blocks are closures with nothing on them to say what they do. The
 * text of the closure zod makes, read from the zod that is loaded (bundled or not), identifies
 * it: the same text over the same free variable is the same behaviour.
 */
const sourceOf = (fn: unknown) => (typeof fn === "function" ? Function.prototype.toString.call(fn) : undefined);
const normalizedError = (params: unknown) => sourceOf((util.normalizeParams(params as never) as { error?: unknown }).error);
/** A message given as text (`"…"`, `{ error: "…" }`, `{ message: "…" }`): the same for every input. */
const STATIC_ERRORS = new Set([normalizedError("x"), normalizedError({ error: "x" })]);
// Looked up on the namespace: a zod release without one of them just plans less.
const zod = core as Partial<typeof core>;
const overwriteSource = (make: (() => unknown) | undefined) => sourceOf((make?.() as Instance | undefined)?._zod.def.tx);
const OVERWRITES = new Map<string | undefined, OverwriteMethod>([
  [overwriteSource(zod._trim), "trim"],
  [overwriteSource(zod._toLowerCase), "toLowerCase"],
  [overwriteSource(zod._toUpperCase), "toUpperCase"],
]);
OVERWRITES.delete(undefined);
/** z.stringFormat(name, regex) and z.hostname(): zod's test of that regex. */
const REGEX_FORMAT_TEST = zod._stringFormat && zod.$ZodCustomStringFormat
  ? sourceOf((zod._stringFormat(zod.$ZodCustomStringFormat, "x", /x/) as unknown as Instance)._zod.def.fn)
  : undefined;
// zod's default `when` of length checks (by its text, which a minifier changes alike in both);
// a user-supplied `when` changes when the check runs.
const DEFAULT_LENGTH_WHEN = zod.$ZodCheckMinLength
  ? sourceOf((new zod.$ZodCheckMinLength({ check: "min_length", minimum: 0 }) as unknown as Instance)._zod.def.when)
  : undefined;
const HTTP_PROTOCOL = (zod.regexes as { httpProtocol?: RegExp } | undefined)?.httpProtocol;

export function planOf(schema: unknown): Plan | null {
  // A global custom error map or issue post-processor may word messages from the input itself.
  const global = config() as Record<string, unknown>;
  if (global.customError !== undefined || global.postProcessor !== undefined) return null;
  return isInstance(schema) ? planNode(schema) : null;
}

function planNode(inst: Instance): Plan | null {
  const def = inst._zod.def;
  if (!hasStaticError(def)) return null;
  const inner = () => (isInstance(def.innerType) ? planNode(def.innerType) : null);
  switch (def.type) {
    case "optional":
    case "default": {
      const planned = inner();
      return planned && { type: def.type, inner: planned };
    }
    // The plan only ever meets text or a missing value, never null: nullable changes nothing.
    case "nullable":
      return inner();
    case "catch":
      return planCatch(inst, inner());
    case "union":
      return planUnion(inst);
    case "date":
      return def.coerce === true && checksOf(inst).length === 0
        ? { type: "date", issue: message(inst, { code: "invalid_type", expected: "date", input: new Date(Number.NaN), received: "Invalid Date" }) }
        : null;
    case "string":
      return planString(inst);
    case "number":
      return planNumber(inst);
    case "boolean":
      return checksOf(inst).length === 0 ? { type: "boolean", coerce: def.coerce === true, typeMessages: typeMessages(inst, "boolean", def.coerce === true ? [] : [undefined, ""]) } : null;
    case "enum":
    case "literal":
      return planOneOf(inst);
    case "pipe":
      return planStringbool(inst);
    default:
      return null;
  }
}

function planString(inst: Instance): Plan | null {
  const coerce = inst._zod.def.coerce === true;
  const checks = planEach(checksOf(inst), planStringCheck);
  return checks && { type: "string", coerce, checks, typeMessages: typeMessages(inst, "string", coerce ? [] : [undefined]) };
}

function planStringCheck(check: Instance): StringCheck | null {
  const planned = describeStringCheck(check);
  return planned && behavesAsPlanned(check, planned) ? planned : null;
}

function describeStringCheck(check: Instance): StringCheck | null {
  const def = check._zod.def;
  if (!hasStaticError(def) || def.abort === true) return null;
  const issue = (fields: Record<string, unknown>) => message(check, { origin: "string", input: "", inclusive: true, ...fields });
  switch (def.check) {
    case "min_length":
    case "max_length":
    case "length_equals": {
      if (DEFAULT_LENGTH_WHEN === undefined || sourceOf(def.when) !== DEFAULT_LENGTH_WHEN) return null;
      if (def.check === "min_length") return { check: "min_length", value: def.minimum as number, issue: issue({ code: "too_small", minimum: def.minimum }) };
      if (def.check === "max_length") return { check: "max_length", value: def.maximum as number, issue: issue({ code: "too_big", maximum: def.maximum }) };
      const length = def.length as number;
      return {
        check: "length_equals",
        value: length,
        tooSmall: issue({ code: "too_small", minimum: length, exact: true }),
        tooBig: issue({ code: "too_big", maximum: length, exact: true }),
      };
    }
    case "overwrite": {
      const method = def.when === undefined ? OVERWRITES.get(sourceOf(def.tx)) : undefined;
      return method ? { check: "overwrite", method } : null;
    }
    case "string_format": {
      if (def.when !== undefined) return null;
      const format = def.format;
      if (format === "url") return planUrl(check, issue({ code: "invalid_format", format: "url" }));
      if (format === "starts_with" || format === "ends_with") {
        const value = format === "starts_with" ? def.prefix : def.suffix;
        if (typeof value !== "string") return null;
        return { check: format, value, issue: issue({ code: "invalid_format", format, [format === "starts_with" ? "prefix" : "suffix"]: value }) };
      }
      if (format === "includes") {
        if (typeof def.includes !== "string" || (def.position !== undefined && typeof def.position !== "number")) return null;
        const planned = { check: "includes", value: def.includes, issue: issue({ code: "invalid_format", format, includes: def.includes }) } as const;
        return def.position === undefined ? planned : { ...planned, position: def.position };
      }
      // zod's own IPv6 checks raise issues with neither origin nor pattern.
      if (format === "ipv6" || format === "cidrv6") return { check: format, issue: message(check, { code: "invalid_format", format, input: "" }) };
      const pattern = def.pattern;
      if (check._zod.traits.has("$ZodCustomStringFormat")) {
        // The test does not reset lastIndex, so a global or sticky regex would carry state between inputs.
        const plainTest = REGEX_FORMAT_TEST !== undefined && sourceOf(def.fn) === REGEX_FORMAT_TEST && pattern instanceof RegExp && !pattern.global && !pattern.sticky;
        return plainTest ? { check: "pattern", source: pattern.source, flags: pattern.flags, issue: message(check, { code: "invalid_format", format, input: "" }) } : null;
      }
      if (!PATTERN_FORMATS.has(format ?? "") || !(pattern instanceof RegExp)) return null;
      return {
        check: "pattern",
        source: pattern.source,
        flags: pattern.flags,
        issue: issue({ code: "invalid_format", format: def.format, pattern: pattern.toString() }),
      };
    }
    default:
      return null;
  }
}

/**
 * zod releases have changed how strings are measured (UTF-16 units, then code points) and how
 * z.url() treats surrounding space. The plan runner reproduces the behaviour of the zod this
 * schema was made with, so ask the check itself on inputs where the variants differ, and leave
 * the field to zod when it answers otherwise.
 */
function behavesAsPlanned(check: Instance, planned: StringCheck): boolean {
  const run = (value: string) => {
    const payload = { value, issues: [] as unknown[] };
    (check._zod as unknown as { check: (payload: unknown) => void }).check(payload);
    return { failed: payload.issues.length > 0, value: payload.value };
  };
  const emoji = (count: number) => "\u{1F600}".repeat(count);
  switch (planned.check) {
    case "min_length":
      return planned.value < 2 || run(emoji(planned.value - 1)).failed;
    case "max_length":
      return !run(emoji(planned.value)).failed;
    case "length_equals":
      return !run(emoji(planned.value)).failed;
    case "url": {
      if (planned.options) return urlOptionsBehaveAsPlanned(run, planned.options);
      const spaced = run(" http://example.com/a\tb ");
      return !spaced.failed && spaced.value === "http://example.com/ab" && run("not a url").failed;
    }
    // Releases before the alphabet guard let the URL parser re-delimit or drop characters.
    case "ipv6":
      return !run("::1").failed && run("::@1\\").failed && run("::1\n").failed;
    case "cidrv6":
      return !run("::1/128").failed && run("::1/129").failed && run("::@1\\/64").failed;
    case "overwrite": {
      const probe = " \u00e9A\u00dfi\t";
      return run(probe).value === probe[planned.method]();
    }
    case "pattern":
    case "starts_with":
    case "ends_with":
    case "includes":
      return true;
  }
}

/** z.url(): any option (hostname, protocol, normalize) switches zod to a parser that reads them. */
function planUrl(check: Instance, issue: PlannedIssue): StringCheck | null {
  const def = check._zod.def;
  if (!("hostname" in def) && !("protocol" in def) && !("normalize" in def)) return { check: "url", issue };
  const hostname = plannedRegex(def.hostname);
  const protocol = plannedRegex(def.protocol);
  if (hostname === null || protocol === null || (def.normalize !== undefined && typeof def.normalize !== "boolean")) return null;
  const normalize = def.normalize === true;
  const optionIssue = (note: string, pattern?: PlannedRegex) =>
    message(check, { code: "invalid_format", format: "url", note, input: "", ...(pattern ? { pattern: pattern.source } : {}) });
  return {
    check: "url",
    issue,
    options: {
      ...(hostname ? { hostname: { regex: hostname, issue: optionIssue("Invalid hostname", hostname) } } : {}),
      ...(protocol ? { protocol: { regex: protocol, issue: optionIssue("Invalid protocol", protocol) } } : {}),
      normalize,
      httpGuard: !normalize && protocol !== undefined && protocol.source === HTTP_PROTOCOL?.source,
      badFormat: optionIssue("Invalid URL format"),
    },
  };
}

/** An option's regex as data; undefined when absent, null when it is not a RegExp. */
function plannedRegex(value: unknown): PlannedRegex | undefined | null {
  if (value === undefined) return undefined;
  return value instanceof RegExp ? { source: value.source, flags: value.flags } : null;
}

/** The zod releases before the http guard, or that normalize otherwise, are left to zod. */
function urlOptionsBehaveAsPlanned(run: (value: string) => { failed: boolean; value: string }, options: UrlOptions): boolean {
  if (options.httpGuard && !run("http:example.com").failed) return false;
  const probe = run(" HTTPS://Example.COM/a\tb ");
  return probe.failed || probe.value === (options.normalize ? "https://example.com/ab" : "HTTPS://Example.COM/ab");
}

function planNumber(inst: Instance): Plan | null {
  const coerce = inst._zod.def.coerce === true;
  const checks = planEach(checksOf(inst), planNumberCheck);
  if (!checks) return null;
  // Number(undefined) is NaN, and Number(text) is a number, NaN or ±Infinity: zod names the last three.
  const received = coerce ? [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY] : [undefined, ""];
  return { type: "number", coerce, checks, typeMessages: typeMessages(inst, "number", received) };
}

function planNumberCheck(check: Instance): NumberCheck | null {
  const def = check._zod.def;
  if (def.error !== undefined || def.abort === true || def.when !== undefined) return null;
  if (def.check === "number_format" && def.format === "safeint") {
    const range = (code: "too_small" | "too_big", bound: number) =>
      message(check, { code, input: bound * 2, origin: "int", inclusive: true, note: "Integers must be within the safe integer range.", [code === "too_small" ? "minimum" : "maximum"]: bound });
    return {
      check: "int",
      notInteger: message(check, { code: "invalid_type", expected: "int", format: "safeint", input: 0.5, continue: false }),
      tooSmall: range("too_small", Number.MIN_SAFE_INTEGER),
      tooBig: range("too_big", Number.MAX_SAFE_INTEGER),
    };
  }
  if ((def.check === "greater_than" || def.check === "less_than") && typeof def.value === "number") {
    const bound = def.check === "greater_than" ? { code: "too_small", minimum: def.value } : { code: "too_big", maximum: def.value };
    return {
      check: def.check,
      value: def.value,
      inclusive: def.inclusive === true,
      issue: message(check, { ...bound, origin: "number", input: 0, inclusive: def.inclusive }),
    };
  }
  return null;
}

function planOneOf(inst: Instance): Plan | null {
  const def = inst._zod.def;
  const values = stringValues(inst);
  return values && { type: "oneOf", values, issue: message(inst, { code: "invalid_value", values: def.type === "enum" ? values : def.values, input: undefined }) };
}

/** The strings a z.enum or z.literal without checks accepts; null for anything else. */
function stringValues(inst: Instance): string[] | null {
  const def = inst._zod.def;
  if ((def.type !== "enum" && def.type !== "literal") || checksOf(inst).length > 0) return null;
  const values = def.type === "enum" ? Object.values(def.entries as Record<string, unknown>) : (def.values as unknown[]);
  return values.every((value): value is string => typeof value === "string") ? values : null;
}

/**
 * A union of string enums and literals: every option's failure aborts, so a value none accepts is
 * one invalid_union issue (the options' own issues travel inside it, which the loader never reads).
 * An exclusive union (z.xor) also fails on a value two options accept: left to zod.
 */
function planUnion(inst: Instance): Plan | null {
  const def = inst._zod.def;
  const options = Array.isArray(def.options) ? (def.options as unknown[]) : [];
  if (def.inclusive === false || def.discriminator !== undefined || options.length === 0 || !options.every(isInstance) || checksOf(inst).length > 0) return null;
  // zod runs a lone option as if the union were not there.
  if (options.length === 1) return planNode(options[0] as Instance);
  const lists = options.map((option) => stringValues(option as Instance));
  if (lists.some((list) => list === null)) return null;
  return { type: "oneOf", values: lists.flatMap((list) => list!), issue: message(inst, { code: "invalid_union", input: undefined, errors: [] }) };
}

/** .catch(value): zod tags a fixed value's thunk; any other catch function may read the input. */
function planCatch(inst: Instance, inner: Plan | null): Plan | null {
  const catchValue = inst._zod.def.catchValue as ((context?: unknown) => unknown) & Record<string, unknown>;
  const tag = (util as { CONSTANT_CATCH?: string }).CONSTANT_CATCH;
  if (!inner || tag === undefined || typeof catchValue !== "function" || catchValue[tag] !== true) return null;
  const value = catchValue();
  return isCatchValue(value) ? { type: "catch", inner, value } : null;
}

/** A value that survives the generated module's JSON unchanged. */
function isCatchValue(value: unknown): value is CatchValue {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value) && !Object.is(value, -0));
}

/** z.stringbool(): a string→boolean codec whose word lists zod keeps in the schema's bag. */
function planStringbool(inst: Instance): Plan | null {
  const def = inst._zod.def;
  const bag = inst._zod.bag ?? {};
  const input = def.in as Instance | undefined;
  const output = def.out as Instance | undefined;
  const words = (list: unknown): list is string[] => Array.isArray(list) && list.every((word) => typeof word === "string");
  const plainString = input?._zod.def.type === "string" && checksOf(input).length === 0 && hasStaticError(input._zod.def) && input._zod.def.coerce !== true;
  const plainBoolean = output?._zod.def.type === "boolean" && checksOf(output).length === 0 && output._zod.def.coerce !== true;
  if (!plainString || !plainBoolean || !words(bag.truthy) || !words(bag.falsy) || checksOf(inst).length > 0) return null;
  const caseSensitive = bag.case === "sensitive";
  const lists = { truthy: bag.truthy, falsy: bag.falsy };
  return {
    type: "stringbool",
    ...lists,
    caseSensitive,
    issue: message(inst, { code: "invalid_value", expected: "stringbool", values: [...new Set(lists.truthy), ...new Set(lists.falsy)], input: "", continue: false }),
    typeMessages: typeMessages(input, "string", [undefined]),
  };
}

/** Every check planned, or null when one cannot be: one check left to zod means the field is. */
function planEach<C>(checks: readonly Instance[], plan: (check: Instance) => C | null): C[] | null {
  const planned: C[] = [];
  for (const check of checks) {
    const one = plan(check);
    if (!one) return null;
    planned.push(one);
  }
  return planned;
}

/** A type that is also a check (z.email(), z.int(), z.url()) runs itself first, as zod does. */
function checksOf(inst: Instance): Instance[] {
  const own = (inst._zod.def.checks as Instance[] | undefined) ?? [];
  return inst._zod.traits.has("$ZodCheck") ? [inst, ...own] : own;
}

function typeMessages(inst: Instance, expected: string, inputs: readonly unknown[]): TypeMessages {
  const messages: Record<string, string> = {};
  for (const input of inputs) {
    const received = typeof input === "number" ? String(input) : undefined;
    messages[receivedName(input)] = message(inst, { code: "invalid_type", expected, input, ...(received ? { received } : {}) }).message;
  }
  return messages;
}

/** zod's message for an issue raised by `inst`: its own error map, then the global ones, as zod resolves it. */
function message(inst: Instance, issue: Record<string, unknown>): PlannedIssue {
  const final = util.finalizeIssue({ ...issue, inst } as never, undefined, config()) as { code: string; message: string };
  return { code: final.code, message: final.message };
}

/** No error of its own, or one given as text: a message function may word it from the input. */
function hasStaticError(def: Def): boolean {
  return def.error === undefined || STATIC_ERRORS.has(sourceOf(def.error));
}

function isInstance(value: unknown): value is Instance {
  const zod = (value as { _zod?: { def?: unknown; traits?: unknown } } | null)?._zod;
  return typeof zod?.def === "object" && zod.traits instanceof Set;
}
