// Flux semantics: what kustomize-controller prunes and what helm-controller reinstalls.
// https://fluxcd.io/flux/components/kustomize/kustomizations/#prune
// https://fluxcd.io/flux/components/helm/helmreleases/#release-name
import type { Manifest } from '../synth/model.js';
import { rec, str } from '../validate/objects.js';
import { at, ifChanged, type Hazard } from './hazard.js';
import { describeId } from './identity.js';
import { BOOTSTRAP_KUSTOMIZATION, NO_KUSTOMIZATION, type ClusterTree, type TreeObject } from './tree.js';

/** The annotation that keeps an object in the cluster when it leaves a Kustomization's inventory. */
export const PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';

/** True when Flux would garbage-collect the objects a Kustomization applied (spec.prune). */
export function prunes(kustomization: Manifest | undefined): boolean {
  return at(kustomization, 'spec.prune') === true;
}

/** What happens to an object that is no longer in Git: a hazard when Flux deletes it, else why it stays. */
export function pruneOutcome(obj: TreeObject, base: ClusterTree, head: ClusterTree | undefined): { hazard?: Hazard; note?: string } {
  if (obj.owner === NO_KUSTOMIZATION) return { note: 'no Kustomization applied it: nothing changes in the cluster' };
  if (obj.manifest.metadata.annotations?.[PRUNE_ANNOTATION] === 'disabled') {
    return { note: `${PRUNE_ANNOTATION}: disabled: Flux leaves it in the cluster, no longer managed` };
  }
  if (obj.owner === BOOTSTRAP_KUSTOMIZATION) {
    return { hazard: { rule: 'prune', effect: `leaves the inventory of the bootstrap Kustomization ${BOOTSTRAP_KUSTOMIZATION}: Flux deletes it` } };
  }
  const after = head?.layers.get(obj.owner);
  const owner = (after ?? base.layers.get(obj.owner))?.manifest;
  if (!prunes(owner)) return { note: `Kustomization ${obj.owner} has prune disabled: Flux leaves it in the cluster, no longer managed` };
  if (!after) {
    return { hazard: { rule: 'kustomization-removed', effect: `Kustomization ${obj.owner} is removed: Flux garbage-collects everything it applied, this included` } };
  }
  return { hazard: { rule: 'prune', effect: `leaves the inventory of Kustomization ${obj.owner}: Flux deletes it from the cluster` } };
}

/** An object that stays in Git but is now applied by another Kustomization. */
export function moveHazard(before: TreeObject, after: TreeObject, head: ClusterTree): Hazard | undefined {
  if (before.owner === NO_KUSTOMIZATION) return undefined; // nothing applied it: now something does
  if (after.owner === NO_KUSTOMIZATION) {
    return { rule: 'prune', field: 'Kustomization', before: before.owner, effect: `no Kustomization's path covers its folder any more: ${before.owner} prunes it from the cluster` };
  }
  const removed = before.owner !== BOOTSTRAP_KUSTOMIZATION && !head.layers.has(before.owner);
  const effect = removed
    ? `Kustomization ${before.owner} is removed: Flux garbage-collects it, then ${after.owner} creates it anew (pods restart; data and status are lost)`
    : `leaves the inventory of ${before.owner} for ${after.owner}: if ${before.owner} reconciles first, Flux deletes it and ${after.owner} creates it anew (pods restart; data and status are lost); the order is not guaranteed`;
  return { rule: 'moved-kustomization', field: 'Kustomization', before: before.owner, after: after.owner, effect };
}

/** An object whose name or namespace changed (same construct): a new object, and the old one pruned. */
export function renameHazard(before: TreeObject, after: TreeObject): Hazard {
  const field = before.id.namespace !== after.id.namespace ? 'metadata.namespace' : 'metadata.name';
  return {
    rule: 'moved-identity',
    field,
    before: field === 'metadata.name' ? before.id.name : before.id.namespace,
    after: field === 'metadata.name' ? after.id.name : after.id.namespace,
    effect: `another name or namespace is another object: Flux creates ${describeId(after.id)} and prunes ${describeId(before.id)}; nothing it held (data, status, pods) carries over`,
  };
}

