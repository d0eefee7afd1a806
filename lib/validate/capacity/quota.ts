// ResourceQuota admission at the scale the autoscalers can reach: the API server refuses every
// pod beyond a namespace's quota, so a workload that fits at its minimum may still never reach
// its maximum, or a rollout may stall half-way because its surge pods are refused.
// https://kubernetes.io/docs/concepts/policy/resource-quotas/
import { parseQuantity } from '../../fleet/quantity.js';
import type { ResolvedObject } from '../../synth/model.js';
import { arr, labelsOf, nameOf, namespaceOf, rec, str, type ClusterObjects } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { formatResource, namespaceDemand, workloadName, type Demand } from './demand.js';

/** What one `spec.hard` key of a ResourceQuota charges. */
type Charge =
  | { readonly type: 'requests' | 'limits'; readonly resource: string }
  | { readonly type: 'pods' | 'storage' | 'claims' }
  | { readonly type: 'count'; readonly resource: string };

/** Resources ResourceQuota requires every container to state when a quota tracks them (a legacy rule of the API server). */
const REQUIRED = new Set(['cpu', 'memory']);
/** Object counts by their pre-`count/` names. https://kubernetes.io/docs/concepts/policy/resource-quotas/#object-count-quota */
const LEGACY_COUNTS: Readonly<Record<string, string>> = {
  services: 'services', secrets: 'secrets', configmaps: 'configmaps', replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas',
  'services.loadbalancers': 'services.loadbalancers',
};
/** Objects Kubernetes itself creates in every namespace, counted by object-count quotas. */
const BUILT_IN: Readonly<Record<string, string>> = { configmaps: 'ConfigMap kube-root-ca.crt' };

/** The charge of a `spec.hard` key, or undefined for one strata does not model (e.g. services.nodeports). */
export function chargeOf(key: string): Charge | undefined {
  if (key === 'pods' || key === 'count/pods') return { type: 'pods' };
  if (key === 'requests.storage') return { type: 'storage' };
  if (key === 'persistentvolumeclaims' || key === 'count/persistentvolumeclaims') return { type: 'claims' };
  if (key in LEGACY_COUNTS) return { type: 'count', resource: LEGACY_COUNTS[key] };
  if (key.startsWith('count/')) return { type: 'count', resource: key.slice('count/'.length) };
  if (key === 'cpu' || key === 'memory' || key === 'ephemeral-storage') return { type: 'requests', resource: key };
  const match = /^(requests|limits)\.(.+)$/.exec(key);
  return match ? { type: match[1] as 'requests' | 'limits', resource: match[2] } : undefined;
}

/** `deployments.apps`, `services`: how quotas name the objects of a kind. */
export function resourceOf(apiVersion: string, kind: string): string {
  const lower = kind.toLowerCase();
  const plural = /(s|x|ch|sh)$/.test(lower) ? `${lower}es` : /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : `${lower}s`;
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return group ? `${plural}.${group}` : plural;
}

/** A ResourceQuota that only counts some pods (scopes, scopeSelector) is not modelled: strata cannot tell which pods it sees. */
function scoped(quota: ResolvedObject): boolean {
  const spec = rec(quota.manifest.spec);
  return arr(spec.scopes).length > 0 || spec.scopeSelector !== undefined;
}

/** One workload's part of a total: at max scale and in one rollout. */
interface Part {
  readonly demand: Demand;
  readonly each: number;
}

/** What a charge costs per pod of a workload (0 when it does not state it: reported on its own). */
function perPod(charge: Charge, demand: Demand): number {
  if (charge.type === 'pods') return 1;
  if (charge.type === 'requests') return demand.pod.requests[charge.resource] ?? 0;
  if (charge.type === 'limits') return demand.pod.limits[charge.resource] ?? 0;
  if (charge.type === 'storage') return demand.claims.reduce((a, b) => a + b, 0);
  if (charge.type === 'claims') return demand.claims.length;
  return 0;
}

