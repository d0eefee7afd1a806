// Rules on the workloads themselves: what every pod needs to be scheduled, upgraded and drained
// safely.
import type { ResolvedObject } from '../../synth/model.js';
import {
  WORKLOAD_KINDS, arr, containersOf, labelsOf, mapSelects, namespaceOf, nameOf, rec, selectorMatches, str,
  type ClusterObjects, type PodTemplate,
} from '../objects.js';
import { PRODUCTION_ONLY, WARN_IN_DEVELOPMENT, type Rule, type Violation } from '../rule.js';
import { parseImage } from '../../fleet/image.js';

/** Kinds that keep a number of replicas running (what PDBs, spread and autoscalers are about). */
const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'];
/** Kinds whose pods serve traffic for as long as they run. */
const SERVING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod'];

/** `fn` over the workloads of `kinds` (only workloads have templates: see ClusterObjects.workloads). */
function eachTemplate(objects: ClusterObjects, kinds: readonly string[], fn: (object: ResolvedObject, template: PodTemplate) => Violation[]): Violation[] {
  return objects.workloads().flatMap(({ object, template }) => (kinds.includes(object.manifest.kind) ? fn(object, template) : []));
}

export const resourcesRequired: Rule = {
  id: 'resources',
  summary: 'Every container and init container requests cpu and memory and limits memory, so the scheduler can place it and a leak cannot starve its neighbours.',
  hint: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container',
  severity: WARN_IN_DEVELOPMENT,
  check: (objects) =>
    eachTemplate(objects, WORKLOAD_KINDS, (object, template) =>
      containersOf(template.spec, ['initContainers', 'containers']).flatMap((c) => {
        const { requests, limits } = rec(c.spec.resources);
        const missing = [
          ...['cpu', 'memory'].filter((r) => rec(requests)[r] === undefined).map((r) => `requests.${r}`),
          ...(rec(limits).memory === undefined ? ['limits.memory'] : []),
        ];
        return missing.length > 0 ? [{ object, message: `container ${JSON.stringify(c.name)} has no ${missing.join(', ')}` }] : [];
      }),
    ),
};

