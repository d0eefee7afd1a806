// Rules on PodDisruptionBudgets the API server accepts but that make every voluntary eviction
// (node drain, cluster upgrade, Karpenter consolidation) fail.
// https://kubernetes.io/docs/tasks/run-application/configure-pdb/
import type { ResolvedObject } from '../../synth/model.js';
import { nameOf, namespaceOf, rec, selectorMatches, type ClusterObjects, type PodTemplate } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { autoscalersOf } from './workloads.js';

/** Kinds with a replica count the disruption controller reads through the scale subresource. */
const SCALED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'];

type Selected = { object: ResolvedObject; template: PodTemplate };

/** The pod templates a PDB selects; a PDB without a selector selects no pod (policy/v1). */
function selectedBy(objects: ClusterObjects, pdb: ResolvedObject): Selected[] {
  const selector = rec(pdb.manifest.spec).selector;
  if (selector === undefined || selector === null) return [];
  return objects.workloadsIn(namespaceOf(pdb)).filter((w) => selectorMatches(selector, w.template.labels));
}

/**
 * The fewest pods a workload runs while it runs any, and why: the smallest autoscaler minimum
 * (HPA minReplicas, default 1; KEDA minReplicaCount, default 0, and from zero it scales to 1),
 * else spec.replicas (default 1). Undefined when it runs none (replicas 0).
 */
function fewest(objects: ClusterObjects, object: ResolvedObject): { count: number; why: string } | undefined {
  const scalers = autoscalersOf(objects, object).map(({ autoscaler }) => {
    const spec = rec(autoscaler.manifest.spec);
    const keda = autoscaler.manifest.kind === 'ScaledObject';
    const min = keda ? spec.minReplicaCount ?? 0 : spec.minReplicas ?? 1;
    return { count: typeof min === 'number' ? min : 1, by: `${autoscaler.manifest.kind} ${nameOf(autoscaler)}` };
  });
  if (scalers.length > 0) {
    const least = scalers.reduce((a, b) => (b.count < a.count ? b : a));
    if (least.count === 0) return { count: 1, why: `${least.by} scales it to zero, and from there to 1` };
    return { count: least.count, why: `the minimum of ${least.by}` };
  }
  const replicas = rec(object.manifest.spec).replicas;
  if (replicas === 0) return undefined;
  return typeof replicas === 'number' ? { count: replicas, why: 'spec.replicas' } : { count: 1, why: 'spec.replicas unset' };
}

/** `n` of a percentage of `total`, rounded up (the disruption controller rounds both fields up). */
function scaled(value: unknown, total: number): number | undefined {
  if (typeof value === 'number') return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return percent ? Math.ceil((Number(percent[1]) * total) / 100) : undefined;
}

/** Evictions a PDB allows when `pods` healthy pods run, or undefined when it sets neither field. */
function allowedAt(pdb: ResolvedObject, pods: number): number | undefined {
  const spec = rec(pdb.manifest.spec);
  if (spec.maxUnavailable !== undefined) return scaled(spec.maxUnavailable, pods);
  const min = scaled(spec.minAvailable, pods);
  return min === undefined ? undefined : pods - min;
}

function blockViolations(objects: ClusterObjects, pdb: ResolvedObject, selected: readonly Selected[]): Violation[] {
  if (selected.length === 0 || !selected.every((w) => SCALED_KINDS.includes(w.object.manifest.kind))) return [];
  const counts = selected.map((w) => ({ w, fewest: fewest(objects, w.object) }));
  const running = counts.filter((c) => c.fewest !== undefined);
  if (running.length === 0) return [];
  const pods = running.reduce((n, c) => n + c.fewest!.count, 0);
  const allowed = allowedAt(pdb, pods);
  if (allowed === undefined || allowed > 0) return [];
  const spec = rec(pdb.manifest.spec);
  const field = spec.maxUnavailable !== undefined ? `maxUnavailable ${JSON.stringify(spec.maxUnavailable)}` : `minAvailable ${JSON.stringify(spec.minAvailable)}`;
  const workloads = running.map((c) => `${c.w.object.manifest.kind} ${nameOf(c.w.object)} at ${c.fewest!.count} (${c.fewest!.why})`).join(', ');
  return [{ object: pdb, message: `${field} allows no eviction when its pods are fewest: ${workloads}; node drains and cluster upgrades block on it` }];
}

/** Pairs of PDBs selecting the pods of one workload: the eviction API refuses those pods. */
function overlapViolations(objects: ClusterObjects): Violation[] {
  const violations: Violation[] = [];
  const firstBy = new Map<ResolvedObject, ResolvedObject>();
  for (const pdb of objects.ofKind('PodDisruptionBudget')) {
    const others = new Map<ResolvedObject, ResolvedObject[]>();
    for (const { object } of selectedBy(objects, pdb)) {
      const first = firstBy.get(object);
      if (!first) {
        firstBy.set(object, pdb);
      } else {
        others.set(first, [...(others.get(first) ?? []), object]);
      }
    }
    for (const [first, workloads] of others) {
      violations.push({
        object: pdb,
        message: `selects the pods of ${workloads.map((w) => `${w.manifest.kind} ${nameOf(w)}`).join(', ')}, as PodDisruptionBudget ${nameOf(first)} does: the eviction API refuses to evict a pod more than one PodDisruptionBudget covers, so node drains fail on them`,
        hint: 'keep one PodDisruptionBudget per workload: narrow the selectors so each selects the pods of one workload, or remove one',
      });
    }
  }
  return violations;
}

export const disruptionBudgetAllowsEviction: Rule = {
  id: 'disruption-budget-allows-eviction',
  summary: 'Every PodDisruptionBudget allows an eviction even when the workloads it selects run their fewest pods (the smallest HPA minReplicas, KEDA minReplicaCount, where 0 means 1 once it runs, or spec.replicas; percentages rounded up as the disruption controller does), and no two PodDisruptionBudgets select the pods of one workload (the eviction API refuses such pods).',
  hint: 'use maxUnavailable: 1 (or a minAvailable below the fewest replicas); waive it with a reason where a workload must never be evicted and is drained by hand',
  severity: ALWAYS_ERROR,
  check: (objects) => [
    ...objects.ofKind('PodDisruptionBudget').flatMap((pdb) => blockViolations(objects, pdb, selectedBy(objects, pdb))),
    ...overlapViolations(objects),
  ],
};
