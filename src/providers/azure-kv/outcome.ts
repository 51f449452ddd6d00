/**
 * Key Vault answers → Outcomes. Messages are built from status codes, error codes and names only:
 * SDK errors can carry request and response details, so neither their messages nor the errors
 * themselves (as `cause`) are passed on.
 */
import { UnreadableAnswerError } from "../capped-answer.ts";
import { RequestTimeoutError } from "../../runtime/policy.ts";
import { errorName } from "../../runtime/errors.ts";
import type { Outcome } from "../types.ts";
import type { SecretTarget } from "./refs.ts";

/** The parts of a KeyVaultSecret this provider reads. */
export interface SecretBundle {
  readonly value?: string;
  readonly properties: {
    readonly version?: string;
    readonly enabled?: boolean;
    readonly expiresOn?: Date;
    readonly notBefore?: Date;
  };
}

/** Outcome for a fetched secret before any `#key` is applied; `now` is injectable for tests. */
export function outcomeOfBundle(bundle: SecretBundle, target: SecretTarget, now = Date.now()): Outcome {
  const { enabled, expiresOn, notBefore, version } = bundle.properties;
  const which = describe(target);
  if (enabled === false) return { status: "missing", reason: `${which} is disabled` };
  if (expiresOn && expiresOn.getTime() <= now) {
    return { status: "missing", reason: `${which} expired at ${expiresOn.toISOString()} (exp)` };
  }
  if (notBefore && notBefore.getTime() > now) {
    return { status: "missing", reason: `${which} is not valid before ${notBefore.toISOString()} (nbf)` };
  }
  if (typeof bundle.value !== "string") {
    return { status: "error", kind: "invalid", message: `${which}: Key Vault answered without a value` };
  }
  // Key Vault has no lease; the expiry is the longest a value may be cached.
  const ttlSeconds = expiresOn ? Math.floor((expiresOn.getTime() - now) / 1000) : undefined;
  return {
    status: "found",
    value: bundle.value,
    ...(version ? { version } : {}),
    ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
  };
}

/** Pick `key` from a found JSON object secret; key names (never values) may be listed. */
export function pickKey(outcome: Outcome, key: string | undefined, raw: string): Outcome {
  if (outcome.status !== "found" || key === undefined) return outcome;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(outcome.value));
  } catch {
    return { status: "error", kind: "invalid", message: `ref "${raw}" asks for key "${key}" but the secret is not JSON: drop #${key} or store a JSON object` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { status: "error", kind: "invalid", message: `ref "${raw}" asks for key "${key}" but the secret is not a JSON object` };
  }
  const record = parsed as Record<string, unknown>;
  if (!Object.hasOwn(record, key)) {
    const names = Object.keys(record).slice(0, 20).join(", ");
    return { status: "error", kind: "invalid", message: `ref "${raw}": the JSON secret has no key "${key}" (keys: ${names || "none"})` };
  }
  const value = record[key];
  if (value === null || value === undefined) return { status: "missing", reason: `key "${key}" is null` };
  return { ...outcome, value: typeof value === "string" ? value : JSON.stringify(value) };
}

export function describe(target: SecretTarget): string {
  const host = new URL(target.vaultUrl).host;
  return `secret "${target.name}"${target.version ? ` version ${target.version}` : ""} in vault ${host}`;
}

interface ErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly details?: { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } };
  readonly errorResponse?: { error?: string };
  readonly message?: string;
}

const NETWORK_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ESOCKETTIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH",
  "ENETUNREACH", "REQUEST_SEND_ERROR", "UND_ERR_SOCKET",
]);
const OAUTH_REFUSALS = new Set([
  "invalid_client", "unauthorized_client", "invalid_grant", "invalid_request", "invalid_scope", "access_denied",
  "unsupported_grant_type", "invalid_resource",
]);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/;
const isAuthError = (e: ErrorShape): boolean => e.name === "AuthenticationError" || e.name === "AuthenticationRequiredError";

/**
 * Why Microsoft Entra ID refused a token request — " (invalid_client)", " (401)" — or undefined when
 * it did not answer usefully (5xx, 429, network), which is worth another attempt.
 * @azure/identity 4.x wraps most token failures in AuthenticationRequiredError whose message
 * starts with the OAuth error code; AuthenticationError carries the status and the code.
 */
function tokenRefusal(e: ErrorShape): string | undefined {
  const oauth = e.errorResponse?.error ?? /^([a-z_]{3,40}):/.exec(e.message ?? "")?.[1] ?? "";
  const status = e.statusCode ?? 0;
  if (OAUTH_REFUSALS.has(oauth)) return ` (${oauth})`;
  return status >= 400 && status < 500 && status !== 429 ? ` (${status})` : undefined;
}

