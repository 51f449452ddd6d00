/**
 * A local AWS Secrets Manager speaking the JSON 1.1 protocol as the SDKs do: `POST /` with
 * `X-Amz-Target: secretsmanager.<Operation>`, SigV4 headers checked for shape (the signature is not verified),
 * errors as `{"__type": ..., "message": ...}` with AWS's status codes. Faults come from the shared FaultQueue.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { applyFault, FaultQueue } from "../faults.ts";
import { listenOnLoopback } from "../listen.ts";
import { AwsError, SecretStore, type SecretInput } from "./store.ts";

export interface AwsRequest {
  /** The operation named by X-Amz-Target, e.g. "BatchGetSecretValue". */
  readonly op: string;
  /** The parsed JSON body (test data only). */
  readonly body: Record<string, unknown>;
  /** The region of the SigV4 credential scope, when the Authorization header has one. */
  readonly region?: string;
}

export interface AwsServerOptions {
  readonly region?: string;
  readonly account?: string;
}

export interface AwsServer {
  readonly url: string;
  readonly region: string;
  readonly faults: FaultQueue;
  readonly requests: AwsRequest[];
  readonly store: SecretStore;
  /** Create the secret, or add a new AWSCURRENT (or `stages`) version; objects are stored as JSON text. */
  seed(name: string, value: SecretInput, stages?: string[]): { arn: string; versionId: string };
  /** The next `times` matching requests get ThrottlingException (HTTP 400), as AWS throttles. */
  throttle(times: number, match?: string): void;
  /** How many requests named this operation. */
  count(op: string): number;
  close(): Promise<void>;
}

const CONTENT_TYPE = "application/x-amz-json-1.1";
const OPERATIONS = ["GetSecretValue", "BatchGetSecretValue", "ListSecrets", "DescribeSecret", "CreateSecret", "PutSecretValue", "DeleteSecret"] as const;
const AUTH_SHAPE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/;

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID() });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: AwsError): void {
  response.writeHead(error.status, { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID(), "x-amzn-errortype": error.type });
  response.end(JSON.stringify({ __type: error.type, message: error.message }));
}

/** Checks SigV4 header shape like AWS's front end: unsigned, malformed and mis-scoped requests are refused. */
function checkSignature(request: IncomingMessage): void {
  const auth = request.headers.authorization;
  if (auth === undefined) throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 400);
  const match = AUTH_SHAPE.exec(auth);
  if (!match) throw new AwsError("IncompleteSignatureException", "Authorization header is not a valid AWS4-HMAC-SHA256 signature.", 400);
  const [, , date, region, service, signed] = match;
  const amzDate = request.headers["x-amz-date"];
  if (typeof amzDate !== "string" || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new AwsError("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 400);
  }
  if (!amzDate.startsWith(date!)) throw new AwsError("InvalidSignatureException", "Credential date does not match X-Amz-Date.", 403);
  if (service !== "secretsmanager") {
    throw new AwsError("InvalidSignatureException", "Credential should be scoped to correct service: 'secretsmanager'.", 403);
  }
  if (!signed!.split(";").includes("host")) throw new AwsError("InvalidSignatureException", "'Host' must be a signed header.", 403);
  if (!region) throw new AwsError("IncompleteSignatureException", "Credential scope has no region.", 400);
}

export async function startAwsServer(options: AwsServerOptions = {}): Promise<AwsServer> {
  const region = options.region ?? "us-east-1";
  const store = new SecretStore(region, options.account ?? "123456789012");
  const faults = new FaultQueue();
  const requests: AwsRequest[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const target = String(request.headers["x-amz-target"] ?? "");
    const op = target.startsWith("secretsmanager.") ? target.slice("secretsmanager.".length) : "";
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = undefined;
    }
    // Every request is logged, faulted ones included, so tests can count attempts.
    const scope = AUTH_SHAPE.exec(request.headers.authorization ?? "");
    requests.push({ op, body: body ?? {}, ...(scope ? { region: scope[3]! } : {}) });
    const fault = faults.take(request, text);
    if (fault && (await applyFault(fault, response))) return;
    try {
      if (request.method !== "POST" || request.url !== "/") throw new AwsError("UnknownOperationException", "Unknown operation.", 404);
      checkSignature(request);
      if (body === undefined) throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
      if (!(OPERATIONS as readonly string[]).includes(op)) throw new AwsError("UnknownOperationException", "Unknown operation.");
      if (store.deniedOperations.has(op)) {
        throw new AwsError("AccessDeniedException", `User is not authorized to perform: secretsmanager:${op} because no identity-based policy allows it.`);
      }
      send(response, 200, dispatch(store, op, body));
    } catch (error) {
      if (error instanceof AwsError) sendError(response, error);
      else sendError(response, new AwsError("InternalServiceError", "An error occurred on the server side.", 500));
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    faults,
    requests,
    store,
    seed: (name, value, stages) => store.seed(name, value, stages),
    throttle(times, match = "secretsmanager.") {
      const body = JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" });
      faults.add({ kind: "status", status: 400, body, headers: { "content-type": CONTENT_TYPE } }, { match, times });
    },
    count: (op) => requests.filter((r) => r.op === op).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function dispatch(store: SecretStore, op: string, body: Record<string, unknown>): unknown {
  switch (op) {
    case "GetSecretValue": return store.getValue(body);
    case "BatchGetSecretValue": return store.batchGetValue(body);
    case "ListSecrets": return store.list(body);
    case "DescribeSecret": return store.describe(body);
    case "CreateSecret": return store.create(body);
    case "PutSecretValue": return store.put(body);
    case "DeleteSecret": return store.delete(body);
    default: throw new AwsError("UnknownOperationException", "Unknown operation.");
  }
}
