// A plan base that strata did not write: a plain Flux repository (the switch-over of
// docs/adopt.md). It is read like `npm run validate` reads one (lib/validate/flux-repo.ts): per
// cluster folder, every Flux Kustomization reached from it, its spec.path built as
// kustomize-controller builds it (overlays, patches, targetNamespace, post-build substitution).
// Each object belongs to the Kustomization whose build produced it, as in that Kustomization's
// inventory, so the plan compares identities the way Flux's garbage collection does.
// https://fluxcd.io/flux/components/kustomize/kustomizations/#garbage-collection
import { readFluxRepository } from '../validate/flux-repo.js';
import { idKey, idOf } from './identity.js';
import { BOOTSTRAP_KUSTOMIZATION, type ClusterTree, type LayerSync, type PlanTree, type TreeObject } from './tree.js';

/** A Flux repository as a plan base, with what it could not read (remote sources, unknown variables). */
export interface FluxBase {
  readonly tree: PlanTree;
  readonly notes: readonly string[];
}

/**
 * Reads the Flux repository at `root`: one cluster per cluster folder (`clusters/production` →
 * `production`), every object owned by the Kustomization that applies it, the objects of the
 * cluster folder by the bootstrap Kustomization `flux-system`. A Kustomization this reading
 * cannot follow (another source) is a layer whose inventory is unknown (no `folder`).
 */
export function readFluxTree(root: string): FluxBase {
  const repo = readFluxRepository(root);
  const clusters = new Map<string, ClusterTree>();
  for (const [name, inventories] of repo.inventories) {
    const objects = new Map<string, TreeObject>();
    const layers = new Map<string, LayerSync>();
    const followed = new Map(inventories.filter((i) => i.kustomization).map((i) => [i.kustomization!.manifest.metadata.name, i.folder]));
    for (const inventory of inventories) {
      const owner = inventory.kustomization?.manifest.metadata.name ?? BOOTSTRAP_KUSTOMIZATION;
      for (const o of inventory.objects) {
        const id = idOf(o.manifest);
        objects.set(idKey(id), { id, key: idKey(id), manifest: o.manifest, owner, file: o.file ?? inventory.folder });
      }
    }
    for (const k of repo.model.clusters.find((c) => c.name === name)?.layers ?? []) {
      const layer = k.manifest.metadata.name;
      const folder = followed.get(layer);
      layers.set(layer, { name: layer, manifest: k.manifest, ...(folder !== undefined ? { folder } : {}) });
    }
    clusters.set(name, { name, objects, layers });
  }
  const problems = repo.model.findings.map((f) => `${f.object ? `${f.object}: ` : ''}${f.message}`);
  return { tree: { clusters }, notes: [...problems, ...repo.notes] };
}
