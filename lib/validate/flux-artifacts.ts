// The schemas of Flux 2.7's artifact kinds, which no bundled model validates: ExternalArtifact
// (`source.toolkit.fluxcd.io/v1`, RFC-0012: an artifact a controller other than source-controller
// produces) and ArtifactGenerator (`source.extensions.fluxcd.io/v1beta1`, source-watcher: composes
// or splits sources into ExternalArtifacts). Written from the API reference, as CRDs, so they are
// validated like every other custom resource (lib/validate/crd.ts); the fields' patterns, enums and
// limits are the API's.
// https://fluxcd.io/flux/components/source/externalartifacts/
// https://fluxcd.io/flux/components/source/artifactgenerators/

type Schema = Record<string, unknown>;

const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) });
const list = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

const DNS_NAME = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';
const ALIAS = '^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$';

/** A CustomResourceDefinition of one namespaced kind with one served version. */
function crd(group: string, kind: string, plural: string, version: string, spec: Schema): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [{
        name: version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: object({ apiVersion: string(), kind: string(), metadata: { type: 'object' }, spec, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }) },
      }],
    },
  };
}

/** ExternalArtifact: `spec.sourceRef` names the custom resource the artifact was produced from. */
export const EXTERNAL_ARTIFACT_CRD = crd('source.toolkit.fluxcd.io', 'ExternalArtifact', 'externalartifacts', 'v1', object({
  sourceRef: object({
    apiVersion: string(),
    kind: string(),
    name: string(),
    namespace: string(),
  }, ['kind', 'name']),
}));

/**
 * ArtifactGenerator: `spec.sources` (by alias) and `spec.artifacts`, each artifact an
 * ExternalArtifact of its name in the generator's namespace, built by copy operations
 * `@<alias>/<glob>` → `@artifact/<path>`.
 */
export const ARTIFACT_GENERATOR_CRD = crd('source.extensions.fluxcd.io', 'ArtifactGenerator', 'artifactgenerators', 'v1beta1', object({
  sources: list(object({
    alias: string({ pattern: ALIAS, maxLength: 63 }),
    kind: string({ enum: ['Bucket', 'GitRepository', 'OCIRepository', 'HelmChart', 'ExternalArtifact'] }),
    name: string({ pattern: DNS_NAME, maxLength: 253 }),
    namespace: string({ pattern: DNS_NAME, minLength: 1, maxLength: 63 }),
  }, ['alias', 'kind', 'name']), { minItems: 1, maxItems: 1000 }),
  artifacts: list(object({
    name: string({ pattern: DNS_NAME, maxLength: 253 }),
    originRevision: string({ pattern: '^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$', maxLength: 64 }),
    revision: string({ pattern: '^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$', maxLength: 64 }),
    copy: list(object({
      from: string({ pattern: '^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$', maxLength: 1024 }),
      to: string({ pattern: '^@(artifact)/(.*)$', maxLength: 1024 }),
      exclude: list(string(), { maxItems: 100 }),
      strategy: string({ enum: ['Overwrite', 'Merge', 'Extract'] }),
    }, ['from', 'to']), { minItems: 1 }),
  }, ['name', 'copy']), { minItems: 1, maxItems: 1000 }),
  commonMetadata: object({ labels: stringMap, annotations: stringMap }),
}, ['sources', 'artifacts']));
