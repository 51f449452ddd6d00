/**
 * A size cap on Key Vault answers. The Azure HTTP client reads a whole body into memory and has no
 * size option, but a request may ask for its body as a stream: this policy does so, reads the
 * stream up to the cap (destroying it, and so the socket, past it), and hands the text on as if the
 * client had read it, for the SDK's own deserialization.
 */

/** Thrown by the policy for an answer it will not pass on; outcome.ts says why in the message. */
export class UnreadableAnswerError extends Error {
  override name = "UnreadableAnswerError";
  constructor(readonly reason: "too-large" | "not-utf8") {
    super(reason === "too-large" ? "the answer is over the size limit" : "the answer is not UTF-8 text");
  }
}

/** The parts of @azure/core-rest-pipeline's request and response this policy uses. */
interface PipelineRequest {
  streamResponseStatusCodes?: Set<number>;
}
interface PipelineResponse {
  readableStreamBody?: NodeJS.ReadableStream & { destroy?: () => void };
  bodyAsText?: string | null;
}
export interface CapPolicy<Req extends PipelineRequest, Res extends PipelineResponse> {
  readonly name: string;
  sendRequest(request: Req, next: (request: Req) => Promise<Res>): Promise<Res>;
}

/** Every status: the HTTP client's convention for "stream them all". */
const EVERY_STATUS = new Set([Number.POSITIVE_INFINITY]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function answerCapPolicy<Req extends PipelineRequest, Res extends PipelineResponse>(maxBytes: number): CapPolicy<Req, Res> {
  return {
    name: "secretsGenAnswerCap",
    async sendRequest(request, next) {
      const streamed = request.streamResponseStatusCodes;
      request.streamResponseStatusCodes = EVERY_STATUS;
      let response: Res;
      try {
        response = await next(request);
      } finally {
        // Deserialization (outside this policy) parses only bodies not meant to be streamed.
        request.streamResponseStatusCodes = streamed;
      }
      const stream = response.readableStreamBody;
      if (stream === undefined) return response;
      response.readableStreamBody = undefined;
      response.bodyAsText = await readCapped(stream, maxBytes);
      return response;
    },
  };
}

async function readCapped(stream: NonNullable<PipelineResponse["readableStreamBody"]>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
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
  // Invalid UTF-8 is refused, as for secret files and Vault answers, instead of becoming U+FFFD.
  try {
    return utf8.decode(bytes);
  } catch {
    throw new UnreadableAnswerError("not-utf8");
  }
}
