import type { ProviderLoaders } from "./types.ts";

/**
 * Every built-in provider by ref scheme, for the CLI and the codegen (which writes into a generated
 * module the entries its schema uses). Each entry imports its provider file lazily, and the file
 * imports its SDK lazily. The runtime never imports this list: an app gets only what its generated
 * module names. Adding a provider: one file in src/providers/, one line here, one `exports` entry.
 */
export const builtinProviders: ProviderLoaders = {
  "azure-kv": () => import("./azure-kv.ts").then((module) => module.default),
  "aws-sm": () => import("./aws-sm.ts").then((module) => module.default),
  "gcp-sm": () => import("./gcp-sm.ts").then((module) => module.default),
  vault: () => import("./vault.ts").then((module) => module.default),
};
