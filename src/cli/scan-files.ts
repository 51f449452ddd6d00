/** What `secrets-gen scan` looks for in a text file: loaded secret values, and literal values assigned to secret fields. */

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  /** "value": a loaded secret value appears; "literal": the field's variable is assigned a literal. */
  readonly kind: "value" | "literal";
}

export interface ScanTarget {
  readonly field: string;
  /** The field's env var name, matched in assignments. */
  readonly env: string;
  /** Loaded value texts to look for (never printed). */
  readonly values: readonly string[];
}

/** Placeholders that name no real value: <set me>, ${VAR}, $VAR, {{ var }}. */
const PLACEHOLDER = /^(<.*>|\$\{.*\}|\$\w+|\{\{.*\}\})$/;

/** Every finding in one file's text, in line order; values are compared, never returned. */
export function scanText(file: string, text: string, targets: readonly ScanTarget[]): Finding[] {
  const assignments = targets.map((target) => ({ target, patterns: assignmentPatterns(target.env) }));
  const valueLines = targets.map((target) => linesHolding(text, target.values));
  const findings: Finding[] = [];
  text.split("\n").forEach((content, index) => {
    const line = index + 1;
    targets.forEach((target, at) => {
      if (valueLines[at]!.has(line)) findings.push({ file, line, field: target.field, kind: "value" });
    });
    for (const { target, patterns } of assignments) {
      const literal = patterns.map((pattern) => pattern.exec(content)?.[1]).find((value) => value !== undefined);
      const alreadyFound = findings.some((f) => f.line === line && f.field === target.field && f.file === file);
      if (literal !== undefined && !PLACEHOLDER.test(literal) && !alreadyFound) findings.push({ file, line, field: target.field, kind: "literal" });
    }
  });
  return findings;
}

/** The lines on which an occurrence of any of `values` starts; a multi-line value (a PEM key) counts at its first line. */
function linesHolding(text: string, values: readonly string[]): Set<number> {
  const lines = new Set<number>();
  for (const value of values) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
      lines.add(lineAt(text, at));
    }
  }
  return lines;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < index; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

/**
 * `NAME=value` at the start of a line (.env, shell, Dockerfile ENV) and `NAME: "value"` /
 * `"NAME": "value"` / `NAME = 'value'` with a quoted literal (YAML, JSON, code). Values shorter
 * than 4 characters are ignored, as redaction ignores them.
 */
function assignmentPatterns(name: string): RegExp[] {
  return [
    new RegExp(`^\\s*(?:export\\s+|ENV\\s+)?${name}\\s*=\\s*["']?([^\\s"'#]{4,})`),
    new RegExp(`\\b${name}["']?\\s*[:=]\\s*["']([^"']{4,})["']`),
  ];
}
