import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineProvider, defineSecrets, secret } from "../../src/index.ts";
import { ConfigError, loadSecrets, provenance, SecretsLoadError, type Outcome, type SecretRef } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

/** An in-memory provider that records every batch it is given. */
function memoryProvider(scheme: string, answers: Record<string, Outcome>, delayMs = 0) {
  const batches: string[][] = [];
  const provider = defineProvider({
    name: `memory-${scheme}`,
    schemes: [scheme],
    async resolve(refs: readonly SecretRef[]) {
      batches.push(refs.map((ref) => ref.raw));
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return new Map(refs.map((ref) => [ref.raw, answers[ref.raw] ?? { status: "missing" as const }]));
    },
  });
  return { provider, batches };
}

const found = (value: string, version?: string): Outcome => ({ status: "found", value, ...(version ? { version } : {}) });
const base = { dockerDir: "/nonexistent", dotenv: false, onWarning: () => {} };

describe("custom providers", () => {
  it("get all their refs in one batch, deduplicated, and serve several fields", async () => {
    const schema = defineSecrets({
      DB_USER: secret(z.string(), { from: "mem://db#user" }),
      DB_PASS: secret(z.string(), { from: "mem://db#pass" }),
      DB_PASS_AGAIN: secret(z.string(), { from: "mem://db#pass" }),
      API: secret(z.string(), { from: "other://api" }),
    });
    const mem = memoryProvider("mem", { "mem://db#user": found("app"), "mem://db#pass": found(secretValue("pass"), "7") });
    const other = memoryProvider("other", { "other://api": found(secretValue("api")) });
    const secrets = await loadSecrets<Record<string, string>>(schema, { ...base, env: {}, providers: [mem.provider, other.provider] });
    expect(mem.batches).toEqual([["mem://db#user", "mem://db#pass"]]);
    expect(other.batches).toEqual([["other://api"]]);
    expect(secrets.DB_PASS_AGAIN).toBe(secretValue("pass"));
    expect(provenance(secrets, "DB_PASS")).toMatchObject({ source: "manager", where: "mem://db#pass", version: "7" });
  });

  it("try a field's refs in order, in rounds, and fall through to local sources when all are missing", async () => {
    const schema = defineSecrets({
      A: secret(z.string(), { from: ["mem://a1", "mem://a2"] }),
      B: secret(z.string(), { from: ["mem://b1", "mem://b2"] }),
      C: secret(z.string(), { from: "mem://c" }),
    });
    const mem = memoryProvider("mem", { "mem://a1": found("value-a1"), "mem://b2": found("value-b2") });
    const secrets = await loadSecrets<Record<string, string>>(schema, { ...base, env: { C: "value-c-env" }, providers: [mem.provider] });
    expect(mem.batches).toEqual([["mem://a1", "mem://b1", "mem://c"], ["mem://b2"]]);
    expect(secrets).toMatchObject({ A: "value-a1", B: "value-b2", C: "value-c-env" });
  });

  it("fail closed in production when a provider errors, and never fall back to env", async () => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "mem://key" }) });
    const mem = memoryProvider("mem", { "mem://key": { status: "error", kind: "denied", message: "permission denied on path key: grant read" } });
    const error = await loadSecrets(schema, { ...base, production: true, env: { KEY: secretValue("env") }, providers: [mem.provider] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsLoadError);
    expect((error as Error).message).toContain(
      "KEY: mem://key failed (denied: permission denied on path key: grant read); production does not fall back to other sources, so fix the manager or its access.",
    );
    expectNoSentinel((error as Error).message);
  });

  it("warn and fall through in development", async () => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "mem://key" }) });
    const mem = memoryProvider("mem", { "mem://key": { status: "error", kind: "unavailable", message: "connection refused: is the manager running?" } });
    const warnings: string[] = [];
    const secrets = await loadSecrets<{ KEY: string }>(schema, { ...base, production: false, env: { KEY: secretValue("env") }, providers: [mem.provider], onWarning: (m) => warnings.push(m) });
    expect(secrets.KEY).toBe(secretValue("env"));
    expect(warnings).toEqual([
      "KEY: mem://key failed (unavailable: connection refused: is the manager running?); trying the next source because this is not production.",
    ]);
  });

  it("are cut off at the start-up deadline", async () => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "mem://slow" }) });
    const hanging = defineProvider({ name: "hanging", schemes: ["mem"], resolve: () => new Promise(() => {}) });
    const error = await loadSecrets(schema, { ...base, production: true, timeoutMs: 50, env: {}, providers: [hanging] }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("KEY: mem://slow failed (unavailable: hanging gave no answer within the 50 ms start-up deadline)");
  });

  it("that throw report the error's class for each of their refs, never its message", async () => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "mem://x" }), OTHER: secret(z.string()) });
    const throwing = defineProvider({ name: "throwing", schemes: ["mem"], resolve: async () => JSON.parse(secretValue("payload")) as never });
    const error = await loadSecrets(schema, { ...base, production: true, env: { OTHER: secretValue("other") }, providers: [throwing] }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      "KEY: mem://x failed (invalid: the throwing provider threw a SyntaxError, whose message is not shown as it may quote a value: have it return an error outcome with its own message)",
    );
    expect((error as Error).message).not.toContain("s3cr3t");
    expectNoSentinel((error as Error).message);
  });

  it.each([
    ["a non-Map answer", async () => ({}) as never, "returned something other than a Map of answers"],
    ["a reason that is not text", async () => new Map([["mem://x", { status: "missing", reason: 42 }]]) as never, "returned a malformed answer for this ref"],
    ["a found value that is a number", async () => new Map([["mem://x", { status: "found", value: 42 }]]) as never, "returned a malformed answer for this ref"],
    ["an unknown error kind", async () => new Map([["mem://x", { status: "error", kind: Symbol("x"), message: "m" }]]) as never, "returned a malformed answer for this ref"],
    ["a thrown non-Error", async () => { throw Object.create(null); }, "it threw a value that is not an Error"],
  ])("that misbehave (%s) give a classified error, not a crash", async (_case, resolve, message) => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "mem://x" }) });
    const broken = defineProvider({ name: "broken", schemes: ["mem"], resolve });
    const error = await loadSecrets(schema, { ...base, production: true, env: {}, providers: [broken] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsLoadError);
    expect((error as Error).message).toContain(`KEY: mem://x failed (invalid: `);
    expect((error as Error).message).toContain(message);
  });

  it("must exist for every scheme a schema uses", async () => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "nope://x" }) });
    await expect(loadSecrets(schema, { ...base, env: {} })).rejects.toThrow(ConfigError);
    await expect(loadSecrets(schema, { ...base, env: {} })).rejects.toThrow(
      /^field KEY uses ref nope:\/\/x, but no provider handles the "nope" scheme \(known here: .*\): fix the ref, regenerate the module with `npx secrets-gen`, or pass a provider in loadSecrets\(\{ providers \}\) \(a built-in one comes from "secrets-gen\/providers\/nope"\)$/,
    );
  });

  it("are skipped in production for a field that does not accept managers there", async () => {
    const schema = defineSecrets({ KEY: secret(z.string(), { from: "mem://k", productionSources: ["env"] }) });
    const mem = memoryProvider("mem", { "mem://k": found("from-manager") });
    const secrets = await loadSecrets<{ KEY: string }>(schema, { ...base, production: true, env: { KEY: "from-env-value" }, providers: [mem.provider] });
    expect(mem.batches).toEqual([]);
    expect(secrets.KEY).toBe("from-env-value");
  });
});
