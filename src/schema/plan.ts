/**
 * A validator plan: the common subset of a field's zod schema (string, number, boolean, enum,
 * literal, stringbool, coerce, length/format/range checks, optional, default) written as plain
 * data. The codegen writes one per field into generated/, and the runtime runs it without
 * importing zod or the schema. Messages are zod's own, computed when the plan was made.
 * Fields whose schema uses anything else (refine, transform, custom messages…) get no plan and
 * are validated by zod. See src/schema/plan-of.ts (zod → plan) and src/runtime/plan-parser.ts.
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
  /** z.url() without options: URL.canParse on the trimmed text, which becomes the value. */
  | { readonly check: "url"; readonly issue: PlannedIssue };

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
  /** z.enum or z.literal of strings: anything else (undefined included) is one invalid_value issue. */
  | { readonly type: "oneOf"; readonly values: readonly string[]; readonly issue: PlannedIssue }
  | {
      readonly type: "stringbool";
      readonly truthy: readonly string[];
      readonly falsy: readonly string[];
      readonly caseSensitive: boolean;
      readonly issue: PlannedIssue;
      readonly typeMessages: TypeMessages;
    };

/** Plans by field name; null where the field is validated by zod. */
export type Plans = Readonly<Record<string, Plan | null>>;

/** The key of TypeMessages for an input that fails the base type: "undefined", "string", "NaN", "Infinity"… */
export function receivedName(input: unknown): string {
  return typeof input === "number" ? String(input) : typeof input;
}
