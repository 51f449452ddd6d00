/**
 * A field's validator, transform, refine or custom message must not carry its value into any
 * output: the load report, audit events, refresh warnings, the CLI, or the start-up exit path.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { AUDIT_CHANNEL, close, loadOrExit, loadSecrets, refreshNow, SecretsLoadError, type AuditEvent } from "../../src/runtime/index.ts";
import { CliError, describeFailure } from "../../src/cli/errors.ts";
import { rejectionCodes } from "../../src/cli/manager-write.ts";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

/** V8 quotes only a prefix of a long input in JSON.parse errors, so look for any piece of it. */
const SENTINEL_PREFIX = "s3cr3t";
const expectNoValuePiece = (...texts: string[]) => {
  expectNoSentinel(...texts);
  for (const text of texts) expect(text.includes(SENTINEL_PREFIX), "a piece of a secret value was printed").toBe(false);
};
const options = { dockerDir: "/nonexistent", production: false } as const;
const schema = defineSecrets({
  JSON_CREDS: secret(z.string().transform((text) => JSON.parse(text) as unknown)),
  CHECKED: secret(z.string().refine((text) => JSON.parse(text) !== null)),
  PREPROCESSED: secret(z.preprocess((input) => JSON.parse(String(input)) as unknown, z.object({ user: z.string() }))),
  API_TOKEN: secret(z.string().min(10)),
});

afterEach(() => vi.restoreAllMocks());

async function loadError(load: Promise<unknown>): Promise<SecretsLoadError> {
  const error = await load.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(SecretsLoadError);
  return error as SecretsLoadError;
}

describe("a validator, transform or refine that throws", () => {
  it("fails that field only, naming the error's class and never its message, with every other field still reported and audited", async () => {
    const events: AuditEvent[] = [];
    const listen = (event: unknown) => events.push(event as AuditEvent);
    diagnosticsChannel.subscribe(AUDIT_CHANNEL, listen);
    try {
      const env = { JSON_CREDS: secretValue("json"), CHECKED: secretValue("checked"), PREPROCESSED: secretValue("pre") };
      const error = await loadError(loadSecrets(schema, { ...options, env }));
      expect(error.failures.map((failure) => failure.field)).toEqual(["JSON_CREDS", "CHECKED", "PREPROCESSED", "API_TOKEN"]);
      expect(error.failures[0]!.message).toBe(
        "JSON_CREDS: the value from env JSON_CREDS is invalid (its schema threw a SyntaxError; its message is not shown because it may quote the value); fix it at its source.",
      );
      expect(error.failures[1]!.message).toContain("its schema threw a SyntaxError");
      expect(error.failures[2]!.message).toContain("its schema threw a SyntaxError");
      expect(events.filter((event) => event.outcome === "failed").map((event) => event.field)).toEqual(["JSON_CREDS", "CHECKED", "PREPROCESSED", "API_TOKEN"]);
      expectNoValuePiece(error.message, JSON.stringify(error.failures), JSON.stringify(events));
    } finally {
      diagnosticsChannel.unsubscribe(AUDIT_CHANNEL, listen);
    }
  });

  it("treats a user's error that shares a name with one of ours as unknown", async () => {
    const named = defineSecrets({
      KEY: secret(z.string().transform((text): string => {
        throw Object.assign(new Error(`bad ${text}`), { name: "ConfigError" });
      })),
    });
    const error = await loadError(loadSecrets(named, { ...options, env: { KEY: secretValue("named") } }));
    expect(error.failures[0]!.message).toContain("its schema threw a ConfigError; its message is not shown");
    expectNoValuePiece(error.message);
  });

  it("keeps a plain config field's error message, which holds no secret", async () => {
    const config = defineSecrets({ LIMITS: z.string().transform((text) => JSON.parse(text) as unknown) });
    const error = await loadError(loadSecrets(config, { ...options, env: { LIMITS: "{oops" } }));
    expect(error.failures[0]!.message).toMatch(/^LIMITS: the value from env LIMITS is invalid \(its schema threw a SyntaxError: .*JSON.*\); fix it at its source\.$/);
  });

  it("never reaches a refresh warning with the value of a file that changed", async () => {
    const env: Record<string, string> = { JSON_CREDS: '{"user":"app"}', CHECKED: "{}", PREPROCESSED: '{"user":"app"}', API_TOKEN: secretValue("token") };
    const warnings: string[] = [];
    const secrets = await loadSecrets<object>(schema, { ...options, env, refresh: { intervalMs: 3_600_000 }, onWarning: (message) => warnings.push(message) });
    try {
      env.JSON_CREDS = secretValue("rotated-json");
      await refreshNow(secrets);
      expect(warnings).toEqual([expect.stringMatching(/^JSON_CREDS could not be refreshed; keeping the last good value: JSON_CREDS: .*its schema threw a SyntaxError/)]);
      expectNoValuePiece(...warnings);
    } finally {
      await close(secrets);
    }
  });
});

describe("push, pull and rotate checking a value against the schema", () => {
  it("name a throwing transform's error class as the rejection, never its message", async () => {
    const field = schema.fields.find((spec) => spec.name === "JSON_CREDS")!;
    const codes = await rejectionCodes(field, secretValue("push"));
    expect(codes).toEqual(["the schema threw a SyntaxError"]);
  });
});

