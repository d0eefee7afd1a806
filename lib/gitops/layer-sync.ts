import type { Construct } from 'constructs';
import {
  Kustomization,
  KustomizationSpecDecryptionProvider,
  KustomizationSpecSourceRefKind,
} from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { MANAGED_BY, type Layer, type LayerFolder } from '../platform/layer.js';
import { KUSTOMIZE_CONTROLLER } from './lockdown.js';
import { FLUX_NAMESPACE } from './source.js';
import { canonicalSet } from '../fleet/canonical.js';

export interface LayerSyncProps {
  /** Folder of the layer inside the repository, e.g. `./dist/prod-eu/apps/shop`. */
  readonly path: string;
  /** GitRepository the Kustomization reads from. */
  readonly sourceName: string;
  /** Secret with the SOPS key, when the cluster decrypts secrets. */
  readonly decryptionSecret?: string;
  /** Names of the Kustomizations Flux must have reconciled first. */
  readonly dependsOn: readonly string[];
}

/**
 * The Flux Kustomization that applies one folder of a layer, after the folders it depends on.
 * Every Kustomization lives in flux-system next to its GitRepository and its dependencies, so it
 * works under Flux's `--no-cross-namespace-refs` lockdown; a tenant's folder is applied as the
 * tenant's ServiceAccount (also in flux-system, bound only in the tenant's namespace), any other
 * folder as `kustomize-controller`, so `--default-service-account` leaves it its rights.
 */
export function declareLayerSync(scope: Construct, layer: Layer, folder: LayerFolder, props: LayerSyncProps): Kustomization {
  const name = folder.fluxName;
  const { interval, retryInterval, timeout, prune, wait } = layer.reconcile;
  return new Kustomization(scope, name, {
    metadata: { name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      interval,
      retryInterval,
      timeout,
      prune,
      wait,
      path: props.path,
      sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.sourceName },
      dependsOn: props.dependsOn.length > 0 ? props.dependsOn.map((d) => ({ name: d })) : undefined,
      // Named even for the platform's folders: under the lockdown, none would mean `default`, with no rights.
      serviceAccountName: folder.serviceAccountName ?? KUSTOMIZE_CONTROLLER,
      decryption: props.decryptionSecret
        ? { provider: KustomizationSpecDecryptionProvider.SOPS, secretRef: { name: props.decryptionSecret } }
        : undefined,
    },
  });
}

/**
 * The Kustomization names a layer's dependents wait for: one per folder. A folder-per-namespace
 * layer with no namespace yet stands for its own dependencies, so ordering stays transitive.
 */
function syncNamesOf(layer: Layer, layers: readonly Layer[], seen = new Set<Layer>()): string[] {
  const folders = layer.folders();
  if (folders.length > 0 || !layer.folderPerNamespace) return folders.map((f) => f.fluxName);
  if (seen.has(layer)) return [];
  seen.add(layer);
  return layer.dependsOn.flatMap((d) => {
    const dep = layers.find((l) => l.path === d);
    return dep ? syncNamesOf(dep, layers, seen) : [];
  });
}

/** The Kustomizations the folders of `layer` wait for: every folder of every layer it depends on. */
export function syncDependsOn(layer: Layer, layers: readonly Layer[]): string[] {
  const names = layer.dependsOn.flatMap((path) => {
    const dep = layers.find((l) => l.path === path);
    return dep ? syncNamesOf(dep, layers) : [];
  });
  return canonicalSet(names);
}
