import type { Cluster } from '../fleet/cluster.js';

const pending = new WeakMap<Cluster, (() => void)[]>();

/**
 * Defers work that needs the whole platform of a cluster, e.g. a tenant's policy admitting an
 * ingress controller installed after the tenant was declared.
 */
export function whenPlatformSettled(cluster: Cluster, work: () => void): void {
  let list = pending.get(cluster);
  if (!list) pending.set(cluster, (list = []));
  list.push(work);
}

/** Runs the deferred work; the fleet calls it once every platform definition of the cluster has run. */
export function settlePlatform(cluster: Cluster): void {
  const list = pending.get(cluster) ?? [];
  pending.delete(cluster);
  for (const work of list) work();
}
