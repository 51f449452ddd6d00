/**
 * A size cap on AWS answers. The SDK's NodeHttpHandler reads a body of any size and has no option
 * for it, so a middleware between the deserializer and the handler counts the body's bytes and
 * destroys the response (and so its socket) once it outgrows the cap.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { pipeline, Transform, type Readable } from "node:stream";
import { BATCH_LIMIT } from "./fetch.ts";

/** Thrown into the SDK's body reading; classify.ts names it in the message. */
export class AnswerTooLargeError extends Error {
  override name = "AnswerTooLargeError";
  constructor() {
    super("the answer is over the size limit");
  }
}

/** The SDK would decode invalid UTF-8 as U+FFFD; it is refused, as for secret files. */
export class AnswerNotUtf8Error extends Error {
  override name = "AnswerNotUtf8Error";
  constructor() {
    super("the answer is not UTF-8 text");
  }
}

interface HandlerOutput {
  readonly response: { body?: unknown; headers?: Record<string, string | undefined> };
}
type Next = (args: unknown) => Promise<HandlerOutput>;

/** Cap each answer at `maxBytes`; a BatchGetSecretValue answer holds up to BATCH_LIMIT secrets, so it gets that many times more. */
export function capAnswers(client: SecretsManagerClient, maxBytes: number): void {
  const middleware = (next: Next, context: { commandName?: string }) => async (args: unknown): Promise<HandlerOutput> => {
    const output = await next(args);
    const limit = context.commandName === "BatchGetSecretValueCommand" ? maxBytes * BATCH_LIMIT : maxBytes;
    const body = output.response.body as Readable | undefined;
    if (body && typeof body.pipe === "function") {
      if (Number(output.response.headers?.["content-length"]) > limit) {
        body.destroy();
        throw new AnswerTooLargeError();
      }
      output.response.body = counted(body, limit);
    }
    return output;
  };
  client.middlewareStack.add(middleware as never, { step: "deserialize", priority: "low", name: "secretsGenAnswerCap" });
}

/** `body` passed through, failing (and destroying `body`) once more than `limit` bytes have come, or on bytes that are not UTF-8. */
function counted(body: Readable, limit: number): Readable {
  let size = 0;
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const isText = (bytes?: Uint8Array): boolean => {
    try {
      utf8.decode(bytes, { stream: bytes !== undefined });
      return true;
    } catch {
      return false;
    }
  };
  const counter = new Transform({
    transform(chunk: Uint8Array, _encoding, done) {
      size += chunk.length;
      done(size > limit ? new AnswerTooLargeError() : isText(chunk) ? null : new AnswerNotUtf8Error(), chunk);
    },
    flush(done) {
      done(isText() ? null : new AnswerNotUtf8Error());
    },
  });
  return pipeline(body, counter, () => undefined);
}
