import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GatewayClass } from '../../imports/gateway-api-gatewayclass-gateway.networking.k8s.io.js';
import { Gateway, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode, type GatewaySpecListeners } from '../../imports/gateway-api-gateway-gateway.networking.k8s.io.js';
import {
  HttpRoute,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../../imports/gateway-api-httproute-gateway.networking.k8s.io.js';
import { DATA_PLANE_ANNOTATION } from '../fleet/annotations.js';
import { Cluster, type GatewayRef } from '../fleet/cluster.js';
import { addCheck } from '../fleet/errors.js';
import { GATEWAY_ACCESS_LABEL } from './gateway-access.js';
import { MANAGED_BY } from '../platform/layer.js';
import { RESTRICTED_POD_SECURITY } from '../platform/tenant.js';
import { intakeProps } from '../fleet/props.js';

/** `allowedRoutes` of every listener: by default the namespaces carrying the access label. */
function routeNamespaces(given: GatewayAllowedRoutes, access: Record<string, string>) {
  const from = given.from ?? 'Selector';
  if (from !== 'Selector') return { namespaces: { from: from === 'All' ? GatewaySpecListenersAllowedRoutesNamespacesFrom.ALL : GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } };
  return { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR, selector: { matchLabels: { ...(given.labels ?? access) } } } };
}

/** cert-manager's gateway-shim issues a certificate for every HTTPS listener of a Gateway carrying this annotation. */
export const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';


export interface ClusterGatewayProps {
  /** The gateway the routes attach to: name, namespace, hostname, listener names. */
  readonly gateway: GatewayRef;
  /** GatewayClass the Gateway belongs to. */
  readonly className: string;
  /** Render the GatewayClass, for this controller; undefined where the provider installs the class. @default not rendered */
  readonly controllerName?: string;
  /** ClusterIssuer of the HTTPS listener's certificate; without one the gateway serves plain HTTP only. @default none */
  readonly issuer?: string;
  /** Annotations the implementation copies onto what it creates (e.g. load balancer settings on its Service). @default none */
  readonly infrastructureAnnotations?: Readonly<Record<string, string>>;
  /** Create the Gateway's namespace. @default true */
  readonly createNamespace?: boolean;
  /** Port of the HTTP listener. @default 80 */
  readonly httpPort?: number;
  /**
   * The HTTPS listener: its port and certificate Secret; false for plain HTTP only. Served where
   * there is an `issuer` or the Secret is provided (`certificateSecret` with no issuer).
   * @default port 443, Secret `<gateway>-tls`, where there is an issuer
   */
  readonly https?: ClusterGatewayHttps | false;
  /** Which namespaces may attach routes to the listeners. @default namespaces labelled `strata.dev/gateway-access: "true"` */
  readonly allowedRoutes?: GatewayAllowedRoutes;
}

/** The HTTPS listener of a cluster gateway. */
export interface ClusterGatewayHttps {
  /** @default 443 */
  readonly port?: number;
  /** Secret in the gateway's namespace holding the certificate. @default '<gateway>-tls' */
  readonly certificateSecret?: string;
  /** Whether plain HTTP requests are redirected to HTTPS. @default true */
  readonly redirect?: boolean;
}

/**
 * Which namespaces may attach routes to a gateway's listeners (`allowedRoutes.namespaces`).
 * https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces
 */
