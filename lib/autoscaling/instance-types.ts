// Common EC2 instance types (vCPUs and memory), for the node-pool fit check: a pod whose
// requests exceed every node a pool can launch stays Pending forever, so strata refuses it at
// synth time. Metal sizes, accelerated and storage-optimised families are left out; pools that
// use them declare `cpu.max` / `memory.max` instead.
import { GiB, MiB } from './quantity.js';

/** A CPU architecture, as the `kubernetes.io/arch` node label names it. */
export type Architecture = 'amd64' | 'arm64';

/** One EC2 instance type. */
export interface InstanceType {
  /** e.g. `m7i.xlarge` */
  readonly name: string;
  /** e.g. `m7i` (Karpenter label `karpenter.k8s.aws/instance-family`) */
  readonly family: string;
  /** e.g. `xlarge` (`karpenter.k8s.aws/instance-size`) */
  readonly size: string;
  /** e.g. `m` (`karpenter.k8s.aws/instance-category`) */
  readonly category: string;
  /** e.g. 7 (`karpenter.k8s.aws/instance-generation`) */
  readonly generation: number;
  /** CPU architecture, `arm64` for Graviton (`g`) families, else `amd64` (node label `kubernetes.io/arch`) */
  readonly architecture: Architecture;
  /** vCPUs */
  readonly cpu: number;
  /** Memory in bytes */
  readonly memory: number;
}

const GEN5 = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'];
const C5 = ['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '12xlarge', '18xlarge', '24xlarge'];
const GEN6I = [...GEN5, '32xlarge'];
const GEN6A = [...GEN6I, '48xlarge'];
const GEN7I = [...GEN5, '48xlarge'];
const GEN7A = ['medium', ...GEN6A];
const GRAVITON = ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const GRAVITON4 = [...GRAVITON, '24xlarge', '48xlarge'];

/** Family → memory per vCPU (GiB) and sizes. General purpose (m) 4, compute (c) 2, memory (r) 8. */
const FAMILIES: readonly (readonly [family: string, gibPerCpu: number, sizes: readonly string[]])[] = [
  ['m5', 4, GEN5], ['m5a', 4, GEN5], ['m6i', 4, GEN6I], ['m6a', 4, GEN6A], ['m6g', 4, GRAVITON],
  ['m7i', 4, GEN7I], ['m7a', 4, GEN7A], ['m7g', 4, GRAVITON], ['m8g', 4, GRAVITON4],
  ['c5', 2, C5], ['c5a', 2, GEN5], ['c6i', 2, GEN6I], ['c6a', 2, GEN6A], ['c6g', 2, GRAVITON],
  ['c7i', 2, GEN7I], ['c7a', 2, GEN7A], ['c7g', 2, GRAVITON], ['c8g', 2, GRAVITON4],
  ['r5', 8, GEN5], ['r5a', 8, GEN5], ['r6i', 8, GEN6I], ['r6a', 8, GEN6A], ['r6g', 8, GRAVITON],
  ['r7i', 8, GEN7I], ['r7a', 8, GEN7A], ['r7g', 8, GRAVITON], ['r8g', 8, GRAVITON4],
];

/** Burstable families do not follow the ratio: size → [vCPU, GiB]. */
const BURSTABLE_SIZES: readonly (readonly [size: string, cpu: number, gib: number])[] = [
  ['nano', 2, 0.5], ['micro', 2, 1], ['small', 2, 2], ['medium', 2, 4], ['large', 2, 8], ['xlarge', 4, 16], ['2xlarge', 8, 32],
];
const BURSTABLE = ['t3', 't3a', 't4g'];

const FAMILY_NAME = /^([a-z]+?)(\d+)([a-z-]*)$/;

function vcpus(size: string): number {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  return Number(size.replace('xlarge', '')) * 4;
}

function instance(family: string, size: string, cpu: number, memoryGiB: number): InstanceType {
  const [, category, generation, suffix] = FAMILY_NAME.exec(family)!;
  // Graviton families carry a `g` after the generation (m7g, c8g, t4g).
  const architecture: Architecture = suffix.startsWith('g') ? 'arm64' : 'amd64';
  return { name: `${family}.${size}`, family, size, category, generation: Number(generation), architecture, cpu, memory: memoryGiB * GiB };
}

/** Every instance type strata knows, sorted by name. */
export const INSTANCE_TYPES: readonly InstanceType[] = [
  ...FAMILIES.flatMap(([family, ratio, sizes]) => sizes.map((size) => instance(family, size, vcpus(size), vcpus(size) * ratio))),
  ...BURSTABLE.flatMap((family) => BURSTABLE_SIZES.map(([size, cpu, gib]) => instance(family, size, cpu, gib))),
].sort((a, b) => (a.name < b.name ? -1 : 1));

const BY_NAME = new Map(INSTANCE_TYPES.map((t) => [t.name, t]));
/** Every EC2 instance family strata knows (`m7i`, `c7g`, ...). */
export const INSTANCE_FAMILIES: ReadonlySet<string> = new Set(INSTANCE_TYPES.map((t) => t.family));
/** Every EC2 instance size strata knows (`large`, `xlarge`, ...). */
export const INSTANCE_SIZES: ReadonlySet<string> = new Set(INSTANCE_TYPES.map((t) => t.size));

/** The EC2 instance type of this name (`m7i.large`), or undefined when strata does not know it. */
export function instanceType(name: string): InstanceType | undefined {
  return BY_NAME.get(name);
}

/**
 * What a node of `cpu` vCPUs and `memory` bytes leaves for pods, as Karpenter estimates it
 * before launching one (so a pod above this is one Karpenter will not launch a node for):
 * - cpu: the EKS kube-reserved tiers: 6% of the first core, 1% of the second, 0.5% of the
 *   third and fourth, 0.25% of every further core;
 * - memory: 7.5% hypervisor overhead (Karpenter's `vmMemoryOverheadPercent` default), 255Mi
 *   kube-reserved base and the 100Mi hard eviction threshold.
 * The per-pod part of kube-reserved (11Mi × max pods) and DaemonSets are not subtracted: this
 * is a lower bound of the reservation, so the check never refuses a pod that could fit.
 */
export function allocatable(cpu: number, memory: number): {
  /** CPU left for pods, in vCPUs (fractional). */
  cpu: number;
  /** Memory left for pods, in bytes. */
  memory: number;
} {
  const tiers: readonly (readonly [upTo: number, share: number])[] = [[1, 0.06], [2, 0.01], [4, 0.005], [Infinity, 0.0025]];
  let reserved = 0;
  let from = 0;
  for (const [upTo, share] of tiers) {
    reserved += Math.max(0, Math.min(cpu, upTo) - from) * share;
    from = upTo;
  }
  return { cpu: cpu - reserved, memory: memory * 0.925 - 255 * MiB - 100 * MiB };
}

/** One Karpenter NodePool requirement (`spec.template.spec.requirements[]`). https://karpenter.sh/docs/concepts/nodepools/#spectemplatespecrequirements */
export interface NodeRequirement {
  /** Node label key, e.g. `karpenter.k8s.aws/instance-family`, `karpenter.sh/capacity-type`, `topology.kubernetes.io/zone`. */
  readonly key: string;

  /** `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`. */
  readonly operator: string;
  /** @default none */
  readonly values?: readonly string[];
}

/** The value of the node label `key` on a node of type `t`, or undefined for labels the table does not describe. */
function labelOf(t: InstanceType, key: string): string | undefined {
  switch (key) {
    case 'node.kubernetes.io/instance-type': return t.name;
    case 'karpenter.k8s.aws/instance-family': return t.family;
    case 'karpenter.k8s.aws/instance-size': return t.size;
    case 'karpenter.k8s.aws/instance-category': return t.category;
    case 'karpenter.k8s.aws/instance-generation': return String(t.generation);
    case 'karpenter.k8s.aws/instance-cpu': return String(t.cpu);
    case 'karpenter.k8s.aws/instance-memory': return String(t.memory / MiB);
    case 'kubernetes.io/arch': return t.architecture;
    default: return undefined;
  }
}

function satisfies(t: InstanceType, r: NodeRequirement): boolean {
  const value = labelOf(t, r.key);
  // A label the table does not describe (capacity type, zone, os, ...) rules no instance type out.
  if (value === undefined) return true;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return values.includes(value);
    case 'NotIn': return !values.includes(value);
    case 'Exists': return true;
    case 'DoesNotExist': return false;
    case 'Gt': return Number(value) > Number(values[0]);
    case 'Lt': return Number(value) < Number(values[0]);
    default: return true;
  }
}

