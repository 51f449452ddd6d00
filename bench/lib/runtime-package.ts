/**
 * A private, always-fresh build of secrets-gen for the timed apps: src/ transpiled to plain
 * JavaScript (what `npm run build` emits, minus declarations) into SCRATCH/node_modules/secrets-gen.
 * Not dist/: dist/ may be stale or rebuilt by someone else mid-run, and the timed path must not
 * go through tsx. Types for the codegen come from a symlink to src/.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { REPO, SCRATCH } from "./paths.ts";

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  rewriteRelativeImportExtensions: true,
  verbatimModuleSyntax: true,
};

/** Transpile one TypeScript file to JavaScript beside `outPath`, rewriting `./x.ts` imports to `./x.js`. */
export function transpileFile(sourcePath: string, outPath: string): void {
  const { outputText } = ts.transpileModule(readFileSync(sourcePath, "utf8"), { compilerOptions: COMPILER_OPTIONS, fileName: sourcePath });
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, outputText);
}

/** Build SCRATCH/node_modules/secrets-gen from src/ and return whether dist/ was up to date (for the report). */
export function buildRuntimePackage(): { distFresh: boolean } {
  const source = join(REPO, "src");
  const target = join(SCRATCH, "node_modules", "secrets-gen");
  for (const file of walk(source)) {
    transpileFile(file, join(target, "dist", relative(source, file)).replace(/\.ts$/, ".js"));
  }
  symlinkSync(source, join(target, "src"));
  const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  // Same export map as the real package, with declarations pointing at the TypeScript sources.
  const exports = JSON.parse(
    JSON.stringify(manifest.exports).replace(/"\.\/dist\/([^"]*)\.d\.ts"/g, '"./src/$1.ts"'),
  ) as Record<string, unknown>;
  writeFileSync(join(target, "package.json"), JSON.stringify({ name: "secrets-gen", type: "module", exports }, null, 2));
  writeFileSync(join(SCRATCH, "package.json"), JSON.stringify({ private: true, type: "module" }));
  return { distFresh: distIsFresh(source) };
}

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? walk(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

function distIsFresh(source: string): boolean {
  const built = join(REPO, "dist", "index.js");
  try {
    const builtAt = statSync(built).mtimeMs;
    return walk(source).every((file) => statSync(file).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}
