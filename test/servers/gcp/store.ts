/**
 * The state behind the GCP Secret Manager test server, and AccessSecretVersion's documented
 * behaviour: `latest` is the newest version whatever its state; a DISABLED or DESTROYED version
 * answers 400 FAILED_PRECONDITION "Secret Version [...] is in DISABLED state."; an unknown secret
 * 404 NOT_FOUND; an IAM refusal 403 PERMISSION_DENIED "(or it may not exist)". Answers name the
 * project by number, as the real service does.
 */
import { crc32c } from "../../../src/providers/gcp-sm/crc32c.ts";

export type VersionState = "ENABLED" | "DISABLED" | "DESTROYED";

export interface GoogleErrorBody {
  readonly code: number;
  readonly message: string;
  readonly status: string;
}

export type AccessResult =
  | { readonly ok: true; readonly name: string; readonly data: Uint8Array; readonly dataCrc32c: string | undefined }
  | { readonly ok: false; readonly error: GoogleErrorBody };

interface Version {
  data: Uint8Array;
  state: VersionState;
  /** undefined: the true CRC32C; null: omit the field; a string: send this (wrong) value. */
  crc32c: string | null | undefined;
}

interface Secret {
  readonly versions: Version[];
  readonly aliases: Map<string, number>;
}

export interface AddVersionOptions {
  readonly state?: VersionState;
  /** Send this CRC32C instead of the true one (corruption), or null to omit the field. */
  readonly crc32c?: string | null;
}

/** What CreateSecret and AddSecretVersion answer: the created resource's name (project by number). */
export type WriteAnswer = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly error: GoogleErrorBody };

const NAME = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/;
const PROJECT_NAME = /^projects\/([^/]+)$/;
const SECRET_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

export function googleError(code: number, status: string, message: string): GoogleErrorBody {
  return { code, status, message };
}

export class SecretStore {
  /** Project id → project number. */
  readonly #projects = new Map<string, string>();
  readonly #secrets = new Map<string, Secret>();
  /** `project` or `project/secret` the caller may not read. */
  readonly #denied = new Set<string>();

  constructor(projects: Readonly<Record<string, number>>) {
    for (const [id, number] of Object.entries(projects)) this.#projects.set(id, String(number));
  }

  /** Add the next version (1, 2, …) of a secret, creating it; returns its number. */
  addVersion(project: string, secret: string, data: string | Uint8Array, options: AddVersionOptions = {}): number {
    const entry = this.#secret(project, secret, true)!;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    entry.versions.push({ data: bytes, state: options.state ?? "ENABLED", crc32c: options.crc32c });
    return entry.versions.length;
  }

  setState(project: string, secret: string, version: number, state: VersionState): void {
    const entry = this.#secret(project, secret, false)?.versions[version - 1];
    if (!entry) throw new Error(`no version ${version} of ${project}/${secret}`);
    entry.state = state;
    if (state === "DESTROYED") entry.data = new Uint8Array();
  }

  setAlias(project: string, secret: string, alias: string, version: number): void {
    this.#secret(project, secret, false)!.aliases.set(alias, version);
  }

  deny(project: string, secret?: string): void {
    this.#denied.add(secret === undefined ? project : `${project}/${secret}`);
  }

  allow(project: string, secret?: string): void {
    this.#denied.delete(secret === undefined ? project : `${project}/${secret}`);
  }

  access(requested: string): AccessResult {
    const match = NAME.exec(requested);
    if (!match) return { ok: false, error: googleError(400, "INVALID_ARGUMENT", "Invalid resource field value in the request.") };
    const [, projectRef, secretId, versionRef] = match as unknown as [string, string, string, string];
    const project = this.#projectId(projectRef);
    if (project === undefined || this.#denied.has(project) || this.#denied.has(`${project}/${secretId}`)) {
      const message = `Permission 'secretmanager.versions.access' denied for resource '${requested}' (or it may not exist).`;
      return { ok: false, error: googleError(403, "PERMISSION_DENIED", message) };
    }
    const secretName = `projects/${this.#projects.get(project)}/secrets/${secretId}`;
    const secret = this.#secret(project, secretId, false);
    if (!secret || secret.versions.length === 0) {
      return { ok: false, error: googleError(404, "NOT_FOUND", `Secret [${secretName}] not found or has no versions.`) };
    }
    const number = versionRef === "latest" ? secret.versions.length : (secret.aliases.get(versionRef) ?? Number(versionRef));
    const version = Number.isInteger(number) ? secret.versions[number - 1] : undefined;
    const name = `${secretName}/versions/${number}`;
    if (!version) {
      return { ok: false, error: googleError(404, "NOT_FOUND", `Secret Version [${secretName}/versions/${versionRef}] not found.`) };
    }
    if (version.state !== "ENABLED") {
      return { ok: false, error: googleError(400, "FAILED_PRECONDITION", `Secret Version [${name}] is in ${version.state} state.`) };
    }
    const dataCrc32c = version.crc32c === null ? undefined : (version.crc32c ?? String(crc32c(version.data)));
    return { ok: true, name, data: version.data, dataCrc32c };
  }

