// How many pods each workload of a namespace runs at the most its autoscalers allow, and how
// many more a rollout adds, so quotas can be checked at the scale the cluster will reach.
import { GiB, MiB } from '../../autoscaling/quantity.js';
import { parseQuantity } from '../../fleet/quantity.js';
import type { ResolvedObject } from '../../synth/model.js';
import { arr, nameOf, rec, str, type ClusterObjects, type Json, type PodTemplate } from '../objects.js';
import { maxReplicas } from '../rules/workloads.js';
import { admittedPod, type AdmittedPod } from './resources.js';

/** One workload's share of its namespace at its largest. */
export interface Demand {
  readonly object: ResolvedObject;
  readonly template: PodTemplate;
  readonly pod: AdmittedPod;
  /** Most pods at once, e.g. `20` (an HPA's maxReplicas) or `2 runs × 3` (a CronJob). */
  readonly pods: number;
  /** How `pods` was reached, for messages: `20 replicas (HorizontalPodAutoscaler web)`. */
  readonly why: string;
  /** Extra pods during a rollout at that scale (a Deployment's maxSurge; 0 for every other kind). */
  readonly surge: number;
  /** PersistentVolumeClaims it creates per replica (StatefulSet volumeClaimTemplates), with their storage requests. */
  readonly claims: readonly number[];
}

/**
 * Runs of a CronJob at once: `Forbid` and `Replace` keep one (Replace deletes the running Job
 * first); `Allow` (the default) lets a run that outlasts its interval overlap the next one, which
 * strata counts as two. More overlap means runs never finish in time, a bug of its own.
 */
export const ALLOW_CONCURRENT_RUNS = 2;
/** KEDA's default `maxReplicaCount` of a ScaledJob. https://keda.sh/docs/latest/reference/scaledjob-spec/ */
const SCALED_JOB_MAX = 100;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Pods one Job runs at once: its parallelism (default 1), no more than its completions. */
function jobPods(job: Json): number {
  const parallelism = typeof job.parallelism === 'number' ? job.parallelism : 1;
  return typeof job.completions === 'number' ? Math.min(parallelism, job.completions) : parallelism;
}

/** `maxSurge` of a Deployment at `replicas`: a count, or a percentage rounded up (default 25%). Recreate has none. */
export function surgeOf(deployment: Json, replicas: number): number {
  const strategy = rec(deployment.strategy);
  if (strategy.type === 'Recreate') return 0;
  const value = rec(strategy.rollingUpdate).maxSurge ?? '25%';
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(String(value));
  return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : 0;
}

function scale(objects: ClusterObjects, object: ResolvedObject): { pods: number; why: string; surge: number } | undefined {
  const spec = rec(object.manifest.spec);
  switch (object.manifest.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'ReplicationController': {
      const pods = maxReplicas(objects, object);
      const why = typeof spec.replicas === 'number' ? plural(pods, 'replica') : `${plural(pods, 'replica')} at most`;
      // StatefulSets replace pods one by one without surge (maxSurge does not exist for them in Kubernetes 1.27).
      return { pods, why, surge: object.manifest.kind === 'Deployment' ? surgeOf(spec, pods) : 0 };
    }
    case 'Job':
      return { pods: jobPods(spec), why: `parallelism ${jobPods(spec)}`, surge: 0 };
    case 'CronJob': {
      const policy = str(spec.concurrencyPolicy) ?? 'Allow';
      const runs = policy === 'Allow' ? ALLOW_CONCURRENT_RUNS : 1;
      const per = jobPods(rec(rec(spec.jobTemplate).spec));
      return { pods: runs * per, why: `${plural(runs, 'run')} × ${plural(per, 'pod')} (concurrencyPolicy ${policy})`, surge: 0 };
    }
    case 'ScaledJob': {
      const jobs = typeof spec.maxReplicaCount === 'number' ? spec.maxReplicaCount : SCALED_JOB_MAX;
      const per = jobPods(rec(spec.jobTargetRef));
      return { pods: jobs * per, why: `${plural(jobs, 'job')} × ${plural(per, 'pod')} (maxReplicaCount)`, surge: 0 };
    }
    case 'Pod':
      return { pods: 1, why: '1 pod', surge: 0 };
    default:
      // A DaemonSet runs one pod per node, a number strata does not know: not counted.
      return undefined;
  }
}

/** Storage each replica's PersistentVolumeClaims request (StatefulSet volumeClaimTemplates). */
function claimsOf(object: ResolvedObject): number[] {
  if (object.manifest.kind !== 'StatefulSet') return [];
  return arr(rec(object.manifest.spec).volumeClaimTemplates).map((t) => parseQuantity(rec(rec(rec(rec(t).spec).resources).requests).storage) ?? 0);
}

/** Every workload of `namespace` that runs a countable number of pods, at its largest (memoised). */
export function namespaceDemand(objects: ClusterObjects, namespace: string | undefined): readonly Demand[] {
  const byNamespace = objects.memo('capacity: demand by namespace', () => new Map<string | undefined, Demand[]>());
  let found = byNamespace.get(namespace);
  if (!found) {
    found = objects.workloadsIn(namespace).flatMap(({ object, template }) => {
      const s = scale(objects, object);
      return s ? [{ object, template, pod: admittedPod(objects, object, template.spec, namespace), ...s, claims: claimsOf(object) }] : [];
    });
    byNamespace.set(namespace, found);
  }
  return found;
}

/** `Kind name` of a workload, for messages in its own namespace. */
export function workloadName(object: ResolvedObject): string {
  return `${object.manifest.kind} ${nameOf(object)}`;
}

/** A resource value for messages: cores as `4` or `250m`, bytes as `6Gi` or `512Mi`, counts as they are. */
export function formatResource(resource: string, value: number): string {
  if (/(^|\.)cpu$/.test(resource)) {
    return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  }
  if (/(^|\.)(memory|storage|ephemeral-storage)$/.test(resource)) {
    if (value % GiB === 0 || value >= 10 * GiB) return `${Math.round((value / GiB) * 100) / 100}Gi`;
    return `${Math.round((value / MiB) * 100) / 100}Mi`;
  }
  return String(Math.round(value * 1000) / 1000);
}
