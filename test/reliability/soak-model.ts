/**
 * The soak's fault schedule and the model of what the refresher must do with it: which answer each
 * field gets on each cycle, and the expected last good value, change count and audit outcomes.
 */
import { secretValue } from "../helpers/sentinels.ts";

export const FIELDS = ["API_KEY", "DB_PASSWORD"] as const;
export type FieldName = (typeof FIELDS)[number];

export type AnswerKind = "new" | "same" | "unavailable" | "denied" | "missing" | "invalid";
const ROTATION: readonly AnswerKind[] = ["new", "same", "unavailable", "denied", "missing", "invalid"];
/** The fields walk the rotation out of step, so one batch mixes answers. */
export const offsets: Record<FieldName, number> = { API_KEY: 0, DB_PASSWORD: 3 };
/** A long outage of both fields: 50 intervals, far past maxStalenessMs. */
export const OUTAGE = { from: 5_000, to: 5_050 } as const;

export function kindFor(field: FieldName, cycle: number): AnswerKind {
  if (cycle >= OUTAGE.from && cycle < OUTAGE.to) return "unavailable";
  return ROTATION[(cycle + offsets[field]) % ROTATION.length]!;
}

/** The valid value a field's manager publishes on a cycle with a "new" answer (cycle 0: the initial load). */
export const valueFor = (field: FieldName, cycle: number): string => `sk_${secretValue(`${field}-${cycle}`)}`;

export interface Counts {
  changed: number;
  unchanged: number;
  failed: number;
  stale: number;
}

/** Simulate `cycles` refreshes, one every intervalMs after the load at time 0. */
export function expectedRun(cycles: number, intervalMs: number, maxStalenessMs: number) {
  const goodCycle = new Map<FieldName, Int32Array>();
  const counts = new Map<FieldName, Counts>();
  for (const field of FIELDS) {
    const good = new Int32Array(cycles + 1);
    const c: Counts = { changed: 0, unchanged: 0, failed: 0, stale: 0 };
    let lastGood = 0; // the cycle whose value is being served
    let lastGoodAt = 0; // when a refresh last succeeded (changed or unchanged)
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const now = cycle * intervalMs;
      const kind = kindFor(field, cycle);
      if (kind === "new") {
        c.changed++;
        lastGood = cycle;
        lastGoodAt = now;
      } else if (kind === "same") {
        c.unchanged++;
        lastGoodAt = now;
      } else if (now - lastGoodAt > maxStalenessMs) {
        c.stale++;
      } else {
        c.failed++;
      }
      good[cycle] = lastGood;
    }
    goodCycle.set(field, good);
    counts.set(field, c);
  }
  return {
    lastGoodCycle: (field: FieldName, cycle: number): number => goodCycle.get(field)![cycle]!,
    lastGoodAfter: (field: FieldName, cycle: number): string => valueFor(field, goodCycle.get(field)![cycle]!),
    counts: (field: FieldName): Counts => ({ ...counts.get(field)! }),
  };
}
