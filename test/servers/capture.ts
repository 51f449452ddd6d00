/**
 * A server that stands for "another host": it records every request that reaches it (headers and
 * body) and answers 200 with `body`. Redirect tests point a manager's redirect here and check that
 * nothing arrived.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { listenOnLoopback } from "./listen.ts";

export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  close(): Promise<void>;
}

export async function startCaptureServer(body: string): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(body);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
