import { Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';

/** How Flux reconciles a layer. Defaults follow the Flux reference repositories. */
export interface ReconcileOptions {
  /** How often Flux re-applies the layer, correcting drift. @default '1h' */
  readonly interval?: string;
  /** How soon Flux retries after a failed apply. @default '2m' */
  readonly retryInterval?: string;
  /** How long Flux waits for the layer to become ready. @default '5m' */
  readonly timeout?: string;
  /** Delete objects that are no longer in Git. @default true */
  readonly prune?: boolean;
  /** Wait for every applied object to be ready before the next layer starts. @default true */
  readonly wait?: boolean;
}

export interface LayerProps extends ReconcileOptions {
  /**
   * Layers (by path) Flux must have reconciled before this one.
   * @default the layer declared just before this one (none for the first)
   */
  readonly dependsOn?: readonly string[];
  /**
   * ServiceAccount (in flux-system) Flux impersonates to apply this layer, for multi-tenancy.
   * @default kustomize-controller's own account
   */
  readonly serviceAccountName?: string;
}

export const DEFAULT_RECONCILE: Required<ReconcileOptions> = {
  interval: '1h',
  retryInterval: '2m',
  timeout: '5m',
  prune: true,
  wait: true,
};

/** Labels every object strata renders carries. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'strata' } as const;

/**
 * One folder of a cluster that Flux applies with one Kustomization, e.g. `infrastructure/controllers`.
 * Layers are reconciled in order, each waiting for the ones it depends on.
 */
export class Layer extends Chart {
  /** Finds the layer a construct belongs to, or undefined outside any layer. */
  static containing(scope: IConstruct): Layer | undefined {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      if (s instanceof Layer) return s as Layer;
    }
    return undefined;
  }

  /** The layer's path below the cluster folder, e.g. `infrastructure/controllers`. */
  readonly path: string;
  /** Paths of the layers this one depends on. */
  readonly dependsOn: readonly string[];
  readonly reconcile: Required<ReconcileOptions>;
  readonly serviceAccountName?: string;

  constructor(scope: Construct, id: string, path: string, props: LayerProps & { readonly dependsOn: readonly string[] }) {
    super(scope, id, { disableResourceNameHashes: true, labels: { ...MANAGED_BY } });
    this.path = path;
    this.dependsOn = props.dependsOn;
    this.reconcile = {
      interval: props.interval ?? DEFAULT_RECONCILE.interval,
      retryInterval: props.retryInterval ?? DEFAULT_RECONCILE.retryInterval,
      timeout: props.timeout ?? DEFAULT_RECONCILE.timeout,
      prune: props.prune ?? DEFAULT_RECONCILE.prune,
      wait: props.wait ?? DEFAULT_RECONCILE.wait,
    };
    this.serviceAccountName = props.serviceAccountName;
  }

  /** Name of the layer's Flux Kustomization: the path with '/' as '-'. */
  get fluxName(): string {
    return layerFluxName(this.path);
  }
}

export function layerFluxName(path: string): string {
  return path.replace(/\//g, '-');
}
