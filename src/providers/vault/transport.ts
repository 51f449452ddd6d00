/**
 * node-vault's HTTP transport, replaced through its own `request-promise` option. Its built-in one
 * (axios) follows redirects with X-Vault-Token and login bodies to any host, reads answers of any
 * size, and cannot be cancelled, so this one: never follows a redirect, stops reading past
 * `maxAnswerBytes`, decodes strict UTF-8, and destroys the request when its attempt is abandoned
 * (the signal `call()` runs it under) or its time-out passes.
 */
import { Buffer } from "node:buffer";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { readCappedText, UnreadableAnswerError } from "../capped-answer.ts";
import { callSignal, VaultFailure } from "./errors.ts";

export interface TransportSettings {
  readonly address: string;
  /** PEM CA for https; undefined: the system's. */
  readonly ca?: string;
  readonly verifyTls: boolean;
  /** A back-stop per request, for calls made without a deadline (renewals, revocations). */
  readonly timeoutMs: number;
  readonly maxAnswerBytes: number;
}

/** What node-vault hands its transport, and what it expects back. */
interface VaultRequest {
  readonly method: string;
  readonly uri: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
}
interface VaultResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly request: { readonly path: string };
}

export interface Transport {
  /** The shape node-vault's `request-promise` option takes. */
  readonly "request-promise": { defaults(): (request: VaultRequest) => Promise<VaultResponse> };
  /** Close kept-alive sockets. */
  close(): void;
}

export function createTransport(settings: TransportSettings): Transport {
  const https = settings.address.startsWith("https:");
  // One kept-alive agent per provider instance: connections are reused, and close() frees them.
  const agent = https ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: settings.verifyTls, ...(settings.ca ? { ca: settings.ca } : {}) }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  const perform = (request: VaultRequest): Promise<VaultResponse> =>
    new Promise((resolve, reject) => {
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const caller = callSignal.getStore();
      const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
      const fail = (code: string): void => reject(new VaultFailure(undefined, code));
      const failOnAbort = (error: { code?: string }): void => fail(caller?.aborted ? "ABORTED" : timeout.aborted ? "ETIMEDOUT" : (error.code ?? "EUNKNOWN"));
      const body = request.json === undefined ? undefined : JSON.stringify(request.json);
      const headers = { ...request.headers, ...(body === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }) };
      const outgoing = send(request.uri, { method: request.method, headers, agent, signal }, (response) => {
        readAnswer(response, settings.maxAnswerBytes).then(
          (text) => resolve({ statusCode: response.statusCode ?? 0, body: parseBody(text), request: { path: new URL(request.uri).pathname } }),
          (error: unknown) => {
            outgoing.destroy(); // stop the download: the socket is not reused
            if (error instanceof VaultFailure) reject(error);
            else failOnAbort(error as { code?: string });
          },
        );
      });
      outgoing.on("error", failOnAbort);
      outgoing.end(body);
    });
  return {
    "request-promise": { defaults: () => perform },
    close: () => agent.destroy(),
  };
}

/** The answer's text, refused when it redirects, outgrows the cap or is not UTF-8. */
async function readAnswer(response: IncomingMessage, maxBytes: number): Promise<string> {
  const status = response.statusCode ?? 0;
  // A redirect would send the token (or a login's secret_id) on to wherever it points.
  if (status >= 300 && status < 400) throw new VaultFailure(undefined, "REDIRECT");
  const announced = Number(response.headers["content-length"]);
  if (announced > maxBytes) throw new VaultFailure(undefined, "TOO_LARGE");
  try {
    return await readCappedText(response, maxBytes);
  } catch (error) {
    if (error instanceof UnreadableAnswerError) throw new VaultFailure(undefined, error.reason === "too-large" ? "TOO_LARGE" : "NOT_UTF8");
    throw error;
  }
}

/** JSON when it parses; the raw text otherwise, which the callers report as not Vault JSON (as node-vault did). */
function parseBody(text: string): unknown {
  if (text === "") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
