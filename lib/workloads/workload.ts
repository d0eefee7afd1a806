import { k8s } from 'cdk8s-plus-27';
import { Construct, type IConstruct } from 'constructs';
import { Apps } from '../fleet/cluster.js';
import type { Cluster } from '../fleet/cluster.js';
import { StrataError, addCheck, show } from '../fleet/errors.js';
import { constructId, constructIdError, dnsLabelError } from '../fleet/names.js';
import { intakeProps, type PropsTypeName } from '../fleet/props.js';
import type { StageValue } from '../fleet/stage.js';
import type { IEgressTarget } from './egress.js';
import { renderEgressPolicy, renderNetworkPolicy, ruleProblems, selectorLabels, workloadPeer, type IPeer, type IngressRule, type PeerContext, type WorkloadRef } from './network.js';
import { buildPod, type BuiltPod, type PodContext, type PodOptions, type ServiceAccountOptions } from './pod.js';
import { resolvePorts, type PortOptions, type ResolvedPort } from './ports.js';
import { recordDefinition } from '../fleet/source-location.js';

/** Props whose every field may be a stage-dependent value (`perStage({...})`), except the name. */
export type StageProps<T extends {
  /** The workload's name: the one field that may not differ per stage. */
  readonly name?: string;
}> = Pick<T, 'name'> & Staged<Omit<T, 'name'>>;

/** Every field of `T` as a `StageValue`. */
export type Staged<T> = { readonly [K in keyof T]: StageValue<T[K]> };

/** Workload names per cluster and namespace: they name objects and select pods, so they are unique. */
const NAMES = new WeakMap<Cluster, Map<string, Workload>>();

/**
 * The enclosing apps scope, which gives a workload its namespace and cluster. Not `instanceof`:
 * cdk8s makes `x instanceof <any Chart subclass>` true for every chart.
 */
export function appsOf(scope: IConstruct): Apps | undefined {
  for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
    if (Object.prototype.isPrototypeOf.call(Apps.prototype, s)) return s as Apps;
  }
  return undefined;
}

/**
 * What the four workload types share: a name, a namespace and cluster from the enclosing `Apps`,
 * a ServiceAccount, a NetworkPolicy admitting only declared peers, and problems collected as
 * errors of this construct. Every object is named from `name`, never from the construct path.
 */
export abstract class Workload extends Construct implements IPeer {
  /** Name of the workload's objects and value of its selector labels. */
  readonly name: string;
  /** Kubernetes namespace of the workload's objects: the one of the enclosing `fleet.apps(namespace, ...)`. */
  readonly namespace: string;
  /** The cluster the workload is rendered for: the one of the enclosing `fleet.apps(...)` call. */
  readonly cluster: Cluster;
  /** How messages name it, e.g. `WebService "storefront"`. */

  readonly peerName: string;
  /** Problems found while building; each becomes an error naming this construct. */
  protected readonly problems: string[] = [];
  /** Checks that can only run once the whole fleet is built (they see workloads declared later). */
  protected readonly lateChecks: (() => string[])[] = [];
  private readonly admitted: IPeer[] = [];
  private readonly destinations: IEgressTarget[] = [];
  private rules: () => IngressRule[] = () => [];
  private rendered = false;
  /** The objects rendered so far, read through the typed getters below. */
  protected readonly objects: {
    serviceAccount?: k8s.KubeServiceAccount;
    networkPolicy?: k8s.KubeNetworkPolicy;
    configMap?: k8s.KubeConfigMap;
    disruptionBudget?: k8s.KubePodDisruptionBudget;
  } = {};

  protected constructor(scope: Construct, id: string, kind: string, name: string | undefined) {
    super(scope, constructId(id));
    recordDefinition(this);
    const apps = appsOf(this);
    if (!apps) throw new StrataError(`${kind} ${show(id)} (${this.node.path}) is not inside fleet.apps(...), which gives workloads their namespace`);
    this.cluster = apps.cluster;
    this.namespace = apps.namespace;
    this.name = name ?? id;
    this.peerName = `${kind} ${show(this.name)}`;
    const problem = constructIdError(`${kind} id`, id) ?? dnsLabelError('workload name', this.name);
    if (problem) this.problems.push(problem);
    else this.claimName();
    addCheck(this, () => [...this.problems, ...this.lateChecks.flatMap((check) => check()), ...(this.rendered ? ruleProblems(this.context, this.rules()) : []), ...this.destinations.flatMap((d) => d.problems())]);
  }

  /** The labels selecting this workload's pods: `app.kubernetes.io/name` and `/instance`, both the name. */
  get selector(): Record<string, string> {
    return selectorLabels(this.name);
  }

  /**
   * Admits connections from `peers` to every port of this workload (its NetworkPolicy denies
   * everything else). Peers may be declared after this workload.
   */
  allowFrom(...peers: IPeer[]): this {
    this.admitted.push(...peers);
    return this;
  }

