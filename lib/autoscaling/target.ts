import type { Construct } from 'constructs';

/** Resource requests of one container, as Kubernetes quantities. */
export interface ContainerRequests {
  /** Container name, as in the pod template. */
  readonly name: string;
  /** CPU request, a Kubernetes quantity such as `250m` (cores). @default none (no CPU request) */
  readonly cpu?: string;
  /** Memory request, a Kubernetes quantity such as `512Mi` (bytes). @default none (no memory request) */
  readonly memory?: string;
}

/** What an autoscaler scales: a workload's controller, seen from outside. */
export interface ScaleTarget {
  /** API version of the scaled object, always `apps/v1` (the `scaleTargetRef.apiVersion`). */
  readonly apiVersion: 'apps/v1';
  /** Kind of the scaled object: `Deployment` or `StatefulSet`. */
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Name of the Deployment or StatefulSet; also names the autoscaler objects. */
  readonly name: string;
  /** Kubernetes namespace of the scaled object and of its autoscaler. */
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
