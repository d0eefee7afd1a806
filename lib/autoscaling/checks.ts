// Checks shared by every autoscaler; each returns error messages (empty when all is well).
import type { Cluster } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import { wholeNumberError } from './quantity.js';
import type { ScaleTarget } from './target.js';

/** Replica bounds: whole numbers, `min ≤ max`, `max ≥ 1`, and `min: 0` only where the scaler can reach zero. */
export function boundsProblems(min: number, max: number, canScaleToZero: boolean, what = 'autoscaling'): string[] {
  const problems = [wholeNumberError(`${what}.min`, min, 0), wholeNumberError(`${what}.max`, max, 1)].filter((p): p is string => p !== undefined);
  if (problems.length > 0) return problems;
  if (min > max) problems.push(`${what}.min (${min}) is greater than ${what}.max (${max})`);
  if (min === 0 && !canScaleToZero) {
    problems.push(`${what}.min (0) needs an event-driven scaler: a HorizontalPodAutoscaler never scales to zero (use Autoscaling.events({ min: 0, triggers: [...] }), or set min ≥ 1)`);
  }
  return problems;
}

/** A platform component the object needs, as an error naming what is installed instead. */
export function capabilityProblem(cluster: Cluster, capability: string, needs: string, install: string): string[] {
  if (cluster.capabilities.has(capability)) return [];
  const installed = [...cluster.capabilities].sort().join(', ') || 'nothing';
  return [`${needs} needs ${capability}, but cluster ${show(cluster.name)} does not install it (installed: ${installed}): add ${install} to its platform`];
}

/**
 * A utilization target is a percentage of the pods' requests: every container of the target
 * needs a request for that resource, or the autoscaler cannot compute it and never scales.
 */
export function utilizationProblems(target: ScaleTarget, resource: 'cpu' | 'memory', utilization: number): string[] {
  const missing = target.containers.filter((c) => !c[resource]).map((c) => show(c.name));
  if (missing.length === 0) return [];
  const containers = missing.length === 1 ? `container ${missing[0]} has` : `containers ${missing.join(', ')} have`;
  return [
    `autoscaling targets ${utilization}% ${resource} utilization, but ${containers} no ${resource} request in ${target.kind} ${show(target.name)}: ` +
      `utilization is measured against requests, so set a ${resource} request on every container (or target an averageValue)`,
  ];
}
