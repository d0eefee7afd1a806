// What the scheduler and Karpenter cannot place, read from the rendered Karpenter NodePools: a
// pool whose limits are below its smallest node launches nothing, and a zone spread that asks for
// more zones than the pools offer leaves pods Pending.
// https://karpenter.sh/docs/concepts/nodepools/#speclimits
// https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
import { describesEveryAllowed, instanceTypesAllowed, type NodeRequirement } from '../../autoscaling/instance-types.js';
import { parseQuantity } from '../../fleet/quantity.js';
import type { ResolvedObject } from '../../synth/model.js';
import { arr, labelsOf, nameOf, namespaceOf, rec, str, type ClusterObjects, type Json } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { formatResource, namespaceDemand } from './demand.js';

/** The well-known node label of the zone (every conformant provider sets it). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** A Karpenter NodePool as the scheduling checks read it. */
interface Pool {
  readonly object: ResolvedObject;
  readonly name: string;
  readonly requirements: readonly NodeRequirement[];
  readonly labels: Record<string, string>;
  readonly taints: readonly Json[];
  /** Zones its requirements allow, or undefined for every zone of the region (a number strata does not know). */
  readonly zones?: readonly string[];
}

function requirementsOf(pool: ResolvedObject): NodeRequirement[] {
  const spec = rec(rec(rec(pool.manifest.spec).template).spec);
  return arr(spec.requirements).map(rec).map((r) => ({ key: String(r.key), operator: String(r.operator), values: arr(r.values).map(String) }));
}

/** The Karpenter NodePools of the cluster (memoised). */
function poolsOf(objects: ClusterObjects): readonly Pool[] {
  return objects.memo('capacity: karpenter node pools', () =>
    objects.ofKind('NodePool').filter((o) => o.manifest.apiVersion.startsWith('karpenter.sh/')).map((object) => {
      const requirements = requirementsOf(object);
      const template = rec(rec(object.manifest.spec).template);
      const zone = requirements.find((r) => r.key === ZONE_LABEL && r.operator === 'In');
      return {
        object,
        name: nameOf(object),
        requirements,
        labels: labelsOf(rec(template.metadata).labels),
        taints: arr(rec(template.spec).taints).map(rec),
        zones: zone?.values,
      };
    }),
  );
}

function limitsProblem(pool: Pool): Violation | undefined {
  const limits = rec(rec(pool.object.manifest.spec).limits);
  const cpu = parseQuantity(limits.cpu);
  const memory = parseQuantity(limits.memory);
  if ((cpu === undefined && memory === undefined) || !describesEveryAllowed(pool.requirements)) return undefined;
  const allowed = instanceTypesAllowed(pool.requirements);
  if (allowed.length === 0 || allowed.some((t) => (cpu === undefined || t.cpu <= cpu) && (memory === undefined || t.memory <= memory))) return undefined;
  const smallest = allowed[0];
  const stated = [cpu === undefined ? '' : `cpu ${String(limits.cpu)}`, memory === undefined ? '' : `memory ${String(limits.memory)}`].filter(Boolean).join(', ');
  return {
    object: pool.object,
    message:
      `limits (${stated}) cannot hold even one node of the ${allowed.length} instance types its requirements allow ` +
      `(the smallest is ${smallest.name}: ${smallest.cpu} vCPU, ${formatResource('memory', smallest.memory)}): Karpenter never launches a node for this pool`,
    hint: `raise spec.limits to at least cpu ${smallest.cpu} and memory ${formatResource('memory', smallest.memory)} (one ${smallest.name}; several nodes' worth for a real pool), or allow smaller instance types`,
  };
}

export const nodePoolLimits: Rule = {
  id: 'node-pool-limits',
  summary:
    "Every Karpenter NodePool's spec.limits hold at least one node of the smallest instance type its requirements allow (from strata's EC2 instance-type table), else Karpenter never launches a node for it.",
  hint: 'raise spec.limits (cpu and memory) to several nodes of the instance types the pool allows, or allow smaller instance types',
  severity: ALWAYS_ERROR,
  check: (objects) => poolsOf(objects).flatMap((p) => {
    const v = limitsProblem(p);
    return v ? [v] : [];
  }),
};

