// Object identity as the API server and Flux see it: group, kind, namespace and name. The API
// version is not part of it (apps/v1 and apps/v1beta2 name the same Deployment), exactly like the
// entries of a Flux Kustomization's inventory (`<namespace>_<name>_<group>_<kind>`).
import type { Manifest } from '../synth/model.js';

/** Who an object is to the cluster: changing any of these makes it another object. */
export interface ObjectId {
  /** API group, empty for the core group (`v1`). */
  readonly group: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

/** The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The identity of a manifest; `namespace` overrides its own (a Kustomization's `targetNamespace`). */
export function idOf(manifest: Manifest, namespace?: string): ObjectId {
  const ns = namespace ?? manifest.metadata.namespace;
  return { group: groupOf(manifest.apiVersion), kind: manifest.kind, name: manifest.metadata.name, ...(ns ? { namespace: ns } : {}) };
}

/** A map key for an identity, in Flux's inventory format: `<namespace>_<name>_<group>_<kind>`. */
export function idKey(id: ObjectId): string {
  return `${id.namespace ?? ''}_${id.name}_${id.group}_${id.kind}`;
}

/** `Kind namespace/name`, or `Kind name` when cluster-scoped, for reports. */
export function describeId(id: ObjectId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

/** Sort order of reports: kind, namespace, name. */
export function compareIds(a: ObjectId, b: ObjectId): number {
  return a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
}
