// A long-running app reading a Kubernetes Secret volume. It loads at start-up, then loads again
// after the kubelet's `..data` swap (here on a line from stdin; in a real app on a timer or SIGHUP).
import { realpathSync } from "node:fs";
import { createInterface } from "node:readline";
import { explain, loadOrExit, provenance } from "secrets-gen/runtime";
import { loadSecrets, type Secrets } from "../../generated/secrets.ts";

/** The path the app read, and the real file behind kubelet's symlinks: names only, never the value. */
function stripeFile(secrets: Secrets): string {
  const where = provenance(secrets, "STRIPE_API_KEY").where;
  return `${where} -> ${realpathSync(where)}`;
}

const before = await loadOrExit(() => loadSecrets());
console.log(explain(before));
console.log(`\nSTRIPE_API_KEY read from ${stripeFile(before)}`);
console.log("waiting for the ..data swap");

const lines = createInterface({ input: process.stdin });
for await (const _line of lines) break;

const after = await loadOrExit(() => loadSecrets());
console.log(`reloaded: STRIPE_API_KEY read from ${stripeFile(after)}`);
console.log(`STRIPE_API_KEY changed: ${before.STRIPE_API_KEY !== after.STRIPE_API_KEY}`);
console.log("the reloaded object as logged:", after);
