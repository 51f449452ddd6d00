/** `secrets-gen push`: copy secret values from the environment or a .env file to the fields' managers. */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { parseEnv } from "node:util";
import { loadSchema } from "../../codegen/load-schema.ts";
import type { Outcome, SecretRef } from "../../providers/types.ts";
import type { FieldSpec } from "../../schema/define.ts";
import { CliError, UsageError } from "../errors.ts";
import { canWrite, compareWith, managerRef, ProviderPool, rejectionCodes, providerContext, selectFields, writeFailure } from "../manager-write.ts";
import { failRow, ONLY_OPTION, parsePlanArgs, printableRow, printPlan, type WorkingRow } from "../plan-output.ts";

export const summary = "copy secret values from the env or a .env file to their managers (dry run unless --apply; names only)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen push (--from-env | --from-file <.env file>) [options]

For every secret field with a manager ref (its first "from" ref), takes the value from the source
(the field's env var in this process's environment, or in the .env file), compares it with the
manager's current value and shows a plan: create, update, unchanged, skipped or error. With
--apply, creates/updates are written as new versions (Vault KV v2, AWS Secrets Manager, GCP Secret
Manager, Azure Key Vault; only Vault checks that a #key's secret did not change meanwhile). Values
are checked against the field's schema first and are never printed. A create is a new secret,
or a new #key in an existing one (whose other keys are kept).

Options:
      --from-env           read values from this process's environment
      --from-file <path>   read values from a .env file
      --only <F1,F2>       only these fields
      --apply              write the creates and updates (default: dry run)
      --json               print the plan as one JSON document (field, ref, action, version)
  -s, --schema <path>      schema file (default: secrets.schema.ts)
  -h, --help               show this help

Exit codes: 0 plan shown or everything applied, 1 a row is an error (or another error to fix), 2 wrong usage.`;

type Action = "create" | "update" | "unchanged" | "skipped: no value in source" | `error: ${string}`;

/** One field's line of the plan; holds the value only until it is written, and never prints it. */
interface Row extends WorkingRow {
  readonly field: FieldSpec;
  readonly ref: SecretRef;
  action: Action;
}

export async function run(argv: readonly string[]): Promise<number> {
  const args = parsePlanArgs(argv, {
    command: "push",
    usage,
    options: { "from-env": { type: "boolean", default: false }, "from-file": { type: "string" }, ...ONLY_OPTION },
  });
  if (!args) return 0;
  const { values } = args;
  if (values["from-env"] === (values["from-file"] !== undefined)) throw new UsageError("give exactly one source: --from-env or --from-file <.env file>");

  const schema = await loadSchema(values.schema);
  const fields = selectFields(schema.fields, values.only);
  const source = values["from-file"] !== undefined ? await readEnvFile(values["from-file"]) : process.env;
  const rows = await Promise.all(fields.map((field) => planRow(field, source[field.env])));
  await compareWithManagers(rows, values.apply);

  const pending = !values.apply && rows.some((row) => row.action === "create" || row.action === "update");
  return printPlan(
    rows.map((row) => printableRow(row, row.ref.raw)),
    {
      command: "push",
      json: values.json,
      apply: values.apply,
      versions: values.apply,
      notes: pending ? ["dry run: nothing was written; run with --apply to write the creates and updates"] : [],
    },
  );
}

async function readEnvFile(path: string): Promise<Record<string, string | undefined>> {
  const text = await readFile(path, "utf8").catch((error: { code?: string }) => {
    throw new CliError(`cannot read the .env file ${path} (${error.code ?? "unreadable"}): check the --from-file path`);
  });
  return parseEnv(text);
}

/** The row before the manager is asked: skipped without a value, an error when the schema rejects it. */
async function planRow(field: FieldSpec, value: string | undefined): Promise<Row> {
  const ref = managerRef(field)!;
  if (value === undefined || value === "") return { field, ref, action: "skipped: no value in source" };
  const codes = await rejectionCodes(field, value);
  if (codes.length > 0) {
    return { field, ref, action: "error: invalid", problem: `the source's value does not pass the field's schema (zod: ${codes.join(", ")}); fix it in the source` };
  }
  return { field, ref, action: "update", value };
}

/** Ask the managers for their current values (one batch per provider), decide each row's action, and write when applying. */
async function compareWithManagers(rows: Row[], apply: boolean): Promise<void> {
  const pool = new ProviderPool();
  try {
    const writable: Row[] = [];
    for (const row of rows.filter((r) => r.value !== undefined)) {
      try {
        const provider = await pool.get(row.field, row.ref);
        if (canWrite(provider)) writable.push(row);
        else failRow(row, "read-only", `the ${provider.name} provider cannot write values: set ${row.ref.raw} in the manager itself`);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        failRow(row, "no provider", error.message);
      }
    }
    const current = await pool.read(writable);
    for (const row of writable) decide(row, current.get(row.ref.raw));
    if (!apply) return;
    // One write at a time: several keys of one secret are written in turn, each on the version the last one made.
    for (const row of writable.filter((r) => r.action === "create" || r.action === "update")) {
      const provider = await pool.get(row.field, row.ref);
      try {
        // A fresh deadline per call: one push may write many secrets.
        row.version = (await provider.write!(row.ref, row.value!, providerContext())).version ?? "unknown";
      } catch (error) {
        const { kind, message } = writeFailure(error, "write");
        failRow(row, kind, message);
      }
    }
  } finally {
    await pool.close();
  }
}

function decide(row: Row, outcome: Outcome | undefined): void {
  const comparison = compareWith(outcome, row.value!);
  if (typeof comparison === "object") failRow(row, comparison.kind, comparison.message);
  else row.action = comparison === "absent" ? "create" : comparison === "equal" ? "unchanged" : "update";
}
