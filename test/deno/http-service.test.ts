/** examples/http-service under Deno, with only --allow-env --allow-read --allow-net. */
import assert from "node:assert/strict";

const REPO = new URL("../../", import.meta.url).pathname;

Deno.test("the node:http service example serves provenance under Deno", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", "--allow-read", "--allow-net", `${REPO}examples/http-service/main.ts`],
    cwd: REPO,
    env: { NO_COLOR: "1", PORT: String(port), NODE_ENV: "development", SECRETS_DOCKER_DIR: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("listening on")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the service ended early: ${seen}`);
      seen += value;
    }
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).text();
    assert.match(health, /^ok, session secret generation 1\n/);
    assert.match(health, /SESSION_SECRET\s+secret\s+dev-default/);
    reader.releaseLock();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
  }
});
