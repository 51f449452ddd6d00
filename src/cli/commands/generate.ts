/** `secrets-gen [generate]`: write the typed accessor from the schema, or check it is up to date. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import process from "node:process";
import type { GeneratedFile } from "../../codegen/generate.ts";
import { upToDateCache } from "../../codegen/up-to-date-cache.ts";
import { configureTargets, isTargetName, TARGET_FLAGS, TARGETS, type NamedTargetFile, type TargetName } from "../../codegen/targets/index.ts";
import { toManifest } from "../../schema/manifest.ts";
import { HELP_OPTION, SCHEMA_OPTION, parseCommandArgs } from "../args.ts";
import { UsageError } from "../errors.ts";
import { displayPath, print } from "../output.ts";

export const summary = "write generated/, .env.example and --target files from the schema (--check: verify they are up to date)";

const TARGET_HELP = Object.entries(TARGETS).map(([name, { summary }]) => `                             ${name.padEnd(18)}${summary}`).join("\n");

/** Each target's flags under its name; a help too long for one line starts on the next. */
const TARGET_FLAG_HELP = Object.entries(TARGETS).flatMap(([name, { flags }]) => [
  `  --target ${name}`,
  ...Object.entries(flags).map(([flag, { value, help }]) => {
    const flagText = `      --${flag} ${value}`;
    return flagText.length < 40 ? `${flagText.padEnd(40)}${help}` : `${flagText}\n${" ".repeat(40)}${help}`;
  }),
]).join("\n");

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen [generate] [options]

Generates a typed accessor module, and with --target deployment config, from a secrets schema.

Options:
  -s, --schema <path>        schema file (default: secrets.schema.ts)
  -o, --out <dir>            output directory (default: generated/ beside the schema)
      --env-example <path>   where to write .env.example (default: beside the schema)
  -t, --target <name>        also write deployment config (repeatable):
${TARGET_HELP}
      --target-out <dir>     where --target files go (default: deploy/ beside the schema)
      --check                write nothing; exit 1 with a diff when the output is stale
      --json                 print {check, ok, files: [{path, target?, status}]} on stdout instead,
                             status being written, unchanged or out-of-date (for CI)
      --no-cache             always run the type checker, even when nothing it reads
                             changed since the last run (see docs/cli.md)
  -h, --help                 show this help

Target options (each needs a --target that takes it; a flag shared by two targets sets both):
${TARGET_FLAG_HELP}

Exit codes: 0 done or up to date, 1 stale output or an error to fix, 2 wrong usage.`;

const TARGET_FLAG_OPTIONS = Object.fromEntries(
  Object.entries(TARGET_FLAGS).map(([flag, { multiple }]) => [flag, { type: "string", multiple: multiple === true }]),
) as Record<string, { type: "string"; multiple: boolean }>;

/** An output file, and what `--json` and `--check` need to know about it. */
type OutputFile = GeneratedFile & { readonly target?: TargetName; readonly holdsValues?: true };

type Status = "written" | "unchanged" | "out-of-date";

export async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...TARGET_FLAG_OPTIONS,
      ...SCHEMA_OPTION,
      out: { type: "string", short: "o" },
      "env-example": { type: "string" },
      target: { type: "string", short: "t", multiple: true, default: [] },
      "target-out": { type: "string" },
      check: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "no-cache": { type: "boolean", default: false },
      ...HELP_OPTION,
    },
  });
  if (positionals.length > 0) throw new UsageError(`unknown command or argument "${positionals[0]}"`);
  if (values.help) return print(usage);
  const emitTargets = configureTargets(targetNames(values.target), values);
  const started = performance.now();
  const stats = (fieldCount: number, note = "") => `${fieldCount} fields, ${Math.round(performance.now() - started)} ms${note}`;
  // Same inputs as the last run whose outputs are still on disk as written: nothing to regenerate.
  const cache = values["no-cache"] ? undefined : upToDateCache(values.schema, [process.cwd(), ...argv.filter((arg) => arg !== "--check" && arg !== "--json")]);
  const cached = await cache?.hit();
  if (cached) {
    const results = cached.outputs.map(({ sha256: _, ...file }) => ({ file: { ...file, content: "" } as OutputFile, status: "unchanged" as const }));
    return report(values, results, stats(cached.fieldCount, ", inputs unchanged since the last run"));
  }
  // ts-morph and the type checker load only now, when there is work for them.
  const { generate } = await import("../../codegen/generate.ts");
  const generated = await generate({
    schema: values.schema,
    ...(values.out ? { out: values.out } : {}),
    ...(values["env-example"] ? { envExample: values["env-example"] } : {}),
  });
  const fieldCount = generated.schema.fields.length;
  const targetDir = resolve(values["target-out"] ?? join(dirname(resolve(values.schema)), "deploy"));
  const source = relative(targetDir, resolve(values.schema)).split(sep).join("/"); // the same text on every OS, for --check
  const targetFiles = emitTargets(toManifest(generated.schema.fields), { source });
  const files: OutputFile[] = [...generated.files, ...targetFiles.map((file) => toOutput(file, targetDir))];
  const statuses = values.check ? await checkFiles(files) : await writeChanged(files);
  const results = files.map((file, index) => ({ file, status: statuses[index]! }));
  if (results.every(({ status }) => status !== "out-of-date")) await cache?.save(fieldCount, files, generated.envRead);
  return report(values, results, stats(fieldCount));
}

async function report(values: { check: boolean; json: boolean; schema: string }, results: readonly Result[], stats: string): Promise<number> {
  if (values.json) printJson(values.check, results);
  else await printText(values.check, results, stats);
  const stale = results.filter(({ status }) => status === "out-of-date").length;
  if (stale === 0) return 0;
  process.stderr.write(`secrets-gen: ${stale} generated file(s) are out of date with ${values.schema}: run \`npx secrets-gen\` and commit the result\n`);
  return 1;
}

