/**
 * Refresh by field and by TTL, on vitest's fake clock with an in-memory manager: which fields a
 * pass asks for, and when, read from the provider's own call log.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineProvider, defineSecrets, secret } from "../../src/index.ts";
import { close, ConfigError, loadSecrets, onChange, provenance, refreshNow, type Outcome, type RefreshOptions } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

/** A manager answering each ref from a table the test edits, logging each batch with the fake time it came. */
function memoryManager(answers: Record<string, Outcome>) {
  const calls: Array<{ at: number; refs: string[] }> = [];
  const provider = defineProvider({
    name: "memory",
    schemes: ["mem"],
    async resolve(refs) {
      calls.push({ at: Date.now() - start, refs: refs.map((ref) => ref.raw).sort() });
      return new Map(refs.map((ref) => [ref.raw, answers[ref.raw]!]));
    },
  });
  let start = Date.now();
  return { provider, calls, answers, restart: () => void (start = Date.now()) };
}

const found = (value: string, ttlSeconds?: number): Outcome => ({ status: "found", value, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) });

const schema = defineSecrets({
  DB_USER: secret(z.string(), { from: "mem://db#user" }),
  DB_PASSWORD: secret(z.string().min(8), { from: "mem://db#password" }),
  API_KEY: secret(z.string(), { from: "mem://api" }),
});
type Secrets = { DB_USER: string; DB_PASSWORD: string; API_KEY: string };

const warnings: string[] = [];

/** Production without .env: a manager-only chain, so the fake clock alone decides when a refresh runs. */
async function load(manager: ReturnType<typeof memoryManager>, refresh: RefreshOptions) {
  const secrets = await loadSecrets<Secrets>(schema, {
    production: true, dotenv: false, env: {}, providers: [manager.provider], onWarning: (m) => void warnings.push(m),
    refresh: { jitter: 0, ...refresh },
  });
  manager.calls.length = 0;
  manager.restart();
  return secrets;
}

