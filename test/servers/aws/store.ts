/**
 * The Secrets Manager data model behind the test server: secrets with versions and staging labels, and the seven
 * operations, answering with the shapes AWS documents (timestamps as epoch seconds, SecretBinary as base64).
 */
import { randomBytes, randomUUID } from "node:crypto";

export class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

interface Version {
  readonly id: string;
  readonly string?: string;
  readonly binary?: Buffer;
  readonly created: number;
  readonly stages: Set<string>;
}

export interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  readonly created: number;
  lastChanged: number;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  readonly versions: Map<string, Version>;
  /** Set by DeleteSecret with a recovery window: the secret is kept but refuses reads and writes. */
  deletedDate?: number;
}

type Json = Record<string, unknown>;
export type SecretInput = string | Uint8Array | Record<string, unknown>;

const now = (): number => Date.now() / 1000;
const notFound = (): AwsError => new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

export class SecretStore {
  readonly secrets = new Map<string, StoredSecret>();
  /** Secret names whose reads are refused with AccessDeniedException (IAM). */
  readonly denied = new Set<string>();
  /** Secret names whose KMS key refuses to decrypt (DecryptionFailure). */
  readonly kmsDenied = new Set<string>();
  /** Operations the caller's policy does not allow at all, e.g. "BatchGetSecretValue". */
  readonly deniedOperations = new Set<string>();
  /** When set, BatchGetSecretValue with SecretIdList answers this many ids per page (NextToken for the rest). */
  batchPageSize: number | undefined;

  constructor(readonly region: string, readonly account: string) {}

  /** Finds a secret by name, full ARN or partial ARN (without the random suffix). */
  find(id: unknown): StoredSecret {
    if (typeof id !== "string" || id.length === 0) throw new AwsError("InvalidParameterException", "You must provide a SecretId.");
    for (const secret of this.secrets.values()) {
      if (secret.name === id || secret.arn === id || secret.arn === `${id}-${secret.arn.slice(-6)}`) return secret;
    }
    throw notFound();
  }