/** PersistentVolumeClaims declared as objects in the namespace: their number and storage. */
function standaloneClaims(objects: ClusterObjects, namespace: string | undefined): { count: number; storage: number; names: string[] } {
  const claims = objects.ofKindIn('PersistentVolumeClaim', namespace);
  const storage = claims.reduce((sum, c) => sum + (parseQuantity(rec(rec(rec(c.manifest.spec).resources).requests).storage) ?? 0), 0);
  return { count: claims.length, storage, names: claims.map(nameOf) };
}

/** Objects per quota resource name (`deployments.apps`), per namespace, counted once per cluster. */
function objectCounts(objects: ClusterObjects): Map<string | undefined, Map<string, ResolvedObject[]>> {
  return objects.memo('capacity: object counts', () => {
    const counts = new Map<string | undefined, Map<string, ResolvedObject[]>>();
    for (const obj of objects.all) {
      const ns = namespaceOf(obj);
      if (ns === undefined) continue;
      const byResource = counts.get(ns) ?? new Map<string, ResolvedObject[]>();
      counts.set(ns, byResource);
      const names = [resourceOf(obj.manifest.apiVersion, obj.manifest.kind)];
      if (obj.manifest.kind === 'Service' && rec(obj.manifest.spec).type === 'LoadBalancer') names.push('services.loadbalancers');
      for (const name of names) {
        // Appended in place: copying the list for every object made a namespace's count quadratic.
        const list = byResource.get(name);
        if (list) list.push(obj);
        else byResource.set(name, [obj]);
      }
    }
    return counts;
  });
}

function list(parts: readonly string[], max = 5): string {
  return parts.length <= max ? parts.join(', ') : `${parts.slice(0, max).join(', ')} and ${parts.length - max} more`;
}

/** ` (the quota of tenant shop)` for a quota a tenant declares, so the fix points at `addTenant`. */
function tenantOf(quota: ResolvedObject): string {
  const tenant = labelsOf(rec(quota.manifest.metadata).labels)['toolkit.fluxcd.io/tenant'];
  return tenant ? ` (the quota of tenant ${tenant})` : '';
}

/** Where a quota lives, for messages. */
function quotaName(quota: ResolvedObject): string {
  return `ResourceQuota ${nameOf(quota)} of namespace ${JSON.stringify(namespaceOf(quota))}`;
}

/** The workloads' parts of a charge at max scale, largest first. */
function partsOf(charge: Charge, demands: readonly Demand[]): Part[] {
  return demands.map((demand) => ({ demand, each: perPod(charge, demand) })).filter((p) => p.each > 0 && p.demand.pods > 0).sort((a, b) => b.demand.pods * b.each - a.demand.pods * a.each);
}

/** Totals of a pod-based charge: at max scale, the largest single rollout surge, and every surge at once. */
function totals(parts: readonly Part[]): { scale: number; largest?: Part; allSurge: number; surging: number } {
  let scale = 0;
  let largest: Part | undefined;
  let allSurge = 0;
  let surging = 0;
  for (const p of parts) {
    scale += p.demand.pods * p.each;
    const surge = p.demand.surge * p.each;
    if (surge > 0) {
      allSurge += surge;
      surging++;
      if (!largest || surge > largest.demand.surge * largest.each) largest = p;
    }
  }
  return { scale, largest, allSurge, surging };
}

/** One contribution for messages: `Deployment api 20 replicas at most × 1Gi`. */
function contribution(key: string, p: Part): string {
  const each = key === 'pods' || key === 'count/pods' ? '' : ` × ${formatResource(key, p.each)}`;
  return `${workloadName(p.demand.object)} ${p.demand.why}${each}`;
}

/** A pod-based charge summed over the namespace: what it asks at max scale, and who asks it. */
interface Sum {
  readonly quota: ResolvedObject;
  readonly key: string;
  readonly hard: number;
  readonly parts: readonly Part[];
  readonly scale: number;
  readonly totals: ReturnType<typeof totals>;
  readonly contributions: readonly string[];
}

