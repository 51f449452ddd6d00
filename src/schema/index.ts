export {
  defineSecrets, secret, config, isSecretsSchema, isSchemaField, SchemaError, PRODUCTION_SOURCES,
  type SecretOptions, type ConfigOptions, type SchemaField, type SecretField, type ConfigField, type SecretsSchema, type SecretsShape, type SecretsOutput,
  type FieldDefinition, type FieldSpec, type SourceKind, type OutputOf,
} from "./define.ts";
export { parseRef, RefSyntaxError, REF_FORMAT, type SecretRef } from "./ref.ts";
export { toManifest, describeChain, type Manifest, type ManifestField } from "./manifest.ts";
