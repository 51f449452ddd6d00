import { spawnSync } from "node:child_process";
import diagnosticsChannel from "node:diagnostics_channel";
import { renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineProvider, defineSecrets, secret } from "../../src/index.ts";
import {
  AUDIT_CHANNEL, close, ConfigError, loadSecrets, onChange, provenance, refreshNow, type AuditEvent, type Outcome,
} from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { kubeletMount, tempDir, writeFiles } from "../helpers/tmp.ts";

const root = tempDir();

/** A manager whose answer the test changes between refreshes, counting its calls. */
function rotatingManager(first: Outcome) {
  let answer = first;
  let calls = 0;
  const provider = defineProvider({
    name: "rotating",
    schemes: ["mem"],
    async resolve(refs) {
      calls++;
      return new Map(refs.map((ref) => [ref.raw, answer]));
    },
  });
  return { provider, set: (next: Outcome) => void (answer = next), calls: () => calls };
}

const schema = defineSecrets({ API_KEY: secret(z.string().startsWith("sk_"), { from: "mem://api" }) });
const V1 = `sk_${secretValue("v1")}`;
const V2 = `sk_${secretValue("v2")}`;

/**
 * Production, no .env: a manager-only chain, so a refresh does no file I/O and fake timers alone
 * decide when it runs.
 */
