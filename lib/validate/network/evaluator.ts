// NetworkPolicy semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
// a pod is isolated in a direction when some policy of its namespace selects it with that policy
// type; an isolated pod admits a connection when at least one of those policies has a rule whose
// peers and ports both match (the union of policies); a pod no policy selects allows everything.
// A connection passes when both the client's egress and the server's ingress allow it.
import type { ResolvedObject } from '../../synth/model.js';
import { labelsOf, nameOf, rec, selectorMatches, type ClusterObjects, type Json } from '../objects.js';
import { cidrContains, cidrOverlaps, parseCidr } from './cidr.js';
import type { Endpoint, PodEndpoint, Port } from './endpoints.js';
import { readPolicy, type Direction, type Policy, type PolicyRule, type RulePeer, type RulePort } from './policy.js';

/** The label Kubernetes sets on every namespace to its name (1.22+), which namespace selectors use. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** What one end decides about a connection. */
export interface Verdict {
  readonly allowed: boolean;
  /** The policies selecting the pod in this direction: empty means not isolated (everything allowed). */
  readonly isolating: readonly Policy[];
  /** The policy whose rule allows it, when isolated and allowed. */
  readonly allowedBy?: Policy;
}

/** Both ends of a connection from `from` to `to`. */
export interface FlowVerdict {
  readonly egress: Verdict;
  readonly ingress: Verdict;
}

/** Some address outside the cluster: named ports never match it. */
const ANY_ADDRESS: Endpoint = { kind: 'address', cidr: parseCidr('0.0.0.0/0')! };

const ALLOWED: Verdict = { allowed: true, isolating: [] };

/** The NetworkPolicies of one cluster, indexed by the pods they select. */
export class NetworkModel {
  private readonly policies = new Map<string, { all: Policy[]; byLabel: Map<string, Policy[]>; rest: Policy[] }>();
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly byObject = new Map<ResolvedObject, Policy>();
  private readonly selecting = new WeakMap<PodEndpoint, Readonly<Record<Direction, readonly Policy[]>>>();

  /**
   * @param policies the cluster's NetworkPolicies
   * @param namespaces labels of the namespaces the cluster declares; any other namespace is seen
   *   with only its name label
   */
  constructor(policies: readonly Policy[], namespaces: ReadonlyMap<string, Record<string, string>> = new Map()) {
    for (const [name, labels] of namespaces) this.namespaceLabels.set(name, { ...labels, [NAMESPACE_NAME_LABEL]: name });
    for (const policy of policies) {
      this.byObject.set(policy.object, policy);
      let group = this.policies.get(policy.namespace);
      if (!group) this.policies.set(policy.namespace, (group = { all: [], byLabel: new Map(), rest: [] }));
      group.all.push(policy);
      const first = Object.entries(labelsOf(policy.podSelector.matchLabels))[0];
      if (!first) {
        group.rest.push(policy);
        continue;
      }
      const key = `${first[0]}=${first[1]}`;
      let list = group.byLabel.get(key);
      if (!list) group.byLabel.set(key, (list = []));
      list.push(policy);
    }
  }

  /** The model of a cluster's rendered objects, built once per cluster. */
  static of(objects: ClusterObjects): NetworkModel {
    return objects.memo('network-model', () => {
      // A namespace created elsewhere is seen with the labels declared for it (only its name when unknown).
      const external = (objects.cluster.externalNamespaces ?? []).map((ns): [string, Record<string, string>] => [ns.name, { ...ns.labels }]);
      const namespaces = new Map([...external, ...objects.ofKind('Namespace').map((ns): [string, Record<string, string>] => [nameOf(ns), labelsOf(rec(ns.manifest.metadata).labels)])]);
      return new NetworkModel(objects.ofKind('NetworkPolicy').map(readPolicy), namespaces);
    });
  }

  /** The policy read from a NetworkPolicy object of the cluster. */
  policy(object: ResolvedObject): Policy | undefined {
    return this.byObject.get(object);
  }

  /** Labels of a namespace as namespace selectors see them. */
  labelsOfNamespace(namespace: string): Record<string, string> {
    let labels = this.namespaceLabels.get(namespace);
    if (!labels) this.namespaceLabels.set(namespace, (labels = { [NAMESPACE_NAME_LABEL]: namespace }));
    return labels;
  }

  /** Every namespace known to select from: declared ones and `extra` (those pods run in). */
  namespacesMatching(selector: Json, extra: readonly string[]): string[] {
    const names = new Set([...this.namespaceLabels.keys(), ...extra]);
    return [...names].filter((ns) => selectorMatches(selector, this.labelsOfNamespace(ns)));
  }

