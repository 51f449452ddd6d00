/**
 * The same Secret Manager over gRPC, the SDK's default transport: the service is loaded from the
 * .proto files that ship inside @google-cloud/secret-manager (and google-gax for google/api), and
 * served by @grpc/grpc-js (the SDK's own gRPC library) on 127.0.0.1, with or without TLS: AccessSecretVersion,
 * and the writes CreateSecret and AddSecretVersion. Faults of the
 * shared queue map to gRPC statuses; `reset` and `malformed` have no gRPC equivalent and answer
 * UNAVAILABLE / INTERNAL.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FaultQueue, waitOut, type Fault } from "../faults.ts";
import { SecretStore, type WriteAnswer } from "./store.ts";

const SERVICE = "/google.cloud.secretmanager.v1.SecretManagerService";
const METHOD = `${SERVICE}/AccessSecretVersion`;

interface CreateSecretRequest {
  readonly parent: string;
  readonly secretId: string;
}

interface AddSecretVersionRequest {
  readonly parent: string;
  /** `dataCrc32c` is an int64, loaded as a decimal string. */
  readonly payload?: { readonly data?: Buffer; readonly dataCrc32c?: string | null } | null;
}

export interface GcpGrpcServerOptions {
  /** Project id → number. Default `{ "test-project": 123456789012 }`. */
  readonly projects?: Readonly<Record<string, number>>;
  /** Serve TLS with this PEM key and certificate (else plaintext). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** When given, calls must carry `authorization: Bearer <one of these>` metadata. */
  readonly tokens?: readonly string[];
}

export interface GcpGrpcServer {
  /** `127.0.0.1:<port>`: the provider's `endpoint` option (plaintext servers also need insecure `sslCreds`). */
  readonly endpoint: string;
  readonly store: SecretStore;
  readonly faults: FaultQueue;
  /** Resource names asked for (parents, for writes), in order. */
  readonly requests: string[];
  /** The authorization metadata of each call, in order. */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

function loadService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const sdkEntry = require.resolve("@google-cloud/secret-manager");
  const sdkProtos = join(dirname(sdkEntry), "..", "protos");
  const gaxProtos = join(dirname(createRequire(sdkEntry).resolve("google-gax")), "..", "protos");
  const definition = protoLoader.loadSync("google/cloud/secretmanager/v1/service.proto", {
    includeDirs: [sdkProtos, gaxProtos],
    keepCase: false,
    longs: String,
    defaults: false,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { secretmanager: { v1: { SecretManagerService: { service: grpc.ServiceDefinition } } } } };
  };
  return loaded.google.cloud.secretmanager.v1.SecretManagerService.service;
}

const STATUS_BY_HTTP: Record<number, grpc.status> = {
  403: grpc.status.PERMISSION_DENIED,
  404: grpc.status.NOT_FOUND,
  429: grpc.status.RESOURCE_EXHAUSTED,
  503: grpc.status.UNAVAILABLE,
  504: grpc.status.DEADLINE_EXCEEDED,
};

export async function startGcpGrpcServer(options: GcpGrpcServerOptions = {}): Promise<GcpGrpcServer> {
  const store = new SecretStore(options.projects ?? { "test-project": 123456789012 });
  const faults = new FaultQueue();
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server = new grpc.Server();

  server.addService(loadService(), {
    AccessSecretVersion: async (call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const name = call.request.name;
      requests.push(name);
      const authorization = call.metadata.get("authorization")[0]?.toString();
      authorizations.push(authorization);
      if (options.tokens && !options.tokens.some((token) => authorization === `Bearer ${token}`)) {
        return callback({ code: grpc.status.UNAUTHENTICATED, details: "Request had invalid authentication credentials." });
      }
      const fault = faults.take({ method: "POST", url: `${METHOD} ${name}`, headers: {} } as unknown as IncomingMessage);
      if (fault && (await applyGrpcFault(fault, callback))) return;
      const result = store.access(name);
      if (!result.ok) {
        const code = grpc.status[result.error.status as keyof typeof grpc.status] as grpc.status;
        return callback({ code, details: result.error.message });
      }
      const payload: Record<string, unknown> = { data: Buffer.from(result.data) };
      if (result.dataCrc32c !== undefined) payload.dataCrc32c = result.dataCrc32c;
      callback(null, { name: result.name, payload });
    },
    CreateSecret: (call: grpc.ServerUnaryCall<CreateSecretRequest, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      write(call, callback, "CreateSecret", () => store.createSecret(call.request.parent, call.request.secretId), { replication: { automatic: {} } }),
    AddSecretVersion: (call: grpc.ServerUnaryCall<AddSecretVersionRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const { data, dataCrc32c } = call.request.payload ?? {};
      return write(call, callback, "AddSecretVersion", () => store.addSecretVersion(call.request.parent, data ?? new Uint8Array(), dataCrc32c ?? undefined), { state: "ENABLED" });
    },
  });

  /** A write call: the same token check and fault queue as reads (matched on `<method path> <parent>`), then the store's answer. */
  async function write(
    call: grpc.ServerUnaryCall<{ readonly parent: string }, unknown>,
    callback: grpc.sendUnaryData<unknown>,
    method: string,
    apply: () => WriteAnswer,
    fields: object,
  ): Promise<void> {
    requests.push(call.request.parent);
    const authorization = call.metadata.get("authorization")[0]?.toString();
    authorizations.push(authorization);
    if (options.tokens && !options.tokens.some((token) => authorization === `Bearer ${token}`)) {
      return callback({ code: grpc.status.UNAUTHENTICATED, details: "Request had invalid authentication credentials." });
    }
    const fault = faults.take({ method: "POST", url: `${SERVICE}/${method} ${call.request.parent}`, headers: {} } as unknown as IncomingMessage);
    if (fault && (await applyGrpcFault(fault, callback))) return;
    const answer = apply();
    if (!answer.ok) return callback({ code: grpc.status[answer.error.status as keyof typeof grpc.status] as grpc.status, details: answer.error.message });
    callback(null, { name: answer.name, ...fields });
  }

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }])
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    store,
    faults,
    requests,
    authorizations,
    close: async () => server.forceShutdown(),
  };
}

const HUGE_MESSAGE_BYTES = 3 * 1024 * 1024;

/** Perform `fault`; true when the call is answered (or deliberately never will be). */
async function applyGrpcFault(fault: Fault, callback: grpc.sendUnaryData<unknown>): Promise<boolean> {
  switch (fault.kind) {
    case "latency":
    case "hold":
      await waitOut(fault);
      return false;
    case "status":
      callback({ code: STATUS_BY_HTTP[fault.status] ?? grpc.status.INTERNAL, details: `injected ${fault.status}` });
      return true;
    case "reset":
      callback({ code: grpc.status.UNAVAILABLE, details: "injected reset" });
      return true;
    case "hang":
      return true;
    case "malformed":
    case "redirect": // gRPC has no redirects: an HTTP/2 status other than 200 is an internal error
      callback({ code: grpc.status.INTERNAL, details: "injected malformed answer" });
      return true;
    case "endless":
    case "stall":
      // gRPC messages are whole: the nearest fault is one far larger than any secret (under grpc-js's own 4 MiB default).
      callback(null, { name: "huge", payload: { data: Buffer.alloc(HUGE_MESSAGE_BYTES, "a") } });
      return true;
  }
}
