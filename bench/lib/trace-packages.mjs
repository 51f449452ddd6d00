// Loaded with `node --import` into a timed app: records every module the app loads into the file
// named by BENCH_TRACE_FILE, one path or URL a line. ESM loads go through a resolve hook (it runs
// on the loader thread and appends as it goes); CommonJS loads are in require.cache at exit.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

register("./trace-packages-hooks.mjs", import.meta.url);
process.on("exit", () => {
  const cached = Object.keys(createRequire(import.meta.url).cache);
  appendFileSync(process.env.BENCH_TRACE_FILE, `${cached.join("\n")}\n`);
});
