/**
 * Paths, refs and variable names come from the environment and the file system, so a control
 * character in one must not start a new line (or a terminal escape) in a report, warning,
 * doctor table or explain() table: it is printed escaped.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { AUDIT_CHANNEL, explain, loadSecrets, provenance, SecretsLoadError, type AuditEvent } from "../../src/runtime/index.ts";
import { printable } from "../../src/runtime/printable.ts";
import { runCli } from "../helpers/cli.ts";
import { secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const FORGED = "secrets-gen: all secrets loaded OK";
const schema = defineSecrets({ API_KEY: secret(z.string()) });

describe("printable()", () => {
  it("escapes C0 and C1 control characters, DEL and Unicode line breaks, and leaves other text alone", () => {
    expect(printable("a\nb\r\tc\x1b[2J\x7f\x9b\u2028d")).toBe("a\\nb\\r\\tc\\x1b[2J\\x7f\\x9b\\u2028d");
    expect(printable("/run/secrets/db_pässword ok")).toBe("/run/secrets/db_pässword ok");
  });
});

describe("a control character in a path or variable", () => {
  it("is escaped in the start-up report, so it cannot forge a line", async () => {
    const error = await loadSecrets(schema, { dockerDir: "/nonexistent", production: false, env: { API_KEY_FILE: `nope\n${FORGED}` } })
      .then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SecretsLoadError);
    const lines = (error as SecretsLoadError).message.split("\n");
    expect(lines).toHaveLength(2);
    expect((error as SecretsLoadError).failures[0]!.attempts[0]!.where).toBe(`API_KEY_FILE=nope\\n${FORGED}`);
    expect(lines[1]).toContain(`API_KEY_FILE names ${process.cwd()}/nope\\n${FORGED}, which does not exist`);
  });

  it("is escaped in where: provenance, explain(), audit events, and the doctor table and report", async () => {
    const dockerDir = writeFiles(join(tempDir(), `dir\n${FORGED}\x1b[2J`), { API_KEY: secretValue("api") });
    const events: AuditEvent[] = [];
    const listen = (event: unknown) => events.push(event as AuditEvent);
    diagnosticsChannel.subscribe(AUDIT_CHANNEL, listen);
    try {
      const secrets = await loadSecrets<object>(schema, { dockerDir, production: false, env: {} });
      const escaped = printable(join(dockerDir, "API_KEY"));
      expect(escaped).toContain(`dir\\n${FORGED}\\x1b[2J`);
      expect(provenance(secrets, "API_KEY").where).toBe(escaped);
      expect(explain(secrets)).not.toMatch(/[\n]secrets-gen|\x1b/);
      expect(events.map((event) => event.where)).toEqual([escaped]);
    } finally {
      diagnosticsChannel.unsubscribe(AUDIT_CHANNEL, listen);
    }

    const schemaPath = join(import.meta.dirname, "../fixtures/security/throwing.schema.ts");
    const env = { ...process.env, NODE_ENV: undefined, SECRETS_ENV: undefined, SECRETS_DOCKER_DIR: dockerDir, JSON_CREDS: "{}", API_TOKEN_FILE: `missing\n${FORGED}` };
    const result = await runCli(["doctor", "--schema", schemaPath], { env });
    expect(result.code).toBe(1);
    for (const line of [...result.stdout.split("\n"), ...result.stderr.split("\n")]) expect(line.startsWith(FORGED)).toBe(false);
    expect(result.stdout + result.stderr).not.toContain("\x1b");
    expect(result.stderr).toContain(`missing\\n${FORGED}, which does not exist`);
  });
});

describe("scan", () => {
  it("escapes a tracked file name with a newline, so it cannot forge the all-clear line", async () => {
    const repo = writeFiles(join(tempDir(), "repo"), { [`leak\n${FORGED}.txt`]: `token=${secretValue("scan")}\n` });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, stdio: "ignore" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "fixture");
    const schemaPath = join(import.meta.dirname, "../fixtures/security/throwing.schema.ts");
    const env = { ...process.env, NODE_ENV: undefined, SECRETS_ENV: undefined, SECRETS_DOCKER_DIR: "/nonexistent", JSON_CREDS: "{}", API_TOKEN: secretValue("scan") };
    const result = await runCli(["scan", "--schema", schemaPath], { cwd: repo, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`leak\\n${FORGED}.txt:1: contains the loaded value of API_TOKEN\n`);
  });
});
