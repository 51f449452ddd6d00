/**
 * Writing secret values into a .env file so that Node's util.parseEnv (and so the runtime's dotenv step)
 * reads back exactly the same text: quoting, updating an existing file in place (its other lines kept),
 * writing atomically with mode 0600, and asking git whether the file is tracked or ignored.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { lstat, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { parseEnv, promisify } from "node:util";
import { CliError } from "./errors.ts";

/**
 * The value as parseEnv reads it back verbatim, or undefined when no quoting can. parseEnv has no escapes:
 * a quoted value runs to the next quote of its kind, double quotes turn the two characters `\n` into a
 * newline, and carriage returns are dropped everywhere. Single quotes and backticks keep everything else
 * (newlines, `#`, `=`, spaces) as it is.
 */
export function quoteEnvValue(value: string): string | undefined {
  if (value.includes("\r")) return undefined;
  const quote = ["'", "`", '"'].find((q) => !value.includes(q) && !(q === '"' && value.includes("\\n")));
  return quote === undefined ? undefined : `${quote}${value}${quote}`;
}

const ENV_NAME = /^[A-Za-z_][\w.-]*$/;
const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*/;

/** Each assignment's key and its span [start, end) in the text, a quoted multi-line value included. */
function assignments(text: string): { key: string; start: number; end: number }[] {
  const lineEnd = (from: number): number => {
    const newline = text.indexOf("\n", from);
    return newline === -1 ? text.length : newline + 1;
  };
  const found = [];
  for (let at = 0; at < text.length; ) {
    let end = lineEnd(at);
    const match = ASSIGNMENT.exec(text.slice(at, end));
    if (match) {
      const valueAt = at + match[0].length;
      const quote = text[valueAt];
      const close = quote === "'" || quote === '"' || quote === "`" ? text.indexOf(quote, valueAt + 1) : -1;
      if (close !== -1) end = lineEnd(close + 1);
      found.push({ key: match[1]!, start: at, end });
    }
    at = end;
  }
  return found;
}

/**
 * The file's text with each key set to its (quotable) value: the first assignment of a key is replaced,
 * later ones dropped, new keys appended, every other line kept. The result is parsed back and must give
 * exactly the old entries plus the updates; otherwise a CliError names the keys (never the values).
 */
export function updateEnvText(text: string, updates: ReadonlyMap<string, string>, file: string): string {
  const source = text.replaceAll("\r", ""); // parseEnv ignores them too
  const line = (key: string): string => `${key}=${quoteEnvValue(updates.get(key)!)}\n`;
  const written = new Set<string>();
  let result = "";
  let at = 0;
  for (const { key, start, end } of assignments(source)) {
    if (!updates.has(key)) continue;
    result += source.slice(at, start) + (written.has(key) ? "" : line(key));
    written.add(key);
    at = end;
  }
  result += source.slice(at);
  const added = [...updates.keys()].filter((key) => !written.has(key));
  if (added.length > 0) result += (result === "" || result.endsWith("\n") ? "" : "\n") + added.map(line).join("");

  const expected: Record<string, string | undefined> = { ...parseEnv(source), ...Object.fromEntries(updates) };
  const actual = parseEnv(result);
  const wrong = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter((key) => actual[key] !== expected[key]);
  if (wrong.length > 0) {
    // A key parseEnv made out of a malformed line may hold part of a value: name only real variable names.
    const named = wrong.filter((key) => ENV_NAME.test(key));
    const what = [...named, ...(named.length < wrong.length ? ["malformed lines"] : [])].join(", ");
    throw new CliError(`cannot update ${file} safely: after the edit, ${what} would not read back as intended because of how the file's existing lines are written; remove those lines from ${file} and run again`);
  }
  return result;
}

/**
 * Replace the file in one rename, so a reader never sees half of it; mode 0600. The rename replaces
 * the path itself, never a symlink's target: callers refuse links first (see isSymlink).
 */
export async function writeEnvFile(path: string, text: string, file: string): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600, flag: "wx" });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError(`cannot write ${file} (${(error as { code?: string }).code ?? "write failed"}): check that its directory exists and is writable`);
  }
}

/** Whether the path is a symbolic link (false when nothing is there). */
export async function isSymlink(path: string): Promise<boolean> {
  return lstat(path).then((stats) => stats.isSymbolicLink(), () => false);
}

const git = (args: string[], path: string) => promisify(execFile)("git", [...args, "--", basename(path)], { cwd: dirname(resolve(path)) });

/** Whether git tracks the file; false outside a work tree or without git. */
export async function gitTracked(path: string): Promise<boolean> {
  return git(["ls-files", "--error-unmatch"], path).then(() => true, () => false);
}

/** Whether the file lies in a git work tree without being ignored (so `git add .` would pick it up). */
export async function gitUnignored(path: string): Promise<boolean> {
  return git(["check-ignore", "-q"], path).then(() => false, (error: { code?: unknown }) => error.code === 1);
}
