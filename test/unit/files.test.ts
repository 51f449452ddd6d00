import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, SecretsLoadError } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const root = tempDir();
const app = writeFiles(join(root, "app"), { "ok.txt": "fine-value" });
const docker = writeFiles(join(root, "docker"), {});
const outside = writeFiles(join(root, "outside"), { "stolen.txt": secretValue("outside") });
const schema = defineSecrets({ TOKEN: secret(z.string(), { devDefault: "dev-default-token" }) });

/** The single report line for TOKEN, from a load in the given mode. */
async function failureFor(env: Record<string, string>, options: { production?: boolean; dockerDir?: string; maxFileBytes?: number; fileRoots?: string[] } = {}) {
  const error = await loadSecrets(schema, { env, cwd: app, dockerDir: docker, onWarning: () => {}, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretsLoadError);
  const message = (error as SecretsLoadError).failures[0]!.message;
  expectNoSentinel(message, (error as Error).message);
  return message;
}

describe("secret files: bad input gets its own clear error, in every mode", () => {
  it("refuses a *_FILE path outside the allowed roots, like /etc/passwd, without showing the file", async () => {
    for (const production of [true, false]) {
      const message = await failureFor({ TOKEN_FILE: "/etc/passwd" }, { production });
      expect(message).toBe(
        `TOKEN: /etc/passwd is outside the allowed secret directories (${docker}, ${app}): move it there or add its directory to fileRoots.`,
      );
      expect(message).not.toContain("root:");
    }
  });

  it("refuses a .. escape from the working directory", async () => {
    const message = await failureFor({ TOKEN_FILE: "../outside/stolen.txt" });
    expect(message).toContain(`${join(outside, "stolen.txt")} is outside the allowed secret directories`);
  });

  it("refuses a symlink inside a root that points outside it", async () => {
    symlinkSync(join(outside, "stolen.txt"), join(app, "link.txt"));
    expect(await failureFor({ TOKEN_FILE: "link.txt" })).toContain(`${join(app, "link.txt")} is outside the allowed secret directories`);
    symlinkSync(join(outside, "stolen.txt"), join(docker, "TOKEN"));
    expect(await failureFor({})).toContain(`${join(docker, "TOKEN")} is outside the allowed secret directories (${docker})`);
  });

  it("accepts a directory added through fileRoots", async () => {
    const secrets = await loadSecrets<{ TOKEN: string }>(schema, {
      env: { TOKEN_FILE: join(outside, "stolen.txt") }, cwd: app, dockerDir: join(root, "none"), fileRoots: [outside],
    });
    expect(secrets.TOKEN).toBe(secretValue("outside"));
  });

  it("says a *_FILE that does not exist is an error, not a missing value", async () => {
    expect(await failureFor({ TOKEN_FILE: "nope.txt" })).toBe(
      `TOKEN: TOKEN_FILE names ${join(app, "nope.txt")}, which does not exist: fix the path or unset TOKEN_FILE.`,
    );
  });

  it("refuses a file over the size cap", async () => {
    writeFiles(app, { "big.txt": "x".repeat(2048) });
    expect(await failureFor({ TOKEN_FILE: "big.txt" }, { maxFileBytes: 1024 })).toBe(
      `TOKEN: ${join(app, "big.txt")} is 2048 bytes, over the 1024-byte limit: check it is the right file or raise maxFileBytes.`,
    );
  });

  it("refuses binary and non-UTF-8 content", async () => {
    writeFiles(app, { "latin1.txt": new Uint8Array([0x63, 0x61, 0x66, 0xe9]), "nul.bin": new Uint8Array([0x61, 0x00, 0x62]) });
    for (const name of ["latin1.txt", "nul.bin"]) {
      expect(await failureFor({ TOKEN_FILE: name })).toBe(
        `TOKEN: ${join(app, name)} is not UTF-8 text (binary content): store the secret as text, e.g. base64.`,
      );
    }
  });

  it("refuses a directory where a file is expected", async () => {
    mkdirSync(join(app, "adir"));
    expect(await failureFor({ TOKEN_FILE: "adir" })).toBe(`TOKEN: ${join(app, "adir")} is not a regular file: point it at a file.`);
  });

  it("trims exactly one trailing newline (LF or CRLF) and keeps the rest", async () => {
    writeFiles(app, { "lf.txt": "value-one\n\n", "crlf.txt": "value-two\r\n" });
    const load = (file: string) => loadSecrets<{ TOKEN: string }>(schema, { env: { TOKEN_FILE: file }, cwd: app, dockerDir: docker });
    expect((await load("lf.txt")).TOKEN).toBe("value-one\n");
    expect((await load("crlf.txt")).TOKEN).toBe("value-two");
  });
});
