/**
 * Skip the TypeScript checker when nothing generation reads has changed. A digest covers the
 * schema file and every local module it imports (found by reading their import statements), the
 * version of every package they import, tsconfig.json beside the schema, secrets-gen's own
 * codegen sources and the command's options. When the digest and the hashes of the files last
 * written or checked all match, `generate` and `--check` answer "up to date" in milliseconds.
 * Anything the digest cannot account for (an unresolvable import, a tsconfig that extends
 * another, no node_modules to keep the record in) means no shortcut: the full run decides.
 * The digest cannot see the environment: a schema that read any environment variable while it
 * was evaluated (NODE_ENV, a feature flag…) may generate differently under another one, so its
 * runs are recorded as never reusable and every run of it does the full work.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { packageType } from "./module-format.ts";

/** What was generated last time, by path: its content hash and what the report needs. */
export interface CachedOutput {
  readonly path: string;
  readonly sha256: string;
  readonly target?: string;
  readonly holdsValues?: true;
}

interface CacheRecord {
  readonly digest: string;
  /** The schema read environment variables (or they could not be seen): never a shortcut. */
  readonly readsEnv: boolean;
  readonly fieldCount: number;
  readonly outputs: readonly CachedOutput[];
}

export interface UpToDateCache {
  /** The outputs and field count, when the inputs and every output on disk are as last recorded. */
  hit(): Promise<{ outputs: readonly CachedOutput[]; fieldCount: number } | undefined>;
  /** Record a run whose outputs on disk now equal `outputs`' contents, and the variables the schema read (undefined: unknown). */
  save(
    fieldCount: number,
    outputs: readonly (Omit<CachedOutput, "sha256"> & { readonly content: string })[],
    envRead: readonly string[] | undefined,
  ): Promise<void>;
}

const SOURCE_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs"];
const SPECIFIERS = /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s+["']([^"']+)["']|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g;
// secrets-gen's own sources that shape the output (the generate command included); they also
// stand for the schema's imports of secrets-gen.
/** What generates: the codegen sources in a checkout, or the chunks of the bundled @secrets-gen/cli package. */
const CODEGEN_ROOTS = (() => {
  const sources = ["../codegen", "../schema", "../cli/commands"].map((path) => fileURLToPath(new URL(path, import.meta.url)));
  return sources.every((root) => existsSync(root)) ? sources : [fileURLToPath(new URL(".", import.meta.url))];
})();
const SELF = "secrets-gen";

/** The cache for one schema and command line, or undefined when a shortcut would not be safe. */
export function upToDateCache(schemaPath: string, options: readonly string[]): UpToDateCache | undefined {
  const schema = resolve(schemaPath);
  const modules = node_modulesOf(dirname(schema));
  const digest = modules && inputDigest(schema, options);
  if (!modules || !digest) return undefined;
  const key = createHash("sha256").update(schema).update("\0").update(options.join("\0")).digest("hex").slice(0, 32);
  const file = join(modules, ".cache", "secrets-gen", `${key}.json`);
  return {
    async hit() {
      const record = await readFile(file, "utf8").then((text) => JSON.parse(text) as CacheRecord, () => undefined);
      if (record?.digest !== digest || record.readsEnv !== false) return undefined;
      const current = await Promise.all(record.outputs.map(async (output) => sha256(await readFile(output.path, "utf8").catch(() => ""))));
      return record.outputs.every((output, index) => output.sha256 === current[index]) ? { outputs: record.outputs, fieldCount: record.fieldCount } : undefined;
    },
    async save(fieldCount, outputs, envRead) {
      const readsEnv = envRead === undefined || envRead.length > 0;
      const record: CacheRecord = { digest, readsEnv, fieldCount, outputs: outputs.map(({ content, ...output }) => ({ ...output, sha256: sha256(content) })) };
      await mkdir(dirname(file), { recursive: true });
      // Written aside then renamed: two concurrent runs never leave a half-written record.
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(record));
      await rename(temporary, file);
    },
  };
}

function inputDigest(schema: string, options: readonly string[]): string | undefined {
  const hash = createHash("sha256");
  const add = (label: string, text: string) => hash.update(label).update("\0").update(text).update("\0");
  options.forEach((option) => add("option", option));
  for (const file of sourceFiles(CODEGEN_ROOTS)) add(`codegen ${relative(dirname(CODEGEN_ROOTS[0]!), file)}`, readFileSync(file, "utf8"));
  const tsconfig = join(dirname(schema), "tsconfig.json");
  if (existsSync(tsconfig)) {
    const text = readFileSync(tsconfig, "utf8");
    if (/"extends"\s*:/.test(text)) return undefined;
    add("tsconfig", text);
  }
  // With tsconfig's module, it decides whether the output is written for CommonJS (module-format.ts).
  add("package type", String(packageType(dirname(schema))));
  const seen = new Set<string>();
  const pending = [schema];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    // Unreadable (a missing schema, say): the full run explains it.
    const text = readText(file);
    if (text === undefined) return undefined;
    add(`module ${relative(dirname(schema), file)}`, text);
    for (const specifier of specifiersOf(text)) {
      if (specifier.startsWith(".") || specifier.startsWith("/")) {
        const target = localModule(resolve(dirname(file), specifier));
        if (!target) return undefined;
        pending.push(target);
        continue;
      }
      const name = packageName(specifier);
      if (name === SELF || builtinModules.includes(name) || specifier.startsWith("node:")) continue;
      const version = packageVersion(dirname(file), name);
      if (version === undefined) return undefined;
      add(`package ${name}`, version);
    }
  }
  // The checker's TypeScript comes with ts-morph.
  const typescript = packageVersion(CODEGEN_ROOTS[0]!, "ts-morph");
  return typescript === undefined ? undefined : (add("ts-morph", typescript), hash.digest("hex"));
}

function specifiersOf(text: string): string[] {
  return [...text.matchAll(SPECIFIERS)].map((match) => match[1] ?? match[2] ?? match[3] ?? match[4]!);
}

/** A relative import as TypeScript and Node resolve it: as written, `.js` → `.ts`, extensionless, or a folder's index. */
function localModule(base: string): string | undefined {
  const stem = base.replace(/\.(m|c)?js$/, "");
  const candidates = [base, ...SOURCE_EXTENSIONS.map((extension) => stem + extension), ...SOURCE_EXTENSIONS.map((extension) => join(base, `index${extension}`))];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The installed version, found the way Node looks up node_modules (package.json need not be exported). */
function packageVersion(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", name, "package.json");
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "";
    if (dirname(dir) === dir) return undefined;
  }
}

function node_modulesOf(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules"))) return join(dir, "node_modules");
    if (dirname(dir) === dir) return undefined;
  }
}

function sourceFiles(roots: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE_EXTENSIONS.some((extension) => entry.name.endsWith(extension)) && !entry.name.endsWith(".d.ts")) files.push(path);
    }
  };
  roots.forEach(walk);
  return files;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
