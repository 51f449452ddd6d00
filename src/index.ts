/** secrets-gen: declare secrets in secrets.schema.ts. Run-time helpers live in secrets-gen/runtime. */
export {
  defineSecrets, secret, config, SchemaError, parseRef,
  type SecretOptions, type ConfigOptions, type SecretField, type ConfigField, type SecretsSchema, type SecretsShape, type SecretsOutput,
  type SourceKind, type SecretRef,
} from "./schema/index.ts";
export { defineProvider, type Provider, type ProviderFactory, type Outcome, type ResolveContext } from "./providers/types.ts";
