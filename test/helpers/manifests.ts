/**
 * Checks for generated Kubernetes manifests: parse every YAML document, and validate each against
 * the published OpenAPI schema of its apiVersion and kind (kubernetes-models, and ESO's CRDs from
 * @kubernetes-models/external-secrets). Those schemas check types, enums and required fields; they
 * do not reject unknown fields, so tests still pin the exact shape they expect.
 */
import { ExternalSecret as ExternalSecretV1 } from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import { ExternalSecret as ExternalSecretV1beta1 } from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Secret } from "kubernetes-models/v1";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";

// Every apiVersion/kind a target writes; anything else fails the check.
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "external-secrets.io/v1 ExternalSecret": ExternalSecretV1,
  "external-secrets.io/v1beta1 ExternalSecret": ExternalSecretV1beta1,
  "v1 Secret": Secret,
  "apps/v1 Deployment": Deployment,
};

/** Each YAML document of a file, as plain data; a syntax error fails the test. */
export function yamlDocuments(text: string): Record<string, any>[] {
  return parseAllDocuments(text).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS();
  });
}

/** Throws, naming the offending path, when the manifest breaks its kind's schema. */
export function validateManifest(manifest: Record<string, any>): void {
  const Model = MODELS[`${manifest.apiVersion} ${manifest.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest as never).validate();
}

/** A minimal valid Deployment of container `app`, for a strategic-merge patch to land on. */
const baseDeployment = (name: string, container: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: container, image: "example/app:1" }] } },
  },
});

/**
 * What `kubectl patch` makes of a Deployment with this patch: a strategic merge, where lists of
 * named items (containers, env, volumes, volumeMounts) merge by name and everything else by key.
 */
export function patchedDeployment(patch: Record<string, any>, container = "app"): Record<string, any> {
  return merge(baseDeployment(patch.metadata.name, container), patch) as Record<string, any>;
}

function merge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch) && [...base, ...patch].every((item) => typeof item?.name === "string")) {
    const merged = base.map((item) => merge(item, patch.find((other) => other.name === item.name) ?? {}));
    return [...merged, ...patch.filter((item) => !base.some((other) => other.name === item.name))];
  }
  if (isObject(base) && isObject(patch)) {
    return Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(patch)])].map((key) => [key, key in patch ? (key in base ? merge(base[key], patch[key]) : patch[key]) : base[key]]));
  }
  return patch;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
