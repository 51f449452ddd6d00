/**
 * A small YAML writer for the generators' manifests: block mappings and sequences of strings,
 * numbers and booleans. Hand-written because the published package has no YAML dependency, and
 * the output must be byte-stable for `--check`.
 */
export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

// Plain scalars that no YAML 1.1/1.2 reader turns into anything but the same string.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const RESERVED = new Set(["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]);

function scalar(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  // A JSON string is a valid YAML double-quoted scalar.
  return PLAIN.test(value) && !RESERVED.has(value.toLowerCase()) ? value : JSON.stringify(value);
}

const isBlock = (value: YamlValue): value is Exclude<YamlValue, string | number | boolean> => typeof value === "object";

function lines(value: YamlValue, indent: string): string[] {
  if (!isBlock(value)) return [`${indent}${scalar(value)}`];
  if (Array.isArray(value)) {
    return (value as readonly YamlValue[]).flatMap((item) => {
      if (!isBlock(item)) return [`${indent}- ${scalar(item)}`];
      const [first = "", ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first.trimStart()}`, ...rest];
    });
  }
  return Object.entries(value as { readonly [key: string]: YamlValue | undefined }).flatMap(([key, item]) => {
    if (item === undefined) return [];
    const name = `${indent}${scalar(key)}:`;
    if (!isBlock(item)) return [`${name} ${scalar(item)}`];
    if (Object.keys(item).length === 0) return [`${name} ${Array.isArray(item) ? "[]" : "{}"}`];
    return [name, ...lines(item, `${indent}  `)];
  });
}

/** One YAML document, ending with a newline. */
export function toYaml(value: YamlValue): string {
  return `${lines(value, "").join("\n")}\n`;
}
