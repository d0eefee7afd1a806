// Rules on reachability: every flow the cluster declares passes the NetworkPolicies at both ends,
// and an event-scaled workload can reach the source it is scaled on.
import type { Flow } from '../network/flows.js';
import { declaredFlows, podIndex } from '../network/flows.js';
import type { PodEndpoint } from '../network/endpoints.js';
import { NetworkModel, type Verdict } from '../network/evaluator.js';
import { triggerSources } from '../network/sources.js';
import { didYouMean } from '../../fleet/props.js';
import { selectsAll, type Policy } from '../network/policy.js';
import { arr, labelsOf, namespaceOf, rec, selectorMatches, str, type ClusterObjects, type Json } from '../objects.js';
import { ALWAYS_ERROR, ALWAYS_WARNING, WARN_IN_DEVELOPMENT, type Rule, type Violation } from '../rule.js';

/** `NetworkPolicy a limits` or `NetworkPolicies a, b limit`. */
function limit(policies: readonly Policy[]): string {
  const ids = policies.map((p) => p.id).join(', ');
  return policies.length === 1 ? `NetworkPolicy ${ids} limits` : `NetworkPolicies ${ids} limit`;
}

/** How the other end treats the flow, for a message about the blocked one. */
function otherEnd(verdict: Verdict): string {
  if (verdict.isolating.length === 0) return 'does not restrict it';
  return verdict.allowedBy ? `is allowed by NetworkPolicy ${verdict.allowedBy.id}` : 'is blocked too';
}

function flowViolations(flow: Flow, egress: Verdict, ingress: Verdict): Violation[] {
  const client = flow.from.kind === 'pod' ? flow.from.name : flow.from.name ?? flow.from.cidr.text;
  const what = `${client} → ${flow.to.name} on ${flow.port.protocol} ${flow.port.port} (declared by ${flow.declaredBy})`;
  const violations: Violation[] = [];
  if (!egress.allowed && flow.from.kind === 'pod') {
    violations.push({
      object: flow.from.object,
      message: `${what} is blocked at the client: ${limit(egress.isolating)} the egress of ${client} and none allows it; the server side ${otherEnd(ingress)}`,
      hint: `add an Egress rule selecting ${client}'s pods, to the pods of ${flow.to.name} on ${flow.port.protocol} ${flow.port.port} (strata workloads get it from the server's allowFrom)`,
    });
  }
  if (!ingress.allowed) {
    violations.push({
      object: flow.to.object,
      message: `${what} is blocked at the server: ${limit(ingress.isolating)} the ingress of ${flow.to.name} and none admits it; the client side ${otherEnd(egress)}`,
      hint: `admit ${client} in a NetworkPolicy selecting ${flow.to.name}'s pods on ${flow.port.protocol} ${flow.port.port} (strata workloads: allowFrom)`,
    });
  }
  return violations;
}

export const networkFlowAllowed: Rule = {
  id: 'network-flow-allowed',
  summary: 'Every flow the cluster declares — a NetworkPolicy rule naming pods as peers (Ingress from them, Egress to them), the replicas of a StatefulSet behind a headless Service, an HTTPRoute/GRPCRoute from its Gateway\'s data plane to the backend\'s pods — is allowed by the NetworkPolicies of both ends (the client\'s Egress and the server\'s Ingress), evaluated with the Kubernetes semantics.',
  hint: 'allow the flow on the blocked end: an Egress rule on the client, an Ingress rule on the server',
  severity: ALWAYS_ERROR,
  check(objects) {
    const model = NetworkModel.of(objects);
    return declaredFlows(objects, model).flatMap((flow) => {
      const { egress, ingress } = model.flow(flow.from, flow.to, flow.port);
      return egress.allowed && ingress.allowed ? [] : flowViolations(flow, egress, ingress);
    });
  },
};

/** The pods a ScaledObject scales (its target's) or a ScaledJob runs (its own). */
function scaledPods(objects: ClusterObjects, scaler: ReturnType<ClusterObjects['ofKind']>[number]): PodEndpoint | undefined {
  const pods = podIndex(objects);
  if (scaler.manifest.kind === 'ScaledJob') return pods.of(scaler);
  const ref = rec(rec(scaler.manifest.spec).scaleTargetRef);
  const target = objects.find(str(ref.kind) ?? 'Deployment', namespaceOf(scaler), String(ref.name));
  return target ? pods.of(target) : undefined;
}

