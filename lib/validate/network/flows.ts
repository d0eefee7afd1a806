// The flows a cluster declares, recovered from its rendered objects so typed constructs and
// hand-written objects are held to the same rule:
// - a NetworkPolicy rule naming pods as peers declares flows between those pods and the pods the
//   policy selects (ingress: from the peers; egress: to the peers), on the rule's ports;
// - a StatefulSet whose governing Service is headless, with more than one replica, declares flows
//   among its replicas on the Service's target ports;
// - an HTTPRoute or GRPCRoute declares flows from the data plane of its Gateway (the
//   `strata.dev/data-plane` annotation strata writes on its Gateways) to the pods of each backend
//   Service, on the Service's target port.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, labelsOf, mapSelects, nameOf, namespaceOf, rec, selectorMatches, str, type ClusterObjects, type Json } from '../objects.js';
import { DATA_PLANE_ANNOTATION } from '../../fleet/annotations.js';
import type { Endpoint, PodEndpoint, Port } from './endpoints.js';
import { parseCidr } from './cidr.js';
import { PodIndex } from './endpoints.js';
import type { NetworkModel } from './evaluator.js';
import { portMatches } from './evaluator.js';
import { selectsAll, type Policy, type RulePeer, type RulePort } from './policy.js';

/** A connection some object declares: from pods, to pods, on a destination port. */
export interface Flow {
  /** The client: pods, or addresses outside the cluster (a cloud load balancer's). */
  readonly from: Endpoint;
  readonly to: PodEndpoint;
  readonly port: Port;
  /** The object declaring it, e.g. `NetworkPolicy shop/orders-db-ingress`. */
  readonly declaredBy: string;
}

/** The pod endpoints of a cluster, built once per cluster. */
export function podIndex(objects: ClusterObjects): PodIndex {
  return objects.memo('network-pods', () => new PodIndex(objects));
}

/** Pods a policy's podSelector selects. */
function selectedPods(pods: PodIndex, policy: Policy): PodEndpoint[] {
  return pods.candidates(policy.namespace, policy.podSelector).filter((p) => selectorMatches(policy.podSelector, p.labels));
}

/**
 * Pods a rule peer names. A peer selecting every pod of every namespace names nobody in
 * particular (it admits anyone), so it declares no flow.
 */
function peerPods(model: NetworkModel, pods: PodIndex, policy: Policy, peer: RulePeer): PodEndpoint[] {
  if (peer.kind !== 'pods') return [];
  const podSelector: Json = peer.podSelector ?? {};
  if (peer.namespaceSelector !== undefined && selectsAll(peer.namespaceSelector) && selectsAll(podSelector)) return [];
  const namespaces = peer.namespaceSelector === undefined ? [policy.namespace] : model.namespacesMatching(peer.namespaceSelector, pods.namespaces());
  return namespaces.flatMap((ns) => pods.candidates(ns, podSelector)).filter((p) => model.peerMatches(policy, peer, p));
}

/**
 * The destination ports a rule's ports name on `destination`: every container port when the rule
 * names none; a single port as it is (a container may listen without declaring it); a range
 * (`endPort`) or a named port, the container ports of the destination it covers (the range as
 * such is no flow: a client connects to one port).
 */
function portsOf(rulePorts: readonly RulePort[] | 'all', destination: PodEndpoint): Port[] {
  if (rulePorts === 'all') return [...destination.ports];
  return rulePorts.flatMap((rp): Port[] => {
    if (typeof rp.port === 'number' && rp.endPort === undefined) return [{ protocol: rp.protocol, port: rp.port }];
    return destination.ports.filter((p) => portMatches(rp, destination as Endpoint, p));
  });
}

class FlowSet {
  readonly flows: Flow[] = [];
  private readonly ids = new Map<Endpoint, number>();
  private readonly seen = new Set<string>();

