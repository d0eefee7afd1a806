import type { Cluster } from '../fleet/cluster.js';

/**
 * The namespace label the cluster gateway admits routes by (`allowedRoutes.namespaces.from:
 * Selector`): only namespaces carrying it may attach routes, so exposure is a platform decision.
 */
export const GATEWAY_ACCESS_LABEL = 'strata.dev/gateway-access';

const exposed = new WeakMap<Cluster, Set<string>>();

/** Records that `namespace` carries the gateway access label on `cluster`. */
export function exposeNamespace(cluster: Cluster, namespace: string): void {
  let set = exposed.get(cluster);
  if (!set) exposed.set(cluster, (set = new Set()));
  set.add(namespace);
}

/** True when `namespace` may attach routes to the cluster's gateway (and carry external traffic). */
export function isExposed(cluster: Cluster, namespace: string): boolean {
  return exposed.get(cluster)?.has(namespace) ?? false;
}
