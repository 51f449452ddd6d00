/**
 * How push, rotate, pull and migrate show what they plan or did: one value-free row per field, as a
 * table (with notes under it) or, with --json, as one JSON document on stdout. The reason behind an
 * error or skip goes to stderr in both forms, so stdout stays one parsable document.
 */
import process from "node:process";
import { renderTable } from "../runtime/table.ts";

/** The --json flag of these commands. */
export const JSON_OPTION = { json: { type: "boolean", default: false } } as const;

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
