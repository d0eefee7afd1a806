// Namespaces no team may take: the ones Kubernetes and Flux run in, and the ones the platform's
// own components install into. A tenant there would bind its reconciler to cluster-admin and
// its group to `edit` beside the platform's controllers, and put default-deny on them.
import { SYSTEM_NAMESPACES } from '../validate/references.js';
import { show } from './errors.js';

/** Per cluster (any key object, the Cluster construct), namespace → component that installs into it. */
const owners = new WeakMap<object, Map<string, string>>();

/** Records that platform component `component` installs into `namespace` on `cluster`. */
export function claimNamespace(cluster: object, namespace: string, component: string): void {
  let map = owners.get(cluster);
  if (!map) owners.set(cluster, (map = new Map()));
  if (!map.has(namespace)) map.set(namespace, component);
}

/**
 * Why `namespace` cannot belong to a team (`what`, e.g. `tenant "shop"`) on `cluster`, or undefined
 * when it can. Call it once every component is declared (in a check): components claim lazily.
 */
export function reservedNamespaceProblem(cluster: object, namespace: string, what: string): string | undefined {
  if (SYSTEM_NAMESPACES.has(namespace)) {
    return `${what}: namespace ${show(namespace)} is a system namespace (${[...SYSTEM_NAMESPACES].join(', ')}), not a team's: give the team a namespace of its own`;
  }
  const component = owners.get(cluster)?.get(namespace);
  if (component !== undefined) {
    return `${what}: namespace ${show(namespace)} belongs to platform component ${show(component)}, not a team: give the team a namespace of its own`;
  }
  return undefined;
}
