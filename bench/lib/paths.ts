/** Where the bench reads the project and writes its scratch files. */
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
/**
 * Scratch apps live inside the repo (not /tmp) so `zod`, the SDKs and the peers resolve from the
 * repo's node_modules by Node's ordinary upward lookup. bench/.tmp/ is git-ignored; each run wipes
 * its own subdirectory (BENCH_SCRATCH_NAME, default `run`), so the CI smoke never touches a real run's.
 */
export const SCRATCH = fileURLToPath(new URL(`../.tmp/${process.env.BENCH_SCRATCH_NAME ?? "run"}/`, import.meta.url));
export const DEFAULT_RESULTS = fileURLToPath(new URL("../results/latest.json", import.meta.url));
