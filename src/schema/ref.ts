/**
 * A reference to a secret held by an external manager: `<scheme>://<path>[?param=value&...][#key]`.
 * Parsing is generic; each provider gives `path`, `params` and `key` their meaning.
 */
export interface SecretRef {
  /** The ref exactly as written in the schema; the key providers answer by. */
  readonly raw: string;
  /** `vault`, `aws-sm`, `gcp-sm`, `azure-kv`, or a custom provider's scheme. */
  readonly scheme: string;
  /** Everything between `://` and `?`/`#`, e.g. `app/db`. Never empty. */
  readonly path: string;
  /** The part after `#`: a key inside a multi-key or JSON secret. */
  readonly key?: string;
  /** Query parameters, e.g. `{ version: "3" }`. */
  readonly params: Readonly<Record<string, string>>;
}

const REF_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/([^?#]+)(?:\?([^#]*))?(?:#(.+))?$/;

export const REF_FORMAT = "<scheme>://<path>[?param=value][#key]";

export class RefSyntaxError extends Error {
  override name = "RefSyntaxError";
}

export function parseRef(raw: string): SecretRef {
  const match = REF_SHAPE.exec(raw);
  if (!match) {
    throw new RefSyntaxError(`ref "${raw}" is malformed: expected ${REF_FORMAT}`);
  }
  const [, scheme, path, query, key] = match;
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query ?? "")) {
    if (Object.hasOwn(params, name)) throw new RefSyntaxError(`ref "${raw}" repeats the parameter "${name}": give it once`);
    params[name] = value;
  }
  return Object.freeze({ raw, scheme: scheme!, path: path!, params: Object.freeze(params), ...(key ? { key } : {}) });
}
