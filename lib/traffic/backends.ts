import type { Cluster } from '../fleet/cluster.js';

/** A Service routes may send requests to: a web service, as routes of other services see it. */
export interface RoutableService {
  readonly name: string;
  readonly namespace: string;
  /** The ports its Service exposes. */
  readonly servicePorts: readonly number[];
  /** Namespaces whose routes may reference it (it renders the ReferenceGrant). */
  readonly allowRoutesFrom: readonly string[];
}

const services = new WeakMap<Cluster, Map<string, RoutableService>>();
const routed = new WeakMap<Cluster, Set<string>>();

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Records a Service routes may reference. */
export function registerRoutable(cluster: Cluster, service: RoutableService): void {
  let map = services.get(cluster);
  if (!map) services.set(cluster, (map = new Map()));
  if (!map.has(key(service.namespace, service.name))) map.set(key(service.namespace, service.name), service);
}

/** The routable Service `namespace/name` of `cluster`, if one is declared. */
export function findRoutable(cluster: Cluster, namespace: string, name: string): RoutableService | undefined {
  return services.get(cluster)?.get(key(namespace, name));
}

/** Records that a route sends requests to `namespace/name`: its pods must admit the data plane. */
export function markRouted(cluster: Cluster, namespace: string, name: string): void {
  let set = routed.get(cluster);
  if (!set) routed.set(cluster, (set = new Set()));
  set.add(key(namespace, name));
}

/** True when some route of the cluster sends requests to `namespace/name`. */
export function isRouted(cluster: Cluster, namespace: string, name: string): boolean {
  return routed.get(cluster)?.has(key(namespace, name)) ?? false;
}
