import type { Finding } from '../fleet/errors.js';
import type { FleetModel, ResolvedCluster, ResolvedObject } from '../synth/model.js';
import { isClusterScoped } from './schema.js';

/** Namespaces every cluster has without anyone declaring them. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['default', 'flux-system', 'kube-node-lease', 'kube-public', 'kube-system']);

/** Where Flux applies an object: a folder (by dir), or `clusters/<name>` for the sync objects. */
interface Placed {
  readonly obj: ResolvedObject;
  readonly folder?: string;
}

/**
 * The folders Flux reconciles before each folder, read from the Kustomizations' `path` and
 * `dependsOn` (transitively): the order Flux really applies them in.
 */
function foldersBefore(cluster: ResolvedCluster): Map<string, Set<string>> {
  const folderOf = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const k of cluster.layers) {
    const spec = k.manifest.spec as { path?: string; dependsOn?: { name: string }[] } | undefined;
    const folder = cluster.folders.find((f) => spec?.path?.endsWith(`/${f.dir}`));
    if (!folder) continue;
    folderOf.set(k.manifest.metadata.name, folder.dir);
    deps.set(folder.dir, (spec?.dependsOn ?? []).map((d) => d.name));
  }
  const before = new Map<string, Set<string>>();
  const visit = (dir: string, trail: Set<string>): Set<string> => {
    const known = before.get(dir);
    if (known) return known;
    const result = new Set<string>();
    if (trail.has(dir)) return result; // cycles are the rule flux-dependency-cycle's
    trail.add(dir);
    for (const name of deps.get(dir) ?? []) {
      const dep = folderOf.get(name);
      if (!dep) continue;
      result.add(dep);
      for (const d of visit(dep, trail)) result.add(d);
    }
    before.set(dir, result);
    return result;
  };
  for (const f of cluster.folders) visit(f.dir, new Set());
  return before;
}

function namespaceProblems(cluster: ResolvedCluster, placed: readonly Placed[]): Finding[] {
  const created = new Map<string, string | undefined>();
  const findings: Finding[] = [];
  const external = new Set((cluster.externalNamespaces ?? []).map((n) => n.name));
  for (const { obj, folder } of placed) {
    if (obj.manifest.kind !== 'Namespace') continue;
    const name = obj.manifest.metadata.name;
    if (external.has(name)) {
      findings.push({
        path: obj.path,
        message: `Namespace ${name}: namespace "${name}" is declared external (created by another repository or the cluster's bootstrap), yet rendered here too: two owners would fight over it and prune it from each other; drop the declaration or this Namespace`,
      });
    }
    created.set(name, folder);
  }
  // Created before anything of this cluster is applied: by another repository or the bootstrap.
  for (const name of external) if (!created.has(name)) created.set(name, undefined);
  const before = foldersBefore(cluster);
  // One error per missing namespace, not one per object in it.
  const missing = new Map<string, { first: ResolvedObject; count: number }>();
  for (const { obj, folder } of placed) {
    const { apiVersion, kind, metadata } = obj.manifest;
    const ns = metadata.namespace;
    if (ns === undefined || isClusterScoped(apiVersion, kind) || SYSTEM_NAMESPACES.has(ns)) continue;
    const what = `${kind} ${metadata.name}`;
    if (!created.has(ns)) {
      const seen = missing.get(ns);
      if (seen) seen.count++;
      else missing.set(ns, { first: obj, count: 1 });
      continue;
    }
    const home = created.get(ns);
    if (folder && home && home !== folder && !before.get(folder)?.has(home)) {
      findings.push({
        path: obj.path,
        message: `${what}: namespace "${ns}" is created in ${home}, which Flux does not reconcile before ${folder}: create it in ${folder} or in a layer ${folder} depends on`,
      });
    }
  }
  for (const [ns, { first, count }] of missing) {
    const { kind, metadata } = first.manifest;
    const others = count > 1 ? ` and ${count - 1} more object${count > 2 ? 's' : ''}` : '';
    findings.push({
      path: first.path,
      message: `${kind} ${metadata.name}${others}: namespace "${ns}" is not created on the cluster: declare it (e.g. platform.addTenant('${ns}')), declare it external if another repository creates it (platform.externalNamespace('${ns}')) or use a system namespace (${[...SYSTEM_NAMESPACES].join(', ')})`,
    });
  }
  return findings;
}

/**
 * References between objects of one cluster that Flux would only find broken in the cluster: a
 * namespace nobody creates (or creates too late). A namespace declared external exists before
 * anything is applied; rendering it as well is an error. Dangling Flux `dependsOn` are the policy rule
 * flux-dependency-exists.
 */
export function checkReferences(model: FleetModel): Finding[] {
  return model.clusters.flatMap((cluster) => {
    const placed: Placed[] = [
      ...cluster.folders.flatMap((f) => f.objects.map((obj) => ({ obj, folder: f.dir }))),
      ...[...cluster.layers, ...cluster.sources].map((obj) => ({ obj })),
    ];
    return namespaceProblems(cluster, placed);
  });
}
