// Schema validation of every rendered object, through one registry of kinds: Kubernetes (kubernetes-models;
// fields and kinds per cluster version, see fields.ts and api-versions.ts), the CRDs of the components strata
// installs (their openAPIV3Schema, vendored in crd-schemas.ts and compiled in crd-validators.ts), and
// every CRD a project registers (the files cdk8s.yaml names, see project.ts, or
// `registerCustomResourceDefinition`). The registry also says which kinds are cluster-scoped, so
// a synth and `npm run validate` agree on both.
import { CRD_KINDS, MODELS, type CompiledKind, type ValidatingModel } from './models.js';
import type { Finding } from '../fleet/errors.js';
import { apiVersionProblem } from './api-versions.js';
import { unknownFields } from './fields.js';
import { kindsOfCrd, parseCrdYaml, problems as ajvProblems, type KindSchema, type SchemaProblem } from './crd.js';
import { ARTIFACT_GENERATOR_CRD, EXTERNAL_ARTIFACT_CRD } from './flux-artifacts.js';
import type { FleetModel, Manifest, ResolvedCluster, ResolvedObject } from '../synth/model.js';

export type { KindSchema, KindScope, SchemaProblem } from './crd.js';

/**
 * Built-in kinds that are not namespaced (Kubernetes 1.27 to 1.34, and the CRDs strata renders). A
 * kind neither listed here nor registered as `Cluster` is namespaced, so a forgotten namespace is
 * an error rather than a silent apply into `default`. No installed package carries the API's scopes
 * (the bindings and models are schemas only), so the list is kept here; test/cluster-scope.test.ts
 * checks it against the scopes real kustomize knows.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService', 'CSIDriver', 'CSINode', 'CertificateSigningRequest', 'ClusterExternalSecret', 'ClusterIssuer', 'ClusterRole',
  'ClusterRoleBinding', 'ClusterSecretStore', 'ClusterTriggerAuthentication', 'ClusterTrustBundle', 'ComponentStatus',
  'CustomResourceDefinition', 'DeviceClass', 'DeviceTaintRule', 'EC2NodeClass', 'FlowSchema', 'GatewayClass', 'IPAddress',
  'IngressClass', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'MutatingWebhookConfiguration', 'Namespace',
  'Node', 'NodePool', 'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'ResourceSlice', 'RuntimeClass',
  'SelfSubjectAccessReview', 'SelfSubjectReview', 'SelfSubjectRulesReview', 'ServiceCIDR', 'StorageClass', 'StorageVersion',
  'StorageVersionMigration', 'SubjectAccessReview', 'TokenReview', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeAttributesClass',
]);

/**
 * Annotation that marks an object as deliberately not schema-checked; its value is the reason.
 * Set it with `markUnchecked(obj, reason)`; every synth and `npm run validate` count such objects.
 */
export const UNCHECKED_ANNOTATION = 'strata.dev/unchecked';

const key = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

function fromModel(model: ValidatingModel): KindSchema {
  const validate = model.prototype.validate;
  return {
    apiVersion: model.apiVersion,
    kind: model.kind,
    scope: CLUSTER_SCOPED_KINDS.has(model.kind) ? 'Cluster' : 'Namespaced',
    source: 'kubernetes-models',
    validate: (manifest, kubernetesVersion) => [...modelProblems(validate, forSchema(manifest as Manifest)), ...unknownFields(manifest as Manifest, kubernetesVersion).map(splitProblem)],
  };
}

/**
 * A kind of the CRDs strata's components install, validated with the CRD's schema, compiled ahead
 * of time (crd-validators.ts). Its unknown fields are fields.ts's to report (per Kubernetes
 * version, with a suggestion): every vendored kind has a field tree (imports/known-fields.ts).
 */
function fromVendored(gvk: string, entry: CompiledKind): KindSchema {
  const slash = gvk.lastIndexOf('/');
  const [apiVersion, kind] = [gvk.slice(0, slash), gvk.slice(slash + 1)];
  let validator: ReturnType<CompiledKind['build']> | undefined;
  const check = (manifest: unknown): SchemaProblem[] => {
    validator ??= entry.build();
    return validator(manifest) ? [] : ajvProblems(validator.errors);
  };
  return {
    apiVersion,
    kind,
    scope: entry.scope,
    source: entry.source,
    validate: (manifest, kubernetesVersion) => {
      let problems = check(manifest);
      if (problems.length > 0) problems = check(withoutUndefined(manifest));
      return [...problems, ...unknownFields(manifest as Manifest, kubernetesVersion).map(splitProblem)];
    },
  };
}

