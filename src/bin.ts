#!/usr/bin/env node
/**
 * `npx secrets-gen`: the command itself lives in @secrets-gen/cli, a dev dependency that brings the
 * codegen toolchain (ts-morph, tsx), so a production install of secrets-gen carries none of it.
 * This launcher finds that package — the project's own install first, then one beside this
 * package — and runs it, or says how to install it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const CLI_PACKAGE = "@secrets-gen/cli";
const here = fileURLToPath(import.meta.url);

function locateCli(): string | undefined {
  for (const from of [join(process.cwd(), "package.json"), here]) {
    try {
      return createRequire(from).resolve(CLI_PACKAGE);
    } catch {
      // not installed where this looked
    }
  }
  return undefined;
}

/** The version in the package.json nearest above `file`. */
function versionNear(file: string): string | undefined {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version;
    } catch {
      // no package.json at this level
    }
  }
  return undefined;
}

const cli = locateCli();
if (cli === undefined) {
  process.stderr.write(`secrets-gen: the secrets-gen command comes in the ${CLI_PACKAGE} package, which is not installed: run \`npm install --save-dev ${CLI_PACKAGE}\`\n`);
  process.exit(1);
}
const [runtime, command] = [versionNear(here), versionNear(cli)];
if (runtime !== command) {
  // The generated module is written by the command for the runtime the app loads: they go together.
  process.stderr.write(`secrets-gen: warning: secrets-gen is ${runtime} but ${CLI_PACKAGE} is ${command}: install the same version of both\n`);
}
await import(pathToFileURL(cli).href);
