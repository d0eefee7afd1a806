import { readableProps } from '../../fleet/props.js';
import { PlatformComponent, checkedComponent, type IComponent, type PlatformComponentProps } from '../component.js';
import type { Platform } from '../platform.js';
import { CertManager, type CertManagerProps } from './cert-manager.js';
import { ClusterAutoscaler, type ClusterAutoscalerProps } from './cluster-autoscaler.js';
import { ExternalDns, type ExternalDnsProps } from './external-dns.js';
import { EnvoyGateway, type EnvoyGatewayProps } from './envoy-gateway.js';
import { ExternalSecrets, type ExternalSecretsProps } from './external-secrets.js';
import { GatewayApi, type GatewayApiProps } from './gateway-api.js';
import { GatewayComponent, type GatewayProps } from './gateway-component.js';
import { Karpenter, type KarpenterProps } from './karpenter.js';
import { Keda, type KedaProps } from './keda.js';
import { MetricsServer, type MetricsServerProps } from './metrics-server.js';
import { NodeAutoscaler, type NodeAutoscalerProps } from './node-autoscaler.js';
import { Traefik, type TraefikProps } from './traefik.js';
import { Traffic, type TrafficProps } from './traffic.js';

/** Any Helm chart as a component: `Components.helm({ name, namespace, chart: { repository, name, version } })`. */
class HelmChart implements IComponent {
  constructor(private readonly props: PlatformComponentProps) {}

  get name(): string {
    // Props that are not an object are PlatformComponent's to report when installed.
    return readableProps(this.props).name;
  }

  install(platform: Platform): void {
    new PlatformComponent(platform.controllers, this.props);
  }
}

/**
 * The catalog of platform components, each a pinned Helm chart Flux installs into
 * infrastructure/controllers: `platform.install(Components.certManager({ email }))`.
 */
export const Components = {
  /** metrics-server (resource metrics for HPA and `kubectl top`); recorded only where the provider runs it. */
  metricsServer: (props?: MetricsServerProps): IComponent => checkedComponent('MetricsServerProps', 'Components.metricsServer(...)', props, (p) => new MetricsServer(p)),
  /** cert-manager with Let's Encrypt staging and production ClusterIssuers; sets `cluster.tlsIssuer`. */
  certManager: (props?: CertManagerProps): IComponent => checkedComponent('CertManagerProps', 'Components.certManager(...)', props, (p) => new CertManager(p)),
  /**
   * What the cluster's traffic mode needs: the gateway (default) or the Ingress controller
   * (`traffic: 'ingress'` on the cluster or its provider profile).
   */
  traffic: (props?: TrafficProps): IComponent => checkedComponent('TrafficProps', 'Components.traffic(...)', props, (p) => new Traffic(p)),
  /**
   * The Gateway API gateway: CRDs and Envoy Gateway (or the provider's managed class), and the
   * cluster's Gateway with HTTP and HTTPS listeners. Sets `cluster.gateway`.
   */
  gateway: (props?: GatewayProps): IComponent => checkedComponent('GatewayProps', 'Components.gateway(...)', props, (p) => new GatewayComponent(p)),
  /** The Gateway API CRDs (standard channel) alone; `gateway()` installs them. */
  gatewayApi: (props?: GatewayApiProps): IComponent => checkedComponent('GatewayApiProps', 'Components.gatewayApi(...)', props, (p) => new GatewayApi(p)),
  /** Envoy Gateway alone (needs the Gateway API CRDs); `gateway()` installs it. */
  envoyGateway: (props?: EnvoyGatewayProps): IComponent => checkedComponent('EnvoyGatewayProps', 'Components.envoyGateway(...)', props, (p) => new EnvoyGateway(p)),
  /** The Ingress controller: Traefik. Sets `cluster.ingressPeer`. */
  ingress: (props?: TraefikProps): IComponent => checkedComponent('TraefikProps', 'Components.ingress(...)', props, (p) => new Traefik(p)),
  /** Traefik Proxy as Ingress controller (the same as `ingress()`). */
  traefik: (props?: TraefikProps): IComponent => checkedComponent('TraefikProps', 'Components.traefik(...)', props, (p) => new Traefik(p)),
  /** external-dns with the provider profile's DNS service. */
  externalDns: (props?: ExternalDnsProps): IComponent => checkedComponent('ExternalDnsProps', 'Components.externalDns(...)', props, (p) => new ExternalDns(p)),
  /** KEDA, event-driven pod autoscaling. */
  keda: (props?: KedaProps): IComponent => checkedComponent('KedaProps', 'Components.keda(...)', props, (p) => new Keda(p)),
  /** The provider's node autoscaler: Karpenter on aws, cluster-autoscaler on gcp and azure. */
  nodeAutoscaler: (props?: NodeAutoscalerProps): IComponent => checkedComponent('NodeAutoscalerProps', 'Components.nodeAutoscaler(...)', props, (p) => new NodeAutoscaler(p)),
  /** Karpenter (aws only). */
  karpenter: (props?: KarpenterProps): IComponent => checkedComponent('KarpenterProps', 'Components.karpenter(...)', props, (p) => new Karpenter(p)),
  /** Kubernetes cluster-autoscaler, configured for the cluster's cloud. */
  clusterAutoscaler: (props?: ClusterAutoscalerProps): IComponent => checkedComponent('ClusterAutoscalerProps', 'Components.clusterAutoscaler(...)', props, (p) => new ClusterAutoscaler(p)),
  /** External Secrets Operator. */
  externalSecrets: (props?: ExternalSecretsProps): IComponent => checkedComponent('ExternalSecretsProps', 'Components.externalSecrets(...)', props, (p) => new ExternalSecrets(p)),
  /** Any other Helm chart, installed the same way. */
  helm: (props: PlatformComponentProps): IComponent => new HelmChart(props),
};

export * from './cert-manager.js';
export * from './cluster-autoscaler.js';
export * from './external-dns.js';
export * from './envoy-gateway.js';
export * from './external-secrets.js';
export * from './gateway-api.js';
export * from './gateway-component.js';
export * from './karpenter.js';
export * from './keda.js';
export * from './metrics-server.js';
export * from './node-autoscaler.js';
export * from './traefik.js';
export * from './traffic.js';
