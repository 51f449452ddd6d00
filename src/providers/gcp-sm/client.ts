/**
 * Build the SecretManagerServiceClient options from explicit options, then the injected env.
 * Production gets the SDK's defaults (gRPC, Application Default Credentials); an `http://`
 * endpoint (a local test server or emulator) switches to the SDK's REST transport, because plain
 * gRPC needs insecure channel credentials from @grpc/grpc-js, which is not ours to import.
 */
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";

export type SdkClientOptions = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[0]>;

export interface GcpClientSettings {
  /** Project for short refs; else GCP_PROJECT_ID, GOOGLE_CLOUD_PROJECT, then the SDK's detection. */
  readonly projectId?: string;
  /** Service-account (or any ADC JSON) key file; else GOOGLE_APPLICATION_CREDENTIALS, else ADC. */
  readonly keyFilename?: string;
  /** Inline service-account credentials. */
  readonly credentials?: { readonly client_email: string; readonly private_key: string };
  /** A ready google-auth-library AuthClient (impersonation, custom token source, tests). */
  readonly authClient?: SdkClientOptions["authClient"];
  /** `https://host[:port]`, `host[:port]`, or `http://host:port` (REST, no TLS: test servers only). Env GCP_SM_ENDPOINT. */
  readonly endpoint?: string;
  /** "grpc" (the SDK default) or "rest" (HTTP/1.1 JSON). Env GCP_SM_TRANSPORT. */
  readonly transport?: "grpc" | "rest";
  /** Passed to the SDK last, overriding the above (e.g. `sslCreds` for a local gRPC server). */
  readonly clientOptions?: SdkClientOptions;
}

/** A bad option or env setting: the message is ours and names the setting. */
export class GcpConfigError extends Error {
  override name = "GcpConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

export interface ClientPlan {
  readonly options: SdkClientOptions;
  /** Set when requests (and bearer tokens) travel without TLS. */
  readonly plainHttp: boolean;
}

/** The project named by option or env, before asking the SDK to detect one. */
export function configuredProject(settings: GcpClientSettings, env: Env): string | undefined {
  return settings.projectId ?? env.GCP_PROJECT_ID ?? env.GOOGLE_CLOUD_PROJECT;
}

export function planClient(settings: GcpClientSettings, env: Env): ClientPlan {
  const options: Record<string, unknown> = {};
  const endpoint = settings.endpoint ?? env.GCP_SM_ENDPOINT;
  let plainHttp = false;
  if (endpoint) {
    // The value is not echoed in errors: a URL may carry user:password.
    const href = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
    const url = URL.canParse(href) ? new URL(href) : undefined;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new GcpConfigError("the gcp-sm endpoint (option or GCP_SM_ENDPOINT) must be https://host[:port], host[:port] or http://host:port");
    }
    plainHttp = url.protocol === "http:";
    options.apiEndpoint = url.hostname.replace(/^\[|\]$/g, "");
    options.port = url.port ? Number(url.port) : plainHttp ? 80 : 443;
    options.protocol = plainHttp ? "http" : "https";
  }
  const transport = settings.transport ?? env.GCP_SM_TRANSPORT ?? (plainHttp ? "rest" : "grpc");
  if (transport !== "grpc" && transport !== "rest") {
    throw new GcpConfigError(`gcp-sm transport "${transport}" is not supported: use "grpc" or "rest"`);
  }
  if (plainHttp && transport === "grpc" && !settings.clientOptions?.sslCreds) {
    throw new GcpConfigError('the gcp-sm endpoint is plain http, which only the "rest" transport can use: drop GCP_SM_TRANSPORT=grpc or use https');
  }
  if (transport === "rest") options.fallback = true;
  const projectId = configuredProject(settings, env);
  if (projectId) options.projectId = projectId;
  if (settings.authClient) options.authClient = settings.authClient;
  else if (settings.credentials) options.credentials = settings.credentials;
  else {
    const keyFilename = settings.keyFilename ?? env.GOOGLE_APPLICATION_CREDENTIALS;
    if (keyFilename) options.keyFilename = keyFilename;
  }
  return { options: { ...options, ...settings.clientOptions } as SdkClientOptions, plainHttp };
}
