/** Masking a child process's output: every loaded secret value becomes "[redacted]", even split across chunks. */
import { StringDecoder } from "node:string_decoder";
import { Transform } from "node:stream";
import type { FieldResult } from "../runtime/loader.ts";
import { MIN_REDACTED_LENGTH, redact, secretForms } from "../runtime/redaction.ts";

/**
 * The texts redact() masks for this load: each sensitive field's raw text and every string in its
 * parsed value, in each of their spellings (secretForms). The mask stream needs them to know which output to hold back between chunks.
 */
export function loadedSecretTexts(results: readonly FieldResult[]): string[] {
  const texts = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.length >= MIN_REDACTED_LENGTH) for (const form of secretForms(value)) texts.add(form);
    } else if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
      for (const inner of Object.values(value)) collect(inner);
    }
  };
  for (const result of results) {
    if (!result.ok || !result.provenance.sensitive) continue;
    collect(result.raw);
    collect(result.value);
  }
  return [...texts];
}

/**
 * A byte stream transform that redacts `secrets`. A value may arrive split across two writes, so
 * an ending that could be the start of a secret is held back until the next chunk (or the end of
 * the stream) shows how it continues; any other output passes straight through.
 */
export function createMaskStream(secrets: readonly string[]): Transform {
  const decoder = new StringDecoder("utf8"); // never cut a multi-byte character in half
  let pending = "";
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = pending + decoder.write(chunk);
      const cut = safeCut(text, secrets, startOfPossibleSecret(text, secrets));
      pending = text.slice(cut);
      done(null, redact(text.slice(0, cut)));
    },
    flush(done) {
      done(null, redact(pending + decoder.end()));
    },
  });
}

/** Where the longest ending of `text` that is the beginning of a secret starts (text.length when none). */
function startOfPossibleSecret(text: string, secrets: readonly string[]): number {
  let start = text.length;
  for (const secret of secrets) {
    // Only an ending shorter than the secret can be an unfinished occurrence of it.
    for (let at = text.indexOf(secret[0]!, Math.max(0, text.length - secret.length + 1)); at !== -1 && at < start; at = text.indexOf(secret[0]!, at + 1)) {
      if (secret.startsWith(text.slice(at))) {
        start = at;
        break;
      }
    }
  }
  return start;
}

/** Move `cut` left until no secret occurrence straddles it, so each is redacted whole on one side. */
function safeCut(text: string, secrets: readonly string[], wanted: number): number {
  let cut = wanted;
  for (let moved = true; moved; ) {
    moved = false;
    for (const secret of secrets) {
      if (cut === 0) return 0;
      const start = text.lastIndexOf(secret, cut - 1);
      if (start >= 0 && start < cut && start + secret.length > cut) {
        cut = start;
        moved = true;
      }
    }
  }
  return cut;
}
