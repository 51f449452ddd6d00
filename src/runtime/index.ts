/** secrets-gen/runtime: what generated modules and apps use at run time. */
export { loadSecrets, resolveSchema, type Loader, type LoadReport, type FieldResult } from "./loader.ts";
export { createLoader, type GeneratedSecrets } from "./create-loader.ts";
export { loadOrExit } from "./startup.ts";
export { redact, REDACTED } from "./redaction.ts";
export { provenance, explain, type Provenance } from "./provenance.ts";
export { onChange, refreshNow, close, type ChangeHandler } from "./refresh.ts";
export { AUDIT_CHANNEL, type AuditEvent } from "./audit.ts";
export { SecretsGenError, ConfigError, SecretsLoadError, type Attempt, type FieldFailure } from "./errors.ts";
export {
  isProduction, DEFAULT_DOCKER_DIR, DEFAULT_MAX_FILE_BYTES, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_STALENESS_MS,
  type LoadOptions, type RefreshOptions,
} from "./settings.ts";
export { SchemaError } from "../schema/define.ts";
export type { Manifest, ManifestField } from "../schema/manifest.ts";
export type { Plans } from "../schema/plan.ts";
export type { Provider, Outcome, ResolveContext, SecretRef, ProviderErrorKind } from "../providers/types.ts";
