// Removals that take more than the object: data (PersistentVolumeClaim, StatefulSet), everything
// inside (Namespace, tenant), every custom object of a kind (CustomResourceDefinition), every
// object a Flux Kustomization applied, every object of a Helm release.
// https://kubernetes.io/docs/concepts/storage/persistent-volumes/#reclaiming
import { rec, str } from '../validate/objects.js';
import { at, type Hazard } from './hazard.js';
import { prunes } from './flux.js';
import { BOOTSTRAP_KUSTOMIZATION, isFluxKustomization, type ClusterTree, type TreeObject } from './tree.js';

/** The label a strata tenant's namespace carries (Flux multi-tenancy). */
export const TENANT_LABEL = 'toolkit.fluxcd.io/tenant';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why deleting `obj` (present in the base tree) loses more than the object itself. */
export function removalHazards(obj: TreeObject, base: ClusterTree): Hazard[] {
  const { manifest } = obj;
  const objects = [...base.objects.values()];
  switch (manifest.kind) {
    case 'PersistentVolumeClaim':
      return [{ rule: 'delete-claim', effect: 'the claim is deleted; with the usual reclaim policy Delete its volume and the data on it go with it' }];
    case 'StatefulSet': {
      const whenDeleted = str(at(manifest, 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted')) ?? 'Retain';
      const claims = whenDeleted === 'Delete' ? 'its PersistentVolumeClaims and their data are deleted too (whenDeleted: Delete)' : 'its PersistentVolumeClaims stay, orphaned (whenDeleted: Retain)';
      return [{ rule: 'delete-stateful-set', effect: `every pod of the StatefulSet is deleted; ${claims}` }];
    }
    case 'Namespace': {
      const inside = objects.filter((o) => o.id.namespace === manifest.metadata.name).length;
      const tenant = manifest.metadata.labels?.[TENANT_LABEL];
      const what = tenant ? `tenant ${tenant}: its namespace` : 'the namespace';
      return [{ rule: tenant ? 'delete-tenant' : 'delete-namespace', effect: `Kubernetes deletes ${what} and everything in it (${plural(inside, 'object')} from Git, plus claims, pods and anything created in the cluster)` }];
    }
    case 'CustomResourceDefinition': {
      const spec = rec(manifest.spec);
      const kind = str(rec(spec.names).kind);
      const own = objects.filter((o) => o.id.group === str(spec.group) && o.id.kind === kind).length;
      return [{ rule: 'delete-crd', effect: `Kubernetes deletes every ${kind ?? 'custom'} object in the cluster with the definition (${plural(own, 'object')} from Git, plus any created in the cluster)` }];
    }
    case 'HelmRelease':
      return [{ rule: 'delete-helm-release', effect: 'helm-controller uninstalls the release: every object of the chart is deleted (CRDs stay)' }];
    default:
      if (!isFluxKustomization(manifest) || !prunes(manifest)) return [];
      return [{ rule: 'delete-kustomization', effect: kustomizationInventory(obj, objects) }];
  }
}

function kustomizationInventory(obj: TreeObject, objects: readonly TreeObject[]): string {
  // A layer's inventory is its folder; a Kustomization inside a folder applies a source we cannot see.
  const applied = obj.owner === BOOTSTRAP_KUSTOMIZATION ? objects.filter((o) => o.owner === obj.manifest.metadata.name).length : 0;
  const known = applied > 0 ? ` (${plural(applied, 'object')} in this tree)` : '';
  return `Flux deletes the Kustomization and, as it has prune: true, everything it applied${known}`;
}
