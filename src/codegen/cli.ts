#!/usr/bin/env node
/** `secrets-gen`: generate the typed accessor from secrets.schema.ts, or check it is up to date. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { createTwoFilesPatch } from "diff";
import { CliError } from "./cli-error.ts";
import { generate, type GeneratedFile } from "./generate.ts";

const USAGE = `Usage: secrets-gen [generate] [options]

Generates a typed accessor module from a secrets schema.

Options:
  -s, --schema <path>        schema file (default: secrets.schema.ts)
  -o, --out <dir>            output directory (default: generated/ beside the schema)
      --env-example <path>   where to write .env.example (default: beside the schema)
      --check                write nothing; exit 1 with a diff when the output is stale
  -h, --help                 show this help
  -v, --version              show the version

Exit codes: 0 done or up to date, 1 stale output or an error to fix, 2 wrong usage.`;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.help) return print(USAGE);
  if (args.version) return print(await packageVersion());
  const started = performance.now();
  const { files, fieldCount } = await generate({
    schema: args.schema,
    ...(args.out ? { out: args.out } : {}),
    ...(args["env-example"] ? { envExample: args["env-example"] } : {}),
  });
  const elapsed = `${Math.round(performance.now() - started)} ms`;
  if (args.check) {
    const stale = await staleFiles(files);
    if (stale.length === 0) return print(`secrets-gen: generated files are up to date (${fieldCount} fields, ${elapsed})`);
    process.stdout.write(stale.join(""));
    process.stderr.write(`secrets-gen: ${stale.length} generated file(s) are out of date with ${args.schema}: run \`npx secrets-gen\` and commit the result\n`);
    return 1;
  }
  const written = await writeChanged(files);
  const what = written.length > 0 ? `wrote ${written.map(display).join(", ")}` : "nothing changed";
  return print(`secrets-gen: ${what} (${fieldCount} fields, ${elapsed})`);
}

function parseCliArgs(argv: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        schema: { type: "string", short: "s", default: "secrets.schema.ts" },
        out: { type: "string", short: "o" },
        "env-example": { type: "string" },
        check: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
    const extra = positionals.filter((word, index) => !(index === 0 && word === "generate"));
    if (extra.length > 0) throw new UsageError(`unknown command or argument "${extra[0]}"`);
    return { ...values, schema: values.schema! };
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}

class UsageError extends Error {}

async function staleFiles(files: readonly GeneratedFile[]): Promise<string[]> {
  const patches: string[] = [];
  for (const file of files) {
    const current = await readFile(file.path, "utf8").catch(() => "");
    if (current !== file.content) {
      const name = display(file.path);
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

function display(path: string): string {
  return relative(process.cwd(), path) || path;
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`secrets-gen: ${error.message}: run \`secrets-gen --help\` for usage\n`);
      process.exit(2);
    }
    const known = error instanceof CliError || (error as Error)?.name === "SchemaError";
    process.stderr.write(`secrets-gen: ${known ? (error as Error).message : `unexpected error: ${(error as Error)?.stack ?? error}`}\n`);
    process.exit(1);
  },
);
