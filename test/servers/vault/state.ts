/**
 * In-memory state of the Vault test server: namespaces, each with KV mounts, database mounts
 * (dynamic credentials with leases), auth mounts, ACL policies and tokens. Shapes follow Vault's
 * HTTP API docs (kv-v1, kv-v2, database, sys/leases, token, approle, kubernetes); only what a
 * secrets reader needs is modelled.
 */
import { randomUUID } from "node:crypto";

export type Capability = "create" | "read" | "update" | "delete" | "list" | "sudo" | "deny";

export interface KvVersion {
  data: Record<string, unknown> | null;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface KvMount {
  readonly path: string; // without trailing slash, e.g. "kv/team-a"
  readonly version: 1 | 2;
  readonly accessor: string;
  readonly uuid: string;
  /** v1: path → data; v2: path → versions (index 0 is version 1). */
  readonly v1: Map<string, Record<string, unknown>>;
  readonly v2: Map<string, KvVersion[]>;
}

export interface TokenEntry {
  readonly id: string;
  readonly accessor: string;
  readonly namespace: string;
  readonly policies: readonly string[];
  readonly renewable: boolean;
  /** Seconds; 0 means no expiry (root tokens). */
  ttl: number;
  readonly maxTtl: number;
  readonly issued: number;
  expiresAt: number;
  readonly path: string;
  readonly meta: Record<string, string> | null;
}

export interface TokenSpec {
  readonly policies: readonly string[];
  readonly ttl?: number;
  readonly maxTtl?: number;
  readonly renewable?: boolean;
  /** Fixed token id (tests use sentinel values). */
  readonly id?: string;
}

export interface AppRole extends TokenSpec {
  readonly roleId: string;
  readonly secretIds: readonly string[];
}

export interface KubernetesRole extends TokenSpec {
  /** Service-account JWTs this role accepts (the real server asks the TokenReview API). */
  readonly jwts: readonly string[];
}

/** A database secrets engine role: each read of `<mount>/creds/<role>` creates new credentials with a lease. */
export interface DatabaseRole {
  /** Seconds: the lease each read and each renewal grants by default (Vault's default_ttl). */
  readonly ttl: number;
  /** Seconds from the read: no renewal extends the lease past this (Vault's max_ttl). */
  readonly maxTtl: number;
  /** Default true; false models engines whose leases cannot be renewed. */
  readonly renewable?: boolean;
  /** The credentials of the n-th read (1, 2, …); tests pass sentinel values. Default random ones. */
  readonly credentials?: (serial: number) => { readonly username: string; readonly password: string };
}

export interface DatabaseMount {
  readonly path: string;
  readonly accessor: string;
  readonly uuid: string;
  readonly roles: Map<string, DatabaseRole>;
  /** Reads so far, numbering the credentials. */
  reads: number;
}

/** A lease on dynamic credentials; `expiresAt` is when Vault revokes them. */
export interface Lease {
  readonly id: string;
  readonly renewable: boolean;
  readonly issued: number;
  /** Seconds from `issued`. */
  readonly maxTtl: number;
  /** Seconds, what a renewal grants when it asks for no increment. */
  readonly defaultTtl: number;
  expiresAt: number;
  revoked: boolean;
  renewals: number;
}

export interface Namespace {
  readonly kv: Map<string, KvMount>;
  readonly database: Map<string, DatabaseMount>;
  /** By lease id. */
  readonly leases: Map<string, Lease>;
  readonly approle: Map<string, Map<string, AppRole>>; // auth mount → role name → role
  readonly kubernetes: Map<string, Map<string, KubernetesRole>>;
  readonly policies: Map<string, Record<string, readonly Capability[]>>;
}

export const trimSlashes = (path: string): string => path.replace(/^\/+|\/+$/g, "");

export function newNamespace(): Namespace {
  return { kv: new Map(), database: new Map(), leases: new Map(), approle: new Map(), kubernetes: new Map(), policies: new Map() };
}

export function newDatabaseMount(path: string): DatabaseMount {
  const id = randomUUID();
  return { path: trimSlashes(path), accessor: `database_${id.slice(0, 8)}`, uuid: id, roles: new Map(), reads: 0 };
}

export function newKvMount(path: string, version: 1 | 2): KvMount {
  const id = randomUUID();
  return { path: trimSlashes(path), version, accessor: `kv_${id.slice(0, 8)}`, uuid: id, v1: new Map(), v2: new Map() };
}

/** The mount with the longest path that prefixes `apiPath`, and the rest of the path. */
function longestMount<M extends { readonly path: string }>(mounts: Iterable<M>, apiPath: string): { mount: M; rest: string } | undefined {
  let best: M | undefined;
  for (const mount of mounts) {
    if ((apiPath === mount.path || apiPath.startsWith(`${mount.path}/`)) && mount.path.length > (best?.path.length ?? -1)) {
      best = mount;
    }
  }
  return best ? { mount: best, rest: trimSlashes(apiPath.slice(best.path.length)) } : undefined;
}

/** The KV mount holding `apiPath`, and the rest of the path. */
export const findMount = (ns: Namespace, apiPath: string) => longestMount(ns.kv.values(), apiPath);

/** The database mount holding `apiPath`, and the rest of the path. */
export const findDatabaseMount = (ns: Namespace, apiPath: string) => longestMount(ns.database.values(), apiPath);

/** What sys/internal/ui/mounts says about the mount holding `apiPath`, whatever its engine. */
export function describeMount(ns: Namespace, apiPath: string): { path: string; accessor: string; uuid: string; type: string; options: Record<string, string> | null } | undefined {
  const kv = findMount(ns, apiPath);
  const database = findDatabaseMount(ns, apiPath);
  // `vault secrets enable kv` (v1) leaves options empty; KV v2 mounts say version "2".
  if (kv && kv.mount.path.length >= (database?.mount.path.length ?? -1)) {
    return { ...kv.mount, type: "kv", options: kv.mount.version === 2 ? { version: "2" } : null };
  }
  return database ? { ...database.mount, type: "database", options: null } : undefined;
}

/** A read of `<mount>/creds/<role>`: new credentials and their lease, as the database engine issues them. */
export function issueCredentials(ns: Namespace, mount: DatabaseMount, roleName: string, now: number): { lease: Lease; data: Record<string, string> } {
  const role = mount.roles.get(roleName)!;
  const serial = ++mount.reads;
  const random = randomUUID();
  const data = role.credentials?.(serial) ?? { username: `v-token-${roleName}-${random.slice(0, 20)}`, password: randomUUID() };
  const lease: Lease = {
    id: `${mount.path}/creds/${roleName}/${random.replaceAll("-", "").slice(0, 24)}`,
    renewable: role.renewable ?? true,
    issued: now,
    maxTtl: role.maxTtl,
    defaultTtl: role.ttl,
    expiresAt: now + role.ttl * 1000,
    revoked: false,
    renewals: 0,
  };
  ns.leases.set(lease.id, lease);
  return { lease, data: { ...data } };
}

/**
 * sys/leases/renew: the lease gets `increment` seconds (default its role's TTL) from now, capped
 * at its max TTL; a lapsed, revoked or unknown lease is "lease not found", as Vault says.
 */
export function renewLease(lease: Lease | undefined, increment: number | undefined, now: number): { ttl: number; requested: number } | string {
  if (!lease || lease.revoked || now >= lease.expiresAt) return "lease not found";
  if (!lease.renewable) return "lease is not renewable";
  const requested = increment ?? lease.defaultTtl;
  const maxLeft = Math.max(0, Math.floor((lease.issued + lease.maxTtl * 1000 - now) / 1000));
  const ttl = Math.min(requested, maxLeft);
  lease.expiresAt = now + ttl * 1000;
  lease.renewals++;
  return { ttl, requested };
}

/** Vault glob rules: a trailing `*` matches any suffix, a `+` matches one path segment. */
function ruleMatches(rule: string, path: string): boolean {
  const pattern = rule
    .split("/")
    .map((segment) => (segment === "+" ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/")
    .replace(/\\\*$/, ".*");
  return new RegExp(`^${pattern}$`).test(path);
}

/** Capabilities a token has on a namespace-relative API path; `deny` wins over everything. */
export function capabilities(ns: Namespace, token: TokenEntry, path: string): Set<Capability> {
  if (token.policies.includes("root")) return new Set(["create", "read", "update", "delete", "list", "sudo"]);
  const granted = new Set<Capability>();
  for (const name of token.policies) {
    for (const [rule, caps] of Object.entries(ns.policies.get(name) ?? {})) {
      if (ruleMatches(rule, path)) caps.forEach((cap) => granted.add(cap));
    }
  }
  return granted.has("deny") ? new Set() : granted;
}

/** Vault's preflight (sys/internal/ui/mounts) answers only if some policy path lies under the mount. */
export function hasMountAccess(ns: Namespace, token: TokenEntry, mountPath: string): boolean {
  if (token.policies.includes("root")) return true;
  const prefix = `${mountPath}/`;
  return token.policies.some((name) =>
    Object.entries(ns.policies.get(name) ?? {}).some(([rule, caps]) => {
      const fixed = rule.replace(/\*$/, "");
      return !caps.includes("deny") && (fixed.startsWith(prefix) || prefix.startsWith(fixed));
    }),
  );
}

export function issueToken(namespace: string, spec: TokenSpec, path: string, meta: Record<string, string> | null, now: number): TokenEntry {
  const ttl = spec.ttl ?? 0;
  return {
    id: spec.id ?? `hvs.${randomUUID().replaceAll("-", "")}`,
    accessor: randomUUID().replaceAll("-", "").slice(0, 24),
    namespace,
    policies: spec.policies.includes("root") ? ["root"] : ["default", ...spec.policies],
    renewable: spec.renewable ?? ttl > 0,
    ttl,
    maxTtl: spec.maxTtl ?? (ttl > 0 ? ttl * 24 : 0),
    issued: now,
    expiresAt: ttl > 0 ? now + ttl * 1000 : Number.POSITIVE_INFINITY,
    path,
    meta,
  };
}

/** The `auth` block Vault returns from a login or renew-self. */
export function authBlock(token: TokenEntry, leaseDuration: number): Record<string, unknown> {
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: leaseDuration,
    renewable: token.renewable,
    entity_id: "",
    token_type: "service",
    orphan: true,
    mfa_requirement: null,
    num_uses: 0,
  };
}

/** The `data` block of auth/token/lookup-self. */
export function lookupBlock(token: TokenEntry, now: number): Record<string, unknown> {
  const ttl = Number.isFinite(token.expiresAt) ? Math.max(0, Math.round((token.expiresAt - now) / 1000)) : 0;
  return {
    accessor: token.accessor,
    creation_time: Math.floor(token.issued / 1000),
    creation_ttl: token.ttl,
    display_name: token.path.replaceAll("/", "-").replace(/-login$/, ""),
    entity_id: "",
    expire_time: Number.isFinite(token.expiresAt) ? new Date(token.expiresAt).toISOString() : null,
    explicit_max_ttl: 0,
    id: token.id,
    issue_time: new Date(token.issued).toISOString(),
    meta: token.meta,
    num_uses: 0,
    orphan: true,
    path: token.path,
    policies: token.policies,
    renewable: token.renewable,
    ttl,
    type: "service",
  };
}
