import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { GrpcRoute } from '../../imports/gateway-api-grpcroute-gateway.networking.k8s.io.js';
import type { GatewayRef } from '../fleet/cluster.js';
import { backendRefs, gatewayParentRef } from './http-route.js';
import type { RouteSpec } from './route-spec.js';

/** A GRPCRoute `<name>` on the cluster gateway: every call to the host goes to the backends. */
export function renderGrpcRoute(scope: Construct, gateway: GatewayRef, spec: RouteSpec, labels: Record<string, string>): GrpcRoute {
  return new GrpcRoute(scope, 'grpc-route', {
    metadata: { name: spec.name, labels },
    spec: {
      parentRefs: [gatewayParentRef(gateway, spec.tls)],
      hostnames: [spec.host],
      rules: spec.rules.map((rule) => ({ backendRefs: Lazy.any({ produce: () => backendRefs(spec, rule.backends()) }) })),
    },
  });
}
