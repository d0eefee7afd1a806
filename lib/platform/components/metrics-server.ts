import { Capability } from '../../fleet/capabilities.js';
import { perStage, type StageValue } from '../../fleet/stage.js';
import { PlatformComponent, catalogRelease, mergeValues, provideCapability, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** kubernetes-sigs/metrics-server chart 3.14.0 (metrics-server 0.9.0). */
export const METRICS_SERVER_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://github.com/kubernetes-sigs/metrics-server/tree/master/charts/metrics-server */
  repository: 'https://kubernetes-sigs.github.io/metrics-server/',
  /** The chart's name in that repository. */
  name: 'metrics-server',
  /** The exact chart version the catalog pins. */
  version: '3.14.0',
} as const;

export interface MetricsServerProps extends ComponentOptions {
  /** Replicas; more than one adds a PodDisruptionBudget. @default 2 on production clusters, 1 elsewhere */
  readonly replicas?: StageValue<number>;
}

/**
 * metrics-server, the resource metrics API behind HPA CPU/memory targets and `kubectl top`, by
 * default in kube-system. Where the provider runs its own (GKE, AKS), only the capability is recorded.
 */
export class MetricsServer implements IComponent {
  readonly name: string;

  constructor(private readonly props: MetricsServerProps = {}) {
    this.name = props.name ?? 'metrics-server';
  }

  /** @throws StrataError when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const cluster = platform.cluster;
    if (cluster.provider.managedMetricsServer) {
      provideCapability(cluster, Capability.METRICS_SERVER, this.name);
      return;
    }
    const replicas = cluster.resolve(this.props.replicas ?? perStage({ production: 2, default: 1 }));
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'kube-system', chart: METRICS_SERVER_CHART }),
      values: mergeValues({ replicas, podDisruptionBudget: replicas > 1 ? { enabled: true, minAvailable: 1 } : undefined }, this.props.values),
      capabilities: [Capability.METRICS_SERVER],
    });
  }
}
