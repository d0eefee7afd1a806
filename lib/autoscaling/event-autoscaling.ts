import { Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import { ScaledObject } from '../../imports/keda-scaledobject-keda.sh.js';
import { Cluster } from '../fleet/cluster.js';
import { addCheck, show } from '../fleet/errors.js';
import { renderBehavior, type ScalingBehavior } from './behavior.js';
import { boundsProblems, utilizationProblems } from './checks.js';
import { secondsAtLeast, wholeNumberError, wholeOr } from './quantity.js';
import { targetLabels, type IAutoscaling, type ScaleTarget } from './target.js';
import type { Trigger } from './trigger.js';
import { declareTriggers, triggerProblems } from './trigger-authentication.js';

/** Replicas KEDA keeps while it cannot read the triggers' metrics. */
export interface Fallback {
  /** Failed metric reads in a row before falling back. */
  readonly failureThreshold: number;
  /** Replicas meanwhile. */
  readonly replicas: number;
}

/** A KEDA policy with its bounds resolved for one stage. */
export interface EventAutoscalingProps {
  /** Lowest replica count; 0 scales the workload to zero while no trigger is active. */
  readonly min: number;
  /** Highest replica count. */
  readonly max: number;
  /** What drives the replica count; the highest demand of all triggers wins. */
  readonly triggers: readonly Trigger[];
  /** How often KEDA reads the triggers. @default Duration.seconds(30) */
  readonly pollingInterval?: Duration;
  /** How long after the last active trigger KEDA scales to zero (only with `min: 0` or `idleReplicaCount`). @default Duration.minutes(5) */
  readonly cooldownPeriod?: Duration;
  /** How long after creation KEDA waits before it may scale to zero. @default none */
  readonly initialCooldownPeriod?: Duration;
  /**
   * Replicas while no trigger is active (only 0 is supported): scale to zero when idle, but keep
   * at least `min` replicas once active. Needs `min ≥ 1`.
   * @default none: `min` is the floor at all times
   */
  readonly idleReplicaCount?: 0;
  /** Replicas to hold while the metrics cannot be read. @default none: keep the current count */
  readonly fallback?: Fallback;
  /** Scale-up and scale-down behaviour of the HPA KEDA manages. @default see `ScalingBehavior` */
  readonly behavior?: ScalingBehavior;
}

const DEFAULT_POLLING = Duration.seconds(30);
const DEFAULT_COOLDOWN = Duration.minutes(5);

/**
 * Scales a workload with a KEDA ScaledObject named after it: KEDA reads the triggers every
 * `pollingInterval`, activates the workload from zero, and feeds an HPA it manages
 * (`keda-hpa-<name>`) for the rest. Made by `Autoscaling.events()`.
 */
export class EventAutoscaling implements IAutoscaling {
  constructor(private readonly props: EventAutoscalingProps) {}

  get min(): number {
    return this.props.min;
  }

  get max(): number {
    return this.props.max;
  }

  /** @throws StrataError when `scope` is not inside a cluster of a Fleet */
  attach(scope: Construct, target: ScaleTarget): void {
    const cluster = Cluster.of(scope);
    const { min, max, idleReplicaCount, fallback } = this.props;
    const triggers = this.props.triggers ?? [];
    const problems: string[] = [];
    const behavior = renderBehavior(this.props.behavior);
    const labels = targetLabels(target);
    new ScaledObject(scope, 'scaled-object', {
      metadata: { name: target.name, namespace: target.namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
        minReplicaCount: wholeOr(min, 0),
        maxReplicaCount: wholeOr(max, 1),
        idleReplicaCount,
        pollingInterval: secondsAtLeast('autoscaling.pollingInterval', this.props.pollingInterval ?? DEFAULT_POLLING, 1, problems),
        cooldownPeriod: secondsAtLeast('autoscaling.cooldownPeriod', this.props.cooldownPeriod ?? DEFAULT_COOLDOWN, 0, problems),
        initialCooldownPeriod: this.props.initialCooldownPeriod && secondsAtLeast('autoscaling.initialCooldownPeriod', this.props.initialCooldownPeriod, 0, problems),
        fallback: fallback && { failureThreshold: fallback.failureThreshold, replicas: fallback.replicas },
        advanced: { horizontalPodAutoscalerConfig: { behavior: behavior.behavior } },
        triggers: declareTriggers(scope, { name: target.name, namespace: target.namespace, labels }, triggers),
      },
    });
    addCheck(scope, () => [
      ...boundsProblems(min, max, true),
      ...this.scaleToZeroProblems(),
      ...this.fallbackProblems(),
      ...problems,
      ...behavior.problems,
      ...triggerProblems(triggers, cluster, `ScaledObject ${show(target.name)}`),
      ...triggers.flatMap((t) => (t.resource && t.utilization !== undefined ? utilizationProblems(target, t.resource, t.utilization) : [])),
    ]);
  }

  /** KEDA activates from zero only on triggers it reads itself: cpu and memory come from the HPA, which sees no pods at zero. */
  private scaleToZeroProblems(): string[] {
    const { min, idleReplicaCount, triggers } = this.props;
    const problems: string[] = [];
    const toZero = min === 0 ? 'autoscaling.min (0)' : idleReplicaCount !== undefined ? `autoscaling.idleReplicaCount (${show(idleReplicaCount)})` : undefined;
    if (toZero && triggers?.length > 0 && triggers.every((t) => t.resource)) {
      problems.push(`${toZero} needs a trigger that is not cpu or memory: KEDA cannot scale to zero on cpu or memory alone (add e.g. a queue or cron trigger, or keep a floor above zero)`);
    }
    if (idleReplicaCount !== undefined) {
      if (idleReplicaCount !== 0) problems.push(`autoscaling.idleReplicaCount (${show(idleReplicaCount)}) must be 0: KEDA supports no other idle count`);
      else if (min === 0) problems.push(`autoscaling.idleReplicaCount (0) needs min ≥ 1: with min 0 the workload already scales to zero when idle`);
    }
    return problems;
  }

  private fallbackProblems(): string[] {
    const { fallback, triggers } = this.props;
    if (!fallback) return [];
    const problems = [
      wholeNumberError('autoscaling.fallback.failureThreshold', fallback.failureThreshold, 1),
      wholeNumberError('autoscaling.fallback.replicas', fallback.replicas, 1),
    ].filter((p): p is string => p !== undefined);
    if (triggers?.some((t) => t.resource)) {
      problems.push('autoscaling.fallback does not apply to cpu or memory triggers (KEDA falls back only on metrics it reads itself): remove fallback or those triggers');
    }
    return problems;
  }
}
