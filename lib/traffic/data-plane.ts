import { k8s } from 'cdk8s-plus-27';
import type { TrafficPeer } from '../providers/provider.js';

/** The label namespaces carry their name in (set by Kubernetes itself since 1.22). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The NetworkPolicy peers selecting a traffic peer: its pods (namespace and pod labels), or one
 * ipBlock per address range of a data plane outside the cluster.
 */
export function trafficPeerSelectors(peer: TrafficPeer): k8s.NetworkPolicyPeer[] {
  if ('cidrs' in peer) return peer.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } }, podSelector: { matchLabels: { ...peer.podLabels } } }];
}
