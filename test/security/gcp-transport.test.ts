/**
 * gcp-sm, through the real SDK against the local REST and gRPC Secret Manager servers: a redirect
 * never carries the bearer token elsewhere, and an answer far larger than any secret is refused at
 * the size cap (gRPC: grpc-js's own receive limit; REST: the body read stops at the cap).
 */
import * as grpc from "@grpc/grpc-js";
import { OAuth2Client } from "google-auth-library";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import gcpSm, { type GcpSmOptions } from "../../src/providers/gcp-sm.ts";
import type { Outcome, ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startCaptureServer, type CaptureServer } from "../servers/capture.ts";
import { startGcpGrpcServer, type GcpGrpcServer } from "../servers/gcp/grpc-server.ts";
import { startGcpServer, type GcpServer } from "../servers/gcp/server.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const PROJECT = "test-project";
const TOKEN = `ya29.${secretValue("gcp-token")}`;
const REF = "gcp-sm://db";

let rest: GcpServer;
let grpcServer: GcpGrpcServer;
let elsewhere: CaptureServer;
beforeAll(async () => {
  rest = await startGcpServer({ projects: { [PROJECT]: 123456789012 }, tokens: [TOKEN] });
  rest.store.addVersion(PROJECT, "db", secretValue("db"));
  grpcServer = await startGcpGrpcServer({ projects: { [PROJECT]: 123456789012 } });
  grpcServer.store.addVersion(PROJECT, "db", secretValue("db"));
  elsewhere = await startCaptureServer(JSON.stringify({ name: `projects/${PROJECT}/secrets/db/versions/1`, payload: { data: Buffer.from(secretValue("forged")).toString("base64") } }));
});
afterEach(() => {
  rest.faults.clear();
  grpcServer.faults.clear();
  elsewhere.requests.length = 0;
});
afterAll(async () => Promise.all([rest.close(), grpcServer.close(), elsewhere.close()]));

function tokenAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  return client;
}

async function resolveGcp(options: GcpSmOptions, ctx: Partial<ResolveContext> = {}): Promise<Outcome> {
  const provider = gcpSm({ authClient: tokenAuth(), attempts: 1, ...options });
  const context: ResolveContext = { env: { GCP_PROJECT_ID: PROJECT }, signal: AbortSignal.timeout(20_000), production: true, warn: () => {}, ...ctx };
  const outcome = (await provider.resolve([parseRef(REF)], context)).get(REF)!;
  await provider.close?.();
  if (outcome.status !== "found") expectNoSentinel(outcome);
  return outcome;
}

describe("gcp-sm over REST", () => {
  it("does not send the bearer token to a redirect's target, nor accept its answer", async () => {
    rest.faults.add({ kind: "redirect", location: `${elsewhere.url}/v1/projects/${PROJECT}/secrets/db/versions/latest:access` }, { match: "secrets/db/versions/latest:access" });
    const outcome = await resolveGcp({ endpoint: rest.url });
    expect(elsewhere.requests.length).toBe(0); // not the headers themselves: a failure would print the token
    expect(outcome.status).toBe("error");
  });

  it("stops reading an endless answer at the cap", async () => {
    rest.faults.add({ kind: "endless" }, { match: "secrets/db/versions/latest:access" });
    const outcome = await resolveGcp({ endpoint: rest.url }, { maxAnswerBytes: 64 * 1024 });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("over the size limit") });
  });
});

describe("gcp-sm over gRPC", () => {
  const overGrpc = (): GcpSmOptions => ({ endpoint: grpcServer.endpoint, clientOptions: { sslCreds: grpc.credentials.createInsecure() } });

  it("refuses a message over the cap", async () => {
    grpcServer.faults.add({ kind: "endless" });
    const outcome = await resolveGcp(overGrpc(), { maxAnswerBytes: 64 * 1024 });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("over the size limit") });
  });

  it("reads a normal answer under the cap", async () => {
    expect(await resolveGcp(overGrpc(), { maxAnswerBytes: 64 * 1024 })).toMatchObject({ status: "found", value: secretValue("db") });
  });
});
