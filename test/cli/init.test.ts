import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { FIXTURES } from "../fixtures/cli/app-env.ts";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const projectDirs: string[] = [];
afterAll(() => projectDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A project directory inside the repository, so the scaffolded schema's import of "zod" resolves
 * from the repository's node_modules for the first generate; "secrets-gen" is linked into the
 * project's own node_modules, as an install would put it.
 * Until loadSchema unwraps a schema that tsx loads as CommonJS, these package.json files say "type": "module".
 */
function projectDir(files: Record<string, string>): string {
  const dir = join(FIXTURES, `tmp-init-${randomBytes(6).toString("hex")}`);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(REPOSITORY, join(dir, "node_modules", "secrets-gen"));
  projectDirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const init = (dir: string, ...args: string[]) => runCli(["init", "--dir", dir, ...args], { cwd: dir });
const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

// Each init ends with a full generate (the TypeScript checker), slow on a busy machine.
describe("secrets-gen init", { timeout: 120_000 }, () => {
  it("scaffolds the schema, adds the missing scripts and ignore lines without touching the user's, and generates", async () => {
    const dir = projectDir({
      "package.json": `{\n\t"name": "app",\n\t"type": "module",\n\t"scripts": {\n\t\t"predev": "vite optimize"\n\t}\n}\n`,
      ".gitignore": "node_modules\n.env",
    });
    const result = await init(dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(read(dir, "secrets.schema.ts")).toContain("SESSION_SECRET: secret(z.string().min(32), {");
    expect(JSON.parse(read(dir, "package.json")).scripts).toEqual({
      predev: "vite optimize",
      "secrets:generate": "secrets-gen",
      prebuild: "secrets-gen",
    });
    expect(read(dir, "package.json")).toContain('\n\t"scripts": {\n\t\t"predev"'); // the file's own indentation is kept
    expect(result.stdout).toContain("kept the existing scripts predev in package.json (not changed)");
    expect(read(dir, ".gitignore")).toBe("node_modules\n.env\n.env.local\n");
    expect(read(dir, "generated/secrets.ts")).toContain("readonly SESSION_SECRET: string;");
    expect(read(dir, ".env.example")).toContain("SESSION_SECRET=");
    expect(result.stdout).toMatch(/secrets-gen: wrote .*generated\/secrets\.ts/);
  });

  it("refuses to replace an existing schema without --force, and changes nothing twice with it", async () => {
    const dir = projectDir({ "package.json": `{ "name": "app", "type": "module" }\n`, "secrets.schema.ts": "// mine\n" });
    const refused = await init(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("secrets-gen: secrets.schema.ts already exists: edit it, or pass --force to replace it with the example\n");
    expect(read(dir, "secrets.schema.ts")).toBe("// mine\n");

    expect((await init(dir, "--force")).code).toBe(0);
    const again = await init(dir, "--force");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("kept the existing scripts secrets:generate, prebuild, predev in package.json (not changed)");
    expect(read(dir, ".gitignore")).toBe(".env\n.env.local\n");
  });

  it("adds a deno.json task when the project has deno.json and no package.json", async () => {
    const dir = projectDir({ "deno.json": `{\n  "tasks": {\n    "dev": "deno run main.ts"\n  }\n}\n` });
    const result = await init(dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(read(dir, "deno.json")).tasks).toEqual({ dev: "deno run main.ts", "secrets:generate": "deno run -A npm:@secrets-gen/cli" });
    expect(existsSync(join(dir, "package.json"))).toBe(false);
    expect(existsSync(join(dir, "generated/index.ts"))).toBe(true);
  });
});