function sumOf(quota: ResolvedObject, key: string, hard: number, charge: Charge, demands: readonly Demand[], claims: ReturnType<typeof standaloneClaims>): Sum {
  const parts = partsOf(charge, demands);
  const standalone = charge.type === 'storage' ? claims.storage : charge.type === 'claims' ? claims.count : 0;
  const t = totals(parts);
  const contributions = [
    ...parts.map((p) => contribution(key, p)),
    ...(standalone > 0 ? [`PersistentVolumeClaim ${claims.names.join(', ')} ${formatResource(key, standalone)}`] : []),
  ];
  return { quota, key, hard, parts, scale: t.scale + standalone, totals: t, contributions };
}

/** Max scale plus the largest single rollout surge over the quota: certain refusals. */
function admissionViolation(s: Sum): Violation | undefined {
  const { largest } = s.totals;
  const surge = largest ? largest.demand.surge * largest.each : 0;
  const asked = s.scale + surge;
  if (asked <= s.hard) return undefined;
  const fmt = (v: number) => formatResource(s.key, v);
  const surged = largest ? ` + ${fmt(surge)} rollout surge of ${workloadName(largest.demand.object)} (${largest.demand.surge} extra pod${largest.demand.surge === 1 ? '' : 's'}) = ${fmt(asked)}` : '';
  const when = s.scale > s.hard ? 'before the workloads reach max scale' : 'of a rollout at max scale, which then stalls';
  return {
    object: s.quota,
    message:
      `${quotaName(s.quota)} allows ${s.key} ${fmt(s.hard)}, but at max scale the namespace asks for ${fmt(s.scale)}${surged}, ${fmt(asked - s.hard)} over, ` +
      `so the API server refuses pods ${when} (${list(s.contributions)})`,
    hint:
      `raise ${s.key} of ResourceQuota ${nameOf(s.quota)} to at least ${fmt(asked)}${tenantOf(s.quota)}, ` +
      `or lower the maximum replicas, concurrency or requests of ${list(s.parts.map((p) => workloadName(p.demand.object)), 3)}`,
  };
}

/** Max scale plus every Deployment's surge at once over the quota: a judgement, since such rollouts wait rather than fail. */
function rolloutsViolation(s: Sum): Violation | undefined {
  const { allSurge, surging } = s.totals;
  const asked = s.scale + allSurge;
  if (surging < 2 || asked <= s.hard) return undefined;
  const fmt = (v: number) => formatResource(s.key, v);
  return {
    object: s.quota,
    message:
      `${quotaName(s.quota)} allows ${s.key} ${fmt(s.hard)}: at max scale the namespace asks for ${fmt(s.scale)}, and rolling out its ${surging} Deployments at once ` +
      `(one Flux reconcile that changes them all) adds ${fmt(allSurge)} surge = ${fmt(asked)}, ${fmt(asked - s.hard)} over, so some rollouts wait for quota`,
    hint: `raise ${s.key} of ResourceQuota ${nameOf(s.quota)} to at least ${fmt(asked)}, or lower rollingUpdate.maxSurge of the largest Deployments`,
  };
}

/** An object-count charge (`count/deployments.apps`, `services`, ...) against the objects the namespace declares. */
function overCount(objects: ClusterObjects, quota: ResolvedObject, key: string, hard: number, resource: string): Violation | undefined {
  const declared = objectCounts(objects).get(namespaceOf(quota))?.get(resource) ?? [];
  const builtIn = BUILT_IN[resource];
  const count = declared.length + (builtIn ? 1 : 0);
  if (count <= hard) return undefined;
  const names = list([...declared.map((o) => `${o.manifest.kind} ${nameOf(o)}`), ...(builtIn ? [`${builtIn} (Kubernetes creates it in every namespace)`] : [])]);
  return {
    object: quota,
    message: `${quotaName(quota)} allows ${key} ${hard}, but the namespace declares ${count} (${names}): the API server refuses the ${count - hard} applied last`,
    hint: `raise ${key} of ResourceQuota ${nameOf(quota)} to at least ${count}, or declare fewer`,
  };
}

