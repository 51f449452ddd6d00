/**
 * A size cap on Key Vault answers. The Azure HTTP client reads a whole body into memory and has no
 * size option, but a request may ask for its body as a stream: this policy does so, reads the
 * stream up to the cap (destroying it, and so the socket, past it), and hands the text on as if the
 * client had read it, for the SDK's own deserialization.
 */
import { readCappedText } from "../capped-answer.ts";

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
      response.bodyAsText = await readCappedText(stream as AsyncIterable<Uint8Array> & { destroy?: () => void }, maxBytes);
      return response;
    },
  };
}
