import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Ec2NodeClass,
  type Ec2NodeClassProps,
  Ec2NodeClassSpecMetadataOptionsHttpEndpoint as HttpEndpoint,
  Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6 as HttpProtocolIPv6,
  Ec2NodeClassSpecMetadataOptionsHttpTokens as HttpTokens,
} from '../../imports/karpenter-ec2nodeclass-karpenter.k8s.aws.js';
import {
  NodePool as KarpenterNodePool,
  type NodePoolProps as KarpenterNodePoolProps,
  NodePoolSpecDisruptionBudgetsReasons,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirementsOperator as Operator,
  NodePoolSpecTemplateSpecTaintsEffect,
  type NodePoolSpecTemplateSpecRequirements,
} from '../../imports/karpenter-nodepool-karpenter.sh.js';
import { Cluster } from '../fleet/cluster.js';
import { addCheck, show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';
import type { StageValue } from '../fleet/stage.js';
import type { Platform } from '../platform/platform.js';
import { INSTANCE_FAMILIES, INSTANCE_SIZES, INSTANCE_TYPES, instanceType, type Architecture, type InstanceType } from './instance-types.js';
import { fitProblems, type NodeShape } from './node-fit.js';
import { MiB, formatMemory, parseQuantity, quantityError, quantityOr0, wholeNumberError, wholeOr, wholeSeconds } from './quantity.js';
import { canonicalSet } from '../fleet/canonical.js';
import { intakeProps } from '../fleet/props.js';

/** How nodes are bought: on-demand, or spot (cheaper, reclaimed at short notice). */
export type CapacityType = 'on-demand' | 'spot';

/** A taint on every node of the pool: only pods that tolerate it run there. */
export interface NodeTaint {
  /** Taint key, a label-style key such as `dedicated` or `example.com/gpu`. See https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/ */
  readonly key: string;
  /** @default no value */
  readonly value?: string;
  /** What happens to pods that do not tolerate it: not scheduled (`NoSchedule`), avoided (`PreferNoSchedule`), or also evicted (`NoExecute`). */
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** When Karpenter may remove or replace the pool's nodes. */
export interface NodeDisruption {
  /**
   * `WhenEmptyOrUnderutilized` packs pods onto fewer, cheaper nodes; `WhenEmpty` only removes
   * nodes without pods.
   * @default 'WhenEmptyOrUnderutilized'
   */
  readonly consolidation?: 'WhenEmptyOrUnderutilized' | 'WhenEmpty';
  /** How long a node must be empty or underused before it is consolidated. @default Duration.minutes(1) (no churn on a short dip) */
  readonly consolidateAfter?: Duration | 'Never';
  /** Nodes are replaced after this age, so they pick up new AMIs and never drift for long. @default Duration.days(30) */
  readonly expireAfter?: Duration | 'Never';
  /**
   * Most nodes disrupted at once (`'10%'` or `'2'`), optionally only on a schedule.
   * @default [{ nodes: '10%' }]
   */
  readonly budgets?: readonly DisruptionBudget[];
}

/** How many nodes of a pool Karpenter may disrupt at once, and when (`NodePool.spec.disruption.budgets`). */
export interface DisruptionBudget {
  /** Nodes disrupted at once, as a count (`'2'`) or a share (`'10%'`); `'0'` forbids disruption. */
  readonly nodes: string;
  /** Five-field cron expression (UTC) when the budget starts to apply. @default always */
  readonly schedule?: string;
  /** How long the budget applies from each `schedule` (whole minutes). @default always (needs no schedule) */
  readonly duration?: Duration;
  /** Disruption reasons it limits. @default every reason */
  readonly reasons?: readonly ('Underutilized' | 'Empty' | 'Drifted')[];
}

/** AWS settings of the pool's nodes (Karpenter `EC2NodeClass`). */
export interface Ec2NodeClassOptions {
  /**
   * The EKS-optimised AMI, `<family>@<version>`. Pinned so that a new AMI release never rolls
   * every node unreviewed: bump it in Git, stage by stage (it may differ per stage).
   * @default DEFAULT_AMI_ALIAS
   */
  readonly amiAlias?: StageValue<string>;
  /** IAM role of the nodes. @default `KarpenterNodeRole-<cluster>` */
  readonly role?: string;
  /** Value of the `karpenter.sh/discovery` tag of the cluster's subnets and security groups. @default the cluster name */
  readonly discoveryTag?: string;
  /** Tags on every EC2 resource Karpenter creates. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A pool of nodes the node autoscaler adds and removes: `new NodePool(platform, name, props)`. */
export interface NodePoolProps {
  /** How nodes are bought: spot is cheaper but can be reclaimed with two minutes' notice. @default ['on-demand'] */
  readonly capacityTypes?: readonly CapacityType[];
  /** EC2 families, e.g. `['m7i', 'c7i']`. @default categories c, m and r of generation 6 or newer (Karpenter clusters) */
  readonly instanceFamilies?: readonly string[];
  /** EC2 sizes, e.g. `['large', 'xlarge', '2xlarge']`. @default every size */
  readonly instanceSizes?: readonly string[];
  /** Exact EC2 instance types, e.g. `['m7i.xlarge']`. @default any of the families and sizes */
  readonly instanceTypes?: readonly string[];
  /** vCPUs per node. On clusters without Karpenter, `max` (with `memory.max`) declares the node size. @default any */
  readonly cpu?: {
    /** Fewest vCPUs per node, a whole number of at least 1 (inclusive). @default no lower bound */
    readonly min?: number;
    /** Most vCPUs per node, a whole number of at least 1 (inclusive). @default no upper bound */
    readonly max?: number;
  };
  /** Memory per node, as quantities (`'8Gi'`). @default any */
  readonly memory?: {
    /** Least memory per node (inclusive), a Kubernetes quantity such as `8Gi`. @default no lower bound */
    readonly min?: string;
    /** Most memory per node (inclusive), a Kubernetes quantity such as `64Gi`. @default no upper bound */
    readonly max?: string;
  };
  /** CPU architectures. @default ['amd64'] */
  readonly architectures?: readonly Architecture[];
  /** Zones, e.g. `['eu-west-1a', 'eu-west-1b']`. @default every zone of the cluster's region */
  readonly zones?: readonly string[];
  /**
   * Most cpu and memory all the pool's nodes together may have: the cost ceiling. Required with
   * Karpenter (an unbounded pool launches nodes without end); recorded only elsewhere, where
   * the cloud's node group bounds apply.
   * @default none (an error on Karpenter clusters)
   */
  readonly limits?: {
    /** Total vCPUs of all the pool's nodes, a number or a Kubernetes quantity (`200`, `'200'`). See https://karpenter.sh/docs/concepts/nodepools/#speclimits */
    readonly cpu: number | string;
    /** Total memory of all the pool's nodes, a Kubernetes quantity such as `800Gi`. */
    readonly memory: string;
  };
  /** Consolidation and expiry of nodes (Karpenter). @default see `NodeDisruption` */
  readonly disruption?: NodeDisruption;
  /** Labels on every node, for pods' nodeSelectors. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Taints on every node, reserving the pool for pods that tolerate them. @default none */
  readonly taints?: readonly NodeTaint[];
  /** Preference among pools that fit a pod (higher first, 1–100). @default none */
  readonly weight?: number;
  /** AWS settings (Karpenter `EC2NodeClass`). @default see `Ec2NodeClassOptions` */
  readonly nodeClass?: Ec2NodeClassOptions;
}

/**
 * Pinned EKS-optimised Amazon Linux 2023 AMI release (awslabs/amazon-eks-ami). Karpenter
 * advises against `@latest` in production: every AMI release would drift and replace all
 * nodes at once, untested. Bump it deliberately, development first.
 */
export const DEFAULT_AMI_ALIAS = 'al2023@v20260423';

export type { NodeShape };

const DEFAULT_CATEGORIES = ['c', 'm', 'r'];
const MIN_GENERATION = 6;
const AMI_ALIAS = /^(al2|al2023|bottlerocket|windows2019|windows2022|windows2025)@(latest|v\d{8}|v?\d+\.\d+\.\d+)$/;
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
const DISCOVERY = 'karpenter.sh/discovery';

const pools = new WeakMap<Cluster, NodePool[]>();

/**
 * A pool of nodes the cluster autoscaler may add, declared by the platform team:
 * `new NodePool(platform, 'general', { capacityTypes: ['spot', 'on-demand'], instanceFamilies: ['m7i', 'c7i'], limits: { cpu: 200, memory: '800Gi' } })`.
 *
 * On Karpenter clusters (`provider.nodeAutoscaler === 'karpenter'`) it renders a Karpenter
 * `NodePool` and its `EC2NodeClass` into `infrastructure/configs`. Elsewhere node groups are
 * managed by the cloud (GKE, AKS and EKS managed node groups are sized through the cloud API,
 * not in-cluster objects), so nothing is rendered; the pool is recorded so that every pod of
 * the cluster is checked against the nodes the pools can provide.
 */
export class NodePool extends Construct {
  /** The node pools declared on a cluster, in declaration order. */
  static of(cluster: Cluster): readonly NodePool[] {
    return pools.get(cluster) ?? [];
  }

  /** The pool's name, as given: on Karpenter clusters, the name of its NodePool and EC2NodeClass. */

  readonly name: string;
  /** The cluster the pool belongs to. */
  readonly cluster: Cluster;
  /** Whether Karpenter objects are rendered for this pool. */
  readonly karpenter: boolean;
  /** How the pool's nodes are bought. @default ['on-demand'] */
  readonly capacityTypes: readonly CapacityType[];
  /** CPU architectures of the pool's nodes. @default ['amd64'] */
  readonly architectures: readonly Architecture[];
  /** Zones the pool's nodes run in. @default undefined (every zone of the cluster's region) */
  readonly zones?: readonly string[];
  /** Labels on every node of the pool. @default {} */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints on every node of the pool. @default [] */
  readonly taints: readonly NodeTaint[];

  private readonly props: NodePoolProps;
  private readonly shapeProblems: string[] = [];
  private _shapes?: NodeShape[];

  /** @throws StrataError when the cluster has no `infrastructure/configs` layer */
  constructor(platform: Platform | Cluster, name: string, given: NodePoolProps) {
    const cluster = platform instanceof Cluster ? platform : platform.cluster;
    super(cluster.layer('infrastructure/configs'), `node-pool-${name}`);
    const propsProblems: string[] = [];
    const props = intakeProps('NodePoolProps', given, cluster.stage, propsProblems);
    this.name = name;
    this.cluster = cluster;
    this.props = props;
    this.karpenter = cluster.provider.nodeAutoscaler === 'karpenter';
    this.capacityTypes = props.capacityTypes ?? ['on-demand'];
    this.architectures = props.architectures ?? ['amd64'];
    this.zones = props.zones;
    this.labels = { ...props.labels };
    this.taints = props.taints ?? [];
    const problems: string[] = [];
    // An invalid name is reported below; objects carrying it would only repeat the error.
    if (this.karpenter) problems.push(...this.renderKarpenter(!dnsSubdomainError('node pool name', name)));
    if (!pools.has(cluster)) {
      pools.set(cluster, []);
      addCheck(cluster, () => fitProblems(cluster, NodePool.of(cluster)));
    }
    pools.get(cluster)!.push(this);
    addCheck(this, () => [
      ...propsProblems,
      ...optional(dnsSubdomainError('node pool name', name)),
      ...this.propProblems(),
      ...(this.shapes.length > 0 ? [] : this.shapeProblems),
      ...problems,
    ]);
  }

  /** The node sizes the pool can launch: instance types of the table, or the declared `cpu.max`/`memory.max`. */
  get shapes(): readonly NodeShape[] {
    this._shapes ??= this.computeShapes();
    return this._shapes;
  }

  private computeShapes(): NodeShape[] {
    const { instanceFamilies: families, instanceSizes: sizes, instanceTypes: types, cpu, memory } = this.props;
    if (!families && !sizes && !types && !this.karpenter) {
      const max = parseQuantity(memory?.max ?? '');
      if (cpu?.max === undefined || max === undefined) {
        const where = `cluster ${show(this.cluster.name)} (${this.cluster.provider.nodeAutoscaler ?? 'fixed nodes'})`;
        this.shapeProblems.push(`node pool ${show(this.name)} on ${where}: declare the node size with cpu.max and memory.max, or EC2 instanceTypes (strata knows instance sizes only for EC2)`);
        return [];
      }
      return [{ name: `${cpu.max} vCPU / ${memory!.max} nodes`, cpu: cpu.max, memory: max }];
    }
    const unknown = [
      ...(families ?? []).filter((f) => !INSTANCE_FAMILIES.has(f)).map((f) => `family ${show(f)}`),
      ...(sizes ?? []).filter((s) => !INSTANCE_SIZES.has(s)).map((s) => `size ${show(s)}`),
      ...(types ?? []).filter((t) => !instanceType(t)).map((t) => `type ${show(t)}`),
    ];
    if (unknown.length > 0) {
      this.shapeProblems.push(
        `node pool ${show(this.name)}: unknown instance ${unknown.join(', ')} (strata knows ${[...INSTANCE_FAMILIES].join(', ')}; ` +
          'for others, declare the largest node with cpu.max and memory.max)',
      );
      return [];
    }
    const shapes = INSTANCE_TYPES.filter((t) => this.admitsInstance(t)).map((t) => ({ name: t.name, cpu: t.cpu, memory: t.memory }));
    if (shapes.length === 0) this.shapeProblems.push(`node pool ${show(this.name)} matches no instance type: its families, sizes, types, architectures and cpu/memory ranges exclude each other`);
    return shapes;
  }

  private admitsInstance(t: InstanceType): boolean {
    const { instanceFamilies: families, instanceSizes: sizes, instanceTypes: types, cpu, memory } = this.props;
    const memoryMin = parseQuantity(memory?.min ?? '') ?? 0;
    const memoryMax = parseQuantity(memory?.max ?? '') ?? Infinity;
    const defaultFamilies = !families && !types;
    return (
      this.architectures.includes(t.architecture) &&
      (!types || types.includes(t.name)) &&
      (!families || families.includes(t.family)) &&
      (!defaultFamilies || (DEFAULT_CATEGORIES.includes(t.category) && t.generation >= MIN_GENERATION)) &&
      (!sizes || sizes.includes(t.size)) &&
      t.cpu >= (cpu?.min ?? 0) && t.cpu <= (cpu?.max ?? Infinity) &&
      t.memory >= memoryMin && t.memory <= memoryMax
    );
  }

  private propProblems(): string[] {
    const { cpu, memory, limits, weight, zones } = this.props;
    const problems = [
      ...oneOf(`node pool ${show(this.name)}: capacityTypes`, this.capacityTypes, ['on-demand', 'spot']),
      ...oneOf(`node pool ${show(this.name)}: architectures`, this.architectures, ['amd64', 'arm64']),
      ...optional(cpu?.min === undefined ? undefined : wholeNumberError(`node pool ${show(this.name)}: cpu.min`, cpu.min, 1)),
      ...optional(cpu?.max === undefined ? undefined : wholeNumberError(`node pool ${show(this.name)}: cpu.max`, cpu.max, 1)),
      ...optional(memory?.min === undefined ? undefined : quantityError(`node pool ${show(this.name)}: memory.min`, memory.min)),
      ...optional(memory?.max === undefined ? undefined : quantityError(`node pool ${show(this.name)}: memory.max`, memory.max)),
      ...optional(weight === undefined ? undefined : wholeNumberError(`node pool ${show(this.name)}: weight`, weight, 1, 100)),
    ];
    if (cpu?.min !== undefined && cpu.max !== undefined && cpu.min > cpu.max) problems.push(`node pool ${show(this.name)}: cpu.min (${cpu.min}) is greater than cpu.max (${cpu.max})`);
    const memoryMin = parseQuantity(memory?.min ?? '');
    const memoryMax = parseQuantity(memory?.max ?? '');
    if (memoryMin !== undefined && memoryMax !== undefined && memoryMin > memoryMax) {
      problems.push(`node pool ${show(this.name)}: memory.min (${show(memory!.min)}) is greater than memory.max (${show(memory!.max)})`);
    }
    if (limits) {
      const bad = [...optional(quantityError(`node pool ${show(this.name)}: limits.cpu`, limits.cpu)), ...optional(quantityError(`node pool ${show(this.name)}: limits.memory`, limits.memory))];
      problems.push(...bad);
      // Karpenter pools render a NodePool, which the node-pool-limits rule checks; the others render nothing to check.
      if (bad.length === 0 && !this.karpenter) problems.push(...optional(this.limitsBelowOneNode(limits)));
    } else if (this.karpenter) {
      problems.push(`node pool ${show(this.name)} has no limits: a Karpenter NodePool without limits launches nodes without bound; set limits: { cpu, memory } (e.g. { cpu: 200, memory: '800Gi' })`);
    }
    const region = this.cluster.region;
    for (const zone of zones ?? []) {
      if (this.cluster.provider.name === 'aws' && !(zone.startsWith(region) && /^[a-z]$/.test(zone.slice(region.length)))) {
        problems.push(`node pool ${show(this.name)}: zone ${show(zone)} is not a zone of region ${show(region)} (e.g. "${region}a")`);
      }
    }
    return problems;
  }

  /** A problem when `limits` cannot hold even the smallest node the pool declares. */
  private limitsBelowOneNode(limits: NonNullable<NodePoolProps['limits']>): string | undefined {
    const cpu = parseQuantity(limits.cpu) ?? Infinity;
    const memory = parseQuantity(limits.memory) ?? Infinity;
    if (this.shapes.length === 0 || this.shapes.some((s) => s.cpu <= cpu && s.memory <= memory)) return undefined;
    const smallest = [...this.shapes].sort((a, b) => a.cpu - b.cpu || a.memory - b.memory)[0];
    const what = instanceType(smallest.name) ? `${smallest.name}: ${smallest.cpu} vCPU, ${formatMemory(smallest.memory)}` : smallest.name;
    return `node pool ${show(this.name)}: limits (cpu ${show(limits.cpu)}, memory ${show(limits.memory)}) cannot hold even one of its nodes (the smallest is ${what}): raise the limits or declare smaller nodes`;
  }

  /** Renders (when `declare`) the Karpenter NodePool and its EC2NodeClass; returns the problems of their props. */
  private renderKarpenter(declare: boolean): string[] {
    const problems: string[] = [];
    if (this.cluster.provider.name !== 'aws') {
      return [`node pool ${show(this.name)}: strata renders Karpenter node pools for AWS (EC2NodeClass) only, but cluster ${show(this.cluster.name)} runs on ${this.cluster.provider.name}`];
    }
    const nodeClass = this.props.nodeClass ?? {};
    const alias = this.cluster.resolve(nodeClass.amiAlias ?? DEFAULT_AMI_ALIAS);
    if (typeof alias !== 'string' || !AMI_ALIAS.test(alias)) {
      problems.push(`node pool ${show(this.name)}: nodeClass.amiAlias ${show(alias)} is not <family>@<version> (e.g. "${DEFAULT_AMI_ALIAS}"; families al2023, bottlerocket, al2, windows2019/2022/2025)`);
    }
    const discovery = { [DISCOVERY]: nodeClass.discoveryTag ?? this.cluster.name };
    const nodeClassProps: Ec2NodeClassProps = {
      metadata: { name: this.name },
      spec: {
        amiSelectorTerms: [{ alias }],
        role: nodeClass.role ?? `KarpenterNodeRole-${this.cluster.name}`,
        subnetSelectorTerms: [{ tags: { ...discovery } }],
        securityGroupSelectorTerms: [{ tags: { ...discovery } }],
        // IMDSv2 only, one hop: pods cannot borrow the node's IAM role.
        metadataOptions: { httpEndpoint: HttpEndpoint.ENABLED, httpProtocolIPv6: HttpProtocolIPv6.DISABLED, httpPutResponseHopLimit: 1, httpTokens: HttpTokens.REQUIRED },
        tags: nodeClass.tags && { ...nodeClass.tags },
      },
    };
    const disruption = this.props.disruption ?? {};
    const duration = (what: string, d: Duration | 'Never' | undefined, fallback: Duration): string => {
      if (d === 'Never') return 'Never';
      const formatted = karpenterDuration(`node pool ${show(this.name)}: ${what}`, d ?? fallback, false);
      if (formatted.problem) problems.push(formatted.problem);
      return formatted.value;
    };
    const limits = this.props.limits;
    const nodePoolProps: KarpenterNodePoolProps = {
      metadata: { name: this.name },
      spec: {
        weight: this.props.weight === undefined ? undefined : wholeOr(this.props.weight, 1),
        limits: limits && { cpu: NodePoolSpecLimits.fromString(quantityOr0(limits.cpu)!), memory: NodePoolSpecLimits.fromString(quantityOr0(limits.memory)!) },
        disruption: {
          consolidationPolicy: disruption.consolidation === 'WhenEmpty' ? NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY : NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
          consolidateAfter: duration('disruption.consolidateAfter', disruption.consolidateAfter, Duration.minutes(1)),
          budgets: (disruption.budgets ?? [{ nodes: '10%' }]).map((b, i) => this.budget(b, i, problems)),
        },
        template: {
          metadata: Object.keys(this.labels).length > 0 ? { labels: { ...this.labels } } : undefined,
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: this.name },
            expireAfter: duration('disruption.expireAfter', disruption.expireAfter, Duration.days(30)),
            requirements: this.requirements(),
            taints: this.taints.length > 0 ? canonicalSet(this.taints, (t) => `${t.key}\u0000${t.effect}\u0000${t.value ?? ''}`).map((t) => ({ key: t.key, value: t.value, effect: t.effect as NodePoolSpecTemplateSpecTaintsEffect })) : undefined,
          },
        },
      },
    };
    if (declare) {
      new Ec2NodeClass(this, 'ec2nodeclass', nodeClassProps);
      new KarpenterNodePool(this, 'nodepool', nodePoolProps);
    }
    return problems;
  }

  private budget(budget: DisruptionBudget, index: number, problems: string[]) {
    const what = `node pool ${show(this.name)}: disruption.budgets[${index}]`;
    if (typeof budget.nodes !== 'string' || !BUDGET_NODES.test(budget.nodes)) problems.push(`${what}.nodes (${show(budget.nodes)}) must be a count ("2") or a percentage ("10%")`);
    if ((budget.schedule === undefined) !== (budget.duration === undefined)) problems.push(`${what}: schedule and duration go together`);
    const cron = budget.schedule === undefined || budget.schedule.trim().split(/\s+/).length === 5;
    if (!cron) problems.push(`${what}.schedule (${show(budget.schedule)}) is not a five-field cron expression`);
    const duration = budget.duration && karpenterDuration(`${what}.duration`, budget.duration, true);
    if (duration?.problem) problems.push(duration.problem);
    return {
      nodes: typeof budget.nodes === 'string' && BUDGET_NODES.test(budget.nodes) ? budget.nodes : '10%',
      schedule: cron ? budget.schedule : undefined,
      duration: cron ? duration?.value : undefined,
      reasons: budget.reasons?.map((r) => r as NodePoolSpecDisruptionBudgetsReasons),
    };
  }

  /** Karpenter requirements: capacity type, architecture, instance shape and zones. */
  private requirements(): NodePoolSpecTemplateSpecRequirements[] {
    const { instanceFamilies, instanceSizes, instanceTypes, cpu, memory } = this.props;
    const req = (key: string, operator: Operator, values: readonly (string | number)[]) => ({ key, operator, values: canonicalSet(values.map(String)) });
    const mib = (q: string | undefined) => Math.round((parseQuantity(q ?? '') ?? 0) / MiB);
    return [
      req('karpenter.sh/capacity-type', Operator.IN, this.capacityTypes),
      req('kubernetes.io/arch', Operator.IN, this.architectures),
      req('kubernetes.io/os', Operator.IN, ['linux']),
      ...(instanceTypes ? [req('node.kubernetes.io/instance-type', Operator.IN, instanceTypes)] : []),
      ...(instanceFamilies ? [req('karpenter.k8s.aws/instance-family', Operator.IN, instanceFamilies)] : []),
      ...(!instanceFamilies && !instanceTypes
        ? [req('karpenter.k8s.aws/instance-category', Operator.IN, DEFAULT_CATEGORIES), req('karpenter.k8s.aws/instance-generation', Operator.GT, [MIN_GENERATION - 1])]
        : []),
      ...(instanceSizes ? [req('karpenter.k8s.aws/instance-size', Operator.IN, instanceSizes)] : []),
      // Gt/Lt are strict: bounds are inclusive in strata, so shift them by one.
      ...(cpu?.min !== undefined ? [req('karpenter.k8s.aws/instance-cpu', Operator.GT, [cpu.min - 1])] : []),
      ...(cpu?.max !== undefined ? [req('karpenter.k8s.aws/instance-cpu', Operator.LT, [cpu.max + 1])] : []),
      ...(memory?.min !== undefined ? [req('karpenter.k8s.aws/instance-memory', Operator.GT, [mib(memory.min) - 1])] : []),
      ...(memory?.max !== undefined ? [req('karpenter.k8s.aws/instance-memory', Operator.LT, [mib(memory.max) + 1])] : []),
      ...(this.zones ? [req(this.cluster.provider.zoneLabel, Operator.IN, this.zones)] : []),
    ];
  }
}

/** A Karpenter duration (`720h`, `1m`, `1h30m`); budgets accept only hours and minutes. */
function karpenterDuration(what: string, duration: Duration, minutesOnly: boolean): { value: string; problem?: string } {
  const seconds = duration instanceof Duration ? wholeSeconds(what, duration) : `${what} (${show(duration)}) must be a Duration or 'Never'`;
  if (typeof seconds === 'string') return { value: '0s', problem: seconds };
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const value = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || seconds === 0 ? `${s}s` : ''}`;
  if (minutesOnly && (s !== 0 || seconds === 0)) return { value, problem: `${what} (${seconds}s) must be a positive whole number of minutes` };
  return { value };
}

/** Problems of a list that must be non-empty and hold only `valid` values. */
function oneOf(what: string, values: readonly string[], valid: readonly string[]): string[] {
  if (values.length === 0) return [`${what} is empty (valid: ${valid.join(', ')})`];
  const bad = values.filter((v) => !valid.includes(v));
  return bad.length > 0 ? [`${what}: ${bad.map(show).join(', ')} is not one of: ${valid.join(', ')}`] : [];
}

function optional(problem: string | undefined): string[] {
  return problem ? [problem] : [];
}
