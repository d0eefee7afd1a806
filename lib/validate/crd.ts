// Validators built from a CustomResourceDefinition's structural schema (spec.versions[].schema.
// openAPIV3Schema), the way the API server validates custom resources: ajv (JSON Schema) with the
// Kubernetes extensions mapped onto it, and unknown fields rejected where the server would prune
// them. https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { StrataError } from '../fleet/errors.js';
import { suggest } from './fields.js';
import { FORMATS } from './formats.js';

/** Whether objects of a kind live in a namespace or in the cluster as a whole. */
export type KindScope = 'Namespaced' | 'Cluster';

/** One schema error: where (a JSON pointer) and what is wrong. */
export interface SchemaProblem {
  /** JSON Pointer (RFC 6901) to the offending field of the manifest, e.g. `/spec/replicas`; `/` for the whole object. */
  readonly path: string;
  /** What is wrong with it, e.g. `is an unknown field`, `must be integer`. */
  readonly message: string;
}

/**
 * What strata knows about one `apiVersion/kind`: its scope and how to validate an object of it.
 * Register one with `registerSchema`; `registerCustomResourceDefinition` derives them from a CRD.
 */
export interface KindSchema {
  /** e.g. `external-secrets.io/v1`, `v1` for the core group. */
  readonly apiVersion: string;
  /** The kind, e.g. `ExternalSecret`. */
  readonly kind: string;
  /** Whether objects of the kind live in a namespace (`Namespaced`) or not (`Cluster`), as a CRD's `spec.scope` says. */
  readonly scope: KindScope;

  /**
   * The schema problems of one object of this kind (an empty list when it is valid), unknown
   * fields included, for a cluster of `kubernetesVersion` ('1.<minor>'; built-in kinds accept
   * the later fields that version has). @default none: only the scope is known, objects are not checked
   */
  readonly validate?: (manifest: Record<string, unknown>, kubernetesVersion?: string) => readonly SchemaProblem[];
  /** Where the schema came from, for reports (a CRD file, a package). */
  readonly source: string;
}

type JsonSchema = Record<string, unknown>;

let ajv: Ajv | undefined;

/** One compiler for every CRD, with the API server's formats of FORMATS. */
function compiler(): Ajv {
  if (!ajv) {
    // verbose: an unknown-field error carries its schema, whose properties name the known fields.
    ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false });
    for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format as never);
  }
  return ajv;
}

/**
 * The openAPIV3Schema of a CRD version as JSON Schema ajv validates like the API server:
 * - `additionalProperties: false` on every object that lists `properties` and does not keep
 *   unknown fields (`x-kubernetes-preserve-unknown-fields`): the server would prune such fields;
 * - `x-kubernetes-int-or-string` accepts an integer or a string;
 * - `x-kubernetes-embedded-resource` objects may carry apiVersion, kind and metadata;
 * - the root's `metadata` is ObjectMeta, checked by the structure checks, not here.
 */
export function structuralSchema(schema: JsonSchema, root = true, closed = true): JsonSchema {
  // closed false: unknown fields are not the schema's to report (scripts/crd-validators.ts, for kinds fields.ts knows).
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || (key === 'format' && !(String(value) in FORMATS))) continue;
    if (key === 'properties' && isRecord(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isRecord(v) ? structuralSchema(v, false, closed) : v]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isRecord(value)) {
      out[key] = structuralSchema(value, false, closed);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      // Inside these, a structural schema only restates constraints: no types of their own.
      out[key] = value.map((v) => (isRecord(v) ? structuralSchema({ ...v, 'x-kubernetes-preserve-unknown-fields': true }, false, closed) : v));
    } else if (key === 'nullable') {
      continue;
    } else {
      out[key] = value;
    }
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const properties = isRecord(out.properties) ? { ...out.properties } : undefined;
  if (root || schema['x-kubernetes-embedded-resource'] === true) {
    const meta = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
    if (properties || root) out.properties = { ...(properties ?? {}), ...meta };
  }
  const keeps = !closed || schema['x-kubernetes-preserve-unknown-fields'] === true || out.additionalProperties !== undefined;
  if (isRecord(out.properties) && !keeps) out.additionalProperties = false;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ajv's errors as schema problems: an unknown field names the closest known one where the schema says. */
export function problems(errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty?: string }).additionalProperty);
      const properties = isRecord(e.parentSchema) && isRecord(e.parentSchema.properties) ? Object.keys(e.parentSchema.properties) : [];
      return { path: `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `is an unknown field${properties.length > 0 ? suggest(key, properties) : ''}` };
    }
    const values = (e.params as { allowedValues?: unknown[] }).allowedValues;
    return { path: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${Array.isArray(values) ? ` (valid: ${values.join(', ')})` : ''}` };
  });
}

/** A validator compiled on first use: most registered kinds are never rendered. */
function lazyValidator(schema: JsonSchema): (manifest: Record<string, unknown>) => SchemaProblem[] {
  let compiled: ValidateFunction | undefined;
  return (manifest) => {
    compiled ??= compiler().compile(structuralSchema(schema));
    return compiled(manifest) ? [] : problems(compiled.errors);
  };
}

/**
 * The kinds one CRD defines: one `KindSchema` per served version, validated with its
 * openAPIV3Schema (a version without one gets its scope only).
 * @throws StrataError when `crd` is not a CustomResourceDefinition of apiextensions.k8s.io/v1
 */
export function kindsOfCrd(crd: unknown, source: string): KindSchema[] {
  const spec = isRecord(crd) ? crd.spec : undefined;
  if (!isRecord(crd) || crd.kind !== 'CustomResourceDefinition' || !isRecord(spec) || !isRecord(spec.names)) {
    throw new StrataError(`${source}: not a CustomResourceDefinition (kind ${JSON.stringify(isRecord(crd) ? crd.kind : crd)})`);
  }
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1') throw new StrataError(`${source}: CustomResourceDefinition ${String(crd.apiVersion)} is not apiextensions.k8s.io/v1`);
  const { group, names, scope } = spec;
  if (typeof group !== 'string' || typeof names.kind !== 'string' || (scope !== 'Namespaced' && scope !== 'Cluster') || !Array.isArray(spec.versions)) {
    throw new StrataError(`${source}: CustomResourceDefinition needs spec.group, spec.names.kind, spec.scope (Namespaced or Cluster) and spec.versions`);
  }
  return spec.versions.filter((v): v is Record<string, unknown> => isRecord(v) && v.served !== false && typeof v.name === 'string').map((v) => {
    const schema = isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    return { apiVersion: `${group}/${String(v.name)}`, kind: names.kind as string, scope, source, validate: schema ? lazyValidator(schema) : undefined };
  });
}

/**
 * The kinds of every CustomResourceDefinition in a YAML text (one or more documents, e.g. a file
 * of the upstream release or content fetched from its URL).
 * @throws StrataError when the text is not YAML or a document is not a CustomResourceDefinition
 */
export function kindsOfCrdYaml(text: string, source: string): KindSchema[] {
  return parseCrdYaml(text, source).flatMap((doc) => kindsOfCrd(doc, source));
}

/** The documents of a CRD file. @throws StrataError on invalid YAML */
export function parseCrdYaml(text: string, source: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) throw new StrataError(`${source}: invalid YAML: ${broken.errors[0].message}`);
  return list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}
