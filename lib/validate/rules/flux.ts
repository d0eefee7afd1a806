// What Flux applies and in which order, read from the rendered Kustomizations and HelmReleases of
// one cluster (strata's layer Kustomizations and hand-written ones alike): a dependsOn cycle
// leaves every object in it waiting forever, and a path the synth does not produce applies
// nothing, or everything.
import { posix } from 'node:path';
import type { ResolvedObject } from '../../synth/model.js';
import { cyclesOf } from '../graph.js';
import { arr, namespaceOf, nameOf, rec, str, type ClusterObjects } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { BOOTSTRAP_REPOSITORY } from './references.js';

/** Flux objects whose `spec.dependsOn` orders them (each names objects of its own kind). */
const ORDERED_KINDS = ['Kustomization', 'HelmRelease'] as const;

function isFlux(obj: ResolvedObject): boolean {
  return /^(kustomize|helm)\.toolkit\.fluxcd\.io\//.test(String(obj.manifest.apiVersion));
}

/** `namespace/name`; a dependsOn without namespace means the object's own (Flux's defaulting). */
function ref(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** The dependsOn graph of one kind: object → the objects it waits for (declared ones only; dangling ones are flux-dependency-exists'). */
function dependsOnGraph(objects: ClusterObjects, kind: string): Map<ResolvedObject, ResolvedObject[]> {
  const all = objects.ofKind(kind).filter(isFlux);
  const byRef = new Map(all.map((o) => [ref(namespaceOf(o), nameOf(o)), o]));
  return new Map(
    all.map((o) => [
      o,
      arr(rec(o.manifest.spec).dependsOn).flatMap((d) => {
        const name = str(rec(d).name);
        const found = name === undefined ? undefined : byRef.get(ref(str(rec(d).namespace) ?? namespaceOf(o), name));
        return found ? [found] : [];
      }),
    ]),
  );
}

export const fluxDependencyCycle: Rule = {
  id: 'flux-dependency-cycle',
  summary: 'No Flux Kustomization or HelmRelease waits for itself through spec.dependsOn (a dependsOn without namespace means the object\'s own), whether strata chained it (layers, components) or it was written by hand: Flux would never reconcile any object of the cycle.',
  hint: 'remove one dependsOn of the cycle: the layer or component that must come first depends on none of those after it',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    ORDERED_KINDS.flatMap((kind) => {
      const graph = dependsOnGraph(objects, kind);
      return cyclesOf(graph).map((cycle): Violation => {
        const [first] = cycle;
        const names = cycle.map((o) => `${namespaceOf(o) ? `${namespaceOf(o)}/` : ''}${nameOf(o)}`);
        if (cycle.length === 2) return { object: first, message: `${kind} ${names[0]} depends on itself (spec.dependsOn): Flux would never reconcile it` };
        return { object: first, message: `dependsOn cycle ${kind} ${names.join(' → ')}: Flux would never reconcile any of them` };
      });
    }),
};

/** `./dist/prod-eu/apps/` → `dist/prod-eu/apps`: the form Flux resolves a path to, relative to the source root. */
function normalizePath(path: string): string {
  const p = posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

/**
 * Where the folders of dist/ sit in the fleet's repository (e.g. `dist/`), read from strata's own
 * layer Kustomizations: each applies `<prefix><folder>`. Undefined when none does.
 */
function distPrefix(objects: ClusterObjects): string | undefined {
  const counts = new Map<string, number>();
  // Layers reading another source (an OCI artifact, an ExternalArtifact) have paths of that artifact.
  for (const k of objects.cluster.layers.filter((l) => readsFleetRepository(objects, l))) {
    const path = normalizePath(str(rec(k.manifest.spec).path) ?? '');
    const folder = objects.cluster.folders.find((f) => path === f.dir || path.endsWith(`/${f.dir}`));
    if (folder) {
      const prefix = path.slice(0, path.length - folder.dir.length);
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Whether a Kustomization reads the fleet's own repository: strata's GitRepository, or the one of `flux bootstrap`. */
function readsFleetRepository(objects: ClusterObjects, k: ResolvedObject): boolean {
  const source = rec(rec(k.manifest.spec).sourceRef);
  if (str(source.kind) !== 'GitRepository') return false;
  const ns = str(source.namespace) ?? namespaceOf(k);
  const name = str(source.name);
  if (ns === BOOTSTRAP_REPOSITORY.namespace && name === BOOTSTRAP_REPOSITORY.name) return true;
  return objects.cluster.sources.some((s) => s.manifest.kind === 'GitRepository' && namespaceOf(s) === ns && nameOf(s) === name);
}

export const fluxPathProduced: Rule = {
  id: 'flux-path-produced',
  summary: 'Every Flux Kustomization that reads the fleet\'s repository (strata\'s GitRepository or flux-system/flux-system) has a spec.path that is a folder the synth produces for this cluster, and no two Kustomizations apply the same folder: a missing folder fails the Kustomization, no path applies the whole repository, and two appliers of one folder prune each other\'s objects.',
  hint: 'point spec.path at a folder of this cluster\'s layers (./dist/<cluster>/<layer>), or add the layer that produces it',
  severity: ALWAYS_ERROR,
  check: (objects) => {
    const prefix = distPrefix(objects);
    if (prefix === undefined) return [];
    const produced = new Map(objects.cluster.folders.map((f) => [`${prefix}${f.dir}`, f.dir]));
    const appliedBy = new Map<string, ResolvedObject>();
    // strata's layer Kustomizations first: a hand-written one applying the same folder is the extra one.
    const layers = new Set(objects.cluster.layers);
    const kustomizations = [...objects.cluster.layers, ...objects.ofKind('Kustomization').filter((k) => !layers.has(k))];
    return kustomizations.filter((k) => isFlux(k) && readsFleetRepository(objects, k)).flatMap((k): Violation[] => {
      const raw = str(rec(k.manifest.spec).path);
      const path = raw === undefined ? '' : normalizePath(raw);
      if (path === '') {
        return [{ object: k, message: `spec.path ${raw === undefined ? 'is not set' : JSON.stringify(raw)}: Flux would apply the root of the fleet's repository, every cluster's folders at once` }];
      }
      if (!produced.has(path)) {
        const folders = [...produced.keys()].sort().map((p) => `./${p}`);
        return [{ object: k, message: `spec.path ${JSON.stringify(raw)} is not a folder the synth produces for this cluster (folders: ${folders.join(', ')})` }];
      }
      const first = appliedBy.get(path);
      if (!first) {
        appliedBy.set(path, k);
        return [];
      }
      return [{ object: k, message: `spec.path ${JSON.stringify(raw)} is also applied by Kustomization ${namespaceOf(first)}/${nameOf(first)} (${first.path}): two Kustomizations applying one folder prune each other's objects` }];
    });
  },
};
