import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Cluster } from '../fleet/cluster.js';
import { StrataError, show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { readOptions } from '../fleet/props.js';
import { trafficPeerSelectors } from '../traffic/data-plane.js';
import { whenAppsSettled } from '../platform/settle.js';
import type { ResolvedPort } from './ports.js';

/** The label namespaces carry their name in (set by Kubernetes itself since 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Where a workload may open connections to, besides the workloads that admit it. */
export interface IEgressTarget {
  /** How error messages name it, e.g. `Egress.toCidr("10.64.0.0/24")`. */
  readonly targetName: string;
  /** What is wrong with it; empty when it can be rendered. */
  problems(): string[];
  /** Its NetworkPolicy egress rule, seen from `context`. */
  egressRule(context: PeerContext): k8s.NetworkPolicyEgressRule;
}

/** Where the workload admitting traffic lives. */
export interface PeerContext {
  /** The cluster the admitting workload runs on. */
  readonly cluster: Cluster;
  /** Kubernetes namespace of the admitting workload (and of its NetworkPolicy). */
  readonly namespace: string;
}

/** Something a workload may admit traffic from: another workload, a namespace, the ingress controller. */
export interface IPeer {
  /** How error messages name the peer. */
  readonly peerName: string;
  /** The NetworkPolicy peers selecting it, seen from `context`; throws StrataError when there are none. */
  networkPolicyPeers(context: PeerContext): k8s.NetworkPolicyPeer[];
  /**
   * The strata workloads it selects, seen from `context`, which get the matching Egress rule: a
   * workload (`name`), or every workload of a namespace (no `name`). @default none (e.g. the
   * ingress controller, whose pods strata does not render)
   */
  clients?(context: PeerContext): readonly WorkloadRef[];
}

/** A strata workload (`name`) or every strata workload of a namespace. */
export interface WorkloadRef {
  /** Kubernetes namespace of the workload(s). */
  readonly namespace: string;
  /** Name of the workload. @default none: every strata workload of `namespace` */
  readonly name?: string;
}


/** The labels that select a workload's pods: stable, never derived from the construct path. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

function namespaceSelector(namespace: string): k8s.LabelSelector {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

/** Options of `Peer.workload`. */
export interface PeerWorkloadOptions {
  /** The workload's namespace. @default the admitting workload's */
  readonly namespace?: string;
}

/** Peers that are not workload objects. Pass workloads themselves to `allowFrom`. */
export class Peer {
  /** Every pod of a namespace. */
  static namespace(name: string): IPeer {
    return {
      peerName: `namespace ${show(name)}`,
      networkPolicyPeers: () => {
        const problem = dnsLabelError('Peer.namespace:', name);
        if (problem) throw new StrataError(problem);
        return [{ namespaceSelector: namespaceSelector(name) }];
      },
      clients: () => [{ namespace: name }],
    };
  }

  /**
   * A workload by name, for one declared elsewhere (another namespace, or later in the code).
   * @param options.namespace its namespace (default: the admitting workload's)
   */
  static workload(name: string, options: PeerWorkloadOptions = {}): IPeer {
    const what = `Peer.workload(${show(name)})`;
    const { options: given, problems } = readOptions('PeerWorkloadOptions', options, what);
    const namespace = given.namespace;
    return {
      peerName: `workload ${show(name)}`,
      networkPolicyPeers: (context) => {
        const found = [...problems, dnsLabelError('Peer.workload:', name), namespace !== undefined ? dnsLabelError('Peer.workload: namespace', namespace) : undefined].filter((p): p is string => !!p);
        if (found.length > 0) throw new StrataError(found.join('; '));
        return [workloadPeer(name, namespace ?? context.namespace, context)];
      },
      clients: (context) => [{ namespace: namespace ?? context.namespace, name }],
    };
  }

  /**
   * Where traffic from outside the cluster comes from (`cluster.trafficPeer`, set by the
   * platform): the gateway's data plane, or the ingress controller's pods.
   */
  static ingressController(): IPeer {
    return {
      peerName: 'the ingress controller',
      networkPolicyPeers: ({ cluster }) => {
        const peer = cluster.trafficPeer;
        if (!peer) {
          throw new StrataError(`cluster ${show(cluster.name)} declares no ingressPeer (the namespace and pod labels of its ingress controller or gateway): install one on the platform`);
        }
        return trafficPeerSelectors(peer);
      },
    };
  }
}

/** The peer selecting workload `name` of `namespace`, as seen from `context`. */
export function workloadPeer(name: string, namespace: string, context: PeerContext): k8s.NetworkPolicyPeer {
  const podSelector = { matchLabels: selectorLabels(name) };
  return namespace === context.namespace ? { podSelector } : { namespaceSelector: namespaceSelector(namespace), podSelector };
}

/** Peers admitted on ports. */
export interface IngressRule {
  readonly peers: readonly IPeer[];
  readonly ports: readonly ResolvedPort[];
}

/** Problems of rules: peers that cannot be selected, peers with no port to reach. */
export function ruleProblems(context: PeerContext, rules: readonly IngressRule[]): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    if (rule.peers.length > 0 && rule.ports.length === 0) {
      problems.push(`allowFrom: ${rule.peers.map((p) => p.peerName).join(', ')} may reach no port, because the workload declares none`);
    }
    for (const peer of rule.peers) {
      try {
        peer.networkPolicyPeers(context);
      } catch (e) {
        if (!(e instanceof StrataError)) throw e;
        problems.push(`allowFrom ${peer.peerName}: ${e.message}`);
      }
    }
  }
  return problems;
}

