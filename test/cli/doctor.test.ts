import { describe, expect, it } from "vitest";
import { SecretsLoadError, type FieldFailure } from "../../src/runtime/errors.ts";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel } from "../helpers/sentinels.ts";
import { APP_SCHEMA, appDockerDir, appEnv, FIXTURES } from "../fixtures/cli/app-env.ts";

const dockerDir = appDockerDir();
const doctor = (args: string[], env = appEnv(dockerDir)) => runCli(["doctor", "--schema", APP_SCHEMA, ...args], { cwd: FIXTURES, env });

describe("secrets-gen doctor", () => {
  it("prints each field's source, where and status, never a value, and exits 0 when the app would start", async () => {
    const result = await doctor([]);
    expectNoSentinel(result.stdout, result.stderr);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^field\s+kind\s+source\s+where\s+version\s+status\s+age$/);
    expect(lines[2]).toMatch(/^API_TOKEN\s+secret\s+env\s+env API_TOKEN\s+-\s+ok\s+-$/);
    expect(lines[3]).toMatch(/^DB_PASSWORD\s+secret\s+docker\s+\S+\/DB_PASSWORD\s+-\s+ok\s+-$/);
    expect(lines[4]).toMatch(/^GREETING\s+config\s+schema\s+schema default\s+-\s+ok\s+-$/);
    expect(result.stderr).toBe("");
  });

  it("--json gives the same columns and the failures with their attempts", async () => {
    const result = await doctor(["--json"], appEnv(dockerDir, { API_TOKEN: undefined }));
    expectNoSentinel(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { production: boolean; ok: boolean; fields: unknown[]; failures: FieldFailure[] };
    expect(report).toMatchObject({ production: false, ok: false });
    expect(report.fields).toEqual([
      { field: "API_TOKEN", kind: "secret", source: null, where: null, version: null, status: "failed", age: null },
      { field: "DB_PASSWORD", kind: "secret", source: "docker", where: expect.stringMatching(/DB_PASSWORD$/), version: null, status: "ok", age: null },
      { field: "GREETING", kind: "config", source: "schema", where: "schema default", version: null, status: "ok", age: null },
      { field: "PORT", kind: "config", source: "schema", where: "schema default", version: null, status: "ok", age: null },
    ]);
    expect(report.failures.map((failure) => failure.field)).toEqual(["API_TOKEN"]);
    expect(report.failures[0]!.attempts.map((attempt) => attempt.where)).toContain("env API_TOKEN");
  });

  it("exits 1 with start-up's own report on stderr when --production refuses fields, pointing at the step that stopped each", async () => {
    // Production takes API_TOKEN only from a file, and never uses DB_PASSWORD's devDefault.
    const env = appEnv(dockerDir, { SECRETS_DOCKER_DIR: FIXTURES });
    const json = await doctor(["--production", "--json"], env);
    expectNoSentinel(json.stdout, json.stderr);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { production: boolean; failures: FieldFailure[] };
    expect(report.production).toBe(true);
    expect(json.stderr).toBe(`${new SecretsLoadError(report.failures, 4, true).message}\n`);
    expect(json.stderr).toContain("API_TOKEN: no value found");
    expect(json.stderr).toContain("env API_TOKEN (has a value, but production accepts this field only from docker)");
    expect(json.stderr).toContain("devDefault in the schema (never used in production)");

    const table = await doctor(["--production"], env);
    expectNoSentinel(table.stdout, table.stderr);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/\nAPI_TOKEN\s+secret\s+env\s+env API_TOKEN\s+-\s+failed\s+-\n/);
    expect(table.stdout).toMatch(/\nDB_PASSWORD\s+secret\s+-\s+-\s+-\s+failed\s+-\n/);
    expect(table.stderr).toBe(json.stderr);
  });

  it("answers to the alias explain, and documents its exit codes", async () => {
    const table = await runCli(["explain", "--schema", APP_SCHEMA], { cwd: FIXTURES, env: appEnv(dockerDir) });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("API_TOKEN");
    const help = await runCli(["doctor", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 every field loads");
    expect((await runCli(["doctor", "extra"])).code).toBe(2);
  });
});
