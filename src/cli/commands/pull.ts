/** `secrets-gen pull`: copy secret values from the fields' managers into a local .env file, never showing them. */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { parseEnv } from "node:util";
import { loadSchema } from "../../codegen/load-schema.ts";
import type { Outcome, SecretRef } from "../../providers/types.ts";
import type { FieldSpec } from "../../schema/define.ts";
import { gitTracked, gitUnignored, isSymlink, quoteEnvValue, updateEnvText, writeEnvFile } from "../env-file.ts";
import { CliError } from "../errors.ts";
import { ProviderPool, rejectionCodes, selectFields, valueText } from "../manager-write.ts";
import { failRow, ONLY_OPTION, parsePlanArgs, printableRow, printPlan, type WorkingRow } from "../plan-output.ts";

export const summary = "copy secret values from their managers into a local .env file (dry run unless --apply; names only)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen pull [options]

Resolves every secret field with "from" refs from its managers, as the app would (configured from
this process's environment; the first ref that has a value wins), and compares each value with the
field's env var in the .env file: add, update, unchanged, skipped (with why) or error. With --apply
the file is rewritten atomically with mode 0600: those variables set, every other line kept. Values
are quoted so Node's util.parseEnv reads them back exactly; they are never printed. A file that git
tracks, and a symbolic link, are refused.

Options:
      --to <path>         the .env file (default: .env.local, which the app reads in development)
      --only <F1,F2>      only these fields
      --apply             write the adds and updates (default: dry run)
      --json              print the plan as one JSON document (field, ref, action, version)
  -s, --schema <path>     schema file (default: secrets.schema.ts)
  -h, --help              show this help

Exit codes: 0 plan shown or file written, 1 a row is an error (or another error to fix), 2 wrong usage.`;

/** One field's line of the plan; holds the value only until the file is written. */
interface Row extends WorkingRow {
  readonly field: FieldSpec;
  ref: SecretRef;
}

export async function run(argv: readonly string[]): Promise<number> {
  const args = parsePlanArgs(argv, { command: "pull", usage, options: { to: { type: "string", default: ".env.local" }, ...ONLY_OPTION } });
  if (!args) return 0;
  const { values } = args;
  const file = values.to;
  if (await isSymlink(file)) {
    throw new CliError(`${file} is a symbolic link, and pull writes only a regular file so that secrets cannot land wherever it points: remove the link or pass --to the path of a regular, git-ignored file`);
  }
  if (await gitTracked(file)) {
    throw new CliError(`${file} is tracked by git, so secrets written there would be committed: pull into an untracked, git-ignored file (such as --to .env.local), or stop tracking it with \`git rm --cached ${file}\` and add it to .gitignore`);
  }

  const schema = await loadSchema(values.schema);
  const fields = selectFields(schema.fields, values.only);
  const existingText = await readFile(file, "utf8").catch((error: { code?: string }) => {
    if (error.code === "ENOENT") return "";
    throw new CliError(`cannot read ${file} (${error.code ?? "unreadable"}): check the --to path`);
  });
  const rows = await resolveFromManagers(fields);
  const existing = parseEnv(existingText);
  await Promise.all(rows.map((row) => decide(row, existing[row.field.env])));

  const changes = rows.filter((row) => row.action === "add" || row.action === "update");
  const notes: string[] = [];
  if (values.apply && changes.length > 0) {
    const updates = new Map(changes.map((row) => [row.field.env, row.value!]));
    await writeEnvFile(file, updateEnvText(existingText, updates, file), file);
    notes.push(`wrote ${changes.length} variable${changes.length === 1 ? "" : "s"} to ${file} (mode 0600)`);
    if (await gitUnignored(file)) process.stderr.write(`secrets-gen: ${file} is not git-ignored: add it to .gitignore so it is never committed\n`);
  } else if (changes.length > 0) {
    notes.push(`dry run: nothing was written; run with --apply to write ${file}`);
  }
  return printPlan(
    rows.map((row) => printableRow(row, row.ref.raw)),
    { command: "pull", json: values.json, apply: values.apply, versions: true, notes },
  );
}

/**
 * Each field's value from its "from" refs, in rounds as the app resolves them: every field's first ref, then
 * the next ref of fields whose manager had nothing. A manager error stops that field (fail closed).
 */
async function resolveFromManagers(fields: readonly FieldSpec[]): Promise<Row[]> {
  const rows: Row[] = fields.map((field) => ({ field, ref: field.from[0]!, action: "skipped: not in any manager" }));
  const pool = new ProviderPool();
  try {
    for (let round = 0; ; round++) {
      const asking = rows.filter((row) => row.value === undefined && !row.action.startsWith("error") && round < row.field.from.length);
      if (asking.length === 0) return rows;
      for (const row of asking) row.ref = row.field.from[round]!;
      const outcomes = await pool.read(asking);
      for (const row of asking) take(row, outcomes.get(row.ref.raw));
    }
  } finally {
    await pool.close();
  }
}

function take(row: Row, outcome: Outcome | undefined): void {
  if (outcome?.status === "found") {
    row.value = valueText(outcome.value);
    if (outcome.version !== undefined) row.version = outcome.version;
  } else if (outcome?.status === "error") {
    failRow(row, outcome.kind, outcome.message);
  }
}

/** add / update / unchanged against the file's current value, once the value passes the schema and can be quoted. */
async function decide(row: Row, current: string | undefined): Promise<void> {
  if (row.value === undefined) return;
  const codes = await rejectionCodes(row.field, row.value);
  if (codes.length > 0) {
    row.action = "error: invalid";
    row.problem = `the value at ${row.ref.raw} does not pass the field's schema (zod: ${codes.join(", ")}); fix it in the manager`;
  } else if (quoteEnvValue(row.value) === undefined) {
    row.action = "skipped: no .env quoting can hold the value";
    row.problem = `the value at ${row.ref.raw} contains a carriage return, or all of ' " and \`, so a .env file cannot hold it exactly; set ${row.field.env} another way`;
  } else {
    row.action = current === undefined ? "add" : current === row.value ? "unchanged" : "update";
  }
  if (row.action !== "add" && row.action !== "update") delete row.value;
}
