// The plan for tools: every change of every cluster, the groups, the totals, and whether it blocks.
import { groupChanges } from './group.js';
import { blocking, type PlanResult } from './plan.js';

/** How the plan was asked for. */
export interface JsonOptions {
  /** `--allow-destructive` was passed: changes not acknowledged in code are allowed by it. @default false */
  readonly allowDestructive?: boolean;
}

/**
 * The plan as JSON (Secret values are never in a plan, so never here either): `unacknowledged`
 * counts destructive changes not acknowledged in code, `blocking` those that fail this run (none
 * with `--allow-destructive`, which `allowDestructive` says).
 */
export function formatJson(plan: PlanResult, base: string, options: JsonOptions = {}): string {
  const unacknowledged = plan.clusters.flatMap((c) => c.changes).filter(blocking).length;
  const allowDestructive = options.allowDestructive === true;
  const groups = groupChanges(plan).map((g) => ({ clusters: g.clusters, ...g.change, cluster: undefined }));
  return JSON.stringify(
    { base, totals: plan.totals, blocking: allowDestructive ? 0 : unacknowledged, unacknowledged, allowDestructive, objects: plan.objects, clusters: plan.clusters, groups },
    null,
    2,
  );
}
