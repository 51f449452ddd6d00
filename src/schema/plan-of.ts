/**
 * zod schema → validator plan (src/schema/plan.ts), for the subset whose behaviour the plan
 * reproduces exactly; anything else returns null and stays with zod. Read at generation time
 * (and in development, to check the generated plans are current), never on the production path.
 *
 * Being conservative is the point: a construct is planned only when its zod definition says all
 * there is to know about it. Custom messages, `abort`, custom `when`, formats with options,
 * non-string enums, checks or pipes outside the list → null. The differential property tests
 * (test/unit/plan-parser.test.ts) hold the plan runner to zod's results and issues.
 */
import { config, util } from "zod/v4/core";
import { receivedName, type NumberCheck, type Plan, type PlannedIssue, type StringCheck, type TypeMessages } from "./plan.ts";

type Def = Record<string, unknown> & { readonly type?: string; readonly check?: string; readonly format?: string };
interface Instance {
  readonly _zod: { readonly def: Def; readonly traits: Set<string>; readonly bag?: Record<string, unknown> };
}

const PATTERN_FORMATS = new Set(["regex", "email", "uuid", "guid"]);
/**
 * Whether `when` behaves as zod's default for length checks: run on any value with a length,
 * whatever issues came before. Asked by behaviour, not by name or identity: a bundler's minifier
 * renames the function, and tsx loads the schema's zod apart from ours. A user-supplied `when`
 * changes when the check runs, so the field stays with zod.
 */
function isDefaultLengthWhen(when: unknown): boolean {
  if (typeof when !== "function") return false;
  const issue = { code: "custom", message: "", input: "", path: [] };
  return [[], [issue]].every((issues) =>
    when({ value: "x", issues }) === true && when({ value: [], issues }) === true &&
    when({ value: undefined, issues }) === false && when({ value: null, issues }) === false && when({ value: 1, issues }) === false);
}

export function planOf(schema: unknown): Plan | null {
  // A global custom error map or issue post-processor may word messages from the input itself.
  const global = config() as Record<string, unknown>;
  if (global.customError !== undefined || global.postProcessor !== undefined) return null;
  return isInstance(schema) ? planNode(schema) : null;
}

function planNode(inst: Instance): Plan | null {
  const def = inst._zod.def;
  if (def.error !== undefined) return null;
  switch (def.type) {
    case "optional":
    case "default": {
      const inner = isInstance(def.innerType) ? planNode(def.innerType) : null;
      return inner && { type: def.type, inner };
    }
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
  if (def.error !== undefined || def.abort === true) return null;
  const issue = (fields: Record<string, unknown>) => message(check, { origin: "string", input: "", inclusive: true, ...fields });
  switch (def.check) {
    case "min_length":
    case "max_length":
    case "length_equals": {
      if (!isDefaultLengthWhen(def.when)) return null;
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
    case "string_format": {
      if (def.when !== undefined) return null;
      if (def.format === "url") {
        // Any option (hostname, protocol, normalize) switches zod to another parser.
        const plain = !("hostname" in def) && !("protocol" in def) && !("normalize" in def);
        return plain ? { check: "url", issue: issue({ code: "invalid_format", format: "url" }) } : null;
      }
      const pattern = def.pattern;
      if (!PATTERN_FORMATS.has(def.format ?? "") || !(pattern instanceof RegExp)) return null;
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
      const spaced = run(" http://example.com/a\tb ");
      return !spaced.failed && spaced.value === "http://example.com/ab" && run("not a url").failed;
    }
    case "pattern":
      return true;
  }
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
  if (checksOf(inst).length > 0) return null;
  const values = def.type === "enum" ? Object.values(def.entries as Record<string, unknown>) : (def.values as unknown[]);
  if (!values.every((value): value is string => typeof value === "string")) return null;
  return { type: "oneOf", values, issue: message(inst, { code: "invalid_value", values: def.type === "enum" ? values : def.values, input: undefined }) };
}

/** z.stringbool(): a string→boolean codec whose word lists zod keeps in the schema's bag. */
function planStringbool(inst: Instance): Plan | null {
  const def = inst._zod.def;
  const bag = inst._zod.bag ?? {};
  const input = def.in as Instance | undefined;
  const output = def.out as Instance | undefined;
  const words = (list: unknown): list is string[] => Array.isArray(list) && list.every((word) => typeof word === "string");
  const plainString = input?._zod.def.type === "string" && checksOf(input).length === 0 && input._zod.def.error === undefined && input._zod.def.coerce !== true;
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

function isInstance(value: unknown): value is Instance {
  const zod = (value as { _zod?: { def?: unknown; traits?: unknown } } | null)?._zod;
  return typeof zod?.def === "object" && zod.traits instanceof Set;
}
