import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Cluster } from '../fleet/cluster.js';
import { selectorLabels } from './network.js';
import type { HttpRoute } from './exposure.js';

/** cert-manager's ingress-shim issues a certificate for an Ingress carrying this annotation. */
export const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';

/**
 * An Ingress `<name>` routing every path of the host to the Service's `http` port, through the
 * provider's ingress class; with TLS, cert-manager keeps the certificate in the Secret `<name>-tls`.
 */
export function renderIngress(scope: Construct, cluster: Cluster, route: HttpRoute): void {
  new k8s.KubeIngress(scope, 'ingress', {
    metadata: {
      name: route.name,
      labels: selectorLabels(route.name),
      annotations: route.tls && cluster.tlsIssuer ? { [CLUSTER_ISSUER_ANNOTATION]: cluster.tlsIssuer } : undefined,
    },
    spec: {
      ingressClassName: cluster.provider.ingressClass,
      rules: [
        {
          host: route.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: route.service, port: { name: route.port } } } }] },
        },
      ],
      tls: route.tls ? [{ hosts: [route.host], secretName: `${route.name}-tls` }] : undefined,
    },
  });
}
