import type { StageValue } from '../fleet/stage.js';
import type { ScalingBehavior } from './behavior.js';
import { EventAutoscaling, type EventAutoscalingProps } from './event-autoscaling.js';
import { HorizontalAutoscaling } from './horizontal-autoscaling.js';
import type { Metric, ResourceTarget } from './metric.js';
import { combinePerStage } from './stage-values.js';
import { fromOptions } from '../fleet/props.js';

/** Replica bounds; each may differ per stage, e.g. `min: perStage({ development: 1, production: 3 })`. */
export interface AutoscalingBounds {
  /** Lowest replica count (0 only with `Autoscaling.events`). */
  readonly min: StageValue<number>;
  /** Highest replica count. */
  readonly max: StageValue<number>;
}

/** Bounds that are the same on every stage. */
export interface FixedBounds {
  /** Lowest replica count, the same on every stage (0 only with `Autoscaling.events`). */
  readonly min: number;
  /** Highest replica count, the same on every stage. */
  readonly max: number;
}


/** `Autoscaling.cpu()` / `.memory()`: one resource target. */
export interface ResourceAutoscalingOptions extends AutoscalingBounds, ResourceTarget {
  /** Scale-up and scale-down behaviour. @default see `ScalingBehavior` */
  readonly behavior?: ScalingBehavior;
}

/** `Autoscaling.resources()`: any mix of cpu, memory, custom and external metrics. */
export interface MetricsAutoscalingOptions extends AutoscalingBounds {
  /** Scale on cpu. @default not on cpu */
  readonly cpu?: ResourceTarget;
  /** Scale on memory. @default not on memory */
  readonly memory?: ResourceTarget;
  /** Custom and external metrics. @default none */
  readonly metrics?: readonly Metric[];
  /** Scale-up and scale-down behaviour. @default see `ScalingBehavior` */
  readonly behavior?: ScalingBehavior;
}

/** `Autoscaling.events()`: KEDA triggers, scale to zero. */
export interface EventAutoscalingOptions extends AutoscalingBounds, Omit<EventAutoscalingProps, 'min' | 'max'> {}

const DEFAULT_CPU_UTILIZATION = 70;
const DEFAULT_MEMORY_UTILIZATION = 80;

/**
 * Autoscaling policies for a workload's `autoscaling` prop. The workload then never renders
 * `spec.replicas`: the autoscaler owns it, and Flux never resets it.
 *
 * ```ts
 * autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, production: 3 }), max: 20, utilization: 70 })
 * autoscaling: Autoscaling.events({ min: 0, max: 50, triggers: [Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } })] })
 * ```
 *
 * With stage-dependent bounds the result is stage-dependent too; the workload resolves it for
 * its cluster like any other stage-dependent prop.
 */
export class Autoscaling {
  /** A HorizontalPodAutoscaler on cpu. @default utilization 70% of the requests */
  static cpu(options: ResourceAutoscalingOptions & FixedBounds): HorizontalAutoscaling;
  static cpu(options: ResourceAutoscalingOptions): StageValue<HorizontalAutoscaling>;
  static cpu(options: ResourceAutoscalingOptions): StageValue<HorizontalAutoscaling> {
    return fromOptions('ResourceAutoscalingOptions', options, 'Autoscaling.cpu(...)', ({ min, max, behavior, ...target }) => hpaOf({ min, max, behavior, cpu: withDefault(target, DEFAULT_CPU_UTILIZATION) }), BOUNDS_EXAMPLE);
  }

  /** A HorizontalPodAutoscaler on memory. @default utilization 80% of the requests */
  static memory(options: ResourceAutoscalingOptions & FixedBounds): HorizontalAutoscaling;
  static memory(options: ResourceAutoscalingOptions): StageValue<HorizontalAutoscaling>;
  static memory(options: ResourceAutoscalingOptions): StageValue<HorizontalAutoscaling> {
    return fromOptions('ResourceAutoscalingOptions', options, 'Autoscaling.memory(...)', ({ min, max, behavior, ...target }) => hpaOf({ min, max, behavior, memory: withDefault(target, DEFAULT_MEMORY_UTILIZATION) }), BOUNDS_EXAMPLE);
  }

  /** A HorizontalPodAutoscaler on cpu, memory, custom and external metrics together. */
  static resources(options: MetricsAutoscalingOptions & FixedBounds): HorizontalAutoscaling;
  static resources(options: MetricsAutoscalingOptions): StageValue<HorizontalAutoscaling>;
  static resources(options: MetricsAutoscalingOptions): StageValue<HorizontalAutoscaling> {
    return fromOptions('MetricsAutoscalingOptions', options, 'Autoscaling.resources(...)', hpaOf, '{ min: 1, max: 10, cpu: { utilization: 70 } }');
  }

  /** A KEDA ScaledObject driven by triggers (queues, Prometheus, cron, ...), able to scale to zero. */
  static events(options: EventAutoscalingOptions & FixedBounds): EventAutoscaling;
  static events(options: EventAutoscalingOptions): StageValue<EventAutoscaling>;
  static events(options: EventAutoscalingOptions): StageValue<EventAutoscaling> {
    return fromOptions('EventAutoscalingOptions', options, 'Autoscaling.events(...)', (o) =>
      combinePerStage([o.min, o.max], (resolve) => new EventAutoscaling({ ...o, min: resolve(o.min), max: resolve(o.max) })), '{ min: 0, max: 10, triggers: [Trigger.rabbitmq({ ... })] }');
  }
}

/**
 * The autoscaler of checked options (per stage when its bounds are): `cpu` and `memory` build
 * theirs here rather than through `resources`, whose check would report their problems again.
 */
function hpaOf(o: MetricsAutoscalingOptions): StageValue<HorizontalAutoscaling> {
  return combinePerStage([o.min, o.max], (resolve) => new HorizontalAutoscaling({ ...o, min: resolve(o.min), max: resolve(o.max) }));
}

/** How the bounds of an autoscaler look, for the message about missing options. */
const BOUNDS_EXAMPLE = '{ min: 1, max: 10 }';

function withDefault(target: ResourceTarget, utilization: number): ResourceTarget {
  const given = Object.fromEntries(Object.entries(target).filter(([, v]) => v !== undefined)) as ResourceTarget;
  return given.utilization === undefined && given.averageValue === undefined ? { utilization } : given;
}
