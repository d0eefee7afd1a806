import type { Cluster } from '../fleet/cluster.js';

const pending = new WeakMap<Cluster, (() => void)[]>();
const afterApps = new WeakMap<Cluster, (() => void)[]>();

/** Adds `work` to the cluster's list in `lists`. */
function enqueue(lists: WeakMap<Cluster, (() => void)[]>, cluster: Cluster, work: () => void): void {
  let list = lists.get(cluster);
  if (!list) lists.set(cluster, (list = []));
  list.push(work);
}

/**
 * Defers work that needs the whole platform of a cluster, e.g. a tenant's policy admitting an
 * ingress controller installed after the tenant was declared.
 */
export function whenPlatformSettled(cluster: Cluster, work: () => void): void {
  enqueue(pending, cluster, work);
}

/** Runs the deferred work; the fleet calls it once every platform definition of the cluster has run. */
export function settlePlatform(cluster: Cluster): void {
  const list = pending.get(cluster) ?? [];
  pending.delete(cluster);
  for (const work of list) work();
}

/**
 * Runs `work` every time the fleet has run a cluster's app definitions, so it sees every
 * workload, e.g. a workload's Egress policy, which exists only once another workload admits it
 * or it declares a destination. Work is kept (a later render runs it again), so it must be idempotent.
 */
export function whenAppsSettled(cluster: Cluster, work: () => void): void {
  enqueue(afterApps, cluster, work);
}

/** Runs the work registered with `whenAppsSettled`, in registration order. */
export function settleApps(cluster: Cluster): void {
  for (const work of afterApps.get(cluster) ?? []) work();
}
