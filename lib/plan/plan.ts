// The plan: what Flux will do when a new dist/ tree replaces a base tree, per cluster and per
// Flux Kustomization, with every destructive change explained.
import { destructiveAllowance, removalAllowances, removalKey } from './acknowledge.js';
import { removalHazards } from './data.js';
import { fieldChanges, type FieldChange } from './diff.js';
import { helmReleaseHazards, inPlacePathNote, inventoryLost, kustomizationHazards, moveHazard, pruneOutcome, renameHazard } from './flux.js';
import { at, same, type Hazard } from './hazard.js';
import { compareIds, type ObjectId } from './identity.js';
import { immutableHazards } from './immutable.js';
import { totalsOf, type PlanTotals } from './totals.js';
import { isFluxKustomization, type ClusterTree, type PlanTree, type TreeObject } from './tree.js';

export type { PlanTotals };

export type Action = 'added' | 'removed' | 'changed' | 'moved';

/** What happens to one object of one cluster. */
export interface ObjectChange {
  readonly cluster: string;
  /** The Flux Kustomization that applies it (that applied it, when removed). */
  readonly kustomization: string;
  readonly id: ObjectId;
  readonly action: Action;
  /** For a move: where it was (another Kustomization, name or namespace). */
  readonly from?: { readonly kustomization: string; readonly id: ObjectId };
  /** Changed fields (changes and moves). */
  readonly fields: readonly FieldChange[];
  /** Why the change is destructive; empty when it is not. */
  readonly hazards: readonly Hazard[];
  /** What happens when it is not destructive but not obvious either (e.g. a removal Flux does not prune). */
  readonly note?: string;
  /** The reason given in code for accepting its hazards (`Plan.allowDestructive` / `Plan.allowRemoval`). */
  readonly acknowledged?: string;
}

export interface ClusterPlan {
  readonly name: string;
  readonly changes: readonly ObjectChange[];
}

export interface PlanResult {
  readonly clusters: readonly ClusterPlan[];
  readonly totals: PlanTotals;
  /** Objects compared (the head tree's). */
  readonly objects: number;
}

const EMPTY: ClusterTree = { name: '', objects: new Map(), layers: new Map() };

/** True when a change is destructive and nobody acknowledged it. */
export function blocking(change: ObjectChange): boolean {
  return change.hazards.length > 0 && change.acknowledged === undefined;
}

function changedHazards(before: TreeObject, after: TreeObject, base: ClusterTree, head: ClusterTree): Hazard[] {
  const force = at(head.layers.get(after.owner)?.manifest, 'spec.force') === true;
  const hazards: Hazard[] = [];
  const moved = before.owner !== after.owner ? moveHazard(before, after, head) : undefined;
  if (moved) hazards.push(moved);
  hazards.push(...immutableHazards(before.manifest, after.manifest, after.owner, force));
  if (isFluxKustomization(after.manifest)) {
    hazards.push(...kustomizationHazards(before.manifest, after.manifest, inventoryLost(after.id.name, base, head)));
  }
  if (after.manifest.kind === 'HelmRelease') hazards.push(...helmReleaseHazards(before.manifest, after.manifest));
  return hazards;
}

/** Pairs removed and added objects of the same construct and kind: a rename or a move to another namespace. */
function renames(removed: TreeObject[], added: TreeObject[]): [TreeObject, TreeObject][] {
  const pairs: [TreeObject, TreeObject][] = [];
  for (const r of removed) {
    const a = r.path === undefined ? undefined : added.find((x) => x.path === r.path && x.id.kind === r.id.kind && x.id.group === r.id.group);
    if (a && !pairs.some(([, b]) => b === a)) pairs.push([r, a]);
  }
  return pairs;
}

function planCluster(name: string, base: ClusterTree, head: ClusterTree): ObjectChange[] {
  const changes: ObjectChange[] = [];
  const removalsAllowed = removalAllowances([...head.objects.values()].map((o) => o.manifest));
  const removed = [...base.objects.values()].filter((o) => !head.objects.has(o.key));
  const added = [...head.objects.values()].filter((o) => !base.objects.has(o.key));
  const pairs = renames(removed, added);
  const paired = new Set(pairs.flat());
  for (const [before, after] of pairs) {
    const hazards = [renameHazard(before, after), ...removalHazards(before, base)];
    const ack = destructiveAllowance(after.manifest) ?? removalsAllowed.get(removalKey(before.id));
    changes.push({ cluster: name, kustomization: after.owner, id: after.id, action: 'moved', from: { kustomization: before.owner, id: before.id }, fields: fieldChanges(before.manifest, after.manifest), hazards, ...(ack ? { acknowledged: ack } : {}) });
  }
  for (const obj of removed.filter((o) => !paired.has(o))) {
    const { hazard, note } = pruneOutcome(obj, base, head);
    const hazards = hazard ? [hazard, ...removalHazards(obj, base)] : [];
    const ack = removalsAllowed.get(removalKey(obj.id)) ?? (hazard?.rule === 'kustomization-removed' ? removalsAllowed.get(`Kustomization flux-system/${obj.owner}`) : undefined);
    changes.push({ cluster: name, kustomization: obj.owner, id: obj.id, action: 'removed', fields: [], hazards, ...(note ? { note } : {}), ...(ack && hazards.length > 0 ? { acknowledged: ack } : {}) });
  }
  for (const obj of added.filter((o) => !paired.has(o))) {
    changes.push({ cluster: name, kustomization: obj.owner, id: obj.id, action: 'added', fields: [], hazards: [] });
  }
  for (const after of head.objects.values()) {
    const before = base.objects.get(after.key);
    if (!before || (before.owner === after.owner && same(before.manifest, after.manifest))) continue;
    const hazards = changedHazards(before, after, base, head);
    const ack = hazards.length > 0 ? destructiveAllowance(after.manifest) : undefined;
    const inPlace = isFluxKustomization(after.manifest) && !same(at(before.manifest, 'spec.path'), at(after.manifest, 'spec.path'))
      && inventoryLost(after.id.name, base, head)?.length === 0;
    changes.push({
      cluster: name,
      kustomization: after.owner,
      id: after.id,
      action: before.owner === after.owner ? 'changed' : 'moved',
      ...(before.owner === after.owner ? {} : { from: { kustomization: before.owner, id: before.id } }),
      fields: fieldChanges(before.manifest, after.manifest),
      hazards,
      ...(inPlace ? { note: inPlacePathNote(after.id.name) } : {}),
      ...(ack ? { acknowledged: ack } : {}),
    });
  }
  return changes.sort((a, b) => a.kustomization.localeCompare(b.kustomization) || compareIds(a.id, b.id));
}

/** Everything that changes from `base` to `head`, cluster by cluster (clusters in either tree). */
export function planTrees(base: PlanTree, head: PlanTree): PlanResult {
  const names = [...new Set([...base.clusters.keys(), ...head.clusters.keys()])].sort();
  const clusters = names
    .map((name) => ({ name, changes: planCluster(name, base.clusters.get(name) ?? EMPTY, head.clusters.get(name) ?? EMPTY) }))
    .filter((c) => c.changes.length > 0);
  return {
    clusters,
    totals: totalsOf(clusters.flatMap((c) => c.changes)),
    objects: [...head.clusters.values()].reduce((n, c) => n + c.objects.size, 0),
  };
}