/** Worth another attempt: network trouble, or 408/429/5xx from the vault (its challenge included) or the token endpoint. */
export function isTransient(error: unknown): boolean {
  const e = (error ?? {}) as ErrorShape;
  if (isAuthError(e)) return tokenRefusal(e) === undefined;
  if (e.name === "RestError" && e.statusCode !== undefined) return e.statusCode === 408 || e.statusCode === 429 || e.statusCode >= 500;
  return NETWORK_CODES.has(e.code ?? "");
}

/** The wait a 429/503 asks for in Retry-After (seconds or an HTTP date), if any. */
export function retryAfterMs(error: unknown): number | undefined {
  const header = (error as { response?: { headers?: { get?(name: string): string | undefined } } })?.response?.headers?.get?.("retry-after");
  if (!header) return undefined;
  const ms = /^\d+$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Classify an error thrown while reading `target` (vault call or token acquisition). */
export function outcomeOfError(error: unknown, target: SecretTarget, aborted: boolean, credential = "the credential"): Outcome {
  const e = (error ?? {}) as ErrorShape;
  const which = describe(target);
  const fail = (kind: "denied" | "unavailable" | "invalid", what: string): Outcome => ({
    status: "error", kind, message: `${which}: ${what}`,
  });
  if (aborted || e.name === "AbortError") {
    return fail("unavailable", "no answer before the start-up deadline; check the network path to the vault or raise the deadline");
  }
  if (e.name === "CredentialUnavailableError" || e.name === "AggregateAuthenticationError") {
    return fail(
      "denied",
      "no Azure credential is available: set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, " +
        "use workload or managed identity, or pass the credential option",
    );
  }
  if (error instanceof RequestTimeoutError) {
    return fail("unavailable", `${error.message} (last attempt); check the network path to the vault and the token endpoint, or raise the retry requestTimeoutMs option`);
  }
  if (isAuthError(e)) {
    const code = tokenRefusal(e);
    if (code !== undefined) {
      return fail(
        "denied",
        `Microsoft Entra ID refused ${credential}${code}; check the tenant, client id and secret, certificate or federated token`,
      );
    }
    return fail("unavailable", `no access token for ${credential} from the Microsoft Entra token endpoint; retry later or check the authority host`);
  }
  if (e.name === "RestError" && e.code === "PARSE_ERROR") return fail("invalid", "the vault's answer is not valid JSON");
  if (error instanceof UnreadableAnswerError) {
    return fail("invalid", error.reason === "too-large"
      ? "the vault sent an answer over the size limit, so reading it was stopped; check the vault URL, or raise maxAnswerBytes"
      : "the vault sent an answer that is not UTF-8 text; check the vault URL");
  }
  if (e.name === "RestError" && e.statusCode !== undefined) {
    const code = e.details?.error?.code ?? e.code ?? "";
    const inner = e.details?.error?.innerError?.code ?? e.details?.error?.innererror?.code ?? "";
    const status = e.statusCode;
    const codeText = /^[A-Za-z]{1,40}$/.test(code) ? ` ${code}` : "";
    if (status === 404 && code === "SecretNotFound") return { status: "missing", reason: `${which} not found`, absent: true };
    if (status === 403 && inner === "SecretDisabled") return { status: "missing", reason: `${which} is disabled` };
    if (status === 401 || status === 403) {
      return fail(
        "denied",
        `the vault refused access (${status}${codeText}); ` +
          `grant the identity the "Key Vault Secrets User" role (or a get-secrets access policy)`,
      );
    }
    if (status === 429 || status === 408 || status >= 500) {
      return fail("unavailable", `the vault answered ${status}${codeText} on its last attempt; retry later`);
    }
    return fail("invalid", `the vault answered ${status}${codeText}; check the vault URL and the secret name`);
  }
  const code = /^[A-Z_]{1,60}$/.test(e.code ?? "") ? e.code! : "";
  if (TLS_CODE.test(code)) {
    return fail("unavailable", `TLS verification failed (${code}); trust the vault's certificate authority with the ca option`);
  }
  if (NETWORK_CODES.has(code)) return fail("unavailable", `the vault could not be reached (${code})`);
  if (/challenge resource .* does not match/.test(e.message ?? "")) {
    return fail(
      "invalid",
      "the vault's auth challenge names a resource that does not match its host; " +
        "for a vault behind a custom host name set disableChallengeResourceVerification",
    );
  }
  return fail("unavailable", `unexpected ${errorName(e)}${code ? ` (${code})` : ""} from the Azure SDK`);
}
