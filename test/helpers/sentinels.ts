/**
 * Secret values used by tests. Every one contains SENTINEL, so a test can scan any output
 * (errors, warnings, JSON, inspect, child-process output) for a leak with one string.
 */
export const SENTINEL = "s3cr3t-sentinel";
export const secretValue = (name: string): string => `${SENTINEL}-${name}-0123456789abcdef0123456789`;

export function expectNoSentinel(...texts: unknown[]): void {
  for (const text of texts) {
    const rendered = typeof text === "string" ? text : JSON.stringify(text, (_key, value) => (value instanceof Error ? { ...value, message: value.message } : value));
    if (rendered?.includes(SENTINEL)) throw new Error(`a sentinel secret leaked into: ${rendered.replaceAll(SENTINEL, "<SENTINEL>").slice(0, 300)}`);
  }
}
