import { Chart, type ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { MANAGED_BY } from '../platform/layer.js';
import type { Cluster } from './cluster.js';
import { addCheck } from './errors.js';
import { helmReleaseProblems } from './foreign.js';
import { constructId, constructIdError, dnsLabelError, nameBelow } from './names.js';
import { reservedNamespaceProblem } from './namespaces.js';

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
    super(scope, constructId(namespace), {
      namespace,
      disableResourceNameHashes: true,
      labels: { ...MANAGED_BY, 'app.kubernetes.io/part-of': namespace },
    });
    this.namespace = namespace;
    const problem = constructIdError('namespace', namespace) ?? dnsLabelError('namespace', namespace);
    // Checked at synth time, once every platform component has claimed its namespace; a tenant
    // owning the namespace reports it itself.
    addCheck(this, () => [
      problem,
      this.serviceAccountName === undefined ? reservedNamespaceProblem(cluster, namespace, `apps of namespace ${JSON.stringify(namespace)}`) : undefined,
      ...helmReleaseProblems(this),
    ].filter((p): p is string => !!p));
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
