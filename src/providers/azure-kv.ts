/**
 * Azure Key Vault secrets (`azure-kv://`), through @azure/keyvault-secrets and @azure/identity,
 * both imported on first use. Ref forms and name rules: ./azure-kv/refs.ts; credential choice:
 * ./azure-kv/credential.ts; answers and errors: ./azure-kv/outcome.ts.
 *
 * Retries are the SDK's own (exponential back-off on network errors and 5xx, Retry-After on 429/503),
 * configured by `retry`; the provider adds the same back-off only for a 429 without Retry-After,
 * which the SDK does not retry. Every call carries the start-up deadline signal.
 */
import { mapWithConcurrency, retry, SharedAttempt } from "../runtime/async.ts";
import { importLib, MissingSdkError } from "./import-lib.ts";
import type { Outcome, ProviderFactory, ResolveContext, SecretRef } from "./types.ts";
import { createCredential, credentialSource } from "./azure-kv/credential.ts";
import { describe, outcomeOfBundle, outcomeOfError, pickKey } from "./azure-kv/outcome.ts";
import { parseVaultUrl, RefError, targetKey, targetOf, type SecretTarget, type TargetConfig } from "./azure-kv/refs.ts";

export const PROVIDER_NAME = "azure-kv";

/** What SecretClient needs from a credential (structurally @azure/core-auth's TokenCredential). */
export interface TokenCredentialLike {
  getToken(
    scopes: string | string[],
    options?: object,
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export interface AzureKvOptions {
  /** Vault for short refs (`azure-kv://<secret>`). Default: env AZURE_KEYVAULT_URL. */
  readonly vaultUrl?: string;
  /** Vault name → URL, used instead of `https://<name>.<dnsSuffix>` (private endpoints, tests). */
  readonly vaultUrls?: Readonly<Record<string, string>>;
  /** Vault host suffix. Default "vault.azure.net" (sovereign clouds: "vault.azure.cn", "vault.usgovcloudapi.net"). */
  readonly dnsSuffix?: string;
  /** Prefix added to short-form secret names. Default: env AZURE_SECRET_PREFIX, else none. */
  readonly secretPrefix?: string;
  /** Use this credential; @azure/identity is then never loaded. Default: chosen from env (see credential.ts). */
  readonly credential?: TokenCredentialLike;
  /** Microsoft Entra authority host for the credentials built here. Default: env AZURE_AUTHORITY_HOST, else the SDK's. */
  readonly authorityHost?: string;
  /** Skip MSAL instance discovery: needed for an authority Microsoft does not know (Azure Stack, tests). */
  readonly disableInstanceDiscovery?: boolean;
  /** Extra CA certificate(s), PEM, trusted for the vault and the token endpoint on top of the default roots. */
  readonly ca?: string | readonly string[];
  /** Do not check that the bearer challenge's resource matches the vault host (vaults behind custom host names). */
  readonly disableChallengeResourceVerification?: boolean;
  /** Distinct secrets read at once. Default 8. */
  readonly concurrency?: number;
  /**
   * The SDK retry policy, for the vault and for the credentials built here. Defaults: 3 retries,
   * 300 ms first delay, 4 s cap; Retry-After on 429/503 is honoured as sent (bounded by the deadline).
   */
  readonly retry?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
}

const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 300;

/** A 429 without Retry-After: throttled, but the SDK's retry policy will not try again. */
function isBareThrottle(error: unknown): boolean {
  const { statusCode, response } = error as { statusCode?: number; response?: { headers?: { get?(name: string): string | undefined } } };
  return statusCode === 429 && !response?.headers?.get?.("retry-after");
}

type SecretsSdk = typeof import("@azure/keyvault-secrets");
type SecretClient = InstanceType<SecretsSdk["SecretClient"]>;

interface Group {
  readonly target: SecretTarget;
  readonly refs: SecretRef[];
}

interface Connection {
  readonly sdk: SecretsSdk;
  readonly credential: TokenCredentialLike;
  /** Which credential, for messages: env variable names only. */
  readonly credentialLabel: string;
  readonly clientOptions: ConstructorParameters<SecretsSdk["SecretClient"]>[2];
}

const azureKv: ProviderFactory<AzureKvOptions> = (options = {}) => {
  const connection = new SharedAttempt<Connection>();
  const clients = new Map<string, SecretClient>();

  const connect = async (env: ResolveContext["env"]): Promise<Connection> => {
    const sdk = await importLib(PROVIDER_NAME, "@azure/keyvault-secrets", () => import("@azure/keyvault-secrets"));
    const extraCa = options.ca === undefined ? [] : typeof options.ca === "string" ? [options.ca] : [...options.ca];
    // tlsOptions.ca replaces the default roots, so keep them alongside the extra CA.
    const tlsOptions = extraCa.length > 0 ? { ca: [...(await import("node:tls")).rootCertificates, ...extraCa] } : undefined;
    const retrySettings = options.retry ?? {};
    const retryOptions = {
      maxRetries: retrySettings.maxRetries ?? DEFAULT_MAX_RETRIES,
      retryDelayInMs: retrySettings.retryDelayInMs ?? DEFAULT_RETRY_DELAY_MS,
      maxRetryDelayInMs: retrySettings.maxRetryDelayInMs ?? 4000,
    };
    const credential =
      options.credential ??
      createCredential(await importLib(PROVIDER_NAME, "@azure/identity", () => import("@azure/identity")), env, {
        ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
        ...(options.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
        ...(tlsOptions ? { tlsOptions } : {}),
        retryOptions,
      });
    return {
      sdk,
      credential,
      credentialLabel: options.credential ? "the credential option" : credentialSource(env),
      clientOptions: {
        retryOptions,
        ...(tlsOptions ? { tlsOptions } : {}),
        ...(options.disableChallengeResourceVerification ? { disableChallengeResourceVerification: true } : {}),
      },
    };
  };

  const clientFor = (conn: Connection, vaultUrl: string): SecretClient => {
    let client = clients.get(vaultUrl);
    if (!client) {
      client = new conn.sdk.SecretClient(vaultUrl, conn.credential as never, conn.clientOptions);
      clients.set(vaultUrl, client);
    }
    return client;
  };

  /**
   * A vault's first request meets the bearer challenge and fetches a token. Sent alone, it leaves a
   * cached token for the rest; sent with the others, each would meet the challenge itself.
   */
  const fetchAll = async (conn: Connection, groups: readonly Group[], ctx: ResolveContext): Promise<Outcome[]> => {
    const firstPerColdVault = new Map<string, Group>();
    for (const group of groups) {
      const { vaultUrl } = group.target;
      if (!clients.has(vaultUrl) && !firstPerColdVault.has(vaultUrl)) firstPerColdVault.set(vaultUrl, group);
    }
    const outcomes = new Map<Group, Outcome>();
    await Promise.all([...firstPerColdVault.values()].map(async (group) => outcomes.set(group, await fetchOne(conn, group.target, ctx))));
    const rest = groups.filter((group) => !outcomes.has(group));
    const restOutcomes = await mapWithConcurrency(rest, options.concurrency ?? 8, (group) => fetchOne(conn, group.target, ctx));
    rest.forEach((group, index) => outcomes.set(group, restOutcomes[index]!));
    return groups.map((group) => outcomes.get(group)!);
  };

  const fetchOne = async (conn: Connection, target: SecretTarget, ctx: ResolveContext): Promise<Outcome> => {
    const read = () =>
      clientFor(conn, target.vaultUrl).getSecret(target.name, { ...(target.version ? { version: target.version } : {}), abortSignal: ctx.signal });
    try {
      // The SDK retries 5xx, and 429 when the service says when (Retry-After); a bare 429 it gives
      // up on at once, so only that case gets our back-off — never on top of the SDK's own retries.
      const secret = await retry(read, {
        attempts: 1 + (options.retry?.maxRetries ?? DEFAULT_MAX_RETRIES),
        baseDelayMs: options.retry?.retryDelayInMs ?? DEFAULT_RETRY_DELAY_MS,
        signal: ctx.signal,
        isRetryable: isBareThrottle,
      });
      return outcomeOfBundle(secret, target);
    } catch (error) {
      return outcomeOfError(error, target, ctx.signal.aborted, conn.credentialLabel);
    }
  };

  const targetConfig = (env: ResolveContext["env"]): TargetConfig | RefError => {
    const rawDefault = options.vaultUrl ?? env.AZURE_KEYVAULT_URL;
    try {
      const source = options.vaultUrl ? "the vaultUrl option" : "AZURE_KEYVAULT_URL";
      return {
        ...(rawDefault ? { defaultVaultUrl: parseVaultUrl(rawDefault, source) } : {}),
        prefix: options.secretPrefix ?? env.AZURE_SECRET_PREFIX ?? "",
        vaultUrls: options.vaultUrls ?? {},
        dnsSuffix: options.dnsSuffix ?? "vault.azure.net",
      };
    } catch (error) {
      return error as RefError;
    }
  };

  /** Refs grouped by distinct secret version; refs that cannot be read get their outcome in `results`. */
  const groupRefs = (refs: readonly SecretRef[], env: ResolveContext["env"], results: Map<string, Outcome>): Group[] => {
    const config = targetConfig(env);
    const groups = new Map<string, Group>();
    for (const ref of refs) {
      try {
        if (config instanceof RefError) throw config;
        const target = targetOf(ref, config);
        const key = targetKey(target);
        const group = groups.get(key) ?? { target, refs: [] };
        group.refs.push(ref);
        groups.set(key, group);
      } catch (error) {
        if (!(error instanceof RefError)) throw error;
        results.set(ref.raw, { status: "error", kind: "invalid", message: error.message });
      }
    }
    return [...groups.values()];
  };

  return {
    name: PROVIDER_NAME,
    schemes: [PROVIDER_NAME],
    async resolve(refs: readonly SecretRef[], ctx: ResolveContext): Promise<ReadonlyMap<string, Outcome>> {
      const results = new Map<string, Outcome>();
      const groups = groupRefs(refs, ctx.env, results);
      if (groups.length === 0) return results;
      if (options.disableChallengeResourceVerification && ctx.production) {
        ctx.warn(`${PROVIDER_NAME}: challenge resource verification is disabled (disableChallengeResourceVerification)`);
      }
      let conn: Connection;
      try {
        conn = await connection.get(() => connect(ctx.env));
      } catch (error) {
        if (error instanceof MissingSdkError) throw error;
        // e.g. a malformed AZURE_TENANT_ID makes the credential constructor throw; its message is not passed on.
        const name = error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : "Error";
        for (const group of groups) {
          const message =
            `${describe(group.target)}: the Azure client could not be set up (${name}); ` +
            "check AZURE_TENANT_ID, AZURE_CLIENT_ID, the authority host and the provider options";
          for (const ref of group.refs) results.set(ref.raw, { status: "error", kind: "invalid", message });
        }
        return results;
      }
      const outcomes = await fetchAll(conn, groups, ctx);
      groups.forEach((group, index) => {
        for (const ref of group.refs) results.set(ref.raw, pickKey(outcomes[index]!, ref.key, ref.raw));
      });
      return results;
    },
    async close(): Promise<void> {
      clients.clear();
      connection.forget();
    },
  };
};

export default azureKv;
