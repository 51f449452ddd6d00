/** `secrets-gen init`: scaffold a schema, wire the generator into the project's scripts, and run it once. */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { HELP_OPTION, parseCommandArgs } from "../args.ts";
import { CliError, UsageError } from "../errors.ts";
import { displayPath, print } from "../output.ts";
import { addGitignoreEntries, addMissingScripts, SCHEMA_TEMPLATE, type EditReport } from "../scaffold.ts";

export const summary = "scaffold secrets.schema.ts, package.json scripts (or a deno.json task), .gitignore entries, and generate";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen init [options]

In the project directory:
  - writes secrets.schema.ts, a commented example (one secret with a devDefault, one plain config);
  - package.json: adds "secrets:generate", and "prebuild" / "predev" running secrets-gen, each only
    when the script does not exist yet (yours are never replaced);
    or, with a deno.json and no package.json, a "secrets:generate" task;
  - .gitignore: adds .env and .env.local (creates the file if needed);
  - runs the first \`secrets-gen generate\`.

Options:
  -d, --dir <path>   project directory (default: the current directory)
      --force        replace an existing secrets.schema.ts
  -h, --help         show this help

Exit codes: 0 done, 1 secrets.schema.ts already exists (without --force) or another error to fix,
2 wrong usage.`;

const SCHEMA_FILE = "secrets.schema.ts";
const NPM_SCRIPTS = { "secrets:generate": "secrets-gen", prebuild: "secrets-gen", predev: "secrets-gen" };
const DENO_TASKS = { "secrets:generate": "deno run -A npm:@secrets-gen/cli" };

export async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      dir: { type: "string", short: "d", default: "." },
      force: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
  });
  if (positionals.length > 0) throw new UsageError(`unknown argument "${positionals[0]}"`);
  if (values.help) return print(usage);

  const dir = resolve(values.dir);
  const schemaPath = join(dir, SCHEMA_FILE);
  if (existsSync(schemaPath) && !values.force) {
    throw new CliError(`${displayPath(schemaPath)} already exists: edit it, or pass --force to replace it with the example`);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(schemaPath, SCHEMA_TEMPLATE);
  print(`secrets-gen: wrote ${displayPath(schemaPath)}`);

  await wireScripts(dir);
  describeEdit(join(dir, ".gitignore"), "entries", await addGitignoreEntries(join(dir, ".gitignore")));

  const generate = await import("./generate.ts");
  return generate.run(["--schema", schemaPath]);
}

/** package.json scripts, else deno.json tasks; a project with neither runs the generator by hand. */
async function wireScripts(dir: string): Promise<void> {
  const packageJson = join(dir, "package.json");
  const denoJson = join(dir, "deno.json");
  const [path, section, wanted] = existsSync(packageJson)
    ? [packageJson, "scripts", NPM_SCRIPTS] as const
    : existsSync(denoJson)
      ? [denoJson, "tasks", DENO_TASKS] as const
      : [undefined, undefined, undefined];
  if (!path) {
    print("secrets-gen: no package.json or deno.json here: run `npx secrets-gen` after each schema change");
    return;
  }
  try {
    describeEdit(path, section, await addMissingScripts(path, section, wanted));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    print(`secrets-gen: left ${displayPath(path)} alone because it is not plain JSON: add ${JSON.stringify(wanted)} to its "${section}" yourself`);
  }
}

function describeEdit(path: string, what: string, { added, skipped }: EditReport): void {
  if (added.length > 0) print(`secrets-gen: added ${what} ${added.join(", ")} to ${displayPath(path)}`);
  if (skipped.length > 0) print(`secrets-gen: kept the existing ${what} ${skipped.join(", ")} in ${displayPath(path)} (not changed)`);
}
