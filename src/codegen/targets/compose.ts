/**
 * `compose`: a docker-compose override file declaring each secret field as a Compose secret and
 * giving it to the service. Docker mounts it at /run/secrets/<file>, where the chain's Docker step
 * looks. Use it beside your own file: `docker compose -f compose.yaml -f deploy/compose.secrets.yaml up`.
 */
import type { Manifest } from "../../schema/manifest.ts";
import { ONE_LINE, textFlag, type TargetFlag } from "./flags.ts";
import { hashComment, nothingFor, secretFiles, type TargetContext, type TargetFile } from "./target.ts";
import { toYaml } from "./yaml.ts";

const TARGET = "compose";

export interface ComposeOptions {
  /** The service that reads the secrets; default `app`. */
  readonly service?: string;
  /** Directory of the local secret files, relative to the project directory; default `./secrets`. */
  readonly secretsDir?: string;
}

export function emitCompose(manifest: Manifest, options: TargetContext & ComposeOptions): TargetFile[] {
  const files = secretFiles(manifest);
  if (files.length === 0) throw nothingFor(TARGET, "secret() fields");
  const dir = (options.secretsDir ?? "./secrets").replace(/\/+$/, "");
  const document = {
    services: {
      [options.service ?? "app"]: { secrets: files.map(({ file }) => ({ source: file, target: file })) },
    },
    secrets: Object.fromEntries(files.map(({ file }) => [file, { file: `${dir}/${file}` }])),
  };
  const header = hashComment(
    TARGET,
    options,
    `Put each value in ${dir}/<name> (keep that directory out of git); the service sees /run/secrets/<name>.`,
  );
  return [{ name: "compose.secrets.yaml", content: `${header}${toYaml(document)}` }];
}

export const COMPOSE_FLAGS: Readonly<Record<string, TargetFlag<ComposeOptions>>> = {
  // Compose's own rule for service names.
  service: textFlag("service", { value: "<name>", help: "the service that reads the secrets (default app)", valid: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, expected: "a Compose service name (letters, digits, _ . and -)", example: "web" }),
  "secrets-dir": textFlag("secretsDir", { value: "<dir>", help: "directory of the local secret files, relative to the project (default ./secrets)", valid: ONE_LINE, expected: "a directory path on one line", example: "./.secrets" }),
};