  /** The policies selecting `pod`, per direction they isolate it in. */
  policiesSelecting(pod: PodEndpoint): Readonly<Record<Direction, readonly Policy[]>> {
    let found = this.selecting.get(pod);
    if (found) return found;
    const group = this.policies.get(pod.namespace);
    const candidates = group ? [...group.rest, ...Object.entries(pod.labels).flatMap(([k, v]) => group.byLabel.get(`${k}=${v}`) ?? [])] : [];
    const selecting = [...new Set(candidates)].filter((p) => selectorMatches(p.podSelector, pod.labels)).sort((a, b) => a.id.localeCompare(b.id));
    found = { Ingress: selecting.filter((p) => p.types.has('Ingress')), Egress: selecting.filter((p) => p.types.has('Egress')) };
    this.selecting.set(pod, found);
    return found;
  }

  /**
   * Whether `pod` allows a connection in `direction` with `peer` (the source for Ingress, the
   * destination for Egress) on `port` of the destination.
   */
  check(direction: Direction, pod: PodEndpoint, peer: Endpoint, port: Port): Verdict {
    const isolating = this.policiesSelecting(pod)[direction];
    if (isolating.length === 0) return ALLOWED;
    const destination = direction === 'Ingress' ? pod : peer;
    const allowedBy = isolating.find((policy) =>
      (direction === 'Ingress' ? policy.ingress : policy.egress).some((rule) => this.ruleAllows(policy, rule, peer, destination, port)));
    return { allowed: allowedBy !== undefined, isolating, allowedBy };
  }

  /** Both ends of a connection from `from` to pods `to` on `port`; addresses outside the cluster have no egress to check. */
  flow(from: Endpoint, to: PodEndpoint, port: Port): FlowVerdict {
    return { egress: from.kind === 'pod' ? this.check('Egress', from, to, port) : ALLOWED, ingress: this.check('Ingress', to, from, port) };
  }

  /**
   * Whether some egress rule of `pod` allows `port` to some destination (any peer), i.e. the pod
   * can open that port somewhere; the destination itself is unknown.
   */
  egressOnPort(pod: PodEndpoint, port: Port): boolean {
    const isolating = this.policiesSelecting(pod).Egress;
    return isolating.length === 0 || isolating.some((p) => p.egress.some((rule) => rule.ports === 'all' || rule.ports.some((rp) => portMatches(rp, ANY_ADDRESS, port))));
  }

  private ruleAllows(policy: Policy, rule: PolicyRule, peer: Endpoint, destination: Endpoint, port: Port): boolean {
    const portOk = rule.ports === 'all' || rule.ports.some((p) => portMatches(p, destination, port));
    return portOk && (rule.peers === 'all' || rule.peers.some((p) => this.peerMatches(policy, p, peer)));
  }

  /** Whether a rule's peer selects `endpoint`, seen from the policy's namespace. */
  peerMatches(policy: Policy, peer: RulePeer, endpoint: Endpoint): boolean {
    if (peer.kind === 'ipBlock') {
      // ipBlock is meant for addresses outside the cluster; whether it also matches pod IPs is
      // left to the network plugin, so a pod is never taken as matched by one.
      if (endpoint.kind !== 'address' || !peer.cidr) return false;
      return cidrContains(peer.cidr, endpoint.cidr) && !peer.except.some((e) => cidrOverlaps(e, endpoint.cidr));
    }
    if (endpoint.kind !== 'pod') return false;
    if (peer.namespaceSelector === undefined) {
      return endpoint.namespace === policy.namespace && selectorMatches(peer.podSelector, endpoint.labels);
    }
    return selectorMatches(peer.namespaceSelector, this.labelsOfNamespace(endpoint.namespace))
      && (peer.podSelector === undefined || selectorMatches(peer.podSelector, endpoint.labels));
  }
}

/** Whether a rule port admits `port` of `destination` (a named port resolves on the destination pod). */
export function portMatches(rule: RulePort, destination: Endpoint, port: Port): boolean {
  if (rule.protocol !== port.protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'number') return rule.endPort !== undefined ? port.port >= rule.port && port.port <= rule.endPort : port.port === rule.port;
  const named = destination.kind === 'pod' ? destination.namedPorts.get(rule.port) : undefined;
  return named !== undefined && named.protocol === port.protocol && named.port === port.port;
}

