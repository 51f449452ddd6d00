/** `secrets-gen scan [paths]`: find loaded secret values and literal secret assignments in git-tracked files. */
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import process from "node:process";
import { promisify } from "node:util";
import { HELP_OPTION, PRODUCTION_OPTION, SCHEMA_OPTION, parseCommandArgs } from "../args.ts";
import { printable } from "../../runtime/printable.ts";
import { CliError } from "../errors.ts";
import { print } from "../output.ts";
import { loadForCli } from "../load-report.ts";
import { loadedSecretTexts } from "../mask-stream.ts";
import { scanText, type Finding, type ScanTarget } from "../scan-files.ts";

export const summary = "find loaded secret values and literal secret assignments in git-tracked files (pre-commit)";

/** `--help`, and this command's reference in docs/cli.md (scripts/cli-docs.ts copies it there). */
export const usage = `Usage: secrets-gen scan [options] [paths...]

Resolves the schema's secrets as the app would, then reads every git-tracked file (under the
given paths, default: the whole working tree) and reports each line that contains a loaded secret
value, or that assigns a literal to a secret field's variable (NAME=value, NAME: "value").
Placeholders such as <set me> and \${NAME} are fine. Values from devDefault (which live in the schema
by design) are not searched for. Nothing printed contains a value. Fields that fail to load are
scanned for literals only.

Options:
  -s, --schema <path>   schema file (default: secrets.schema.ts)
      --production      apply production rules when resolving
      --json            print the findings as JSON
  -h, --help            show this help

Exit codes: 0 nothing found, 1 findings (or an error to fix), 2 wrong usage.

As a pre-commit hook: npx secrets-gen scan`;

/** Larger files are lockfiles, bundles or data, not where a pasted secret hides. */
const MAX_SCANNED_BYTES = 1024 * 1024;

export async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: { ...SCHEMA_OPTION, ...PRODUCTION_OPTION, json: { type: "boolean", default: false }, ...HELP_OPTION },
  });
  if (values.help) {
    return print(usage);
  }
  const { schema, report } = await loadForCli(values.schema, values.production);
  const targets: ScanTarget[] = schema.fields
    .filter((field) => field.sensitive)
    .map((field) => {
      const result = report.results.find((r) => r.field === field.name);
      const searchable = result?.ok && result.provenance.source !== "dev-default" ? loadedSecretTexts([result]) : [];
      return { field: field.name, env: field.env, values: searchable };
    });
  const findings: Finding[] = [];
  for (const file of await trackedFiles(positionals)) {
    const text = await readText(file);
    if (text !== undefined) findings.push(...scanText(file, text, targets));
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ findings }, null, 2)}\n`);
  else for (const finding of findings) process.stdout.write(`${describe(finding)}\n`);
  if (findings.length === 0) {
    if (!values.json) process.stdout.write("secrets-gen: no secret values or literal secret assignments in tracked files\n");
    return 0;
  }
  process.stderr.write(`secrets-gen: ${findings.length} finding(s): remove the values from these files (and rotate any secret that was committed)\n`);
  return 1;
}

function describe(finding: Finding): string {
  const where = `${printable(finding.file)}:${finding.line}`; // a tracked file's name may hold a newline
  return finding.kind === "value"
    ? `${where}: contains the loaded value of ${finding.field}`
    : `${where}: assigns a literal value to ${finding.field}`;
}

async function trackedFiles(paths: readonly string[]): Promise<string[]> {
  try {
    const { stdout } = await promisify(execFile)("git", ["ls-files", "-z", "--", ...paths], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.split("\0").filter(Boolean);
  } catch (error) {
    throw new CliError(`listing git-tracked files failed (${(error as { code?: string }).code ?? "git error"}): run scan inside a git working tree`);
  }
}

/** The file's text, or undefined for files that are too large, binary or gone. */
async function readText(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_SCANNED_BYTES) return undefined;
  const text = await readFile(file, "utf8");
  return text.includes("\0") ? undefined : text;
}
