/**
 * Writing one secret as a new AWSCURRENT version: PutSecretValue, or CreateSecret when the secret does not exist.
 * A `#key` ref reads the current JSON object and writes it back with that key changed. Secrets Manager has no
 * compare-and-set, so a change made between that read and the write is overwritten (last writer wins); the
 * ClientRequestToken makes our own retries idempotent, so a retried call never adds a second version.
 */
import { randomUUID } from "node:crypto";
import { ProviderWriteError, type SecretRef, type WriteResult } from "../types.ts";
import { isNotFound, writeError } from "./classify.ts";
import { send, type Fetcher } from "./fetch.ts";
import { parseObject } from "./values.ts";

/** Why the ref cannot be written to (a pinned or unknown parameter), or undefined when it can. */
export function unwritable(ref: SecretRef): string | undefined {
  const { versionStage, versionId, ...rest } = ref.params;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return `aws-sm ref "${ref.raw}" has the unknown parameter "${unknown}": use versionStage or versionId`;
  if (versionId !== undefined || (versionStage !== undefined && versionStage !== "AWSCURRENT")) {
    return `aws-sm ref "${ref.raw}" pins a version: a write always adds a new AWSCURRENT version, so drop ?versionId= / ?versionStage= from the ref`;
  }
  return undefined;
}

export async function writeSecret(f: Fetcher, ref: SecretRef, id: string, value: string): Promise<WriteResult> {
  const current = ref.key === undefined ? undefined : await currentObject(f, ref, id);
  const text = ref.key === undefined ? value : JSON.stringify({ ...current, [ref.key]: value });
  if (current !== null) {
    try {
      return await putString(f, id, text);
    } catch (error) {
      if (!isNotFound(error)) throw writeError(error, ref.raw, id, "PutSecretValue");
    }
  }
  if (id.startsWith("arn:")) {
    throw new ProviderWriteError("invalid", `aws-sm ref "${ref.raw}": no secret has that ARN, and a new secret cannot be created from an ARN; create it first or refer to it by name`);
  }
  try {
    const ClientRequestToken = randomUUID();
    const output = await send(f, (o) => f.client.send(new f.sdk.CreateSecretCommand({ Name: id, SecretString: text, ClientRequestToken }), o));
    return versionOf(output.VersionId);
  } catch (error) {
    throw writeError(error, ref.raw, id, "CreateSecret");
  }
}

/** PutSecretValue: `text` becomes the new AWSCURRENT version (one token for all retries of this call). */
export async function putString(f: Fetcher, id: string, text: string): Promise<WriteResult> {
  const ClientRequestToken = randomUUID();
  const output = await send(f, (o) => f.client.send(new f.sdk.PutSecretValueCommand({ SecretId: id, SecretString: text, ClientRequestToken }), o));
  return versionOf(output.VersionId);
}

/** The current JSON object a `#key` is merged into (or removed from); null when the secret does not exist yet. */
export async function currentObject(f: Fetcher, ref: SecretRef, id: string): Promise<Record<string, unknown> | null> {
  let output;
  try {
    output = await send(f, (o) => f.client.send(new f.sdk.GetSecretValueCommand({ SecretId: id }), o));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw writeError(error, ref.raw, id, "GetSecretValue");
  }
  const object = parseObject(output);
  if (object === undefined) {
    throw new ProviderWriteError("invalid", `aws-sm ref "${ref.raw}" writes the key "${ref.key}", but the secret ${id} is not a JSON object; drop "#${ref.key}" or store JSON`);
  }
  return object;
}

const versionOf = (versionId: string | undefined): WriteResult => (versionId === undefined ? {} : { version: versionId });
