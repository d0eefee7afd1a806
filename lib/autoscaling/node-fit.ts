// The last step of the loop: a pod that no node of any pool can hold stays Pending forever,
// however many nodes the autoscaler adds. Checked over every pod template of the cluster.
import { ApiObject } from 'cdk8s';
import type { Cluster } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import { manifestOf } from '../fleet/manifests.js';
import { allocatable } from './instance-types.js';
import { formatCpu, formatMemory, parseQuantity } from './quantity.js';

/** A node size a pool can provide. */
export interface NodeShape {
  /** Instance type, or the declared size. */
  readonly name: string;
  /** vCPUs */
  readonly cpu: number;
  /** bytes */
  readonly memory: number;
}

/**
 * What the fit check reads of a node pool (a `NodePool` is one): stated here so the check does
 * not depend on the construct that registers it.
 */
export interface FitPool {
  readonly name: string;
  readonly cluster: Cluster;
  /** Whether Karpenter launches the pool's nodes (its capacity-type and node-pool labels apply). */
  readonly karpenter: boolean;
  readonly capacityTypes: readonly string[];
  readonly architectures: readonly string[];
  readonly zones?: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
  readonly shapes: readonly NodeShape[];
}

/** The parts of a pod spec the fit check reads. */
interface PodSpecJson {
  containers?: ContainerJson[];
  initContainers?: ContainerJson[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
}

interface ContainerJson {
  restartPolicy?: string;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}

/** Where each controller kind keeps its pod template's spec. */
const POD_SPEC: Readonly<Record<string, (spec: any) => PodSpecJson | undefined>> = {
  Deployment: (s) => s?.template?.spec,
  StatefulSet: (s) => s?.template?.spec,
  DaemonSet: (s) => s?.template?.spec,
  ReplicaSet: (s) => s?.template?.spec,
  Job: (s) => s?.template?.spec,
  CronJob: (s) => s?.jobTemplate?.spec?.template?.spec,
  Pod: (s) => s,
  ScaledJob: (s) => s?.jobTargetRef?.template?.spec,
};

/** Problems of every pod template of `cluster` that fits no node its pools can provide. */
export function fitProblems(cluster: Cluster, pools: readonly FitPool[]): string[] {
  if (pools.length === 0) return [];
  const problems: string[] = [];
  for (const obj of cluster.node.findAll()) {
    if (!ApiObject.isApiObject(obj) || !(obj.kind in POD_SPEC)) continue;
    let manifest: { metadata?: { name?: string; namespace?: string }; spec?: unknown };
    try {
      manifest = manifestOf(obj);
    } catch {
      continue; // reported when the fleet resolves the object
    }
    const pod = POD_SPEC[obj.kind](manifest.spec);
    if (!pod) continue;
    const where = `${obj.kind} ${show(manifest.metadata?.name)}${manifest.metadata?.namespace ? ` in namespace ${show(manifest.metadata.namespace)}` : ''} (${obj.node.path})`;
    const problem = podProblem(pod, pools, where);
    if (problem) problems.push(problem);
  }
  return problems;
}

function podProblem(pod: PodSpecJson, pools: readonly FitPool[], where: string): string | undefined {
  // Labels some pool puts on its nodes: a pool that does not declare one does not have it.
  const poolLabels = new Set(pools.flatMap((p) => Object.keys(p.labels)));
  const eligible = pools.map((pool) => ({ pool, shapes: eligibleShapes(pool, pod, poolLabels) })).filter((e) => e.shapes.length > 0);
  const names = pools.map((p) => show(p.name)).join(', ');
  if (eligible.length === 0) {
    return `${where}: its pods match no node pool (their nodeSelector ${show(pod.nodeSelector ?? {})} and tolerations admit none of ${names}): they would stay Pending`;
  }
  const requests = podRequests(pod);
  const fits = eligible.some((e) => e.shapes.some((s) => {
    const free = allocatable(s.cpu, s.memory);
    return requests.cpu <= free.cpu && requests.memory <= free.memory;
  }));
  if (fits) return undefined;
  const largest = eligible.map((e) => describeLargest(e.pool.name, e.shapes)).join('; ');
  return (
    `${where}: a pod requests cpu ${formatCpu(requests.cpu)} and memory ${formatMemory(requests.memory)}, more than any node its node pools can provide ` +
    `(${largest}): it would stay Pending; lower the requests or allow larger nodes`
  );
}

function describeLargest(pool: string, shapes: readonly NodeShape[]): string {
  const byCpu = shapes.reduce((a, b) => (allocatable(b.cpu, b.memory).cpu > allocatable(a.cpu, a.memory).cpu ? b : a));
  const byMemory = shapes.reduce((a, b) => (b.memory > a.memory ? b : a));
  const cpu = allocatable(byCpu.cpu, byCpu.memory).cpu;
  const memory = allocatable(byMemory.cpu, byMemory.memory).memory;
  return `${show(pool)} allows at most ${formatCpu(cpu)} cpu (${byCpu.name}) and ${formatMemory(memory)} memory (${byMemory.name}) after system reservations`;
}

/**
 * Effective requests of a pod: containers and native sidecars (init containers with
 * `restartPolicy: Always`) add up; the other init containers run one at a time before them,
 * beside the sidecars started earlier.
 */
export function podRequests(pod: PodSpecJson): { cpu: number; memory: number } {
  const request = (c: ContainerJson, resource: 'cpu' | 'memory'): number => {
    // A container with a limit but no request is given the limit as its request.
    const value = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
    return value === undefined ? 0 : (parseQuantity(value) ?? 0);
  };
  const total = (resource: 'cpu' | 'memory') => {
    let main = (pod.containers ?? []).reduce((sum, c) => sum + request(c, resource), 0);
    let sidecars = 0;
    let init = 0;
    for (const c of pod.initContainers ?? []) {
      const value = request(c, resource);
      if (c.restartPolicy === 'Always') [main, sidecars] = [main + value, sidecars + value];
      init = Math.max(init, c.restartPolicy === 'Always' ? sidecars : sidecars + value);
    }
    return Math.max(main, init);
  };
  return { cpu: total('cpu'), memory: total('memory') };
}

/** The shapes of `pool` a pod may land on: none when its nodeSelector or the pool's taints rule the pool out. */
function eligibleShapes(pool: FitPool, pod: PodSpecJson, poolLabels: ReadonlySet<string>): readonly NodeShape[] {
  const blocking = pool.taints.filter((t) => t.effect !== 'PreferNoSchedule');
  if (!blocking.every((taint) => (pod.tolerations ?? []).some((t) => tolerates(t, taint)))) return [];
  let shapes = pool.shapes;
  for (const [key, value] of Object.entries(pod.nodeSelector ?? {})) {
    if (key in pool.labels) {
      if (pool.labels[key] !== value) return [];
    } else if (poolLabels.has(key)) {
      return [];
    } else if (key === 'kubernetes.io/arch') {
      if (!pool.architectures.includes(value)) return [];
    } else if (key === 'karpenter.sh/capacity-type' && pool.karpenter) {
      if (!pool.capacityTypes.includes(value)) return [];
    } else if (key === 'karpenter.sh/nodepool' && pool.karpenter) {
      if (pool.name !== value) return [];
    } else if (key === pool.cluster.provider.zoneLabel && pool.zones) {
      if (!pool.zones.includes(value)) return [];
    } else if (key === 'node.kubernetes.io/instance-type') {
      shapes = shapes.filter((s) => s.name === value);
    }
    // Any other label is one strata cannot judge: it does not rule the pool out.
  }
  return shapes;
}

function tolerates(t: { key?: string; operator?: string; value?: string; effect?: string }, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}
