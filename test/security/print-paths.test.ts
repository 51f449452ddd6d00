/**
 * The common ways a program prints or copies an object must not carry sensitive values out of the
 * secrets object, while `secrets.X` still reads them (and a refresh still replaces them).
 */
import { Console } from "node:console";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret, SchemaError } from "../../src/index.ts";
import { close, loadSecrets, refreshNow } from "../../src/runtime/index.ts";
import { sealSecrets } from "../../src/runtime/secrets-object.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const PASSWORD = secretValue("password");
const schema = defineSecrets({
  PASSWORD: secret(z.string()),
  CONFIG: secret(z.string().transform((text) => JSON.parse(text) as { pass: string })),
  REGION: z.string().default("eu-west-1"),
});
type Values = { readonly PASSWORD: string; readonly CONFIG: { pass: string }; readonly REGION: string };
const options = { dockerDir: "/nonexistent", production: false } as const;
const env = { PASSWORD, CONFIG: JSON.stringify({ pass: secretValue("nested") }) };

/** What a Console writing to a string prints for `print(console)`: console.dir and console.table as apps call them. */
function printed(print: (console: Console) => void): string {
  let text = "";
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  print(new Console({ stdout: stream, stderr: stream, colorMode: false }));
  return text;
}

describe("print and copy paths of the secrets object", () => {
  it("show no sensitive value through console.dir, console.table, inspect without customInspect, copies and enumeration", async () => {
    const secrets = await loadSecrets<Values>(schema, { ...options, env });
    const outputs = [
      printed((console) => console.dir(secrets)),
      printed((console) => console.dir(secrets, { showHidden: true })),
      printed((console) => console.table(secrets)),
      printed((console) => console.table([secrets])),
      inspect(secrets, { customInspect: false }),
      inspect(secrets, { customInspect: false, showHidden: true }),
      inspect(structuredClone(secrets)),
      inspect(Object.assign({}, secrets)),
      inspect({ ...secrets }),
      inspect(Object.entries(secrets)),
      inspect(Object.values(secrets)),
      JSON.stringify(Object.fromEntries(Object.entries(secrets))),
    ];
    const forIn: string[] = [];
    for (const key in secrets) forIn.push(String(secrets[key as keyof Values]));
    expectNoSentinel(...outputs, forIn.join(","));
    expect(inspect(secrets, { customInspect: false })).toContain("REGION: 'eu-west-1'");
  });

  it("still reads every field directly, lists every field by name, and keeps config fields enumerable", async () => {
    const secrets = await loadSecrets<Values>(schema, { ...options, env });
    expect(secrets.PASSWORD).toBe(PASSWORD);
    expect(secrets.CONFIG.pass).toBe(secretValue("nested"));
    expect(Object.getOwnPropertyNames(secrets)).toEqual(["PASSWORD", "CONFIG", "REGION"]);
    expect(Object.keys(secrets)).toEqual(["REGION"]);
    expect("PASSWORD" in secrets).toBe(true);
    expect(Object.isFrozen(secrets)).toBe(true);
    expect(() => {
      (secrets as { PASSWORD: string }).PASSWORD = "x";
    }).toThrow(TypeError);
  });

  it("keeps a refreshed value readable and out of the same print paths", async () => {
    const changing: Record<string, string> = { ...env };
    const secrets = await loadSecrets<Values>(schema, { ...options, env: changing, refresh: { intervalMs: 3_600_000 } });
    try {
      changing.PASSWORD = secretValue("rotated");
      await refreshNow(secrets);
      expect(secrets.PASSWORD).toBe(secretValue("rotated"));
      expect(Object.keys(secrets)).toEqual(["REGION"]);
      expectNoSentinel(printed((console) => console.dir(secrets)), inspect(structuredClone(secrets)), inspect(Object.values(secrets)));
      expect(() => {
        (secrets as { PASSWORD: string }).PASSWORD = "x";
      }).toThrow(TypeError);
    } finally {
      await close(secrets);
    }
  });
});

describe("field names the secrets object needs for itself", () => {
  it.each(["toJSON", "toString", "constructor", "hasOwnProperty", "valueOf", "then"])("refuses a field named %s when the schema loads", (name) => {
    expect(() => defineSecrets({ [name]: secret(z.string()) })).toThrow(SchemaError);
    expect(() => defineSecrets({ [name]: z.string() })).toThrow(
      `field ${name} in the schema has a name the secrets object or every JavaScript object already uses, so reading secrets.${name} would not give its value: rename the field`,
    );
  });

  it("refuses a __proto__ field, written as a computed key or as a literal one (which JavaScript takes as the prototype)", () => {
    expect(() => defineSecrets({ ["__proto__"]: secret(z.string()) })).toThrow("field __proto__ in the schema has a name the secrets object");
    expect(() => defineSecrets({ __proto__: secret(z.string()), OTHER: z.string() } as never)).toThrow(
      "the schema has a __proto__ field, which JavaScript takes as the object's prototype rather than a field: rename the field",
    );
  });

  it("reserves every member the secrets object and Object.prototype have", () => {
    const sealed = sealSecrets({}, new Set());
    const members = new Set<string>();
    for (let object: object | null = sealed; object !== null; object = Object.getPrototypeOf(object) as object | null) {
      for (const name of Object.getOwnPropertyNames(object)) members.add(name);
    }
    for (const name of members) expect(() => defineSecrets({ [name]: z.string() }), name).toThrow(SchemaError);
  });
});
