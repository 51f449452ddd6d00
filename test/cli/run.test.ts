import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createMaskStream } from "../../src/cli/mask-stream.ts";
import { rememberSecret } from "../../src/runtime/redaction.ts";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel } from "../helpers/sentinels.ts";
import { API_TOKEN, APP_SCHEMA, appDockerDir, appEnv, DB_PASSWORD, FIXTURES } from "../fixtures/cli/app-env.ts";

const dockerDir = appDockerDir();
const secretsGenRun = (args: string[], env = appEnv(dockerDir)) => runCli(["run", "--schema", APP_SCHEMA, ...args], { cwd: FIXTURES, env });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("secrets-gen run", () => {
  it("hands each field to the child under its env var name and exits with the child's code", async () => {
    // The child prints hashes, not values, so the output can still be checked for leaks.
    const script = `
      const hash = (name) => require("node:crypto").createHash("sha256").update(process.env[name]).digest("hex");
      process.stdout.write([hash("API_TOKEN"), hash("DB_PASSWORD"), process.env.GREETING, process.env.PORT].join(" "));
      process.exitCode = 7;`;
    const result = await secretsGenRun(["--", process.execPath, "-e", script]);
    expectNoSentinel(result.stdout, result.stderr);
    expect(result.stdout).toBe([sha256(API_TOKEN), sha256(DB_PASSWORD), "hello", "3000"].join(" "));
    expect(result.code).toBe(7);
  });

  it("--mask redacts secret values in the child's stdout and stderr, even when a value is split across writes", async () => {
    const script = `
      const token = process.env.API_TOKEN;
      process.stdout.write("token=" + token.slice(0, 12));
      setTimeout(() => {
        process.stdout.write(token.slice(12) + " end\\n");
        process.stderr.write("db " + process.env.DB_PASSWORD + "\\n");
      }, 100);`;
    const result = await secretsGenRun(["--mask", "--", process.execPath, "-e", script]);
    expectNoSentinel(result.stdout, result.stderr);
    expect(result.stdout).toBe("token=[redacted] end\n");
    expect(result.stderr).toBe("db [redacted]\n");
    expect(result.code).toBe(0);
  });

  it("the mask stream holds back a possible secret prefix until the next chunk shows how it continues", async () => {
    rememberSecret(API_TOKEN);
    rememberSecret("pässwörd-€-secret");
    const mask = createMaskStream([API_TOKEN, "pässwörd-€-secret"]);
    const output: string[] = [];
    mask.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    const bytes = Buffer.from(`a ${API_TOKEN} b pässwörd-€-secret c ${API_TOKEN}`);
    // One byte at a time: every secret and every multi-byte character is split.
    for (const byte of bytes) mask.write(Buffer.of(byte));
    mask.write("; a prompt> ");
    // Output that cannot be the start of a secret is not held back (a prompt shows at once).
    expect(output.join("")).toBe("a [redacted] b [redacted] c [redacted]; a prompt> ");
    mask.end("s3cr3t");
    await new Promise((resolve) => mask.on("end", resolve));
    expect(output.join("")).toBe("a [redacted] b [redacted] c [redacted]; a prompt> s3cr3t");
  });

  it("does not start the child when a field fails, and prints start-up's report", async () => {
    const result = await secretsGenRun(["--", process.execPath, "-e", "console.log('child started')"], appEnv(dockerDir, { API_TOKEN: undefined }));
    expectNoSentinel(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^secrets-gen: 1 of 4 fields could not be loaded \(development mode\):\n {2}- API_TOKEN: no value found/);
  });

  it("exits 2 without a command after --, and 127 when the command does not exist", async () => {
    const missing = await secretsGenRun([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no command to run: give it after "--"');
    const unknown = await secretsGenRun(["--", "secrets-gen-no-such-command"]);
    expect(unknown.code).toBe(127);
    expect(unknown.stderr).toBe('secrets-gen: the command "secrets-gen-no-such-command" was not found: check its name and PATH\n');
  });

  it("exits 128 + the signal number when a signal ends the child", async () => {
    const result = await secretsGenRun(["--", process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"]);
    expect(result.code).toBe(128 + 15);
  });

  it("forwards SIGTERM to the child and exits with the code the child chose", async () => {
    const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
    const script = "process.on('SIGTERM', () => process.exit(42)); console.log('ready'); setInterval(() => {}, 1000);";
    const cli = spawn(process.execPath, ["--import", "tsx", main, "run", "--schema", APP_SCHEMA, "--", process.execPath, "-e", script], {
      cwd: FIXTURES, env: appEnv(dockerDir), stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => cli.on("close", (code) => resolve(code)));
    // Signal only once the child is listening, or the signal could arrive before its handler exists.
    await new Promise<void>((resolve) => cli.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()));
    cli.kill("SIGTERM");
    expect(await exited).toBe(42);
  });
});
