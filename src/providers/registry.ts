import type { ProviderFactory } from "./types.ts";

/**
 * Built-in providers by ref scheme. Each entry imports its provider file lazily, and the file
 * imports its SDK lazily, so only the schemes a schema uses cost anything at start-up.
 * Adding a provider: one file in src/providers/ and one line here.
 */
export const builtinProviders: Readonly<Record<string, () => Promise<ProviderFactory<never>>>> = {
  "azure-kv": () => import("./azure-kv.ts").then((module) => module.default),
  "aws-sm": () => import("./aws-sm.ts").then((module) => module.default),
  "gcp-sm": () => import("./gcp-sm.ts").then((module) => module.default),
  vault: () => import("./vault.ts").then((module) => module.default),
};
