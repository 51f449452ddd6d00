/** Vault provider settings: explicit options first, then the injected environment, then defaults. */
import { homedir } from "node:os";
import { join } from "node:path";
import type { RetryPolicyOptions } from "../../runtime/policy.ts";

/** Schedules renewals; injectable so tests can fire them by hand. */
export interface Scheduler {
  set(run: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export interface VaultOptions {
  /** Server address. Env VAULT_ADDR, default http://127.0.0.1:8200. */
  readonly address?: string;
  /** KV mount used when a ref names none. Env VAULT_MOUNT, default `secret`; nested mounts such as `kv/team-a` work. */
  readonly mount?: string;
  /** KV version assumed when the mount cannot be inspected (no access to sys/internal/ui/mounts). Env VAULT_KV_VERSION, default 2. */
  readonly kvVersion?: 1 | 2;
  /** Enterprise/OpenBao namespace, sent as X-Vault-Namespace. Env VAULT_NAMESPACE. */
  readonly namespace?: string;
  /** Force an auth method instead of picking from what is configured. Env VAULT_AUTH_METHOD. */
  readonly authMethod?: "token" | "approle" | "kubernetes";
  /** Env VAULT_TOKEN; else the file `~/.vault-token` that `vault login` writes. */
  readonly token?: string;
  /** AppRole credentials. Env VAULT_ROLE_ID, VAULT_SECRET_ID; mount env VAULT_APPROLE_MOUNT, default `approle`. */
  readonly roleId?: string;
  readonly secretId?: string;
  readonly approleMount?: string;
  /** Kubernetes auth role. Env VAULT_K8S_ROLE; mount env VAULT_K8S_MOUNT, default `kubernetes`. */
  readonly kubernetesRole?: string;
  readonly kubernetesMount?: string;
  /** Service-account JWT file. Env VAULT_K8S_TOKEN_PATH, default /var/run/secrets/kubernetes.io/serviceaccount/token. */
  readonly kubernetesTokenPath?: string;
  /** PEM file of the CA that signed Vault's certificate. Env VAULT_CACERT. */
  readonly caCert?: string;
  /** Disable TLS verification (warned about loudly). Env VAULT_SKIP_VERIFY. */
  readonly skipVerify?: boolean;
  /** Home directory holding `.vault-token`; default the user's. */
  readonly homeDir?: string;
  /** Secret paths read at once. Default 8. */
  readonly concurrency?: number;
  /** Per-request timeout for this provider only; default LoadOptions.retry.requestTimeoutMs. */
  readonly requestTimeoutMs?: number;
  /** Overrides of LoadOptions.retry for this provider only (attempts, back-off); default the load's policy. */
  readonly retry?: RetryPolicyOptions & { readonly random?: () => number };
  /** Largest answer read from Vault; default LoadOptions.maxAnswerBytes (512 KiB). */
  readonly maxAnswerBytes?: number;
  /** Renew a login token when this fraction of its TTL has passed. Default 2/3. */
  readonly renewFraction?: number;
  readonly scheduler?: Scheduler;
  readonly now?: () => number;
}

export type AuthConfig =
  | { readonly method: "token"; readonly token?: string; readonly tokenFile: string }
  | { readonly method: "approle"; readonly roleId: string; readonly secretId?: string; readonly mount: string }
  | { readonly method: "kubernetes"; readonly role: string; readonly tokenPath: string; readonly mount: string };

export interface Settings {
  readonly address: string;
  readonly mount: string;
  readonly kvVersion: 1 | 2;
  readonly namespace?: string;
  readonly auth: AuthConfig;
  readonly caCert?: string;
  readonly skipVerify: boolean;
  readonly concurrency: number;
  /** This provider's overrides of the load's retry policy (runtime/policy.ts). */
  readonly retry: RetryPolicyOptions & { readonly random?: () => number };
  readonly renewFraction: number;
  readonly scheduler: Scheduler;
  readonly now: () => number;
}

export const trimSlashes = (path: string): string => path.replace(/^\/+|\/+$/g, "");

const timers: Scheduler = {
  // unref: a renewal timer must never keep a finished process alive (Node returns an object, Deno a number).
  set(run, delayMs) {
    const timer: unknown = setTimeout(run, delayMs);
    if (typeof timer === "number") (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(timer);
    else (timer as { unref(): void }).unref();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Vault's own parsing of boolean env vars (Go's strconv.ParseBool). */
const isTrue = (value: string | undefined): boolean => /^(1|t|true)$/i.test(value?.trim() ?? "");
const nonEmpty = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

function pickAuth(options: VaultOptions, env: Readonly<Record<string, string | undefined>>): AuthConfig {
  const token = nonEmpty(options.token ?? env.VAULT_TOKEN);
  const roleId = nonEmpty(options.roleId ?? env.VAULT_ROLE_ID);
  const k8sRole = nonEmpty(options.kubernetesRole ?? env.VAULT_K8S_ROLE);
  const forced = options.authMethod ?? nonEmpty(env.VAULT_AUTH_METHOD);
  // Order without a forced method: an explicit token, then machine credentials, then the CLI's token file.
  const method = forced ?? (token ? "token" : roleId ? "approle" : k8sRole ? "kubernetes" : "token");
  if (method === "approle") {
    const secretId = nonEmpty(options.secretId ?? env.VAULT_SECRET_ID);
    const mount = trimSlashes(options.approleMount ?? nonEmpty(env.VAULT_APPROLE_MOUNT) ?? "approle");
    return { method, roleId: roleId ?? "", mount, ...(secretId ? { secretId } : {}) };
  }
  if (method === "kubernetes") {
    const tokenPath = options.kubernetesTokenPath ?? nonEmpty(env.VAULT_K8S_TOKEN_PATH) ?? "/var/run/secrets/kubernetes.io/serviceaccount/token";
    return { method, role: k8sRole ?? "", tokenPath, mount: trimSlashes(options.kubernetesMount ?? nonEmpty(env.VAULT_K8S_MOUNT) ?? "kubernetes") };
  }
  if (method !== "token") throw new Error(`VAULT_AUTH_METHOD "${method}" is not supported: use token, approle or kubernetes`);
  return { method, tokenFile: join(options.homeDir ?? homedir(), ".vault-token"), ...(token ? { token } : {}) };
}

export function readSettings(options: VaultOptions, env: Readonly<Record<string, string | undefined>>): Settings {
  const kvVersion = options.kvVersion ?? (nonEmpty(env.VAULT_KV_VERSION) === "1" ? 1 : 2);
  const namespace = nonEmpty(options.namespace ?? env.VAULT_NAMESPACE);
  const caCert = nonEmpty(options.caCert ?? env.VAULT_CACERT);
  return {
    address: (options.address ?? nonEmpty(env.VAULT_ADDR) ?? "http://127.0.0.1:8200").replace(/\/+$/, ""),
    mount: trimSlashes(options.mount ?? nonEmpty(env.VAULT_MOUNT) ?? "secret"),
    kvVersion,
    ...(namespace ? { namespace: trimSlashes(namespace) } : {}),
    auth: pickAuth(options, env),
    ...(caCert ? { caCert } : {}),
    skipVerify: options.skipVerify ?? isTrue(env.VAULT_SKIP_VERIFY),
    concurrency: options.concurrency ?? 8,
    retry: { ...options.retry, ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}) },
    renewFraction: options.renewFraction ?? 2 / 3,
    scheduler: options.scheduler ?? timers,
    now: options.now ?? Date.now,
  };
}
