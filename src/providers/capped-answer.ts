/**
 * Reading a manager's answer body as text, up to a size cap and as strict UTF-8: what the Vault
 * transport and the Key Vault policy share (the AWS middleware counts a stream the SDK keeps reading).
 */

/** An answer not passed on; each provider words why for its own report. */
export class UnreadableAnswerError extends Error {
  override name = "UnreadableAnswerError";
  constructor(readonly reason: "too-large" | "not-utf8") {
    super(reason === "too-large" ? "the answer is over the size limit" : "the answer is not UTF-8 text");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The body's text; past `maxBytes` the stream is destroyed (and so its socket) and reading stops. */
export async function readCappedText(stream: AsyncIterable<Uint8Array> & { destroy?: () => void }, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) {
      stream.destroy?.();
      throw new UnreadableAnswerError("too-large");
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new UnreadableAnswerError("not-utf8");
  }
}
