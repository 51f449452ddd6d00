/** Builds the SecretsManagerClient config from explicit options first, then the injected env, then the SDK's own chain. */
import type { SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ClientSettings {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  readonly profile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (value: string | undefined): string | undefined => (value ? value : undefined);

/**
 * The SDK reads AWS_REGION, AWS_ENDPOINT_URL*, AWS_PROFILE and the key variables from process.env only, so values
 * from the injected env are handed to it explicitly (same precedence as the SDK). Anything not set there is left to
 * the SDK's default chain: shared config/credentials files, SSO, web identity, container and instance roles.
 */
export function clientConfig(settings: ClientSettings, env: Env): SecretsManagerClientConfig {
  const region = settings.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const ignoreEndpoints = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true";
  const endpoint =
    settings.endpoint ??
    (ignoreEndpoints ? undefined : nonEmpty(env.AWS_ENDPOINT_URL_SECRETS_MANAGER) ?? nonEmpty(env.AWS_ENDPOINT_URL));
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const credentials =
    settings.credentials ??
    (accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined);
  const profile = settings.profile ?? nonEmpty(env.AWS_PROFILE);
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(profile && !credentials ? { profile } : {}),
    // One attempt per SDK call: retries are ours (jittered, bounded by the start-up deadline), never both.
    maxAttempts: 1,
  };
}

/** A stable key for the settings a client was built from, so a changed env gets a new client. */
export function configKey(config: SecretsManagerClientConfig): string {
  const credentials = config.credentials;
  const creds = typeof credentials === "function" ? credentials : credentials ? JSON.stringify(credentials) : "";
  return JSON.stringify([config.region ?? "", config.endpoint ?? "", config.profile ?? "", String(creds)]);
}
