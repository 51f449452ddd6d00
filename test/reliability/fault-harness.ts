/**
 * One harness per provider for the fault matrix: starts the provider's wire-compatible test server,
 * seeds secrets, knows how that service shapes each fault on the wire, which request is "the secret
 * read" and which are its logins / token calls (each faulted on its own), how to count them, and the
 * LoadOptions (env + a fresh explicit provider) that load a one-field schema. Retry numbers are not
 * the provider's: every case runs with the one runtime policy, set through LoadOptions.retry.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import type { Fault, FaultQueue } from "../servers/faults.ts";
import type { Provider } from "../../src/providers/types.ts";
import vault from "../../src/providers/vault.ts";
import awsSm from "../../src/providers/aws-sm.ts";
import gcpSm from "../../src/providers/gcp-sm.ts";
import azureKv from "../../src/providers/azure-kv.ts";
import { startVaultServer } from "../servers/vault/server.ts";
import { startAwsServer } from "../servers/aws/server.ts";
import { googleErrorBody, startGcpServer } from "../servers/gcp/server.ts";
import { writeServiceAccountKey } from "../servers/gcp/service-account.ts";
import { createSelfSignedCertificate } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer } from "../servers/azure/server.ts";
import { secretValue, SENTINEL } from "../helpers/sentinels.ts";

export type ProviderName = "vault" | "aws-sm" | "gcp-sm" | "azure-kv";

export const FAULTS = [
  "latency", "hang", "reset", "500", "503", "429", "throttled", "malformed", "403", "404", "sealed/disabled",
] as const;
export type FaultName = (typeof FAULTS)[number];

/** Faults on logins and token calls: outages must be retried, refusals must not. */
export const AUTH_FAULTS = ["hang", "reset", "500", "503", "400", "401", "403"] as const;
export type AuthFaultName = (typeof AUTH_FAULTS)[number];

type Shape = { readonly fault: Fault; readonly note: string };

/** A login or token endpoint the provider calls before it can read. */
export interface AuthEndpoint {
  /** Row label, e.g. "AppRole login". */
  readonly name: string;
  readonly match: string | RegExp;
  /** Further narrows which requests get the fault (e.g. only unauthenticated ones). */
  readonly when?: (request: IncomingMessage) => boolean;
  /** Requests to this endpoint the server has seen so far. */
  requests(): number;
  /** The wire shape of `fault` here; undefined when it does not apply. */
  fault(fault: AuthFaultName): Shape | undefined;
  /** env + a fresh provider (so nothing is cached) that authenticates through this endpoint. */
  loadOptions(): { env: Record<string, string>; providers: Provider[] };
}

export interface Harness {
  readonly name: ProviderName;
  readonly faults: FaultQueue;
  /** The ref of secret `id` (already seeded by `seed`). */
  ref(id: string): string;
  seed(id: string): void;
  /** Matches the secret read request for `id` only. */
  match(id: string): string | RegExp;
  /** Secret-read requests for `id` the server has seen so far (faulted ones included). */
  reads(id: string): number;
  /** The wire shape of `fault` for this service; undefined when the service has no such thing. */
  fault(fault: FaultName): Shape | undefined;
  /** env + providers for loadSecrets; a fresh provider per call. */
  loadOptions(): { env: Record<string, string>; providers: Provider[] };
  /** Its logins and token calls; none for static credentials. */
  readonly auth: readonly AuthEndpoint[];
  /** Credentials and tokens that must never show in any output, besides the sentinel (which marks the others). */
  credentials(): string[];
  close(): Promise<void>;
}

const json = (value: unknown): string => JSON.stringify(value);
const status = (code: number, body: unknown, headers?: Record<string, string>): Fault => ({ kind: "status", status: code, body: json(body), ...(headers ? { headers } : {}) });
/** hang / reset, the same on every endpoint. */
const cutOff = (fault: AuthFaultName): Shape | undefined =>
  fault === "hang" ? { fault: { kind: "hang" }, note: "never answers" } : fault === "reset" ? { fault: { kind: "reset" }, note: "socket destroyed" } : undefined;

