// Namespaces no team may take: the ones Kubernetes and Flux run in, and the ones the platform's
// own components install into. A tenant there would bind its reconciler to cluster-admin and
// its group to `edit` beside the platform's controllers, and put default-deny on them.
import { SYSTEM_NAMESPACES } from '../validate/references.js';
import { compareStrings } from './canonical.js';
import { show } from './errors.js';

/** Per cluster (any key object, the Cluster construct), namespace → component that installs into it. */
const owners = new WeakMap<object, Map<string, string>>();

/** Records that platform component `component` installs into `namespace` on `cluster`. */
export function claimNamespace(cluster: object, namespace: string, component: string): void {
  let map = owners.get(cluster);
  if (!map) owners.set(cluster, (map = new Map()));
  if (!map.has(namespace)) map.set(namespace, component);
}

/** The platform component that installs into `namespace` on `cluster`, if any. */
export function componentOfNamespace(cluster: object, namespace: string): string | undefined {
  return owners.get(cluster)?.get(namespace);
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

/**
 * A namespace that exists on the cluster without strata creating it: another repository, another
 * Flux Kustomization or the cluster's bootstrap creates it. strata writes no Namespace object for
 * it, yet workloads and tenants may target it.
 */
export interface ExternalNamespace {
  readonly name: string;
  /**
   * The labels its owner sets, for the checks that select namespaces by label (NetworkPolicy
   * `namespaceSelector`, Pod Security admission). Undefined when unknown: those checks then know
   * only `kubernetes.io/metadata.name`, which the API server sets on every namespace.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Construct path of the declaration, for errors. */
  readonly declaredBy: string;
}

/** Per cluster (the Cluster construct), namespace → its declaration as external. */
const externals = new WeakMap<object, Map<string, ExternalNamespace>>();

/**
 * Records that `namespace.name` exists on `cluster` without strata creating it.
 * @returns why it cannot be recorded (declared twice), or undefined
 */
export function declareExternalNamespace(cluster: object, namespace: ExternalNamespace): string | undefined {
  let map = externals.get(cluster);
  if (!map) externals.set(cluster, (map = new Map()));
  const earlier = map.get(namespace.name);
  if (earlier !== undefined) {
    return `namespace ${show(namespace.name)} is already declared external by ${earlier.declaredBy}: declare it once`;
  }
  map.set(namespace.name, namespace);
  return undefined;
}

/** The namespaces declared external on `cluster`, by name. */
export function externalNamespacesOf(cluster: object): ExternalNamespace[] {
  return [...(externals.get(cluster)?.values() ?? [])].sort((a, b) => compareStrings(a.name, b.name));
}
