import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels } from './network.js';
import type { ResolvedPort } from './ports.js';

/**
 * The Service of a WebService (ClusterIP) or StatefulService (headless: DNS names per pod).
 * Ports target the container ports by name, so renumbering a container port keeps the Service.
 */
export function renderService(scope: Construct, props: { readonly name: string; readonly ports: readonly ResolvedPort[]; readonly headless?: boolean }): k8s.KubeService {
  return new k8s.KubeService(scope, 'service', {
    metadata: { name: props.name, labels: selectorLabels(props.name) },
    spec: {
      type: 'ClusterIP',
      clusterIp: props.headless ? 'None' : undefined,
      selector: selectorLabels(props.name),
      ports: props.ports.map((p) => ({ name: p.name, port: p.servicePort, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol, appProtocol: p.appProtocol })),
    },
  });
}
