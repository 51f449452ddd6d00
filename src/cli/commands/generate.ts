/** `secrets-gen [generate]`: write the typed accessor from the schema, or check it is up to date. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import process from "node:process";
import { createTwoFilesPatch } from "diff";
import { generate, type GeneratedFile } from "../../codegen/generate.ts";
import { emitTargets, isTargetName, TARGETS, type TargetName } from "../../codegen/targets/index.ts";
import { toManifest, type Manifest } from "../../schema/manifest.ts";
import { HELP_OPTION, SCHEMA_OPTION, parseCommandArgs } from "../args.ts";
import { UsageError } from "../errors.ts";
import { displayPath, print } from "../output.ts";

export const summary = "write generated/, .env.example and --target files from the schema (--check: verify they are up to date)";

const TARGET_HELP = Object.entries(TARGETS).map(([name, { summary }]) => `                             ${name.padEnd(18)}${summary}`).join("\n");

const USAGE = `Usage: secrets-gen [generate] [options]

Generates a typed accessor module, and with --target deployment config, from a secrets schema.

Options:
  -s, --schema <path>        schema file (default: secrets.schema.ts)
  -o, --out <dir>            output directory (default: generated/ beside the schema)
      --env-example <path>   where to write .env.example (default: beside the schema)
  -t, --target <name>        also write deployment config (repeatable):
${TARGET_HELP}
      --target-out <dir>     where --target files go (default: deploy/ beside the schema)
      --check                write nothing; exit 1 with a diff when the output is stale
  -h, --help                 show this help

Exit codes: 0 done or up to date, 1 stale output or an error to fix, 2 wrong usage.`;

export async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...SCHEMA_OPTION,
      out: { type: "string", short: "o" },
      "env-example": { type: "string" },
      target: { type: "string", short: "t", multiple: true, default: [] },
      "target-out": { type: "string" },
      check: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
  });
  if (positionals.length > 0) throw new UsageError(`unknown command or argument "${positionals[0]}"`);
  if (values.help) return print(USAGE);
  const targets = targetNames(values.target);
  const started = performance.now();
  const generated = await generate({
    schema: values.schema,
    ...(values.out ? { out: values.out } : {}),
    ...(values["env-example"] ? { envExample: values["env-example"] } : {}),
  });
  const fieldCount = generated.schema.fields.length;
  const manifest = toManifest(generated.schema.fields);
  const files = [...generated.files, ...targetFiles(targets, manifest, values.schema, values["target-out"])];
  const elapsed = `${Math.round(performance.now() - started)} ms`;
  if (values.check) {
    const stale = await staleFiles(files);
    if (stale.length === 0) return print(`secrets-gen: generated files are up to date (${fieldCount} fields, ${elapsed})`);
    process.stdout.write(stale.join(""));
    process.stderr.write(`secrets-gen: ${stale.length} generated file(s) are out of date with ${values.schema}: run \`npx secrets-gen\` and commit the result\n`);
    return 1;
  }
  const written = await writeChanged(files);
  const what = written.length > 0 ? `wrote ${written.map(displayPath).join(", ")}` : "nothing changed";
  return print(`secrets-gen: ${what} (${fieldCount} fields, ${elapsed})`);
}

function targetNames(names: readonly string[]): TargetName[] {
  const unknown = names.find((name) => !isTargetName(name));
  if (unknown !== undefined) throw new UsageError(`unknown target "${unknown}": use one of ${Object.keys(TARGETS).join(", ")}`);
  return [...new Set(names as TargetName[])];
}

/** The deployment-config files, checked and written like the accessor: one list, one mechanism. */
function targetFiles(targets: readonly TargetName[], manifest: Manifest, schema: string, out: string | undefined): GeneratedFile[] {
  if (targets.length === 0) return [];
  const schemaPath = resolve(schema);
  const dir = resolve(out ?? join(dirname(schemaPath), "deploy"));
  const source = relative(dir, schemaPath).split(sep).join("/"); // the same text on every OS, for --check
  return emitTargets(targets, manifest, { source }).map((file) => ({ path: join(dir, file.name), content: file.content }));
}

async function staleFiles(files: readonly GeneratedFile[]): Promise<string[]> {
  const patches: string[] = [];
  for (const file of files) {
    const current = await readFile(file.path, "utf8").catch(() => "");
    if (current !== file.content) {
      const name = displayPath(file.path);
      patches.push(createTwoFilesPatch(`a/${name}`, `b/${name}`, current, file.content, "on disk", "from the schema"));
    }
  }
  return patches;
}

/** Only touch files whose content changed, so watchers and build caches stay quiet. */
async function writeChanged(files: readonly GeneratedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const current = await readFile(file.path, "utf8").catch(() => undefined);
    if (current === file.content) continue;
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
    written.push(file.path);
  }
  return written;
}
