// Stands in for the workloads (lib/workloads is built elsewhere): a Deployment or StatefulSet
// whose containers have the given requests, that renders `spec.replicas` only when told to and
// attaches its `autoscaling` the way the real workloads do.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Cluster, Waivers, type IAutoscaling, type ScaleTarget, type StageValue } from '../../lib/index.js';

export interface FakeContainer {
  readonly name: string;
  readonly cpu?: string;
  readonly memory?: string;
}

export interface FakeWorkloadProps {
  readonly autoscaling?: StageValue<IAutoscaling>;
  readonly kind?: 'Deployment' | 'StatefulSet';
  readonly containers?: readonly FakeContainer[];
  /** Rendered as spec.replicas (a real workload never does so with autoscaling). */
  readonly replicas?: number;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: k8s.Toleration[];
}

export class FakeWorkload extends Construct {
  readonly target: ScaleTarget;

  constructor(scope: Construct, id: string, props: FakeWorkloadProps = {}) {
    super(scope, id);
    const namespace = (scope as { namespace?: string }).namespace ?? 'default';
    const kind = props.kind ?? 'Deployment';
    const containers = props.containers ?? [{ name: 'app', cpu: '250m', memory: '256Mi' }];
    const labels = { 'app.kubernetes.io/name': id, 'app.kubernetes.io/instance': id };
    const spec = {
      replicas: props.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: props.nodeSelector,
          tolerations: props.tolerations,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: containers.map((c) => ({
            name: c.name,
            image: 'ghcr.io/acme/app:1.0.0',
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: {
              requests: {
                ...(c.cpu ? { cpu: k8s.Quantity.fromString(c.cpu) } : {}),
                ...(c.memory ? { memory: k8s.Quantity.fromString(c.memory) } : {}),
              },
              // The tenant's LimitRange would otherwise give a 1Gi limit below a larger request, which the API server rejects.
              limits: c.memory ? { memory: k8s.Quantity.fromString(c.memory) } : undefined,
            },
          })),
        },
      },
    };
    // A stand-in with deliberately partial requests (utilization checks need that): the policy
    // rules about requests and production HA are not what these tests are about.
    for (const rule of ['resources', 'pod-disruption-budget', 'topology-spread']) Waivers.waive(this, rule, 'stand-in workload of the autoscaling tests');
    // Egress to the sources the tests scale on (its tenant denies egress by default), as a worker declares it.
    new k8s.KubeNetworkPolicy(this, 'egress', {
      metadata: { name: `${id}-egress`, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [443, 5672, 9092].map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) }],
      },
    });
    if (kind === 'Deployment') new k8s.KubeDeployment(this, 'deployment', { metadata: { name: id, labels }, spec });
    else new k8s.KubeStatefulSet(this, 'statefulset', { metadata: { name: id, labels }, spec: { ...spec, serviceName: id } });
    this.target = { apiVersion: 'apps/v1', kind, name: id, namespace, containers, labels };
    if (props.autoscaling) Cluster.of(this).resolve(props.autoscaling).attach(this, this.target);
  }
}
