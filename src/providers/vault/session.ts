/**
 * Authentication for one provider instance: a static token, or one AppRole / Kubernetes login
 * shared by every concurrent caller, renewed (renew-self) before it expires and replaced by a
 * fresh login when renewal fails or the token reaches its max TTL.
 */
import { readFile } from "node:fs/promises";
import type NodeVault from "node-vault";
import { SharedAttempt } from "../../runtime/async.ts";
import { retry, retryPolicy, type RetryOptions } from "../../runtime/policy.ts";
import type { ProviderErrorKind } from "../types.ts";
import type { AuthConfig, Settings } from "./config.ts";
import { call, describeFailure, safeAddress, toFailure, VaultFailure } from "./errors.ts";

/** Why no token could be had; the message is value-free and says what to set. */
export class AuthError extends Error {
  override name = "AuthError";
  constructor(readonly kind: ProviderErrorKind, message: string) {
    super(message);
  }
}

interface LoginAnswer {
  readonly auth?: { readonly client_token?: unknown; readonly lease_duration?: unknown; readonly renewable?: unknown };
}

const NO_DEADLINE = new AbortController().signal;

export class VaultSession {
  readonly #client: NodeVault.client;
  readonly #settings: Settings;
  readonly #login = new SharedAttempt<void>();
  #expiresAt = Number.POSITIVE_INFINITY;
  #leaseSeconds = 0;
  #timer: unknown;
  #closed = false;

  constructor(client: NodeVault.client, settings: Settings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** Resolves once the client holds a live token; concurrent callers share one login, retried per `retryOptions`. */
  ensure(retryOptions: RetryOptions): Promise<void> {
    if (this.#settings.now() >= this.#expiresAt) this.#drop();
    // Concurrent batches share one login; a failed one is tried again by the next batch.
    return this.#login.get(() => this.#authenticate(this.#settings.auth, retryOptions));
  }

  close(): void {
    this.#closed = true;
    this.#cancelTimer();
  }

  async #authenticate(auth: AuthConfig, retryOptions: RetryOptions): Promise<void> {
    if (auth.method === "token") {
      this.#client.token = auth.token ?? (await this.#readTokenFile(auth.tokenFile));
      return;
    }
    const loginPath = `auth/${auth.mount}/login`;
    let answer: LoginAnswer;
    try {
      const jwt = auth.method === "kubernetes" ? await this.#readJwt(auth.tokenPath, auth.role) : "";
      if (auth.method === "approle" && !auth.roleId) throw new AuthError("invalid", "AppRole auth needs VAULT_ROLE_ID (and usually VAULT_SECRET_ID)");
      const login = (): Promise<LoginAnswer> =>
        auth.method === "approle"
          ? this.#client.approleLogin({ mount_point: auth.mount, role_id: auth.roleId, ...(auth.secretId ? { secret_id: auth.secretId } : {}) })
          : this.#client.kubernetesLogin({ mount_point: auth.mount, role: auth.role, jwt });
      answer = await retry((signal) => call(login, signal), retryOptions);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw this.#loginError(auth, loginPath, toFailure(error));
    }
    const token = answer.auth?.client_token;
    const lease = Number(answer.auth?.lease_duration ?? 0);
    if (typeof token !== "string" || !token) throw new AuthError("invalid", `Vault's answer to ${loginPath} carried no client token`);
    this.#client.token = token;
    this.#leaseSeconds = lease;
    this.#expiresAt = lease > 0 ? this.#settings.now() + lease * 1000 : Number.POSITIVE_INFINITY;
    if (lease > 0) this.#schedule(lease, answer.auth?.renewable === true ? "renew" : "relogin");
  }

  #loginError(auth: Exclude<AuthConfig, { method: "token" }>, loginPath: string, failure: VaultFailure): AuthError {
    const where = `${loginPath}${this.#settings.namespace ? ` in namespace "${this.#settings.namespace}"` : ""}`;
    if (failure.transient || failure.code === "ABORTED" || failure.status === undefined) {
      return new AuthError("unavailable", `Vault login at ${where} failed: ${describeFailure(failure, safeAddress(this.#settings.address))}`);
    }
    if (failure.status === 404) return new AuthError("invalid", `no auth method is mounted at auth/${auth.mount}: check ${auth.method === "approle" ? "VAULT_APPROLE_MOUNT" : "VAULT_K8S_MOUNT"}`);
    const check = auth.method === "approle" ? "VAULT_ROLE_ID and VAULT_SECRET_ID" : `VAULT_K8S_ROLE ("${auth.role}") and the service-account token at ${auth.tokenPath}`;
    return new AuthError("denied", `Vault rejected the ${auth.method === "approle" ? "AppRole" : "Kubernetes"} login at ${where} (HTTP ${failure.status}): check ${check}`);
  }

  async #readTokenFile(path: string): Promise<string> {
    const token = await readFile(path, "utf8").then((text) => text.trim(), () => "");
    if (token) return token;
    throw new AuthError(
      "invalid",
      "no Vault credentials: set VAULT_TOKEN (or run `vault login`, which writes ~/.vault-token), VAULT_ROLE_ID + VAULT_SECRET_ID, or VAULT_K8S_ROLE",
    );
  }

  async #readJwt(path: string, role: string): Promise<string> {
    if (!role) throw new AuthError("invalid", "Kubernetes auth needs VAULT_K8S_ROLE");
    try {
      const jwt = (await readFile(path, "utf8")).trim();
      if (jwt) return jwt;
    } catch (error) {
      const code = (error as { code?: string }).code ?? "unreadable";
      throw new AuthError("invalid", `cannot read the Kubernetes service-account token at ${path} (${code}): set VAULT_K8S_TOKEN_PATH or run in a pod`);
    }
    throw new AuthError("invalid", `the Kubernetes service-account token file ${path} is empty`);
  }

  #schedule(leaseSeconds: number, action: "renew" | "relogin"): void {
    this.#cancelTimer();
    const delay = Math.max(1000, leaseSeconds * 1000 * this.#settings.renewFraction);
    this.#timer = this.#settings.scheduler.set(() => void (action === "renew" ? this.#renew() : this.#relogin()), delay);
  }

  async #renew(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    try {
      const answer = await call((): Promise<LoginAnswer> => this.#client.tokenRenewSelf(), NO_DEADLINE);
      const lease = Number(answer.auth?.lease_duration ?? 0);
      if (this.#closed || !(lease > 0)) return this.#closed ? undefined : this.#relogin();
      this.#expiresAt = this.#settings.now() + lease * 1000;
      // A shorter lease than granted means the max TTL is near: the next step is a fresh login.
      this.#schedule(lease, answer.auth?.renewable === true && lease >= this.#leaseSeconds ? "renew" : "relogin");
    } catch {
      await this.#relogin();
    }
  }

  async #relogin(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#drop();
    // Failures are not lost: the next resolve() finds no login and tries again, reporting the error.
    // A background login has no start-up deadline; it follows the default policy with this provider's overrides.
    const background = { policy: retryPolicy(this.#settings.retry), signal: NO_DEADLINE, isRetryable: (e: unknown) => toFailure(e).transient };
    await this.ensure(background).catch(() => undefined);
  }

  #drop(): void {
    this.#cancelTimer();
    this.#login.forget();
    this.#expiresAt = Number.POSITIVE_INFINITY;
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#settings.scheduler.clear(this.#timer);
    this.#timer = undefined;
  }
}
