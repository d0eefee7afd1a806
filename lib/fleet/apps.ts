import { Chart, type ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { MANAGED_BY } from '../platform/layer.js';
import type { Cluster } from './cluster.js';
import { addCheck } from './errors.js';
import { helmReleaseProblems } from './foreign.js';
import { dnsLabelError, nameBelow } from './names.js';

/**
 * The scope developers declare workloads in: one namespace of one layer of one cluster.
 * Everything declared inside lands in `namespace`, with the cluster's stage and domain at hand.
 */
export class Apps extends Chart {
  override readonly namespace: string;
  /**
   * ServiceAccount (in flux-system) Flux impersonates to apply this namespace's folder, set by
   * the tenant owning the namespace; undefined means the layer's own identity.
   */
  serviceAccountName?: string;

  constructor(scope: Construct, readonly cluster: Cluster, namespace: string) {
    super(scope, namespace, {
      namespace,
      disableResourceNameHashes: true,
      labels: { ...MANAGED_BY, 'app.kubernetes.io/part-of': namespace },
    });
    this.namespace = namespace;
    const problem = dnsLabelError('namespace', namespace);
    addCheck(this, () => [...(problem ? [problem] : []), ...helmReleaseProblems(this)]);
  }

  /**
   * The name of an object declared here without `metadata.name` (a cdk8s-plus construct, a plain
   * `ApiObject`): its construct ids below this scope, the same on every cluster (see `nameBelow`).
   */
  override generateObjectName(apiObject: ApiObject): string {
    return nameBelow(this, apiObject);
  }

  /** The cluster's stage, for stage-dependent values: `apps.stage.pick({ ... })`. */
  get stage() {
    return this.cluster.stage;
  }
}