const registry = new Map<string, KindSchema>([
  ...MODELS.map((m): [string, KindSchema] => [key(m.apiVersion, m.kind), fromModel(m)]),
  ...Object.entries(CRD_KINDS).map(([gvk, entry]): [string, KindSchema] => [gvk, fromVendored(gvk, entry)]),
  // Flux 2.7's artifact kinds, which layers may read from (lib/gitops/layer-source.ts).
  ...[EXTERNAL_ARTIFACT_CRD, ARTIFACT_GENERATOR_CRD].flatMap((crd) => kindsOfCrd(crd, 'lib/validate/flux-artifacts.ts')).map((k): [string, KindSchema] => [key(k.apiVersion, k.kind), k]),
]);

/** Every `apiVersion/kind` with a registered schema. */
export function registeredKinds(): string[] {
  return [...registry.keys()];
}

/** The registered schema of `apiVersion/kind`, if any. */
export function schemaOf(apiVersion: string, kind: string): KindSchema | undefined {
  return registry.get(key(apiVersion, kind));
}

/** One kind registered while the project ran, with the CRD it came from (none for `registerSchema`). */
export interface RuntimeRegistration {
  readonly schema: KindSchema;
  readonly crd?: Record<string, unknown>;
}

/**
 * Kinds the project registered at run time (not the CRDs cdk8s.yaml names, which `npm run validate`
 * reads itself): a synth records those its clusters use beside them (lib/validate/registrations.ts).
 */
const runtime = new Map<string, RuntimeRegistration>();

/** The kinds registered at run time, by `apiVersion/kind`. */
export function runtimeRegistrations(): ReadonlyMap<string, RuntimeRegistration> {
  return runtime;
}

/** Adds a kind to the registry without recording it as a run-time registration (cdk8s.yaml's CRDs, recorded ones read back). */
export function addToRegistry(schema: KindSchema): void {
  registry.set(key(schema.apiVersion, schema.kind), schema);
}

/**
 * Registers (or replaces) what strata knows about one `apiVersion/kind`: its scope and its
 * validator. Seen by every later synth and `validateDist` of this process; a synth records the
 * kind's scope beside each cluster using it, so `npm run validate` knows it too (not its validator:
 * a function cannot be recorded, so there its objects are taken as the synth checked them).
 */
export function registerSchema(schema: KindSchema): void {
  addToRegistry(schema);
  runtime.set(key(schema.apiVersion, schema.kind), { schema });
}

/**
 * Registers every kind (one per served version) of one or more CustomResourceDefinitions: their
 * objects are validated against the CRD's openAPIV3Schema (unknown fields are errors) and its
 * `spec.scope` says whether they take a namespace. `crd` is YAML text (a CRD file of the upstream
 * release, or content fetched from its URL) or a parsed CRD object. A synth records the CRD beside
 * each cluster whose objects use its kinds, so `npm run validate` checks them alike.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
 * @param source names the CRD in reports, e.g. its file
 * @returns the registered `apiVersion/kind`s
 * @throws StrataError when it is not valid YAML or not an apiextensions.k8s.io/v1 CustomResourceDefinition
 */
export function registerCustomResourceDefinition(crd: string | Record<string, unknown>, source = 'CustomResourceDefinition'): string[] {
  const docs = typeof crd === 'string' ? parseCrdYaml(crd, source) : [crd];
  const kinds = docs.flatMap((doc) => kindsOfCrd(doc, source).map((schema) => ({ schema, crd: doc as Record<string, unknown> })));
  for (const k of kinds) {
    addToRegistry(k.schema);
    runtime.set(key(k.schema.apiVersion, k.schema.kind), k);
  }
  return kinds.map((k) => key(k.schema.apiVersion, k.schema.kind));
}

/**
 * True for a cluster-scoped kind: as its registered schema says (a CRD's `spec.scope`), else
 * when it is a built-in cluster-scoped kind (`CLUSTER_SCOPED_KINDS`).
 */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  const schema = registry.get(key(apiVersion, kind));
  return schema ? schema.scope === 'Cluster' : CLUSTER_SCOPED_KINDS.has(kind);
}

/** The reason an object is marked unchecked (`UNCHECKED_ANNOTATION`), if it is. */
export function uncheckedReason(manifest: Manifest): string | undefined {
  const reason = isRecord(manifest.metadata) ? manifest.metadata.annotations?.[UNCHECKED_ANNOTATION] : undefined;
  return typeof reason === 'string' && reason.trim() !== '' ? reason : undefined;
}

