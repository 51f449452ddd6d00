/** `secrets-gen migrate`: copy secrets from one ref prefix to another (verified), optionally deleting the old ones. */
import { loadSchema } from "../../codegen/load-schema.ts";
import type { Provider, SecretRef } from "../../providers/types.ts";
import type { FieldSpec } from "../../schema/define.ts";
import { parseRef } from "../../schema/ref.ts";
import { CliError, UsageError } from "../errors.ts";
import { canWrite, compareWith, managerRef, ProviderPool, providerContext, selectFields, writeFailure } from "../manager-write.ts";
import { failRow, ONLY_OPTION, parsePlanArgs, printableRow, printPlan, type WorkingRow } from "../plan-output.ts";

export const summary = "copy secrets to new refs (e.g. another Vault path, or Vault to AWS), verified; optionally delete the old (dry run unless --apply)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen migrate --from <ref-prefix> --to <ref-prefix> [options]

For every secret field whose first "from" ref starts with the --from prefix, copies the value to
the same ref with that prefix replaced by --to, e.g. --from vault://app/ --to vault://app-v2/, or
--from vault://app/ --to aws-sm://prod/app/. Plan per field: copy, already copied (the new ref
holds the same value), skipped or error (the new ref holds a different value: a conflict, never
overwritten). With --apply each copy is written, read back and compared; then the schema edit to
make is printed (old ref → new ref). Values are never printed.

--delete-old (with --apply) deletes each old ref after a verified copy, recoverably: a #key ref
loses only that key (a new version without it), a whole Vault secret's version is soft-deleted
(vault kv undelete), a whole AWS secret is scheduled for deletion with a 30-day recovery window.
Apps still reading the old refs lose them: deploy the schema edit first, then run migrate again
with --apply --delete-old.

Options:
      --from <prefix>     the refs to copy, e.g. vault://app/
      --to <prefix>       what replaces --from in each ref, e.g. vault://app-v2/
      --only <F1,F2>      only these fields
      --apply             copy and verify (default: dry run)
      --delete-old        with --apply: delete each old ref after its verified copy
      --json              print the plan as one JSON document (field, from, ref, action, version)
  -s, --schema <path>     schema file (default: secrets.schema.ts)
  -h, --help              show this help

Exit codes: 0 plan shown or everything copied, 1 a row is an error (or another error to fix), 2 wrong usage.`;

/** One field's line of the plan; holds the value only while copying it. */
interface Row extends WorkingRow {
  readonly field: FieldSpec;
  readonly from: SecretRef;
  readonly to: SecretRef | undefined;
  /** The new ref as text, even when it does not parse. */
  readonly toRaw: string;
  /** The new ref holds the value (read back and compared), so the schema may point at it. */
  verified?: boolean;
}

export async function run(argv: readonly string[]): Promise<number> {
  const args = parsePlanArgs(argv, {
    command: "migrate",
    usage,
    options: { from: { type: "string" }, to: { type: "string" }, ...ONLY_OPTION, "delete-old": { type: "boolean", default: false } },
  });
  if (!args) return 0;
  const { values } = args;
  const { from, to } = values;
  if (!from || !to) throw new UsageError("give both --from <ref-prefix> and --to <ref-prefix>");
  if (from === to) throw new UsageError("--from and --to are the same prefix, so there is nothing to copy");
  if (values["delete-old"] && !values.apply) throw new UsageError("--delete-old deletes only after a verified copy, so it needs --apply");

  const schema = await loadSchema(values.schema);
  const fields = selectFields(schema.fields, values.only).filter((field) => managerRef(field)!.raw.startsWith(from));
  if (fields.length === 0) throw new CliError(`no secret field's first "from" ref starts with ${from} in ${values.schema}: check --from (a ref prefix such as vault://app/)`);
  const rows = fields.map((field) => planRow(field, from, to));

  const pool = new ProviderPool();
  try {
    await compare(pool, rows);
    if (values.apply) await copy(pool, rows, values["delete-old"]);
  } finally {
    await pool.close();
  }

  const moved = rows.filter((row) => row.verified);
  const notes = !values.apply
    ? rows.some((row) => row.action === "copy") ? ["dry run: nothing was written; run with --apply to copy (add --delete-old to delete the old refs after a verified copy)"] : []
    : moved.length > 0
      ? [`now edit ${values.schema} so these fields read their new refs, then run \`npx secrets-gen\`:`, ...moved.map((row) => `  ${row.field.name}: ${row.from.raw} → ${row.toRaw}`)]
      : [];
  return printPlan(
    rows.map((row) => ({ ...printableRow(row, row.toRaw), from: row.from.raw })),
    { command: "migrate", json: values.json, apply: values.apply, versions: values.apply, notes },
  );
}

