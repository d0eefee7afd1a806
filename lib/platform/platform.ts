import type { Cluster } from '../fleet/cluster.js';
import type { Layer } from './layer.js';

/**
 * The platform team's view of one cluster: the infrastructure layers where controllers and
 * their configuration land. Passed to `fleet.platform((platform, cluster) => ...)`.
 */
export class Platform {
  constructor(readonly cluster: Cluster) {}

  /** `infrastructure/controllers`: CRDs and controllers (Helm releases). */
  get controllers(): Layer {
    return this.cluster.layer('infrastructure/controllers');
  }

  /** `infrastructure/configs`: custom resources of those controllers (issuers, node pools, ...). */
  get configs(): Layer {
    return this.cluster.layer('infrastructure/configs');
  }
}
