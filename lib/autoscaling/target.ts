import type { Construct } from 'constructs';

/** Resource requests of one container, as Kubernetes quantities. */
export interface ContainerRequests {
  readonly name: string;
  readonly cpu?: string;
  readonly memory?: string;
}

/** What an autoscaler scales: a workload's controller, seen from outside. */
export interface ScaleTarget {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
  readonly namespace: string;
  /** Every container of the pod template with its requests (utilization targets need them). */
  readonly containers: readonly ContainerRequests[];
  /**
   * Labels the autoscaler objects carry, normally the workload's own.
   * @default `app.kubernetes.io/name: <name>`
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The labels of the objects an autoscaler renders for `target`. */
export function targetLabels(target: ScaleTarget): Record<string, string> {
  return { ...(target.labels ?? { 'app.kubernetes.io/name': target.name }) };
}

/**
 * An autoscaling policy a workload accepts as its `autoscaling` prop. A workload with one never
 * renders `spec.replicas` (the autoscaler owns it) and calls `attach` once.
 */
export interface IAutoscaling {
  /** Lowest replica count; 0 only for event-driven scalers. */
  readonly min: number;
  /** Highest replica count. */
  readonly max: number;
  /** Renders the autoscaler objects (HPA, ScaledObject, ...) for `target` under `scope`. */
  attach(scope: Construct, target: ScaleTarget): void;
}
