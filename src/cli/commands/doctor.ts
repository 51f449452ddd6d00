/** `secrets-gen doctor` (alias `explain`): resolve every field now, as the app would, and show where each came from. */
import process from "node:process";
import type { Attempt } from "../../runtime/errors.ts";
import type { FieldResult } from "../../runtime/loader.ts";
import { HELP_OPTION, PRODUCTION_OPTION, SCHEMA_OPTION, parseCommandArgs } from "../args.ts";
import { UsageError } from "../errors.ts";
import { print } from "../output.ts";
import { loadForCli } from "../load-report.ts";
import { renderTable } from "../../runtime/table.ts";

export const summary = "resolve every field now, as the app would, and show each one's source (never its value)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen doctor [options]      (alias: secrets-gen explain)

Resolves every field of the schema the way the app would at start-up (same environment, same
chain, same production rules) and prints, per field, where its value came from. Values are never
shown. When a field fails, the start-up report follows on stderr.

Options:
  -s, --schema <path>   schema file (default: secrets.schema.ts)
      --production      apply production rules (default: from NODE_ENV / SECRETS_ENV)
      --json            print a JSON document on stdout instead of the table
  -h, --help            show this help

Columns: field, kind (secret/config), source, where (ref, path or variable), version (when the
manager reports one), status (ok/failed), age (when a provider reports how old the value is; none
does yet, so "-").

Exit codes: 0 every field loads (the app would start), 1 a field failed or another error to fix,
2 wrong usage.`;

/** One field's line of the report; never holds a value. */
interface DoctorRow {
  readonly field: string;
  readonly kind: "secret" | "config";
  readonly source: string | null;
  readonly where: string | null;
  readonly version: string | null;
  readonly status: "ok" | "failed";
  readonly age: string | null;
}

export async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...SCHEMA_OPTION,
      ...PRODUCTION_OPTION,
      json: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
  });
  if (positionals.length > 0) throw new UsageError(`unknown argument "${positionals[0]}"`);
  if (values.help) {
    return print(usage);
  }
  const { schema, report, error } = await loadForCli(values.schema, values.production);
  const sensitive = new Set(schema.fields.filter((field) => field.sensitive).map((field) => field.name));
  const rows = report.results.map((result) => toRow(result, sensitive.has(result.field)));

  if (values.json) {
    const failures = report.results.flatMap((result) => (result.ok ? [] : [result.failure]));
    const document = { production: report.production, ok: error === undefined, fields: rows, failures };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    const header = ["field", "kind", "source", "where", "version", "status", "age"];
    const cells = rows.map((row) => [row.field, row.kind, row.source, row.where, row.version, row.status, row.age].map((cell) => cell ?? "-"));
    process.stdout.write(`${renderTable(header, cells)}\n`);
  }
  if (!error) return 0;
  process.stderr.write(`${error.message}\n`);
  return 1;
}

function toRow(result: FieldResult, sensitive: boolean): DoctorRow {
  const kind = sensitive ? "secret" : "config";
  // No provider reports when a value was written (Outcome carries version and TTL only), so age
  // stays unknown rather than being guessed from the load time.
  const age = null;
  if (result.ok) {
    const { source, where, version } = result.provenance;
    return { field: result.field, kind, source, where, version: version ?? null, status: "ok", age };
  }
  // For a failed field, point at the step that stopped it (an error or a value production refuses).
  const culprit = result.failure.attempts.findLast((attempt: Attempt) => attempt.outcome !== "missing");
  return { field: result.field, kind, source: culprit?.source ?? null, where: culprit?.where ?? null, version: null, status: "failed", age };
}
