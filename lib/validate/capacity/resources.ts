// What a pod asks of its namespace once the API server has admitted it: requests and limits
// after the Pod defaults (a limit without a request becomes the request) and the LimitRange
// defaults of the namespace, summed the way ResourceQuota and the scheduler sum them.
// https://kubernetes.io/docs/concepts/policy/limit-range/
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#resource-requests-and-limits-of-pod-and-container
import { parseQuantity } from '../../fleet/quantity.js';
import type { ResolvedObject } from '../../synth/model.js';
import { arr, containersOf, nameOf, rec, str, type ClusterObjects, type Json } from '../objects.js';

/** Resource name → value in base units (cores, bytes, or a count). */
export type ResourceValues = Readonly<Record<string, number>>;

/** A `type: Container` item of a LimitRange, after the API server's defaulting of it. */
export interface ContainerLimits {
  /** The LimitRange it belongs to. */
  readonly limitRange: ResolvedObject;
  readonly min: ResourceValues;
  readonly max: ResourceValues;
  /** Limits of a container that sets none (defaulted from `max`). */
  readonly default: ResourceValues;
  /** Requests of a container that sets none (defaulted from `default`, then `min`). */
  readonly defaultRequest: ResourceValues;
}

/** A value after admission, and where it came from. */
export interface Admitted {
  readonly value: number;
  /** `container` (set on the container), `limit` (Pod defaulting: the container's own limit) or the LimitRange that supplied it. */
  readonly from: 'container' | 'limit' | ResolvedObject;
}

/** One container as admitted: its requests and limits per resource. */
export interface AdmittedContainer {
  readonly name: string;
  readonly field: 'containers' | 'initContainers';
  /** A native sidecar: an init container with `restartPolicy: Always`, running beside the containers. */
  readonly sidecar: boolean;
  readonly requests: Readonly<Record<string, Admitted>>;
  readonly limits: Readonly<Record<string, Admitted>>;
}

/** A pod as admitted: its containers, and the totals ResourceQuota charges for it. */
export interface AdmittedPod {
  readonly containers: readonly AdmittedContainer[];
  /** Effective requests: max(largest init container, sum of containers) + pod overhead, per resource any container requests. */
  readonly requests: ResourceValues;
  /** Effective limits, the same way, over the containers that state one (as ResourceQuota sums them). */
  readonly limits: ResourceValues;
}

/** The quantities of a resource list (`{ cpu: '500m', memory: '1Gi' }`) in base units; values that are not quantities are left out. */
export function quantities(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec(value))) {
    const parsed = parseQuantity(v);
    if (parsed !== undefined) out[k] = parsed;
  }
  return out;
}

/** A LimitRange's `type: Container` items as the API server stores them (SetDefaults_LimitRangeItem). */
export function containerLimits(limitRange: ResolvedObject): ContainerLimits[] {
  return arr(rec(limitRange.manifest.spec).limits).flatMap((raw) => {
    const item = rec(raw);
    if (item.type !== 'Container') return [];
    const min = quantities(item.min);
    const max = quantities(item.max);
    const def = { ...max, ...quantities(item.default) };
    const defaultRequest = { ...min, ...def, ...quantities(item.defaultRequest) };
    return [{ limitRange, min, max, default: def, defaultRequest }];
  });
}

/** The Container limits of every LimitRange of `namespace`, by name (the order the LimitRanger applies them in). */
export function namespaceLimits(objects: ClusterObjects, namespace: string | undefined): readonly ContainerLimits[] {
  const byNamespace = objects.memo('capacity: container limits by namespace', () => new Map<string | undefined, ContainerLimits[]>());
  let found = byNamespace.get(namespace);
  if (!found) {
    const ranges = [...objects.ofKindIn('LimitRange', namespace)].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
    found = ranges.flatMap(containerLimits);
    byNamespace.set(namespace, found);
  }
  return found;
}

