/**
 * HashiCorp Vault / OpenBao provider (KV, and dynamic secrets such as database credentials), through node-vault.
 *
 * Refs: `vault://<path>[?mount=<mount>][&version=<n>][#<key>]`
 *   vault://app/db#url                      key `url` of `app/db` in the mount VAULT_MOUNT (default `secret`)
 *   vault://app/db?mount=kv/team-a#url      an explicit mount (nested mounts allowed)
 *   vault://app/db?version=3#url            a pinned KV v2 version
 *   vault://app/token                       a single-key secret's only value
 *   vault://creds/app?mount=database#password  a dynamic secret: `database/creds/app`, read as it is
 * Each mount's engine (KV 1 or 2, or another) is asked once from sys/internal/ui/mounts/<mount>, else
 * taken as KV VAULT_KV_VERSION (default 2). A non-KV read's lease is kept while the runtime refreshes:
 * renewed before it ends, replaced by new credentials when Vault will not extend it, and revoked on
 * close() (see vault/leases.ts). Each distinct mount + path + version is read once, however
 * many keys use it, with at most `concurrency` reads in flight; one login per provider instance.
 * Auth, first configured wins: VAULT_TOKEN, AppRole (VAULT_ROLE_ID + VAULT_SECRET_ID), Kubernetes
 * (VAULT_K8S_ROLE + service-account JWT), then ~/.vault-token (VAULT_AUTH_METHOD forces one).
 * Retries: node-vault has none, so transient failures (5xx, sealed, 429, network, per-request time-out)
 * follow the runtime's one policy (runtime/policy.ts), logins included.
 * Writes (`write`) go to KV v2 only, as a new version with check-and-set; see vault/write.ts. `delete` is
 * recoverable (a version without the key, or a soft delete); see vault/delete.ts.
 */
import { readFile } from "node:fs/promises";
import type NodeVault from "node-vault";
import { mapWithConcurrency, SharedAttempt } from "../runtime/async.ts";
import { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_RETRY_POLICY, requestOptions, retry, retryPolicy, type RetryOptions } from "../runtime/policy.ts";
import { importLib } from "./import-lib.ts";
import { crossesNetworkUnencrypted } from "./plain-http.ts";
import { ProviderWriteError, type Outcome, type ProviderFactory, type ResolveContext, type SecretRef } from "./types.ts";
import { readSettings, type Settings, type VaultOptions } from "./vault/config.ts";
import { describeFailure, safeAddress, toFailure } from "./vault/errors.ts";
import { apiPath, detectMount, parseTarget, pick, readTarget, type MountKind, type ReadResult, type Target } from "./vault/kv.ts";
import { Leases } from "./vault/leases.ts";
import { AuthError, VaultSession } from "./vault/session.ts";
import { createTransport, type Transport } from "./vault/transport.ts";
import { deleteKv2 } from "./vault/delete.ts";
import { writeKv2, type WriteCall } from "./vault/write.ts";

export type { VaultOptions } from "./vault/config.ts";
export const PROVIDER_NAME = "vault";

interface Connection {
  readonly settings: Settings;
  readonly client: NodeVault.client;
  readonly transport: Transport;
  readonly session: VaultSession;
  readonly mountKinds: Map<string, Promise<MountKind>>;
  readonly leases: Leases;
}

async function connect(options: VaultOptions, ctx: ResolveContext): Promise<Connection> {
  let settings: Settings;
  try {
    settings = readSettings(options, ctx.env);
  } catch (error) {
    throw new AuthError("invalid", (error as Error).message);
  }
  const { default: createClient } = await importLib(PROVIDER_NAME, "node-vault", () => import("node-vault"));
  if (settings.skipVerify) {
    ctx.warn(`VAULT_SKIP_VERIFY is set: the TLS certificate of ${safeAddress(settings.address)} is NOT verified, so anyone on the network path can read these secrets; set VAULT_CACERT instead`);
  }
  let ca: string | undefined;
  if (settings.caCert) {
    ca = await readFile(settings.caCert, "utf8").catch((error: { code?: string }) => {
      throw new AuthError("invalid", `cannot read VAULT_CACERT file ${settings.caCert} (${error.code ?? "unreadable"})`);
    });
  }
  if (ctx.production && crossesNetworkUnencrypted(settings.address)) {
    ctx.warn(`VAULT_ADDR is ${safeAddress(settings.address)}, plain http: the token and every secret cross the network unencrypted; use an https:// address`);
  }
  const transport = createTransport({
    address: settings.address,
    ...(ca ? { ca } : {}),
    verifyTls: !settings.skipVerify,
    // A back-stop that frees the socket: retry() gives up on an attempt at the same time-out.
    timeoutMs: retryPolicy(settings.retry, ctx.retryPolicy ?? DEFAULT_RETRY_POLICY).requestTimeoutMs,
    maxAnswerBytes: options.maxAnswerBytes ?? ctx.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
  });
  const client = createClient({
    endpoint: settings.address,
    debug: () => undefined, // node-vault's debug output would print login bodies (secret ids) under DEBUG=node-vault
    "request-promise": transport["request-promise"],
  } as NodeVault.VaultOptions);
  // node-vault's constructor read VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX from process.env: override them.
  client.token = "";
  Object.assign(client, { namespace: settings.namespace, pathPrefix: "" });
  return { settings, client, transport, session: new VaultSession(client, settings), mountKinds: new Map(), leases: new Leases(client, settings.now) };
}

