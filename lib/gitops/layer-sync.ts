import type { Construct } from 'constructs';
import {
  Kustomization,
  KustomizationSpecDecryptionProvider,
  KustomizationSpecSourceRefKind,
} from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { MANAGED_BY, layerFluxName, type Layer } from '../platform/layer.js';
import { FLUX_NAMESPACE } from './source.js';

export interface LayerSyncProps {
  /** Folder of the layer inside the repository, e.g. `./dist/prod-eu/apps`. */
  readonly path: string;
  /** GitRepository the Kustomization reads from. */
  readonly sourceName: string;
  /** Secret with the SOPS key, when the cluster decrypts secrets. */
  readonly decryptionSecret?: string;
}

/** The Flux Kustomization that applies one layer folder, after the layers it depends on. */
export function declareLayerSync(scope: Construct, layer: Layer, props: LayerSyncProps): Kustomization {
  const name = layer.fluxName;
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
      dependsOn: layer.dependsOn.length > 0 ? layer.dependsOn.map((d) => ({ name: layerFluxName(d) })) : undefined,
      serviceAccountName: layer.serviceAccountName,
      decryption: props.decryptionSecret
        ? { provider: KustomizationSpecDecryptionProvider.SOPS, secretRef: { name: props.decryptionSecret } }
        : undefined,
    },
  });
}
