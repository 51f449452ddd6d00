/** `secrets-gen import <file>`: convert a t3-env createEnv() or envalid cleanEnv() file into secrets.schema.ts. */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { convertEnvFile } from "../../codegen/import/convert.ts";
import { renderSchema } from "../../codegen/import/emit-schema.ts";
import type { ImportedSchema } from "../../codegen/import/model.ts";
import { HELP_OPTION, parseCommandArgs } from "../args.ts";
import { CliError, UsageError } from "../errors.ts";
import { displayPath, print } from "../output.ts";

export const summary = "convert a t3-env createEnv() or envalid cleanEnv() file into secrets.schema.ts (prints it unless --write)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen import <file> [options]

Reads a t3-env file (createEnv({ server, shared, client, runtimeEnv })) or an envalid file
(cleanEnv(process.env, { ... })) as source code, without running it, and prints the equivalent
secrets.schema.ts. What it converts:
  - t3-env server and shared fields, their zod schemas as written; runtimeEnv reading another
    variable → env: "OTHER"; NODE_ENV === "production" ? X : X.optional() → devOptional: true;
  - envalid str, num, bool (z.stringbool()), port, url, email, host, json, and their choices,
    default, devDefault (secrets only), desc, docs and example;
  - fields whose names look sensitive (SECRET, KEY, TOKEN, PASSWORD, PRIVATE, DSN, DATABASE_URL...)
    become secret(...): the list is printed on stderr for you to review.
What it cannot convert (client variables, createFinalSchema and other rules across fields,
skipValidation, extends, custom validators...) is listed on stderr and marked with
// TODO(secrets-gen import): comments in the schema.

Options:
      --write          write the schema to --out instead of printing it
  -o, --out <path>     where --write puts it (default: secrets.schema.ts in the current directory)
      --force          with --write: replace an existing file
  -h, --help           show this help

Exit codes: 0 converted (review stderr), 1 the file cannot be converted or --out exists without
--force, 2 wrong usage.`;

export async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      write: { type: "boolean", default: false },
      out: { type: "string", short: "o" },
      force: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
  });
  if (values.help) return print(usage);
  const [input, extra] = positionals;
  if (input === undefined) throw new UsageError("give the file to convert, e.g. secrets-gen import src/env.ts");
  if (extra !== undefined) throw new UsageError(`unknown argument "${extra}": import converts one file`);
  if (!values.write && (values.out !== undefined || values.force)) throw new UsageError("--out and --force apply only with --write");

  const text = await readFile(input, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${input} (${error.code ?? "read error"}): pass the path of your t3-env or envalid file`);
  });
  const schema = convertEnvFile(input, text);
  const out = resolve(values.out ?? "secrets.schema.ts");
  const rendered = renderSchema(schema, displayPath(resolve(input)));
  if (!values.write) {
    process.stdout.write(rendered);
  } else {
    if (existsSync(out) && !values.force) throw new CliError(`${displayPath(out)} already exists: pass --force to replace it, or --out <path> to write elsewhere`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, rendered);
    print(`secrets-gen: wrote ${displayPath(out)}: review it, then run \`npx secrets-gen\``);
  }
  process.stderr.write(review(schema, values.write ? undefined : "dry run: nothing was written; run with --write to write secrets.schema.ts"));
  return 0;
}

/** The review list for stderr: what became secret and why, and what was not converted. */
function review(schema: ImportedSchema, closing: string | undefined): string {
  const secrets = schema.fields.filter((field) => field.secretReason !== undefined);
  const width = Math.max(0, ...secrets.map((field) => field.name.length));
  const todos = schema.fields.flatMap((field) => field.todos.map((todo) => `${field.name}: ${todo}`));
  const lines = [
    `secrets-gen: converted ${schema.fields.length} field${schema.fields.length === 1 ? "" : "s"} from ${schema.library}.`,
    secrets.length > 0
      ? "Marked secret(...) by name — review these, and wrap any other sensitive field in secret():"
      : "No field name looks sensitive, so none is marked secret(...): wrap each sensitive field in secret() yourself.",
    ...secrets.map((field) => `  ${field.name.padEnd(width)}  ${field.secretReason}`),
    ...(schema.notConverted.length + todos.length > 0 ? ["Not converted (marked TODO(secrets-gen import) in the schema):"] : []),
    ...[...schema.notConverted, ...todos].map((note) => `  - ${note}`),
    ...(schema.notes.length > 0 ? ["Notes:"] : []),
    ...schema.notes.map((note) => `  - ${note}`),
    ...(closing ? [closing] : []),
  ];
  return `${lines.join("\n")}\n`;
}
