import { createHash } from 'node:crypto';
import { StrataError } from '../fleet/errors.js';
import { lockdownPatches, type KustomizePatch } from '../gitops/lockdown.js';
import { DEFAULT_KUBERNETES_VERSION } from '../fleet/kubernetes-version.js';
import { toMultiDocYaml, toYaml } from './yaml.js';
import { REGISTRATIONS_FILE, recordRegistrations } from '../validate/registrations.js';
import type { FleetModel, ResolvedObject } from './model.js';

/** Folder for cluster-scoped objects inside a layer folder. */
export const CLUSTER_SCOPED_DIR = '_cluster';

/** A Kubernetes kind: letters and digits, starting with a letter (API conventions: CamelCase). */
export const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9]*$/;

/** Longest file name, in bytes, that common file systems take (ext4, APFS, NTFS: 255). */
export const MAX_FILE_NAME_BYTES = 255;

/** A name or namespace that cannot be one path segment (the structure check reports invalid names first). */
function isPlainSegment(value: string): boolean {
  return value !== '' && value !== '.' && value !== '..' && !/[/\\\0]/.test(value);
}

/**
 * `<kind>-<name>.yaml`, shortened when longer than MAX_FILE_NAME_BYTES (a 253-character object
 * name is valid): cut, then `_` and 12 hex digits of the full name's SHA-256. A file name is not the
 * object's identity, so a shortened one only has to be deterministic and distinct; `_` never occurs
 * in a valid object name, so it cannot collide with a name that was not shortened.
 */
function fileName(kind: string, name: string): string {
  const full = `${kind.toLowerCase()}-${name}.yaml`;
  if (Buffer.byteLength(full) <= MAX_FILE_NAME_BYTES) return full;
  const suffix = `_${createHash('sha256').update(full).digest('hex').slice(0, 12)}.yaml`;
  const room = MAX_FILE_NAME_BYTES - suffix.length;
  let head = full.slice(0, room);
  while (Buffer.byteLength(head) > room) head = head.slice(0, -1);
  return head + suffix;
}

/**
 * The file an object is written to, relative to its layer folder: `<namespace|_cluster>/<kind>-<name>.yaml`.
 * @throws StrataError when the kind, name or namespace could not stay one path segment (the
 *   structure check of a synth reports these first, with the construct path)
 */
export function objectFile(obj: ResolvedObject): string {
  const { kind, metadata } = obj.manifest;
  const namespace = metadata.namespace ?? CLUSTER_SCOPED_DIR;
  if (!KIND_PATTERN.test(kind) || !isPlainSegment(metadata.name) || !isPlainSegment(namespace)) {
    throw new StrataError(`${obj.path}: ${kind} ${JSON.stringify(metadata.name)} in ${JSON.stringify(namespace)} cannot be written: kind, name and namespace must each be one plain file name`);
  }
  return `${namespace}/${fileName(kind, metadata.name)}`;
}

function kustomizationFile(resources: readonly string[], comment?: string, patches?: readonly KustomizePatch[]): string {
  const index = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] };
  return toYaml(patches ? { ...index, patches: patches.map((p) => ({ patch: p.patch, target: { ...p.target } })) } : index, comment);
}

/** Comment line of `clusters/<name>/kustomization.yaml` naming the cluster's stage, for `npm run validate`. */
export const STAGE_COMMENT = /^# stage: (\w+)$/m;
/** Comment line of `clusters/<name>/kustomization.yaml` saying whether Flux's lockdown is patched in, and if not why. */
export const LOCKDOWN_COMMENT = /^# flux-lockdown: off \((.*)\)$/m;
/**
 * Comment lines naming each namespace declared external (created by another repository), with its
 * declared labels as JSON when known, so `npm run validate` accepts what synth accepted.
 */
export const EXTERNAL_NAMESPACE_COMMENT = /^# external-namespace: (\S+)(?: (\{.*\}))?$/gm;
/** Comment line naming the cluster's Kubernetes version; a tree without one (an older synth) is read as the default. */
export const KUBERNETES_VERSION_COMMENT = /^# kubernetes: (\S+)$/m;

function comment(obj: ResolvedObject): string {
  return `strata: ${obj.path}`;
}

export interface LayoutOptions {
  /** True for clusters whose `clusters/<name>/flux-system/` was written by `flux bootstrap`. */
  readonly bootstrapped?: (cluster: string) => boolean;
}

/**
 * Lays a resolved fleet out as the dist/ tree Flux reads: path → file content, sorted by path.
 * Every folder Flux applies gets a kustomization.yaml listing its files, sorted.
 */
export function layout(model: FleetModel, options: LayoutOptions = {}): Map<string, string> {
  return new Map([...layoutFiles(model, options)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The files of `layout`, one at a time and in model order, so a writer can write each as it is
 * made instead of holding the whole tree (tens of megabytes for a large fleet) in memory.
 */
export function* layoutFiles(model: FleetModel, options: LayoutOptions = {}): Generator<[string, string]> {
  for (const cluster of model.clusters) {
    for (const folder of cluster.folders) {
      const resources: string[] = [];
      for (const obj of folder.objects) {
        const file = objectFile(obj);
        const rel = folder.namespace && obj.manifest.metadata.namespace === folder.namespace ? file.slice(folder.namespace.length + 1) : file;
        resources.push(rel);
        yield [`${folder.dir}/${rel}`, toYaml(obj.manifest, comment(obj))];
      }
      yield [`${folder.dir}/kustomization.yaml`, kustomizationFile(resources.sort())];
    }
    const syncDir = `clusters/${cluster.name}`;
    const resources = ['layers.yaml'];
    yield [`${syncDir}/layers.yaml`, toMultiDocYaml(cluster.layers.map((o) => ({ value: o.manifest, comment: comment(o) })))];
    if (cluster.sources.length > 0) {
      resources.push('source.yaml');
      yield [`${syncDir}/source.yaml`, toMultiDocYaml(cluster.sources.map((o) => ({ value: o.manifest, comment: comment(o) })))];
    }
    // Kinds registered while the project ran, for `npm run validate` (outside what Flux applies).
    const registered = recordRegistrations([...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources].map((o) => o.manifest));
    if (registered !== undefined) yield [`${syncDir}/${REGISTRATIONS_FILE}`, registered];
    if (options.bootstrapped?.(cluster.name)) resources.push('flux-system');
    // The lockdown patches reach the controllers of clusters/<c>/flux-system/ once it is listed.
    const lockdown = cluster.fluxLockdownOff === undefined ? 'on' : `off (${cluster.fluxLockdownOff.replace(/\s+/g, ' ')})`;
    // Always written: a tree validated later (npm run validate) must not depend on strata's default then.
    const version = `\nkubernetes: ${cluster.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION}`;
    // Written only when there are some: a cluster without keeps its file byte for byte.
    const external = (cluster.externalNamespaces ?? []).map((ns) => `\nexternal-namespace: ${ns.name}${ns.labels === undefined ? '' : ` ${JSON.stringify(ns.labels)}`}`).join('');
    const header = `strata: ${cluster.name}\nstage: ${cluster.stage}${version}\nflux-lockdown: ${lockdown}${external}`;
    yield [`${syncDir}/kustomization.yaml`, kustomizationFile(resources.sort(), header, cluster.fluxLockdownOff === undefined ? lockdownPatches() : undefined)];
  }
}
