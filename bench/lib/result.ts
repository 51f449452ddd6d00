/** What each case hands back to bench/run.ts. */
export interface Target {
  /** The bound for the ratio, e.g. 1.0 for "≤ 1.0×". */
  readonly max: number;
  /** Where the bound comes from, shown in the table. */
  readonly label: string;
}

export interface CaseResult {
  /** Ratios under stable names, e.g. "coldStart.envOnly100.vsZod". */
  readonly ratios: Record<string, number>;
  /** Raw medians (ms, MiB or ns per op; the unit is in the name). */
  readonly medians: Record<string, number>;
  /** Bounds from the issue, by ratio name. */
  readonly targets?: Record<string, Target>;
  /** Pass/fail facts that are not timings (e.g. which SDKs loaded). */
  readonly checks?: Record<string, boolean>;
  readonly notes?: readonly string[];
}

export interface BenchCase {
  readonly name: string;
  run(options: { quick: boolean }): Promise<CaseResult>;
}
