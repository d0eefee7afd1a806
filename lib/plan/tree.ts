// A dist/ tree as Flux sees it: per cluster, every object with its identity and the Flux
// Kustomization that applies it (the one in clusters/<cluster>/ whose spec.path is the object's
// folder), so a plan can tell what each Kustomization's inventory gains, keeps and prunes.
import { posix } from 'node:path';
import type { Manifest } from '../synth/model.js';
import { BOOTSTRAP_DIR } from '../synth/writer.js';
import { documentsOfFile, readDist } from '../validate/dist.js';
import { rec, str } from '../validate/objects.js';
import { groupOf, idKey, idOf, type ObjectId } from './identity.js';

/** The Kustomization `flux bootstrap` creates: it applies `clusters/<cluster>/`, so it owns the layer Kustomizations. */
export const BOOTSTRAP_KUSTOMIZATION = 'flux-system';
/** Owner of an object no Kustomization's path covers: Flux never applies it. */
export const NO_KUSTOMIZATION = '';
export const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** One object of a tree. */
export interface TreeObject {
  readonly id: ObjectId;
  /** `idKey(id)`. */
  readonly key: string;
  readonly manifest: Manifest;
  /** Name of the Flux Kustomization whose inventory holds it. */
  readonly owner: string;
  /** The dist/ file it is in. */
  readonly file: string;
  /** Construct path from the `# strata:` comment. @default none */
  readonly path?: string;
}

/** A layer Kustomization of `clusters/<cluster>/`, with the dist/ folder its spec.path points at. */
export interface LayerSync {
  readonly name: string;
  readonly manifest: Manifest;
  /**
   * The folder it builds: dist/-relative (`prod-eu/apps/shop`), or repository-relative for a Flux
   * repository base. Undefined when the tree does not know what it applies (spec.path names no
   * folder of the cluster, or another source): its inventory is then unknown.
   */
  readonly folder?: string;
}

export interface ClusterTree {
  readonly name: string;
  /** Every object by `idKey`, layer Kustomizations and sources included. */
  readonly objects: ReadonlyMap<string, TreeObject>;
  /** Layer Kustomizations by name. */
  readonly layers: ReadonlyMap<string, LayerSync>;
}

export interface PlanTree {
  readonly clusters: ReadonlyMap<string, ClusterTree>;
  /**
   * Files that could not be read (`<file>: <why>`, e.g. invalid YAML): the objects they hold are
   * in no cluster, so a plan cannot tell what changes to them. @default none
   */
  readonly unreadable?: readonly string[];
}

/** An object as read from a file, before ownership is known. */
export interface TreeEntry {
  readonly cluster: string;
  readonly file: string;
  readonly manifest: Manifest;
  readonly path?: string;
}

/** Kinds kustomize treats as cluster-scoped (never given a targetNamespace). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass', 'PersistentVolume',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'IngressClass', 'RuntimeClass', 'CSIDriver',
  'GatewayClass', 'ClusterIssuer', 'ClusterTriggerAuthentication', 'NodePool', 'EC2NodeClass', 'ValidatingAdmissionPolicy',
]);

/** True for a Flux Kustomization (not kustomize's own kustomization.yaml, which is no object). */
export function isFluxKustomization(manifest: Manifest): boolean {
  return manifest.kind === 'Kustomization' && groupOf(manifest.apiVersion) === FLUX_KUSTOMIZE_GROUP;
}

/** The cluster a dist/ file belongs to: its first folder, or the second under `clusters/`. */
function clusterOfFile(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'clusters' ? parts[1] : parts[0];
}

/** The dist/ folder of a Kustomization's spec.path (`./dist/prod-eu/apps/shop` → `prod-eu/apps/shop`). */
function folderOfPath(path: unknown, cluster: string): string | undefined {
  const segments = (str(path) ?? '').split('/').filter((s) => s !== '' && s !== '.');
  const at = segments.indexOf(cluster);
  return at < 0 ? undefined : segments.slice(at).join('/');
}