export interface GatewayAllowedRoutes {
  /** `Selector`: namespaces carrying `labels`; `All`: every namespace; `Same`: the gateway's own. @default 'Selector' */
  readonly from?: 'All' | 'Same' | 'Selector';
  /** With `Selector`: the labels a namespace must carry. @default { 'strata.dev/gateway-access': 'true' } (exposed tenants) */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The cluster's shared entry point (in infrastructure/configs): a Gateway with an HTTP and an
 * HTTPS listener for `*.<domain>`, its namespace, its GatewayClass where strata installs the
 * controller, and a route redirecting every plain-HTTP request to HTTPS. Listeners admit routes
 * only from namespaces labelled `strata.dev/gateway-access: "true"` (exposed tenants, and the
 * gateway's own namespace for the redirect); the HTTPS certificate is a wildcard cert-manager
 * issues through its Gateway API support.
 */
export class ClusterGateway extends Construct {
  constructor(scope: Construct, id: string, given: ClusterGatewayProps) {
    super(scope, id);
    const propsProblems: string[] = [];
    const props = intakeProps('ClusterGatewayProps', given, Cluster.of(this).stage, propsProblems);
    addCheck(this, () => propsProblems);
    const { gateway } = props;
    const access = { [GATEWAY_ACCESS_LABEL]: 'true' };
    // The gateway's own routes (the redirect) attach from its namespace: it carries the labels the listeners admit.
    const admitted = (props.allowedRoutes?.from ?? 'Selector') === 'Selector' ? (props.allowedRoutes?.labels ?? {}) : {};
    if (props.createNamespace !== false) {
      new k8s.KubeNamespace(this, 'namespace', { metadata: { name: gateway.namespace, labels: { ...MANAGED_BY, ...RESTRICTED_POD_SECURITY, ...access, ...admitted } } });
      // The namespace holds the Gateway and its routes, no pods (the data plane runs with its
      // controller); deny-all keeps it that way should anything be started here.
      new k8s.KubeNetworkPolicy(this, 'default-deny', {
        metadata: { name: 'default-deny', namespace: gateway.namespace, labels: { ...MANAGED_BY } },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      });
    }
    if (props.controllerName) {
      new GatewayClass(this, 'class', { metadata: { name: props.className, labels: { ...MANAGED_BY } }, spec: { controllerName: props.controllerName } });
    }
    const allowedRoutes = routeNamespaces(props.allowedRoutes ?? {}, access);
    const listeners: GatewaySpecListeners[] = [{ name: gateway.httpListener, protocol: 'HTTP', port: props.httpPort ?? 80, hostname: gateway.hostname, allowedRoutes }];
    const https = props.https === false || gateway.httpsListener === undefined ? undefined : (props.https ?? {});
    const servesHttps = https !== undefined && (props.issuer !== undefined || https.certificateSecret !== undefined);
    if (servesHttps && gateway.httpsListener !== undefined) {
      listeners.push({
        name: gateway.httpsListener,
        protocol: 'HTTPS',
        port: https.port ?? 443,
        hostname: gateway.hostname,
        tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: https.certificateSecret ?? `${gateway.name}-tls` }] },
        allowedRoutes,
      });
    }
    const annotations = props.infrastructureAnnotations ?? {};
    new Gateway(this, 'gateway', {
      metadata: {
        name: gateway.name,
        namespace: gateway.namespace,
        labels: { ...MANAGED_BY },
        annotations: {
          ...(props.issuer && servesHttps ? { [CLUSTER_ISSUER_ANNOTATION]: props.issuer } : {}),
          [DATA_PLANE_ANNOTATION]: JSON.stringify(gateway.dataPlane),
        },
      },
      spec: {
        gatewayClassName: props.className,
        infrastructure: Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : undefined,
        listeners,
      },
    });
    if (servesHttps && https.redirect !== false) this.redirect(gateway);
  }

  /**
   * Every plain-HTTP request is answered with a permanent redirect to HTTPS. A route of an exact
   * host on the HTTP listener (a web service with `tls: false`) is more specific and wins.
   */
  private redirect(gateway: GatewayRef): void {
    new HttpRoute(this, 'https-redirect', {
      metadata: { name: 'https-redirect', namespace: gateway.namespace, labels: { ...MANAGED_BY } },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, sectionName: gateway.httpListener }],
        rules: [{
          filters: [{
            type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
            requestRedirect: { scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301 },
          }],
        }],
      },
    });
  }
}
