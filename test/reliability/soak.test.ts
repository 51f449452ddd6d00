/**
 * Soak: 10,000 refresh cycles on a fake clock with injected faults. A refreshing production load
 * of two manager fields whose in-memory provider answers, deterministically by cycle number:
 * found (a new value and version) / found (the same) / error unavailable / error denied /
 * missing / found an invalid value (fails validation), plus one long outage window. After each
 * cycle: exactly one pending timer, the accessor serves the last good value, onChange fired once
 * per actual change, one audit event per field; at the end no unhandled rejection, bounded heap
 * growth, the stale wording during outages longer than maxStalenessMs, no sentinel anywhere.
 *
 * Production with dotenv off keeps the chain manager-only, except that a "missing" answer makes
 * the chain look for the Docker file (a real realpath() on a directory that does not exist):
 * real I/O does not advance with fake timers, so after each tick the test lets the event loop
 * run (real setImmediate, not faked) until the refresh has settled and re-armed its timer.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineProvider, defineSecrets, secret } from "../../src/index.ts";
import { AUDIT_CHANNEL, close, loadSecrets, onChange, type AuditEvent, type Outcome } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import { expectedRun, FIELDS, kindFor, offsets, valueFor, type FieldName } from "./soak-model.ts";
import { RESULTS_DIR } from "../helpers/results-dir.ts";

const CYCLES = 10_000;
const WARM_UP = 1_000;
const INTERVAL_MS = 60_000;
const MAX_STALENESS_MS = 150_000;
const HEAP_BOUND_BYTES = 5 * 1024 * 1024;

const root = tempDir("secrets-gen-soak-");
const schema = defineSecrets({
  API_KEY: secret(z.string().startsWith("sk_"), { from: "mem://api", productionSources: ["manager"] }),
  DB_PASSWORD: secret(z.string().startsWith("sk_"), { from: "mem://db#password", productionSources: ["manager"] }),
});
const refOf: Record<FieldName, string> = { API_KEY: "mem://api", DB_PASSWORD: "mem://db#password" };

/** The provider: its answer for each field is a pure function of the cycle number. */
function soakProvider() {
  let cycle = 0;
  const current = new Map<FieldName, { value: string; version: string }>(FIELDS.map((f) => [f, { value: valueFor(f, 0), version: "0" }]));
  const outcomeFor = (field: FieldName): Outcome => {
    if (cycle === 0) return { status: "found", ...current.get(field)! };
    switch (kindFor(field, cycle)) {
      case "new": {
        const next = { value: valueFor(field, cycle), version: String(cycle) };
        current.set(field, next);
        return { status: "found", ...next };
      }
      case "same":
        return { status: "found", ...current.get(field)! };
      case "unavailable":
        return { status: "error", kind: "unavailable", message: `the memory manager is down (cycle ${cycle})` };
      case "denied":
        return { status: "error", kind: "denied", message: "the memory manager refused: grant read access" };
      case "missing":
        return { status: "missing", reason: "no such secret in memory" };
      case "invalid":
        return { status: "found", value: secretValue(`not-a-key-${cycle}`), version: `bad-${cycle}` };
    }
  };
  const provider = defineProvider({
    name: "memory",
    schemes: ["mem"],
    async resolve(refs) {
      return new Map(refs.map((ref) => [ref.raw, outcomeFor(FIELDS.find((f) => refOf[f] === ref.raw)!)]));
    },
  });
  return { provider, setCycle: (n: number) => void (cycle = n) };
}

