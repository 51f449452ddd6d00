/**
 * Maps SDK errors and BatchGetSecretValue `Errors` entries to Outcomes. Messages are built from the
 * error name, HTTP status and request id only: SDK messages can echo request details, so none is passed on.
 */
import { ProviderWriteError, type Outcome, type ProviderErrorKind } from "../types.ts";

const DENIED = new Set([
  "AccessDeniedException", "AccessDenied", "DecryptionFailure", "KMSAccessDeniedException", "KMSDisabledException",
  "KMSInvalidStateException", "KMSNotFoundException", "UnrecognizedClientException", "InvalidClientTokenId",
  "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException", "ExpiredToken", "IncompleteSignature",
  "IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException", "CredentialsProviderError",
]);
const TRANSIENT = new Set([
  "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "InternalServiceError",
  "InternalFailure", "InternalServiceFailure", "ServiceUnavailable", "ServiceUnavailableException", "TimeoutError",
  "RequestTimeout", "RequestTimeoutException", "RequestTimeoutError", "AbortError",
]);
const NETWORK_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH",
  "ENETUNREACH", "UND_ERR_SOCKET",
]);
/** A whole-batch failure after which asking secret by secret still makes sense. */
const BATCH_FALLBACK = new Set(["AccessDeniedException", "UnknownOperationException", "InvalidAction"]);
const PER_SECRET_RETRY = new Set(["InvalidParameterException", "InvalidRequestException", "ValidationException"]);
/** Error names we repeat in messages; any other name comes from the server and is not echoed. */
const KNOWN = new Set([
  ...DENIED, ...TRANSIENT, ...BATCH_FALLBACK, ...PER_SECRET_RETRY, "ResourceNotFoundException", "SerializationException",
  "InvalidNextTokenException", "SyntaxError", "AnswerTooLargeError", "AnswerNotUtf8Error", "SecretsManagerServiceException", "UnknownError", "Error",
]);

interface ErrorFacts {
  readonly name: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly code?: string;
}

