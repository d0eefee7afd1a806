import { Capability } from '../../fleet/capabilities.js';
import { StrataError, show } from '../../fleet/errors.js';
import { PlatformComponent, catalogRelease, mergeValues, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** Karpenter 1.14.1 from its OCI registry, matching the NodePool/EC2NodeClass CRDs the project imports. */
export const KARPENTER_CHART = {
  /** OCI registry path the chart is pulled from (a Flux OCIRepository). See https://karpenter.sh/docs/getting-started/getting-started-with-karpenter/ */
  repository: 'oci://public.ecr.aws/karpenter',
  /** The chart's name in that repository. */
  name: 'karpenter',
  /** The exact chart version the catalog pins. */
  version: '1.14.1',
} as const;

export interface KarpenterProps extends ComponentOptions {
  /** The EKS cluster's name. @default the strata cluster's name */
  readonly clusterName?: string;
  /** SQS queue for spot interruption and rebalance events. @default none (interruption handling off) */
  readonly interruptionQueue?: string;
  /** IAM role for the controller through IRSA. @default none (EKS Pod Identity, or node role) */
  readonly roleArn?: string;
}

/**
 * Karpenter, the AWS node autoscaler, installed from its OCI chart through an OCIRepository.
 * Its NodePools and EC2NodeClasses are custom resources: declare them in infrastructure/configs.
 */
export class Karpenter implements IComponent {
  readonly name: string;

  constructor(private readonly props: KarpenterProps = {}) {
    this.name = props.name ?? 'karpenter';
  }

  /** @throws StrataError when the cluster's provider is not aws; when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const cluster = platform.cluster;
    if (cluster.provider.name !== 'aws') {
      throw new StrataError(`karpenter runs on aws only, not on provider ${show(cluster.provider.name)}: use Components.nodeAutoscaler(), which picks the provider's autoscaler`);
    }
    const { roleArn, interruptionQueue, clusterName } = this.props;
    new PlatformComponent(platform.controllers, {
      // kube-system, as Karpenter's install guide does.
      ...catalogRelease(this.props, { name: this.name, namespace: 'kube-system', chart: KARPENTER_CHART }),
      values: mergeValues(
        {
          settings: { clusterName: clusterName ?? cluster.name, interruptionQueue },
          serviceAccount: roleArn ? { annotations: { 'eks.amazonaws.com/role-arn': roleArn } } : undefined,
          // Karpenter's guide: guaranteed resources, so the autoscaler is the last thing to starve.
          controller: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
        },
        this.props.values,
      ),
      capabilities: [Capability.KARPENTER],
    });
  }
}
