import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, parseRef, SchemaError, secret } from "../../src/index.ts";

describe("parseRef", () => {
  it("splits scheme, path, params and key", () => {
    expect(parseRef("vault://app/db?version=3#url")).toEqual({
      raw: "vault://app/db?version=3#url", scheme: "vault", path: "app/db", key: "url", params: { version: "3" },
    });
    expect(parseRef("aws-sm://prod/stripe")).toEqual({ raw: "aws-sm://prod/stripe", scheme: "aws-sm", path: "prod/stripe", params: {} });
  });

  it.each(["app/db", "vault://", "vault://#key", "Vault://x", "vault:/x"])("rejects %s with the expected format", (raw) => {
    expect(() => parseRef(raw)).toThrow(/is malformed: expected <scheme>:\/\/<path>/);
  });

  it("rejects a repeated parameter", () => {
    expect(() => parseRef("vault://a?version=1&version=2")).toThrow(/repeats the parameter "version"/);
    expect(parseRef("vault://a?toString=1&constructor=2").params).toEqual({ toString: "1", constructor: "2" });
  });
});

describe("defineSecrets", () => {
  it("derives each field's chain from its options", () => {
    const schema = defineSecrets({
      DB_PASSWORD: secret(z.string(), { from: ["vault://app/db#password", "aws-sm://db#password"], devDefault: "dev" }),
      API_KEY: secret(z.string(), { env: "THE_API_KEY", file: "api-key", optional: true, productionSources: ["manager", "docker"], from: "vault://x#y" }),
      PORT: z.coerce.number().default(3000),
    });
    const [db, api, port] = schema.fields;
    expect(db).toMatchObject({
      name: "DB_PASSWORD", sensitive: true, env: "DB_PASSWORD", fileEnv: "DB_PASSWORD_FILE",
      files: ["DB_PASSWORD", "db_password"], devDefault: "dev", optional: false,
      productionSources: ["manager", "kubernetes", "docker", "env", "dotenv"],
    });
    expect(db!.from.map((ref) => ref.raw)).toEqual(["vault://app/db#password", "aws-sm://db#password"]);
    expect(api).toMatchObject({ env: "THE_API_KEY", fileEnv: "THE_API_KEY_FILE", files: ["api-key"], optional: true, productionSources: ["manager", "docker"] });
    expect(port).toMatchObject({ sensitive: false, env: "PORT", productionSources: ["env", "dotenv"], from: [] });
  });

  it("makes an optional secret accept a missing value", async () => {
    const schema = defineSecrets({ X: secret(z.string(), { optional: true }) });
    expect((await schema.fields[0]!.validator.safeParseAsync(undefined)).success).toBe(true);
  });

  it.each([
    ["a malformed ref", { X: secret(z.string(), { from: "not a ref" }) }, /field X in the schema has a ref "not a ref" is malformed/],
    ["a bad env name", { X: secret(z.string(), { env: "MY-VAR" }) }, /field X in the schema has env "MY-VAR", which is not a valid environment variable name/],
    ["a file name with a slash", { X: secret(z.string(), { file: "../etc/passwd" }) }, /field X in the schema has file "..\/etc\/passwd", which is not a plain file name/],
    ["an unknown production source", { X: secret(z.string(), { productionSources: ["cloud" as never] }) }, /field X in the schema has productionSources \["cloud"\]/],
    ["manager-only without a ref", { X: secret(z.string(), { productionSources: ["manager"] }) }, /field X in the schema accepts only a manager in production but has no "from" ref/],
    ["a non-zod value", { X: "hello" as never }, /field X in the schema is neither a zod schema nor secret/],
    ["a devDefault that is not a string", { X: secret(z.number(), { devDefault: 3 as never }) }, /field X in the schema has a devDefault that is a number, not a string: write it as text/],
    ["a from that is not a ref", { X: secret(z.string(), { from: 42 as never }) }, /field X in the schema has a from that is a number: write one ref such as from: "vault:\/\/app\/db#password", or a list of them/],
    ["productionSources that is not a list", { X: secret(z.string(), { productionSources: "manager" as never }) }, /field X in the schema has productionSources "manager": list one or more of/],
    ["optional that is not a boolean", { X: secret(z.string(), { optional: 1 as never }) }, /field X in the schema has optional: a number: write optional: true or leave it out/],
    ["secret() around a non-zod value", { X: secret(42 as never, { optional: true }) }, /field X in the schema passes something other than a zod schema to secret\(\)/],
  ])("refuses %s with a SchemaError naming the field", (_name, shape, message) => {
    expect(() => defineSecrets(shape)).toThrow(SchemaError);
    expect(() => defineSecrets(shape)).toThrow(message);
  });
});

describe("field names", () => {
  it("must work as file names unless a file option is given", () => {
    expect(() => defineSecrets({ "a/b": secret(z.string(), { env: "A_B" }) })).toThrow(
      'field a/b in the schema is not a plain file name, so it cannot name its secret file: give it a file option such as file: "a_b"',
    );
    expect(defineSecrets({ "a/b": secret(z.string(), { env: "A_B", file: "a_b" }) }).fields[0]!.files).toEqual(["a_b"]);
  });
});