/**
 * The instance types of the table a Karpenter NodePool's requirements allow, smallest first (by
 * vCPUs, then memory). Requirements on labels the table does not describe are ignored, so the
 * result may be wider than what Karpenter launches, never narrower among the types strata knows;
 * empty when the pool only allows types strata does not know (GPU, metal, storage families).
 */
export function instanceTypesAllowed(requirements: readonly NodeRequirement[]): InstanceType[] {
  return INSTANCE_TYPES.filter((t) => requirements.every((r) => satisfies(t, r))).sort((a, b) => a.cpu - b.cpu || a.memory - b.memory || (a.name < b.name ? -1 : 1));
}

const KNOWN_VALUES: Readonly<Record<string, ReadonlySet<string>>> = {
  'node.kubernetes.io/instance-type': new Set(INSTANCE_TYPES.map((t) => t.name)),
  'karpenter.k8s.aws/instance-family': INSTANCE_FAMILIES,
  'karpenter.k8s.aws/instance-size': INSTANCE_SIZES,
  'karpenter.k8s.aws/instance-category': new Set(INSTANCE_TYPES.map((t) => t.category)),
};

const NAMING_KEYS = ['node.kubernetes.io/instance-type', 'karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-category'];

/**
 * Whether the table describes what `requirements` allow: they name the types, families or
 * categories (`In`), and every name, family, size and category they name is in the table. A pool
 * open to any family, or naming one the table lacks (`p5`, `t2`), may launch nodes smaller or
 * larger than strata knows of.
 */
export function describesEveryAllowed(requirements: readonly NodeRequirement[]): boolean {
  const known = requirements.every((r) => r.operator !== 'In' || !(r.key in KNOWN_VALUES) || (r.values ?? []).every((v) => KNOWN_VALUES[r.key].has(v)));
  return known && requirements.some((r) => r.operator === 'In' && NAMING_KEYS.includes(r.key));
}
