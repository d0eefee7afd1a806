import type { Construct } from 'constructs';
import { ReferenceGrant } from '../../imports/gateway-api-referencegrant-gateway.networking.k8s.io.js';
import { GATEWAY_API_GROUP } from './http-route.js';

/**
 * A ReferenceGrant `<service>` in the Service's namespace: HTTPRoutes and GRPCRoutes of the given
 * namespaces may send requests to Service `<service>`, and to nothing else of this namespace.
 */
export function renderReferenceGrant(scope: Construct, props: { readonly service: string; readonly fromNamespaces: readonly string[]; readonly labels: Record<string, string> }): ReferenceGrant {
  return new ReferenceGrant(scope, 'reference-grant', {
    metadata: { name: props.service, labels: props.labels },
    spec: {
      from: props.fromNamespaces.flatMap((namespace) => ['HTTPRoute', 'GRPCRoute'].map((kind) => ({ group: GATEWAY_API_GROUP, kind, namespace }))),
      to: [{ group: '', kind: 'Service', name: props.service }],
    },
  });
}
