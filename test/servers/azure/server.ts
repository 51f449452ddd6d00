/**
 * A local Azure Key Vault (secrets data plane) plus a Microsoft Entra ID token endpoint, over HTTPS,
 * speaking the wire protocol the real SDKs use:
 * - vault: `GET /secrets/{name}/{version}?api-version=...` with the bearer challenge flow (401 +
 *   `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`),
 *   `{ value, id, attributes }` bundles, `{ error: { code, message, innererror } }` errors; and
 *   `PUT /secrets/{name}?api-version=...` with `{ value }` (set-secret: a new version, creating the secret);
 * - identity: `GET /{tenant}/v2.0/.well-known/openid-configuration` (MSAL discovery with a custom authority),
 *   `POST /{tenant}/oauth2/v2.0/token` (client credentials: client secret, federated assertion or a JWT
 *   signed with the app's certificate), and
 *   `GET /msi/token` (App Service managed identity, when `identityHeader` is set).
 * Shapes follow learn.microsoft.com/rest/api/keyvault/secrets/get-secret and the Entra v2 token endpoint.
 */
import { constants, createPublicKey, randomBytes, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { applyFault, FaultQueue } from "../faults.ts";
import { listenOnLoopback } from "../listen.ts";
import { createSelfSignedCertificate, type TestCertificate } from "./cert.ts";

export interface AzureSecretAttributes {
  readonly enabled?: boolean;
  /** Expiry / not-before, as Date or epoch seconds (Key Vault's IntDate). */
  readonly exp?: Date | number;
  readonly nbf?: Date | number;
  readonly contentType?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AzureServerOptions {
  readonly tenantId?: string;
  readonly clientId?: string;
  /** Accepted client secret for the client-credentials grant. */
  readonly clientSecret?: string;
  /** Accepted client assertion (workload identity's federated token), if any. */
  readonly clientAssertion?: string;
  /** PEM certificate of the app: client assertions (JWTs) signed by its key are accepted. */
  readonly clientCertificate?: string;
  /** The challenge's `resource`; Key Vault's public cloud value by default. */
  readonly resource?: string;
  /** Issued tokens contain this marker so leak tests can look for them. */
  readonly tokenMarker?: string;
  /** Reuse one certificate across several servers. */
  readonly certificate?: TestCertificate;
  /** Serve an App Service managed-identity endpoint (`GET /msi/token`) requiring this X-IDENTITY-HEADER. */
  readonly identityHeader?: string;
  /** Share issued tokens with other servers: one Entra tenant, several vaults. */
  readonly tokens?: Set<string>;
}

export interface AzureRequestRecord {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly kind: "secret" | "token" | "discovery" | "other";
  authorized: boolean;
  status?: number;
}

interface StoredVersion extends AzureSecretAttributes {
  readonly version: string;
  readonly value: string;
  readonly created: number;
}

const now = (): number => Math.floor(Date.now() / 1000);
const intDate = (date: Date | number | undefined): number | undefined =>
  date === undefined ? undefined : typeof date === "number" ? date : Math.floor(date.getTime() / 1000);

export async function startAzureKeyVaultServer(options: AzureServerOptions = {}) {
  const tenantId = options.tenantId ?? "00000000-0000-4000-8000-0000000000aa";
  const clientId = options.clientId ?? "00000000-0000-4000-8000-0000000000cc";
  const resource = options.resource ?? "https://vault.azure.net";
  const certificate = options.certificate ?? createSelfSignedCertificate();
  const faults = new FaultQueue();
  const requests: AzureRequestRecord[] = [];
  const secrets = new Map<string, StoredVersion[]>();
  const deniedNames = new Set<string>();
  const issuedTokens = options.tokens ?? new Set<string>();
  const load = { inFlight: 0, maxInFlight: 0 };
  const managedIdentityClientIds: string[] = [];
  let base = "";

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(JSON.stringify(body));
  };
  const vaultError = (response: ServerResponse, status: number, code: string, message: string, inner?: string): void =>
    send(response, status, { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } });
  const challenge = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${resource}"`;

  function bundle(name: string, stored: StoredVersion) {
    return {
      value: stored.value,
      id: `${base}/secrets/${name}/${stored.version}`,
      ...(stored.contentType ? { contentType: stored.contentType } : {}),
      attributes: {
        enabled: stored.enabled ?? true,
        ...(stored.nbf !== undefined ? { nbf: intDate(stored.nbf) } : {}),
        ...(stored.exp !== undefined ? { exp: intDate(stored.exp) } : {}),
        created: stored.created,
        updated: stored.created,
        recoveryLevel: "Recoverable+Purgeable",
        recoverableDays: 90,
      },
      ...(stored.tags ? { tags: stored.tags } : {}),
    };
  }

  function handleSecret(request: IncomingMessage, response: ServerResponse, url: URL, record: AzureRequestRecord, body: string): void {
    const auth = request.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ")) {
      response.setHeader("www-authenticate", challenge);
      return vaultError(response, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
    }
    if (!issuedTokens.has(auth.slice("Bearer ".length))) {
      response.setHeader("www-authenticate", challenge);
      return vaultError(response, 401, "Unauthorized", "AKV10032: Invalid issuer.");
    }
    record.authorized = true;
    if (!url.searchParams.get("api-version")) {
      return vaultError(response, 400, "BadParameter", "The request URI contains an invalid API version");
    }
    const [, , name = "", version = ""] = url.pathname.split("/").map(decodeURIComponent);
    const put = request.method === "PUT" && !version;
    if (request.method !== "GET" && !put) return vaultError(response, 405, "MethodNotAllowed", "Only get and set are served here.");
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) {
      return vaultError(response, 400, "BadParameter", "The request URI contains an invalid name: " + name);
    }
    if (deniedNames.has(name)) {
      return vaultError(
        response, 403, "Forbidden",
        `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/${put ? "setSecret" : "getSecret"}/action'`,
        "ForbiddenByRbac",
      );
    }
    if (put) return setSecretFromRequest(response, name, body);
    const versions = secrets.get(name);
    const stored = version ? versions?.find((v) => v.version === version) : versions?.at(-1);
    if (!stored) {
      const id = version ? `${name}/${version}` : name;
      return vaultError(response, 404, "SecretNotFound", `A secret with (name/id) ${id} was not found in this key vault.`);
    }
    if (stored.enabled === false) {
      return vaultError(response, 403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
    }
    send(response, 200, bundle(name, stored));
  }

  /** Set Secret (learn.microsoft.com/rest/api/keyvault/secrets/set-secret): the body's value becomes the latest version. */
  function setSecretFromRequest(response: ServerResponse, name: string, body: string): void {
    let parameters: { value?: unknown; contentType?: unknown; tags?: unknown };
    try {
      parameters = JSON.parse(body) as typeof parameters;
    } catch {
      return vaultError(response, 400, "BadParameter", "The request body is not valid JSON.");
    }
    if (typeof parameters.value !== "string") return vaultError(response, 400, "BadParameter", "Property value is required.");
    const attributes = {
      ...(typeof parameters.contentType === "string" ? { contentType: parameters.contentType } : {}),
      ...(parameters.tags && typeof parameters.tags === "object" ? { tags: parameters.tags as Record<string, string> } : {}),
    };
    addVersion(name, parameters.value, attributes);
    send(response, 200, bundle(name, secrets.get(name)!.at(-1)!));
  }

  function addVersion(name: string, value: string, attributes: AzureSecretAttributes): string {
    const version = randomBytes(16).toString("hex");
    const list = secrets.get(name) ?? [];
    list.push({ ...attributes, version, value, created: now() });
    secrets.set(name, list);
    return version;
  }

  function openIdConfiguration(tenant: string) {
    const authority = `${base}/${tenant}`;
    return {
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${authority}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
    };
  }

  /** A certificate credential's assertion: a JWT signed with the app certificate's key, for this endpoint. */
  function validSignedAssertion(jwt: string, tokenEndpoint: string): boolean {
    if (!options.clientCertificate) return false;
    const [head = "", claims = "", signature = ""] = jwt.split(".");
    try {
      const header = JSON.parse(Buffer.from(head, "base64url").toString()) as { alg?: string };
      const payload = JSON.parse(Buffer.from(claims, "base64url").toString()) as Record<string, unknown>;
      const key = createPublicKey(options.clientCertificate);
      const data = Buffer.from(`${head}.${claims}`);
      const sig = Buffer.from(signature, "base64url");
      const signed =
        header.alg === "PS256" ? verify("sha256", data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)
        : header.alg === "RS256" ? verify("sha256", data, key, sig)
        : false;
      return signed && payload.aud === tokenEndpoint && payload.iss === clientId && payload.sub === clientId
        && typeof payload.exp === "number" && payload.exp > now();
    } catch {
      return false;
    }
  }

  function handleToken(response: ServerResponse, tenant: string, body: string): void {
    const form = new URLSearchParams(body);
    const oauthError = (status: number, error: string, description: string, code: number): void =>
      send(response, status, { error, error_description: `AADSTS${code}: ${description}`, error_codes: [code] });
    if (tenant !== tenantId) return oauthError(400, "invalid_request", `Tenant '${tenant}' not found.`, 90002);
    if (form.get("grant_type") !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "Only client_credentials is served here.", 70003);
    }
    if (form.get("client_id") !== clientId) {
      return oauthError(400, "unauthorized_client", "Application was not found in the directory.", 700016);
    }
    const secretOk = options.clientSecret !== undefined && form.get("client_secret") === options.clientSecret;
    const assertion = form.get("client_assertion") ?? "";
    const assertionOk =
      (options.clientAssertion !== undefined && assertion === options.clientAssertion) ||
      validSignedAssertion(assertion, `${base}/${tenant}/oauth2/v2.0/token`);
    if (!secretOk && !assertionOk) return oauthError(401, "invalid_client", "Invalid client secret provided.", 7000215);
    const scopes = (form.get("scope") ?? "").split(" ");
    if (!scopes.includes(`${resource}/.default`)) {
      return oauthError(400, "invalid_scope", "The provided value for scope is not valid.", 70011);
    }
    const token = `${options.tokenMarker ?? "s3cr3t-sentinel-token"}-${randomBytes(12).toString("hex")}`;
    issuedTokens.add(token);
    send(response, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token });
  }

  /** Managed identity, App Service flavour (learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference). */
  function handleManagedIdentity(request: IncomingMessage, response: ServerResponse, url: URL): void {
    if (!options.identityHeader || request.headers["x-identity-header"] !== options.identityHeader) {
      return send(response, 401, { statusCode: 401, message: "Unauthorized: X-IDENTITY-HEADER is missing or wrong." });
    }
    const target = url.searchParams.get("resource");
    if (url.searchParams.get("api-version") !== "2019-08-01" || target !== resource) {
      return send(response, 400, { statusCode: 400, message: "Bad request: api-version or resource." });
    }
    const token = `${options.tokenMarker ?? "s3cr3t-sentinel-token"}-mi-${randomBytes(12).toString("hex")}`;
    issuedTokens.add(token);
    managedIdentityClientIds.push(url.searchParams.get("client_id") ?? "");
    send(response, 200, {
      access_token: token,
      expires_on: String(now() + 3600),
      resource: target,
      token_type: "Bearer",
      client_id: url.searchParams.get("client_id") ?? clientId,
    });
  }

  const server = createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const url = new URL(request.url ?? "/", base);
        const parts = url.pathname.split("/");
        const kind: AzureRequestRecord["kind"] =
          parts[1] === "secrets" ? "secret"
          : url.pathname.endsWith("/oauth2/v2.0/token") || url.pathname === "/msi/token" ? "token"
          : url.pathname.includes("/.well-known/openid-configuration") ? "discovery"
          : "other";
        const record: AzureRequestRecord = { method: request.method ?? "", path: url.pathname, kind, authorized: false };
        requests.push(record);
        if (kind === "secret") load.maxInFlight = Math.max(load.maxInFlight, ++load.inFlight);
        let served = false;
        const done = (): void => {
          if (!served && kind === "secret") load.inFlight--;
          served = true;
        };
        // Record at writeHead: the client (same process) may act on the answer before "finish".
        const writeHead = response.writeHead.bind(response) as (status: number, headers?: Record<string, string>) => ServerResponse;
        response.writeHead = ((status: number, headers?: Record<string, string>) => {
          record.status = status;
          done();
          return writeHead(status, headers);
        }) as typeof response.writeHead;
        response.on("close", done);
        const fault = faults.take(request, body);
        if (fault && (await applyFault(fault, response))) return;
        if (kind === "secret") return handleSecret(request, response, url, record, body);
        if (url.pathname === "/msi/token") return handleManagedIdentity(request, response, url);
        if (kind === "token" && request.method === "POST") return handleToken(response, parts[1]!, body);
        if (kind === "discovery") return send(response, 200, openIdConfiguration(parts[1]!));
        send(response, 404, { error: "not_found" });
      })();
    });
  });
  base = `https://127.0.0.1:${await listenOnLoopback(server)}`;

  return {
    /** The vault URL (what `https://<vault>.vault.azure.net` is in Azure). */
    url: base,
    /** Authority host for @azure/identity credentials (`authorityHost`). */
    authorityHost: base,
    tenantId,
    clientId,
    /** PEM of the self-signed certificate: the CA a client must trust. */
    ca: certificate.cert,
    certificate,
    faults,
    requests,
    /** Secret requests being served now, and the most at once so far. */
    load,
    /** `client_id` of each managed-identity token request ("" for system-assigned). */
    managedIdentityClientIds,
    /** Tokens handed out so far (tests assert none leaks). */
    issuedTokens,
    /** Add a new version (it becomes the latest); returns its 32-hex version id. */
    setSecret: (name: string, value: string, attributes: AzureSecretAttributes = {}): string => addVersion(name, value, attributes),
    /** The latest version's value and id, as stored (tests read back what a client wrote). */
    latest(name: string): { readonly value: string; readonly version: string } | undefined {
      const stored = secrets.get(name)?.at(-1);
      return stored && { value: stored.value, version: stored.version };
    },
    /** Enable or disable one version (default: the latest). */
    setEnabled(name: string, enabled: boolean, version?: string): void {
      const list = secrets.get(name) ?? [];
      const index = version ? list.findIndex((v) => v.version === version) : list.length - 1;
      if (index >= 0) list[index] = { ...list[index]!, enabled };
    },
    /** The caller lacks `get` permission on this secret name (403 ForbiddenByRbac). */
    deny(name: string): void {
      deniedNames.add(name);
    },
    /** Forget every issued token (the next vault call gets a 401 with a fresh challenge). */
    revokeTokens(): void {
      issuedTokens.clear();
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type AzureKeyVaultServer = Awaited<ReturnType<typeof startAzureKeyVaultServer>>;