function planRow(field: FieldSpec, from: string, to: string): Row {
  const old = managerRef(field)!;
  const toRaw = to + old.raw.slice(from.length);
  try {
    return { field, from: old, to: parseRef(toRaw), toRaw, action: "copy" };
  } catch (error) {
    return { field, from: old, to: undefined, toRaw, action: "error: invalid", problem: `${(error as Error).message}: check --to` };
  }
}

/** Read both ends (one batch per provider and side) and decide: copy, already copied, skipped or error. */
async function compare(pool: ProviderPool, rows: Row[]): Promise<void> {
  const live = rows.filter((row) => row.to !== undefined);
  const old = await pool.read(live.map((row) => ({ field: row.field, ref: row.from })));
  for (const row of live) {
    const outcome = old.get(row.from.raw);
    if (outcome?.status === "found") {
      if (typeof outcome.value === "string") row.value = outcome.value;
      else failRow(row, "invalid", `${row.from.raw} holds binary data (SecretBinary), which migrate would turn into text: copy it in the manager itself`);
    } else if (outcome?.status === "error") failRow(row, outcome.kind, outcome.message);
    else row.action = "skipped: nothing at the old ref";
  }
  const copying = live.filter((row) => row.value !== undefined);
  for (const row of copying) await writer(pool, row);
  const current = await pool.read(copying.filter((row) => row.value !== undefined).map((row) => ({ field: row.field, ref: row.to! })));
  for (const row of copying.filter((r) => r.value !== undefined)) {
    const comparison = compareWith(current.get(row.toRaw), row.value!);
    if (typeof comparison === "object") failRow(row, comparison.kind, comparison.message);
    else if (comparison === "different") {
      failRow(row, "conflict", `${row.toRaw} already holds a different value, which migrate never overwrites: remove it there, or push the value you want with \`secrets-gen push\``);
    } else row.action = comparison === "absent" ? "copy" : "already copied";
  }
}

/** The new ref's provider when it can write; otherwise the row becomes an error and the answer is undefined. */
async function writer(pool: ProviderPool, row: Row): Promise<(Provider & { write: NonNullable<Provider["write"]> }) | undefined> {
  try {
    const provider = await pool.get(row.field, row.to!);
    if (canWrite(provider)) return provider;
    failRow(row, "read-only", `the ${provider.name} provider cannot write values: copy ${row.field.name} to ${row.toRaw} in the manager itself`);
    return undefined;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    failRow(row, "no provider", error.message);
    return undefined;
  }
}

/** Write each copy, read it back and compare; then, when asked, delete the old ref. One at a time, so keys of one secret follow each other's versions. */
async function copy(pool: ProviderPool, rows: Row[], deleteOld: boolean): Promise<void> {
  for (const row of rows.filter((r) => r.action === "copy" || r.action === "already copied")) {
    if (row.action === "copy") {
      try {
        row.version = (await (await writer(pool, row))!.write(row.to!, row.value!, providerContext())).version ?? "unknown";
      } catch (error) {
        const { kind, message } = writeFailure(error, "write");
        failRow(row, kind, message);
        continue;
      }
      const readBack = (await pool.read([{ field: row.field, ref: row.to! }])).get(row.toRaw);
      if (compareWith(readBack, row.value!) !== "equal") {
        failRow(row, "verify", `reading ${row.toRaw} back after writing it did not give the value copied from ${row.from.raw}; the old ref is kept: check the new one in the manager`);
        continue;
      }
      row.action = "copied";
    }
    row.verified = true;
    if (deleteOld) await deleteOldRef(pool, row);
    delete row.value;
  }
}

async function deleteOldRef(pool: ProviderPool, row: Row): Promise<void> {
  const provider = await pool.get(row.field, row.from);
  if (typeof provider.delete !== "function") {
    failRow(row, "cannot delete", `copied, but the ${provider.name} provider cannot delete ${row.from.raw}: delete it in the manager itself`);
    return;
  }
  try {
    await provider.delete(row.from, providerContext());
  } catch (error) {
    const { kind, message } = writeFailure(error, "delete");
    failRow(row, kind, `copied, but deleting ${row.from.raw} failed: ${message}`);
    return;
  }
  // Two refs written differently can name one secret (a default mount spelled out, say): then the
  // delete just removed the copy. Check, and put the value back rather than lose it.
  const copy = (await pool.read([{ field: row.field, ref: row.to! }])).get(row.toRaw);
  if (compareWith(copy, row.value!) === "equal") {
    row.action = `${row.action}, old deleted`;
    return;
  }
  await (await writer(pool, row))?.write(row.to!, row.value!, providerContext());
  failRow(row, "same secret", `${row.from.raw} and ${row.toRaw} name the same secret, so deleting the old ref removed the copy; the value was written back to ${row.toRaw}: migrate between refs that name different secrets`);
}
