/**
 * What push, rotate, pull and migrate share: their common flags, and how they show what they plan or
 * did: one value-free row per field, as a table (with notes under it) or, with --json, as one JSON
 * document on stdout. The reason behind an error or skip goes to stderr in both forms, so stdout stays
 * one parsable document.
 */
import process from "node:process";
import type { parseArgs, ParseArgsConfig } from "node:util";
import { renderTable } from "../runtime/table.ts";
import { HELP_OPTION, SCHEMA_OPTION, parseCommandArgs } from "./args.ts";
import { UsageError } from "./errors.ts";
import { print } from "./output.ts";

/** --only, for the commands that plan many fields (rotate names its one field instead). */
export const ONLY_OPTION = { only: { type: "string" } } as const;

const PLAN_OPTIONS = {
  apply: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  ...SCHEMA_OPTION,
  ...HELP_OPTION,
} as const;

/**
 * A plan command's argv: its own options plus --apply, --json, --schema and --help. Undefined when
 * --help printed the usage. Arguments that are not flags are refused, except the one field name of a
 * command that takes it (`field`).
 */
export function parsePlanArgs<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: readonly string[],
  spec: { command: string; usage: string; options: O; field?: boolean },
): { values: ReturnType<typeof parseArgs<{ options: O & typeof PLAN_OPTIONS }>>["values"]; field: string | undefined } | undefined {
  const { values, positionals } = parseCommandArgs({ args: [...argv], allowPositionals: true, options: { ...spec.options, ...PLAN_OPTIONS } });
  // PLAN_OPTIONS puts --help in every result; the generic O hides that from the type checker here.
  if ((values as { help: boolean }).help) {
    print(spec.usage);
    return undefined;
  }
  if (spec.field && positionals.length !== 1) throw new UsageError(`${spec.command} takes exactly one field name`);
  if (!spec.field && positionals.length > 0) throw new UsageError(`unknown argument "${positionals[0]}"`);
  return { values, field: positionals[0] };
}

/** A command's working line of the plan; it holds the value only while the command needs it. */
export interface WorkingRow {
  readonly field: { readonly name: string };
  action: string;
  version?: string;
  /** The value-free sentence behind an error row, printed on stderr. */
  problem?: string;
  value?: string;
}

/** Make the row an error of this kind, and let go of its value. */
export function failRow(row: WorkingRow, kind: string, problem: string): void {
  row.action = `error: ${kind}`;
  row.problem = problem;
  delete row.value;
}

/** The printable part of a working row, whose ref is `ref`: never its value. */
export function printableRow(row: WorkingRow, ref: string): PlanRow {
  return { field: row.field.name, ref, action: row.action, ...(row.version ? { version: row.version } : {}), ...(row.problem ? { problem: row.problem } : {}) };
}

export interface PlanRow {
  readonly field: string;
  /** The manager ref written or read; for migrate, the new ref. */
  readonly ref: string;
  /** migrate only: the ref the value is copied from. */
  readonly from?: string;
  /** e.g. create, update, unchanged, "skipped: <why>", "error: <kind>". */
  readonly action: string;
  /** The manager's version of the value written (or read, for pull), when known. */
  readonly version?: string;
  /** One value-free sentence behind an error row, for stderr. */
  readonly problem?: string;
}

export interface PlanOptions {
  readonly command: string;
  readonly json: boolean;
  readonly apply: boolean;
  /** Whether the table has a version column (JSON rows always carry `version`, null when unknown). */
  readonly versions: boolean;
  /** Lines under the table (never in JSON), e.g. "dry run: nothing was written …". */
  readonly notes?: readonly string[];
}

/** Print the rows; returns the exit code: 1 when any row is an error, else 0. */
export function printPlan(rows: readonly PlanRow[], options: PlanOptions): number {
  if (options.json) {
    const document = {
      command: options.command,
      apply: options.apply,
      rows: rows.map(({ field, from, ref, action, version }) => ({ field, ...(from === undefined ? {} : { from }), ref, action, version: version ?? null })),
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    const migrating = rows.some((row) => row.from !== undefined);
    const header = [...(migrating ? ["field", "from", "to"] : ["field", "ref"]), "action", ...(options.versions ? ["version"] : [])];
    const cells = rows.map((row) => [
      row.field,
      ...(migrating ? [row.from ?? "-"] : []),
      row.ref,
      row.action,
      ...(options.versions ? [row.version ?? "-"] : []),
    ]);
    process.stdout.write(`${[renderTable(header, cells), ...(options.notes ?? [])].join("\n")}\n`);
  }
  for (const row of rows) if (row.problem) process.stderr.write(`secrets-gen: ${row.field}: ${row.problem}\n`);
  return rows.some((row) => row.action.startsWith("error")) ? 1 : 0;
}
