/**
 * Acceptance: apps bundled the way users ship them. A fresh app installs the packed tarballs,
 * generates its accessor with `npx secrets-gen`, and is bundled by esbuild, webpack and Vite (SSR
 * build, Rolldown) with no `external` settings, in development and production modes. Each bundle
 * is copied where no node_modules can be found and run with plain Node: it must load its secrets
 * by itself. An app without manager refs must bundle without any SDK installed; one with a
 * `vault://` field bundles node-vault and reads from the Vault test server.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build as esbuild } from "esbuild";
import ts from "typescript";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { Processes, SENTINEL, type Run } from "./fresh-app.ts";

const API_TOKEN = `api-${SENTINEL}-token-0123456789`;
const DB_PASSWORD = `db-${SENTINEL}-password-0123456789`;

const PLAIN_SCHEMA = `import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  API_TOKEN: secret(z.string().min(10), { devDefault: "dev-token-not-for-production" }),
  PORT: z.coerce.number().int().default(3000),
});
`;

const VAULT_SCHEMA = `import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  API_TOKEN: secret(z.string().min(10), { devDefault: "dev-token-not-for-production" }),
  DB_PASSWORD: secret(z.string().min(10), { from: "vault://app/db#password" }),
  PORT: z.coerce.number().int().default(3000),
});
`;

const MAIN = `import { provenance, secrets } from "./generated/index.ts";

console.log("PORT=" + secrets.PORT);
console.log("TOKEN_SOURCE=" + provenance("API_TOKEN").source);
console.log("JSON=" + JSON.stringify(secrets));
`;

type Mode = "development" | "production";
type Bundler = (app: string, out: string, mode: Mode) => Promise<void>;

/** Each bundler as its docs show for a Node server build, with nothing marked external. */
const BUNDLERS: Record<string, Bundler> = {
  async esbuild(app, out, mode) {
    await esbuild({
      entryPoints: [join(app, "main.ts")],
      absWorkingDir: app,
      outdir: out,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      minify: mode === "production",
      // Bundled CommonJS (node-vault) calls require() for Node's modules; an ESM bundle needs one (see docs/runtimes.md).
      banner: { js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);` },
      logLevel: "silent",
    });
  },
  async webpack(app, out, mode) {
    const entry = compileWithTsc(app);
    const stats = await new Promise<webpack.Stats>((resolve, reject) => {
      webpack({
        mode,
        context: app,
        target: "node20",
        entry,
        output: { path: out, filename: "main.mjs", chunkFilename: "[name].chunk.mjs", module: true, chunkFormat: "module" },
        experiments: { outputModule: true },
        devtool: false,
      }, (error, result) => (error || !result ? reject(error ?? new Error("webpack gave no stats")) : resolve(result)));
    });
    expect(stats.hasErrors(), stats.toString("errors-only")).toBe(false);
  },
  async vite(app, out, mode) {
    await viteBuild({
      root: app,
      configFile: false,
      logLevel: "silent",
      mode,
      build: { ssr: join(app, "main.ts"), outDir: out, emptyOutDir: true, minify: mode === "production", rollupOptions: { output: { entryFileNames: "main.mjs" } } },
      ssr: { noExternal: true, target: "node" },
    });
  },
};

let processes: Processes;
let root: string;
let app: string;
let vault: VaultTestServer;

/** webpack bundles JavaScript: the app compiled by tsc first, as a TypeScript project does. */
function compileWithTsc(dir: string): string {
  const out = join(dir, "tsc-out");
  const program = ts.createProgram([join(dir, "main.ts")], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    rewriteRelativeImportExtensions: true, allowImportingTsExtensions: false, outDir: out, rootDir: dir, skipLibCheck: true, strict: true, types: [],
  });
  const emitted = program.emit();
  const errors = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics).filter((d) => d.category === ts.DiagnosticCategory.Error);
  expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "))).toEqual([]);
  return join(out, "main.js");
}

/** Generate the accessor for `schema` in the app, as `npx secrets-gen` does in a build. */
function generate(schema: string): void {
  writeFileSync(join(app, "secrets.schema.ts"), schema);
  const generated = processes.run("npx secrets-gen", "npx", ["secrets-gen", "--no-cache"], { cwd: app });
  expect(generated.code, generated.stderr).toBe(0);
}

/** Bundle, then copy the output where no node_modules is reachable; returns that directory. */
async function bundle(name: string, mode: Mode): Promise<string> {
  const out = join(app, `out-${name}-${mode}`);
  rmSync(out, { recursive: true, force: true });
  await BUNDLERS[name]!(app, out, mode);
  const isolated = join(root, "isolated", `${name}-${mode}-${Date.now()}`);
  mkdirSync(isolated, { recursive: true });
  cpSync(out, isolated, { recursive: true });
  return isolated;
}

/** Every file of a bundle as one text, to look for what it must not (or must) contain. */
function bundleText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

/** Run a bundle with plain Node 20, asynchronously: the Vault test server in this process must keep answering. */
const runBundle = (label: string, dir: string, env: Record<string, string>): Promise<Run> =>
  processes.runAsync(label, processes.node20, ["main.mjs"], { cwd: dir, env: processes.env(env), timeout: 60_000 });

beforeAll(async () => {
  processes = new Processes();
  root = mkdtempSync(join(tmpdir(), "secrets-gen-bundlers-"));
  app = join(root, "app");
  processes.installApp(app, processes.pack(root));
  writeFileSync(join(app, "main.ts"), MAIN);
  vault = await startVaultServer();
  vault.putSecret("secret", "app/db", { password: DB_PASSWORD });
}, 600_000);

afterAll(async () => {
  await vault?.close();
  if (root && !process.env.SECRETS_GEN_KEEP_ACCEPTANCE) rmSync(root, { recursive: true, force: true });
});

describe("bundled apps without manager refs (no SDK installed)", { timeout: 240_000 }, () => {
  beforeAll(() => {
    expect(existsSync(join(app, "node_modules/node-vault"))).toBe(false);
    generate(PLAIN_SCHEMA);
  }, 240_000);

  for (const name of Object.keys(BUNDLERS)) {
    for (const mode of ["development", "production"] as const) {
      it(`${name}, ${mode} build: bundles no provider or SDK and runs on its own`, async () => {
        const dir = await bundle(name, mode);
        const text = bundleText(dir);
        for (const absent of ["node-vault", "@aws-sdk", "@google-cloud", "@azure", "providers/vault"]) expect(text, absent).not.toContain(absent);

        const development = await runBundle(`${name} ${mode} dev run`, dir, {});
        expect(development.code, development.stderr).toBe(0);
        expect(development.stdout).toContain("PORT=3000");
        expect(development.stdout).toContain("TOKEN_SOURCE=dev-default");

        const production = await runBundle(`${name} ${mode} production run`, dir, { NODE_ENV: "production", API_TOKEN, PORT: "8080" });
        expect(production.code, production.stderr).toBe(0);
        expect(production.stdout).toContain("PORT=8080");
        expect(production.stdout).toContain(`JSON={"API_TOKEN":"[redacted]","PORT":8080}`);

        const refused = await runBundle(`${name} ${mode} production refusal`, dir, { NODE_ENV: "production" });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/^\s+- API_TOKEN: /m);
      });
    }
  }
});

describe("bundled apps with a vault:// field", { timeout: 240_000 }, () => {
  beforeAll(() => {
    const install = processes.run("npm install node-vault", "npm", ["install", "node-vault@^0.12", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, timeout: 240_000 });
    expect(install.code, install.stderr).toBe(0);
    generate(VAULT_SCHEMA);
  }, 240_000);

  for (const name of Object.keys(BUNDLERS)) {
    it(`${name}, production build: bundles node-vault and reads the field from Vault`, async () => {
      const dir = await bundle(name, "production");
      const loaded = await runBundle(`${name} vault run`, dir, { NODE_ENV: "production", API_TOKEN, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken });
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(loaded.stdout).toContain(`JSON={"API_TOKEN":"[redacted]","DB_PASSWORD":"[redacted]","PORT":3000}`);
    });
  }
});

it("never printed a secret value in any captured output", () => {
  expect(processes.captured.length).toBeGreaterThanOrEqual(10);
  for (const { label, text } of processes.captured) expect(text, label).not.toContain(SENTINEL);
});
