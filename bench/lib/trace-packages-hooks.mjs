// Module hooks for trace-packages.mjs: append each resolved ESM URL to BENCH_TRACE_FILE.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.BENCH_TRACE_FILE, `${resolved.url}\n`);
  return resolved;
}
