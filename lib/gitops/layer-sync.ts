import type { Construct } from 'constructs';
import {
  Kustomization,
  KustomizationSpecDecryptionProvider,
  type KustomizationSpecDeletionPolicy,
  type KustomizationSpecPostBuildSubstituteFromKind,
  type KustomizationSpecSourceRefKind,
} from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { MANAGED_BY } from '../fleet/labels.js';
import type { Layer, LayerFolder, ReconcileDefaults, ReconcileOptions } from '../platform/layer.js';
import type { SourceRef } from './layer-source.js';
import { KUSTOMIZE_CONTROLLER } from './lockdown.js';
import { FLUX_NAMESPACE } from './source.js';
import { canonicalSet } from '../fleet/canonical.js';

export interface LayerSyncProps {
  /** Folder of the layer inside its source, e.g. `./dist/prod-eu/apps/shop`. */
  readonly path: string;
  /** The source the Kustomization reads from. */
  readonly sourceRef: SourceRef;
  /** Secret with the SOPS key, when the cluster decrypts secrets. */
  readonly decryptionSecret?: string;
  /** Names of the Kustomizations Flux must have reconciled first. */
  readonly dependsOn: readonly string[];
}

/** Everything a Flux Kustomization strata renders is made of (a layer's folder, or a tenant's repository). */
export interface KustomizationProps extends LayerSyncProps {
  readonly name: string;
  /** @default flux-system */
  readonly namespace?: string;
  /** How Flux reconciles it. */
  readonly reconcile: ReconcileDefaults & ReconcileOptions;
  /** ServiceAccount (in `namespace`) Flux impersonates to apply it. */
  readonly serviceAccountName: string;
}

/**
 * A Flux Kustomization (`kustomize.toolkit.fluxcd.io/v1`). Options without a strata default
 * (force, suspend, targetNamespace, healthChecks, healthCheckExprs, postBuild, deletionPolicy) are rendered only
 * when set, so Flux's own defaults apply and a `flux suspend` on the cluster is kept.
 * https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export function declareKustomization(scope: Construct, props: KustomizationProps): Kustomization {
  const { name, reconcile: r, sourceRef } = props;
  return new Kustomization(scope, name, {
    metadata: { name, namespace: props.namespace ?? FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      interval: r.interval,
      retryInterval: r.retryInterval,
      timeout: r.timeout,
      prune: r.prune,
      wait: r.wait,
      force: r.force,
      suspend: r.suspend,
      targetNamespace: r.targetNamespace,
      healthChecks: r.healthChecks?.map((h) => ({ apiVersion: h.apiVersion, kind: h.kind, name: h.name, namespace: h.namespace })),
      healthCheckExprs: r.healthCheckExprs?.map((h) => ({ apiVersion: h.apiVersion, kind: h.kind, current: h.current, failed: h.failed, inProgress: h.inProgress })),
      postBuild: r.postBuild
        ? {
          substitute: r.postBuild.substitute ? { ...r.postBuild.substitute } : undefined,
          substituteFrom: r.postBuild.substituteFrom?.map((f) => ({ kind: f.kind as KustomizationSpecPostBuildSubstituteFromKind, name: f.name, optional: f.optional })),
        }
        : undefined,
      deletionPolicy: r.deletionPolicy as KustomizationSpecDeletionPolicy | undefined,
      path: props.path,
      sourceRef: { kind: sourceRef.kind as KustomizationSpecSourceRefKind, name: sourceRef.name, namespace: sourceRef.namespace },
      dependsOn: props.dependsOn.length > 0 ? props.dependsOn.map((d) => ({ name: d })) : undefined,
      serviceAccountName: props.serviceAccountName,
      decryption: props.decryptionSecret
        ? { provider: KustomizationSpecDecryptionProvider.SOPS, secretRef: { name: props.decryptionSecret } }
        : undefined,
    },
  });
}

/**
 * The Flux Kustomization that applies one folder of a layer, after the folders it depends on.
 * Every Kustomization lives in flux-system next to its source and its dependencies, so it
 * works under Flux's `--no-cross-namespace-refs` lockdown; a tenant's folder is applied as the
 * tenant's ServiceAccount (also in flux-system, bound only in the tenant's namespace), any other
 * folder as `kustomize-controller`, so `--default-service-account` leaves it its rights.
 */
export function declareLayerSync(scope: Construct, layer: Layer, folder: LayerFolder, props: LayerSyncProps): Kustomization {
  return declareKustomization(scope, {
    ...props,
    name: folder.fluxName,
    reconcile: layer.reconcile,
    // Named even for the platform's folders: under the lockdown, none would mean `default`, with no rights.
    serviceAccountName: folder.serviceAccountName ?? KUSTOMIZE_CONTROLLER,
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