function renderRules(context: PeerContext, rules: readonly IngressRule[]): k8s.NetworkPolicyIngressRule[] {
  const rendered: k8s.NetworkPolicyIngressRule[] = [];
  for (const rule of rules) {
    const from: k8s.NetworkPolicyPeer[] = [];
    const seen = new Set<string>();
    for (const peer of rule.peers) {
      let selected: k8s.NetworkPolicyPeer[];
      try {
        selected = peer.networkPolicyPeers(context);
      } catch {
        continue; // reported by ruleProblems; nothing is written
      }
      for (const one of selected) {
        const key = JSON.stringify(one);
        if (!seen.has(key)) from.push(one);
        seen.add(key);
      }
    }
    if (from.length === 0 || rule.ports.length === 0) continue;
    rendered.push({ from: canonical(from), ports: renderPorts(rule.ports) });
  }
  return rendered;
}

function renderPorts(ports: readonly ResolvedPort[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }));
}

/** Peers in a canonical order (by their JSON), so declaring them in another order renders the same policy. */
function canonical<T>(items: readonly T[]): T[] {
  return items.map((item) => [JSON.stringify(item), item] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

/**
 * The workload's NetworkPolicy `<name>-ingress`: its pods admit only the rules' peers, on the
 * rules' ports. No rule means no inbound traffic at all. Rules are read at synth time, so peers
 * added after the workload was declared count too.
 */
export function renderNetworkPolicy(
  scope: Construct,
  props: { readonly name: string; readonly labels: Record<string, string>; readonly context: PeerContext; readonly rules: () => readonly IngressRule[] },
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'network-policy', {
    metadata: { name: `${props.name}-ingress`, labels: props.labels },
    spec: {
      podSelector: { matchLabels: selectorLabels(props.name) },
      policyTypes: ['Ingress'],
      ingress: Lazy.any({ produce: () => renderRules(props.context, props.rules()) }),
    },
  });
}

/** A workload as the other workloads' Egress rules are derived from it: its Ingress rules. */
export interface NetworkMember {
  readonly name: string;
  readonly namespace: string;
  readonly context: PeerContext;
  /** Its Ingress rules, read once the apps are declared. */
  ingressRules(): readonly IngressRule[];
}

/** An Ingress rule of `server` naming a client: the client's Egress rule mirrors it. */
interface ClientRule {
  readonly server: NetworkMember;
  readonly ports: readonly ResolvedPort[];
}

const MEMBERS = new WeakMap<Cluster, NetworkMember[]>();
/** Per cluster, the rules naming each client, keyed `namespace/name` (or `namespace/` for every workload of it). */
const CLIENT_RULES = new WeakMap<Cluster, Map<string, ClientRule[]>>();

/** Adds a workload to its cluster's network; the first one schedules the client index. */
export function joinNetwork(member: NetworkMember): void {
  const { cluster } = member.context;
  let members = MEMBERS.get(cluster);
  if (!members) {
    MEMBERS.set(cluster, (members = []));
    whenAppsSettled(cluster, () => CLIENT_RULES.set(cluster, indexClients(MEMBERS.get(cluster) ?? [])));
  }
  members.push(member);
}

/** For every client named by some Ingress rule, the rules naming it (one pass over all rules, no pairs). */
function indexClients(members: readonly NetworkMember[]): Map<string, ClientRule[]> {
  const index = new Map<string, ClientRule[]>();
  for (const server of members) {
    for (const rule of server.ingressRules()) {
      if (rule.ports.length === 0) continue;
      for (const peer of rule.peers) {
        let clients: readonly WorkloadRef[];
        try {
          clients = peer.clients?.(server.context) ?? [];
        } catch {
          continue; // a peer that cannot be selected is reported by ruleProblems
        }
        for (const client of clients) {
          const key = `${client.namespace}/${client.name ?? ''}`;
          let list = index.get(key);
          if (!list) index.set(key, (list = []));
          list.push({ server, ports: rule.ports });
        }
      }
    }
  }
  return index;
}

/**
 * The Egress rules of a workload: one per set of ports, to every workload admitting it on those
 * ports (mirroring their Ingress rules), then its declared destinations; canonical order.
 */
export function egressRules(member: NetworkMember, targets: readonly IEgressTarget[]): k8s.NetworkPolicyEgressRule[] {
  const index = CLIENT_RULES.get(member.context.cluster);
  const naming = [...(index?.get(`${member.namespace}/${member.name}`) ?? []), ...(index?.get(`${member.namespace}/`) ?? [])];
  const byPorts = new Map<string, { ports: k8s.NetworkPolicyPort[]; to: Map<string, k8s.NetworkPolicyPeer> }>();
  for (const { server, ports } of naming) {
    const rendered = renderPorts(ports);
    const key = JSON.stringify(rendered);
    let group = byPorts.get(key);
    if (!group) byPorts.set(key, (group = { ports: rendered, to: new Map() }));
    const peer = workloadPeer(server.name, server.namespace, member.context);
    group.to.set(JSON.stringify(peer), peer);
  }
  const mirrored = [...byPorts.values()].map((g) => ({ to: canonical([...g.to.values()]), ports: g.ports }));
  const declared = targets.filter((t) => t.problems().length === 0).map((t) => t.egressRule(member.context));
  return canonical([...mirrored, ...declared]);
}

/**
 * The workload's NetworkPolicy `<name>-egress`, once the apps are declared and only when it has
 * a rule: where the namespace denies egress by default (tenants do), it lets the workload reach
 * every workload admitting it and its declared destinations. Without a rule it is not rendered,
 * since an Egress policy without rules would also deny egress where nothing else does.
 */
export function renderEgressPolicy(
  scope: Construct,
  props: { readonly member: NetworkMember; readonly labels: Record<string, string>; readonly targets: () => readonly IEgressTarget[] },
): void {
  const { member } = props;
  joinNetwork(member);
  whenAppsSettled(member.context.cluster, () => {
    if (scope.node.tryFindChild('egress-policy') || egressRules(member, props.targets()).length === 0) return;
    new k8s.KubeNetworkPolicy(scope, 'egress-policy', {
      metadata: { name: `${member.name}-egress`, labels: props.labels },
      spec: {
        podSelector: { matchLabels: selectorLabels(member.name) },
        policyTypes: ['Egress'],
        egress: Lazy.any({ produce: () => egressRules(member, props.targets()) }),
      },
    });
  });
}
