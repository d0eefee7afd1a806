import { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';
import { quantityError, quantityOr0, wholeNumberError, wholeOr } from './quantity.js';
import { fromOptions } from '../fleet/props.js';

/**
 * Target of a cpu or memory metric: a percentage of the pods' requests (`utilization`), or an
 * absolute amount per pod (`averageValue`, e.g. `'500m'` cpu or `'1Gi'` memory). Give one.
 */
export interface ResourceTarget {
  /** Average use as a percentage of the request, e.g. 70. Every container needs a request. @default none */
  readonly utilization?: number;
  /** Average use per pod as a quantity, e.g. `'500m'` or `'1Gi'`. @default none */
  readonly averageValue?: string;
}

/** A custom metric per pod, served by a metrics adapter (e.g. prometheus-adapter). */
export interface PodsMetricProps {
  /** Metric name in the custom metrics API, e.g. `http_requests_per_second`. */
  readonly name: string;
  /** Target average per pod, as a quantity (e.g. `'100'`, `'500m'`). */
  readonly averageValue: string | number;
  /** Narrows the metric series by label. @default every series of the metric */
  readonly selector?: Readonly<Record<string, string>>;
}

/** A custom metric describing one Kubernetes object (e.g. requests per second on an Ingress). */
export interface ObjectMetricProps {
  /** Metric name in the custom metrics API. */
  readonly name: string;
  /** The object the metric describes, in the workload's namespace. */
  readonly object: {
    /** API version of the object, e.g. `networking.k8s.io/v1` (`describedObject.apiVersion`). */
    readonly apiVersion: string;
    /** Kind of the object, e.g. `Ingress`. */
    readonly kind: string;
    /** Name of the object. */
    readonly name: string;
  };

  /** Target value of the metric. Give `value` or `averageValue`. @default none */
  readonly value?: string | number;
  /** Target value divided by the number of pods. @default none */
  readonly averageValue?: string | number;
  /** Narrows the metric series by label. @default every series of the metric */
  readonly selector?: Readonly<Record<string, string>>;
}

/** A metric from outside the cluster (a queue length, a cloud metric), served by an external metrics adapter. */
export interface ExternalMetricProps {
  /** Metric name in the external metrics API. */
  readonly name: string;
  /** Target value of the metric. Give `value` or `averageValue`. @default none */
  readonly value?: string | number;
  /** Target value divided by the number of pods. @default none */
  readonly averageValue?: string | number;
  /** Narrows the metric series by label, e.g. `{ queue: 'orders' }`. @default every series of the metric */
  readonly selector?: Readonly<Record<string, string>>;
}

type Rendered = { readonly spec: k8s.MetricSpecV2; readonly problems: string[] };

/**
 * A custom (Pods, Object) or external metric of a HorizontalPodAutoscaler. These need a metrics
 * adapter on the cluster (prometheus-adapter, a cloud adapter); KEDA triggers are usually the
 * simpler way to scale on queues and Prometheus queries.
 */
export class Metric {
  /** Average of a per-pod custom metric, e.g. `Metric.pods({ name: 'http_requests_per_second', averageValue: 100 })`. */
  static pods(props: PodsMetricProps): Metric {
    return fromOptions('PodsMetricProps', props, 'Metric.pods(...)', (props) => new Metric(`pods metric ${show(props.name)}`, (what) => {
      const problems = [...nameProblems(what, props.name), ...quantityProblems(`${what}.averageValue`, props.averageValue)];
      return {
        spec: { type: 'Pods', pods: { metric: identifier(props), target: { type: 'AverageValue', averageValue: quantity(props.averageValue) } } },
        problems,
      };
    }), "{ name: 'http_requests_per_second', averageValue: 100 }");
  }

  /** A metric of one object, e.g. requests per second on an Ingress. */
  static object(props: ObjectMetricProps): Metric {
    return fromOptions('ObjectMetricProps', props, 'Metric.object(...)', (props) => new Metric(`object metric ${show(props.name)}`, (what) => {
      const { target, problems } = valueTarget(what, props);
      const ref = props.object;
      if (!ref?.apiVersion || !ref.kind || !ref.name) problems.push(`${what}.object (${show(ref)}) needs apiVersion, kind and name`);
      return {
        spec: { type: 'Object', object: { metric: identifier(props), describedObject: { apiVersion: ref?.apiVersion ?? '', kind: ref?.kind ?? '', name: ref?.name ?? '' }, target } },
        problems: [...nameProblems(what, props.name), ...problems],
      };
    }), "{ name: 'requests_per_second', object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' }, value: 1000 }");
  }

  /** A metric from outside the cluster, e.g. `Metric.external({ name: 'queue_depth', selector: { queue: 'orders' }, averageValue: 30 })`. */
  static external(props: ExternalMetricProps): Metric {
    return fromOptions('ExternalMetricProps', props, 'Metric.external(...)', (props) => new Metric(`external metric ${show(props.name)}`, (what) => {
      const { target, problems } = valueTarget(what, props);
      return { spec: { type: 'External', external: { metric: identifier(props), target } }, problems: [...nameProblems(what, props.name), ...problems] };
    }), "{ name: 'queue_depth', selector: { queue: 'orders' }, averageValue: 30 }");
  }

  private constructor(
    /** How errors name this metric. */
    readonly description: string,
    private readonly build: (what: string) => Rendered,
  ) {}

  /** The HPA metric spec, and the problems of the props (named after `what`, e.g. `autoscaling.metrics[0]`). */
  render(what: string): Rendered {
    return this.build(what);
  }
}

/** A cpu or memory metric (metrics-server) of a HorizontalPodAutoscaler. */
export function resourceMetric(resource: 'cpu' | 'memory', target: ResourceTarget, what: string): Rendered {
  const problems: string[] = [];
  const hasUtilization = target.utilization !== undefined;
  const hasAverage = target.averageValue !== undefined;
  if (hasUtilization === hasAverage) {
    problems.push(`${what} needs exactly one of utilization (a percentage of requests) or averageValue (a quantity per pod)`);
  }
  if (hasUtilization) {
    const problem = wholeNumberError(`${what}.utilization`, target.utilization, 1);
    if (problem) problems.push(problem);
    return { spec: { type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization: wholeOr(target.utilization!, 1) } } }, problems };
  }
  problems.push(...quantityProblems(`${what}.averageValue`, target.averageValue));
  return { spec: { type: 'Resource', resource: { name: resource, target: { type: 'AverageValue', averageValue: quantity(target.averageValue) } } }, problems };
}