export async function startVaultHarness(dir: string): Promise<Harness> {
  const server = await startVaultServer();
  const secretId = secretValue("vault-approle-secret-id");
  const jwt = `eyJhbGciOiJSUzI1NiJ9.${SENTINEL}-k8s-service-account.sig`;
  const jwtPath = join(dir, "k8s-sa-token");
  writeFileSync(jwtPath, jwt);
  server.setPolicy("app", { "secret/data/fm/*": ["read"] });
  server.addAppRole("app", { roleId: "fm-role", secretIds: [secretId], policies: ["app"], ttl: 3600 });
  server.addKubernetesRole("app", { jwts: [jwt], policies: ["app"], ttl: 3600 });
  const env = { VAULT_ADDR: server.url, VAULT_ROLE_ID: "fm-role", VAULT_SECRET_ID: secretId };
  const k8sEnv = { VAULT_ADDR: server.url, VAULT_K8S_ROLE: "app", VAULT_K8S_TOKEN_PATH: jwtPath };
  const path = (id: string) => `/v1/secret/data/fm/${id}`;
  const vaultError = (code: number, message: string): Fault => status(code, { errors: [message] });
  const login = (mount: string, label: string, loginEnv: Record<string, string>): AuthEndpoint => ({
    name: label,
    match: `POST /v1/auth/${mount}/login `,
    requests: () => server.requests.filter((r) => r.method !== "GET" && r.path === `/v1/auth/${mount}/login`).length,
    fault(fault) {
      switch (fault) {
        case "500": return { fault: vaultError(500, "internal error"), note: "500 {errors}" };
        case "503": return { fault: vaultError(503, "Vault is sealed"), note: "503 sealed" };
        case "400": return { fault: vaultError(400, "invalid role or secret ID"), note: "400 invalid role or secret ID" };
        case "401": return { fault: vaultError(401, "unauthorized"), note: "401" };
        case "403": return { fault: vaultError(403, "permission denied"), note: "403 permission denied" };
        default: return cutOff(fault);
      }
    },
    loadOptions: () => ({ env: loginEnv, providers: [vault()] }),
  });
  return {
    name: "vault",
    faults: server.faults,
    auth: [login("approle", "AppRole login", env), login("kubernetes", "Kubernetes login", k8sEnv)],
    // Issued Vault tokens (hvs.…) are looked for by pattern in the matrix.
    credentials: () => [secretId, jwt],
    ref: (id) => `vault://fm/${id}#value`,
    seed: (id) => void server.putSecret("secret", `fm/${id}`, { value: secretValue(`vault-${id}`) }),
    // The line FaultQueue matches is `${method} ${url} ...`: the trailing space keeps fm/x from matching fm/xy.
    match: (id) => `GET ${path(id)} `,
    reads: (id) => server.requests.filter((r) => r.method === "GET" && r.path === path(id)).length,
    fault(fault) {
      switch (fault) {
        case "500": return { fault: vaultError(500, "internal error"), note: "500 {errors}" };
        case "503": return { fault: vaultError(503, "Vault is in standby mode"), note: "503 standby" };
        case "429": return { fault: vaultError(429, "request path rate limited"), note: "429 rate-limit quota" };
        case "throttled": return undefined; // Vault's throttling shape is the 429 above
        case "403": return { fault: vaultError(403, "1 error occurred:\n\t* permission denied\n\n"), note: "403 permission denied" };
        case "404": return { fault: { kind: "status", status: 404, body: json({ errors: [] }) }, note: "404 {errors: []}" };
        case "sealed/disabled": return { fault: vaultError(503, "Vault is sealed"), note: "503 Vault is sealed" };
        default: return commonFault(fault);
      }
    },
    loadOptions: () => ({ env, providers: [vault()] }),
    close: () => server.close(),
  };
}

