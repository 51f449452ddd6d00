/**
 * Fault injection shared by every wire-compatible test server, so each fault means the same thing
 * for Vault, AWS, GCP and Azure. A server keeps a queue of faults and calls `takeFault` once per
 * request; `applyFault` performs it.
 */
import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";

export type Fault =
  /** Delay the real answer. */
  | { readonly kind: "latency"; readonly ms: number }
  /** Hold the real answer until `until` settles: tests decide when a request in flight lands, without timing. */
  | { readonly kind: "hold"; readonly until: Promise<unknown> }
  /** Answer with this HTTP status and (optional) body/headers instead of the real answer. */
  | { readonly kind: "status"; readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> }
  /** Destroy the socket without an answer (ECONNRESET on the client). */
  | { readonly kind: "reset" }
  /** Never answer; the socket is destroyed when the server closes. */
  | { readonly kind: "hang" }
  /** Answer 200 with a body that is not what the protocol promises. */
  | { readonly kind: "malformed"; readonly body?: string | Uint8Array }
  /** Answer with a redirect (default 307, which keeps the method and body) to `location`. */
  | { readonly kind: "redirect"; readonly location: string; readonly status?: number }
  /** Answer 200 with a body that never ends, as fast as the client reads; `onClose` runs when the client drops the socket. */
  | { readonly kind: "endless"; readonly onClose?: () => void }
  /** Answer 200 and the start of a body, then send nothing more; `onStart` runs once that is sent, `onClose` when the client drops the socket. */
  | { readonly kind: "stall"; readonly onStart?: () => void; readonly onClose?: () => void };

export interface FaultRule {
  readonly fault: Fault;
  /** Only requests whose method + path match (substring of `${method} ${url}`, or a RegExp). */
  readonly match?: string | RegExp;
  /** And only requests this accepts, e.g. the unauthenticated one that meets a bearer challenge. */
  readonly when?: (request: IncomingMessage) => boolean;
  /** How many matching requests get the fault; default every one. */
  times?: number;
}

export class FaultQueue {
  readonly #rules: FaultRule[] = [];

  add(fault: Fault, options: { match?: string | RegExp; when?: (request: IncomingMessage) => boolean; times?: number } = {}): void {
    this.#rules.push({ fault, ...options });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The fault for this request, if any, consuming one of its `times`. */
  take(request: IncomingMessage, bodyText = ""): Fault | undefined {
    const line = `${request.method} ${request.url} ${request.headers["x-amz-target"] ?? ""} ${bodyText}`;
    const index = this.#rules.findIndex(
      (rule) =>
        (rule.match === undefined ? true : typeof rule.match === "string" ? line.includes(rule.match) : rule.match.test(line)) &&
        (rule.when?.(request) ?? true),
    );
    if (index < 0) return undefined;
    const rule = this.#rules[index]!;
    if (rule.times !== undefined && --rule.times <= 0) this.#rules.splice(index, 1);
    return rule.fault;
  }
}

/** Wait out a fault that only delays the real answer; every server's fault switch shares it. */
export async function waitOut(fault: Extract<Fault, { kind: "latency" | "hold" }>): Promise<void> {
  if (fault.kind === "latency") await new Promise((resolve) => setTimeout(resolve, fault.ms));
  else await fault.until.catch(() => undefined);
}

/**
 * Perform `fault`. Returns true when the request is fully handled (no real answer must follow);
 * false for latency and hold, after which the server answers normally.
 */
export async function applyFault(fault: Fault, response: ServerResponse): Promise<boolean> {
  switch (fault.kind) {
    case "latency":
    case "hold":
      await waitOut(fault);
      return false;
    case "status":
      response.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      response.end(fault.body ?? JSON.stringify({ errors: [`injected ${fault.status}`] }));
      return true;
    case "reset":
      response.socket?.destroy();
      return true;
    case "hang":
      return true;
    case "malformed":
      response.writeHead(200, { "content-type": "application/json" });
      response.end(fault.body ?? "{not json");
      return true;
    case "redirect":
      response.writeHead(fault.status ?? 307, { location: fault.location, "content-length": "0" });
      response.end();
      return true;
    case "endless":
      startBody(response, fault.onClose);
      streamForever(response);
      return true;
    case "stall":
      startBody(response, fault.onClose);
      fault.onStart?.();
      return true;
  }
}

/** A 200 JSON answer whose body is begun but not ended. */
function startBody(response: ServerResponse, onClose: (() => void) | undefined): void {
  if (onClose) response.on("close", onClose);
  response.writeHead(200, { "content-type": "application/json" });
  response.write('{"data": ');
}

const PADDING = Buffer.alloc(64 * 1024, " ");

/** Write JSON whitespace until the client goes away, waiting for it to read (so the server's memory stays flat). */
function streamForever(response: ServerResponse): void {
  while (!response.destroyed) {
    if (!response.write(PADDING)) {
      response.once("drain", () => streamForever(response));
      return;
    }
  }
}
