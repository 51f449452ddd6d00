/** Whether a manager endpoint sends credentials and secrets across the network without TLS. */
import { isIP } from "node:net";

/**
 * True for an http:// URL whose host is not this machine. Loopback is exempt: a local agent or
 * sidecar (Vault Agent, a test server) is reached without leaving the host.
 */
export function crossesNetworkUnencrypted(address: string): boolean {
  const url = URL.canParse(address) ? new URL(address) : undefined;
  if (url?.protocol !== "http:") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host.endsWith(".localhost") || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
  return !loopback;
}
