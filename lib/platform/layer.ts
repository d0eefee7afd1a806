import { ApiObject, Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { addCheck, show } from '../fleet/errors.js';
import { compareStrings } from '../fleet/canonical.js';
import { helmReleaseProblems } from '../fleet/foreign.js';
import { dnsLabelError, nameBelow } from '../fleet/names.js';
import { isClusterScoped } from '../validate/schema.js';

/** How Flux reconciles a layer. Defaults follow the Flux reference repositories. */
export interface ReconcileOptions {
  /** How often Flux re-applies the layer, correcting drift, a Go duration. @default '1h' */
  readonly interval?: string;
  /** How soon Flux retries after a failed apply, a Go duration. @default '2m' */
  readonly retryInterval?: string;
  /** How long Flux waits for the layer to become ready, a Go duration. @default '5m' */
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
  /**
   * Give every namespace declared in this layer (`fleet.apps(namespace, ...)`) its own folder
   * `<layer>/<namespace>/` and its own Flux Kustomization `<layer>-<namespace>`, so a tenant's
   * namespace is reconciled through the tenant's ServiceAccount and nobody else's.
   * @default false (true for the default `apps` layer)
   */
  readonly folderPerNamespace?: boolean;
}

/** One folder of a layer that Flux applies with one Kustomization. */
export interface LayerFolder {
  /** Path below the cluster folder, e.g. `infrastructure/configs` or `apps/shop`. */
  readonly path: string;
  /** Name of its Flux Kustomization, e.g. `apps-shop`. */
  readonly fluxName: string;
  /** The namespace every object of a folder-per-namespace folder is in. */
  readonly namespace?: string;
  /** The construct whose objects the folder holds. */
  readonly scope: IConstruct;
  /** ServiceAccount in flux-system Flux impersonates to apply the folder, if any. */
  readonly serviceAccountName?: string;
}

/** How a layer's Flux Kustomization reconciles unless told otherwise (the Flux reference repositories' values). */
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
 * What a layer reads of a namespace scope (`fleet.apps(namespace, ...)`, the fleet's `Apps`
 * chart): stated here so the layer does not depend on the fleet above it.
 */
interface NamespaceScope extends Chart {
  readonly namespace: string;
  readonly serviceAccountName?: string;
}

const LAYER_BRAND = Symbol.for('strata.Layer');

/**
 * One folder of a cluster that Flux applies with one Kustomization, e.g. `infrastructure/controllers`.
 * Layers are reconciled in order, each waiting for the ones it depends on.
 */
export class Layer extends Chart {
  /** True for layers only (cdk8s makes `instanceof` of any Chart subclass true for every chart). */
  static isLayer(x: unknown): x is Layer {
    return typeof x === 'object' && x !== null && LAYER_BRAND in x;
  }

  /** `x instanceof Layer` is `Layer.isLayer(x)`: cdk8s makes `instanceof` of any Chart subclass true for every chart. */
  static override [Symbol.hasInstance](x: unknown): x is Layer {
    return Layer.isLayer(x);
  }

  /** Finds the layer a construct belongs to, or undefined outside any layer. */
  static containing(scope: IConstruct): Layer | undefined {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      if (Layer.isLayer(s)) return s;
    }
    return undefined;
  }

  readonly [LAYER_BRAND] = true;

  /** The layer's path below the cluster folder, e.g. `infrastructure/controllers`. */
  readonly path: string;
  /** Paths of the layers this one depends on. */
  readonly dependsOn: readonly string[];
  readonly reconcile: Required<ReconcileOptions>;
  readonly serviceAccountName?: string;
  /** True when each namespace of the layer is a folder of its own (see `LayerProps.folderPerNamespace`). */
  readonly folderPerNamespace: boolean;

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
    this.folderPerNamespace = props.folderPerNamespace ?? false;
    if (this.folderPerNamespace) addCheck(this, () => this.folderProblems());
    // Namespace scopes check their own Helm charts.
    addCheck(this, () => this.node.children.filter((c) => !(c instanceof Chart && typeof c.namespace === 'string')).flatMap(helmReleaseProblems));
  }

  /** The folders Flux applies for this layer: the layer itself, or one per namespace. */
  folders(): LayerFolder[] {
    if (!this.folderPerNamespace) {
      return [{ path: this.path, fluxName: this.fluxName, scope: this, serviceAccountName: this.serviceAccountName }];
    }
    return this.namespaceScopes().map((apps) => ({
      path: `${this.path}/${apps.namespace}`,
      fluxName: `${this.fluxName}-${apps.namespace}`,
      namespace: apps.namespace,
      scope: apps,
      serviceAccountName: apps.serviceAccountName ?? this.serviceAccountName,
    }));
  }

  /**
   * The namespace scopes (`fleet.apps(namespace, ...)`) declared in this layer, by namespace: the
   * order of `addTenant` or `fleet.apps` calls never reorders layers.yaml or a `dependsOn`. A scope
   * with an invalid namespace (reported by the scope itself) gets no folder.
   */
  private namespaceScopes(): NamespaceScope[] {
    return this.node.children
      .filter((c): c is NamespaceScope => c instanceof Chart && typeof c.namespace === 'string' && !dnsLabelError('', c.namespace))
      .sort((a, b) => compareStrings(a.namespace, b.namespace));
  }

  /**
   * In a folder-per-namespace layer every object belongs to one namespace scope, and a folder
   * Flux applies as a tenant's ServiceAccount may hold only that tenant's namespace: anything
   * else would be refused by the API server on every reconcile.
   */
  private folderProblems(): string[] {
    const problems: string[] = [];
    for (const child of this.node.children) {
      if (child instanceof Chart && typeof child.namespace === 'string') continue;
      for (const obj of child.node.findAll().filter(ApiObject.isApiObject)) {
        problems.push(`${obj.kind} ${show(obj.name)} is outside any namespace: layer ${show(this.path)} has a folder per namespace, declare it inside fleet.apps('<namespace>', ...)`);
      }
    }
    for (const folder of this.folders().filter((f) => f.serviceAccountName)) {
      for (const obj of folder.scope.node.findAll().filter(ApiObject.isApiObject)) {
        const ns = obj.metadata.namespace;
        if (isClusterScoped(obj.apiVersion, obj.kind)) {
          problems.push(`${obj.kind} ${show(obj.name)} is cluster-scoped, but folder ${show(folder.path)} is applied as ServiceAccount ${show(folder.serviceAccountName)}, which may change only namespace ${show(folder.namespace)}: declare it in the platform (e.g. fleet.platform(...)) instead`);
        } else if (ns !== undefined && ns !== folder.namespace) {
          problems.push(`${obj.kind} ${show(obj.name)} is in namespace ${show(ns)}, but folder ${show(folder.path)} is applied as ServiceAccount ${show(folder.serviceAccountName)}, which may change only namespace ${show(folder.namespace)}`);
        }
      }
    }
    return problems;
  }

  /**
   * The name of an object declared in the layer without `metadata.name`: its construct ids below
   * the layer, the same on every cluster (see `nameBelow`).
   */
  override generateObjectName(apiObject: ApiObject): string {
    return nameBelow(this, apiObject);
  }

  /** Name of the layer's Flux Kustomization: the path with '/' as '-'. */
  get fluxName(): string {
    return layerFluxName(this.path);
  }
}

/** The name of a layer's Flux Kustomization: its path with `/` replaced by `-` (`infrastructure-configs`). */
export function layerFluxName(path: string): string {
  return path.replace(/\//g, '-');
}