/** One container as the API server admits it into a namespace with `limits`. */
function admitContainer(spec: Json, name: string, field: AdmittedContainer['field'], limits: readonly ContainerLimits[]): AdmittedContainer {
  const resources = rec(spec.resources);
  const own = { requests: quantities(resources.requests), limits: quantities(resources.limits) };
  const requests: Record<string, Admitted> = {};
  const lims: Record<string, Admitted> = {};
  for (const [k, value] of Object.entries(own.limits)) lims[k] = { value, from: 'container' };
  for (const [k, value] of Object.entries(own.requests)) requests[k] = { value, from: 'container' };
  // Pod defaulting runs before admission: a container's limit without a request is its request.
  for (const [k, value] of Object.entries(own.limits)) requests[k] ??= { value, from: 'limit' };
  // The LimitRanger only fills what is still missing; the first LimitRange to set a value wins.
  for (const range of limits) {
    for (const [k, value] of Object.entries(range.default)) lims[k] ??= { value, from: range.limitRange };
    for (const [k, value] of Object.entries(range.defaultRequest)) requests[k] ??= { value, from: range.limitRange };
  }
  return { name, field, sidecar: field === 'initContainers' && spec.restartPolicy === 'Always', requests, limits: lims };
}

/** The pod overhead ResourceQuota adds: `spec.overhead`, else the `overhead.podFixed` of its RuntimeClass. */
function overheadOf(objects: ClusterObjects, pod: Json): Record<string, number> {
  if (pod.overhead !== undefined) return quantities(pod.overhead);
  const runtimeClass = str(pod.runtimeClassName);
  const rc = runtimeClass ? objects.find('RuntimeClass', undefined, runtimeClass) : undefined;
  return rc ? quantities(rec(rec(rc.manifest).overhead).podFixed) : {};
}

/**
 * Sums containers and native sidecars, takes the larger of that and the largest init container
 * step (an init container plus the sidecars started before it), adds the overhead: to every
 * request, but to a limit only where some container states one (resourcehelper.PodRequests/PodLimits).
 */
function effective(containers: readonly AdmittedContainer[], pick: (c: AdmittedContainer) => Readonly<Record<string, Admitted>>, overhead: Record<string, number>, overheadAlone: boolean): Record<string, number> {
  const names = new Set([...containers.flatMap((c) => Object.keys(pick(c))), ...(overheadAlone ? Object.keys(overhead) : [])]);
  const out: Record<string, number> = {};
  for (const r of names) {
    let main = containers.filter((c) => c.field === 'containers').reduce((sum, c) => sum + (pick(c)[r]?.value ?? 0), 0);
    let sidecars = 0;
    let init = 0;
    for (const c of containers.filter((x) => x.field === 'initContainers')) {
      const value = pick(c)[r]?.value ?? 0;
      if (c.sidecar) [main, sidecars] = [main + value, sidecars + value];
      init = Math.max(init, c.sidecar ? sidecars : sidecars + value);
    }
    out[r] = Math.max(main, init) + (overhead[r] ?? 0);
  }
  return out;
}

/** The pod `template` of `object` as admitted into its namespace (memoised per object). */
export function admittedPod(objects: ClusterObjects, object: ResolvedObject, pod: Json, namespace: string | undefined): AdmittedPod {
  const cache = objects.memo('capacity: admitted pods', () => new Map<ResolvedObject, AdmittedPod>());
  let found = cache.get(object);
  if (!found) {
    const limits = namespaceLimits(objects, namespace);
    const containers = containersOf(pod, ['initContainers', 'containers']).map((c) => admitContainer(c.spec, c.name, c.field as AdmittedContainer['field'], limits));
    const overhead = overheadOf(objects, pod);
    found = { containers, requests: effective(containers, (c) => c.requests, overhead, true), limits: effective(containers, (c) => c.limits, overhead, false) };
    cache.set(object, found);
  }
  return found;
}
