import type { Finding } from '../fleet/errors.js';

/** A Kubernetes object after resolution, with the construct it came from. */
export interface ResolvedObject {
  /** Construct path, e.g. `prod-eu/apps/shop/storefront/deployment`. */
  readonly path: string;
  /** Plain JSON manifest (apiVersion, kind, metadata, ...). */
  readonly manifest: Manifest;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/** A folder Flux applies through one Kustomization: `<cluster>/<layer path>`. */
export interface ResolvedFolder {
  /** Path below dist/, e.g. `prod-eu/infrastructure/controllers` or `prod-eu/apps/shop`. */
  readonly dir: string;
  /**
   * The namespace of a folder-per-namespace folder (e.g. `shop` for `prod-eu/apps/shop`): its
   * objects are written at the folder's root instead of a `<namespace>/` subfolder.
   */
  readonly namespace?: string;
  readonly objects: readonly ResolvedObject[];
}

/** One cluster's output: its layer folders and the Flux objects of `clusters/<name>/`. */
export interface ResolvedCluster {
  readonly name: string;
  readonly folders: readonly ResolvedFolder[];
  /** Flux Kustomizations, one per folder, in reconcile order. */
  readonly layers: readonly ResolvedObject[];
  /** Flux sources strata declares (empty when the cluster uses the bootstrapped `flux-system`). */
  readonly sources: readonly ResolvedObject[];
}

/** Everything a synth produced before layout: what the writer and the validators see. */
export interface FleetModel {
  readonly name: string;
  readonly clusters: readonly ResolvedCluster[];
  /** Errors found while building and resolving constructs. */
  readonly findings: readonly Finding[];
}
