import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Cluster } from '../fleet/cluster.js';
import { CLUSTER_ISSUER_ANNOTATION } from './cluster-gateway.js';
import type { RouteSpec } from './route-spec.js';

export { CLUSTER_ISSUER_ANNOTATION };

/**
 * An Ingress `<name>` on the provider's ingress class: a Prefix path per path of each rule, to
 * the rule's Service port; with TLS, cert-manager keeps the certificate in the Secret `<name>-tls`.
 * Ingress has no weights, timeouts or cross-namespace backends: the caller rejects those.
 */
export function renderIngress(scope: Construct, cluster: Cluster, route: RouteSpec, labels: Record<string, string>): void {
  new k8s.KubeIngress(scope, 'ingress', {
    metadata: {
      name: route.name,
      labels,
      annotations: route.tls && cluster.tlsIssuer ? { [CLUSTER_ISSUER_ANNOTATION]: cluster.tlsIssuer } : undefined,
    },
    spec: {
      ingressClassName: cluster.provider.ingressClass,
      rules: [
        {
          host: route.host,
          http: {
            paths: Lazy.any({
              produce: () =>
                route.rules.flatMap((rule) => {
                  const [backend] = rule.backends();
                  const port = backend.portName ? { name: backend.portName } : { number: backend.port };
                  return rule.paths.map((path) => ({ path, pathType: 'Prefix', backend: { service: { name: backend.service, port } } }));
                }),
            }),
          },
        },
      ],
      tls: route.tls ? [{ hosts: [route.host], secretName: `${route.name}-tls` }] : undefined,
    },
  });
}
