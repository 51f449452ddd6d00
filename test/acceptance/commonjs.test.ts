/**
 * Acceptance: a CommonJS app, compiled by tsc as a NestJS project is (`"module": "commonjs"`, node10
 * resolution, no `"type": "module"`), from the packed tarballs. `npx secrets-gen` sees the project
 * compiles to CommonJS and writes `generated/secrets.ts` only (extensionless imports, no top-level
 * await); the app's one line is `const secrets = await loadSecrets()` in its bootstrap, typed, and
 * runs on plain Node 20 through require() of the ESM runtime.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Processes, REPO, SENTINEL, type Run } from "./fresh-app.ts";

const TSC = join(REPO, "node_modules/typescript/bin/tsc");
const API_TOKEN = `api-${SENTINEL}-token`;

const SCHEMA = `import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  API_TOKEN: secret(z.string().min(10), { devDefault: "dev-token-not-for-production" }),
  PORT: z.coerce.number().int().default(3000),
});
`;

const MAIN = `import { loadSecrets } from "../generated/secrets";

declare const process: { exit(code: number): never }; // the app has no @types/node

async function bootstrap(): Promise<void> {
  const secrets = await loadSecrets();
  const port: number = secrets.PORT;
  const token: string = secrets.API_TOKEN;
  console.log("PORT=" + port + " TOKEN_LENGTH=" + token.length);
  console.log("JSON=" + JSON.stringify(secrets));
}

bootstrap().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
`;

/** The compiler options `nest new` writes. */
const NEST_TSCONFIG = {
  compilerOptions: {
    module: "commonjs", declaration: true, removeComments: true, emitDecoratorMetadata: true, experimentalDecorators: true,
    allowSyntheticDefaultImports: true, target: "ES2021", sourceMap: true, outDir: "./dist", baseUrl: "./", incremental: true,
    skipLibCheck: true, strictNullChecks: true, noImplicitAny: true, types: [],
  },
};

let processes: Processes;
let root: string;
let app: string;
const run = (label: string, command: string, args: readonly string[], env?: Record<string, string>): Run =>
  processes.run(label, command, args, { cwd: app, ...(env ? { env: processes.env(env) } : {}) });

beforeAll(() => {
  processes = new Processes();
  root = mkdtempSync(join(tmpdir(), "secrets-gen-cjs-"));
  app = join(root, "app");
  processes.installApp(app, processes.pack(root));
  // A CommonJS package: no "type": "module".
  writeFileSync(join(app, "package.json"), JSON.stringify({ ...JSON.parse(readFileSync(join(app, "package.json"), "utf8")), type: undefined }, null, 2));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify(NEST_TSCONFIG, null, 2));
  writeFileSync(join(app, "secrets.schema.ts"), SCHEMA);
  mkdirSync(join(app, "src"));
  writeFileSync(join(app, "src/main.ts"), MAIN);
}, 600_000);

afterAll(() => {
  if (root && !process.env.SECRETS_GEN_KEEP_ACCEPTANCE) rmSync(root, { recursive: true, force: true });
});

describe("a CommonJS (NestJS-style) app", { timeout: 180_000 }, () => {
  it("gets generated/secrets.ts written for CommonJS", () => {
    const generated = run("npx secrets-gen", "npx", ["secrets-gen"]);
    expect(generated.code, generated.stderr).toBe(0);
    const source = readFileSync(join(app, "generated/secrets.ts"), "utf8");
    expect(source).toContain(`schema: () => import("../secrets.schema")`);
    expect(existsSync(join(app, "generated/index.ts"))).toBe(false);
    const check = run("npx secrets-gen --check", "npx", ["secrets-gen", "--check"]);
    expect(check.code, check.stdout).toBe(0);
  });

  it("compiles with tsc (module commonjs, node10 resolution) and loads with one line, typed", () => {
    const compile = run("tsc", processes.node20, [TSC, "-p", "tsconfig.json"]);
    expect(compile.code, compile.stdout).toBe(0);
    expect(readFileSync(join(app, "dist/generated/secrets.js"), "utf8")).toContain(`require("secrets-gen/runtime")`);

    const development = run("node dist/src/main.js", processes.node20, ["dist/src/main.js"], {});
    expect(development.code, development.stderr).toBe(0);
    expect(development.stdout).toContain("PORT=3000 TOKEN_LENGTH=28");
    expect(development.stderr).toBe("");

    const production = run("node dist/src/main.js (production)", processes.node20, ["dist/src/main.js"], { NODE_ENV: "production", API_TOKEN, PORT: "8080" });
    expect(production.code, production.stderr).toBe(0);
    expect(production.stdout).toContain(`JSON={"API_TOKEN":"[redacted]","PORT":8080}`);

    const refused = run("node dist/src/main.js (production, missing)", processes.node20, ["dist/src/main.js"], { NODE_ENV: "production" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^\s+- API_TOKEN: /m);
  });

  it("a type error in the app's use of a field fails its compile", () => {
    writeFileSync(join(app, "src/wrong.ts"), `import { loadSecrets } from "../generated/secrets";\nexport const f = async (): Promise<string> => (await loadSecrets()).PORT;\n`);
    try {
      const compile = run("tsc (wrong type)", processes.node20, [TSC, "-p", "tsconfig.json"]);
      expect(compile.code).not.toBe(0);
      expect(compile.stdout).toContain("Type 'number' is not assignable to type 'string'");
    } finally {
      rmSync(join(app, "src/wrong.ts"));
    }
  });
});

it("never printed a secret value in any captured output", () => {
  for (const { label, text } of processes.captured) expect(text, label).not.toContain(SENTINEL);
});
