// Requests and limits the API server refuses: a LimitRange whose own defaults contradict its
// bounds, and containers whose request exceeds their limit once the LimitRange has filled in
// what they leave out (a request above the namespace's default limit is the classic case).
// https://kubernetes.io/docs/concepts/policy/limit-range/
import type { ResolvedObject } from '../../synth/model.js';
import { arr, nameOf, namespaceOf, rec, type ClusterObjects } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { formatResource } from './demand.js';
import { admittedPod, containerLimits, namespaceLimits, quantities, type Admitted, type ContainerLimits, type ResourceValues } from './resources.js';

type Field = 'min' | 'defaultRequest' | 'default' | 'max';

/** Pairs the API server requires in order (ValidateLimitRange): the first ≤ the second. */
const ORDER: readonly (readonly [Field, Field])[] = [
  ['min', 'max'], ['defaultRequest', 'default'], ['min', 'defaultRequest'], ['default', 'max'], ['min', 'default'], ['defaultRequest', 'max'],
];

/** Where a defaulted field of a Container item came from when the LimitRange does not set it. */
function origin(raw: Record<string, unknown>, field: Field, resource: string): string {
  if (rec(raw[field])[resource] !== undefined) return field;
  if (field === 'default') return 'default (taken from max)';
  // Taken from min, a defaultRequest equals it and exceeds nothing min does not: only the one taken from default is reported.
  if (field === 'defaultRequest') return 'defaultRequest (taken from default)';
  return field;
}

function incoherent(limitRange: ResolvedObject): Violation[] {
  const items = arr(rec(limitRange.manifest.spec).limits).map(rec);
  const containers = containerLimits(limitRange);
  let c = 0;
  return items.flatMap((raw, i) => {
    const item: ContainerLimits | undefined = raw.type === 'Container' ? containers[c++] : undefined;
    // Pod and PersistentVolumeClaim items only bound: min ≤ max.
    const values: Record<Field, ResourceValues> = item ?? { min: quantities(raw.min), max: quantities(raw.max), default: {}, defaultRequest: {} };
    const seen = new Set<string>();
    const found: Violation[] = [];
    for (const [low, high] of ORDER) {
      for (const [resource, a] of Object.entries(values[low])) {
        const b = values[high][resource];
        if (b === undefined || a <= b || seen.has(resource)) continue;
        seen.add(resource);
        const name = (f: Field) => (item ? origin(raw, f, resource) : f);
        found.push({
          object: limitRange,
          message:
            `limits[${i}] (type ${String(raw.type)}): ${name(low)} ${resource} ${formatResource(resource, a)} is greater than ${name(high)} ${resource} ${formatResource(resource, b)}, ` +
            'so the API server rejects the LimitRange (it requires min ≤ defaultRequest ≤ default ≤ max)',
          hint: `make ${resource} satisfy min ≤ defaultRequest ≤ default ≤ max in limits[${i}]`,
        });
      }
    }
    return found;
  });
}

export const limitRangeCoherent: Rule = {
  id: 'limit-range-coherent',
  summary: 'Every LimitRange is coherent after the API server fills in its defaults (default from max, defaultRequest from default, then min): min ≤ defaultRequest ≤ default ≤ max per resource.',
  hint: 'make every resource satisfy min ≤ defaultRequest ≤ default ≤ max (tenant defaults: memoryRequest ≤ memoryLimit)',
  severity: ALWAYS_ERROR,
  check: (objects) => objects.ofKind('LimitRange').flatMap(incoherent),
};

function source(a: Admitted, what: 'request' | 'limit'): string {
  if (a.from === 'container') return '';
  if (a.from === 'limit') return ' (its limit, as it sets no request)';
  return ` (the ${what === 'limit' ? 'default' : 'defaultRequest'} of LimitRange ${nameOf(a.from)}, as it sets no ${what})`;
}

/** Problems of one admitted container against its own limits and the namespace's LimitRange bounds. */
function containerProblems(name: string, requests: Readonly<Record<string, Admitted>>, limits: Readonly<Record<string, Admitted>>, ranges: readonly ContainerLimits[]): { message: string; hint: string }[] {
  const problems: { message: string; hint: string }[] = [];
  const label = `container ${JSON.stringify(name)}`;
  for (const [resource, request] of Object.entries(requests)) {
    const limit = limits[resource];
    if (limit === undefined || request.value <= limit.value) continue;
    problems.push({
      message:
        `${label}: ${resource} request ${formatResource(resource, request.value)}${source(request, 'request')} is greater than its limit ${formatResource(resource, limit.value)}${source(limit, 'limit')}: ` +
        'the API server rejects the pod',
      hint: `set resources.limits.${resource} of ${label} to at least ${formatResource(resource, request.value)}, or lower its request`,
    });
  }
  for (const range of ranges) {
    for (const [resource, min] of Object.entries(range.min)) {
      const request = requests[resource];
      if (request === undefined || request.value >= min) continue;
      problems.push({
        message: `${label}: ${resource} request ${formatResource(resource, request.value)}${source(request, 'request')} is below min ${formatResource(resource, min)} of LimitRange ${nameOf(range.limitRange)}: the API server rejects the pod`,
        hint: `request at least ${formatResource(resource, min)} ${resource} in ${label}`,
      });
    }
    for (const [resource, max] of Object.entries(range.max)) {
      const limit = limits[resource];
      if (limit === undefined || limit.value <= max) continue;
      problems.push({
        message: `${label}: ${resource} limit ${formatResource(resource, limit.value)}${source(limit, 'limit')} is above max ${formatResource(resource, max)} of LimitRange ${nameOf(range.limitRange)}: the API server rejects the pod`,
        hint: `limit ${label} to at most ${formatResource(resource, max)} ${resource}, or raise the LimitRange max`,
      });
    }
  }
  return problems;
}

export const requestsWithinLimits: Rule = {
  id: 'requests-within-limits',
  summary:
    "Every container's requests are at most its limits, and within the min and max of its namespace's LimitRanges, after the API server's defaults (a limit without a request is the request; the LimitRange fills in default and defaultRequest).",
  hint: 'set every limit at least as high as its request, within the LimitRange bounds (or change the LimitRange defaults)',
  severity: ALWAYS_ERROR,
  check: (objects: ClusterObjects) =>
    objects.workloads().flatMap(({ object, template }) => {
      const namespace = namespaceOf(object);
      const ranges = namespaceLimits(objects, namespace);
      const pod = admittedPod(objects, object, template.spec, namespace);
      return pod.containers.flatMap((c) => containerProblems(c.name, c.requests, c.limits, ranges).map((p) => ({ object, ...p })));
    }),
};