async function loadRotating(manager: ReturnType<typeof rotatingManager>, warnings: string[] = [], maxStalenessMs?: number) {
  return loadSecrets<{ API_KEY: string }>(schema, {
    production: true, dotenv: false, env: {}, providers: [manager.provider], onWarning: (m) => void warnings.push(m),
    refresh: { intervalMs: 60_000, jitter: 0, ...(maxStalenessMs ? { maxStalenessMs } : {}) },
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("refresh", () => {
  it("brings a rotated value to the accessor within one interval and fires onChange once", async () => {
    vi.useFakeTimers();
    const manager = rotatingManager({ status: "found", value: V1, version: "1" });
    const secrets = await loadRotating(manager);
    const changes: string[] = [];
    onChange(secrets, "API_KEY", (p) => void changes.push(`${p.where}@${p.version}`));

    await vi.advanceTimersByTimeAsync(60_000);
    expect(manager.calls()).toBe(2);
    expect(changes).toEqual([]); // same value, same version: no change

    manager.set({ status: "found", value: V2, version: "2" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(secrets.API_KEY).toBe(V2);
    expect(provenance(secrets, "API_KEY").version).toBe("2");
    expect(changes).toEqual(["mem://api@2"]);
    expect(inspect(secrets)).toContain("API_KEY: '[redacted]'");
    expectNoSentinel(inspect(secrets), JSON.stringify(secrets));
    // Only the refresher may change it: the app sees a read-only object.
    expect(() => ((secrets as { API_KEY: string }).API_KEY = "sk_forged")).toThrow(TypeError);
    expect(() => Object.assign(secrets, { EXTRA: 1 })).toThrow(TypeError);
    expect(Object.getOwnPropertyNames(secrets)).toEqual(["API_KEY"]);
    await close(secrets);
  });

  it("rejects an invalid rotated value, keeps the old one and reports it without the value", async () => {
    const manager = rotatingManager({ status: "found", value: V1 });
    const warnings: string[] = [];
    const secrets = await loadRotating(manager, warnings);
    const changed = vi.fn();
    onChange(secrets, "API_KEY", changed);
    manager.set({ status: "found", value: secretValue("not-a-stripe-key") });
    await refreshNow(secrets);
    expect(secrets.API_KEY).toBe(V1);
    expect(changed).not.toHaveBeenCalled();
    expect(warnings).toEqual([expect.stringMatching(/^API_KEY could not be refreshed; keeping the last good value: API_KEY: the value from mem:\/\/api is invalid \(/)]);
    expectNoSentinel(...warnings);
    await close(secrets);
  });

  it("serves the last good value through an outage and reports it as stale after maxStalenessMs", async () => {
    vi.useFakeTimers();
    const manager = rotatingManager({ status: "found", value: V1 });
    const warnings: string[] = [];
    const secrets = await loadRotating(manager, warnings, 150_000);
    manager.set({ status: "error", kind: "unavailable", message: "the manager is down" });
    await vi.advanceTimersByTimeAsync(120_000); // two failed refreshes, under 150 s old
    expect(secrets.API_KEY).toBe(V1);
    expect(warnings).toEqual(Array(2).fill(expect.stringMatching(/^API_KEY could not be refreshed; keeping the last good value: API_KEY: mem:\/\/api failed \(unavailable: the manager is down\)/)));
    await vi.advanceTimersByTimeAsync(60_000); // 180 s: stale
    expect(secrets.API_KEY).toBe(V1);
    expect(warnings.at(-1)).toMatch(/^API_KEY could not be refreshed for 180 s, past maxStalenessMs; still serving the last good value: /);
    await close(secrets);
  });

  it("stops for good on close(): no more provider calls", async () => {
    vi.useFakeTimers();
    const manager = rotatingManager({ status: "found", value: V1 });
    const secrets = await loadRotating(manager);
    await close(secrets);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(manager.calls()).toBe(1);
  });

  it("re-reads Kubernetes mounts, seeing kubelet's ..data swap", async () => {
    const dir = kubeletMount(join(root, "k8s"), { TOKEN: "first-token-value" });
    const fileSchema = defineSecrets({ TOKEN: secret(z.string()) });
    const secrets = await loadSecrets<{ TOKEN: string }>(fileSchema, { env: {}, k8sDir: dir, dockerDir: join(root, "none"), cwd: root, refresh: { intervalMs: 1_000 } });
    writeFiles(join(dir, "..2026_11_24"), { TOKEN: "second-token-value" });
    symlinkSync("..2026_11_24", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    await refreshNow(secrets);
    expect(secrets.TOKEN).toBe("second-token-value");
    await close(secrets);
  });

  it("watches the Kubernetes mount: kubelet's ..data swap is picked up without waiting for the interval", async () => {
    const dir = kubeletMount(join(root, "k8s-watch"), { TOKEN: "first-token-value" });
    const fileSchema = defineSecrets({ TOKEN: secret(z.string()) });
    const secrets = await loadSecrets<{ TOKEN: string }>(fileSchema, { env: {}, k8sDir: dir, dockerDir: join(root, "none"), cwd: root, refresh: { intervalMs: 3_600_000 } });
    const changed = new Promise((resolve) => onChange(secrets, "TOKEN", resolve));
    writeFiles(join(dir, "..2026_11_25"), { TOKEN: "rotated-token-value" });
    symlinkSync("..2026_11_25", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    // No clock moves and no refreshNow(): only the watch can bring the change within the hour.
    expect(await changed).toMatchObject({ field: "TOKEN", source: "kubernetes" });
    expect(secrets.TOKEN).toBe("rotated-token-value");
    await close(secrets);
  });

  it("publishes value-free audit events for loads and refreshes", async () => {
    const events: AuditEvent[] = [];
    const listener = (event: unknown) => void events.push(event as AuditEvent);
    diagnosticsChannel.subscribe(AUDIT_CHANNEL, listener);
    try {
      const manager = rotatingManager({ status: "found", value: V1, version: "1" });
      const secrets = await loadRotating(manager);
      manager.set({ status: "found", value: V2, version: "2" });
      await refreshNow(secrets);
      await close(secrets);
    } finally {
      diagnosticsChannel.unsubscribe(AUDIT_CHANNEL, listener);
    }
    expect(events.map(({ phase, field, outcome, source, where, version }) => ({ phase, field, outcome, source, where, version }))).toEqual([
      { phase: "load", field: "API_KEY", outcome: "loaded", source: "manager", where: "mem://api", version: "1" },
      { phase: "refresh", field: "API_KEY", outcome: "changed", source: "manager", where: "mem://api", version: "2" },
    ]);
    expect(events.every((event) => typeof event.durationMs === "number")).toBe(true);
    expectNoSentinel(events);
  });

  it("needs a refreshing object for onChange and refreshNow", async () => {
    const plain = await loadSecrets<object>(schema, { env: {}, dotenv: false, providers: [rotatingManager({ status: "found", value: V1 }).provider] });
    expect(() => onChange(plain, "API_KEY", () => {})).toThrow(ConfigError);
    expect(() => onChange(plain, "API_KEY", () => {})).toThrow("onChange() needs a secrets object loaded with refresh");
    await close(plain); // harmless
  });

  it("never keeps the process alive: a refreshing app (its mount watched too) exits on its own", () => {
    const mount = kubeletMount(join(root, "k8s-exit"), { MOUNTED: "a-mounted-value" });
    const script = `
      import { z } from "zod";
      import { defineSecrets, secret } from "${join(import.meta.dirname, "../../src/index.ts")}";
      import { loadSecrets, provenance } from "${join(import.meta.dirname, "../../src/runtime/index.ts")}";
      const schema = defineSecrets({ TOKEN: secret(z.string()), MOUNTED: secret(z.string()) });
      const secrets = await loadSecrets(schema, { env: { TOKEN: "a-token-value" }, k8sDir: ${JSON.stringify(mount)}, refresh: { intervalMs: 3_600_000 } });
      console.log("loaded", provenance(secrets, "MOUNTED").source);`;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: import.meta.dirname, encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("loaded kubernetes");
    expect(result.status).toBe(0);
  });
});