  add(from: Endpoint, to: PodEndpoint, port: Port, declaredBy: string): void {
    const key = `${this.id(from)}>${this.id(to)}:${port.protocol}/${port.port}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.flows.push({ from, to, port, declaredBy });
  }

  private id(endpoint: Endpoint): number {
    let id = this.ids.get(endpoint);
    if (id === undefined) this.ids.set(endpoint, (id = this.ids.size));
    return id;
  }
}

function policyFlows(model: NetworkModel, pods: PodIndex, policy: Policy, flows: FlowSet): void {
  const declaredBy = `NetworkPolicy ${policy.id}`;
  const selected = selectedPods(pods, policy);
  if (selected.length === 0) return;
  for (const rule of policy.types.has('Ingress') ? policy.ingress : []) {
    if (rule.peers === 'all') continue;
    const sources = rule.peers.flatMap((peer) => peerPods(model, pods, policy, peer));
    for (const to of selected) for (const port of portsOf(rule.ports, to)) for (const from of sources) flows.add(from, to, port, declaredBy);
  }
  for (const rule of policy.types.has('Egress') ? policy.egress : []) {
    if (rule.peers === 'all') continue;
    const destinations = rule.peers.flatMap((peer) => peerPods(model, pods, policy, peer));
    for (const to of destinations) for (const port of portsOf(rule.ports, to)) for (const from of selected) flows.add(from, to, port, declaredBy);
  }
}

/** Replicas count a StatefulSet may run: its own, or the most an autoscaler targeting it sets. */
function mostReplicas(objects: ClusterObjects, set: ResolvedObject): number {
  const own = rec(set.manifest.spec).replicas;
  const ns = set.manifest.metadata.namespace;
  const scaled = [...objects.ofKindIn('HorizontalPodAutoscaler', ns), ...objects.ofKindIn('ScaledObject', ns)].map((a) => rec(a.manifest.spec))
    .filter((spec) => rec(spec.scaleTargetRef).kind === 'StatefulSet' && rec(spec.scaleTargetRef).name === nameOf(set))
    .map((spec) => Number(spec.maxReplicas ?? spec.maxReplicaCount ?? 100));
  return Math.max(typeof own === 'number' ? own : 1, ...scaled);
}

function replicaFlows(objects: ClusterObjects, pods: PodIndex, flows: FlowSet): void {
  for (const set of objects.ofKind('StatefulSet')) {
    const endpoint = pods.of(set);
    const serviceName = str(rec(set.manifest.spec).serviceName);
    const service = serviceName === undefined ? undefined : objects.find('Service', set.manifest.metadata.namespace, serviceName);
    if (!endpoint || !service || rec(service.manifest.spec).clusterIP !== 'None' || mostReplicas(objects, set) < 2) continue;
    for (const sp of arr(rec(service.manifest.spec).ports).map(rec)) {
      const protocol = (str(sp.protocol) ?? 'TCP') as Port['protocol'];
      const target = sp.targetPort ?? sp.port;
      const port = typeof target === 'number' ? { protocol, port: target } : endpoint.namedPorts.get(String(target));
      if (port) flows.add(endpoint, endpoint, port, `StatefulSet ${endpoint.namespace}/${nameOf(set)} (replicas through headless Service ${serviceName})`);
    }
  }
}

/** Where a Gateway's data plane connects from, read from the annotation strata writes on it. */
function dataPlaneOf(gateway: ResolvedObject): Endpoint[] {
  const text = str(rec(gateway.manifest.metadata.annotations)[DATA_PLANE_ANNOTATION]);
  if (text === undefined) return [];
  let plane: Json;
  try {
    plane = rec(JSON.parse(text));
  } catch {
    return [];
  }
  const name = `the data plane of Gateway ${namespaceOf(gateway)}/${nameOf(gateway)}`;
  if (Array.isArray(plane.cidrs)) {
    return plane.cidrs.map(String).flatMap((c) => {
      const cidr = parseCidr(c);
      return cidr ? [{ kind: 'address' as const, cidr, name: `${name} (${c})` }] : [];
    });
  }
  const namespace = str(plane.namespace);
  if (namespace === undefined) return [];
  return [{ kind: 'pod', namespace, labels: labelsOf(plane.podLabels), namedPorts: new Map(), ports: [], object: gateway, name }];
}

/** The pods behind a Service and the port its `port` leads to on each. */
function backendTargets(pods: PodIndex, service: ResolvedObject, port: unknown): { pod: PodEndpoint; port: Port }[] {
  const spec = rec(service.manifest.spec);
  const selector = labelsOf(spec.selector);
  const servicePort = arr(spec.ports).map(rec).find((p) => p.port === port);
  if (!servicePort || Object.keys(selector).length === 0) return [];
  const target = servicePort.targetPort ?? servicePort.port;
  const protocol = (str(servicePort.protocol) ?? 'TCP') as Port['protocol'];
  return pods.candidates(namespaceOf(service) ?? 'default', { matchLabels: selector }).filter((p) => mapSelects(selector, p.labels)).flatMap((pod) => {
    const resolved = typeof target === 'number' ? { protocol, port: target } : pod.namedPorts.get(String(target));
    return resolved ? [{ pod, port: resolved }] : [];
  });
}

function routeFlows(objects: ClusterObjects, pods: PodIndex, flows: FlowSet): void {
  const planes = new Map<ResolvedObject, Endpoint[]>();
  for (const route of objects.ofKind('HTTPRoute', 'GRPCRoute')) {
    const namespace = namespaceOf(route);
    const gateways = arr(rec(route.manifest.spec).parentRefs).map(rec)
      .filter((ref) => (ref.kind ?? 'Gateway') === 'Gateway')
      .map((ref) => objects.find('Gateway', str(ref.namespace) ?? namespace, String(ref.name)))
      .filter((g): g is ResolvedObject => g !== undefined);
    for (const gateway of gateways) if (!planes.has(gateway)) planes.set(gateway, dataPlaneOf(gateway));
    const sources = gateways.flatMap((g) => planes.get(g) ?? []);
    if (sources.length === 0) continue;
    for (const rule of arr(rec(route.manifest.spec).rules)) {
      for (const ref of arr(rec(rule).backendRefs).map(rec)) {
        if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') continue;
        const service = objects.find('Service', str(ref.namespace) ?? namespace, String(ref.name));
        if (!service) continue;
        const declaredBy = `${route.manifest.kind} ${namespace}/${nameOf(route)}`;
        for (const { pod, port } of backendTargets(pods, service, ref.port)) for (const from of sources) flows.add(from, pod, port, declaredBy);
      }
    }
  }
}

/** Every flow the cluster's objects declare between its pods, each once. */
export function declaredFlows(objects: ClusterObjects, model: NetworkModel): readonly Flow[] {
  return objects.memo('network-flows', () => {
    const pods = podIndex(objects);
    const flows = new FlowSet();
    for (const object of objects.ofKind('NetworkPolicy')) {
      const policy = model.policy(object);
      if (policy) policyFlows(model, pods, policy, flows);
    }
    replicaFlows(objects, pods, flows);
    routeFlows(objects, pods, flows);
    return flows.flows;
  });
}
