/**
 * AWS Secrets Manager: `aws-sm://<name-or-ARN>[?versionStage=…|versionId=…][#jsonKey]`.
 * Current versions are read with BatchGetSecretValue (20 secrets a call); pinned versions, and everything when the
 * batch API is denied, with GetSecretValue. Each distinct secret version is fetched once for all its `#key`s, and an
 * ARN is read in the region it names. `write` adds a new AWSCURRENT version (see aws-sm/write.ts); `delete` removes a
 * key or schedules the secret's deletion with a recovery window (see aws-sm/delete.ts).
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mapWithConcurrency } from "../runtime/async.ts";
import { DEFAULT_MAX_ANSWER_BYTES, requestOptions } from "../runtime/policy.ts";
import { importLib } from "./import-lib.ts";
import { crossesNetworkUnencrypted } from "./plain-http.ts";
import { ProviderWriteError, type Outcome, type ProviderFactory, type ResolveContext, type SecretRef } from "./types.ts";
import { capAnswers } from "./aws-sm/answer-cap.ts";
import { type AwsCredentials, clientConfig, configKey } from "./aws-sm/client.ts";
import { readCurrent, readOne, type Fetcher } from "./aws-sm/fetch.ts";
import { planReads, regionOf, secretIdOf } from "./aws-sm/plan.ts";
import { deleteSecret } from "./aws-sm/delete.ts";
import { unwritable, writeSecret } from "./aws-sm/write.ts";

export const PROVIDER_NAME = "aws-sm";
const SDK_PACKAGE = "@aws-sdk/client-secrets-manager";

export interface AwsSmOptions {
  /** Region; default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's shared config. */
  readonly region?: string;
  /** Endpoint URL (LocalStack, VPC endpoint, tests); default `AWS_ENDPOINT_URL_SECRETS_MANAGER`, then `AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  /** Credentials; default `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), else the SDK's chain. */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Shared-config profile; default `AWS_PROFILE`. */
  readonly profile?: string;
  /** Prepended to bare secret names (not ARNs); default `AWS_SECRET_PREFIX`, else none. */
  readonly secretPrefix?: string;
  /** Attempts per call, the first included, for this provider only; default LoadOptions.retry.attempts. */
  readonly maxAttempts?: number;
  /** First back-off ceiling in ms for this provider only; default LoadOptions.retry.baseDelayMs. */
  readonly retryBaseDelayMs?: number;
  /** Calls in flight at once per region, for batch chunks and for GetSecretValue reads each; default 8. */
  readonly concurrency?: number;
  /** Largest answer read (a batch answer may be up to 20 times this); default LoadOptions.maxAnswerBytes (512 KiB). */
  readonly maxAnswerBytes?: number;
}

type Sdk = typeof import("@aws-sdk/client-secrets-manager");

/** The endpoint without any user:password part, for messages. */
const safeEndpoint = (endpoint: string): string => {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}`;
};

const awsSm: ProviderFactory<AwsSmOptions> = (options = {}) => {
  let sdk: Promise<Sdk> | undefined;
  let clients = new Map<string, SecretsManagerClient>();
  let clientsKey: string | undefined;
  const state = { batchDenied: false };

  /** One client per region; all are replaced when the settings they came from change. */
  const clientFor = (module: Sdk, context: ResolveContext, region: string): SecretsManagerClient => {
    const config = clientConfig(options, context.env);
    const key = configKey(config);
    if (clientsKey !== key) {
      for (const client of clients.values()) client.destroy();
      clients = new Map();
      clientsKey = key;
      if (context.production && typeof config.endpoint === "string" && crossesNetworkUnencrypted(config.endpoint)) {
        context.warn(`the aws-sm endpoint ${safeEndpoint(config.endpoint)} is plain http: signed requests and every secret cross the network unencrypted; use an https:// endpoint`);
      }
      state.batchDenied = false;
    }
    let client = clients.get(region);
    if (!client) {
      client = new module.SecretsManagerClient(region ? { ...config, region } : config);
      capAnswers(client, options.maxAnswerBytes ?? context.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES);
      clients.set(region, client);
    }
    return client;
  };

  const concurrency = Math.max(1, options.concurrency ?? 8);
  const fetcherFor = (module: Sdk, context: ResolveContext, region: string): Fetcher => ({
    sdk: module,
    client: clientFor(module, context, region),
    signal: context.signal,
    requests: requestOptions(context, { attempts: options.maxAttempts, baseDelayMs: options.retryBaseDelayMs }),
    concurrency,
    state,
  });
  const loadSdk = (): Promise<Sdk> => (sdk ??= importLib(PROVIDER_NAME, SDK_PACKAGE, () => import("@aws-sdk/client-secrets-manager")));
  // ARNs in the configured region share its client and batches; the SDK may know the region from its own config.
  const homeRegion = (module: Sdk, context: ResolveContext): Promise<string> => clientFor(module, context, "").config.region().catch(() => "");
  const prefixOf = (context: ResolveContext): string => options.secretPrefix ?? context.env.AWS_SECRET_PREFIX ?? "";

  /** The secret a write or delete acts on, and the fetcher for its region; pinned refs are refused. */
  const writeTarget = async (ref: SecretRef, context: ResolveContext): Promise<{ fetcher: Fetcher; id: string }> => {
    const refused = unwritable(ref);
    if (refused !== undefined) throw new ProviderWriteError("invalid", refused);
    const module = await loadSdk();
    const id = secretIdOf(ref, prefixOf(context));
    return { fetcher: fetcherFor(module, context, regionOf(id, await homeRegion(module, context))), id };
  };

  return {
    name: PROVIDER_NAME,
    schemes: [PROVIDER_NAME],
    async resolve(refs, context) {
      const outcomes = new Map<string, Outcome>();
      const module = await loadSdk();
      const plan = planReads(refs, prefixOf(context), await homeRegion(module, context));
      for (const [raw, outcome] of plan.rejected) outcomes.set(raw, outcome);
      await Promise.all(
        [...plan.regions].map(([region, reads]) => {
          const fetcher = fetcherFor(module, context, region);
          return Promise.all([
            readCurrent(fetcher, reads.current, outcomes),
            mapWithConcurrency(reads.pinned, concurrency, (read) => readOne(fetcher, read, outcomes)),
          ]);
        }),
      );
      return outcomes;
    },
    async write(ref, value, context) {
      const { fetcher, id } = await writeTarget(ref, context);
      return writeSecret(fetcher, ref, id, value);
    },
    async delete(ref, context) {
      const { fetcher, id } = await writeTarget(ref, context);
      return deleteSecret(fetcher, ref, id);
    },
    async close() {
      for (const client of clients.values()) client.destroy();
      clients = new Map();
      clientsKey = undefined;
    },
  };
};

export default awsSm;
