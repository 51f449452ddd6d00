/**
 * A local GCP Secret Manager speaking the v1 REST/JSON API as @google-cloud/secret-manager's REST
 * transport uses it: `GET /v1/projects/{p}/secrets/{s}/versions/{v}:access` answers
 * `{"name", "payload": {"data": <base64>, "dataCrc32c": "<int64 as string>"}}`, and errors use
 * Google's shape `{"error": {"code", "message", "status"}}`. Requests need a bearer token: a fixed
 * access token, or a self-signed service-account JWT (what the SDK sends for a key file) verified
 * against the key's public half. Writes as the SDK sends them: `POST /v1/projects/{p}/secrets?secretId={s}`
 * (CreateSecret, body the Secret) and `POST /v1/projects/{p}/secrets/{s}:addVersion` (body `{"payload"}`),
 * each answering the created resource.
 */
import { verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { applyFault, FaultQueue } from "../faults.ts";
import { listenOnLoopback } from "../listen.ts";
import { googleError, SecretStore, type GoogleErrorBody, type WriteAnswer } from "./store.ts";

export { googleError, SecretStore } from "./store.ts";
export type { VersionState } from "./store.ts";

export interface GcpServerOptions {
  /** Project id → number; others are created on first addVersion. Default `{ "test-project": 123456789012 }`. */
  readonly projects?: Readonly<Record<string, number>>;
  /** Bearer access tokens accepted as they are. */
  readonly tokens?: readonly string[];
  /** Public keys whose RS256-signed JWTs are accepted (service-account key files). */
  readonly serviceAccountKeys?: readonly KeyObject[];
}

export interface GcpRequest {
  readonly method: string;
  readonly path: string;
  /** The resource name asked for, e.g. `projects/p/secrets/s/versions/latest`. */
  readonly name: string | undefined;
  readonly authorization: string | undefined;
  readonly routing: string | undefined;
}

export interface GcpServer {
  /** `http://127.0.0.1:<port>`: the provider's `endpoint` option. */
  readonly url: string;
  readonly port: number;
  readonly store: SecretStore;
  readonly faults: FaultQueue;
  readonly requests: GcpRequest[];
  /** The access calls made for `name` (or all of them). */
  accessCount(name?: string): number;
  /** The most requests that were in progress at once. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** The body Google sends for an error, for injected `status` faults. */
export function googleErrorBody(code: number, status: string, message = `injected ${status}`): string {
  return JSON.stringify({ error: googleError(code, status, message) });
}

const ACCESS = /^\/v1\/(projects\/[^:]+):access$/;
const CREATE_SECRET = /^\/v1\/(projects\/[^/:]+)\/secrets$/;
const ADD_VERSION = /^\/v1\/(projects\/[^/:]+\/secrets\/[^/:]+):addVersion$/;

export async function startGcpServer(options: GcpServerOptions = {}): Promise<GcpServer> {
  const store = new SecretStore(options.projects ?? { "test-project": 123456789012 });
  const faults = new FaultQueue();
  const requests: GcpRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((request, response) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    response.once("close", () => inFlight--);
    void handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const name = ACCESS.exec(url.pathname)?.[1];
    requests.push({
      method: request.method ?? "",
      path: url.pathname,
      name,
      authorization: request.headers.authorization,
      routing: request.headers["x-goog-request-params"] as string | undefined,
    });
    const fault = faults.take(request);
    if (fault && (await applyFault(fault, response))) return;
    const unauthenticated = authenticate(request.headers.authorization, options);
    if (unauthenticated) return send(response, unauthenticated);
    if (request.method === "POST") return handleWrite(request, response, url);
    if (request.method !== "GET" || name === undefined) {
      return send(response, googleError(404, "NOT_FOUND", `The requested URL ${url.pathname} was not found on this server.`));
    }
    const result = store.access(name);
    if (!result.ok) return send(response, result.error);
    const payload: Record<string, string> = { data: Buffer.from(result.data).toString("base64") };
    if (result.dataCrc32c !== undefined) payload.dataCrc32c = result.dataCrc32c;
    response.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
    response.end(JSON.stringify({ name: result.name, payload }));
  }

  /** CreateSecret and AddSecretVersion; Google's JSON maps bytes to base64 and int64 to a decimal string. */
  async function handleWrite(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    let body: { payload?: { data?: string; dataCrc32c?: string } };
    try {
      body = JSON.parse((await text(request)) || "{}") as typeof body;
    } catch {
      return send(response, googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    }
    const createIn = CREATE_SECRET.exec(url.pathname)?.[1];
    const addTo = ADD_VERSION.exec(url.pathname)?.[1];
    let answer: WriteAnswer;
    if (createIn !== undefined) answer = store.createSecret(createIn, url.searchParams.get("secretId") ?? "");
    else if (addTo !== undefined) answer = store.addSecretVersion(addTo, Buffer.from(body.payload?.data ?? "", "base64"), body.payload?.dataCrc32c);
    else return send(response, googleError(404, "NOT_FOUND", `The requested URL ${url.pathname} was not found on this server.`));
    if (!answer.ok) return send(response, answer.error);
    const created = new Date().toISOString();
    response.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
    response.end(JSON.stringify(createIn !== undefined ? { name: answer.name, replication: { automatic: {} }, createTime: created } : { name: answer.name, createTime: created, state: "ENABLED" }));
  }

  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    faults,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    accessCount: (name) => requests.filter((r) => r.name !== undefined && (name === undefined || r.name === name)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function text(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, error: GoogleErrorBody): void {
  response.writeHead(error.code, { "content-type": "application/json; charset=UTF-8" });
  response.end(JSON.stringify({ error }));
}

const UNAUTHENTICATED = googleError(
  401,
  "UNAUTHENTICATED",
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
);

/** The 401 to send, or undefined when the bearer token is acceptable. */
function authenticate(header: string | undefined, options: GcpServerOptions): GoogleErrorBody | undefined {
  const token = /^Bearer (\S+)$/.exec(header ?? "")?.[1];
  if (!token) return UNAUTHENTICATED;
  if (!options.tokens && !options.serviceAccountKeys) return undefined;
  if (options.tokens?.includes(token)) return undefined;
  const [head, body, signature] = token.split(".");
  if (!head || !body || !signature) return UNAUTHENTICATED;
  const signed = Buffer.from(`${head}.${body}`);
  const valid = options.serviceAccountKeys?.some((key) => verify("RSA-SHA256", signed, key, Buffer.from(signature, "base64url")));
  if (!valid) return UNAUTHENTICATED;
  const claims = JSON.parse(Buffer.from(body, "base64url").toString()) as { exp?: number };
  return typeof claims.exp === "number" && claims.exp * 1000 > Date.now() ? undefined : UNAUTHENTICATED;
}
