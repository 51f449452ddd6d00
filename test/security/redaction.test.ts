import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { explain, loadSecrets, provenance, redact } from "../../src/runtime/index.ts";
import { expectNoSentinel, SENTINEL, secretValue } from "../helpers/sentinels.ts";

const PASSWORD = secretValue("password");
const schema = defineSecrets({
  PASSWORD: secret(z.string()),
  CONFIG: secret(z.string().transform((text) => JSON.parse(text) as { user: string; pass: string })),
  MAYBE: secret(z.string(), { optional: true }),
  REGION: z.string().default("eu-west-1"),
});
const secrets = await loadSecrets<{ PASSWORD: string; CONFIG: { user: string; pass: string }; MAYBE?: string; REGION: string }>(schema, {
  dockerDir: "/nonexistent",
  env: { PASSWORD, CONFIG: JSON.stringify({ user: "app", pass: secretValue("nested") }) },
});

describe("a loaded secrets object", () => {
  it("returns real values on direct reads", () => {
    expect(secrets.PASSWORD).toBe(PASSWORD);
    expect(secrets.CONFIG.pass).toBe(secretValue("nested"));
    expect(secrets.REGION).toBe("eu-west-1");
  });

  it("shows sensitive fields as [redacted] in JSON, inspect, console.log and string conversion", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    console.log(secrets);
    console.log("%o", secrets);
    const logged = log.mock.calls.map((call) => call.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" ")).join("\n");
    log.mockRestore();
    const outputs = [JSON.stringify(secrets), inspect(secrets), inspect(secrets, { depth: 0 }), inspect({ nested: { secrets } }), `${secrets}`, String(secrets), logged];
    expectNoSentinel(...outputs);
    expect(JSON.parse(JSON.stringify(secrets))).toEqual({ PASSWORD: "[redacted]", CONFIG: "[redacted]", REGION: "eu-west-1" });
    expect(inspect(secrets)).toContain("PASSWORD: '[redacted]'");
    expect(`${secrets}`).toBe("[secrets-gen secrets]");
  });

  it("is frozen", () => {
    expect(Object.isFrozen(secrets)).toBe(true);
    expect(() => {
      (secrets as { PASSWORD: string }).PASSWORD = "x";
    }).toThrow(TypeError);
  });

  it("has only its fields as own properties, with the sensitive ones not enumerable", () => {
    expect(Object.getOwnPropertyNames(secrets)).toEqual(["PASSWORD", "CONFIG", "MAYBE", "REGION"]);
    expect(Object.keys(secrets)).toEqual(["REGION"]);
  });

  it("tells where each value came from without the value", () => {
    expect(provenance(secrets, "PASSWORD")).toMatchObject({ field: "PASSWORD", sensitive: true, source: "env", where: "env PASSWORD" });
    expect(() => provenance(secrets, "NOPE")).toThrow('there is no field "NOPE" in this secrets object');
    expect(() => provenance({}, "PASSWORD")).toThrow("take the object returned by loadSecrets()");
    const table = explain(secrets);
    expect(table.split("\n")[0]).toMatch(/^field\s+kind\s+source\s+where\s+version$/);
    expect(table).toMatch(/PASSWORD\s+secret\s+env\s+env PASSWORD/);
    expectNoSentinel(table, provenance(secrets, "CONFIG"));
  });
});

describe("redact()", () => {
  it("masks every loaded secret value: raw text, and strings inside transformed values", () => {
    const text = `login ${PASSWORD} as ${secrets.CONFIG.user}:${secrets.CONFIG.pass}; raw ${JSON.stringify(secrets.CONFIG)}; again ${PASSWORD}`;
    const masked = redact(text);
    expect(masked).toBe("login [redacted] as app:[redacted]; raw [redacted]; again [redacted]");
    expect(masked).not.toContain(SENTINEL);
  });

  it("leaves text without secrets alone", () => {
    expect(redact("nothing to see")).toBe("nothing to see");
  });
});