/** A failed login as an AuthError (network trouble is "unavailable"). */
const asAuthError = (error: unknown, settings: Settings): AuthError =>
  error instanceof AuthError ? error : new AuthError("unavailable", `Vault login failed: ${describeFailure(toFailure(error), safeAddress(settings.address))}`);

/** A login or configuration failure, as the error a write throws (anything else, e.g. a missing SDK, passes through). */
function asWriteError(error: unknown): never {
  if (error instanceof AuthError) throw new ProviderWriteError(error.kind, error.message);
  throw error;
}

const errorOutcome = (kind: "denied" | "unavailable" | "invalid", message: string): Outcome => ({ status: "error", kind, message });

/** How a mount is read (KV v1, KV v2 or another engine), asked once per provider instance; a failed lookup is asked again next time. */
function mountKindOf(conn: Connection, mount: string, ctx: ResolveContext): Promise<MountKind> {
  let known = conn.mountKinds.get(mount);
  if (!known) {
    const { settings, client } = conn;
    known = retry((signal) => detectMount(client, mount, signal), retryOptions(settings, ctx)).then((found) => {
      if (found.path !== undefined && found.path !== mount) {
        ctx.warn(`the Vault mount "${mount}" lies inside the mount "${found.path}/": set the mount to "${found.path}" and put the rest in the ref's path`);
      }
      return found.kind ?? settings.kvVersion;
    });
    known.catch(() => conn.mountKinds.delete(mount));
    conn.mountKinds.set(mount, known);
  }
  return known;
}

/** The load's retry policy with this provider's overrides, and Vault's idea of a transient failure. */
const retryOptions = (settings: Settings, ctx: ResolveContext): RetryOptions => ({
  ...requestOptions(ctx, settings.retry),
  isRetryable: (error: unknown) => toFailure(error).transient,
});

/** Read one target and answer for each of its refs. */
async function resolveTarget(conn: Connection, target: Target, ctx: ResolveContext): Promise<Array<[string, Outcome]>> {
  const { settings, client } = conn;
  const all = (outcome: Outcome): Array<[string, Outcome]> => target.refs.map((ref) => [ref.raw, outcome]);
  const refs = target.refs.map((ref) => ref.raw).join(", ");
  const inNamespace = settings.namespace ? ` in namespace "${settings.namespace}"` : "";
  let mountKind: MountKind = settings.kvVersion;
  try {
    mountKind = await mountKindOf(conn, target.mount, ctx);
    if (target.version !== undefined && mountKind !== 2) {
      return all(errorOutcome("invalid", `${refs}: the mount "${target.mount}" is ${mountKind === 1 ? "KV v1" : "not a KV mount"}, which has no versions; drop ?version=`));
    }
    const read = () => retry((signal) => readTarget(client, target, mountKind, signal), retryOptions(settings, ctx));
    const result: ReadResult = mountKind === "other" ? await conn.leases.read(apiPath(target, mountKind), read, ctx.signal, ctx.refreshing === true) : await read();
    const where = apiPath(target, mountKind);
    if (result.kind === "missing") return all({ status: "missing", reason: result.reason });
    return target.refs.map((ref) => [ref.raw, pick(ref, where, result)]);
  } catch (error) {
    const failure = toFailure(error);
    const path = apiPath(target, mountKind);
    if (failure.status === 403 || failure.status === 401) {
      return all(errorOutcome("denied", `Vault denied reading "${path}"${inNamespace} for ${refs} (HTTP ${failure.status}): the token may be expired, or its policy needs path "${path}" { capabilities = ["read"] }`));
    }
    if (failure.transient || failure.code === "ABORTED" || (failure.status === undefined && failure.code !== "MALFORMED")) {
      return all(errorOutcome("unavailable", `${refs}: reading "${path}"${inNamespace} failed: ${describeFailure(failure, safeAddress(settings.address))}`));
    }
    const detail = failure.code === "MALFORMED" ? "an answer that is not Vault JSON" : `HTTP ${failure.status}`;
    return all(errorOutcome("invalid", `${refs}: Vault answered reading "${path}"${inNamespace} with ${detail}; check the ref's mount and path`));
  }
}