describe("zod messages of a sensitive field", () => {
  const trimmed = `  ${secretValue("trim")}  `;

  it("are withheld when the schema words its own (a custom message may quote a trimmed, lower-cased or parsed form of the value)", async () => {
    const custom = defineSecrets({
      KEY: secret(z.string().trim().refine((value) => value.startsWith("sk_"), { error: (issue) => `bad key ${String(issue.input)}` })),
      LOWER: secret(z.string().toLowerCase().refine((value) => value.startsWith("sk_"), { error: (issue) => `bad ${String(issue.input)}` })),
      ITEMS: secret(z.string().transform((text) => text.split(":")).pipe(z.array(z.string().max(3, { error: (issue) => `${String(issue.input)} is long` })))),
    });
    const events: AuditEvent[] = [];
    const listen = (event: unknown) => events.push(event as AuditEvent);
    diagnosticsChannel.subscribe(AUDIT_CHANNEL, listen);
    try {
      const error = await loadError(loadSecrets(custom, { ...options, env: { KEY: trimmed, LOWER: secretValue("LOWER").toUpperCase(), ITEMS: `${secretValue("a")}:${secretValue("b")}` } }));
      expect(error.failures.map((failure) => failure.message)).toEqual([
        "KEY: the value from env KEY is invalid (custom; a message worded from the input is not shown because it may quote the value); fix it at its source.",
        "LOWER: the value from env LOWER is invalid (custom; a message worded from the input is not shown because it may quote the value); fix it at its source.",
        "ITEMS: the value from env ITEMS is invalid (0: too_big; 1: too_big; a message worded from the input is not shown because it may quote the value); fix it at its source.",
      ]);
      expectNoValuePiece(error.message, JSON.stringify(events));
      expect(error.message.toLowerCase()).not.toContain(SENTINEL_PREFIX);
    } finally {
      diagnosticsChannel.unsubscribe(AUDIT_CHANNEL, listen);
    }
  });

  it("are zod's own wording or the schema's fixed text, and a config field keeps its custom message", async () => {
    const plain = defineSecrets({
      TOKEN: secret(z.string().min(100)),
      DIGITS: secret(z.string().trim().regex(/^[0-9]+$/, { message: "must be digits" }).refine((text) => text.length > 90, "too short")),
      MODE: z.string().refine((value) => value === "fast", { error: (issue) => `mode ${String(issue.input)} is unknown` }),
    });
    const error = await loadError(loadSecrets(plain, { ...options, env: { TOKEN: secretValue("token"), DIGITS: secretValue("digits"), MODE: "slow" } }));
    expect(error.failures.map((failure) => failure.message)).toEqual([
      "TOKEN: the value from env TOKEN is invalid (Too small: expected string to have >=100 characters); fix it at its source.",
      "DIGITS: the value from env DIGITS is invalid (must be digits; too short); fix it at its source.",
      "MODE: the value from env MODE is invalid (mode slow is unknown); fix it at its source.",
    ]);
  });

  it("are withheld by the CLI's doctor, in its table, JSON and report", async () => {
    const schemaPath = join(import.meta.dirname, "../fixtures/security/throwing.schema.ts");
    const env = { ...process.env, NODE_ENV: undefined, SECRETS_ENV: undefined, SECRETS_DOCKER_DIR: "/nonexistent", JSON_CREDS: secretValue("json") };
    for (const args of [["doctor"], ["doctor", "--json"], ["run"]]) {
      const result = await runCli([...args, "--schema", schemaPath, ...(args[0] === "run" ? ["--", "true"] : [])], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("JSON_CREDS: the value from env JSON_CREDS is invalid (its schema threw a SyntaxError;");
      expect(result.stderr).not.toContain("unexpected error");
      expectNoValuePiece(result.stdout, result.stderr);
    }
  });
});

describe("the last-resort handlers", () => {
  it("loadOrExit names an unknown error's class and what to do, never its message", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    await loadOrExit(() => Promise.reject(new TypeError(`Cannot read ${secretValue("thrown")}`)));
    expect(process.exit).toHaveBeenCalledWith(1);
    expect(written.join("")).toBe(
      "secrets-gen: loading secrets failed unexpectedly with a TypeError (its message is not shown because it may quote a secret value): run `npx secrets-gen doctor` to see which field fails, or report it as a bug if doctor passes\n",
    );
  });

  it("loadOrExit still prints secrets-gen's own errors in full", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    await loadOrExit(() => loadSecrets(schema, { ...options, env: {} }));
    expect(written.join("")).toMatch(/^secrets-gen: 4 of 4 fields could not be loaded \(development mode\):\n {2}- JSON_CREDS: no value found/);
  });

  it("the CLI names an unknown error's class instead of printing its message and stack, and keeps its own errors' messages", () => {
    const failure = describeFailure(new RangeError(`Invalid ${secretValue("cli")}`));
    expect(failure).toBe(
      "unexpected error: a RangeError (its message is not shown because it may quote a secret value): rerun the command, and report it as a bug if it persists",
    );
    expect(describeFailure(new CliError("the schema x.ts does not exist: create it"))).toBe("the schema x.ts does not exist: create it");
    expect(describeFailure(Object.assign(new Error("field A in the schema is bad"), { name: "SchemaError" }))).toBe("field A in the schema is bad");
  });

  it("the CLI names the class of an error a schema's own code throws on import", async () => {
    const schemaPath = join(import.meta.dirname, "../fixtures/security/throwing-import.schema.ts");
    const result = await runCli(["doctor", "--schema", schemaPath], { env: { ...process.env, LEAKED: secretValue("import") } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^secrets-gen: the schema .*throwing-import\.schema\.ts could not be loaded: its code threw a SyntaxError \(its message is not shown because it may quote a secret value\): run it with `npx tsx .*throwing-import\.schema\.ts` to see the error\.\n$/);
    expect(result.stderr).not.toContain("    at ");
    expectNoValuePiece(result.stdout, result.stderr);
  });
});
