/**
 * The size cap and redirect rule for Secret Manager answers, through the SDK's own knobs: gRPC
 * (the default) gets grpc-js's receive limit as a channel option; the REST transport sends through
 * the auth client's gaxios (node-fetch under it), whose defaults get a size limit (node-fetch stops
 * reading past it and destroys the body) and no redirects (node-fetch would otherwise carry the
 * bearer token on to a redirect's target on the same host name, any port).
 */
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";

/** Client options that cap each gRPC message. */
export const grpcAnswerCap = (maxBytes: number): Record<string, number> => ({ "grpc.max_receive_message_length": maxBytes });

interface GaxiosLike {
  defaults: Record<string, unknown>;
}

/** Cap the REST transport's answers and refuse its redirects (the auth client is the SDK's, or the one given in options). */
export async function limitRestTransport(client: SecretManagerServiceClient, maxBytes: number): Promise<void> {
  // `auth` is the given AuthClient itself, or a GoogleAuth that makes one.
  type Auth = { transporter?: GaxiosLike; getClient?: () => Promise<{ transporter?: GaxiosLike }> };
  const auth = (client as unknown as { auth?: Auth }).auth;
  const transporter = auth?.transporter ?? (await auth?.getClient?.())?.transporter;
  // gaxios turns only per-request maxContentLength / maxRedirects into node-fetch's `size` / `follow`,
  // so the defaults carry node-fetch's names too (gaxios passes its merged options on to node-fetch).
  if (transporter) transporter.defaults = { ...transporter.defaults, maxContentLength: maxBytes, maxRedirects: 0, size: maxBytes, follow: 0 };
}

/** Whether `error` is a transport refusing an answer over the cap (grpc-js, node-fetch or gaxios wording). */
export function isOverSize(error: unknown): boolean {
  const e = error as { type?: unknown; details?: unknown; message?: unknown } | undefined;
  if (e?.type === "max-size") return true;
  return /larger than max|over the limit|over limit/i.test(String(e?.details ?? "")) || /Content-Length` is over the limit|over limit: \d+/i.test(String(e?.message ?? ""));
}