export const triggerSourceReachable: Rule = {
  id: 'trigger-source-reachable',
  summary: 'A workload scaled by a KEDA trigger (ScaledObject target or ScaledJob) whose egress is limited by NetworkPolicies may open connections on each port of the trigger\'s source its metadata names (`port`, `ports`, the brokers of `bootstrapServers`, a Redis `address`, an `amqp://` host), else on the source\'s default port (e.g. RabbitMQ 5672, Kafka 9092, Redis 6379): it consumes from what it is scaled on. A judgement: the source\'s address is mostly in a Secret, so only its port is checked.',
  hint: 'declare the egress: `egress: [Egress.toCidr("<broker range>", { ports: [<port>] })]`, or `Egress.toWorkload(...)` for an in-cluster broker; waive with a reason when the source is reached another way (e.g. an egress gateway)',
  severity: WARN_IN_DEVELOPMENT,
  check(objects) {
    const model = NetworkModel.of(objects);
    return objects.ofKind('ScaledObject', 'ScaledJob').flatMap((scaler) => {
      const pods = scaledPods(objects, scaler);
      if (!pods) return [];
      return triggerSources(scaler).flatMap((source): Violation[] => {
        const isolating = model.policiesSelecting(pods).Egress;
        if (isolating.length === 0 || model.egressOnPort(pods, source.port)) return [];
        return [{
          object: scaler,
          message: `trigger ${JSON.stringify(source.name)} (${source.type}) scales ${pods.name}, which cannot open ${source.port.protocol} ${source.port.port} anywhere: ${limit(isolating)} its egress and none allows that port, so it cannot reach its source`,
          hint: `declare where the ${source.type} source is: egress: [Egress.toCidr("<its address range>", { ports: [${source.port.port}] })] on ${pods.name} (or Egress.toAnyAddress({ ports: [${source.port.port}] }) for a name-only endpoint), or waive with a reason`,
        }];
      });
    });
  },
};

/** The label strata's workloads are named by, which `Peer.workload`, `allowFrom` and `Egress.toWorkload` select. */
const NAME_LABEL = 'app.kubernetes.io/name';

/** `a=1, b=2` (and `matchExpressions` when there are some), for a message. */
function describeSelector(selector: Json): string {
  const labels = Object.entries(labelsOf(selector.matchLabels)).map(([k, v]) => `${k}=${v}`);
  const expressions = arr(selector.matchExpressions).length;
  return [...labels, ...(expressions > 0 ? [`${expressions} matchExpressions`] : [])].join(', ');
}

/** ` (did you mean "scaler"?)` when the selector names a workload close to one of the namespace's. */
function nameGuess(selector: Json, pods: readonly PodEndpoint[]): string {
  const name = labelsOf(selector.matchLabels)[NAME_LABEL];
  const names = [...new Set(pods.map((p) => p.labels[NAME_LABEL]).filter((n): n is string => n !== undefined))];
  const guess = name === undefined ? undefined : didYouMean(name, names);
  return guess ? ` (did you mean ${JSON.stringify(guess)}?)` : '';
}

export const networkPeerSelectsPods: Rule = {
  id: 'network-peer-selects-pods',
  summary: 'A NetworkPolicy rule peer naming pods of the policy\'s own namespace by labels (a podSelector without namespaceSelector: `allowFrom`, `Peer.workload`, `Egress.toWorkload` in the same namespace, or hand-written) selects the pod template of some workload of that namespace: one that matches none allows a flow to or from nobody, and a misspelt name leaves the real client or server blocked. A judgement: pods made elsewhere (by a Helm chart, the tenant\'s own repository) are not in the output.',
  hint: 'name an existing workload, or waive with the reason when the pods are made elsewhere (a Helm chart, the tenant\'s own repository)',
  severity: ALWAYS_WARNING,
  check(objects) {
    const model = NetworkModel.of(objects);
    const pods = podIndex(objects);
    return objects.ofKind('NetworkPolicy').flatMap((object): Violation[] => {
      const policy = model.policy(object);
      if (!policy) return [];
      // Rules of a direction the policy does not isolate are ignored by Kubernetes, as by the flows.
      const ingress = policy.types.has('Ingress') ? policy.ingress : [];
      const egress = policy.types.has('Egress') ? policy.egress : [];
      const rules = [...ingress.map((rule, i) => ({ rule, what: `ingress rule ${i + 1} admits` })), ...egress.map((rule, i) => ({ rule, what: `egress rule ${i + 1} lets out to` }))];
      return rules.flatMap(({ rule, what }) => (rule.peers === 'all' ? [] : rule.peers).flatMap((peer): Violation[] => {
        if (peer.kind !== 'pods' || peer.namespaceSelector !== undefined || peer.podSelector === undefined || selectsAll(peer.podSelector)) return [];
        const selector = peer.podSelector;
        if (pods.candidates(policy.namespace, selector).some((p) => selectorMatches(selector, p.labels))) return [];
        return [{
          object,
          message: `${what} the pods of namespace ${policy.namespace} labelled ${describeSelector(selector)}, and no workload of the namespace has them${nameGuess(selector, pods.inNamespace(policy.namespace))}: the rule allows a flow to or from nobody`,
        }];
      }));
    });
  },
};
