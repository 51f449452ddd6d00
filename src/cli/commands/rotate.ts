/** `secrets-gen rotate <FIELD>`: write a new random value for a secret to its manager, never showing it. */
import { randomInt } from "node:crypto";
import process from "node:process";
import { loadSchema } from "../../codegen/load-schema.ts";
import { CliError, UsageError } from "../errors.ts";
import { canWrite, managerRef, openProvider, providerContext, rejectionCodes, writeFailure } from "../manager-write.ts";
import { parsePlanArgs, printPlan } from "../plan-output.ts";

export const summary = "write a new random value for a secret to its manager (dry run unless --apply; never shows it)";

const CHARSETS = {
  alnum: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
  hex: "0123456789abcdef",
  base64url: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
} as const;
type Charset = keyof typeof CHARSETS;
const isCharset = (name: string): name is Charset => Object.hasOwn(CHARSETS, name);

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen rotate <FIELD> [options]

Generates a cryptographically random value for a secret field, checks it against the field's
schema, and writes it as a new version at the field's manager ref (its first "from" ref: Vault
KV v2, AWS Secrets Manager, GCP Secret Manager or Azure Key Vault). Without --apply nothing is written. The value is never printed;
running apps pick it up on their next refresh.

Options:
      --length <n>        random characters (default: 32)
      --charset <name>    alnum, hex or base64url (default: alnum)
      --prefix <text>     text put before the random part, e.g. sk_live_
      --apply             write the new version (default: dry run)
      --json              print one JSON document: the field, ref, action "rotate" and the new version
  -s, --schema <path>     schema file (default: secrets.schema.ts)
  -h, --help              show this help

Exit codes: 0 dry run shown or new version written, 1 an error to fix, 2 wrong usage.`;

export async function run(argv: readonly string[]): Promise<number> {
  const args = parsePlanArgs(argv, {
    command: "rotate",
    usage,
    field: true,
    options: { length: { type: "string", default: "32" }, charset: { type: "string", default: "alnum" }, prefix: { type: "string", default: "" } },
  });
  if (!args) return 0;
  const { values } = args;
  const length = Number(values.length);
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw new UsageError(`--length "${values.length}" is not a whole number from 1 to 4096`);
  if (!isCharset(values.charset)) throw new UsageError(`--charset "${values.charset}" is not one of ${Object.keys(CHARSETS).join(", ")}`);
  const charset = values.charset;

  const name = args.field!;
  const schema = await loadSchema(values.schema);
  const field = schema.fields.find((candidate) => candidate.name === name);
  if (!field) throw new CliError(`the schema ${values.schema} has no field ${name}: check the name`);
  if (!field.sensitive) throw new CliError(`field ${name} is config, not a secret: only secret(...) fields can be rotated`);
  const ref = managerRef(field);
  if (!ref) throw new CliError(`field ${name} has no manager ref to write to: add a "from" ref such as vault://app/db#password`);

  const value = values.prefix + randomText(CHARSETS[charset], length);
  const codes = await rejectionCodes(field, value);
  if (codes.length > 0) {
    throw new CliError(`the schema of ${name} rejects a random ${charset} value of ${length} characters${values.prefix ? " with that prefix" : ""} (zod: ${codes.join(", ")}): adjust --length, --charset or --prefix to fit it`);
  }
  const provider = await openProvider(field, ref);
  try {
    if (!canWrite(provider)) throw new CliError(`the ${provider.name} provider of ${ref.raw} cannot write values: rotate ${name} in the manager itself`);
    const row = { field: name, ref: ref.raw, action: "rotate" };
    if (!values.apply) {
      if (values.json) return printPlan([row], { command: "rotate", json: true, apply: false, versions: false });
      process.stdout.write(`would write a new random value (${length} characters, charset ${charset}) to ${ref.raw} for ${name}; run with --apply to write it\n`);
      return 0;
    }
    const written = await provider.write(ref, value, providerContext()).catch((error: unknown) => {
      throw new CliError(`rotating ${name} failed: ${writeFailure(error, "write").message}`);
    });
    const version = written.version ?? "unknown";
    if (values.json) return printPlan([{ ...row, version }], { command: "rotate", json: true, apply: true, versions: true });
    process.stdout.write(`wrote a new version of ${name} to ${ref.raw} (version ${version}); running apps pick it up on their next refresh\n`);
    return 0;
  } finally {
    await provider.close?.();
  }
}

/** `length` characters drawn uniformly from `alphabet` (randomInt has no modulo bias). */
function randomText(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}