function identifier(props: { readonly name: string; readonly selector?: Readonly<Record<string, string>> }): k8s.MetricIdentifierV2 {
  return { name: props.name, selector: props.selector ? { matchLabels: { ...props.selector } } : undefined };
}

function valueTarget(what: string, props: { readonly value?: string | number; readonly averageValue?: string | number }): { target: k8s.MetricTargetV2; problems: string[] } {
  if ((props.value === undefined) === (props.averageValue === undefined)) {
    return { target: { type: 'Value' }, problems: [`${what} needs exactly one of value or averageValue`] };
  }
  if (props.value !== undefined) return { target: { type: 'Value', value: quantity(props.value) }, problems: quantityProblems(`${what}.value`, props.value) };
  return { target: { type: 'AverageValue', averageValue: quantity(props.averageValue) }, problems: quantityProblems(`${what}.averageValue`, props.averageValue) };
}

function nameProblems(what: string, name: unknown): string[] {
  return typeof name === 'string' && name.length > 0 ? [] : [`${what}.name (${show(name)}) must be a metric name`];
}

function quantityProblems(what: string, value: unknown): string[] {
  const problem = quantityError(what, value);
  return problem ? [problem] : [];
}

function quantity(value: string | number | undefined): k8s.Quantity | undefined {
  const valid = quantityOr0(value);
  return valid === undefined ? undefined : k8s.Quantity.fromString(valid);
}
