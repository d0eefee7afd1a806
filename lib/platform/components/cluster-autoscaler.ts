import { Capability } from '../../fleet/capabilities.js';
import type { Cluster } from '../../fleet/cluster.js';
import { StrataError, show } from '../../fleet/errors.js';
import { PlatformComponent, catalogRelease, mergeValues, type ComponentOptions, type HelmValues, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** kubernetes/autoscaler cluster-autoscaler chart 9.59.0. */
export const CLUSTER_AUTOSCALER_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://github.com/kubernetes/autoscaler/tree/master/charts/cluster-autoscaler */
  repository: 'https://kubernetes.github.io/autoscaler',
  /** The chart's name in that repository. */
  name: 'cluster-autoscaler',
  /** The exact chart version the catalog pins. */
  version: '9.59.0',
} as const;

/** A group of nodes the autoscaler may resize (a GCE managed instance group prefix). */
export interface ClusterAutoscalerNodeGroup {
  /** Name prefix of the instance groups, e.g. `gke-prod-us`. */
  readonly prefix: string;
  /** Fewest nodes. */
  readonly min: number;
  /** Most nodes. */
  readonly max: number;
}

export interface ClusterAutoscalerProps extends ComponentOptions {
  /** The cloud's name for the cluster, used to discover its node groups by tag. @default the strata cluster's name */
  readonly clusterName?: string;
  /** gcp: the instance groups to scale. @default `gke-<cluster>` groups, 1 to 10 nodes */
  readonly nodeGroups?: readonly ClusterAutoscalerNodeGroup[];
}

/** The chart values that point cluster-autoscaler at the cluster's cloud. */
function cloudValues(cluster: Cluster, props: ClusterAutoscalerProps): HelmValues {
  const clusterName = props.clusterName ?? cluster.name;
  switch (cluster.provider.name) {
    case 'aws':
      return { cloudProvider: 'aws', awsRegion: cluster.region, autoDiscovery: { clusterName } };
    case 'gcp': {
      const groups = props.nodeGroups ?? [{ prefix: `gke-${clusterName}`, min: 1, max: 10 }];
      for (const g of groups) {
        if (!(Number.isInteger(g.min) && Number.isInteger(g.max) && g.min >= 0 && g.min <= g.max)) {
          throw new StrataError(`cluster-autoscaler node group ${show(g.prefix)}: min (${g.min}) and max (${g.max}) must be whole numbers with 0 <= min <= max`);
        }
      }
      return {
        cloudProvider: 'gce',
        autoDiscovery: { clusterName },
        autoscalingGroupsnamePrefix: groups.map((g) => ({ name: g.prefix, minSize: g.min, maxSize: g.max })),
      };
    }
    case 'azure':
      return { cloudProvider: 'azure', autoDiscovery: { clusterName } };
    default:
      throw new StrataError(`cluster-autoscaler needs a cloud to add nodes from; provider ${show(cluster.provider.name)} has none: leave it out on this cluster`);
  }
}

/**
 * Kubernetes cluster-autoscaler, by default in kube-system, configured for the cluster's cloud: node groups
 * discovered by tag on aws and azure, instance-group prefixes on gcp. Nodes of similar groups are
 * balanced and the expander wastes least.
 */
export class ClusterAutoscaler implements IComponent {
  readonly name: string;

  constructor(private readonly props: ClusterAutoscalerProps = {}) {
    this.name = props.name ?? 'cluster-autoscaler';
  }

  /** @throws StrataError when the cluster's provider has no cloud to add nodes from, or a node group's min and max are not whole numbers with 0 <= min <= max; when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const cluster = platform.cluster;
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'kube-system', chart: CLUSTER_AUTOSCALER_CHART }),
      values: mergeValues(
        { ...cloudValues(cluster, this.props), extraArgs: { 'balance-similar-node-groups': true, expander: 'least-waste' } },
        this.props.values,
      ),
      capabilities: [Capability.CLUSTER_AUTOSCALER],
    });
  }
}
