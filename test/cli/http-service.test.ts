/** examples/http-service on Node: serves provenance, and picks up a rotated secret file through refresh. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const MAIN = join(import.meta.dirname, "../../examples/http-service/main.ts");

describe("examples/http-service", () => {
  it("serves /health without values and follows a rotated Docker secret", async () => {
    const dockerDir = writeFiles(join(tempDir(), "secrets"), { session_secret: `${secretValue("session-1")}\n` });
    const env = { ...process.env, SECRETS_ENV: undefined, NODE_ENV: "development", SECRETS_DOCKER_DIR: dockerDir, REFRESH_MS: "200", PORT: String(await freePort()) };
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // One iterator for the whole test: leaving a for-await loop would close the stream.
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (pattern: RegExp): Promise<string> => {
      for (let line = await lines.next(); !line.done; line = await lines.next()) {
        output.push(line.value);
        if (pattern.test(line.value)) return line.value;
      }
      throw new Error(`the service ended before printing ${pattern}: ${stderr}`);
    };
    try {
      const url = (await next(/^listening on /)).replace("listening on ", "");
      const health = await (await fetch(`${url}/health`)).text();
      expect(health).toMatch(/^ok, session secret generation 1\n/);
      expect(health).toMatch(new RegExp(`SESSION_SECRET\\s+secret\\s+docker\\s+${join(dockerDir, "session_secret")}`));

      writeFiles(dockerDir, { session_secret: `${secretValue("session-2")}\n` });
      await next(/^SESSION_SECRET rotated \(generation 2\)$/);
      expect(await (await fetch(`${url}/health`)).text()).toMatch(/^ok, session secret generation 2\n/);
      expectNoSentinel(health, output.join("\n"), stderr);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});

/** A port the OS says is free right now (the schema's PORT must be 1 or more, so 0 cannot be passed). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
