/**
 * Azure Key Vault secrets (`azure-kv://`), through @azure/keyvault-secrets and @azure/identity,
 * both imported on first use. Ref forms and name rules: ./azure-kv/refs.ts; credential choice:
 * ./azure-kv/credential.ts; answers and errors: ./azure-kv/outcome.ts.
 *
 * The SDK's own retries are off, for the vault and the token endpoint alike: each read (with its
 * challenge and token request) follows the runtime's one policy (runtime/policy.ts), Retry-After
 * included. Every call carries its attempt's signal (per-request time-out and start-up deadline).
 */
import { mapWithConcurrency, SharedAttempt } from "../runtime/async.ts";
import { errorName } from "../runtime/errors.ts";
import { DEFAULT_MAX_ANSWER_BYTES, requestOptions, retry } from "../runtime/policy.ts";
import { importLib, MissingSdkError } from "./import-lib.ts";
import { ProviderWriteError, type Outcome, type ProviderFactory, type ResolveContext, type SecretRef } from "./types.ts";
import { answerCapPolicy } from "./azure-kv/answer-cap.ts";
import { createCredential, credentialSource, type TlsOptions } from "./azure-kv/credential.ts";
import { describe, isTransient, outcomeOfBundle, outcomeOfError, pickKey, retryAfterMs } from "./azure-kv/outcome.ts";
import { parseVaultUrl, RefError, targetKey, targetOf, type SecretTarget, type TargetConfig } from "./azure-kv/refs.ts";
import { writeSecret, writeTarget } from "./azure-kv/write.ts";

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
  /** Largest answer read from the vault; default LoadOptions.maxAnswerBytes (512 KiB). */
  readonly maxAnswerBytes?: number;
  /** Distinct secrets read at once (one HTTPS connection each: Key Vault has no batch read), within LoadOptions.limits. Default 32. */
  readonly concurrency?: number;
  /**
   * Overrides of LoadOptions.retry for this provider only: attempts = 1 + maxRetries, first back-off
   * and back-off cap. Retry-After on 429/503 is honoured as sent (bounded by the deadline).
   */
  readonly retry?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
}

/** The SDKs' retry policies stay off: retries are the runtime's, never multiplied by the SDK's. */
const SDK_RETRIES_OFF = { maxRetries: 0, retryDelayInMs: 0, maxRetryDelayInMs: 0 };
/** Enough for a typical app's secrets in one wave, few enough connections for a vault's throttling limits. */
const DEFAULT_CONCURRENCY = 32;

/**
 * The extra CA on top of the default roots, as one SecureContext for every connection. Given `ca`,
 * Node would build a context per TLS connection from the PEM list (~140 roots + ours: ≈ 27 ms of
 * CPU each, which serialised a batch's connections); the default context shares the parsed roots,
 * so adding ours to it costs ≈ 1 ms. The SDK spreads these settings into its https.Agent.
 */
async function sharedTlsOptions(extraCa: readonly string[]): Promise<TlsOptions> {
  const tls = await import("node:tls");
  const secureContext = tls.createSecureContext();
  const native = (secureContext as { context?: { addCACert?(pem: string): void } }).context;
  if (typeof native?.addCACert !== "function") return { ca: [...tls.rootCertificates, ...extraCa] };
  for (const pem of extraCa) native.addCACert(pem);
  return { secureContext };
}


type SecretsSdk = typeof import("@azure/keyvault-secrets");
type SecretClient = InstanceType<SecretsSdk["SecretClient"]>;
type SecretClientOptions = NonNullable<ConstructorParameters<SecretsSdk["SecretClient"]>[2]>;
type SecretClientPolicy = NonNullable<SecretClientOptions["additionalPolicies"]>[number]["policy"];

interface VaultClient {
  readonly client: SecretClient;
  /** Resolves once a request of this client has gone out with a bearer token, or its first request has ended. */
  readonly ready: Promise<void>;
  readonly open: () => void;
}

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
  readonly maxAnswerBytes: number;
}

