import { StrataError, show } from '../../fleet/errors.js';
import type { IComponent } from '../component.js';
import type { Platform } from '../platform.js';
import { ClusterAutoscaler, type ClusterAutoscalerProps } from './cluster-autoscaler.js';
import { Karpenter, type KarpenterProps } from './karpenter.js';

/** The options of `Components.nodeAutoscaler()`, per autoscaler the provider picks. */
export interface NodeAutoscalerProps {
  /** Settings used where the provider's autoscaler is Karpenter (aws). @default Karpenter's defaults */
  readonly karpenter?: KarpenterProps;
  /** Settings used where it is cluster-autoscaler (gcp, azure). @default cluster-autoscaler's defaults */
  readonly clusterAutoscaler?: ClusterAutoscalerProps;
}

/**
 * The node autoscaler the cluster's provider profile names: Karpenter on aws, cluster-autoscaler
 * on gcp and azure. A provider without one (on-premises) is an error: leave it out there.
 */
export class NodeAutoscaler implements IComponent {
  readonly name = 'node-autoscaler';

  constructor(private readonly props: NodeAutoscalerProps = {}) {}

  /** @throws StrataError when the cluster's provider has no node autoscaler, or its autoscaler is already installed; when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const provider = platform.cluster.provider;
    switch (provider.nodeAutoscaler) {
      case 'karpenter':
        return platform.install(new Karpenter(this.props.karpenter));
      case 'cluster-autoscaler':
        return platform.install(new ClusterAutoscaler(this.props.clusterAutoscaler));
      default:
        throw new StrataError(`provider ${show(provider.name)} has no node autoscaler: leave Components.nodeAutoscaler() out on this cluster, or set nodeAutoscaler in its provider profile`);
    }
  }
}