function tolerates(tolerations: readonly Json[], taint: Json): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** The pools a pod may land on: their blocking taints tolerated, their labels not contradicting its nodeSelector. */
function eligiblePools(pools: readonly Pool[], pod: Json): Pool[] {
  const selector = labelsOf(pod.nodeSelector);
  const tolerations = arr(pod.tolerations).map(rec);
  return pools.filter((p) =>
    p.taints.every((t) => t.effect === 'PreferNoSchedule' || tolerates(tolerations, t)) &&
    Object.entries(selector).every(([k, v]) => (k === 'karpenter.sh/nodepool' ? v === p.name : !(k in p.labels) || p.labels[k] === v)),
  );
}

/** Zones the pod itself is restricted to (nodeSelector, or required node affinity In on the zone in every term), if any. */
function podZones(pod: Json): Set<string> | undefined {
  const selected = str(rec(pod.nodeSelector)[ZONE_LABEL]);
  if (selected !== undefined) return new Set([selected]);
  const terms = arr(rec(rec(rec(pod.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms).map(rec);
  const perTerm = terms.map((t) => arr(t.matchExpressions).map(rec).find((e) => e.key === ZONE_LABEL && e.operator === 'In'));
  if (terms.length === 0 || perTerm.some((e) => e === undefined)) return undefined;
  return new Set(perTerm.flatMap((e) => arr(e!.values).map(String)));
}

/** Zones the pod's nodes can be in, or undefined when some eligible pool spans the whole region. */
function zonesFor(pools: readonly Pool[], pod: Json): { zones: string[]; pools: Pool[] } | undefined {
  const eligible = eligiblePools(pools, pod);
  if (eligible.length === 0 || eligible.some((p) => p.zones === undefined)) return undefined;
  const own = podZones(pod);
  const zones = [...new Set(eligible.flatMap((p) => p.zones!))].filter((z) => !own || own.has(z)).sort();
  return { zones, pools: eligible };
}

function spreadProblems(objects: ClusterObjects, pools: readonly Pool[]): Violation[] {
  const violations: Violation[] = [];
  const namespaces = new Set(objects.all.map(namespaceOf));
  for (const namespace of namespaces) {
    for (const d of namespaceDemand(objects, namespace)) {
      const constraints = arr(d.template.spec.topologySpreadConstraints).map(rec);
      const hard = constraints.map((c, i) => ({ c, i })).filter(({ c }) => c.topologyKey === ZONE_LABEL && (c.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule');
      if (hard.length === 0) continue;
      const where = zonesFor(pools, d.template.spec);
      if (!where || where.zones.length === 0) continue;
      const total = d.pods + d.surge;
      for (const { c, i } of hard) {
        const minDomains = typeof c.minDomains === 'number' ? c.minDomains : 1;
        const maxSkew = typeof c.maxSkew === 'number' ? c.maxSkew : 1;
        const zones = where.zones.length;
        // Fewer eligible zones than minDomains: the global minimum counts as 0, so each zone holds at most maxSkew pods.
        if (minDomains <= zones || total <= zones * maxSkew) continue;
        const placed = zones * maxSkew;
        const pods = d.surge > 0 ? `${total} pods (${d.pods} at max scale + ${d.surge} rollout surge)` : `${total} pod${total === 1 ? '' : 's'} (${d.why})`;
        violations.push({
          object: d.object,
          message:
            `topologySpreadConstraints[${i}] asks for minDomains ${minDomains} zones, but its node pools (${where.pools.map((p) => p.name).join(', ')}) offer ${zones} (${where.zones.join(', ')}): ` +
            `the scheduler then counts the global minimum as 0 and places at most maxSkew ${maxSkew} per zone, ${placed} of ${pods}; the rest stay Pending`,
          hint: `lower minDomains to ${zones} or less, allow more zones in the node pools, or use whenUnsatisfiable: ScheduleAnyway`,
        });
      }
    }
  }
  return violations;
}

export const topologySpreadZones: Rule = {
  id: 'topology-spread-zones',
  summary:
    'Every zone topologySpreadConstraint with whenUnsatisfiable DoNotSchedule can place the workload at max scale (plus rollout surge) in the zones its Karpenter NodePools allow: with fewer zones than minDomains, at most maxSkew pods fit per zone.',
  hint: 'lower minDomains to the number of zones the node pools allow, allow more zones, or use whenUnsatisfiable: ScheduleAnyway',
  severity: ALWAYS_ERROR,
  check: (objects) => {
    const pools = poolsOf(objects);
    return pools.length === 0 ? [] : spreadProblems(objects, pools);
  },
};