function isNamespaced(entry: TreeEntry): boolean {
  return !entry.file.split('/').includes('_cluster') && !CLUSTER_SCOPED.has(entry.manifest.kind);
}

/** Builds the tree from objects read out of dist/ files (`clusters/<c>/…` and `<c>/…`). */
export function buildTree(entries: Iterable<TreeEntry>): PlanTree {
  const byCluster = new Map<string, TreeEntry[]>();
  for (const e of entries) {
    const list = byCluster.get(e.cluster);
    if (list) list.push(e);
    else byCluster.set(e.cluster, [e]);
  }
  const clusters = new Map<string, ClusterTree>();
  for (const [name, list] of [...byCluster].sort(([a], [b]) => a.localeCompare(b))) {
    const layers = new Map<string, LayerSync>();
    for (const e of list) {
      if (e.file.startsWith('clusters/') && isFluxKustomization(e.manifest)) {
        const spec = rec(e.manifest.spec);
        layers.set(e.manifest.metadata.name, { name: e.manifest.metadata.name, manifest: e.manifest, folder: folderOfPath(spec.path, name) });
      }
    }
    const bySpecificity = [...layers.values()].filter((l) => l.folder).sort((a, b) => b.folder!.length - a.folder!.length);
    const objects = new Map<string, TreeObject>();
    for (const e of list) {
      const layer = e.file.startsWith('clusters/') ? undefined : bySpecificity.find((l) => e.file.startsWith(`${l.folder}/`));
      const owner = e.file.startsWith('clusters/') ? BOOTSTRAP_KUSTOMIZATION : layer?.name ?? NO_KUSTOMIZATION;
      const target = layer && isNamespaced(e) ? str(rec(layer.manifest.spec).targetNamespace) : undefined;
      const id = idOf(e.manifest, target);
      const key = idKey(id);
      objects.set(key, { id, key, manifest: e.manifest, owner, file: e.file, ...(e.path ? { path: e.path } : {}) });
    }
    clusters.set(name, { name, objects, layers });
  }
  return { clusters };
}

/** Reads a dist/ tree on disk with the reader of `npm run validate` (bootstrap files skipped). */
export function readTree(dir: string): PlanTree {
  const model = readDist(dir);
  const unreadable = [...new Set(model.findings.filter((f) => UNREADABLE.test(f.message)).map((f) => `${f.object}: ${firstLine(f.message)}`))];
  const entries: TreeEntry[] = [];
  for (const cluster of model.clusters) {
    for (const obj of [...cluster.layers, ...cluster.sources, ...cluster.folders.flatMap((f) => f.objects)]) {
      entries.push({ cluster: cluster.name, file: obj.file ?? '', manifest: obj.manifest, ...(obj.path && !obj.path.includes('#') ? { path: obj.path } : {}) });
    }
  }
  return unreadable.length > 0 ? { ...buildTree(entries), unreadable } : buildTree(entries);
}

/** A parser's message without the source excerpt it may add after its first line. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/:\s*$/, '');
}

/** The findings of `readDist` that say a file's objects could not be read at all. */
const UNREADABLE = /^(invalid YAML|not a Kubernetes object)/;

/**
 * Parses dist/ files held in memory (path relative to dist/ → YAML text) into tree entries:
 * kustomization.yaml indexes and bootstrap files are skipped. A document that is not valid YAML or
 * not a Kubernetes object is added to `unreadable` (`<file>: <why>`).
 */
export function* entriesOfFiles(files: Iterable<readonly [string, string]>, unreadable: string[] = []): Generator<TreeEntry> {
  for (const [file, text] of files) {
    if (posix.basename(file) === 'kustomization.yaml' || !/\.ya?ml$/.test(file)) continue;
    if (file.startsWith('clusters/') && file.split('/')[2] === BOOTSTRAP_DIR) continue;
    for (const { manifest, path, problem } of documentsOfFile(text)) {
      if (!manifest) {
        unreadable.push(`${file}: ${firstLine(problem!)}`);
        continue;
      }
      yield { cluster: clusterOfFile(file), file, manifest, ...(path ? { path } : {}) };
    }
  }
}
