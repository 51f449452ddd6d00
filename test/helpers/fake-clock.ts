/**
 * Driving refresh on a fake clock against real test servers: vitest fakes the timers and Date,
 * never setImmediate, so real event-loop turns let real HTTP finish while the clock stands still.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { vi } from "vitest";
import { AUDIT_CHANNEL, type AuditEvent } from "../../src/runtime/index.ts";

/** Event-loop turns until `done()`. */
export async function until(done: () => boolean): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 100_000) throw new Error("the refresh never finished");
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** `promise`, awaited with real event-loop turns. */
export async function settled<T>(promise: Promise<T>): Promise<T> {
  let finished = false;
  promise.then(() => (finished = true), () => (finished = true));
  await until(() => finished);
  return promise;
}

/** Every audit event published while subscribed, and a way to wait for the refresh pass a clock move fires. */
export function auditRecorder() {
  const events: AuditEvent[] = [];
  const listener = (event: unknown) => void events.push(event as AuditEvent);
  return {
    events,
    subscribe: () => diagnosticsChannel.subscribe(AUDIT_CHANNEL, listener),
    unsubscribe: () => void diagnosticsChannel.unsubscribe(AUDIT_CHANNEL, listener),
    /** Move the fake clock `ms` on and wait until the pass that fires then has published an event per field. */
    async refreshAfter(ms: number, fields: number): Promise<AuditEvent[]> {
      const before = events.length;
      vi.advanceTimersByTime(ms);
      await until(() => events.length >= before + fields);
      return events.slice(before);
    },
  };
}
