import { readableProps } from '../fleet/props.js';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { ScaleTarget } from '../autoscaling/target.js';
import { renderDeployment, rollingUpdateProblems, type RollingUpdateOptions } from './deployment.js';
import type { PodOptions } from './pod.js';
import { addLaterFields } from './lifecycle.js';
import { renderDisruptionBudget, resolveScaling, zoneSpreadConstraints, type ScalingOptions } from './scaling.js';
import { Workload, type StageProps } from './workload.js';

/** A background process: queue consumers, stream processors, schedulers. */
export interface WorkerOptions extends PodOptions, ScalingOptions {
  /** How rollouts replace pods. @default maxSurge 25%, maxUnavailable 0 */
  readonly rollingUpdate?: RollingUpdateOptions;
}

/** The props of a Worker; any field may differ per stage (`perStage(...)`). */
export type WorkerProps = StageProps<WorkerOptions>;

/**
 * A Deployment without a Service, with its ServiceAccount and a NetworkPolicy (admitting nobody
 * unless `allowFrom` says so); a PodDisruptionBudget when more than one replica can run.
 * No probes by default, since a worker serves no port: declare them in `probes`.
 */
export class Worker extends Workload {
  private _deployment?: k8s.KubeDeployment;

  /**
   * The Deployment (named like the worker), for escape-hatch patches. Undefined when the worker
   * has errors (nothing is rendered; the synth reports them).
   * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
   */
  get deployment(): k8s.KubeDeployment | undefined {
    return this._deployment;
  }

  /** @throws StrataError when `scope` is not inside `fleet.apps(...)`, which gives the workload its namespace */
  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id, 'Worker', readableProps(props).name);
    const o = this.resolveProps<WorkerOptions>('WorkerProps', props);
    const ports = this.resolvePorts(o.ports ?? [], false);
    const scaling = resolveScaling(o, this.cluster, this.cluster.stage.isProduction ? 2 : 1, this.problems);
    const pod = this.buildPod(o, {
      ports,
      defaultProbes: {},
      defaultDrainSeconds: 0,
      zoneSpread: scaling.zoneSpread ? zoneSpreadConstraints(this.cluster, this.name) : undefined,
    });
    this.problems.push(...rollingUpdateProblems(o.rollingUpdate));
    this.admit(ports, o.allowFrom, undefined, o.egress);
    if (this.problems.length > 0) return;

    this.renderCommon(pod, o.serviceAccount);
    this._deployment = renderDeployment(this, { name: this.name, replicas: scaling.replicas, rollingUpdate: o.rollingUpdate, template: pod.template });
    addLaterFields(this._deployment, pod.laterFields);
    if (scaling.maxReplicas > 1) this.objects.disruptionBudget = renderDisruptionBudget(this, this.name, this.selector);
    const target: ScaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, namespace: this.namespace, containers: pod.containers };
    scaling.autoscaling?.attach(this, target);
  }
}