/** Why an image reference is not pinned, or undefined when it has a digest or a non-latest tag. */
export function imagePinProblem(image: string): string | undefined {
  const { tag, digest } = parseImage(image);
  if (digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
  if (tag === undefined) return 'has no tag, so it means :latest';
  if (tag === 'latest') return 'uses the tag latest';
  if (tag === '') return 'has an empty tag';
  return undefined;
}

export const imagePinned: Rule = {
  id: 'image-pinned',
  summary: 'Every container image names a tag other than `latest` or a sha256 digest, so what runs is what was reviewed and a rollback is possible.',
  hint: 'pin the image to a release tag (e.g. ghcr.io/acme/web:1.4.2) or a digest (@sha256:...)',
  severity: WARN_IN_DEVELOPMENT,
  check: (objects) =>
    eachTemplate(objects, WORKLOAD_KINDS, (object, template) =>
      containersOf(template.spec).flatMap((c) => {
        const image = str(c.spec.image);
        const problem = image === undefined ? 'has no image' : imagePinProblem(image);
        return problem ? [{ object, message: `container ${JSON.stringify(c.name)} image ${JSON.stringify(image ?? '')} ${problem}` }] : [];
      }),
    ),
};

/** The containers of a pod that serve `ports` of a Service (all of them when none declares one). */
function servingContainers(template: PodTemplate, service: ResolvedObject): ReturnType<typeof containersOf> {
  const containers = containersOf(template.spec, ['containers']);
  const targets = arr(rec(service.manifest.spec).ports).map((p) => rec(p).targetPort ?? rec(p).port);
  // A Service without ports (a StatefulSet's headless Service of a portless workload) only names pods in DNS.
  if (targets.length === 0) return [];
  const serving = containers.filter((c) =>
    arr(c.spec.ports).some((p) => targets.some((t) => (typeof t === 'string' ? rec(p).name === t : rec(p).containerPort === t))),
  );
  return serving.length > 0 ? serving : containers;
}

/** Services with a selector, i.e. those that route to pods by label. */
function selectingServices(objects: ClusterObjects): { service: ResolvedObject; selector: Record<string, string> }[] {
  return objects.ofKind('Service').flatMap((service) => {
    const spec = rec(service.manifest.spec);
    const selector = labelsOf(spec.selector);
    return spec.type !== 'ExternalName' && Object.keys(selector).length > 0 ? [{ service, selector }] : [];
  });
}

export const readinessProbe: Rule = {
  id: 'readiness-probe',
  summary: 'Every container serving a port of a Service has a readinessProbe, so a rollout or restart sends no traffic to a pod that cannot answer yet.',
  hint: 'add a readinessProbe (httpGet, tcpSocket or grpc) to the container that serves the port',
  severity: WARN_IN_DEVELOPMENT,
  check(objects) {
    const seen = new Set<string>();
    const violations: Violation[] = [];
    for (const { service, selector } of selectingServices(objects)) {
      for (const { object, template } of objects.workloadsIn(namespaceOf(service))) {
        if (!SERVING_KINDS.includes(object.manifest.kind) || !mapSelects(selector, template.labels)) continue;
        for (const c of servingContainers(template, service)) {
          const key = `${object.path}\u0000${c.name}`;
          if (c.spec.readinessProbe !== undefined || seen.has(key)) continue;
          seen.add(key);
          violations.push({ object, message: `container ${JSON.stringify(c.name)} serves Service ${nameOf(service)} but has no readinessProbe` });
        }
      }
    }
    return violations;
  },
};

/** The autoscalers (HPA, KEDA ScaledObject) whose scaleTargetRef names `object`. */
export function autoscalersOf(objects: ClusterObjects, object: ResolvedObject): readonly { autoscaler: ResolvedObject; max: number }[] {
  const byTarget = objects.memo('autoscalers by target', () => {
    const index = new Map<string, { autoscaler: ResolvedObject; max: number }[]>();
    for (const autoscaler of objects.ofKind('HorizontalPodAutoscaler', 'ScaledObject')) {
      const target = scaleTarget(autoscaler);
      const spec = rec(autoscaler.manifest.spec);
      const max = autoscaler.manifest.kind === 'ScaledObject' ? (spec.maxReplicaCount ?? 100) : spec.maxReplicas;
      const id = targetId(namespaceOf(autoscaler), target.kind, target.name);
      const list = index.get(id) ?? [];
      list.push({ autoscaler, max: typeof max === 'number' ? max : 1 });
      index.set(id, list);
    }
    return index;
  });
  return byTarget.get(targetId(namespaceOf(object), object.manifest.kind, nameOf(object))) ?? [];
}

function targetId(namespace: string | undefined, kind: string, name: string): string {
  return `${namespace ?? ''}\u0000${kind}\u0000${name}`;
}

/** What an HPA or ScaledObject scales (ScaledObject defaults to an apps/v1 Deployment). */
export function scaleTarget(autoscaler: ResolvedObject): { apiVersion: string; kind: string; name: string } {
  const ref = rec(rec(autoscaler.manifest.spec).scaleTargetRef);
  const keda = autoscaler.manifest.kind === 'ScaledObject';
  return {
    apiVersion: str(ref.apiVersion) ?? (keda ? 'apps/v1' : ''),
    kind: str(ref.kind) ?? (keda ? 'Deployment' : ''),
    name: str(ref.name) ?? '',
  };
}

/**
 * The most replicas a workload runs: the largest autoscaler maximum when autoscaled (an
 * autoscaled Deployment has no spec.replicas), else spec.replicas (default 1).
 */
export function maxReplicas(objects: ClusterObjects, object: ResolvedObject): number {
  const replicas = rec(object.manifest.spec).replicas;
  const own = typeof replicas === 'number' ? replicas : undefined;
  const scaled = autoscalersOf(objects, object).map((a) => a.max);
  return Math.max(own ?? (scaled.length > 0 ? 0 : 1), ...scaled);
}

export const podDisruptionBudget: Rule = {
  id: 'pod-disruption-budget',
  summary: 'Every workload running more than one replica (or autoscaled above one) has a PodDisruptionBudget selecting its pods, so node drains and upgrades keep it available (`disruption-budget-allows-eviction` checks that the budget still lets them through).',
  hint: 'add a PodDisruptionBudget with the workload\'s selector and maxUnavailable: 1 (or a minAvailable below the replica count)',
  severity: PRODUCTION_ONLY,
  check: (objects) =>
    eachTemplate(objects, REPLICATED_KINDS, (object, template) => {
      const replicas = maxReplicas(objects, object);
      if (replicas <= 1) return [];
      const pdbs = objects.ofKindIn('PodDisruptionBudget', namespaceOf(object)).filter((p) => selectorMatches(rec(p.manifest.spec).selector, template.labels));
      return pdbs.length > 0 ? [] : [{ object, message: `runs up to ${replicas} replicas but no PodDisruptionBudget selects its pods: a node drain may evict them all at once` }];
    }),
};

export const topologySpread: Rule = {
  id: 'topology-spread',
  summary: 'Every workload running more than one replica (or autoscaled above one) spreads its pods with a topologySpreadConstraint whose labelSelector selects them, so one node or zone failure cannot take all replicas.',
  hint: 'add spec.template.spec.topologySpreadConstraints with topologyKey topology.kubernetes.io/zone (or kubernetes.io/hostname) and a labelSelector matching the pod labels',
  severity: PRODUCTION_ONLY,
  check: (objects) =>
    eachTemplate(objects, REPLICATED_KINDS, (object, template) => {
      const replicas = maxReplicas(objects, object);
      if (replicas <= 1) return [];
      const spreads = arr(template.spec.topologySpreadConstraints).some((c) => rec(c).labelSelector !== undefined && selectorMatches(rec(c).labelSelector, template.labels));
      return spreads ? [] : [{ object, message: `runs up to ${replicas} replicas but no topologySpreadConstraint (with a labelSelector matching its pods) spreads them` }];
    }),
};

/** Labels every workload carries, for selectors, dashboards and ownership. */
export const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/managed-by'] as const;

export const requiredLabels: Rule = {
  id: 'required-labels',
  summary: `Every workload carries the labels ${REQUIRED_LABELS.join(' and ')}.`,
  hint: `set metadata.labels ${REQUIRED_LABELS.map((l) => `${l}`).join(' and ')} (workloads in fleet.apps get managed-by automatically)`,
  severity: WARN_IN_DEVELOPMENT,
  check: (objects) =>
    // The objects of WORKLOAD_KINDS are exactly the workloads (each has a pod template).
    objects.workloads().flatMap(({ object }) => {
      const labels = labelsOf(rec(object.manifest.metadata).labels);
      const missing = REQUIRED_LABELS.filter((l) => !labels[l]);
      return missing.length > 0 ? [{ object, message: `missing label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` }] : [];
    }),
};
