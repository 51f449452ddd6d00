/**
 * `gcp-sm://` ref forms:
 *   gcp-sm://projects/<project>/secrets/<name>[/versions/<version>][#key]
 *   gcp-sm://<name>[?version=<version>][#key]   (project from options / env / the SDK; name gets the prefix)
 */
import type { SecretRef } from "../types.ts";

export interface GcpTarget {
  /** Undefined for the short form: the provider fills in the configured or detected project. */
  readonly project: string | undefined;
  readonly secret: string;
  readonly version: string;
}

export type ParsedRef = { readonly ok: true; readonly target: GcpTarget } | { readonly ok: false; readonly message: string };

const FULL = /^projects\/([^/]+)\/secrets\/([^/]+)(?:\/versions\/([^/]+))?$/;
// Secret ids: letters, digits, `-` and `_`, at most 255 (Secret Manager's own rule).
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
// Project ids (`my-proj`), numbers, and legacy domain-scoped ids (`example.com:my-proj`).
const PROJECT = /^[A-Za-z0-9.:-]{1,100}$/;
// `latest`, a version number, or a version alias.
const VERSION = /^[A-Za-z0-9_-]{1,63}$/;

export const REF_HELP = "gcp-sm://projects/<project>/secrets/<name>[/versions/<v>] or gcp-sm://<name>[?version=<v>]";

export function parseGcpRef(ref: SecretRef, prefix: string): ParsedRef {
  const fail = (why: string): ParsedRef => ({ ok: false, message: `ref ${ref.raw} ${why}` });
  const unknown = Object.keys(ref.params).filter((name) => name !== "version");
  if (unknown.length > 0) return fail(`has unknown parameter(s) ${unknown.join(", ")}: only "version" is supported`);
  const paramVersion = ref.params.version;

  if (ref.path.startsWith("projects/")) {
    if (ref.path.includes("/locations/")) {
      return fail("names a regional secret, which this provider does not read yet: use a global secret");
    }
    const match = FULL.exec(ref.path);
    if (!match) return fail(`is malformed: expected ${REF_HELP}`);
    const [, project, secret, pathVersion] = match as unknown as [string, string, string, string | undefined];
    if (pathVersion !== undefined && paramVersion !== undefined) {
      return fail("gives the version twice (path and ?version=): give it once");
    }
    return check(fail, project, secret, pathVersion ?? paramVersion ?? "latest");
  }
  if (ref.path.includes("/")) return fail(`is malformed: expected ${REF_HELP}`);
  return check(fail, undefined, prefix + ref.path, paramVersion ?? "latest");
}

function check(fail: (why: string) => ParsedRef, project: string | undefined, secret: string, version: string): ParsedRef {
  if (project !== undefined && !PROJECT.test(project)) return fail(`has an invalid project id "${project}"`);
  if (!SECRET_ID.test(secret)) {
    return fail(`names the secret "${secret}", which is not a valid Secret Manager id (letters, digits, - and _, at most 255)`);
  }
  if (!VERSION.test(version)) return fail(`has an invalid version "${version}": use a number, an alias or "latest"`);
  return { ok: true, target: { project, secret, version } };
}

/** The resource name AccessSecretVersion takes. */
export function versionName(project: string, target: GcpTarget): string {
  return `projects/${project}/secrets/${target.secret}/versions/${target.version}`;
}
