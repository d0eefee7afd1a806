import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels } from './network.js';
import type { ResolvedPort } from './ports.js';
import { serviceNameProblem, serviceNameSuggestion } from '../validate/api-names.js';

/**
 * Problems of a workload name that also names its Service: the API server rejects a Service
 * name that is not a DNS-1035 label (`3d-viewer`), although the Deployment of that name is valid.
 */
export function serviceNameProblems(kind: string, name: string): string[] {
  const problem = serviceNameProblem(name);
  if (!problem) return [];
  return [`${kind} name "${name}" cannot name its Service: ${problem}, so the API server rejects a Service "${name}"; rename the workload, e.g. "${serviceNameSuggestion(name)}" (or set name)`];
}

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
