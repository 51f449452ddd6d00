/**
 * Runs a validator plan (src/schema/plan.ts) the way zod runs the schema it came from — same
 * result, same issues in the same order, same messages — without loading zod. An input the plan
 * does not cover (bytes from a manager, a missing value with a zod-computed default) is handed to
 * zod through `fallback`, which imports the schema only then.
 */
import { receivedName, type NumberCheck, type Plan, type PlannedIssue, type PlannedRegex, type StringCheck, type UrlOptions } from "../schema/plan.ts";

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
    case "catch": {
      const inner = compile(plan.inner);
      return (input) => {
        const step = inner(input);
        return step !== NEEDS_ZOD && !step.success ? ok(plan.value) : step;
      };
    }
    case "date":
      return (input) => {
        const date = new Date(input as string);
        return Number.isNaN(date.getTime()) ? fail([plan.issue]) : ok(date);
      };
    case "stringbool":
      return (input) => {
        if (typeof input !== "string") return typeFailure(plan.typeMessages, input);
        const word = plan.caseSensitive ? input : input.toLowerCase();
        if (plan.truthy.includes(word)) return ok(true);
        return plan.falsy.includes(word) ? ok(false) : fail([plan.issue]);
      };
  }
}

/** zod's "defaulted" input: optional and catch pass a missing value on only to a default. */
function substitutesDefault(plan: Plan): boolean {
  return plan.type === "default" || ((plan.type === "optional" || plan.type === "catch") && substitutesDefault(plan.inner));
}

/** A string check: the issues it raises, if any, and the value later checks see (z.url() trims). */
type StringStep = (value: string) => { readonly issues?: readonly PlannedIssue[]; readonly value: string };

function compileString(coerce: boolean, checks: readonly StringStep[], typeMessages: Readonly<Record<string, string>>): Run {
  return (input) => {
    const text = coerce ? String(input) : input;
    if (typeof text !== "string") return typeFailure(typeMessages, text);
    let value = text;
    // zod's string checks never abort one another: every failing one is reported, in order.
    const issues: PlannedIssue[] = [];
    for (const check of checks) {
      const step = check(value);
      if (step.issues) issues.push(...step.issues);
      value = step.value;
    }
    return issues.length > 0 ? fail(issues) : ok(value);
  };
}

function compileStringCheck(check: StringCheck): StringStep {
  switch (check.check) {
    case "min_length":
      return (value) => (codePoints(value) >= check.value ? { value } : { value, issues: [check.issue] });
    case "max_length":
      return (value) => (codePoints(value) <= check.value ? { value } : { value, issues: [check.issue] });
    case "length_equals":
      return (value) => {
        const length = codePoints(value);
        return length === check.value ? { value } : { value, issues: [length > check.value ? check.tooBig : check.tooSmall] };
      };
    case "pattern": {
      const pattern = new RegExp(check.source, check.flags);
      return (value) => {
        pattern.lastIndex = 0;
        return pattern.test(value) ? { value } : { value, issues: [check.issue] };
      };
    }
    case "starts_with":
      return (value) => (value.startsWith(check.value) ? { value } : { value, issues: [check.issue] });
    case "ends_with":
      return (value) => (value.endsWith(check.value) ? { value } : { value, issues: [check.issue] });
    case "includes":
      return (value) => (value.includes(check.value, check.position) ? { value } : { value, issues: [check.issue] });
    case "ipv6":
      return (value) => (isIPv6(value) ? { value } : { value, issues: [check.issue] });
    case "cidrv6":
      return (value) => (isCIDRv6(value) ? { value } : { value, issues: [check.issue] });
    case "overwrite":
      return (value) => ({ value: value[check.method]() });
    case "url":
      if (check.options) return compileUrlWithOptions(check.issue, check.options);
      return (value) => {
        const trimmed = value.trim();
        return URL.canParse(trimmed) ? { value: withoutTabsAndNewlines(trimmed) } : { value, issues: [check.issue] };
      };
  }
}

function compileUrlWithOptions(unparseable: PlannedIssue, options: UrlOptions): StringStep {
  const regex = (planned: PlannedRegex) => new RegExp(planned.source, planned.flags);
  const hostname = options.hostname && { ...options.hostname, regex: regex(options.hostname.regex) };
  const protocol = options.protocol && { ...options.protocol, regex: regex(options.protocol.regex) };
  const test = (pattern: RegExp, text: string) => {
    pattern.lastIndex = 0;
    return pattern.test(text);
  };
  return (value) => {
    const trimmed = value.trim();
    if (options.httpGuard && !/^https?:\/\//i.test(trimmed)) return { value, issues: [options.badFormat] };
    const url = parseUrl(trimmed);
    if (!url) return { value, issues: [unparseable] };
    const issues: PlannedIssue[] = [];
    if (hostname && !test(hostname.regex, url.hostname)) issues.push(hostname.issue);
    if (protocol && !test(protocol.regex, url.protocol.endsWith(":") ? url.protocol.slice(0, -1) : url.protocol)) issues.push(protocol.issue);
    // Later checks see the new value even when these failed, as in zod.
    return { value: options.normalize ? url.href : withoutTabsAndNewlines(trimmed), issues };
  };
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** The URL parser drops ASCII tabs and newlines before parsing; zod drops them from the value too. */
function withoutTabsAndNewlines(text: string): string {
  return text.replace(/[\t\n\r]/g, "");
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

// zod's guard: without it the URL parser reads "@" and "\\" as delimiters and drops tabs and newlines.
const IPV6_ALPHABET = /^[0-9a-fA-F:.]+$/;

function isIPv6(value: string): boolean {
  return IPV6_ALPHABET.test(value) && URL.canParse(`http://[${value}]`);
}

function isCIDRv6(value: string): boolean {
  const parts = value.split("/");
  if (parts.length !== 2) return false;
  const [address, prefix] = parts as [string, string];
  const bits = Number(prefix);
  return prefix !== "" && `${bits}` === prefix && bits >= 0 && bits <= 128 && isIPv6(address);
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
