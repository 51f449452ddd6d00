/**
 * Runs a validator plan (src/schema/plan.ts) the way zod runs the schema it came from — same
 * result, same issues in the same order, same messages — without loading zod. An input the plan
 * does not cover (bytes from a manager, a missing value with a zod-computed default) is handed to
 * zod through `fallback`, which imports the schema only then.
 */
import { receivedName, type NumberCheck, type Plan, type PlannedIssue, type StringCheck } from "../schema/plan.ts";

/** The part of zod's safeParseAsync that validation reads; zod schemas satisfy it. */
export interface FieldParser {
  /** `params`: zod's parse options (an error map), passed on to zod when the plan hands over. */
  safeParseAsync(value: unknown, params?: object): Promise<ParseResult>;
}

export type ParseResult =
  | { readonly success: true; readonly data: unknown }
  | { readonly success: false; readonly error: { readonly issues: readonly ParseIssue[] } };

export interface ParseIssue {
  readonly code: string;
  readonly message: string;
  readonly path: readonly PropertyKey[];
}

const NEEDS_ZOD = Symbol("needs zod");
type Step = ParseResult | typeof NEEDS_ZOD;
type Run = (input: unknown) => Step;

export function planParser(plan: Plan, fallback: () => Promise<FieldParser>): FieldParser {
  const run = compile(plan);
  return {
    async safeParseAsync(value, params) {
      const step = value === undefined || typeof value === "string" ? run(value) : NEEDS_ZOD;
      return step === NEEDS_ZOD ? (await fallback()).safeParseAsync(value, params) : step;
    },
  };
}

function compile(plan: Plan): Run {
  switch (plan.type) {
    case "optional": {
      const inner = compile(plan.inner);
      // zod's optional lets undefined through unless a default further in supplies a value.
      const defaulted = substitutesDefault(plan.inner);
      return (input) => (input === undefined && !defaulted ? ok(undefined) : inner(input));
    }
    case "default": {
      const inner = compile(plan.inner);
      return (input) => (input === undefined ? NEEDS_ZOD : inner(input));
    }
    case "string":
      return compileString(plan.coerce, plan.checks.map(compileStringCheck), plan.typeMessages);
    case "number":
      return compileNumber(plan.coerce, plan.checks, plan.typeMessages);
    case "boolean":
      return (input) => {
        const value = plan.coerce ? Boolean(input) : input;
        return typeof value === "boolean" ? ok(value) : typeFailure(plan.typeMessages, value);
      };
    case "oneOf":
      return (input) => (plan.values.includes(input as string) ? ok(input) : fail([plan.issue]));
    case "stringbool":
      return (input) => {
        if (typeof input !== "string") return typeFailure(plan.typeMessages, input);
        const word = plan.caseSensitive ? input : input.toLowerCase();
        if (plan.truthy.includes(word)) return ok(true);
        return plan.falsy.includes(word) ? ok(false) : fail([plan.issue]);
      };
  }
}

function substitutesDefault(plan: Plan): boolean {
  return plan.type === "default" || (plan.type === "optional" && substitutesDefault(plan.inner));
}

/** A string check: the issue it raises, if any, and the value later checks see (z.url() trims). */
type StringStep = (value: string) => { readonly issue?: PlannedIssue; readonly value: string };

function compileString(coerce: boolean, checks: readonly StringStep[], typeMessages: Readonly<Record<string, string>>): Run {
  return (input) => {
    const text = coerce ? String(input) : input;
    if (typeof text !== "string") return typeFailure(typeMessages, text);
    let value = text;
    // zod's string checks never abort one another: every failing one is reported, in order.
    const issues: PlannedIssue[] = [];
    for (const check of checks) {
      const step = check(value);
      if (step.issue) issues.push(step.issue);
      value = step.value;
    }
    return issues.length > 0 ? fail(issues) : ok(value);
  };
}

function compileStringCheck(check: StringCheck): StringStep {
  switch (check.check) {
    case "min_length":
      return (value) => (codePoints(value) >= check.value ? { value } : { value, issue: check.issue });
    case "max_length":
      return (value) => (codePoints(value) <= check.value ? { value } : { value, issue: check.issue });
    case "length_equals":
      return (value) => {
        const length = codePoints(value);
        return length === check.value ? { value } : { value, issue: length > check.value ? check.tooBig : check.tooSmall };
      };
    case "pattern": {
      const pattern = new RegExp(check.source, check.flags);
      return (value) => {
        pattern.lastIndex = 0;
        return pattern.test(value) ? { value } : { value, issue: check.issue };
      };
    }
    case "url":
      return (value) => {
        const trimmed = value.trim();
        // The URL parser drops ASCII tabs and newlines before parsing; zod drops them from the value too.
        return URL.canParse(trimmed) ? { value: trimmed.replace(/[\t\n\r]/g, "") } : { value, issue: check.issue };
      };
  }
}

function compileNumber(coerce: boolean, checks: readonly NumberCheck[], typeMessages: Readonly<Record<string, string>>): Run {
  return (input) => {
    const value = coerce ? Number(input) : input;
    if (typeof value !== "number" || !Number.isFinite(value)) return typeFailure(typeMessages, value);
    const issues: PlannedIssue[] = [];
    for (const check of checks) {
      if (check.check === "int") {
        // Not an integer aborts the checks after it; outside the safe range does not.
        if (!Number.isInteger(value)) {
          issues.push(check.notInteger);
          break;
        }
        if (!Number.isSafeInteger(value)) issues.push(value > 0 ? check.tooBig : check.tooSmall);
        continue;
      }
      const within = check.check === "greater_than"
        ? (check.inclusive ? value >= check.value : value > check.value)
        : (check.inclusive ? value <= check.value : value < check.value);
      if (!within) issues.push(check.issue);
    }
    return issues.length > 0 ? fail(issues) : ok(value);
  };
}

/** Length in Unicode code points, as zod measures strings. */
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function typeFailure(messages: Readonly<Record<string, string>>, value: unknown): Step {
  const message = messages[receivedName(value)];
  // A kind of input the plan was not made for: zod decides.
  return message === undefined ? NEEDS_ZOD : fail([{ code: "invalid_type", message }]);
}

const ok = (data: unknown): ParseResult => ({ success: true, data });
const fail = (issues: readonly PlannedIssue[]): ParseResult => ({
  success: false,
  error: { issues: issues.map((issue) => ({ code: issue.code, message: issue.message, path: [] })) },
});
