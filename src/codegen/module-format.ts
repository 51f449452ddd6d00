/**
 * Whether the project beside the schema compiles to CommonJS — a NestJS-style tsconfig with
 * "module": "commonjs" (or node10 resolution's default) in a package without "type": "module".
 * Its generated module then imports without `.ts` extensions and has no index.ts, whose top-level
 * await CommonJS cannot hold: the app calls `await loadSecrets()` in its bootstrap instead.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ts } from "ts-morph";

export function compilesToCommonJs(projectDir: string): boolean {
  const tsconfig = join(projectDir, "tsconfig.json");
  if (!existsSync(tsconfig) || packageType(projectDir) === "module") return false;
  const { config } = ts.readConfigFile(tsconfig, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config ?? {}, ts.sys, projectDir);
  return options.module === ts.ModuleKind.CommonJS;
}

/** The "type" of the nearest package.json, as Node decides a .js file's module format. */
export function packageType(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type;
    if (dirname(dir) === dir) return undefined;
  }
}