/** Value-free facts about an SDK error: its name only when it is one we know, never its message. */
function facts(error: unknown): ErrorFacts {
  const e = (error ?? {}) as {
    name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown }; cause?: { code?: unknown };
  };
  const known = (v: unknown): string | undefined => (typeof v === "string" && KNOWN.has(v.replace(/^.*#/, "")) ? v.replace(/^.*#/, "") : undefined);
  const errno = (v: unknown): string | undefined => (typeof v === "string" && NETWORK_CODES.has(v) ? v : undefined);
  const status = e.$metadata?.httpStatusCode;
  // Request ids are UUID-like; anything else is not repeated.
  const id = e.$metadata?.requestId;
  const requestId = typeof id === "string" && /^[0-9a-fA-F-]{8,64}$/.test(id) ? id : undefined;
  const code = errno(e.code) ?? errno(e.cause?.code);
  return {
    name: known(e.name) ?? "UnrecognisedError",
    ...(typeof status === "number" ? { status } : {}),
    ...(requestId ? { requestId } : {}),
    ...(code ? { code } : {}),
  };
}

function kindOf(f: ErrorFacts): ProviderErrorKind | "missing" {
  if (f.name === "ResourceNotFoundException") return "missing";
  if (DENIED.has(f.name) || f.status === 401 || f.status === 403) return "denied";
  if (TRANSIENT.has(f.name) || (f.code && NETWORK_CODES.has(f.code)) || f.status === 429 || (f.status ?? 0) >= 500) {
    return "unavailable";
  }
  return "invalid";
}

/** Throttling, 5xx, 429, timeouts and network failures: worth another attempt. */
export function isTransient(error: unknown): boolean {
  const f = facts(error);
  return kindOf(f) === "unavailable" && f.name !== "AbortError";
}

export function allowsBatchFallback(error: unknown): boolean {
  return BATCH_FALLBACK.has(facts(error).name);
}

export function allowsPerSecretRetry(error: unknown): boolean {
  return PER_SECRET_RETRY.has(facts(error).name);
}

export function isBatchDenied(error: unknown): boolean {
  return facts(error).name === "AccessDeniedException";
}

function label(f: ErrorFacts): string {
  const parts = [f.name === "Error" && f.code ? f.code : f.name];
  if (f.status !== undefined) parts.push(`HTTP ${f.status}`);
  if (f.requestId) parts.push(`request id ${f.requestId}`);
  return parts.join(", ");
}

function hint(f: ErrorFacts, kind: ProviderErrorKind, permission = "secretsmanager:GetSecretValue"): string {
  if (f.name === "DecryptionFailure" || f.name.startsWith("KMS")) {
    return "the secret could not be decrypted with its KMS key: grant kms:Decrypt on that key to the caller";
  }
  if (f.name === "CredentialsProviderError") {
    return "no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or give the process a role";
  }
  if (kind === "denied" && f.name !== "AccessDeniedException" && f.name !== "AccessDenied" && f.status !== 403) {
    return "AWS rejected the credentials: check AWS_ACCESS_KEY_ID / AWS_PROFILE / the instance or task role";
  }
  if (kind === "denied") return `access denied: grant ${permission} on the secret to the caller`;
  if (f.name === "AnswerTooLargeError") return "AWS Secrets Manager sent an answer over the size limit, so reading it was stopped: check the endpoint, or raise maxAnswerBytes";
  if (f.name === "AnswerNotUtf8Error") return "AWS Secrets Manager sent an answer that is not UTF-8 text: check the endpoint";
  if (f.name === "AbortError") return "the start-up deadline passed before AWS Secrets Manager answered";
  if (kind === "unavailable" && (f.code || f.name.includes("Timeout"))) {
    return "could not reach AWS Secrets Manager: check the network and endpoint, or raise the deadline";
  }
  if (kind === "unavailable") return "AWS Secrets Manager is unavailable or throttling: retry later or raise the deadline";
  if (f.name === "InvalidRequestException") {
    return "AWS refused the request in the secret's current state (for example, it is scheduled for deletion)";
  }
  if (f.name === "SyntaxError" || (f.status !== undefined && f.status < 300)) {
    return "AWS Secrets Manager sent a malformed answer: check the endpoint";
  }
  return "AWS rejected the request: check the ref (secret name or ARN, versionStage, versionId)";
}

/** The Outcome a ref gets when reading its secret threw `error` (after any retries). */
export function outcomeForError(error: unknown, raw: string, pinned: boolean): Outcome {
  if (error instanceof Error && /Region is missing/i.test(error.message)) {
    return { status: "error", kind: "invalid", message: `aws-sm ref "${raw}": no AWS region is configured; set AWS_REGION or the region option` };
  }
  const f = facts(error);
  const kind = kindOf(f);
  if (kind === "missing") {
    return { status: "missing", reason: pinned ? "no such secret, or no version with that stage / id" : "no such secret" };
  }
  return { status: "error", kind, message: `aws-sm ref "${raw}": ${hint(f, kind)} (${label(f)})` };
}

export function isNotFound(error: unknown): boolean {
  return facts(error).name === "ResourceNotFoundException";
}

/** The error a write throws when `call` (e.g. "PutSecretValue") on the secret `id` failed. */
export function writeError(error: unknown, raw: string, id: string, call: string): ProviderWriteError {
  const f = facts(error);
  const found = kindOf(f);
  const kind = found === "missing" ? "invalid" : found;
  return new ProviderWriteError(kind, `aws-sm ref "${raw}": ${call} on ${id} failed: ${hint(f, kind, `secretsmanager:${call}`)} (${label(f)})`);
}

/** The Outcome for an `Errors` entry of a BatchGetSecretValue response. */
export function outcomeForBatchEntry(errorCode: string | undefined, raw: string): Outcome {
  return outcomeForError({ name: errorCode ?? "Error" }, raw, false);
}