beforeEach(() => {
  vi.useFakeTimers();
  warnings.length = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

describe("refresh.fields", () => {
  it("re-resolves only the listed fields; the others keep their start-up value", async () => {
    const manager = memoryManager({ "mem://db#user": found("app"), "mem://db#password": found(secretValue("pw-1")), "mem://api": found(secretValue("key-1")) });
    const secrets = await load(manager, { intervalMs: 60_000, fields: ["API_KEY"] });
    manager.answers["mem://db#password"] = found(secretValue("pw-2"));
    manager.answers["mem://api"] = found(secretValue("key-2"));

    await vi.advanceTimersByTimeAsync(60_000);
    expect(manager.calls).toEqual([{ at: 60_000, refs: ["mem://api"] }]);
    expect(secrets.API_KEY).toBe(secretValue("key-2"));
    expect(secrets.DB_PASSWORD).toBe(secretValue("pw-1"));

    await refreshNow(secrets);
    expect(manager.calls.at(-1)!.refs).toEqual(["mem://api"]);
    expect(() => onChange(secrets, "DB_PASSWORD", () => {})).toThrow(
      new ConfigError("onChange(): the field DB_PASSWORD is not refreshed, so it never changes: add it to the refresh fields option"),
    );
    await close(secrets);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses a field the schema lacks, in one sentence, before asking any manager", async () => {
    const manager = memoryManager({});
    const loading = loadSecrets(schema, { production: true, dotenv: false, env: {}, providers: [manager.provider], refresh: { intervalMs: 1_000, fields: ["API_KEY", "DB_PASSWROD"] } });
    await expect(loading).rejects.toThrow(new ConfigError(
      'the refresh fields option names "DB_PASSWROD", which is not a field of this schema: list only its fields (DB_USER, DB_PASSWORD, API_KEY)',
    ));
    await expect(loadSecrets(schema, { env: {}, providers: [manager.provider], refresh: { fields: [] } })).rejects.toThrow(ConfigError);
    expect(manager.calls).toEqual([]);
  });
});

describe("TTL-driven refresh", () => {
  it("refreshes a field at 2/3 of its TTL, sooner than intervalMs, and only that secret's fields", async () => {
    const manager = memoryManager({ "mem://db#user": found("app", 30), "mem://db#password": found(secretValue("pw-1"), 30), "mem://api": found(secretValue("key-1")) });
    const secrets = await load(manager, { intervalMs: 600_000 });
    const changes: string[] = [];
    onChange(secrets, "DB_PASSWORD", (p) => void changes.push(`${p.where} ttl ${p.ttlSeconds}`));
    expect(provenance(secrets, "DB_PASSWORD").ttlSeconds).toBe(30);

    manager.answers["mem://db#password"] = found(secretValue("pw-2"), 30);
    await vi.advanceTimersByTimeAsync(29_999); // the value is good for 30 s
    expect(manager.calls).toEqual([{ at: 20_000, refs: ["mem://db#password", "mem://db#user"] }]);
    expect(secrets.DB_PASSWORD).toBe(secretValue("pw-2"));
    expect(changes).toEqual(["mem://db#password ttl 30"]);
    expect(vi.getTimerCount()).toBe(1);

    // Every 20 s after that, until the interval (600 s) refreshes every field at once.
    await vi.advanceTimersByTimeAsync(600_000 - 29_999);
    expect(manager.calls.filter((call) => call.refs.includes("mem://api")).map((call) => call.at)).toEqual([600_000]);
    expect(manager.calls.filter((call) => !call.refs.includes("mem://api"))).toHaveLength(29);
    expect(changes).toHaveLength(1); // the same value every time: no change
    await close(secrets);
  });

  it("with `refresh: {}` refreshes only fields that have a TTL", async () => {
    const manager = memoryManager({ "mem://db#user": found("app", 90), "mem://db#password": found(secretValue("pw-1"), 90), "mem://api": found(secretValue("key-1")) });
    const secrets = await load(manager, {});
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(new Set(manager.calls.flatMap((call) => call.refs))).toEqual(new Set(["mem://db#user", "mem://db#password"]));
    expect(manager.calls.map((call) => call.at).slice(0, 3)).toEqual([60_000, 120_000, 180_000]);
    expect(warnings).toEqual([]);
    await close(secrets);
  });

  it("keeps a field whose answer lost its TTL on the interval only", async () => {
    const manager = memoryManager({ "mem://db#user": found("app"), "mem://db#password": found(secretValue("pw-1"), 30), "mem://api": found(secretValue("key-1")) });
    const secrets = await load(manager, { intervalMs: 3_600_000 });
    manager.answers["mem://db#password"] = found(secretValue("pw-1"));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(manager.calls.map((call) => call.at)).toEqual([20_000, 3_600_000]);
    await close(secrets);
  });

  it("retries a failed TTL refresh before the value runs out, and warns without the value", async () => {
    const manager = memoryManager({ "mem://db#user": found("app", 30), "mem://db#password": found(secretValue("pw-1"), 30), "mem://api": found(secretValue("key-1")) });
    const secrets = await load(manager, { fields: ["DB_USER", "DB_PASSWORD"] });
    manager.answers["mem://db#password"] = { status: "error", kind: "unavailable", message: "the memory manager is down" };
    await vi.advanceTimersByTimeAsync(20_000);
    manager.answers["mem://db#password"] = found(secretValue("pw-2"), 30);
    await vi.advanceTimersByTimeAsync(9_999);
    // 20 s: failed with 10 s left; 2/3 of those later (26.7 s) it succeeds, before the 30 s are up.
    expect(manager.calls.map((call) => Math.round(call.at))).toEqual([20_000, 26_667]);
    expect(secrets.DB_PASSWORD).toBe(secretValue("pw-2"));
    expect(warnings).toEqual([expect.stringMatching(/^DB_PASSWORD could not be refreshed; keeping the last good value: /)]);
    expectNoSentinel(...warnings);
    await close(secrets);
  });

  it("waits in steps past setTimeout's limit for a TTL of weeks, and at least 1 s for a tiny one", async () => {
    const manager = memoryManager({ "mem://db#user": found("app", 0.001), "mem://db#password": found(secretValue("pw-1"), 0.001), "mem://api": found(secretValue("key-1"), 60 * 86_400) });
    const secrets = await load(manager, { fields: ["API_KEY"] });
    await vi.advanceTimersByTimeAsync(39 * 86_400_000);
    expect(manager.calls).toEqual([]); // a naive 40-day setTimeout would have fired at once
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(manager.calls.map((call) => call.at)).toEqual([40 * 86_400_000]);
    await close(secrets);

    const tiny = await load(manager, { fields: ["DB_PASSWORD"] });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(manager.calls).toHaveLength(10);
    await close(tiny);
  });

  it("warns when TTL-only refresh has nothing with a TTL to refresh", async () => {
    const manager = memoryManager({ "mem://db#user": found("app"), "mem://db#password": found(secretValue("pw-1")), "mem://api": found(secretValue("key-1")) });
    const secrets = await load(manager, {});
    expect(warnings).toEqual([
      "refresh is on without intervalMs, and no refreshed field came with a TTL, so nothing will refresh on its own: set refresh.intervalMs or call refreshNow()",
    ]);
    expect(vi.getTimerCount()).toBe(0);
    await close(secrets);
  });
});
