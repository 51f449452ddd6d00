/**
 * Secret files must be read from where they were checked to be: a path component swapped for a
 * symlink between the check and the open must not leak a file from outside the roots, and a FIFO
 * (or other special file) in <NAME>_FILE must be refused without blocking start-up.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdirSync, openSync, renameSync, symlinkSync } from "node:fs";
import * as fsPromises from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, SecretsLoadError } from "../../src/runtime/index.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return { ...real, open: vi.fn(real.open) };
});
const realOpen = (await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises")).open;

const root = tempDir();
const schema = defineSecrets({ TOKEN: secret(z.string()) });
const INSIDE = secretValue("inside");
const OUTSIDE = secretValue("outside");

async function load(env: Record<string, string>, cwd: string): Promise<{ value?: string; message?: string }> {
  try {
    const secrets = await loadSecrets<{ TOKEN: string }>(schema, { env, cwd, dockerDir: join(root, "no-docker"), production: true, onWarning: () => {} });
    return { value: secrets.TOKEN };
  } catch (error) {
    expect(error).toBeInstanceOf(SecretsLoadError);
    expectNoSentinel((error as Error).message);
    return { message: (error as SecretsLoadError).failures[0]!.message };
  }
}

describe("check-then-open race", () => {
  it("never returns a file from outside the roots when a directory is swapped for a symlink after the check", async () => {
    const app = writeFiles(join(root, "app"), { "conf/token": INSIDE });
    const outside = writeFiles(join(root, "outside"), { token: OUTSIDE });
    // Between the path check and the open, conf/ becomes a symlink to a directory outside the roots (the tester's /etc).
    vi.mocked(fsPromises.open).mockImplementationOnce(async (...args: Parameters<typeof realOpen>) => {
      renameSync(join(app, "conf"), join(app, "conf-real"));
      symlinkSync(outside, join(app, "conf"));
      return realOpen(...args);
    });
    const result = await load({ TOKEN_FILE: "conf/token" }, app);
    expect(result.value === OUTSIDE).toBe(false);
    expect(result.message).toBe(`TOKEN: ${join(app, "conf/token")} is outside the allowed secret directories (${join(root, "no-docker")}, ${app}): move it there or add its directory to fileRoots.`);
  });

  it("still reads a file whose path stays put", async () => {
    const app = writeFiles(join(root, "steady"), { "conf/token": INSIDE });
    expect(await load({ TOKEN_FILE: "conf/token" }, app)).toEqual({ value: INSIDE });
  });
});

describe("the start-up deadline", () => {
  it("fails a file read that never finishes (a hung file system) at the deadline instead of waiting forever", async () => {
    const app = writeFiles(join(root, "hung"), { token: INSIDE });
    vi.mocked(fsPromises.open).mockImplementationOnce(() => new Promise(() => {}));
    const error = await loadSecrets(schema, { env: { TOKEN_FILE: "token" }, cwd: app, dockerDir: join(root, "no-docker"), production: true, timeoutMs: 50, onWarning: () => {} }).catch((e: unknown) => e);
    expect((error as SecretsLoadError).failures[0]!.message).toBe(`TOKEN: ${join(app, "token")} was not read within the 50 ms start-up deadline: check the file system it lives on.`);
  });
});

describe("special files", () => {
  const fifoDir = writeFiles(join(root, "fifo-app"), {});
  const fifo = join(fifoDir, "token.fifo");
  execFileSync("mkfifo", [fifo]);
  // Should a read ever block on the FIFO, a writer end frees it, so a failing test still ends.
  afterAll(() => closeSync(openSync(fifo, constants.O_RDWR)));

  it("refuses a FIFO in <NAME>_FILE at once instead of waiting for a writer", async () => {
    const result = await load({ TOKEN_FILE: fifo }, fifoDir);
    expect(result.message).toBe(`TOKEN: ${fifo} is not a regular file: point it at a file.`);
  });

  it("refuses a FIFO in the Docker directory, where a reader would block the same way", async () => {
    mkdirSync(join(root, "fifo-docker"));
    execFileSync("mkfifo", [join(root, "fifo-docker", "TOKEN")]);
    afterAll(() => closeSync(openSync(join(root, "fifo-docker", "TOKEN"), constants.O_RDWR)));
    const error = await loadSecrets(schema, { env: {}, cwd: fifoDir, dockerDir: join(root, "fifo-docker"), production: true, onWarning: () => {} }).catch((e: unknown) => e);
    expect((error as SecretsLoadError).failures[0]!.message).toBe(`TOKEN: ${join(root, "fifo-docker", "TOKEN")} is not a regular file: point it at a file.`);
  });
});
