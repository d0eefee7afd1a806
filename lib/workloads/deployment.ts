import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { show } from '../fleet/errors.js';
import { selectorLabels } from './network.js';

/** How a Deployment replaces its pods. */
export interface RollingUpdateOptions {
  /**
   * Pods created above the desired count during a rollout: a number or a percentage (`'25%'`).
   * @default '25%'
   */
  readonly maxSurge?: number | string;
  /**
   * Pods that may be unavailable during a rollout: a number or a percentage.
   * @default 0: capacity never drops during a rollout
   */
  readonly maxUnavailable?: number | string;
}

const DEFAULT_ROLLING_UPDATE = { maxSurge: '25%', maxUnavailable: 0 } as const;

function intOrPercent(value: number | string): k8s.IntOrString {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}

function isZero(value: number | string): boolean {
  return value === 0 || value === '0%';
}

/** Problems of the rollout settings. */
export function rollingUpdateProblems(options: RollingUpdateOptions = {}): string[] {
  const problems: string[] = [];
  const settings = { ...DEFAULT_ROLLING_UPDATE, ...options };
  for (const field of ['maxSurge', 'maxUnavailable'] as const) {
    const value = settings[field];
    const valid = typeof value === 'number' ? Number.isInteger(value) && value >= 0 : /^(\d|[1-9]\d|100)%$/.test(value);
    if (!valid) problems.push(`rollingUpdate.${field} (${show(value)}) must be a non-negative integer or a percentage such as "25%"`);
  }
  if (problems.length === 0 && isZero(settings.maxSurge) && isZero(settings.maxUnavailable)) {
    problems.push('rollingUpdate.maxSurge and rollingUpdate.maxUnavailable are both 0: a rollout could never replace a pod');
  }
  return problems;
}

/** The Deployment of a WebService or Worker; `replicas` undefined leaves the count to an autoscaler. */
export function renderDeployment(
  scope: Construct,
  props: { readonly name: string; readonly replicas?: number; readonly rollingUpdate?: RollingUpdateOptions; readonly template: k8s.PodTemplateSpec },
): k8s.KubeDeployment {
  const rollingUpdate = { ...DEFAULT_ROLLING_UPDATE, ...props.rollingUpdate };
  return new k8s.KubeDeployment(scope, 'deployment', {
    metadata: { name: props.name, labels: selectorLabels(props.name) },
    spec: {
      replicas: props.replicas,
      selector: { matchLabels: selectorLabels(props.name) },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: intOrPercent(rollingUpdate.maxSurge), maxUnavailable: intOrPercent(rollingUpdate.maxUnavailable) },
      },
      template: props.template,
    },
  });
}
