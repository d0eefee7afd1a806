import { readableProps } from '../fleet/props.js';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { ScaleTarget } from '../autoscaling/target.js';
import { show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { selectorLabels } from './network.js';
import type { PodOptions } from './pod.js';
import { Probe } from './probe.js';
import { parseQuantity } from '../fleet/quantity.js';
import { addLaterFields } from './lifecycle.js';
import { renderDisruptionBudget, resolveScaling, zoneSpreadConstraints, type ScalingOptions } from './scaling.js';
import { renderService, serviceNameProblems } from './service.js';
import { Workload, type StageProps } from './workload.js';
import { sortedEntries } from '../fleet/canonical.js';

/** A persistent volume per pod, from a volume claim template. */
export interface ClaimOptions {
  /** Absolute path it is mounted at, e.g. `/var/lib/postgresql/data`. */
  readonly path: string;
  /** Requested size, e.g. `20Gi`. */
  readonly size: string;
  /** @default the provider's storage class (`cluster.provider.storageClass`) */
  readonly storageClass?: string;
  /** @default 'ReadWriteOnce' */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteOncePod';
}

/** A service with state: a database, a broker, a cache with persistence. */
export interface StatefulServiceOptions extends PodOptions, ScalingOptions {
  /**
   * Persistent volumes by claim name, each pod getting its own: `{ data: { path: '/data', size: '20Gi' } }`.
   * Kubernetes never changes the claim templates of an existing StatefulSet, so choose them with care.
   * @default none
   */
  readonly storage?: Readonly<Record<string, ClaimOptions>>;
}

/** The props of a StatefulService; any field may differ per stage (`perStage(...)`). */
export type StatefulServiceProps = StageProps<StatefulServiceOptions>;

/** Flux never deletes an object carrying this annotation, even when it leaves Git. */
export const FLUX_PRUNE_ANNOTATION = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } as const;

/** Kubernetes labels each pod `controller-revision-hash: <name>-<10 characters>`, a label value of at most 63. */
const MAX_STATEFULSET_NAME = 52;

/**
 * A StatefulSet with a headless Service (stable DNS names `<name>-0.<name>`), volume claim
 * templates on the provider's storage class, ServiceAccount and NetworkPolicy; a
 * PodDisruptionBudget when more than one replica can run, and then its NetworkPolicy admits its
 * own pods. One replica by default on every stage: running more is only safe when the application
 * replicates its own state.
 *
 * Data outlives the code: the claims are never deleted with the StatefulSet or on scale-down
 * (`persistentVolumeClaimRetentionPolicy: Retain`) and carry Flux's `prune: disabled`.
 * The StatefulSet itself stays prunable, so removing the service from the code stops its pods.
 */
export class StatefulService extends Workload {
  private _statefulSet?: k8s.KubeStatefulSet;
  private _service?: k8s.KubeService;

  /**
   * The StatefulSet (named like the service), for escape-hatch patches. Undefined when the
   * service has errors (nothing is rendered; the synth reports them).
   * https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/
   */
  get statefulSet(): k8s.KubeStatefulSet | undefined {
    return this._statefulSet;
  }

  /** The headless Service giving each pod a DNS name. Undefined when the service has errors. */
  get service(): k8s.KubeService | undefined {
    return this._service;
  }

  /** @throws StrataError when `scope` is not inside `fleet.apps(...)`, which gives the workload its namespace */
  constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    super(scope, id, 'StatefulService', readableProps(props).name);
    this.problems.push(...serviceNameProblems('StatefulService', this.name));
    const o = this.resolveProps<StatefulServiceOptions>('StatefulServiceProps', props);
    if (this.name.length > MAX_STATEFULSET_NAME) {
      this.problems.push(`StatefulService name ${show(this.name)} has ${this.name.length} characters; at most ${MAX_STATEFULSET_NAME} fit, since Kubernetes labels its pods with the name and an 11-character revision suffix`);
    }
    const ports = this.resolvePorts(o.ports ?? [], true);
    const scaling = resolveScaling(o, this.cluster, 1, this.problems);
    // By claim name: volumeClaimTemplates are immutable, so the key order of `storage` must not matter.
    const storage = sortedEntries(o.storage ?? {});
    this.problems.push(...storage.flatMap(([name, claim]) => claimProblems(name, claim)));
    const security = o.security ?? {};
    const pod = this.buildPod(o, {
      ports,
      defaultProbes: ports.length > 0 ? { readiness: Probe.tcp({ periodSeconds: 10 }) } : {},
      defaultDrainSeconds: 5,
      zoneSpread: scaling.zoneSpread ? zoneSpreadConstraints(this.cluster, this.name) : undefined,
      claims: storage.map(([name, claim]) => ({ name, path: claim.path })),
      // Volumes are root-owned: let the (non-root) user's group write to them.
      securityDefaults: storage.length > 0 ? { fsGroup: security.runAsGroup ?? security.runAsUser } : undefined,
    });
    // Replicas of one set replicate to each other through the headless Service.
    this.admit(ports, scaling.maxReplicas > 1 && ports.length > 0 ? [this, ...(o.allowFrom ?? [])] : o.allowFrom, undefined, o.egress);
    if (this.problems.length > 0) return;

    this.renderCommon(pod, o.serviceAccount);
    this._statefulSet = new k8s.KubeStatefulSet(this, 'stateful-set', {
      metadata: { name: this.name, labels: this.selector },
      spec: {
        serviceName: this.name,
        replicas: scaling.replicas,
        selector: { matchLabels: this.selector },
        template: pod.template,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        volumeClaimTemplates: storage.length > 0 ? storage.map(([name, claim]) => this.claimTemplate(name, claim)) : undefined,
      },
    });
    addLaterFields(this._statefulSet, pod.laterFields);
    this._service = renderService(this, { name: this.name, ports, headless: true });
    if (scaling.maxReplicas > 1) this.objects.disruptionBudget = renderDisruptionBudget(this, this.name, this.selector);
    const target: ScaleTarget = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: this.name, namespace: this.namespace, containers: pod.containers };
    scaling.autoscaling?.attach(this, target);
  }

  private claimTemplate(name: string, claim: ClaimOptions): k8s.KubePersistentVolumeClaimProps {
    return {
      metadata: { name, labels: selectorLabels(this.name), annotations: { ...FLUX_PRUNE_ANNOTATION } },
      spec: {
        accessModes: [claim.accessMode ?? 'ReadWriteOnce'],
        storageClassName: claim.storageClass ?? this.cluster.provider.storageClass,
        resources: { requests: { storage: k8s.Quantity.fromString(claim.size) } },
      },
    };
  }
}

function claimProblems(name: string, claim: ClaimOptions): string[] {
  const problems = [dnsLabelError('storage: claim name', name)].filter((p): p is string => p !== undefined);
  // A size left out is the props check's to report (`storage.data.size is required`).
  if (claim.size !== undefined && parseQuantity(claim.size) === undefined) problems.push(`storage.${name}.size ${show(claim.size)} is not a Kubernetes quantity (e.g. "20Gi")`);
  return problems;
}
