// Schema validation of every rendered object: Kubernetes 1.27 (kubernetes-models) and the CRD
// schemas of Flux, KEDA, Karpenter, cert-manager and Gateway API (@kubernetes-models/*).
import { MODELS, type ValidatingModel } from './models.js';
import type { Finding } from '../fleet/errors.js';
import { apiVersionProblem } from './api-versions.js';
import { unknownFields } from './fields.js';
import type { FleetModel, Manifest } from '../synth/model.js';

const registry = new Map<string, ValidatingModel>(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** Every `apiVersion/kind` with a registered schema. */
export function registeredKinds(): string[] {
  return [...registry.keys()];
}

/** Validates `apiVersion/kind` objects with `validate` (e.g. a model of another @kubernetes-models package). */
export function registerSchema(model: ValidatingModel): void {
  registry.set(`${model.apiVersion}/${model.kind}`, model);
}

/**
 * The schema errors of one manifest, as readable strings; empty when it is valid. Fields the
 * schema does not know are errors too (the API server would drop them silently), and so are
 * kinds and fields the cluster's `kubernetesVersion` does not have (lib/validate/api-versions.ts,
 * lib/validate/fields.ts).
 */
export function schemaErrors(manifest: Manifest, kubernetesVersion?: string): string[] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return [`not an object: ${JSON.stringify(manifest)}`];
  const model = registry.get(`${manifest.apiVersion}/${manifest.kind}`);
  const what = `${manifest.kind} ${isRecord(manifest.metadata) ? manifest.metadata.name : undefined}`;
  const api = apiVersionProblem(manifest.apiVersion, manifest.kind, kubernetesVersion);
  if (api) return [`${what}: ${api}`];
  if (!model) {
    return [`${what}: no schema is known for ${manifest.apiVersion} ${manifest.kind}, so it cannot be validated (register one with registerSchema)`];
  }
  const unknown = unknownFields(manifest, kubernetesVersion).map((p) => `${what}: schema ${manifest.apiVersion}: ${p}`);
  return [...modelErrors(model, forSchema(manifest), what, manifest.apiVersion), ...unknown];
}

/**
 * What the schema library sees: a SOPS-encrypted Secret without its encrypted values (`ENC[...]`
 * strings are not base64; Flux decrypts them before applying) and its `sops` metadata.
 */
function forSchema(manifest: Manifest): Manifest {
  if (manifest.kind !== 'Secret' || !('sops' in manifest)) return manifest;
  const { sops: _sops, data: _data, stringData: _stringData, ...rest } = manifest;
  return rest as Manifest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function modelErrors(model: ValidatingModel, manifest: Manifest, what: string, apiVersion: string): string[] {
  try {
    new model(manifest as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    if (!errors) return [`${what}: ${(e as Error).message}`];
    return errors.map((err) => `${what}: schema ${apiVersion}: ${err.instancePath || '/'} ${err.message ?? 'is invalid'}${allowed(err.params)}`);
  }
}

function allowed(params: Record<string, unknown> | undefined): string {
  const values = params?.allowedValues;
  return Array.isArray(values) ? ` (valid: ${values.join(', ')})` : '';
}

/** Every rendered object against its schema. */
export function checkSchemas(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    for (const obj of [...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources]) {
      for (const message of schemaErrors(obj.manifest, cluster.kubernetesVersion)) findings.push({ path: obj.path, message });
    }
  }
  return findings;
}
