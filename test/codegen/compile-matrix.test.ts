/**
 * Issue #14, repro 3: the generated module compiles whatever types the schema uses. One schema
 * holds every case; its generated files are compiled by the real tsc under NodeNext and Bundler
 * resolution with strict, isolatedModules and verbatimModuleSyntax (two tsc runs in all).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../src/codegen/generate.ts";
import { writeFiles } from "../helpers/tmp.ts";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(REPO, "node_modules/typescript/bin/tsc");
// Inside the repository (and git-ignored), so the files resolve zod and @types/node from its node_modules.
const dir = mkdtempSync(join(REPO, "test/fixtures/codegen/.tmp-compile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SRC = relative(join(dir, "app"), join(REPO, "src")).split("\\").join("/");

const SCHEMA = `import { z } from "zod";
import { config, defineSecrets, secret } from "${SRC}/index.ts";
import type { Region } from "./regions.ts";
import { type Palette, shades } from "./reexport.ts";

enum DataSource { Postgres = "postgres", Mysql = "mysql" }
interface GcpCreds { project_id: string; private_key: string }
type Mode = "fast" | "safe";
interface Box<T> { readonly value: T }
interface Request { readonly id: string } // shadows the global Request
const Creds = z.object({ user: z.string(), port: z.number() });
type Creds = z.infer<typeof Creds>;

export default defineSecrets({
  DATA_SOURCE: z.enum(DataSource),
  GCP_CREDS: secret(z.string().transform((text) => JSON.parse(text) as GcpCreds)),
  MODE: z.string().transform((text): Mode => (text === "fast" ? "fast" : "safe")),
  REGION: z.string().transform((name): Region => ({ name })),
  SHADE: z.enum(shades),
  PALETTE: z.enum(shades).transform((shade): Palette => ({ shade })),
  BOXED: z.coerce.number().transform((value): Box<number> => ({ value })),
  CREDS: secret(z.string().transform((text) => Creds.parse(JSON.parse(text)))),
  CREDS_ALIAS: secret(z.string().transform((text): Creds => Creds.parse(JSON.parse(text)))),
  REQUEST: z.string().transform((id): Request => ({ id })),
  USER_ID: z.string().brand<"UserId">(),
  HOME_URL: z.url().transform((text) => new URL(text)),
  RETRIES: config(z.coerce.number().int().default(3), { env: "APP_RETRIES" }),
  EMPTY: secret(z.string().default("")),
  AUTH: secret(z.string(), { devOptional: true }),
});
`;

const TSCONFIG = (module: string, moduleResolution: string) => JSON.stringify({
  compilerOptions: {
    target: "es2022", module, moduleResolution, lib: ["es2023"], types: ["node"], strict: true, noEmit: true,
    isolatedModules: true, verbatimModuleSyntax: true, allowImportingTsExtensions: true, skipLibCheck: true,
  },
  files: ["generated/index.ts", "check.ts"],
});

// The app's own use of the types: a defaulted secret is a string, a devOptional one may be undefined.
const CHECK = `import type { Secrets } from "./generated/secrets.ts";
declare const secrets: Secrets;
const empty: string = secrets.EMPTY;
const retries: number = secrets.RETRIES;
const auth: string | undefined = secrets.AUTH;
// @ts-expect-error a devOptional field may be undefined
const authText: string = secrets.AUTH;
const source: "postgres" | "mysql" = secrets.DATA_SOURCE;
export { empty, retries, auth, authText, source };
`;

describe("the generated module compiles whatever types the schema uses", async () => {
  const app = writeFiles(join(dir, "app"), {
    "package.json": '{ "type": "module" }',
    "regions.ts": "export interface Region { readonly name: string }\n",
    "shades.ts": 'export const shades = ["light", "dark"] as const;\nexport interface Palette { readonly shade: (typeof shades)[number] }\n',
    "reexport.ts": 'export { shades, type Palette } from "./shades.ts";\n',
    "secrets.schema.ts": SCHEMA,
    "check.ts": CHECK,
    "tsconfig.nodenext.json": TSCONFIG("nodenext", "nodenext"),
    "tsconfig.bundler.json": TSCONFIG("esnext", "bundler"),
  });
  const generated = await generate({ schema: join(app, "secrets.schema.ts"), runtimeImport: `../${relative(app, join(REPO, "src/runtime/index.ts"))}` });
  writeFiles(app, Object.fromEntries(generated.files.map((file) => [relative(app, file.path), file.content])));
  const secrets = generated.files[0]!.content;
  const property = (name: string) => secrets.match(new RegExp(`readonly ${name}: (.*);\\n`))?.[1];

  it.each(["nodenext", "bundler"])("passes strict tsc with moduleResolution %s", async (resolution) => {
    const result = await run(process.execPath, [TSC, "-p", join(app, `tsconfig.${resolution}.json`)], { cwd: app }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe("");
  }, 300_000);

  it("lists config() env names and devOptional in .env.example and the doc comments", () => {
    const example = generated.files[2]!.content;
    expect(example).toContain("# (config; optional)\nAPP_RETRIES=\n");
    expect(example).toContain("# (secret; or a file via AUTH_FILE; optional outside production)\nAUTH=\n");
    expect(secrets).toContain("/** Not secret. env APP_RETRIES (or .env) */\n  readonly RETRIES: number;");
    expect(secrets).toContain("→ env AUTH (or .env) → unset outside production (required in production) */\n  readonly AUTH: string | undefined;");
  });

  it("spells out types anyone can name, and refers to the schema's type for the rest", () => {
    expect(property("EMPTY")).toBe("string");
    expect(property("RETRIES")).toBe("number");
    expect(property("AUTH")).toBe("string | undefined");
    expect(property("HOME_URL")).toBe("URL");
    // The checker writes these aliases out.
    expect(property("MODE")).toBe('"fast" | "safe"');
    expect(property("SHADE")).toBe('"light" | "dark"');
    // z.infer of another schema expands to the object type, alias or not.
    expect(property("CREDS")).toBe("{ user: string; port: number; }");
    expect(property("CREDS_ALIAS")).toBe("{ user: string; port: number; }");
    for (const name of ["DATA_SOURCE", "GCP_CREDS", "REGION", "PALETTE", "BOXED", "REQUEST", "USER_ID"]) {
      expect([name, property(name)]).toEqual([name, `SchemaOutput["${name}"]`]);
    }
  });
});
