import { Duration } from 'cdk8s';
import { show } from '../fleet/errors.js';
import { wholeNumberError, wholeSeconds } from './quantity.js';

/** At most `pods` pods, or `percent` % of the current replicas, added or removed per period. */
export type ScalingPolicy =
  | {
      /** Most pods added or removed per period, a whole number ≥ 1 (HPA policy type `Pods`). See https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-policies */
      readonly pods: number;
      /** The period (`periodSeconds`), in whole seconds, from `Duration.seconds(1)` to `Duration.minutes(30)`. */
      readonly per: Duration;
    }
  | {
      /** Most change per period, in percent of the current replicas, a whole number ≥ 1 (HPA policy type `Percent`). */
      readonly percent: number;
      /** The period (`periodSeconds`), in whole seconds, from `Duration.seconds(1)` to `Duration.minutes(30)`. */
      readonly per: Duration;
    };

/** How fast replicas may change in one direction. */
export interface ScalingRules {
  /**
   * How long the autoscaler looks back before acting: it takes the highest (scale-down) or
   * lowest (scale-up) recommendation of the window, so a short dip or spike changes nothing.
   * At most `Duration.hours(1)`.
   * @default scale-up: none (act at once); scale-down: Duration.minutes(5)
   */
  readonly stabilizationWindow?: Duration;
  /**
   * Limits on the change per period; periods are at most `Duration.minutes(30)`.
   * @default scale-up: `{ percent: 100, per: Duration.seconds(15) }` and `{ pods: 4, per: Duration.seconds(15) }`, whichever allows more;
   * scale-down: `{ percent: 50, per: Duration.minutes(1) }`
   */
  readonly policies?: readonly ScalingPolicy[];
  /**
   * Which policy applies when several do: `max` allows the biggest change, `min` the smallest,
   * `disabled` forbids scaling in this direction.
   * @default 'max'
   */
  readonly select?: 'max' | 'min' | 'disabled';
}

/** Scale-up and scale-down behaviour of a HorizontalPodAutoscaler (or of the one KEDA manages). */
export interface ScalingBehavior {
  /** @default react at once, at most doubling (or +4 pods) per `Duration.seconds(15)` */
  readonly scaleUp?: ScalingRules;
  /** @default wait `Duration.minutes(5)` of lower load, then remove at most half the pods per `Duration.minutes(1)` */
  readonly scaleDown?: ScalingRules;
}

/** The `behavior` field of an autoscaling/v2 HPA, fully spelled out. */
export interface RenderedBehavior {
  /** `behavior.scaleUp`: stabilization window, policies and select policy. See https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/ */
  readonly scaleUp: RenderedRules;
  /** `behavior.scaleDown`: stabilization window, policies and select policy. */
  readonly scaleDown: RenderedRules;
}

interface RenderedRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  readonly policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
}

// Scale up as fast as Kubernetes does by default; scale down more gently than its default
// (100% per 15s): losing capacity is what hurts, an extra pod for a minute only costs money.
const DEFAULTS: Readonly<Record<'scaleUp' | 'scaleDown', Required<ScalingRules>>> = {
  scaleUp: {
    stabilizationWindow: Duration.seconds(0),
    policies: [{ percent: 100, per: Duration.seconds(15) }, { pods: 4, per: Duration.seconds(15) }],
    select: 'max',
  },
  scaleDown: {
    stabilizationWindow: Duration.minutes(5),
    policies: [{ percent: 50, per: Duration.minutes(1) }],
    select: 'max',
  },
};

const MAX_WINDOW_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;
const SELECT = { max: 'Max', min: 'Min', disabled: 'Disabled' } as const;

/** The behavior with every default filled in, and the problems of what was given. */
export function renderBehavior(behavior: ScalingBehavior | undefined, what = 'autoscaling.behavior'): {
  /** The HPA `behavior`, every default filled in. */
  behavior: RenderedBehavior;
  /** What is wrong with the given behavior, each message naming its field below `what`; empty when valid. */
  problems: string[];
} {

  const problems: string[] = [];
  const rules = (direction: 'scaleUp' | 'scaleDown'): RenderedRules => {
    const given = behavior?.[direction];
    const merged = { ...DEFAULTS[direction], ...stripUndefined(given) };
    const path = `${what}.${direction}`;
    const window = seconds(`${path}.stabilizationWindow`, merged.stabilizationWindow, 0, MAX_WINDOW_SECONDS, problems);
    if (!(merged.select in SELECT)) problems.push(`${path}.select (${show(merged.select)}) is not one of: max, min, disabled`);
    if (merged.policies.length === 0) problems.push(`${path}.policies is empty: give at least one policy, or select 'disabled' to forbid scaling this way`);
    return {
      stabilizationWindowSeconds: window,
      selectPolicy: SELECT[merged.select] ?? 'Max',
      policies: merged.policies.map((p, i) => renderPolicy(`${path}.policies[${i}]`, p, problems)),
    };
  };
  return { behavior: { scaleUp: rules('scaleUp'), scaleDown: rules('scaleDown') }, problems };
}

function renderPolicy(path: string, policy: ScalingPolicy, problems: string[]): RenderedRules['policies'][number] {
  const periodSeconds = seconds(`${path}.per`, policy.per, 1, MAX_PERIOD_SECONDS, problems);
  if ('pods' in policy) {
    const problem = wholeNumberError(`${path}.pods`, policy.pods, 1);
    if (problem) problems.push(problem);
    return { type: 'Pods', value: policy.pods, periodSeconds };
  }
  const problem = wholeNumberError(`${path}.percent`, policy.percent, 1);
  if (problem) problems.push(problem);
  return { type: 'Percent', value: policy.percent, periodSeconds };
}

function seconds(what: string, duration: Duration | undefined, min: number, max: number, problems: string[]): number {
  if (!(duration instanceof Duration)) {
    problems.push(`${what} (${show(duration)}) must be a Duration, e.g. Duration.minutes(5)`);
    return min;
  }
  const value = wholeSeconds(what, duration);
  if (typeof value === 'string') {
    problems.push(value);
    return min;
  }
  if (value < min || value > max) problems.push(`${what} (${value}s) must be between ${min}s and ${max}s`);
  return value;
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
