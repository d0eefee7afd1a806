import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Capability } from '../fleet/capabilities.js';
import { Cluster } from '../fleet/cluster.js';
import { addCheck, show } from '../fleet/errors.js';
import { renderBehavior, type ScalingBehavior } from './behavior.js';
import { boundsProblems, capabilityProblem, utilizationProblems } from './checks.js';
import { resourceMetric, type Metric, type ResourceTarget } from './metric.js';
import { wholeOr } from './quantity.js';
import { targetLabels, type IAutoscaling, type ScaleTarget } from './target.js';

/** A HorizontalPodAutoscaler policy with its bounds resolved for one stage. */
export interface HorizontalAutoscalingProps {
  /** Lowest replica count (at least 1: a HorizontalPodAutoscaler never scales to zero). */
  readonly min: number;
  /** Highest replica count. */
  readonly max: number;
  /** Scale on cpu (needs metrics-server). @default not on cpu */
  readonly cpu?: ResourceTarget;
  /** Scale on memory (needs metrics-server). @default not on memory */
  readonly memory?: ResourceTarget;
  /** Custom and external metrics (need a metrics adapter). @default none */
  readonly metrics?: readonly Metric[];
  /** Scale-up and scale-down behaviour. @default see `ScalingBehavior` */
  readonly behavior?: ScalingBehavior;
}

/**
 * Scales a workload with an `autoscaling/v2` HorizontalPodAutoscaler named after it: the HPA
 * controller reads the metrics every 15 seconds and sets the workload's replicas between
 * `min` and `max`. Made by `Autoscaling.cpu()`, `.memory()` or `.resources()`.
 */
export class HorizontalAutoscaling implements IAutoscaling {
  constructor(private readonly props: HorizontalAutoscalingProps) {}

  get min(): number {
    return this.props.min;
  }

  get max(): number {
    return this.props.max;
  }

  /** @throws StrataError when `scope` is not inside a cluster of a Fleet */
  attach(scope: Construct, target: ScaleTarget): void {
    const { min, max } = this.props;
    const cluster = Cluster.of(scope);
    const rendered = [
      ...(this.props.cpu ? [resourceMetric('cpu', this.props.cpu, 'autoscaling.cpu')] : []),
      ...(this.props.memory ? [resourceMetric('memory', this.props.memory, 'autoscaling.memory')] : []),
      ...(this.props.metrics ?? []).map((m, i) => m.render(`autoscaling.metrics[${i}]`)),
    ];
    const behavior = renderBehavior(this.props.behavior);
    new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
      metadata: { name: target.name, namespace: target.namespace, labels: targetLabels(target) },
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
        minReplicas: wholeOr(min, 1),
        maxReplicas: wholeOr(max, 1),
        metrics: rendered.map((r) => r.spec),
        behavior: behavior.behavior,
      },
    });
    addCheck(scope, () => [
      ...boundsProblems(min, max, false),
      ...(rendered.length === 0 ? ['autoscaling needs at least one metric: set cpu, memory or metrics'] : []),
      ...rendered.flatMap((r) => r.problems),
      ...behavior.problems,
      ...this.utilization(target),
      ...this.metricsServer(cluster, target),
    ]);
  }

  private utilization(target: ScaleTarget): string[] {
    const { cpu, memory } = this.props;
    return [
      ...(cpu?.utilization !== undefined ? utilizationProblems(target, 'cpu', cpu.utilization) : []),
      ...(memory?.utilization !== undefined ? utilizationProblems(target, 'memory', memory.utilization) : []),
    ];
  }

  private metricsServer(cluster: Cluster, target: ScaleTarget): string[] {
    const resources = [this.props.cpu && 'cpu', this.props.memory && 'memory'].filter(Boolean).join(' and ');
    if (!resources) return [];
    return capabilityProblem(cluster, Capability.METRICS_SERVER, `HorizontalPodAutoscaler ${show(target.name)} (scaling on ${resources})`, 'Components.metricsServer()');
  }
}
