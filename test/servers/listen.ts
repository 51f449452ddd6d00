import type { Server } from "node:net";

/**
 * Start a test server on 127.0.0.1 at a port the OS picks, unref'd so it never keeps a process
 * alive on its own. Resolves with the port.
 */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return (server.address() as { port: number }).port;
}
