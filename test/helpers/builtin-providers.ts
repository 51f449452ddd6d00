import { builtinProviders } from "../../src/providers/registry.ts";
import type { LoadableSchema } from "../../src/runtime/field-state.ts";

/** `schema` with every built-in provider, as the CLI resolves it (a generated module names only the ones it uses). */
export function withBuiltinProviders(schema: LoadableSchema): LoadableSchema {
  return { fields: schema.fields, providerLoaders: builtinProviders };
}
