// Identical changes across clusters are one entry: "storefront image 1.4.2 → 1.5.0 on dev-eu,
// prod-eu, prod-us" reads faster than the same lines three times.
import { describeField } from './diff.js';
import { describeHazard } from './hazard-text.js';
import { describeId } from './identity.js';
import { blocking, type ObjectChange, type PlanResult } from './plan.js';

/** One change made identically on several clusters. */
export interface ChangeGroup {
  /** The clusters, in plan order. */
  readonly clusters: readonly string[];
  /** The change as it happens on the first of them (the others are identical). */
  readonly change: ObjectChange;
}

/**
 * What makes two changes the same, whatever the cluster: what a reader sees of them (a hazard's
 * long values, e.g. a whole claim template with each provider's storage class, are not shown).
 */
function signature(c: ObjectChange): string {
  return JSON.stringify([c.kustomization, headline(c), c.action, fieldLines(c), c.hazards.map(describeHazard), c.note, c.acknowledged]);
}

/** The plan's changes, identical ones of different clusters merged; destructive unacknowledged first, then by Kustomization and object. */
export function groupChanges(plan: PlanResult): ChangeGroup[] {
  const groups = new Map<string, { clusters: string[]; change: ObjectChange }>();
  for (const cluster of plan.clusters) {
    for (const change of cluster.changes) {
      const key = signature(change);
      const group = groups.get(key);
      if (group) group.clusters.push(cluster.name);
      else groups.set(key, { clusters: [cluster.name], change });
    }
  }
  const rank = (g: ChangeGroup) => (blocking(g.change) ? 0 : g.change.hazards.length > 0 ? 1 : 2);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || a.change.kustomization.localeCompare(b.change.kustomization));
}

const SIGN: Record<ObjectChange['action'], string> = { added: '+', removed: '-', changed: '~', moved: '→' };

/** `~ Deployment shop/storefront` (`→ Service shop/b (was shop/a, Kustomization x)` for a move). */
export function headline(change: ObjectChange): string {
  const from = change.from;
  let was = '';
  if (from) {
    const parts = [
      describeId(from.id) !== describeId(change.id) ? `was ${describeId(from.id)}` : '',
      from.kustomization !== change.kustomization ? `from Kustomization ${from.kustomization || '(none)'}` : '',
    ].filter(Boolean);
    was = ` (${parts.join(', ')})`;
  }
  return `${SIGN[change.action]} ${describeId(change.id)}${was}`;
}

/** The field lines of a change, Secret values hidden. */
export function fieldLines(change: ObjectChange): string[] {
  return change.fields.map(describeField);
}

/** `Kustomization apps-shop` or, for the layers themselves, the bootstrap one. */
export function kustomizationLabel(name: string): string {
  return name === '' ? 'no Kustomization' : `Kustomization ${name}`;
}
