/**
 * Value-free audit events on a diagnostics_channel (Node and Deno both implement it), one per
 * field per load or refresh, ready to wire into a logger or OpenTelemetry:
 *   diagnostics_channel.subscribe("secrets-gen:resolve", (event) => logger.info(event));
 */
import diagnosticsChannel from "node:diagnostics_channel";
import type { ProvenanceSource } from "./provenance.ts";

export const AUDIT_CHANNEL = "secrets-gen:resolve";

export interface AuditEvent {
  readonly phase: "load" | "refresh";
  readonly field: string;
  /** loaded / failed on a load; changed / unchanged / failed / stale on a refresh. */
  readonly outcome: "loaded" | "failed" | "changed" | "unchanged" | "stale";
  readonly source?: ProvenanceSource;
  readonly where?: string;
  readonly version?: string;
  /** The failure sentence (value-free) when the outcome is failed or stale. */
  readonly message?: string;
  /** Wall time of the whole load or refresh this field was part of. */
  readonly durationMs: number;
}

const channel = diagnosticsChannel.channel(AUDIT_CHANNEL);

export function publishAudit(event: AuditEvent): void {
  if (channel.hasSubscribers) channel.publish(event);
}
