/**
 * The two ways of reading secrets: BatchGetSecretValue for the current version of up to 20 secrets a call,
 * and GetSecretValue for pinned versions and for whatever a batch could not answer.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mapWithConcurrency } from "../../runtime/async.ts";
import { retry, type RetryOptions } from "../../runtime/policy.ts";
import type { Outcome } from "../types.ts";
import { allowsBatchFallback, allowsPerSecretRetry, isBatchDenied, isTransient, outcomeForBatchEntry, outcomeForError } from "./classify.ts";
import type { SecretRead } from "./plan.ts";
import { outcomesFor } from "./values.ts";

type Sdk = typeof import("@aws-sdk/client-secrets-manager");

/** BatchGetSecretValue accepts at most this many ids in SecretIdList. */
export const BATCH_LIMIT = 20;
/** Guards against a server that keeps returning NextToken. */
const MAX_PAGES = 50;

export interface Fetcher {
  readonly sdk: Sdk;
  readonly client: SecretsManagerClient;
  readonly signal: AbortSignal;
  /** The load's retry policy (with this provider's overrides) and limiter. */
  readonly requests: Pick<RetryOptions, "policy" | "signal" | "limiter">;
  readonly concurrency: number;
  /** Set once the batch API is denied, so later loads go straight to GetSecretValue. */
  readonly state: { batchDenied: boolean };
}

/** One SDK call with our retry on transient errors (the SDK's own retry is off, see client.ts). */
export function send<T>(f: Fetcher, call: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
  return retry((signal) => call({ abortSignal: signal }), { ...f.requests, isRetryable: isTransient });
}

/** GetSecretValue for one read (a pinned stage / version id, or a secret the batch left out). */
export async function readOne(f: Fetcher, read: SecretRead, into: Map<string, Outcome>): Promise<void> {
  const pinned = read.versionStage !== undefined || read.versionId !== undefined;
  try {
    const input = {
      SecretId: read.id,
      ...(read.versionStage !== undefined ? { VersionStage: read.versionStage } : {}),
      ...(read.versionId !== undefined ? { VersionId: read.versionId } : {}),
    };
    const output = await send(f, (o) => f.client.send(new f.sdk.GetSecretValueCommand(input), o));
    outcomesFor(output, read.refs, into);
  } catch (error) {
    for (const ref of read.refs) into.set(ref.raw, outcomeForError(error, ref.raw, pinned));
  }
}

/** Whether a batch entry (which names the secret by Name and ARN) answers the id we asked for. */
function answers(id: string, entry: { Name?: string | undefined; ARN?: string | undefined }): boolean {
  if (id === entry.Name || id === entry.ARN) return true;
  // A partial ARN (without the 6-character random suffix) names the secret too.
  return id.startsWith("arn:") && entry.ARN !== undefined && entry.ARN.length === id.length + 7 && entry.ARN.startsWith(`${id}-`);
}

/** One BatchGetSecretValue chunk, following NextToken; returns the ids it could not answer. */
async function readChunk(f: Fetcher, ids: string[], reads: ReadonlyMap<string, SecretRead>, into: Map<string, Outcome>): Promise<string[]> {
  const left = new Set(ids);
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES && left.size > 0; page++) {
      const input = { SecretIdList: ids, ...(token ? { NextToken: token } : {}) };
      const output = await send(f, (o) => f.client.send(new f.sdk.BatchGetSecretValueCommand(input), o));
      for (const entry of output.SecretValues ?? []) {
        for (const id of [...left].filter((id) => answers(id, entry))) {
          outcomesFor(entry, reads.get(id)!.refs, into);
          left.delete(id);
        }
      }
      for (const entry of output.Errors ?? []) {
        if (entry.SecretId === undefined || !left.has(entry.SecretId)) continue;
        for (const ref of reads.get(entry.SecretId)!.refs) into.set(ref.raw, outcomeForBatchEntry(entry.ErrorCode, ref.raw));
        left.delete(entry.SecretId);
      }
      token = output.NextToken;
      if (!token) break;
    }
  } catch (error) {
    if (isBatchDenied(error)) f.state.batchDenied = true;
    if (!allowsBatchFallback(error) && !allowsPerSecretRetry(error)) {
      for (const id of left) for (const ref of reads.get(id)!.refs) into.set(ref.raw, outcomeForError(error, ref.raw, false));
      return [];
    }
  }
  return [...left];
}

/** Reads the current version of every secret: batches of 20, then GetSecretValue for anything left over. */
export async function readCurrent(f: Fetcher, reads: ReadonlyMap<string, SecretRead>, into: Map<string, Outcome>): Promise<void> {
  const ids = [...reads.keys()];
  let leftover = ids;
  if (!f.state.batchDenied && ids.length > 0) {
    const chunks = Array.from({ length: Math.ceil(ids.length / BATCH_LIMIT) }, (_, i) => ids.slice(i * BATCH_LIMIT, (i + 1) * BATCH_LIMIT));
    leftover = (await mapWithConcurrency(chunks, f.concurrency, (chunk) => readChunk(f, chunk, reads, into))).flat();
  }
  await mapWithConcurrency(leftover, f.concurrency, (id) => readOne(f, reads.get(id)!, into));
}
