import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources, not dist/, so they never see a stale build.
    alias: [
      { find: /^secrets-gen\/runtime$/, replacement: src("runtime/index.ts") },
      { find: /^secrets-gen\/providers\/(.*)$/, replacement: src("providers/$1.ts") },
      { find: /^secrets-gen$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/deno/**", "test/fixtures/**", "**/node_modules/**", "bench/.tmp/**"],
    // Generous: many tests spawn processes (CLI, tsc, Deno); a loaded 2-core CI machine is slow, never wrong.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
