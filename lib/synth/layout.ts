import { DEFAULT_KUBERNETES_VERSION } from '../fleet/kubernetes-version.js';
import { toMultiDocYaml, toYaml } from './yaml.js';
import type { FleetModel, ResolvedObject } from './model.js';

/** Folder for cluster-scoped objects inside a layer folder. */
export const CLUSTER_SCOPED_DIR = '_cluster';

/** The file an object is written to, relative to its layer folder: `<namespace|_cluster>/<kind>-<name>.yaml`. */
export function objectFile(obj: ResolvedObject): string {
  const { kind, metadata } = obj.manifest;
  return `${metadata.namespace ?? CLUSTER_SCOPED_DIR}/${kind.toLowerCase()}-${metadata.name}.yaml`;
}

function kustomizationFile(resources: readonly string[], comment?: string): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] }, comment);
}

/** Comment line of `clusters/<name>/kustomization.yaml` naming the cluster's stage, for `npm run validate`. */
export const STAGE_COMMENT = /^# stage: (\w+)$/m;
/** Comment line naming the cluster's Kubernetes version, written only when it is not the default. */
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
    if (options.bootstrapped?.(cluster.name)) resources.push('flux-system');
    const version = cluster.kubernetesVersion !== undefined && cluster.kubernetesVersion !== DEFAULT_KUBERNETES_VERSION ? `\nkubernetes: ${cluster.kubernetesVersion}` : '';
    yield [`${syncDir}/kustomization.yaml`, kustomizationFile(resources.sort(), `strata: ${cluster.name}\nstage: ${cluster.stage}${version}`)];
  }
}
