import { relative } from "node:path";
import process from "node:process";

/** Write one line to stdout; returns exit code 0 so a command can `return print(...)`. */
export function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

/** A path as the user would type it from the working directory. */
export function displayPath(path: string): string {
  return relative(process.cwd(), path) || path;
}
