import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { IAutoscaling } from '../autoscaling/target.js';
import type { Cluster } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import { selectorLabels } from './network.js';

/** How many replicas a workload runs and where. */
export interface ScalingOptions {
  /**
   * A fixed replica count; not together with `autoscaling`.
   * @default 2 in production, 1 elsewhere (StatefulService: 1, since replication is the application's job)
   */
  readonly replicas?: number;
  /**
   * An autoscaling policy (e.g. HPA or KEDA). The autoscaler then owns the replica count, so
   * `spec.replicas` is never rendered (Flux would reset it on every reconcile).
   * @default none: a fixed replica count
   */
  readonly autoscaling?: IAutoscaling;
  /**
   * Spread replicas evenly over the zones (`cluster.provider.zoneLabel`), as far as nodes allow.
   * @default true in production, false elsewhere
   */
  readonly zoneSpread?: boolean;
}

/** The resolved scaling of a workload. */
export interface Scaling {
  /** `spec.replicas`, or undefined when an autoscaler owns it. */
  readonly replicas?: number;
  readonly autoscaling?: IAutoscaling;
  /** Most replicas that can ever run: more than one needs a PodDisruptionBudget. */
  readonly maxReplicas: number;
  readonly zoneSpread: boolean;
}

/** Applies stage defaults; `replicas` and `autoscaling` together are an error. */
export function resolveScaling(options: ScalingOptions, cluster: Cluster, defaultReplicas: number, problems: string[]): Scaling {
  const { replicas, autoscaling } = options;
  const zoneSpread = options.zoneSpread ?? cluster.stage.isProduction;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0)) problems.push(`replicas (${show(replicas)}) must be a non-negative integer`);
  if (autoscaling !== undefined) {
    if (typeof autoscaling?.attach !== 'function') {
      problems.push(`autoscaling (${show(autoscaling)}) is not an autoscaling policy (an IAutoscaling such as an HPA or KEDA policy)`);
      return { replicas: undefined, maxReplicas: 1, zoneSpread };
    }
    if (replicas !== undefined) problems.push(`replicas (${replicas}) and autoscaling are both set: the autoscaler owns the replica count, so remove replicas`);
    return { autoscaling, maxReplicas: autoscaling.max, zoneSpread };
  }
  const fixed = replicas ?? defaultReplicas;
  return { replicas: fixed, maxReplicas: fixed, zoneSpread };
}

/**
 * A PodDisruptionBudget letting voluntary disruptions (node drains, upgrades) take one pod at a
 * time. `maxUnavailable` rather than `minAvailable`, so a drain never deadlocks however few run.
 */
export function renderDisruptionBudget(scope: Construct, name: string, labels: Record<string, string>): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'disruption-budget', {
    metadata: { name, labels },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(name) } },
  });
}

/**
 * Spreads the pods of `name` over zones. `ScheduleAnyway`: a zone without capacity (or an outage)
 * must never keep replicas from being scheduled elsewhere.
 */
export function zoneSpreadConstraints(cluster: Cluster, name: string): k8s.TopologySpreadConstraint[] {
  return [{ maxSkew: 1, topologyKey: cluster.provider.zoneLabel, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(name) } }];
}