const vault: ProviderFactory<VaultOptions> = (options = {}) => {
  /** One connection per provider instance; a failed one is tried again next time. */
  const connection = new SharedAttempt<Connection>();
  const connectOnce = (ctx: ResolveContext): Promise<Connection> => connection.get(() => connect(options, ctx));
  /** Login and target of a write or delete: KV v2 only (versions and check-and-set), never a pinned version. */
  const writeCall = async (ref: SecretRef, ctx: ResolveContext): Promise<WriteCall> => {
    const conn = await connectOnce(ctx).catch(asWriteError);
    const target = parseTarget(ref, conn.settings.mount);
    if (typeof target === "string") throw new ProviderWriteError("invalid", target);
    if (target.version !== undefined) {
      throw new ProviderWriteError("invalid", `${ref.raw} pins ?version=${target.version}: writes and deletes act on the latest version, so drop ?version= from the ref`);
    }
    await conn.session.ensure(retryOptions(conn.settings, ctx)).catch((error: unknown) => asWriteError(asAuthError(error, conn.settings)));
    const mountKind = await mountKindOf(conn, target.mount, ctx).catch((error: unknown) => {
      throw new ProviderWriteError("unavailable", `${ref.raw}: asking Vault for the KV version of the mount "${target.mount}" failed: ${describeFailure(toFailure(error), safeAddress(conn.settings.address))}`);
    });
    if (mountKind !== 2) {
      const what = mountKind === 1 ? "KV v1, which keeps no versions and has no check-and-set" : "not a KV mount, so its secrets are Vault's to make";
      throw new ProviderWriteError("invalid", `${ref.raw}: the mount "${target.mount}" is ${what}; write to a KV v2 mount instead`);
    }
    return {
      client: conn.client,
      target,
      ref,
      signal: ctx.signal,
      retryRead: (read) => retry(() => read(), retryOptions(conn.settings, ctx)),
      address: safeAddress(conn.settings.address),
      namespace: conn.settings.namespace,
    };
  };
  return {
    name: PROVIDER_NAME,
    schemes: ["vault"],
    async resolve(refs, ctx) {
      const out = new Map<string, Outcome>();
      const targets = new Map<string, Target>();
      let conn: Connection;
      try {
        conn = await connectOnce(ctx);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error; // e.g. node-vault not installed: a total failure
        for (const ref of refs) out.set(ref.raw, errorOutcome(error.kind, error.message));
        return out;
      }
      for (const ref of refs) {
        const parsed = parseTarget(ref, conn.settings.mount);
        if (typeof parsed === "string") {
          out.set(ref.raw, errorOutcome("invalid", parsed));
          continue;
        }
        const id = `${parsed.mount}\0${parsed.path}\0${parsed.version ?? ""}`;
        if (!targets.has(id)) targets.set(id, { ...parsed, refs: [] });
        targets.get(id)!.refs.push(ref);
      }
      if (targets.size === 0) return out;
      try {
        await conn.session.ensure(retryOptions(conn.settings, ctx));
      } catch (error) {
        const failure = asAuthError(error, conn.settings);
        for (const target of targets.values()) for (const ref of target.refs) out.set(ref.raw, errorOutcome(failure.kind, failure.message));
        return out;
      }
      const answers = await mapWithConcurrency([...targets.values()], conn.settings.concurrency, (target) => resolveTarget(conn, target, ctx));
      for (const [raw, outcome] of answers.flat()) out.set(raw, outcome);
      return out;
    },
    async write(ref, value, ctx) {
      return writeKv2(await writeCall(ref, ctx), value);
    },
    async delete(ref, ctx) {
      return deleteKv2(await writeCall(ref, ctx));
    },
    async close() {
      const conn = await connection.forget()?.catch(() => undefined);
      await conn?.leases.revokeAll(); // while the token still works
      conn?.session.close();
      conn?.transport.close();
    },
  };
};

export default vault;
