/**
 * Turn what the SDK throws into an outcome. Over gRPC the SDK throws a GoogleError whose `code` is
 * a gRPC status number; over REST (google-auth-library 10) it throws a GaxiosError whose `status`
 * is the HTTP status and whose message is Google's JSON error body. Both are read by code only:
 * SDK messages and errors are never passed on, because a GaxiosError carries the request headers.
 */
import { isOverSize } from "./answer-cap.ts";
import { RequestTimeoutError } from "../../runtime/policy.ts";
import type { ProviderErrorKind } from "../types.ts";

export type Classified =
  | { readonly kind: "missing"; readonly reason: string; readonly absent?: boolean }
  | { readonly kind: ProviderErrorKind; readonly message: string };

/** The payload's CRC32C did not match: corrupted on the way, so worth another attempt. */
export class CorruptPayloadError extends Error {
  override name = "CorruptPayloadError";
}

// google.rpc.Code numbers, as thrown over gRPC.
const GRPC_STATUS = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
  "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
] as const;

const TRANSIENT = new Set(["UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "INTERNAL", "UNKNOWN", "ABORTED", "CANCELLED"]);
const NETWORK = /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

interface Status {
  readonly status: string;
  /** Google's own message, used only to tell a DISABLED from a DESTROYED version. */
  readonly text: string;
}

/** The status name (NOT_FOUND, …) of an SDK error, or undefined when it is not an API answer. */
function statusOf(error: unknown): Status | undefined {
  const e = error as { code?: unknown; status?: unknown; message?: unknown; details?: unknown; response?: unknown };
  if (typeof e?.status === "number" && e.response !== undefined) {
    // GaxiosError: the body is the message.
    try {
      const body = JSON.parse(String(e.message)) as { error?: { status?: unknown; message?: unknown } };
      if (typeof body.error?.status === "string") return { status: body.error.status, text: String(body.error.message ?? "") };
    } catch {
      // Not Google's JSON (a proxy's HTML page, an injected fault): fall back to the HTTP status.
    }
    return { status: fromHttp(e.status), text: "" };
  }
  if (typeof e?.code === "number" && GRPC_STATUS[e.code]) {
    return { status: GRPC_STATUS[e.code]!, text: String(e.details ?? e.message ?? "") };
  }
  return undefined;
}

function fromHttp(status: number): string {
  if (status === 404) return "NOT_FOUND";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "PERMISSION_DENIED";
  if (status === 429) return "RESOURCE_EXHAUSTED";
  if (status === 408 || status === 504) return "DEADLINE_EXCEEDED";
  if (status >= 500) return "UNAVAILABLE";
  return status === 400 ? "INVALID_ARGUMENT" : `HTTP_${status}`;
}

/** Whether our retry should try again (google-gax's own retry is switched off per call). */
export function isTransient(error: unknown): boolean {
  if (error instanceof CorruptPayloadError) return true;
  const status = statusOf(error);
  if (status) return TRANSIENT.has(status.status);
  return NETWORK.test(String((error as { code?: unknown })?.code ?? ""));
}

/** What to report for `name` (a version resource name) after `error` ended the last attempt. */
export function classify(error: unknown, name: string, attempts: number): Classified {
  if (error instanceof CorruptPayloadError) {
    return { kind: "invalid", message: `the payload of ${name} failed its CRC32C check ${attempts} time(s): it was corrupted in transit; check proxies between this host and Secret Manager` };
  }
  // The runtime's per-request time-out (the REST transport ignores google-gax's `timeout`).
  if (error instanceof RequestTimeoutError) {
    return { kind: "unavailable", message: `Secret Manager did not answer ${name} in time (${attempts} attempt(s)): check network access or raise the retry requestTimeoutMs option` };
  }
  if (isOverSize(error)) {
    return { kind: "invalid", message: `Secret Manager sent an answer for ${name} over the size limit, so reading it was stopped: check the endpoint, or raise maxAnswerBytes` };
  }
  if (error instanceof SyntaxError) {
    return { kind: "invalid", message: `Secret Manager answered ${name} with a malformed body: check the endpoint setting and any proxy in between` };
  }
  const status = statusOf(error);
  if (!status) {
    const code = String((error as { code?: unknown })?.code ?? "");
    if (NETWORK.test(code)) {
      return { kind: "unavailable", message: `could not reach Secret Manager for ${name} (${code}, ${attempts} attempt(s)): check network access to the endpoint` };
    }
    if (/default credentials|could not load the credentials|key file|private key/i.test(String((error as Error)?.message))) {
      return { kind: "denied", message: `no usable Google credentials for ${name}: set GOOGLE_APPLICATION_CREDENTIALS, pass keyFilename, or run with Application Default Credentials` };
    }
    const what = error instanceof Error ? error.name : typeof error;
    return { kind: "unavailable", message: `reading ${name} failed with an unexpected ${what}: check the Secret Manager endpoint and credentials` };
  }
  switch (status.status) {
    case "NOT_FOUND":
      return { kind: "missing", reason: "no such secret or version in Secret Manager", absent: true };
    case "FAILED_PRECONDITION": {
      // The API answers 400 FAILED_PRECONDITION "Secret Version [projects/…/versions/3] is in DISABLED state."
      const state = /versions\/([^\]\s/]+)\] is in (DISABLED|DESTROYED) state/.exec(status.text);
      if (state) return { kind: "missing", reason: `version ${state[1]} is ${state[2]!.toLowerCase()}` };
      return { kind: "invalid", message: `Secret Manager refused ${name} (FAILED_PRECONDITION): check the secret's state and replication` };
    }
    case "PERMISSION_DENIED":
      return { kind: "denied", message: `permission denied for ${name}: grant the caller roles/secretmanager.secretAccessor on the secret (Secret Manager also says this when the project does not exist)` };
    case "UNAUTHENTICATED":
      return { kind: "denied", message: `Secret Manager rejected the credentials used for ${name}: check Application Default Credentials or the key file` };
    default:
      if (TRANSIENT.has(status.status)) {
        return { kind: "unavailable", message: `Secret Manager was unavailable for ${name} (${status.status}, ${attempts} attempt(s)): retry later or raise the start-up deadline` };
      }
      return { kind: "invalid", message: `Secret Manager rejected the request for ${name} (${status.status}): check the ref` };
  }
}
