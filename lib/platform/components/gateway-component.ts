import { Capability } from '../../fleet/capabilities.js';
import type { GatewayRef } from '../../fleet/cluster.js';
import type { TrafficPeer } from '../../providers/provider.js';
import { StrataError, addCheck, show } from '../../fleet/errors.js';
import { dnsLabelError, dnsSubdomainError } from '../../fleet/names.js';
import { ClusterGateway } from '../../traffic/cluster-gateway.js';
import { SYSTEM_NAMESPACES } from '../../validate/references.js';
import { provideCapability, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';
import { whenPlatformSettled } from '../settle.js';
import { ENVOY_GATEWAY_CONTROLLER, EnvoyGateway, envoyProxyLabels, type EnvoyGatewayProps } from './envoy-gateway.js';
import { GatewayApi, type GatewayApiProps } from './gateway-api.js';

export interface GatewayProps {
  /** Name of the cluster's Gateway. @default 'public' */
  readonly name?: string;
  /** Namespace of the Gateway, created in infrastructure/configs. @default 'gateway' */
  readonly namespace?: string;
  /** The listeners serve `*.<domain>`. @default the cluster's domain */
  readonly domain?: string;
  /** Name of the GatewayClass strata declares for Envoy Gateway. @default 'envoy-gateway' */
  readonly className?: string;
  /** Envoy Gateway's version and values, where the provider profile's `gatewayController` is 'envoy'. @default the catalog's */
  readonly envoy?: EnvoyGatewayProps;
  /** The Gateway API CRD release, where strata installs them (with Envoy). @default v1.6.1 */
  readonly gatewayApi?: GatewayApiProps;
}

/**
 * Traffic through the Gateway API, end to end: the CRDs and Envoy Gateway in
 * infrastructure/controllers (or nothing where the provider runs a managed implementation, e.g.
 * GKE's `gke-l7-global-external-managed`), and the cluster's Gateway in infrastructure/configs.
 * Sets `cluster.gateway`, which web services' routes attach to.
 */
export class GatewayComponent implements IComponent {
  readonly name = 'gateway';

  constructor(private readonly props: GatewayProps = {}) {}

  install(platform: Platform): void {
    const cluster = platform.cluster;
    const name = this.props.name ?? 'public';
    const namespace = this.props.namespace ?? 'gateway';
    const domain = this.props.domain ?? cluster.domain;
    const { provider } = cluster;
    const managed = provider.gatewayController === 'managed' ? provider.managedGateway : undefined;
    if (provider.gatewayController === 'managed' && !managed) {
      throw new StrataError(`provider ${show(provider.name)} has gatewayController "managed" but no managedGateway: set managedGateway in its profile, or gatewayController: 'envoy'`);
    }
    let dataPlane: TrafficPeer;
    if (managed) {
      // The provider runs the controller and brings the CRDs (and the GatewayClass) itself.
      provideCapability(cluster, Capability.GATEWAY_API, this.name);
      provideCapability(cluster, Capability.GATEWAY_CONTROLLER, this.name);
      dataPlane = managed.dataPlane;
    } else {
      const envoy = new EnvoyGateway(this.props.envoy);
      platform.install(new GatewayApi(this.props.gatewayApi));
      platform.install(envoy);
      // Envoy Gateway runs each Gateway's proxies in its own namespace.
      dataPlane = { namespace: envoy.namespace, podLabels: envoyProxyLabels({ name, namespace }) };
    }
    const gateway: GatewayRef = { name, namespace, hostname: `*.${domain}`, httpListener: 'http', httpsListener: 'https', dataPlane };
    cluster.gateway = gateway;
    const className = managed ? managed.className : (this.props.className ?? 'envoy-gateway');
    // The HTTPS listener needs the issuer, which a component installed after this one may set.
    whenPlatformSettled(cluster, () => {
      const scope = new ClusterGateway(platform.configs, this.name, {
        gateway,
        className,
        controllerName: managed ? undefined : ENVOY_GATEWAY_CONTROLLER,
        issuer: cluster.tlsIssuer,
        infrastructureAnnotations: managed ? undefined : provider.loadBalancerAnnotations,
        createNamespace: !SYSTEM_NAMESPACES.has(namespace),
      });
      const problems = [dnsSubdomainError('gateway name', name), dnsLabelError('gateway namespace', namespace), dnsSubdomainError('gateway domain', domain)];
      addCheck(scope, () => problems.filter((p): p is string => p !== undefined));
    });
  }
}
