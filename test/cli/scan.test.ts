import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";
import { API_TOKEN, appDockerDir, appEnv, DB_PASSWORD, FIXTURES } from "../fixtures/cli/app-env.ts";

const SCHEMA = join(FIXTURES, "app.schema.ts");
const dockerDir = appDockerDir();

/** A git working tree with the given files committed, and others left untracked. */
function repository(tracked: Record<string, string>, untracked: Record<string, string> = {}): string {
  const dir = writeFiles(join(tempDir("secrets-gen-scan-"), "repo"), tracked);
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
  writeFiles(dir, untracked);
  return dir;
}

describe("secrets-gen scan", () => {
  it("reports tracked lines holding a loaded secret value or a literal secret assignment, never the value", async () => {
    const cwd = repository(
      {
        "src/config.ts": `export const token = "${API_TOKEN}";\nexport const port = 3000;\n`,
        "deploy/values.yaml": `env:\n  DB_PASSWORD: "a-literal-password"\n  API_TOKEN: "<set me>"\n`,
        ".env": "GREETING=hello\nDB_PASSWORD=another-literal\n",
        ".env.example": "API_TOKEN=\nDB_PASSWORD=\n",
        "README.md": "Set API_TOKEN=${API_TOKEN} in your shell.\n",
      },
      { "notes.txt": `untracked ${API_TOKEN}\n` },
    );
    const result = await runCli(["scan", "--schema", SCHEMA], { cwd, env: appEnv(dockerDir) });
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split("\n").sort()).toEqual([
      ".env:2: assigns a literal value to DB_PASSWORD",
      "deploy/values.yaml:2: assigns a literal value to DB_PASSWORD",
      "src/config.ts:1: contains the loaded value of API_TOKEN",
    ]);
    expect(result.stderr).toContain("3 finding(s): remove the values from these files (and rotate any secret that was committed)");
    expectNoSentinel(result.stdout, result.stderr);
    expect(result.stdout).not.toContain("a-literal-password");
  });

  it("finds the value of a secret loaded from a Docker secret file, limited to the given paths, as JSON", async () => {
    const cwd = repository({ "a/leak.txt": `db=${DB_PASSWORD}\n`, "b/leak.txt": `db=${DB_PASSWORD}\n` });
    const result = await runCli(["scan", "--json", "--schema", SCHEMA, "a"], { cwd, env: appEnv(dockerDir) });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ findings: [{ file: "a/leak.txt", line: 1, field: "DB_PASSWORD", kind: "value" }] });
    expectNoSentinel(result.stdout, result.stderr);
  });

  it("passes a clean tree with exit code 0, and does not flag the schema's own dev defaults", async () => {
    const cwd = repository({ "src/app.ts": "console.log(process.env.API_TOKEN);\n", "fixture.txt": "dev-password-not-secret\n" });
    const result = await runCli(["scan", "--schema", SCHEMA], { cwd, env: appEnv(join(dockerDir, "none")) });
    expect(result).toMatchObject({ code: 0, stdout: "secrets-gen: no secret values or literal secret assignments in tracked files\n" });
  });

  it("explains that it needs a git working tree", async () => {
    const cwd = tempDir("secrets-gen-scan-nogit-");
    const result = await runCli(["scan", "--schema", SCHEMA], { cwd, env: { ...appEnv(dockerDir), GIT_CEILING_DIRECTORIES: cwd } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^secrets-gen: listing git-tracked files failed \(.*\): run scan inside a git working tree\n$/);
  });
});