  /** CreateSecret under `parent` (`projects/<id or number>`): an empty secret; 409 ALREADY_EXISTS when it is there. */
  createSecret(parent: string, secretId: string): WriteAnswer {
    const projectRef = PROJECT_NAME.exec(parent)?.[1];
    if (projectRef === undefined || !SECRET_ID.test(secretId)) {
      return { ok: false, error: googleError(400, "INVALID_ARGUMENT", "Invalid resource field value in the request.") };
    }
    const refused = this.#refusal(projectRef, secretId, "secretmanager.secrets.create", parent);
    if (refused) return refused;
    const project = this.#projectId(projectRef)!;
    const name = `projects/${this.#projects.get(project)}/secrets/${secretId}`;
    if (this.#secret(project, secretId, false)) return { ok: false, error: googleError(409, "ALREADY_EXISTS", `Secret [${name}] already exists.`) };
    this.#secret(project, secretId, true);
    return { ok: true, name };
  }

  /** AddSecretVersion to `parent` (`projects/<p>/secrets/<s>`); a sent CRC32C must match the data, as the service checks. */
  addSecretVersion(parent: string, data: Uint8Array, dataCrc32c: string | undefined): WriteAnswer {
    const match = SECRET_NAME.exec(parent);
    if (!match) return { ok: false, error: googleError(400, "INVALID_ARGUMENT", "Invalid resource field value in the request.") };
    const [, projectRef, secretId] = match as unknown as [string, string, string];
    const refused = this.#refusal(projectRef, secretId, "secretmanager.versions.add", parent);
    if (refused) return refused;
    const project = this.#projectId(projectRef)!;
    const secretName = `projects/${this.#projects.get(project)}/secrets/${secretId}`;
    if (!this.#secret(project, secretId, false)) return { ok: false, error: googleError(404, "NOT_FOUND", `Secret [${secretName}] not found.`) };
    if (dataCrc32c !== undefined && dataCrc32c !== String(crc32c(data))) {
      return { ok: false, error: googleError(400, "INVALID_ARGUMENT", "The checksum in field SecretPayload.data_crc32c does not match the data in field SecretPayload.data.") };
    }
    return { ok: true, name: `${secretName}/versions/${this.addVersion(project, secretId, data)}` };
  }

  /** The 403 for an unknown project or a denied project or secret, as IAM words it. */
  #refusal(projectRef: string, secretId: string, permission: string, resource: string): WriteAnswer | undefined {
    const project = this.#projectId(projectRef);
    if (project !== undefined && !this.#denied.has(project) && !this.#denied.has(`${project}/${secretId}`)) return undefined;
    return { ok: false, error: googleError(403, "PERMISSION_DENIED", `Permission '${permission}' denied for resource '${resource}' (or it may not exist).`) };
  }

  #projectId(ref: string): string | undefined {
    if (this.#projects.has(ref)) return ref;
    return [...this.#projects].find(([, number]) => number === ref)?.[0];
  }

  #secret(project: string, secret: string, create: boolean): Secret | undefined {
    if (!this.#projects.has(project)) {
      if (!create) return undefined;
      this.#projects.set(project, String(100000000000 + this.#projects.size + 1));
    }
    const key = `${project}/${secret}`;
    let entry = this.#secrets.get(key);
    if (!entry && create) this.#secrets.set(key, (entry = { versions: [], aliases: new Map() }));
    return entry;
  }
}
