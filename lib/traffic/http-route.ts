import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../../imports/gateway-api-httproute-gateway.networking.k8s.io.js';
import type { GatewayRef } from '../fleet/cluster.js';
import type { RouteBackend, RouteSpec } from './route-spec.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The parentRef attaching a route to the cluster gateway's HTTPS listener, or HTTP without TLS. */
export function gatewayParentRef(gateway: GatewayRef, tls: boolean) {
  return { group: GATEWAY_API_GROUP, kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: tls ? gateway.httpsListener : gateway.httpListener };
}

/** backendRefs to Services; the namespace only when it is not the route's own (that one needs a ReferenceGrant). */
export function backendRefs(spec: RouteSpec, backends: readonly RouteBackend[]) {
  return backends.map((b) => ({
    group: '',
    kind: 'Service',
    name: b.service,
    namespace: b.namespace === spec.namespace ? undefined : b.namespace,
    port: b.port,
    weight: b.weight,
  }));
}

/**
 * An HTTPRoute `<name>` on the cluster gateway: the host, a PathPrefix match per path, the
 * rule's backends (weighted when canaries share it), the timeouts on every rule.
 */
export function renderHttpRoute(scope: Construct, gateway: GatewayRef, spec: RouteSpec, labels: Record<string, string>): HttpRoute {
  return new HttpRoute(scope, 'http-route', {
    metadata: { name: spec.name, labels },
    spec: {
      parentRefs: [gatewayParentRef(gateway, spec.tls)],
      hostnames: [spec.host],
      rules: spec.rules.map((rule) => ({
        matches: rule.paths.map((value) => ({ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value } })),
        backendRefs: Lazy.any({ produce: () => backendRefs(spec, rule.backends()) }),
        timeouts: spec.timeouts && (spec.timeouts.request || spec.timeouts.backendRequest) ? { ...spec.timeouts } : undefined,
      })),
    },
  });
}
