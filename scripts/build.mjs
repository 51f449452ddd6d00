// Build the two npm packages from src/ (see docs/packages.md for why there are two):
// - secrets-gen (this directory): what an app loads at run time — the schema DSL, the runtime and
//   the providers — as JavaScript and declarations in dist/. It has no dependencies.
// - @secrets-gen/cli (packages/cli): the command and the codegen, bundled into packages/cli/dist/
//   with the runtime code they use; ts-morph, tsx, diff, zod and the SDKs stay imports, resolved
//   from its dependencies and the app's node_modules.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const { version } = JSON.parse(readFileSync("package.json", "utf8"));
const cli = JSON.parse(readFileSync("packages/cli/package.json", "utf8"));
if (cli.version !== version) throw new Error(`packages/cli/package.json is version ${cli.version}, package.json ${version}: release them together`);

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
chmodSync("dist/bin.js", 0o755);

rmSync("packages/cli/dist", { recursive: true, force: true });
await build({
  entryPoints: { main: "src/cli/main.ts" },
  outdir: "packages/cli/dist",
  bundle: true,
  splitting: true, // each command and the codegen stay in chunks loaded on use, as in src/
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  define: { SECRETS_GEN_VERSION: JSON.stringify(version) },
  logLevel: "warning",
});
chmodSync("packages/cli/dist/main.js", 0o755);