  /**
   * Lets the workload open connections to `targets` (outside its namespace or the cluster):
   * rendered in its NetworkPolicy `<name>-egress`. Workloads admitting it need no declaration:
   * their Ingress rules naming it are mirrored there.
   */
  egressTo(...targets: IEgressTarget[]): this {
    this.destinations.push(...targets);
    return this;
  }

  /**
   * Selects this workload's pods for another workload's NetworkPolicy.
   * @throws StrataError when `context` is on another cluster than this workload
   */
  networkPolicyPeers(context: PeerContext): k8s.NetworkPolicyPeer[] {
    if (context.cluster !== this.cluster) {
      throw new StrataError(`it is declared on cluster ${show(this.cluster.name)}, not on ${show(context.cluster.name)}: use Peer.workload(${show(this.name)})`);
    }
    return [workloadPeer(this.name, this.namespace, context)];
  }

  /** The workload itself gets the Egress rule mirroring an Ingress rule naming it. */
  clients(context: PeerContext): readonly WorkloadRef[] {
    return context.cluster === this.cluster ? [{ namespace: this.namespace, name: this.name }] : [];
  }

  private get context(): PeerContext {
    return { cluster: this.cluster, namespace: this.namespace };
  }

  /**
   * Checks the props for unknown keys (at any depth, against the declaration of `type`) and
   * resolves every stage-dependent value in them for this cluster; each problem names its path.
   */
  protected resolveProps<T extends { readonly name?: string }>(type: PropsTypeName, props: StageProps<T>): T {
    return intakeProps(type, props, this.cluster.stage, this.problems) as unknown as T;
  }

  /** Resolves ports, recording clashes as problems. */
  /** The pod template of this workload: its identity, plus the type's defaults in `ctx`. */
  protected buildPod(options: PodOptions, ctx: Omit<PodContext, 'scope' | 'name' | 'namespace' | 'cluster'>): BuiltPod {
    return buildPod(options, { scope: this, name: this.name, namespace: this.namespace, cluster: this.cluster, ...ctx }, this.problems);
  }

  protected resolvePorts(ports: readonly PortOptions[], hasService: boolean): ResolvedPort[] {
    const result = resolvePorts(ports, hasService);
    this.problems.push(...result.problems);
    return result.ports;
  }

  /**
   * Declares who may connect: `allowFrom` on every port, plus extra rules of the type (e.g. the
   * gateway's data plane), read at synth time so routes declared later count.
   */
  protected admit(ports: readonly ResolvedPort[], allowFrom: readonly IPeer[] | undefined, extra: () => readonly IngressRule[] = () => [], egress: readonly IEgressTarget[] = []): void {
    this.admitted.push(...(allowFrom ?? []));
    this.destinations.push(...egress);
    this.rules = () => [{ peers: this.admitted, ports }, ...extra()];
  }

  /**
   * The workload's ServiceAccount (named like the workload), for escape-hatch patches
   * (`addJsonPatch`, `metadata.addAnnotation`). Undefined when the workload has errors: nothing is
   * rendered then, and the synth reports them.
   */
  get serviceAccount(): k8s.KubeServiceAccount | undefined {
    return this.objects.serviceAccount;
  }

  /** The NetworkPolicy `<name>-ingress` admitting the declared peers. Undefined when the workload has errors. */
  get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this.objects.networkPolicy;
  }

  /** The ConfigMap `<name>-config` of `config` files, if any. Undefined when there is none or the workload has errors. */
  get configMap(): k8s.KubeConfigMap | undefined {
    return this.objects.configMap;
  }

  /** The PodDisruptionBudget, rendered when more than one replica can run. Undefined otherwise or when the workload has errors. */
  get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return this.objects.disruptionBudget;
  }

  /**
   * Renders what every workload has: ServiceAccount, NetworkPolicy and the config ConfigMap.
   * Called only when the props had no problems, so errors do not cascade into broken objects.
   */
  protected renderCommon(pod: BuiltPod, serviceAccount: ServiceAccountOptions = {}): void {
    this.rendered = true;
    this.objects.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: this.name, labels: this.selector, annotations: serviceAccount.annotations && { ...serviceAccount.annotations } },
      automountServiceAccountToken: serviceAccount.automountToken === true,
    });
    this.objects.networkPolicy = renderNetworkPolicy(this, { name: this.name, labels: this.selector, context: this.context, rules: () => this.rules() });
    const member = { name: this.name, namespace: this.namespace, context: this.context, ingressRules: () => this.rules() };
    renderEgressPolicy(this, { member, labels: this.selector, targets: () => this.destinations });
    if (pod.configData) {
      this.objects.configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name: `${this.name}-config`, labels: this.selector }, data: pod.configData });
    }
  }

  private claimName(): void {
    let names = NAMES.get(this.cluster);
    if (!names) NAMES.set(this.cluster, (names = new Map()));
    const key = `${this.namespace}/${this.name}`;
    const first = names.get(key);
    if (first) {
      this.problems.push(`workload name ${show(this.name)} is also used by ${first.peerName} (${first.node.path}): names are unique in a namespace, since they name objects and select pods`);
    } else {
      names.set(key, this);
    }
  }
}