const azureKv: ProviderFactory<AzureKvOptions> = (options = {}) => {
  const connection = new SharedAttempt<Connection>();
  const clients = new Map<string, VaultClient>();

  const connect = async ({ env, maxAnswerBytes }: ResolveContext): Promise<Connection> => {
    const sdk = await importLib(PROVIDER_NAME, "@azure/keyvault-secrets", () => import("@azure/keyvault-secrets"));
    const extraCa = options.ca === undefined ? [] : typeof options.ca === "string" ? [options.ca] : [...options.ca];
    const tlsOptions = extraCa.length > 0 ? await sharedTlsOptions(extraCa) : undefined;
    const retryOptions = SDK_RETRIES_OFF;
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
      maxAnswerBytes: options.maxAnswerBytes ?? maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
      clientOptions: {
        retryOptions,
        ...(tlsOptions ? { tlsOptions: tlsOptions as SecretClientOptions["tlsOptions"] } : {}),
        ...(options.disableChallengeResourceVerification ? { disableChallengeResourceVerification: true } : {}),
      },
    };
  };

  const clientFor = (conn: Connection, vaultUrl: string): VaultClient => {
    let entry = clients.get(vaultUrl);
    if (!entry) {
      let open!: () => void;
      const ready = new Promise<void>((resolve) => (open = resolve));
      // Runs after the Key Vault challenge policy: a request going out with a bearer token means the
      // challenge is met and the token cached, so the client's other requests can go.
      const seesToken: SecretClientPolicy = {
        name: "secretsGenTokenSeen",
        sendRequest: (request, next) => (request.headers.has("authorization") && open(), next(request)),
      };
      const clientOptions = {
        ...conn.clientOptions,
        additionalPolicies: [
          { policy: seesToken, position: "perRetry" as const },
          { policy: answerCapPolicy(conn.maxAnswerBytes) as SecretClientPolicy, position: "perRetry" as const },
        ],
      };
      entry = { client: new conn.sdk.SecretClient(vaultUrl, conn.credential as never, clientOptions), ready, open };
      clients.set(vaultUrl, entry);
    }
    return entry;
  };

  /**
   * A new client's first request meets the bearer challenge and fetches a token; sent with it, the
   * others would each meet the challenge too. So they wait until it goes out with its token (or
   * ends), then go at once, up to `concurrency`, while it is still in flight.
   */
  const fetchAll = async (conn: Connection, groups: readonly Group[], ctx: ResolveContext): Promise<Outcome[]> => {
    const leaders = new Set<Group>();
    for (const group of groups) {
      if (clients.has(group.target.vaultUrl)) continue;
      clientFor(conn, group.target.vaultUrl);
      leaders.add(group);
    }
    // Leaders first, so a follower never holds the last slot while its leader waits for one.
    const ordered = [...leaders, ...groups.filter((group) => !leaders.has(group))];
    const outcomes = await mapWithConcurrency(ordered, options.concurrency ?? DEFAULT_CONCURRENCY, async (group) => {
      const vault = clientFor(conn, group.target.vaultUrl);
      if (leaders.has(group)) return fetchOne(conn, group.target, ctx).finally(vault.open);
      await vault.ready;
      return fetchOne(conn, group.target, ctx);
    });
    const byGroup = new Map(ordered.map((group, index) => [group, outcomes[index]!]));
    return groups.map((group) => byGroup.get(group)!);
  };

  const fetchOne = async (conn: Connection, target: SecretTarget, ctx: ResolveContext): Promise<Outcome> => {
    const read = (signal: AbortSignal) =>
      clientFor(conn, target.vaultUrl).client.getSecret(target.name, { ...(target.version ? { version: target.version } : {}), abortSignal: signal });
    const overrides = options.retry ?? {};
    try {
      const secret = await retry(read, {
        ...requestOptions(ctx, {
          attempts: overrides.maxRetries === undefined ? undefined : 1 + overrides.maxRetries,
          baseDelayMs: overrides.retryDelayInMs,
          maxDelayMs: overrides.maxRetryDelayInMs,
        }),
        isRetryable: isTransient,
        retryAfterMs,
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

  let warnedVerification = false;
  return {
    name: PROVIDER_NAME,
    schemes: [PROVIDER_NAME],
    async resolve(refs: readonly SecretRef[], ctx: ResolveContext): Promise<ReadonlyMap<string, Outcome>> {
      const results = new Map<string, Outcome>();
      const groups = groupRefs(refs, ctx.env, results);
      if (groups.length === 0) return results;
      // Once per provider, like GCP's plain-http warning: a refreshing process must not repeat it every pass.
      if (options.disableChallengeResourceVerification && ctx.production && !warnedVerification) {
        warnedVerification = true;
        ctx.warn(`${PROVIDER_NAME}: challenge resource verification is disabled (disableChallengeResourceVerification)`);
      }
      let conn: Connection;
      try {
        conn = await connection.get(() => connect(ctx));
      } catch (error) {
        if (error instanceof MissingSdkError) throw error;
        for (const group of groups) {
          const message = setupFailure(describe(group.target), error);
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
    // setSecret: a new version, creating the secret if need be; no compare-and-set (see azure-kv/write.ts).
    async write(ref, value, ctx) {
      const target = writeTarget(ref, targetConfig(ctx.env));
      const conn = await connection.get(() => connect(ctx)).catch((error: unknown) => {
        if (error instanceof MissingSdkError) throw error;
        throw new ProviderWriteError("invalid", setupFailure(ref.raw, error));
      });
      const vault = clientFor(conn, target.vaultUrl);
      try {
        return await writeSecret({ client: vault.client, ref, target, ctx, credential: conn.credentialLabel, read: () => fetchOne(conn, target, ctx) }, value);
      } finally {
        vault.open(); // a later batch's reads wait on this client's first request: it has ended
      }
    },
    async close(): Promise<void> {
      clients.clear();
      connection.forget();
    },
  };
};

/** e.g. a malformed AZURE_TENANT_ID makes the credential constructor throw; its message is not passed on. */
function setupFailure(where: string, error: unknown): string {
  return `${where}: the Azure client could not be set up (${errorName(error)}); check AZURE_TENANT_ID, AZURE_CLIENT_ID, the authority host and the provider options`;
}

export default azureKv;
