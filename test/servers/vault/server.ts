/**
 * A local server speaking the subset of the Vault HTTP API (v1) that a secrets reader uses:
 * KV v1 and v2 reads/writes (versions, deleted, destroyed; KV v2 soft delete of versions), ACL policies (403), token, AppRole and
 * Kubernetes logins, lookup-self / renew-self, namespaces (X-Vault-Namespace), sys/health,
 * sys/seal-status, sys/internal/ui/mounts and a sealed state, plus shared fault injection.
 * A database secrets engine (`mountDatabase`) issues new credentials with a lease on each read of
 * `<mount>/creds/<role>`; sys/leases/renew (capped at the role's max TTL) and sys/leases/revoke.
 * Like `vault server -dev`, the root namespace starts with `secret/` mounted as KV v2.
 */
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { applyFault, FaultQueue } from "../faults.ts";
import { listenOnLoopback } from "../listen.ts";
import {
  authBlock, capabilities, describeMount, findDatabaseMount, findMount, hasMountAccess, issueCredentials, newDatabaseMount, renewLease, issueToken, lookupBlock, newKvMount, newNamespace, trimSlashes,
  type AppRole, type Capability, type DatabaseRole, type KubernetesRole, type KvVersion, type Namespace, type TokenEntry, type TokenSpec,
} from "./state.ts";

export interface VaultServerOptions {
  /** Serve HTTPS with this PEM key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** The root token's id (like `vault server -dev -dev-root-token-id`). */
  readonly rootToken?: string;
}

/** What the server saw; never the token or body, so logs of it cannot leak. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly namespace: string;
}

interface InNamespace {
  readonly namespace?: string;
}

export interface VaultTestServer {
  readonly url: string;
  readonly rootToken: string;
  readonly faults: FaultQueue;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
  mountKv(path: string, version: 1 | 2, options?: InNamespace): void;
  /** Write a secret; returns the new KV v2 version (1 for KV v1). */
  putSecret(mount: string, path: string, data: Record<string, unknown>, options?: InNamespace): number;
  deleteVersion(mount: string, path: string, version: number, options?: InNamespace): void;
  destroyVersion(mount: string, path: string, version: number, options?: InNamespace): void;
  setPolicy(name: string, rules: Record<string, readonly Capability[]>, options?: InNamespace): void;
  createToken(spec: TokenSpec, options?: InNamespace): string;
  addAppRole(name: string, role: AppRole, options?: InNamespace & { mount?: string }): void;
  addKubernetesRole(name: string, role: KubernetesRole, options?: InNamespace & { mount?: string }): void;
  /** Mount a database secrets engine at `path` (`vault secrets enable -path=<path> database`). */
  mountDatabase(path: string, options?: InNamespace): void;
  addDatabaseRole(mount: string, name: string, role: DatabaseRole, options?: InNamespace): void;
  /** Every lease issued so far, ids included (tests check they never leak). */
  leases(options?: InNamespace): ReadonlyArray<{ readonly id: string; readonly expiresAt: number; readonly revoked: boolean; readonly renewals: number }>;
  /** Make a token invalid, as if its TTL ran out. */
  expireToken(id: string): void;
  /** Tokens issued by logins so far (for asserting "one login"). */
  readonly logins: number;
  /** Most requests in progress at once (for asserting bounded concurrency). */
  readonly maxInFlight: number;
  seal(): void;
  unseal(): void;
}

type Json = Record<string, unknown>;
type Reply = readonly [status: number, body?: Json];

const PERMISSION_DENIED: Reply = [403, { errors: ["1 error occurred:\n\t* permission denied\n\n"] }];
const NOT_FOUND: Reply = [404, { errors: [] }];
const KV1_LEASE = 2_764_800; // Vault's default 768h, returned as lease_duration on KV v1 reads

const envelope = (data: unknown, extra: Json = {}): Json => ({
  request_id: randomUUID(), lease_id: "", renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, ...extra,
});

