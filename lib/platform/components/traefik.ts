import { Capability } from '../../fleet/capabilities.js';
import { perStage, type StageValue } from '../../fleet/stage.js';
import { PlatformComponent, catalogRelease, mergeValues, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** traefik/traefik-helm-chart 41.6.1 (Traefik Proxy v3.7). */
export const TRAEFIK_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://github.com/traefik/traefik-helm-chart */
  repository: 'https://traefik.github.io/charts',
  /** The chart's name in that repository. */
  name: 'traefik',
  /** The exact chart version the catalog pins. */
  version: '41.6.1',
} as const;

export interface TraefikProps extends ComponentOptions {
  /** Proxy replicas; more than one adds a PodDisruptionBudget. @default 2 on production clusters, 1 elsewhere */
  readonly replicas?: StageValue<number>;
}

/**
 * Traefik Proxy as the cluster's Ingress controller (ingress-nginx was retired in March 2026;
 * Traefik is maintained, implements Ingress and Gateway API, and its chart installs no admission
 * webhook that could block applies). It registers the provider profile's IngressClass as the
 * default class, exposes itself through a LoadBalancer Service with the provider's annotations,
 * and publishes that address on Ingress status for external-dns. Sets `cluster.ingressPeer`.
 */
export class Traefik implements IComponent {
  readonly name: string;

  constructor(private readonly props: TraefikProps = {}) {
    this.name = props.name ?? 'traefik';
  }

  /** @throws StrataError when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const cluster = platform.cluster;
    const release = catalogRelease(this.props, { name: this.name, namespace: 'traefik', chart: TRAEFIK_CHART });
    const namespace = release.namespace;
    const replicas = cluster.resolve(this.props.replicas ?? perStage({ production: 2, default: 1 }));
    new PlatformComponent(platform.controllers, {
      ...release,
      values: mergeValues(
        {
          deployment: { replicas },
          podDisruptionBudget: replicas > 1 ? { enabled: true, minAvailable: 1 } : undefined,
          ingressClass: { enabled: true, isDefaultClass: true, name: cluster.provider.ingressClass },
          providers: { kubernetesIngress: { publishedService: { enabled: true } } },
          service: { annotations: { ...cluster.provider.loadBalancerAnnotations } },
        },
        this.props.values,
      ),
      capabilities: [Capability.INGRESS],
    });
    // The chart labels the proxy pods with its name; the namespace narrows them to this release.
    cluster.ingressPeer = { namespace, podLabels: { 'app.kubernetes.io/name': 'traefik' } };
  }
}