  create(input: Json): Json {
    const name = input.Name;
    if (typeof name !== "string" || !/^[\w/+=.@-]{1,512}$/.test(name)) throw new AwsError("InvalidParameterException", "Invalid name.");
    if (this.secrets.get(name)?.deletedDate !== undefined) {
      throw new AwsError("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    if (this.secrets.has(name)) throw new AwsError("ResourceExistsException", "The operation failed because the secret already exists.");
    const suffix = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 6);
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${suffix}`,
      created: now(),
      lastChanged: now(),
      tags: Array.isArray(input.Tags) ? (input.Tags as StoredSecret["tags"]) : [],
      versions: new Map(),
      ...(typeof input.Description === "string" ? { description: input.Description } : {}),
      ...(typeof input.KmsKeyId === "string" ? { kmsKeyId: input.KmsKeyId } : {}),
    };
    this.secrets.set(name, secret);
    if (input.SecretString === undefined && input.SecretBinary === undefined) return { ARN: secret.arn, Name: name };
    const version = this.addVersion(secret, input, ["AWSCURRENT"]);
    return { ARN: secret.arn, Name: name, VersionId: version.id };
  }

  put(input: Json): Json {
    const secret = this.find(input.SecretId);
    this.notDeleted(secret);
    const stages = Array.isArray(input.VersionStages) ? (input.VersionStages as string[]) : ["AWSCURRENT"];
    const version = this.addVersion(secret, input, stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  }

  private addVersion(secret: StoredSecret, input: Json, stages: string[]): Version {
    const hasString = typeof input.SecretString === "string";
    const hasBinary = typeof input.SecretBinary === "string";
    if (hasString === hasBinary) {
      throw new AwsError("InvalidParameterException", "You must provide either SecretString or SecretBinary, but not both.");
    }
    const id = typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID();
    if (secret.versions.has(id)) throw new AwsError("ResourceExistsException", "A version with this ClientRequestToken already exists.");
    const version: Version = {
      id,
      created: now(),
      stages: new Set(),
      ...(hasString ? { string: input.SecretString as string } : { binary: Buffer.from(input.SecretBinary as string, "base64") }),
    };
    secret.versions.set(id, version);
    for (const stage of stages) this.moveStage(secret, stage, version);
    secret.lastChanged = now();
    return version;
  }

  /** Moves a staging label to `target`; moving AWSCURRENT labels the old current version AWSPREVIOUS, as AWS does. */
  private moveStage(secret: StoredSecret, stage: string, target: Version): void {
    for (const version of secret.versions.values()) {
      if (version === target || !version.stages.has(stage)) continue;
      version.stages.delete(stage);
      if (stage === "AWSCURRENT") this.moveStage(secret, "AWSPREVIOUS", version);
    }
    target.stages.add(stage);
  }

  /** Helper for tests: create or add a new current version. */
  seed(name: string, value: SecretInput, stages: string[] = ["AWSCURRENT"]): { arn: string; versionId: string } {
    const payload =
      typeof value === "string"
        ? { SecretString: value }
        : value instanceof Uint8Array
          ? { SecretBinary: Buffer.from(value).toString("base64") }
          : { SecretString: JSON.stringify(value) };
    const out = this.secrets.has(name) ? this.put({ SecretId: name, VersionStages: stages, ...payload }) : this.create({ Name: name, ...payload });
    return { arn: out.ARN as string, versionId: out.VersionId as string };
  }

  /**
   * DeleteSecret: a recovery window of 7–30 days (default 30) keeps the secret, marked deleted; ForceDeleteWithoutRecovery
   * removes it at once. The two options exclude each other, as in AWS.
   */
  delete(input: Json): Json {
    const secret = this.find(input.SecretId);
    const window = input.RecoveryWindowInDays;
    const force = input.ForceDeleteWithoutRecovery === true;
    if (force && window !== undefined) {
      throw new AwsError("InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (window !== undefined && (typeof window !== "number" || !Number.isInteger(window) || window < 7 || window > 30)) {
      throw new AwsError("InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    this.notDeleted(secret);
    if (force) this.secrets.delete(secret.name);
    secret.deletedDate = now() + (force ? 0 : ((window as number | undefined) ?? 30) * 86_400);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletedDate };
  }

  private notDeleted(secret: StoredSecret): void {
    if (secret.deletedDate !== undefined) {
      throw new AwsError("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
    }
  }

  private readable(secret: StoredSecret): void {
    this.notDeleted(secret);
    if (this.denied.has(secret.name)) {
      throw new AwsError("AccessDeniedException", "User is not authorized to perform: secretsmanager:GetSecretValue on this resource.");
    }
    if (this.kmsDenied.has(secret.name)) {
      throw new AwsError("DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    }
  }

  private valueEntry(secret: StoredSecret, version: Version): Json {
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      ...(version.string !== undefined ? { SecretString: version.string } : { SecretBinary: version.binary!.toString("base64") }),
      VersionStages: [...version.stages],
      CreatedDate: version.created,
    };
  }

  getValue(input: Json): Json {
    const secret = this.find(input.SecretId);
    this.readable(secret);
    const { VersionId: id, VersionStage: stage } = input;
    let version: Version | undefined;
    if (typeof id === "string") {
      version = secret.versions.get(id);
      if (version && typeof stage === "string" && !version.stages.has(stage)) {
        throw new AwsError("InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId.");
      }
    } else {
      const wanted = typeof stage === "string" ? stage : "AWSCURRENT";
      version = [...secret.versions.values()].find((v) => v.stages.has(wanted));
    }
    if (!version) {
      throw new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for the given version.");
    }
    return this.valueEntry(secret, version);
  }

  batchGetValue(input: Json): Json {
    const ids = input.SecretIdList;
    const filters = input.Filters;
    if ((ids === undefined) === (filters === undefined)) {
      throw new AwsError("InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    }
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > 20) {
        throw new AwsError("InvalidParameterException", "SecretIdList must contain between 1 and 20 secret ids.");
      }
      if (input.MaxResults !== undefined) throw new AwsError("InvalidParameterException", "MaxResults can be used only with Filters.");
      const start = pageStart(input.NextToken);
      const end = this.batchPageSize ? start + this.batchPageSize : ids.length;
      const values: Json[] = [];
      const errors: Json[] = [];
      for (const id of ids.slice(start, end)) {
        try {
          values.push(this.getValue({ SecretId: id }));
        } catch (error) {
          const e = error as AwsError;
          errors.push({ SecretId: id, ErrorCode: e.type, Message: e.message });
        }
      }
      return { SecretValues: values, Errors: errors, ...(end < ids.length ? { NextToken: pageToken(end) } : {}) };
    }
    const { page, next } = this.pageOf(this.filtered(filters), input);
    const values: Json[] = [];
    const errors: Json[] = [];
    for (const secret of page) {
      try {
        values.push(this.getValue({ SecretId: secret.arn }));
      } catch (error) {
        const e = error as AwsError;
        errors.push({ SecretId: secret.arn, ErrorCode: e.type, Message: e.message });
      }
    }
    return { SecretValues: values, Errors: errors, ...next };
  }

  describe(input: Json): Json {
    const secret = this.find(input.SecretId);
    return { ...this.summary(secret), VersionIdsToStages: this.stagesOf(secret) };
  }

  list(input: Json): Json {
    const { page, next } = this.pageOf(this.filtered(input.Filters), input);
    return { SecretList: page.map((s) => ({ ...this.summary(s), SecretVersionsToStages: this.stagesOf(s) })), ...next };
  }

  private summary(secret: StoredSecret): Json {
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
      LastChangedDate: secret.lastChanged,
      CreatedDate: secret.created,
      ...(secret.deletedDate !== undefined ? { DeletedDate: secret.deletedDate } : {}),
      ...(secret.tags.length ? { Tags: secret.tags } : {}),
    };
  }

  private stagesOf(secret: StoredSecret): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of secret.versions.values()) if (v.stages.size) out[v.id] = [...v.stages];
    return out;
  }

  private filtered(filters: unknown): StoredSecret[] {
    const all = [...this.secrets.values()].sort((a, b) => a.created - b.created);
    if (!Array.isArray(filters)) return all;
    return all.filter((s) =>
      (filters as { Key?: string; Values?: string[] }[]).every((f) =>
        (f.Values ?? []).some((value) => {
          const fields =
            f.Key === "name" ? [s.name]
            : f.Key === "description" ? [s.description ?? ""]
            : f.Key === "tag-key" ? s.tags.map((t) => t.Key)
            : f.Key === "tag-value" ? s.tags.map((t) => t.Value)
            : [s.name, s.description ?? "", ...s.tags.flatMap((t) => [t.Key, t.Value])];
          return fields.some((field) => field.startsWith(value));
        }),
      ),
    );
  }

  private pageOf(items: StoredSecret[], input: Json): { page: StoredSecret[]; next: Json } {
    const max = input.MaxResults ?? 100;
    if (typeof max !== "number" || max < 1 || max > 100) throw new AwsError("InvalidParameterException", "MaxResults must be 1 to 100.");
    const start = pageStart(input.NextToken);
    const end = start + max;
    return { page: items.slice(start, end), next: end < items.length ? { NextToken: pageToken(end) } : {} };
  }
}

function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64");
}

function pageStart(token: unknown): number {
  if (token === undefined) return 0;
  try {
    const offset = (JSON.parse(Buffer.from(String(token), "base64").toString()) as { offset?: unknown }).offset;
    if (typeof offset === "number" && offset >= 0) return offset;
  } catch {
    // fall through to the documented error
  }
  throw new AwsError("InvalidNextTokenException", "The NextToken value is invalid.");
}