const metadataOf = (version: KvVersion, number: number): Json => ({
  created_time: version.createdTime, custom_metadata: null, deletion_time: version.deletionTime, destroyed: version.destroyed, version: number,
});

export async function startVaultServer(options: VaultServerOptions = {}): Promise<VaultTestServer> {
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const namespaces = new Map<string, Namespace>();
  const tokens = new Map<string, TokenEntry>();
  let sealed = false;
  let logins = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const ns = (name = ""): Namespace => {
    const key = trimSlashes(name);
    if (!namespaces.has(key)) namespaces.set(key, newNamespace());
    return namespaces.get(key)!;
  };
  const kvMount = (mount: string, namespace?: string) => {
    const found = ns(namespace).kv.get(trimSlashes(mount));
    if (!found) throw new Error(`test setup: no KV mount "${mount}"`);
    return found;
  };
  const versionOf = (mount: string, path: string, version: number, namespace?: string): KvVersion => {
    const found = kvMount(mount, namespace).v2.get(trimSlashes(path))?.[version - 1];
    if (!found) throw new Error(`test setup: no version ${version} of "${path}"`);
    return found;
  };
  const rootToken = issueToken("", { policies: ["root"], id: options.rootToken ?? `hvs.${randomUUID()}` }, "auth/token/root", null, Date.now());
  tokens.set(rootToken.id, rootToken);
  ns().kv.set("secret", newKvMount("secret", 2));

  const login = (namespace: string, spec: TokenSpec, path: string, meta: Record<string, string>): Reply => {
    const token = issueToken(namespace, spec, path, meta, Date.now());
    tokens.set(token.id, token);
    logins++;
    return [200, envelope(null, { auth: authBlock(token, token.ttl), mount_type: "" })];
  };

  function handleLogin(space: Namespace, namespace: string, mount: string, body: Json): Reply {
    const approle = space.approle.get(mount);
    if (approle) {
      const role = [...approle.entries()].find(([, r]) => r.roleId === body.role_id);
      if (!role || !role[1].secretIds.includes(String(body.secret_id ?? ""))) return [400, { errors: ["invalid role or secret ID"] }];
      return login(namespace, role[1], `auth/${mount}/login`, { role_name: role[0] });
    }
    const kubernetes = space.kubernetes.get(mount);
    if (kubernetes) {
      if (typeof body.role !== "string" || !body.role) return [400, { errors: ["missing role"] }];
      const role = kubernetes.get(body.role);
      if (!role) return [400, { errors: [`invalid role name "${body.role}"`] }];
      if (!role.jwts.includes(String(body.jwt ?? ""))) return PERMISSION_DENIED;
      return login(namespace, role, `auth/${mount}/login`, { role: body.role, service_account_name: "app", service_account_namespace: "default" });
    }
    return [404, { errors: [`no handler for route "auth/${mount}/login". route entry not found.`] }];
  }

  function renewSelf(token: TokenEntry, body: Json): Reply {
    if (!token.renewable) return [400, { errors: ["lease is not renewable"] }];
    const now = Date.now();
    const requested = Number(body.increment ?? token.ttl) || token.ttl;
    const maxLeft = Math.max(0, Math.floor((token.issued + token.maxTtl * 1000 - now) / 1000));
    const ttl = Math.min(requested, maxLeft);
    token.ttl = ttl;
    token.expiresAt = now + ttl * 1000;
    const warnings = ttl < requested ? [`TTL of "${requested}s" exceeded the effective max_ttl of "${ttl}s"; TTL value is capped accordingly`] : null;
    return [200, envelope(null, { auth: authBlock(token, ttl), warnings })];
  }

  function handleKv(space: Namespace, token: TokenEntry, method: string, apiPath: string, query: URLSearchParams, body: Json): Reply {
    const found = findMount(space, apiPath);
    if (!found) return [404, { errors: [`no handler for route "${apiPath}". route entry not found.`] }];
    const { mount, rest } = found;
    const isWrite = method === "POST" || method === "PUT";
    const caps = capabilities(space, token, apiPath);
    if (mount.version === 1) {
      if (!caps.has(isWrite ? (mount.v1.has(rest) ? "update" : "create") : "read")) return PERMISSION_DENIED;
      if (isWrite) return (mount.v1.set(rest, body), [204]);
      const data = mount.v1.get(rest);
      return data ? [200, envelope(data, { lease_duration: KV1_LEASE, mount_type: "kv" })] : NOT_FOUND;
    }
    const [, op, path] = /^(data|metadata|delete)\/(.+)$/.exec(rest) ?? [];
    if (!op || !path) return NOT_FOUND;
    const versions = mount.v2.get(path);
    if (op === "delete") return softDelete(caps, isWrite, versions, body);
    if (!caps.has(isWrite ? (versions ? "update" : "create") : "read")) return PERMISSION_DENIED;
    if (op === "metadata") return NOT_FOUND; // not modelled: readers do not need it
    if (isWrite) {
      if (typeof body.data !== "object" || body.data === null) return [400, { errors: ["no data provided"] }];
      const list = versions ?? [];
      list.push({ data: body.data as Json, createdTime: new Date().toISOString(), deletionTime: "", destroyed: false });
      mount.v2.set(path, list);
      return [200, envelope(metadataOf(list.at(-1)!, list.length), { mount_type: "kv" })];
    }
    if (!versions) return NOT_FOUND;
    const asked = Number(query.get("version") ?? 0);
    if (!Number.isInteger(asked) || asked < 0) return [400, { errors: ["invalid version"] }];
    const number = asked || versions.length;
    const version = versions[number - 1];
    if (!version) return NOT_FOUND;
    const data = version.destroyed || version.deletionTime ? null : version.data;
    // Vault answers a deleted or destroyed version with 404 and the metadata in the body.
    return [data ? 200 : 404, envelope({ data, metadata: metadataOf(version, number) }, { mount_type: "kv" })];
  }

  /** `POST <mount>/delete/<path>` with `{"versions": [n…]}`: marks those versions deleted (undeletable), needs "update". */
  function softDelete(caps: Set<Capability>, isWrite: boolean, versions: KvVersion[] | undefined, body: Json): Reply {
    if (!isWrite) return [405, { errors: ["unsupported operation"] }];
    if (!caps.has("update")) return PERMISSION_DENIED;
    const numbers = body.versions;
    if (!Array.isArray(numbers) || numbers.length === 0 || !numbers.every((n) => Number.isInteger(n))) {
      return [400, { errors: ["no version number provided"] }];
    }
    const now = new Date().toISOString();
    for (const number of numbers as number[]) {
      const version = versions?.[number - 1];
      if (version && !version.destroyed && !version.deletionTime) version.deletionTime = now;
    }
    return [204];
  }

  function preflight(space: Namespace, token: TokenEntry, path: string): Reply {
    const denied: Reply = [403, { errors: [`preflight capability check returned 403, please ensure client's policies grant access to path "${path}/"`] }];
    const mount = describeMount(space, path);
    if (!mount || !hasMountAccess(space, token, mount.path)) return denied;
    return [200, envelope({
      accessor: mount.accessor,
      config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
      description: mount.type === "kv" ? "key/value secret storage" : "",
      external_entropy_access: false,
      local: false,
      options: mount.options,
      path: `${mount.path}/`,
      plugin_version: "",
      running_plugin_version: "v0.20.0+builtin",
      running_sha256: "",
      seal_wrap: false,
      type: mount.type,
      uuid: mount.uuid,
    })];
  }

  /** `GET <mount>/creds/<role>`: new credentials under a new lease, as Vault's database engine answers. */
  function readCredentials(space: Namespace, token: TokenEntry, apiPath: string): Reply {
    const { mount, rest } = findDatabaseMount(space, apiPath)!;
    if (!capabilities(space, token, apiPath).has("read")) return PERMISSION_DENIED;
    const role = /^creds\/([^/]+)$/.exec(rest)?.[1];
    if (!role) return [404, { errors: [`no handler for route "${apiPath}". route entry not found.`] }];
    if (!mount.roles.has(role)) return [400, { errors: [`unknown role: ${role}`] }];
    const { lease, data } = issueCredentials(space, mount, role, Date.now());
    return [200, envelope(data, { lease_id: lease.id, renewable: lease.renewable, lease_duration: mount.roles.get(role)!.ttl, mount_type: "database" })];
  }

  /** sys/leases/renew (every token may, as Vault's default policy grants) and sys/leases/revoke (needs "update" on it). */
  function handleLease(space: Namespace, token: TokenEntry, op: "renew" | "revoke", body: Json): Reply {
    const lease = space.leases.get(String(body.lease_id ?? ""));
    if (op === "revoke") {
      if (!capabilities(space, token, "sys/leases/revoke").has("update")) return PERMISSION_DENIED;
      if (lease) lease.revoked = true;
      return [204]; // Vault answers 204 for an unknown lease too
    }
    const increment = body.increment === undefined ? undefined : Number(String(body.increment).replace(/s$/, ""));
    if (increment !== undefined && !(Number.isInteger(increment) && increment >= 0)) return [400, { errors: ["invalid increment"] }];
    const renewed = renewLease(lease, increment || undefined, Date.now());
    if (typeof renewed === "string") return [400, { errors: [renewed] }];
    const warnings = renewed.ttl < renewed.requested
      ? [`TTL of "${renewed.requested}s" exceeded the effective max_ttl of "${renewed.ttl}s"; TTL value is capped accordingly`]
      : null;
    return [200, envelope(null, { lease_id: lease!.id, renewable: lease!.renewable, lease_duration: renewed.ttl, warnings })];
  }

  function health(query: URLSearchParams): Reply {
    const code = (name: string, fallback: number) => Number(query.get(name) ?? fallback);
    const body = {
      initialized: true, sealed, standby: false, performance_standby: false, replication_performance_mode: "disabled",
      replication_dr_mode: "disabled", server_time_utc: Math.floor(Date.now() / 1000), version: "1.17.0", enterprise: false,
      ...(sealed ? {} : { cluster_name: "vault-cluster-test", cluster_id: "6d4e4f1a-0000-4000-8000-000000000000" }),
    };
    return [sealed ? code("sealedcode", 503) : code("activecode", 200), body];
  }

  function route(request: IncomingMessage, bodyText: string): Reply {
    const url = new URL(request.url ?? "/", "http://vault");
    const method = request.method ?? "GET";
    if (!url.pathname.startsWith("/v1/")) return NOT_FOUND;
    const apiPath = trimSlashes(decodeURIComponent(url.pathname.slice(4)));
    if (apiPath === "sys/health") return health(url.searchParams);
    if (apiPath === "sys/seal-status") {
      return [200, { type: "shamir", initialized: true, sealed, t: 1, n: 1, progress: 0, nonce: "", version: "1.17.0", migration: false, recovery_seal: false, storage_type: "inmem" }];
    }
    if (sealed) return [503, { errors: ["Vault is sealed"] }];
    let body: Json = {};
    try {
      body = bodyText ? (JSON.parse(bodyText) as Json) : {};
    } catch {
      return [400, { errors: ["failed to parse JSON input"] }];
    }
    const namespace = trimSlashes(String(request.headers["x-vault-namespace"] ?? ""));
    const space = namespaces.get(namespace);
    if (!space) return [404, { errors: [`no handler for route "${apiPath}". route entry not found.`] }];
    const loginMount = /^auth\/(.+)\/login$/.exec(apiPath)?.[1];
    if (loginMount && loginMount !== "token" && method === "POST") return handleLogin(space, namespace, loginMount, body);

    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const token = tokens.get(String(request.headers["x-vault-token"] ?? bearer ?? ""));
    const valid = token && Date.now() < token.expiresAt && (token.namespace === namespace || token.policies.includes("root"));
    if (!valid) return PERMISSION_DENIED;
    if (apiPath === "auth/token/lookup-self" && method === "GET") return [200, envelope(lookupBlock(token, Date.now()))];
    if (apiPath === "auth/token/renew-self" && (method === "POST" || method === "PUT")) return renewSelf(token, body);
    if (apiPath.startsWith("sys/internal/ui/mounts/") && method === "GET") return preflight(space, token, apiPath.slice(23));
    const leaseOp = /^sys\/leases\/(renew|revoke)$/.exec(apiPath)?.[1] as "renew" | "revoke" | undefined;
    if (leaseOp && (method === "PUT" || method === "POST")) return handleLease(space, token, leaseOp, body);
    if (findDatabaseMount(space, apiPath) && method === "GET") return readCredentials(space, token, apiPath);
    if (method === "GET" || method === "POST" || method === "PUT") return handleKv(space, token, method, apiPath, url.searchParams, body);
    return [405, { errors: [`unsupported operation`] }];
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    response.once("close", () => inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const bodyText = Buffer.concat(chunks).toString("utf8");
    const url = new URL(request.url ?? "/", "http://vault");
    const namespace = trimSlashes(String(request.headers["x-vault-namespace"] ?? ""));
    requests.push({ method: request.method ?? "GET", path: url.pathname, query: url.search, namespace });
    const fault = faults.take(request, bodyText);
    if (fault && (await applyFault(fault, response))) return;
    const [status, body] = route(request, bodyText);
    response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  }

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ errors: ["internal error"] }));
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  const port = await listenOnLoopback(server);

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    rootToken: rootToken.id,
    faults,
    requests,
    get logins() {
      return logins;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    mountKv: (path, version, { namespace } = {}) => void ns(namespace).kv.set(trimSlashes(path), newKvMount(path, version)),
    putSecret(mount, path, data, { namespace } = {}) {
      const target = kvMount(mount, namespace);
      if (target.version === 1) return (target.v1.set(trimSlashes(path), data), 1);
      const list = target.v2.get(trimSlashes(path)) ?? [];
      list.push({ data, createdTime: new Date().toISOString(), deletionTime: "", destroyed: false });
      target.v2.set(trimSlashes(path), list);
      return list.length;
    },
    deleteVersion: (mount, path, version, { namespace } = {}) => void (versionOf(mount, path, version, namespace).deletionTime = new Date().toISOString()),
    destroyVersion: (mount, path, version, { namespace } = {}) => void (versionOf(mount, path, version, namespace).destroyed = true),
    setPolicy: (name, rules, { namespace } = {}) => void ns(namespace).policies.set(name, rules),
    createToken(spec, { namespace = "" } = {}) {
      const token = issueToken(trimSlashes(namespace), spec, "auth/token/create", null, Date.now());
      tokens.set(token.id, token);
      return token.id;
    },
    addAppRole(name, role, { namespace, mount = "approle" } = {}) {
      const space = ns(namespace);
      if (!space.approle.has(mount)) space.approle.set(mount, new Map());
      space.approle.get(mount)!.set(name, role);
    },
    addKubernetesRole(name, role, { namespace, mount = "kubernetes" } = {}) {
      const space = ns(namespace);
      if (!space.kubernetes.has(mount)) space.kubernetes.set(mount, new Map());
      space.kubernetes.get(mount)!.set(name, role);
    },
    mountDatabase: (path, { namespace } = {}) => void ns(namespace).database.set(trimSlashes(path), newDatabaseMount(path)),
    addDatabaseRole(mount, name, role, { namespace } = {}) {
      const found = ns(namespace).database.get(trimSlashes(mount));
      if (!found) throw new Error(`test setup: no database mount "${mount}"`);
      found.roles.set(name, role);
    },
    leases: ({ namespace } = {}) => [...ns(namespace).leases.values()].map(({ id, expiresAt, revoked, renewals }) => ({ id, expiresAt, revoked, renewals })),
    expireToken(id) {
      const token = tokens.get(id);
      if (token) token.expiresAt = 0;
    },
    seal: () => void (sealed = true),
    unseal: () => void (sealed = false),
  };
}
