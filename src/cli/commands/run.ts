/** `secrets-gen run -- <cmd> [args]`: resolve every field and start a command with them in its environment. */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import process from "node:process";
import { finished } from "node:stream/promises";
import { HELP_OPTION, PRODUCTION_OPTION, SCHEMA_OPTION, parseCommandArgs } from "../args.ts";
import { childEnv } from "../child-env.ts";
import { errorName } from "../../runtime/errors.ts";
import { CliError, UsageError } from "../errors.ts";
import { print } from "../output.ts";
import { loadForCli } from "../load-report.ts";
import { createMaskStream, loadedSecretTexts } from "../mask-stream.ts";

export const summary = "resolve every field and run a command with them as env vars (--mask: redact its output)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen run [options] -- <command> [args...]

Resolves every field of the schema as the app would and starts <command> with the current
environment plus each field under its env var name (the text as found, before zod; a zod
.default() is passed as text when it is a string, number or boolean). When any field fails, the
start-up report is printed and the command is not started. A binary value (a manager's binary
secret) or a value with a NUL character cannot be an env var and is refused. SIGINT, SIGTERM and SIGHUP are passed on to the command.

Options:
  -s, --schema <path>   schema file (default: secrets.schema.ts)
      --production      apply production rules (default: from NODE_ENV / SECRETS_ENV)
      --mask            replace every loaded secret value in the command's stdout and stderr
                        with [redacted] (output is then piped, so the command sees no terminal)
  -h, --help            show this help

Exit codes: the command's own exit code; 128 + the signal number when a signal ended it;
1 a field failed or another error to fix (the command did not start); 2 wrong usage;
127 the command was not found.`;

/** Signals a terminal or supervisor sends to stop a process; the child decides how to stop. */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const COMMAND_NOT_FOUND = 127;

export async function run(argv: readonly string[]): Promise<number> {
  const separator = argv.indexOf("--");
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const command = separator === -1 ? [] : argv.slice(separator + 1);
  const { values, positionals } = parseCommandArgs({
    args: [...own],
    allowPositionals: true,
    options: {
      ...SCHEMA_OPTION,
      ...PRODUCTION_OPTION,
      mask: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
  });
  if (values.help) {
    return print(usage);
  }
  if (positionals.length > 0) throw new UsageError(`put the command after "--", as in \`secrets-gen run -- ${positionals.join(" ")}\``);
  const [file, ...args] = command;
  if (file === undefined) throw new UsageError('no command to run: give it after "--", as in `secrets-gen run -- node server.js`');

  const { schema, report, error } = await loadForCli(values.schema, values.production);
  if (error) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const env = childEnv(schema, report.results, process.env);
  return runChild(file, args, env, values.mask ? loadedSecretTexts(report.results) : undefined);
}

/** Start the command, pass signals on, and resolve with the exit code to end with. */
async function runChild(file: string, args: readonly string[], env: Record<string, string | undefined>, maskSecrets: readonly string[] | undefined): Promise<number> {
  const child = spawn(file, args, { env, stdio: maskSecrets ? ["inherit", "pipe", "pipe"] : "inherit" });
  const masked = maskSecrets
    ? [child.stdout!.pipe(createMaskStream(maskSecrets)), child.stderr!.pipe(createMaskStream(maskSecrets))]
    : [];
  masked[0]?.pipe(process.stdout);
  masked[1]?.pipe(process.stderr);

  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    await Promise.all(masked.map((stream) => finished(stream)));
    return code ?? 128 + (signal ? constants.signals[signal] : 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new CliError(`the command "${file}" could not be started (${code ?? errorName(error)}): check that it is an executable file`);
    process.stderr.write(`secrets-gen: the command "${file}" was not found: check its name and PATH\n`);
    return COMMAND_NOT_FOUND;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
}
