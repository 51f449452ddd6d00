/**
 * One harness per provider for the fault matrix: starts the provider's wire-compatible test server,
 * seeds secrets, knows how that service shapes each fault on the wire, which request is "the secret
 * read" (so faults never hit logins, mount discovery or token calls), how to count those reads,
 * and the LoadOptions (env + an explicit provider with small retry delays) that load a one-field schema.
 */
import { join } from "node:path";
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
import { secretValue } from "../helpers/sentinels.ts";

export type ProviderName = "vault" | "aws-sm" | "gcp-sm" | "azure-kv";

export const FAULTS = [
  "latency", "hang", "reset", "500", "503", "429", "throttled", "malformed", "403", "404", "sealed/disabled",
] as const;
export type FaultName = (typeof FAULTS)[number];

/** Options for one case: a per-request timeout only where the provider has one and the case wants it. */
export interface CaseOptions {
  readonly requestTimeoutMs?: number;
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
  fault(fault: FaultName): { readonly fault: Fault; readonly note: string } | undefined;
  /** Whether the provider has a per-request timeout of its own (else latency is beyond the deadline). */
  readonly hasRequestTimeout: boolean;
  /** env + providers for loadSecrets; a fresh provider per call. */
  loadOptions(options?: CaseOptions): { env: Record<string, string>; providers: Provider[] };
  close(): Promise<void>;
}

/** Small first back-offs so a bounded retry fits well inside the 1.5 s start-up deadline. */
const BASE_DELAY_MS = 10;
const json = (value: unknown): string => JSON.stringify(value);

export async function startVaultHarness(): Promise<Harness> {
  const server = await startVaultServer();
  const secretId = secretValue("vault-approle-secret-id");
  server.setPolicy("app", { "secret/data/fm/*": ["read"] });
  server.addAppRole("app", { roleId: "fm-role", secretIds: [secretId], policies: ["app"], ttl: 3600 });
  const env = { VAULT_ADDR: server.url, VAULT_ROLE_ID: "fm-role", VAULT_SECRET_ID: secretId };
  const path = (id: string) => `/v1/secret/data/fm/${id}`;
  const vaultError = (status: number, message: string): Fault => ({ kind: "status", status, body: json({ errors: [message] }) });
  return {
    name: "vault",
    faults: server.faults,
    hasRequestTimeout: true,
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
    loadOptions: (options = {}) => ({
      env,
      providers: [vault({ retry: { baseDelayMs: BASE_DELAY_MS }, ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}) })],
    }),
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
    hasRequestTimeout: false,
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
    loadOptions: () => ({ env, providers: [awsSm({ retryBaseDelayMs: BASE_DELAY_MS })] }),
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
    hasRequestTimeout: true,
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
    loadOptions: (options = {}) => ({
      env,
      providers: [gcpSm({ baseDelayMs: BASE_DELAY_MS, ...(options.requestTimeoutMs ? { attemptTimeoutMs: options.requestTimeoutMs } : {}) })],
    }),
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
  const azureError = (status: number, code: string, message: string, inner?: string): Fault => ({
    kind: "status", status, body: json({ error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } }),
  });
  return {
    name: "azure-kv",
    faults: server.faults,
    hasRequestTimeout: false,
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
    loadOptions: () => ({
      env,
      providers: [azureKv({
        vaultUrls: { "my-vault": server.url }, ca: certificate.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true,
        retry: { retryDelayInMs: BASE_DELAY_MS, maxRetryDelayInMs: 4 * BASE_DELAY_MS },
      })],
    }),
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
