/**
 * A validator plan: the common subset of a field's zod schema (string, number, boolean, enum,
 * literal, unions of them, stringbool, coerce, coerced date, length/format/range checks,
 * trim/case overwrites, optional, nullable, default, catch with a fixed value, static custom
 * messages) written as plain data. The codegen writes one per field into generated/, and the
 * runtime runs it without importing zod or the schema. Messages are zod's own, computed when the
 * plan was made. Fields whose schema uses anything else (refine, transform, message functions…)
 * get no plan and are validated by zod. See src/schema/plan-of.ts (zod → plan) and
 * src/runtime/plan-parser.ts.
 */

/** One zod issue a plan can raise, as zod would word it. */
export interface PlannedIssue {
  readonly code: string;
  readonly message: string;
}

export type StringCheck =
  | { readonly check: "min_length"; readonly value: number; readonly issue: PlannedIssue }
  | { readonly check: "max_length"; readonly value: number; readonly issue: PlannedIssue }
  | { readonly check: "length_equals"; readonly value: number; readonly tooSmall: PlannedIssue; readonly tooBig: PlannedIssue }
  | { readonly check: "pattern"; readonly source: string; readonly flags: string; readonly issue: PlannedIssue }
  | { readonly check: "starts_with" | "ends_with"; readonly value: string; readonly issue: PlannedIssue }
  /** String.prototype.includes(value, position). */
  | { readonly check: "includes"; readonly value: string; readonly position?: number; readonly issue: PlannedIssue }
  /** z.ipv6() / z.cidrv6(): the address parsed as a URL host, after zod's alphabet guard. */
  | { readonly check: "ipv6" | "cidrv6"; readonly issue: PlannedIssue }
  /**
   * z.url(): the trimmed text must parse as a URL, and it becomes the value (tabs and newlines
   * dropped, as the URL parser does). With options, zod's other parser: see UrlOptions.
   */
  | { readonly check: "url"; readonly issue: PlannedIssue; readonly options?: UrlOptions }
  /** .trim() / .toLowerCase() / .toUpperCase(): the value later checks see and the result. */
  | { readonly check: "overwrite"; readonly method: OverwriteMethod };

/** A regex as data. */
export interface PlannedRegex {
  readonly source: string;
  readonly flags: string;
}

/** z.url({ hostname, protocol, normalize }) and z.httpUrl(). */
export interface UrlOptions {
  /** Tested against the parsed URL's hostname. */
  readonly hostname?: { readonly regex: PlannedRegex; readonly issue: PlannedIssue };
  /** Tested against the parsed URL's protocol without its ":". */
  readonly protocol?: { readonly regex: PlannedRegex; readonly issue: PlannedIssue };
  /** The value becomes the parsed URL's href rather than the trimmed text. */
  readonly normalize: boolean;
  /** zod's http guard: an http(s) protocol pattern without normalize needs "http://" or "https://". */
  readonly httpGuard: boolean;
  /** What the http guard raises. */
  readonly badFormat: PlannedIssue;
}

/** The String.prototype methods zod's own overwrite checks call. */
export type OverwriteMethod = "trim" | "toLowerCase" | "toUpperCase";

export type NumberCheck =
  /** z.int() / .int(): not an integer aborts; outside the safe range reports and goes on. */
  | { readonly check: "int"; readonly notInteger: PlannedIssue; readonly tooSmall: PlannedIssue; readonly tooBig: PlannedIssue }
  | { readonly check: "greater_than" | "less_than"; readonly value: number; readonly inclusive: boolean; readonly issue: PlannedIssue };

/** zod's invalid_type message for each kind of input the plan can meet, by zod's "received" name. */
export type TypeMessages = Readonly<Record<string, string>>;

export type Plan =
  | { readonly type: "optional"; readonly inner: Plan }
  /** The default itself is not in the plan (zod may compute it): a missing value falls back to zod. */
  | { readonly type: "default"; readonly inner: Plan }
  | { readonly type: "string"; readonly coerce: boolean; readonly checks: readonly StringCheck[]; readonly typeMessages: TypeMessages }
  | { readonly type: "number"; readonly coerce: boolean; readonly checks: readonly NumberCheck[]; readonly typeMessages: TypeMessages }
  | { readonly type: "boolean"; readonly coerce: boolean; readonly typeMessages: TypeMessages }
  /**
   * z.enum or z.literal of strings, or a union of them: anything else (undefined included) is one
   * issue, invalid_value (or invalid_union for a union).
   */
  | { readonly type: "oneOf"; readonly values: readonly string[]; readonly issue: PlannedIssue }
  /** .catch(value) with a fixed value: the inner plan's answer, or the value where it fails. */
  | { readonly type: "catch"; readonly inner: Plan; readonly value: CatchValue }
  /** z.coerce.date(): new Date(input), an invalid date being the one issue. */
  | { readonly type: "date"; readonly issue: PlannedIssue }
  | {
      readonly type: "stringbool";
      readonly truthy: readonly string[];
      readonly falsy: readonly string[];
      readonly caseSensitive: boolean;
      readonly issue: PlannedIssue;
      readonly typeMessages: TypeMessages;
    };

export type CatchValue = string | number | boolean | null;

/** Plans by field name; null where the field is validated by zod. */
export type Plans = Readonly<Record<string, Plan | null>>;

/** The key of TypeMessages for an input that fails the base type: "undefined", "string", "NaN", "Infinity"… */
export function receivedName(input: unknown): string {
  return typeof input === "number" ? String(input) : typeof input;
}