/** Workloads whose containers leave a resource a quota tracks unstated: the API server refuses every pod of them. */
function unstated(quota: ResolvedObject, key: string, charge: Charge, demands: readonly Demand[]): Violation[] {
  if ((charge.type !== 'requests' && charge.type !== 'limits') || !REQUIRED.has(charge.resource)) return [];
  const field = charge.type === 'requests' ? 'requests' : 'limits';
  return demands.flatMap((d) => {
    const missing = d.pod.containers.filter((c) => c[field][charge.resource] === undefined).map((c) => JSON.stringify(c.name));
    if (missing.length === 0) return [];
    const fallback = charge.type === 'requests' ? 'defaultRequest' : 'default';
    return [{
      object: d.object,
      message:
        `${quotaName(quota)} tracks ${key}, so the API server refuses every pod of ${workloadName(d.object)}: container ${missing.join(', ')} ` +
        `states no ${field}.${charge.resource} and no LimitRange of the namespace gives ${missing.length === 1 ? 'it' : 'them'} a ${fallback}`,
      hint: `set resources.${field}.${charge.resource} on ${missing.length === 1 ? 'that container' : 'those containers'}, or a ${fallback} for ${charge.resource} in a LimitRange of the namespace`,
    }];
  });
}

/** Every finding of one quota: `admission` (certain refusals) and `rollouts` (several rollouts at once). */
function checkQuota(objects: ClusterObjects, quota: ResolvedObject): { admission: Violation[]; rollouts: Violation[] } {
  const result = { admission: [] as Violation[], rollouts: [] as Violation[] };
  if (scoped(quota)) return result;
  const namespace = namespaceOf(quota);
  const demands = namespaceDemand(objects, namespace);
  const claims = standaloneClaims(objects, namespace);
  for (const [key, raw] of Object.entries(rec(rec(quota.manifest.spec).hard))) {
    const hard = parseQuantity(raw);
    const charge = chargeOf(key);
    if (hard === undefined || !charge) continue;
    if (charge.type === 'count') {
      const v = overCount(objects, quota, key, hard, charge.resource);
      if (v) result.admission.push(v);
      continue;
    }
    result.admission.push(...unstated(quota, key, charge, demands));
    const sum = sumOf(quota, key, hard, charge, demands, claims);
    const admission = admissionViolation(sum);
    if (admission) result.admission.push(admission);
    const rollouts = admission ? undefined : rolloutsViolation(sum);
    if (rollouts) result.rollouts.push(rollouts);
  }
  return result;
}

function checkQuotas(objects: ClusterObjects): { admission: Violation[]; rollouts: Violation[] } {
  return objects.memo('capacity: quota findings', () => {
    const all = { admission: [] as Violation[], rollouts: [] as Violation[] };
    for (const quota of objects.ofKind('ResourceQuota')) {
      if (str(rec(quota.manifest.metadata).namespace) === undefined) continue;
      const found = checkQuota(objects, quota);
      all.admission.push(...found.admission);
      all.rollouts.push(...found.rollouts);
    }
    return all;
  });
}

export const quotaAdmission: Rule = {
  id: 'quota-admission',
  summary:
    "Every ResourceQuota admits its namespace at the scale the autoscalers can reach: the sum over workloads of max replicas (HPA maxReplicas, KEDA maxReplicaCount, else spec.replicas; a CronJob's concurrent runs, a Job's parallelism) × the pod's requests or limits after LimitRange defaults, plus the largest Deployment's rollout surge; object counts; and every container states the cpu and memory a quota tracks.",
  hint: "raise the quota (the tenant's quota), or lower the maximum replicas or requests of the workloads that contribute most",
  severity: ALWAYS_ERROR,
  check: (objects) => checkQuotas(objects).admission,
};

export const quotaConcurrentRollouts: Rule = {
  id: 'quota-concurrent-rollouts',
  summary:
    'Every ResourceQuota also admits, at max scale, the surge of all its Deployments rolling out at once (as one Flux reconcile that changes them all does); a warning, since rollouts short of quota wait rather than fail.',
  hint: "raise the quota, or lower rollingUpdate.maxSurge of the largest Deployments",
  severity: { development: 'warning', staging: 'warning', production: 'warning' },
  check: (objects) => checkQuotas(objects).rollouts,
};