/**
 * The schema errors of one manifest, as readable strings; empty when it is valid or marked
 * unchecked. Fields the schema does not know are errors too (the API server would drop them silently),
 * and so are kinds and fields the cluster's `kubernetesVersion` does not have
 * (lib/validate/api-versions.ts, lib/validate/fields.ts): a removed API is an error even on an
 * object marked unchecked, since no API server of that version serves it.
 */
export function schemaErrors(manifest: Manifest, kubernetesVersion?: string): string[] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return [`not an object: ${JSON.stringify(manifest)}`];
  // Written only for a problem: nearly every object of a synth has none.
  const what = (): string => `${manifest.kind} ${isRecord(manifest.metadata) ? manifest.metadata.name : undefined}`;
  const api = apiVersionProblem(manifest.apiVersion, manifest.kind, kubernetesVersion);
  if (api) return [`${what()}: ${api}`];
  if (uncheckedReason(manifest) !== undefined) return [];
  const schema = registry.get(key(manifest.apiVersion, manifest.kind));
  if (!schema) {
    return [
      `${what()}: no schema is known for ${manifest.apiVersion} ${manifest.kind}, so it cannot be validated: name its CustomResourceDefinition file in cdk8s.yaml ` +
        `(imports), register it with registerCustomResourceDefinition, or mark the object with markUnchecked(obj, reason)`,
    ];
  }
  if (!schema.validate) return [];
  const problems = schema.validate(manifest, kubernetesVersion);
  if (problems.length === 0) return [];
  const at = what();
  return problems.map((p) => `${at}: schema ${manifest.apiVersion}: ${p.path ? `${p.path} ` : ''}${p.message}`);
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

/** `/spec/x is an unknown field ...` as a problem. */
function splitProblem(text: string): SchemaProblem {
  const space = text.indexOf(' ');
  return { path: text.slice(0, space), message: text.slice(space + 1) };
}

/**
 * The model's compiled validator, run on the manifest itself: a model instance would copy every
 * manifest first (kubernetes-models' setDefinedProps), which costs more than the validation.
 */
function modelProblems(validate: ValidatingModel['prototype']['validate'], manifest: Manifest): SchemaProblem[] {
  try {
    validate.call(manifest);
    return [];
  } catch {
    return modelErrors(validate, withoutUndefined(manifest) as Manifest);
  }
}

/**
 * A value without its `undefined` properties: what the manifest is as YAML (a patch or a binding
 * can leave a key with no value), so the schema judges only what is written. Only for an object
 * that failed validation: nearly every object passes as it is, with no copy.
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}

function modelErrors(validate: ValidatingModel['prototype']['validate'], manifest: Manifest): SchemaProblem[] {
  try {
    validate.call(manifest);
    return [];
  } catch (e) {
    const errors = (e as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    if (!errors) return [{ path: '', message: (e as Error).message }];
    return errors.map((err) => ({ path: err.instancePath || '/', message: `${err.message ?? 'is invalid'}${allowed(err.params)}` }));
  }
}

function allowed(params: Record<string, unknown> | undefined): string {
  const values = params?.allowedValues;
  return Array.isArray(values) ? ` (valid: ${values.join(', ')})` : '';
}

function objectsOf(model: FleetModel): { cluster: ResolvedCluster; obj: ResolvedObject }[] {
  return model.clusters.flatMap((c) => [...c.folders.flatMap((f) => f.objects), ...c.layers, ...c.sources].map((obj) => ({ cluster: c, obj })));
}

/** Every rendered object against its schema. */
export function checkSchemas(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  // Object by object in objectsOf's order, without first copying every object of every cluster into a list of pairs.
  const check = (cluster: ResolvedCluster, obj: ResolvedObject): void => {
    for (const message of schemaErrors(obj.manifest, cluster.kubernetesVersion)) findings.push({ path: obj.path, message });
  };
  for (const cluster of model.clusters) {
    for (const folder of cluster.folders) for (const obj of folder.objects) check(cluster, obj);
    for (const obj of cluster.layers) check(cluster, obj);
    for (const obj of cluster.sources) check(cluster, obj);
  }
  return findings;
}

/** The objects marked unchecked, with their reasons: a synth and `npm run validate` report how many. */
export function uncheckedObjects(model: FleetModel): { readonly path: string; readonly reason: string }[] {
  return objectsOf(model).flatMap(({ obj }) => {
    const reason = uncheckedReason(obj.manifest);
    return reason === undefined ? [] : [{ path: obj.path, reason }];
  });
}
