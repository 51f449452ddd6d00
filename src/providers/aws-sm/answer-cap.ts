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

/** `body` passed through, failing (and destroying `body`) once more than `limit` bytes have come. */
function counted(body: Readable, limit: number): Readable {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Uint8Array, _encoding, done) {
      size += chunk.length;
      done(size > limit ? new AnswerTooLargeError() : null, chunk);
    },
  });
  return pipeline(body, counter, () => undefined);
}
