// The plan for tools: every change of every cluster, the groups, the totals, and whether it blocks.
import { groupChanges } from './group.js';
import { blocking, type PlanResult } from './plan.js';

/** The plan as JSON (Secret values are never in a plan, so never here either). */
export function formatJson(plan: PlanResult, base: string): string {
  const blocked = plan.clusters.flatMap((c) => c.changes).filter(blocking).length;
  const groups = groupChanges(plan).map((g) => ({ clusters: g.clusters, ...g.change, cluster: undefined }));
  return JSON.stringify({ base, totals: plan.totals, blocking: blocked, objects: plan.objects, clusters: plan.clusters, groups }, null, 2);
}
