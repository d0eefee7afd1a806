import type { Finding } from '../fleet/errors.js';
import type { StageName } from '../fleet/stage.js';

/** A Kubernetes object after resolution, with the construct it came from. */
export interface ResolvedObject {
  /** Construct path, e.g. `prod-eu/apps/shop/storefront/deployment`. */
  readonly path: string;
  /** Plain JSON manifest (apiVersion, kind, metadata, ...). */
  readonly manifest: Manifest;
  /** The dist/ file it was read from, when it was read rather than built. @default none */
  readonly file?: string;
}

/** A rendered Kubernetes object, as written to dist/. */
export interface Manifest {
  /** API group and version, e.g. `apps/v1`, or `v1` for the core group. */
  apiVersion: string;
  /** Object kind, e.g. `Deployment`. */
  kind: string;
  /** Object metadata; other `ObjectMeta` fields are kept as they are. See https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/ */
  metadata: {
    /** Object name, unique per kind and namespace. */
    name: string;
    /** Namespace of a namespaced object; absent on cluster-scoped ones. @default none */

    namespace?: string;
    /** Labels, key to value. @default none */
    labels?: Record<string, string>;
    /** Annotations, key to value. @default none */
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
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
  /** The objects written to the folder. */
  readonly objects: readonly ResolvedObject[];
}

/** One cluster's output: its layer folders and the Flux objects of `clusters/<name>/`. */
export interface ResolvedCluster {
  /** Cluster name, e.g. `prod-eu`: the first segment of its folders' paths. */
  readonly name: string;
  /** The stage the cluster serves: policy severities depend on it. */
  readonly stage: StageName;
  /**
   * The Kubernetes minor version the cluster runs, e.g. `1.30`: rules and the schema
   * checks go by that release's API. @default DEFAULT_KUBERNETES_VERSION ('1.33')
   */
  readonly kubernetesVersion?: string;
  /** Layer folders, each applied by one Flux Kustomization (see `layers`). */
  readonly folders: readonly ResolvedFolder[];
  /** Flux Kustomizations, one per folder, in reconcile order. */
  readonly layers: readonly ResolvedObject[];
  /**
   * Why the cluster does without Flux's multi-tenancy lockdown; undefined when the lockdown is
   * on (`clusters/<name>/kustomization.yaml` then patches the bootstrapped controllers).
   */
  readonly fluxLockdownOff?: string;
  /** Flux sources strata declares (empty when the cluster uses the bootstrapped `flux-system`). */
  readonly sources: readonly ResolvedObject[];
  /**
   * Namespaces that exist on the cluster without a Namespace object in the output (created by
   * another repository or the cluster's bootstrap), with the labels their owner declared they
   * carry (undefined when unknown). @default none
   */
  readonly externalNamespaces?: readonly ExternalNamespaceRecord[];
  /**
   * Waivers declared with `Waivers.waive`, with the objects each covers, so one that waives
   * nothing is reported. @default derived from the objects' waiver annotations
   */
  readonly waivers?: readonly WaiverRecord[];
}

/** A namespace declared as created outside strata's output. */
export interface ExternalNamespaceRecord {
  /** Namespace name. */
  readonly name: string;
  /** Its labels as declared; undefined when unknown. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One waiver: a policy rule, a reason, and the objects (construct paths) it covers. */
export interface WaiverRecord {
  /** Construct path of the scope it was declared on. */
  readonly path: string;
  /** Name of the policy rule it waives, e.g. `pod-security-restricted`. */
  readonly rule: string;
  /** Why the rule does not apply, as given to `Waivers.waive`. */
  readonly reason: string;
  /** Construct paths of the objects it covers; empty when it waives nothing. */
  readonly objects: readonly string[];
}

/** Everything a synth produced before layout: what the writer and the validators see. */
export interface FleetModel {
  /** Fleet name, as given to `new Fleet({ name })`. */
  readonly name: string;
  /** The resolved clusters, in fleet order (one, when a synth checks a cluster at a time). */
  readonly clusters: readonly ResolvedCluster[];

  /** Errors found while building and resolving constructs. */
  readonly findings: readonly Finding[];
}
