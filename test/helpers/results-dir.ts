import { fileURLToPath } from "node:url";

/**
 * Where the reliability tests write their result tables: the git-ignored bench/.tmp/results on
 * `npm test`, so tests never change tracked files; a full `npm run bench` runs them with
 * SECRETS_GEN_RESULTS_DIR=bench/results to refresh the committed copies.
 */
export const RESULTS_DIR = process.env.SECRETS_GEN_RESULTS_DIR ?? fileURLToPath(new URL("../../bench/.tmp/results/", import.meta.url));
