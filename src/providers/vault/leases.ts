/**
 * Leases of dynamic secrets (database credentials and the like), held for an app that refreshes.
 * While a lease is live, reading its path again answers with the same credentials and the time
 * left, without a new read. Once half of the lease has passed, the next read renews it; when Vault
 * will not extend it by the full increment (not renewable, refused, or capped by the max TTL),
 * that read fetches new credentials instead, so the runtime sees a change and tells onChange.
 * Replaced leases are left to run out (connections opened with them drain meanwhile); close()
 * revokes every lease still live.
 *
 * The renewal point is half the lease because the runtime comes back at about two thirds of the
 * TTL it was given (less its jitter): every such refresh then renews, none is wasted.
 *
 * A lease id lets any token renew, look up or revoke the lease, so it never appears in a message.
 */
import type NodeVault from "node-vault";
import { call, toFailure } from "./errors.ts";
import type { ReadResult } from "./kv.ts";

interface Held {
  readonly id: string;
  readonly data: Record<string, unknown>;
  readonly renewable: boolean;
  /** Seconds asked for on each renewal: what the read first granted. */
  readonly increment: number;
  expiresAt: number;
  renewAt: number;
}

/** How long close() waits for Vault to confirm the revocations; unconfirmed leases simply run out. */
const REVOKE_WAIT_MS = 5_000;

export class Leases {
  readonly #client: NodeVault.client;
  readonly #now: () => number;
  /** The lease currently answering for each API path. */
  readonly #current = new Map<string, Held>();
  /** Every lease not yet revoked or run out, replaced ones included. */
  readonly #live = new Set<Held>();

  constructor(client: NodeVault.client, now: () => number) {
    this.#client = client;
    this.#now = now;
  }

  /**
   * The secret at `path`: the held lease's data while it is live (renewed once half of it has
   * passed), else what `read` fetches. `hold` says whether the caller will come back (refresh is
   * on); only then is a new lease kept, to be renewed and revoked.
   */
  async read(path: string, read: () => Promise<ReadResult>, signal: AbortSignal, hold: boolean): Promise<ReadResult> {
    this.#dropEnded();
    const held = this.#current.get(path);
    if (held) {
      if (this.#now() < held.renewAt || (await this.#renew(held, signal))) return this.#answer(held);
      this.#current.delete(path);
    }
    const result = await read();
    if (hold && result.kind === "found" && result.lease && result.ttlSeconds !== undefined) {
      const now = this.#now();
      const lease: Held = {
        id: result.lease.id,
        data: result.data,
        renewable: result.lease.renewable,
        increment: result.ttlSeconds,
        expiresAt: now + result.ttlSeconds * 1000,
        renewAt: now + (result.ttlSeconds * 1000) / 2,
      };
      this.#current.set(path, lease);
      this.#live.add(lease);
    }
    return result;
  }

  /** Revoke every live lease (best effort: one Vault refuses or cannot be reached for runs out on its own). */
  async revokeAll(): Promise<void> {
    this.#dropEnded();
    const leases = [...this.#live];
    this.#live.clear();
    this.#current.clear();
    const signal = AbortSignal.timeout(REVOKE_WAIT_MS);
    await Promise.allSettled(leases.map((lease) => call(() => this.#client.revoke({ lease_id: lease.id }), signal)));
  }

  /** True when the lease still answers: renewed by the full increment, or Vault could not be asked. */
  async #renew(held: Held, signal: AbortSignal): Promise<boolean> {
    if (!held.renewable) return false;
    try {
      const answer = (await call(() => this.#client.renew({ lease_id: held.id, increment: held.increment }), signal)) as { lease_duration?: unknown } | undefined;
      const granted = Number(answer?.lease_duration ?? 0);
      const now = this.#now();
      if (granted > 0) held.expiresAt = now + granted * 1000;
      if (granted >= held.increment) held.renewAt = now + (granted * 1000) / 2;
      // Capped by the max TTL: these credentials end soon whatever we do, so read new ones now.
      return granted >= held.increment;
    } catch (error) {
      const failure = toFailure(error);
      // A network blip or 5xx leaves the lease live: keep answering with it and renew next time.
      if (failure.status === undefined || failure.transient) return true;
      // Refused (lease gone or not renewable, 403): the credentials are lost; read new ones.
      this.#live.delete(held);
      return false;
    }
  }

  #answer(held: Held): ReadResult {
    return { kind: "found", data: held.data, ttlSeconds: Math.max(1, Math.floor((held.expiresAt - this.#now()) / 1000)) };
  }

  /** Forget leases past their end: Vault has revoked them already. */
  #dropEnded(): void {
    const now = this.#now();
    for (const lease of this.#live) if (now >= lease.expiresAt) this.#live.delete(lease);
    for (const [path, lease] of this.#current) if (now >= lease.expiresAt) this.#current.delete(path);
  }
}
