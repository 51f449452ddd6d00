/**
 * Finding a secret in other text: `scan` in committed files, redact() and `run --mask` in output.
 * Multi-line values (a PEM key) and their JSON-escaped and CRLF copies count as the value.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { childEnv } from "../../src/cli/child-env.ts";
import { CliError } from "../../src/cli/errors.ts";
import { createMaskStream, loadedSecretTexts } from "../../src/cli/mask-stream.ts";
import { scanText } from "../../src/cli/scan-files.ts";
import type { FieldResult } from "../../src/runtime/loader.ts";
import { loadSecrets, redact, resolveSchema } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const PEM = `-----BEGIN PRIVATE KEY-----\n${secretValue("pem-line-1")}\n${secretValue("pem-line-2")}\n-----END PRIVATE KEY-----`;
const QUOTED = `say "${secretValue("quoted")}"`;
const schema = defineSecrets({ TLS_KEY: secret(z.string()), QUOTED: secret(z.string()) });
const options = { dockerDir: "/nonexistent", production: false, env: { TLS_KEY: PEM, QUOTED } } as const;
await loadSecrets(schema, options);

describe("scan", () => {
  const targets = [{ field: "TLS_KEY", env: "TLS_KEY", values: [PEM] }];

  it("finds a multi-line value, at the line where it starts", () => {
    const text = `# key\nconst key = \`${PEM}\`;\n`;
    expect(scanText("key.ts", text, targets)).toEqual([{ file: "key.ts", line: 2, field: "TLS_KEY", kind: "value" }]);
  });

  it("finds it with CRLF line ends and JSON-escaped, as loadedSecretTexts hands it over", async () => {
    const report = await resolveSchema(schema, options);
    const values = loadedSecretTexts(report.results.filter((result) => result.field === "TLS_KEY"));
    const found = (text: string) => scanText("f", text, [{ field: "TLS_KEY", env: "TLS_KEY", values }]);
    expect(found(`a\r\n${PEM.replaceAll("\n", "\r\n")}\r\n`)).toEqual([{ file: "f", line: 2, field: "TLS_KEY", kind: "value" }]);
    expect(found(`{\n  "key": ${JSON.stringify(PEM)}\n}\n`)).toEqual([{ file: "f", line: 2, field: "TLS_KEY", kind: "value" }]);
  });
});

describe("redact() and run --mask", () => {
  it("mask the JSON-escaped and CRLF copies of a value", () => {
    const text = `${JSON.stringify({ key: PEM, quoted: QUOTED })} ${PEM.replaceAll("\n", "\r\n")}`;
    expect(redact(text)).toBe('{"key":"[redacted]","quoted":"[redacted]"} [redacted]');
  });

  it("mask a JSON-escaped value split across chunks of a child's output", async () => {
    const results = (await resolveSchema(schema, options)).results;
    const stream = createMaskStream(loadedSecretTexts(results));
    const escaped = JSON.stringify(PEM);
    let out = "";
    stream.on("data", (chunk: Buffer | string) => (out += chunk.toString()));
    const ended = new Promise((resolve) => stream.on("end", resolve));
    stream.write(`log ${escaped.slice(0, 40)}`);
    stream.end(`${escaped.slice(40)} done`);
    await ended;
    expect(out).toBe('log "[redacted]" done');
  });
});

describe("run", () => {
  it("refuses a value with a NUL character, which an environment variable cannot hold, without the value", () => {
    const withNul = `${secretValue("nul")}\0tail`;
    const result: FieldResult = {
      ok: true, field: "TLS_KEY", value: withNul, raw: withNul,
      provenance: { field: "TLS_KEY", sensitive: true, source: "manager", where: "vault://app/tls#key", loadedAt: new Date() },
    };
    let thrown: unknown;
    try {
      childEnv(schema, [result], {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as Error).message).toBe(
      "TLS_KEY came from vault://app/tls#key with a NUL character, which an environment variable cannot hold: remove it at its source, or read the field in the app with loadSecrets()",
    );
    expectNoSentinel((thrown as Error).message);
  });
});