/**
 * The objects of a Kustomization's inventory in `base` that `head` no longer has it apply (pruned
 * or moved: each is reported as its own change); undefined when either tree does not know the
 * Kustomization's inventory (its folder is unknown).
 */
export function inventoryLost(name: string, base: ClusterTree, head: ClusterTree): TreeObject[] | undefined {
  if (base.layers.get(name)?.folder === undefined || head.layers.get(name)?.folder === undefined) return undefined;
  return [...base.objects.values()].filter((o) => o.owner === name && head.objects.get(o.key)?.owner !== name);
}

/** What a Kustomization that builds another folder but keeps every object of its inventory does. */
export function inPlacePathNote(name: string): string {
  return `Kustomization ${name} builds another folder that produces every object of its inventory with the same identity: Flux updates them in place and prunes nothing`;
}

/**
 * Changes of a Flux Kustomization's spec that make Flux prune or re-apply everything it manages.
 * `lost` is what its inventory loses (`inventoryLost`): a spec.path change is judged by it when
 * known (destructive only when the new folder lacks an object of the old one), by the field when not.
 */
export function kustomizationHazards(before: Manifest, after: Manifest, lost?: readonly TreeObject[]): Hazard[] {
  const name = after.metadata.name;
  const pathEffect = lost === undefined
    ? `Kustomization ${name} builds another folder: everything the old folder held that the new one does not is pruned`
    : `Kustomization ${name} builds another folder that lacks ${lost.length} object${lost.length === 1 ? '' : 's'} of its inventory (${lost.map((o) => describeId(o.id)).sort().join(', ')}): Flux prunes ${lost.length === 1 ? 'it' : 'them'}`;
  return [
    ...(lost?.length === 0 ? [] : ifChanged(before, after, 'spec.path', 'kustomization-path', pathEffect)),
    ...ifChanged(before, after, 'spec.prune', 'kustomization-prune', prunes(after)
      ? `Kustomization ${name} starts garbage-collecting: objects that left Git while prune was off are deleted`
      : `Kustomization ${name} stops garbage-collecting: objects removed from Git from now on stay in the cluster, unmanaged`),
    ...ifChanged(before, after, 'spec.targetNamespace', 'kustomization-target-namespace',
      `Kustomization ${name} moves every namespaced object it applies: each is created in the new namespace and pruned from the old one`),
    ...ifChanged(before, after, 'spec.sourceRef', 'kustomization-source',
      `Kustomization ${name} reads another source: whatever that source holds at spec.path replaces its inventory; what it lacks is pruned`),
  ];
}

/** The release a HelmRelease manages: helm-controller's defaults for name, target and storage namespace. */
function release(hr: Manifest): { name: string; targetNamespace: string; storageNamespace: string } {
  const spec = rec(hr.spec);
  const namespace = hr.metadata.namespace ?? 'default';
  const targetNamespace = str(spec.targetNamespace) ?? namespace;
  const name = str(spec.releaseName) ?? (str(spec.targetNamespace) ? `${targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
  return { name, targetNamespace, storageNamespace: str(spec.storageNamespace) ?? namespace };
}

/** A HelmRelease whose release name, target or storage namespace changes: a new release, the old one uninstalled. */
export function helmReleaseHazards(before: Manifest, after: Manifest): Hazard[] {
  const [b, a] = [release(before), release(after)];
  const fields = [['name', 'spec.releaseName'], ['targetNamespace', 'spec.targetNamespace'], ['storageNamespace', 'spec.storageNamespace']] as const;
  return fields.filter(([k]) => b[k] !== a[k]).map(([k, field]) => ({
    rule: 'helm-release-identity',
    field,
    before: b[k],
    after: a[k],
    effect: `helm-controller installs release ${a.name} in ${a.targetNamespace} (stored in ${a.storageNamespace}) as a new release and uninstalls ${b.name} from ${b.targetNamespace}: every object of the chart is deleted and created anew`,
  }));
}