interface Result {
  readonly file: OutputFile;
  readonly status: Status;
}

function printJson(check: boolean, results: readonly Result[]): void {
  const files = results.map(({ file, status }) => ({ path: displayPath(file.path), ...(file.target ? { target: file.target } : {}), status }));
  const ok = results.every(({ status }) => status !== "out-of-date");
  process.stdout.write(`${JSON.stringify({ check, ok, files }, null, 2)}\n`);
}

async function printText(check: boolean, results: readonly Result[], stats: string): Promise<void> {
  const changed = results.flatMap(({ file, status }) => (status === "unchanged" ? [] : [file]));
  if (!check) print(`secrets-gen: ${changed.length > 0 ? `wrote ${changed.map((file) => displayPath(file.path)).join(", ")}` : "nothing changed"} (${stats})`);
  else if (changed.length === 0) print(`secrets-gen: generated files are up to date (${stats})`);
  else process.stdout.write((await Promise.all(changed.map(patchOf))).join(""));
}

function targetNames(names: readonly string[]): TargetName[] {
  const unknown = names.find((name) => !isTargetName(name));
  if (unknown !== undefined) throw new UsageError(`unknown target "${unknown}": use one of ${Object.keys(TARGETS).join(", ")}`);
  return [...new Set(names as TargetName[])];
}

/** The deployment-config files, checked and written like the accessor: one list, one mechanism. */
function toOutput({ name, content, target, holdsValues }: NamedTargetFile, dir: string): OutputFile {
  return { path: join(dir, name), content, target, ...(holdsValues ? { holdsValues } : {}) };
}

const onDisk = (file: OutputFile): Promise<string | undefined> => readFile(file.path, "utf8").catch(() => undefined);

async function checkFiles(files: readonly OutputFile[]): Promise<Status[]> {
  return Promise.all(files.map(async (file) => ((await onDisk(file)) === file.content ? "unchanged" : "out-of-date")));
}

/** The diff `--check` prints; none for a file the user may have filled with values. */
async function patchOf(file: OutputFile): Promise<string> {
  const name = displayPath(file.path);
  if (file.holdsValues) return `${name}: out of date (no diff shown: this file may hold secret values)\n`;
  const { createTwoFilesPatch } = await import("diff");
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, (await onDisk(file)) ?? "", file.content, "on disk", "from the schema");
}

/** Only touch files whose content changed, so watchers and build caches stay quiet. */
async function writeChanged(files: readonly OutputFile[]): Promise<Status[]> {
  const statuses: Status[] = [];
  for (const file of files) {
    if ((await onDisk(file)) === file.content) {
      statuses.push("unchanged");
      continue;
    }
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
    statuses.push("written");
  }
  return statuses;
}