export async function startAwsHarness(): Promise<Harness> {
  const server = await startAwsServer({ region: "eu-west-1" });
  const env = {
    AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
    AWS_ACCESS_KEY_ID: "AKIAFAULTMATRIX", AWS_SECRET_ACCESS_KEY: secretValue("aws-secret-access-key"),
  };
  const name = (id: string) => `fm-${id}`;
  const awsError = (status: number, type: string, message: string): Fault => ({
    kind: "status", status, body: json({ __type: type, message }),
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
  });
  return {
    name: "aws-sm",
    faults: server.faults,
    auth: [], // static access keys signing each request (SigV4): no login or token call to fault
    credentials: () => [env.AWS_SECRET_ACCESS_KEY],
    ref: (id) => `aws-sm://${name(id)}`,
    seed: (id) => void server.seed(name(id), secretValue(`aws-${id}`)),
    // Every AWS request is a secret read (no login); the JSON body names the secret, quoted.
    match: (id) => `"${name(id)}"`,
    reads: (id) => server.requests.filter((r) => JSON.stringify(r.body).includes(`"${name(id)}"`)).length,
    fault(fault) {
      switch (fault) {
        case "500": return { fault: awsError(500, "InternalServiceError", "An error occurred on the server side."), note: "500 InternalServiceError" };
        case "503": return { fault: awsError(503, "ServiceUnavailable", "Service unavailable."), note: "503 ServiceUnavailable" };
        case "429": return { fault: awsError(429, "TooManyRequestsException", "Too many requests."), note: "429" };
        case "throttled": return { fault: awsError(400, "ThrottlingException", "Rate exceeded"), note: "400 ThrottlingException" };
        case "403": return { fault: awsError(400, "AccessDeniedException", "User is not authorized to perform: secretsmanager:GetSecretValue"), note: "400 AccessDeniedException" };
        case "404": return { fault: awsError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."), note: "400 ResourceNotFoundException" };
        case "sealed/disabled":
          return {
            fault: awsError(400, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion."),
            note: "400 InvalidRequestException (marked for deletion)",
          };
        default: return commonFault(fault);
      }
    },
    loadOptions: () => ({ env, providers: [awsSm()] }),
    close: () => server.close(),
  };
}

export async function startGcpHarness(dir: string): Promise<Harness> {
  const keyFile = join(dir, "fault-matrix-sa.json");
  const { publicKey } = writeServiceAccountKey(keyFile, "p");
  const server = await startGcpServer({ projects: { p: 1 }, serviceAccountKeys: [publicKey] });
  const env = { GCP_PROJECT_ID: "p", GCP_SM_ENDPOINT: server.url, GOOGLE_APPLICATION_CREDENTIALS: keyFile };
  const name = (id: string) => `fm-${id}`;
  const googleFault = (code: number, status: string, message?: string): Fault => ({
    kind: "status", status: code, body: googleErrorBody(code, status, message),
    headers: { "content-type": "application/json; charset=UTF-8" },
  });
  return {
    name: "gcp-sm",
    faults: server.faults,
    // With a service-account key file the SDK signs its own JWT (self-signed JWT access): no token endpoint call.
    auth: [],
    // A line of the private key's body stands for the key.
    credentials: () => [(JSON.parse(readFileSync(keyFile, "utf8")) as { private_key: string }).private_key.split("\n")[1]!],
    ref: (id) => `gcp-sm://${name(id)}`,
    seed: (id) => void server.store.addVersion("p", name(id), secretValue(`gcp-${id}`)),
    match: (id) => `/secrets/${name(id)}/versions/`,
    reads: (id) => server.requests.filter((r) => r.name?.includes(`/secrets/${name(id)}/versions/`)).length,
    fault(fault) {
      switch (fault) {
        case "500": return { fault: googleFault(500, "INTERNAL"), note: "500 INTERNAL" };
        case "503": return { fault: googleFault(503, "UNAVAILABLE"), note: "503 UNAVAILABLE" };
        case "429": return { fault: { kind: "status", status: 429, body: "Too Many Requests", headers: { "content-type": "text/plain" } }, note: "429 (plain body)" };
        case "throttled": return { fault: googleFault(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Access requests'"), note: "429 RESOURCE_EXHAUSTED" };
        case "403": return { fault: googleFault(403, "PERMISSION_DENIED", "Permission 'secretmanager.versions.access' denied"), note: "403 PERMISSION_DENIED" };
        case "404": return { fault: googleFault(404, "NOT_FOUND", "Secret not found or has no versions."), note: "404 NOT_FOUND" };
        case "sealed/disabled":
          return {
            fault: googleFault(400, "FAILED_PRECONDITION", `Secret Version [projects/1/secrets/fm-x/versions/1] is in DISABLED state.`),
            note: "400 FAILED_PRECONDITION (version DISABLED)",
          };
        default: return commonFault(fault);
      }
    },
    loadOptions: () => ({ env, providers: [gcpSm()] }),
    close: () => server.close(),
  };
}

export async function startAzureHarness(): Promise<Harness> {
  const certificate = createSelfSignedCertificate();
  const clientSecret = secretValue("azure-client-secret");
  const server = await startAzureKeyVaultServer({ certificate, clientSecret });
  const env = {
    AZURE_TENANT_ID: server.tenantId, AZURE_CLIENT_ID: server.clientId, AZURE_CLIENT_SECRET: clientSecret, AZURE_AUTHORITY_HOST: server.authorityHost,
  };
  const name = (id: string) => `fm-${id}`;
  const pathOf = (id: string) => new RegExp(`^/secrets/${name(id)}(/|$)`);
  const provider = () => azureKv({ vaultUrls: { "my-vault": server.url }, ca: certificate.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true });
  const oauthError = (code: number, error: string, description: string): Fault => status(code, { error, error_description: description, error_codes: [0] });
  const challengeId = "auth-challenge";
  const azureError = (status: number, code: string, message: string, inner?: string): Fault => ({
    kind: "status", status, body: json({ error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } }),
  });
  return {
    name: "azure-kv",
    faults: server.faults,
    auth: [
      {
        name: "token endpoint (client credentials)",
        match: "/oauth2/v2.0/token",
        requests: () => server.requests.filter((r) => r.kind === "token").length,
        fault(fault) {
          switch (fault) {
            case "500": return { fault: oauthError(500, "server_error", "AADSTS90033: A transient error has occurred."), note: "500 server_error" };
            case "503": return { fault: oauthError(503, "temporarily_unavailable", "AADSTS50196: retry later"), note: "503 temporarily_unavailable" };
            case "400": return { fault: oauthError(400, "invalid_request", "AADSTS900144: missing client_id"), note: "400 invalid_request" };
            case "401": return { fault: oauthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided."), note: "401 invalid_client" };
            case "403": return { fault: oauthError(403, "access_denied", "AADSTS50105: not assigned"), note: "403 access_denied" };
            default: return cutOff(fault);
          }
        },
        loadOptions: () => ({ env, providers: [provider()] }),
      },
      {
        name: "bearer challenge (first, unauthenticated request)",
        match: new RegExp(`^GET /secrets/${name(challengeId)}[/?]`),
        when: (request) => request.headers.authorization === undefined,
        requests: () => server.requests.filter((r) => r.kind === "secret" && pathOf(challengeId).test(r.path) && !r.authorized).length,
        fault(fault) {
          switch (fault) {
            case "500": return { fault: status(500, { error: { code: "InternalServerError", message: "x" } }), note: "500 instead of the challenge" };
            case "503": return { fault: status(503, { error: { code: "ServiceUnavailable", message: "x" } }), note: "503 instead of the challenge" };
            case "401": return { fault: status(401, { error: { code: "Unauthorized", message: "no challenge" } }), note: "401 without WWW-Authenticate" };
            case "403": return { fault: status(403, { error: { code: "Forbidden", message: "x" } }), note: "403 instead of the challenge" };
            case "400": return undefined; // not an answer Key Vault gives an unauthenticated GET
            default: return cutOff(fault);
          }
        },
        loadOptions: () => ({ env, providers: [provider()] }),
      },
    ],
    credentials: () => [clientSecret, ...server.issuedTokens],
    ref: (id) => `azure-kv://my-vault/${name(id)}`,
    seed: (id) => void server.setSecret(name(id), secretValue(`azure-${id}`)),
    // Faults hit every request to the secret's path, the SDK's first (challenge) request included,
    // so no token is ever fetched for it: each request counted is one SDK attempt.
    match: (id) => new RegExp(`^GET /secrets/${name(id)}[/?]`),
    reads: (id) => server.requests.filter((r) => r.kind === "secret" && pathOf(id).test(r.path)).length,
    fault(fault) {
      switch (fault) {
        case "500": return { fault: azureError(500, "InternalServerError", "Internal error"), note: "500 InternalServerError" };
        case "503": return { fault: azureError(503, "ServiceUnavailable", "Service unavailable"), note: "503 (no Retry-After)" };
        case "429": return { fault: azureError(429, "Throttled", "Request was not processed because too many requests were received."), note: "429 (no Retry-After)" };
        case "throttled":
          return {
            fault: { ...(azureError(429, "Throttled", "Request was not processed because too many requests were received.") as Extract<Fault, { kind: "status" }>), headers: { "retry-after": "0" } },
            note: "429 Throttled + Retry-After: 0",
          };
        case "403": return { fault: azureError(403, "Forbidden", "Caller is not authorized to perform action on resource.", "ForbiddenByRbac"), note: "403 ForbiddenByRbac" };
        case "404": return { fault: azureError(404, "SecretNotFound", "A secret with (name/id) fm was not found in this key vault."), note: "404 SecretNotFound" };
        case "sealed/disabled":
          return { fault: azureError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled"), note: "403 SecretDisabled" };
        default: return commonFault(fault);
      }
    },
    loadOptions: () => ({ env, providers: [provider()] }),
    close: () => server.close(),
  };
}

/** Faults whose wire shape is the same for every service. */
function commonFault(fault: FaultName): { readonly fault: Fault; readonly note: string } | undefined {
  switch (fault) {
    case "latency": return { fault: { kind: "latency", ms: LATENCY_MS }, note: `+${LATENCY_MS} ms` };
    case "hang": return { fault: { kind: "hang" }, note: "never answers" };
    case "reset": return { fault: { kind: "reset" }, note: "socket destroyed" };
    case "malformed": return { fault: { kind: "malformed", body: "{not json" }, note: "200 `{not json`" };
    default: return undefined;
  }
}

/** Latency injected on every read: beyond the per-request timeout the cases set, and beyond the start-up deadline. */
export const LATENCY_MS = 2_000;
