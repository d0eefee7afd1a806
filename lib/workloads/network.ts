import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Cluster } from '../fleet/cluster.js';
import { StrataError, show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { trafficPeerSelectors } from '../traffic/data-plane.js';
import type { ResolvedPort } from './ports.js';

/** The label namespaces carry their name in (set by Kubernetes itself since 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Where the workload admitting traffic lives. */
export interface PeerContext {
  readonly cluster: Cluster;
  readonly namespace: string;
}

/** Something a workload may admit traffic from: another workload, a namespace, the ingress controller. */
export interface IPeer {
  /** How error messages name the peer. */
  readonly peerName: string;
  /** The NetworkPolicy peers selecting it, seen from `context`; throws StrataError when there are none. */
  networkPolicyPeers(context: PeerContext): k8s.NetworkPolicyPeer[];
}

/** The labels that select a workload's pods: stable, never derived from the construct path. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

function namespaceSelector(namespace: string): k8s.LabelSelector {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
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
    };
  }

  /**
   * A workload by name, for one declared elsewhere (another namespace, or later in the code).
   * @param options.namespace its namespace (default: the admitting workload's)
   */
  static workload(name: string, options: { readonly namespace?: string } = {}): IPeer {
    return {
      peerName: `workload ${show(name)}`,
      networkPolicyPeers: (context) => {
        const problem = dnsLabelError('Peer.workload:', name) ?? (options.namespace !== undefined ? dnsLabelError('Peer.workload: namespace', options.namespace) : undefined);
        if (problem) throw new StrataError(problem);
        return [workloadPeer(name, options.namespace ?? context.namespace, context)];
      },
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
    rendered.push({ from, ports: rule.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol })) });
  }
  return rendered;
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
