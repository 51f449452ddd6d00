#!/usr/bin/env node
/** `secrets-gen [command] [options]`: dispatch to a command; `generate` when none is named. */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { ALIASES, commands, DEFAULT_COMMAND, overview } from "./commands.ts";
import { describeFailure, UsageError } from "./errors.ts";
import { print } from "./output.ts";

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") return print(await packageVersion());
  if (first === "--help" || first === "-h" || first === "help") return print(await overview());
  const named = first !== undefined && !first.startsWith("-");
  const name = named ? (ALIASES[first] ?? first) : DEFAULT_COMMAND;
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command "${name}"`);
  return (await load()).run(named ? rest : argv);
}

/** Set by the @secrets-gen/cli build (scripts/build.mjs); from a source checkout, package.json says it. */
declare const SECRETS_GEN_VERSION: string | undefined;

async function packageVersion(): Promise<string> {
  if (typeof SECRETS_GEN_VERSION === "string") return SECRETS_GEN_VERSION;
  const manifest = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}


main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`secrets-gen: ${error.message}: run \`secrets-gen --help\` for usage\n`);
      process.exit(2);
    }
    process.stderr.write(`secrets-gen: ${describeFailure(error)}\n`);
    process.exit(1);
  },
);