/** A real event-loop turn (setImmediate is left unfaked), so real file-system callbacks can land. */
const realTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe("soak", () => {
  it(`survives ${CYCLES} refresh cycles with injected faults: one timer, no leaks, every change reported once`, async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const events: AuditEvent[] = [];
    const outcomes = new Map<string, number>();
    const listener = (event: unknown) => {
      const { field, outcome } = event as AuditEvent;
      outcomes.set(`${field}:${outcome}`, (outcomes.get(`${field}:${outcome}`) ?? 0) + 1);
      // Keep a bounded sample for the secrecy scan; counting needs no more.
      if (events.length < 2_000) events.push(event as AuditEvent);
    };
    const warnings: string[] = [];
    const warningCounts = { failed: 0, stale: 0, other: 0 };
    const changes = new Map<FieldName, number>(FIELDS.map((f) => [f, 0]));
    const started = performance.now();
    const manager = soakProvider();
    let heapAfterWarmUp = 0;
    let heapAtEnd = 0;
    let secrets: Record<FieldName, string> | undefined;
    try {
      secrets = await loadSecrets<Record<FieldName, string>>(schema, {
        production: true, dotenv: false, env: {}, dockerDir: join(root, "no-such-docker-dir"),
        providers: [manager.provider],
        onWarning: (message) => {
          if (message.includes("past maxStalenessMs; still serving the last good value")) warningCounts.stale++;
          else if (message.includes("could not be refreshed; keeping the last good value")) warningCounts.failed++;
          else warningCounts.other++;
          if (warnings.length < 2_000) warnings.push(message);
        },
        refresh: { intervalMs: INTERVAL_MS, jitter: 0, maxStalenessMs: MAX_STALENESS_MS },
      });
      for (const field of FIELDS) onChange(secrets, field, () => void changes.set(field, changes.get(field)! + 1));
      diagnosticsChannel.subscribe(AUDIT_CHANNEL, listener);
      expect(vi.getTimerCount()).toBe(1);

      const model = expectedRun(CYCLES, INTERVAL_MS, MAX_STALENESS_MS);
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        manager.setCycle(cycle);
        await vi.advanceTimersByTimeAsync(INTERVAL_MS);
        // A "missing" answer sends the chain to the (absent) Docker directory: wait for that real I/O.
        for (let turns = 0; vi.getTimerCount() !== 1 && turns < 100_000; turns++) await realTurn();
        expect(vi.getTimerCount()).toBe(1);
        for (const field of FIELDS) {
          const good = model.lastGoodAfter(field, cycle);
          if (secrets[field] !== good) expect.fail(`cycle ${cycle}: ${field} is not the last good value (expected the value of cycle ${model.lastGoodCycle(field, cycle)})`);
        }
        if (cycle === WARM_UP) heapAfterWarmUp = heapUsed();
      }
      heapAtEnd = heapUsed();
      await close(secrets);
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
      expect(vi.getTimerCount()).toBe(0);

      // Every cycle published exactly one event per field, classified as the model says.
      const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(CYCLES * FIELDS.length);
      for (const field of FIELDS) {
        const expected = model.counts(field);
        expect({
          changed: outcomes.get(`${field}:changed`) ?? 0,
          unchanged: outcomes.get(`${field}:unchanged`) ?? 0,
          failed: outcomes.get(`${field}:failed`) ?? 0,
          stale: outcomes.get(`${field}:stale`) ?? 0,
        }).toEqual(expected);
        expect(changes.get(field)).toBe(expected.changed);
        expect(expected.stale).toBeGreaterThan(0);
      }
      const sum = (key: "failed" | "stale") => FIELDS.reduce((n, f) => n + model.counts(f)[key], 0);
      expect(warningCounts).toEqual({ failed: sum("failed"), stale: sum("stale"), other: 0 });
      expect(warnings.some((w) => /^API_KEY could not be refreshed for \d+ s, past maxStalenessMs; still serving the last good value: /.test(w))).toBe(true);
      expectNoSentinel(...warnings, events);
      expect(unhandled).toEqual([]);
      expect(heapAtEnd - heapAfterWarmUp).toBeLessThan(HEAP_BOUND_BYTES);

      const wallMs = performance.now() - started;
      const figures = {
        cycles: CYCLES, fields: FIELDS.length, intervalMs: INTERVAL_MS, maxStalenessMs: MAX_STALENESS_MS,
        wallMs: Math.round(wallMs),
        heapAfterWarmUpMiB: mib(heapAfterWarmUp), heapAtEndMiB: mib(heapAtEnd), heapGrowthMiB: mib(heapAtEnd - heapAfterWarmUp),
        gcForced: true,
        auditEvents: total, changes: Object.fromEntries(changes), warnings: warningCounts.failed + warningCounts.stale,
        staleWarnings: warningCounts.stale, unhandledRejections: unhandled.length, offsets,
      };
      console.log(`soak figures: ${JSON.stringify(figures)}`);
      writeSoakReport(figures, FIELDS.map((f) => ({ field: f, ...model.counts(f) })));
    } finally {
      diagnosticsChannel.unsubscribe(AUDIT_CHANNEL, listener);
      process.off("unhandledRejection", onUnhandled);
      if (secrets) await close(secrets);
    }
  }, 120_000);
});

/**
 * V8's gc(), even where the process was started without --expose-gc (vitest's workers are):
 * without a forced collection the heap figure is mostly garbage and the bound would be a coin toss.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 100) / 100;
}

function writeSoakReport(figures: Record<string, unknown>, perField: ReadonlyArray<Record<string, unknown>>): void {
  const dir = RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const lines = [
    "# Soak: refresh cycles on a fake clock",
    "",
    "Written by `test/reliability/soak.test.ts` on a full `npm run bench`.",
    "Two manager fields in production; each cycle the in-memory provider answers, by cycle number,",
    "found (new value + version) / found (same) / unavailable / denied / missing / invalid value, with",
    "an extra outage window of cycles 5000–5049. Fake clock, jitter 0, one interval per cycle.",
    "",
    "| figure | value |",
    "|---|---|",
    ...Object.entries(figures).map(([key, value]) => `| ${key} | ${typeof value === "object" ? JSON.stringify(value) : String(value)} |`),
    "",
    "| field | changed | unchanged | failed | stale |",
    "|---|---|---|---|---|",
    ...perField.map((row) => `| ${row.field} | ${row.changed} | ${row.unchanged} | ${row.failed} | ${row.stale} |`),
    "",
    "Heap is `process.memoryUsage().heapUsed` after the 1,000-cycle warm-up and at the end, each after a forced GC.",
    "",
  ];
  writeFileSync(join(dir, "soak.md"), lines.join("\n"));
}
