import { Capability } from '../../fleet/capabilities.js';
import type { GatewayRef } from '../../fleet/cluster.js';
import type { TrafficPeer } from '../../providers/provider.js';
import { StrataError, addCheck, show } from '../../fleet/errors.js';
import { dnsLabelError, dnsSubdomainError } from '../../fleet/names.js';
import { ClusterGateway, type GatewayAllowedRoutes } from '../../traffic/cluster-gateway.js';
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
  /** The listeners' names and ports, and whether and how HTTPS is served. @default `http` on 80, `https` on 443 where the cluster has an issuer */
  readonly listeners?: GatewayListeners;
  /** Which namespaces may attach routes. @default namespaces labelled `strata.dev/gateway-access: "true"` (exposed tenants) */
  readonly allowedRoutes?: GatewayAllowedRoutes;
  /** Whether strata declares the gateway's namespace (with Pod Security restricted and a deny-all policy). @default true, except for system namespaces */
  readonly createNamespace?: boolean;
}

/** A listener's name (its `sectionName`, which routes attach to) and port. */
export interface GatewayListenerOptions {
  /** @default 'http' or 'https' */
  readonly name?: string;
  /** @default 80 or 443 */
  readonly port?: number;
}

/** The HTTPS listener: a wildcard certificate for `*.<domain>`, terminated at the gateway. */
export interface GatewayHttpsOptions extends GatewayListenerOptions {
  /** Secret (in the gateway's namespace) holding the certificate. @default '<gateway name>-tls' */
  readonly certificateSecret?: string;
  /**
   * ClusterIssuer cert-manager issues the certificate with; false when the Secret is provided
   * otherwise (then `certificateSecret` names it, and no DNS-01 solver is needed).
   * @default the cluster's issuer (`cluster.tlsIssuer`)
   */
  readonly issuer?: string | false;
  /** Whether plain HTTP requests get a permanent redirect to HTTPS. @default true */
  readonly redirect?: boolean;
}

/** The gateway's two listeners. https://gateway-api.sigs.k8s.io/reference/spec/#listener */
export interface GatewayListeners {
  /** @default name 'http', port 80 */
  readonly http?: GatewayListenerOptions;
  /** false: plain HTTP only (no certificate, no redirect). @default name 'https', port 443, served where the cluster has an issuer */
  readonly https?: GatewayHttpsOptions | false;
}

const ROUTE_NAMESPACES = ['All', 'Same', 'Selector'] as const;

/** Problems with the listener and allowedRoutes options, as messages naming the field. */
function listenerProblems(listeners: GatewayListeners, allowedRoutes: GatewayAllowedRoutes, names: { http: string; https: string }): string[] {
  const https = listeners.https === false ? undefined : listeners.https;
  const port = (field: string, value: number | undefined) =>
    value === undefined || (Number.isInteger(value) && value >= 1 && value <= 65535) ? undefined : `${field} ${show(value)} is not a port (a whole number from 1 to 65535)`;
  const httpPort = listeners.http?.port ?? 80;
  const httpsPort = https?.port ?? 443;
  return [
    dnsSubdomainError('listeners.http.name', names.http),
    https ? dnsSubdomainError('listeners.https.name', names.https) : undefined,
    https && names.http === names.https ? `listeners.http.name and listeners.https.name are both ${show(names.http)}: routes attach to a listener by name` : undefined,
    port('listeners.http.port', listeners.http?.port),
    port('listeners.https.port', https?.port),
    https && httpPort === httpsPort ? `listeners.http.port and listeners.https.port are both ${httpPort}: HTTP and HTTPS cannot share a port` : undefined,
    https?.certificateSecret === undefined ? undefined : dnsSubdomainError('listeners.https.certificateSecret', https.certificateSecret),
    typeof https?.issuer === 'string' ? dnsSubdomainError('listeners.https.issuer', https.issuer) : undefined,
    https?.issuer === false && https.certificateSecret === undefined ? 'listeners.https.issuer is false, but no listeners.https.certificateSecret names the Secret holding the certificate: name it, or leave issuer out' : undefined,
    allowedRoutes.from === undefined || ROUTE_NAMESPACES.includes(allowedRoutes.from) ? undefined : `allowedRoutes.from ${show(allowedRoutes.from)} is not one of ${ROUTE_NAMESPACES.map(show).join(', ')}`,
    allowedRoutes.labels !== undefined && (allowedRoutes.from ?? 'Selector') !== 'Selector' ? `allowedRoutes.labels apply only to from "Selector", not ${show(allowedRoutes.from)}: leave them out` : undefined,
    allowedRoutes.labels !== undefined && Object.keys(allowedRoutes.labels).length === 0 ? 'allowedRoutes.labels is empty: a selector without labels admits every namespace; use from "All" to say so' : undefined,
  ].filter((p): p is string => p !== undefined);
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
    const listeners = this.props.listeners ?? {};
    const https = listeners.https === false ? false : (listeners.https ?? {});
    const names = { http: listeners.http?.name ?? 'http', https: (https && https.name) || 'https' };
    const issuedCertificate = https !== false && https.issuer !== false;
    const gateway: GatewayRef = { name, namespace, hostname: `*.${domain}`, httpListener: names.http, httpsListener: https === false ? undefined : names.https, dataPlane, ...(issuedCertificate ? {} : { issuedCertificate }) };
    cluster.gateway = gateway;
    const className = managed ? managed.className : (this.props.className ?? 'envoy-gateway');
    // The HTTPS listener needs the issuer, which a component installed after this one may set.
    whenPlatformSettled(cluster, () => {
      const issuer = https === false || https.issuer === false ? undefined : (https.issuer ?? cluster.tlsIssuer);
      const scope = new ClusterGateway(platform.configs, this.name, {
        gateway,
        className,
        controllerName: managed ? undefined : ENVOY_GATEWAY_CONTROLLER,
        issuer,
        infrastructureAnnotations: managed ? undefined : provider.loadBalancerAnnotations,
        createNamespace: this.props.createNamespace ?? !SYSTEM_NAMESPACES.has(namespace),
        httpPort: listeners.http?.port,
        https: https && { port: https.port, certificateSecret: https.certificateSecret, redirect: https.redirect },
        allowedRoutes: this.props.allowedRoutes,
      });
      const problems = [
        dnsSubdomainError('gateway name', name),
        dnsLabelError('gateway namespace', namespace),
        dnsSubdomainError('gateway domain', domain),
        ...listenerProblems(listeners, this.props.allowedRoutes ?? {}, names),
        this.props.createNamespace === true && SYSTEM_NAMESPACES.has(namespace) ? `createNamespace is true, but namespace ${show(namespace)} is a system namespace, which strata never declares: leave createNamespace out` : undefined,
      ];
      addCheck(scope, () => problems.filter((p): p is string => p !== undefined));
    });
  }
}
