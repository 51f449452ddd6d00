/**
 * A long-running HTTP service (node:http, so it runs unchanged on Node and Deno) that loads its
 * secrets with refresh on, reacts to rotation, and reports where each value came from — never the value.
 *   Node: npx tsx examples/http-service/main.ts      Deno: deno run --allow-env --allow-read --allow-net examples/http-service/main.ts
 */
import { createServer } from "node:http";
import process from "node:process";
import { close, explain, onChange } from "secrets-gen/runtime";
import { loadSecrets } from "../../generated/secrets.ts";

const secrets = await loadSecrets({ refresh: { intervalMs: Number(process.env.REFRESH_MS ?? 60_000) } });
let sessionSecretVersion = 1;
onChange(secrets, "SESSION_SECRET", () => {
  sessionSecretVersion++; // e.g. re-sign sessions, reconnect a pool
  console.log(`SESSION_SECRET rotated (generation ${sessionSecretVersion})`);
});

const server = createServer((request, response) => {
  if (request.url === "/health") {
    response.writeHead(200, { "content-type": "text/plain" });
    response.end(`ok, session secret generation ${sessionSecretVersion}\n${explain(secrets)}\n`);
    return;
  }
  response.writeHead(404).end();
});

server.listen(secrets.PORT, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${secrets.PORT}`));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void close(secrets); // stop refreshing; the process then ends on its own
  });
}
