import { ApiObject, Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { addCheck, show } from '../fleet/errors.js';
import { compareStrings } from '../fleet/canonical.js';
import { fluxDurationError } from '../fleet/duration.js';
import { helmReleaseProblems } from '../fleet/foreign.js';
import { dnsLabelError, dnsSubdomainError, nameBelow } from '../fleet/names.js';
import { isClusterScoped } from '../validate/schema.js';
import { MANAGED_BY } from '../fleet/labels.js';
import type { LayerSource } from '../gitops/layer-source.js';

/**
 * An object Flux waits for, beside what it applies, before it calls a layer ready
 * (Kustomization `spec.healthChecks`): e.g. `{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' }`.
 * https://fluxcd.io/flux/components/kustomize/kustomizations/#health-checks
 */
export interface HealthCheck {
  /** e.g. `apps/v1`, `helm.toolkit.fluxcd.io/v2`. @default none (Flux matches the kind alone) */
  readonly apiVersion?: string;
  /** e.g. `Deployment`, `HelmRelease`. */
  readonly kind: string;
  /** Name of the object. */
  readonly name: string;
  /** @default the namespace of the layer's Kustomization (flux-system) */
  readonly namespace?: string;
}

/**
 * CEL expressions that say when objects of one kind are healthy, for kinds Flux's own health
 * checks do not understand (`spec.healthCheckExprs`), e.g.
 * `{ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', current: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')" }`.
 * https://fluxcd.io/flux/components/kustomize/kustomizations/#health-check-expressions
 */
export interface HealthCheckExpression {
  /** API group and version of the kind, e.g. `cert-manager.io/v1`. */
  readonly apiVersion: string;
  /** The kind the expressions apply to, e.g. `ClusterIssuer`. */
  readonly kind: string;
  /** True when the object is healthy. */
  readonly current: string;
  /** True when the object has failed. @default none */
  readonly failed?: string;
  /** True while the object is still progressing. @default none */
  readonly inProgress?: string;
}

/** A ConfigMap or Secret (in flux-system) whose keys are variables of a post-build substitution. */
export interface SubstituteFrom {
  /** Kind of the object holding the variables: `ConfigMap` or `Secret`. */
  readonly kind: 'ConfigMap' | 'Secret';
  /** Name of the ConfigMap or Secret, in flux-system. */
  readonly name: string;
  /** Reconcile even when it does not exist (its variables are then unset). @default false */
  readonly optional?: boolean;
}

/**
 * Flux's post-build variable substitution: `${VAR}` in the applied objects is replaced by the
 * variable's value. https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
 */
export interface PostBuild {
  /** Variables by name (names: letters, digits and '_', not starting with a digit). @default none */
  readonly substitute?: Readonly<Record<string, string>>;
  /** ConfigMaps and Secrets holding more variables, later ones winning. @default none */
  readonly substituteFrom?: readonly SubstituteFrom[];
}

/** What Flux does with a layer's objects when its Kustomization is deleted (`spec.deletionPolicy`). */
export type DeletionPolicy = 'MirrorPrune' | 'Delete' | 'WaitForTermination' | 'Orphan';

/**
 * How Flux reconciles a layer: the fields of its Kustomization. Defaults follow the Flux
 * reference repositories; a field left out that has no strata default is not rendered, so Flux's
 * own default applies. https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
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
  /**
   * Recreate objects whose immutable fields changed (delete, then create) instead of failing.
   * @default not rendered (Flux: false)
   */
  readonly force?: boolean;
  /**
   * Stop reconciling the layer (objects stay as they are). Rendered only when set: a layer
   * without it keeps a `flux suspend` made on the cluster.
   * @default not rendered (Flux: false)
   */
  readonly suspend?: boolean;
  /**
   * Namespace every namespaced object of the layer is applied in (`spec.targetNamespace`); only
   * for a layer that is one folder.
   * @default not rendered: each object keeps its own namespace
   */
  readonly targetNamespace?: string;
  /** Objects Flux also waits for before the layer is ready. @default none */
  readonly healthChecks?: readonly HealthCheck[];
  /** How Flux tells whether objects of a custom kind are healthy (with `wait` or `healthChecks`). @default none */
  readonly healthCheckExprs?: readonly HealthCheckExpression[];
  /** Variable substitution in the applied objects. @default none */
  readonly postBuild?: PostBuild;
  /**
   * What happens to the layer's objects when its Kustomization is deleted, e.g. `Orphan` to keep
   * them while a Kustomization is renamed. https://fluxcd.io/flux/components/kustomize/kustomizations/#deletion-policy
   * @default not rendered (Flux: 'MirrorPrune', i.e. delete them when prune is on)
   */
  readonly deletionPolicy?: DeletionPolicy;
}

/**
 * The name of a layer's Flux Kustomization. A layer that is one folder takes a string. A layer with
 * a folder per namespace takes a function of the namespace, or a string in which `{namespace}`
 * stands for it (`'apps-{namespace}'`); a string without it names one folder only.
 */
export type LayerName = string | ((namespace: string) => string);

export interface LayerProps extends ReconcileOptions {
  /**
   * Name of the layer's Flux Kustomization (see `LayerName`), e.g. `infra-controllers` to keep
   * the name a running fleet already has: Flux deletes what a Kustomization applied when it
   * disappears, so renaming one on a live cluster prunes and recreates its objects. A DNS-1123
   * name of at most 63 characters, unique per cluster and not `flux-system` (bootstrap's own).
   * @default the path with '/' as '-' (`infrastructure-controllers`); `<that>-<namespace>` for each folder of a folder-per-namespace layer (`apps-shop`)
   */
  readonly name?: LayerName;
  /**
   * Where Flux reads the layer's folder from: the fleet's Git repository, an OCI artifact of
   * the rendered tree, or an ExternalArtifact (see `LayerSource`).
   * @default the fleet's GitRepository (`flux-system`'s when the fleet declares no repository)
   */
  readonly source?: LayerSource;
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
   * `<layer>/<namespace>/` and its own Flux Kustomization (`<layer>-<namespace>` unless `name`
   * says otherwise), so a tenant's namespace is reconciled through the tenant's ServiceAccount
   * and nobody else's.
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

/** The reconcile options every layer has; the others are rendered only when set. */
export type ReconcileDefaults = Required<Pick<ReconcileOptions, 'interval' | 'retryInterval' | 'timeout' | 'prune' | 'wait'>>;

/** How a layer's Flux Kustomization reconciles unless told otherwise (the Flux reference repositories' values). */
export const DEFAULT_RECONCILE: ReconcileDefaults = {
  interval: '1h',
  retryInterval: '2m',
  timeout: '5m',
  prune: true,
  wait: true,
};

export { MANAGED_BY };

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

  /** Marks layers for `Layer.isLayer` (a `Symbol.for('strata.Layer')` key, so it holds across copies of strata); always true. */
  readonly [LAYER_BRAND] = true;

  /** The layer's path below the cluster folder, e.g. `infrastructure/controllers`. */
  readonly path: string;
  /** Paths of the layers this one depends on. */
  readonly dependsOn: readonly string[];
  /** How Flux reconciles each folder of the layer: strata's defaults, overridden by the layer's props. */
  readonly reconcile: ReconcileDefaults & Omit<ReconcileOptions, keyof ReconcileDefaults>;
  /** ServiceAccount (in flux-system) Flux impersonates to apply the layer (see `LayerProps.serviceAccountName`). @default kustomize-controller's own account */
  readonly serviceAccountName?: string;

  /** Where Flux reads the layer from; undefined means the fleet's Git repository. */
  readonly source?: LayerSource;
  private readonly name?: LayerName;
  /** What is wrong with `interval`, `retryInterval` and `timeout` as given (each rendered as its default). */
  private readonly durationProblems: string[] = [];
  /** True when each namespace of the layer is a folder of its own (see `LayerProps.folderPerNamespace`). */
  readonly folderPerNamespace: boolean;

  constructor(scope: Construct, id: string, path: string, props: LayerProps & { readonly dependsOn: readonly string[] }) {
    super(scope, id, { disableResourceNameHashes: true, labels: { ...MANAGED_BY } });
    this.path = path;
    this.dependsOn = props.dependsOn;
    // A bad duration is reported here, naming the layer and the option; the Kustomization gets the
    // default instead, so no schema or rule error over the rendered object repeats it.
    const duration = (key: 'interval' | 'retryInterval' | 'timeout'): string => {
      const problem = props[key] === undefined ? undefined : fluxDurationError(key, props[key]);
      if (problem) this.durationProblems.push(problem);
      return problem || props[key] === undefined ? DEFAULT_RECONCILE[key] : props[key];
    };
    this.reconcile = {
      interval: duration('interval'),
      retryInterval: duration('retryInterval'),
      timeout: duration('timeout'),
      prune: props.prune ?? DEFAULT_RECONCILE.prune,
      wait: props.wait ?? DEFAULT_RECONCILE.wait,
      force: props.force,
      suspend: props.suspend,
      targetNamespace: props.targetNamespace,
      healthChecks: props.healthChecks,
      healthCheckExprs: props.healthCheckExprs,
      postBuild: props.postBuild,
      deletionPolicy: props.deletionPolicy,
    };
    this.serviceAccountName = props.serviceAccountName;
    this.folderPerNamespace = props.folderPerNamespace ?? false;
    this.source = props.source;
    this.name = props.name;
    if (this.folderPerNamespace) addCheck(this, () => this.folderProblems());
    addCheck(this, () => [...this.nameProblems(), ...this.reconcileProblems(), ...(this.source?.problems().map((p) => `source: ${p}`) ?? [])]);
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
      fluxName: this.folderName(apps.namespace).name,
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

  /**
   * Name of the layer's Flux Kustomization: `LayerProps.name`, by default the path with '/' as
   * '-'. A folder-per-namespace layer's folders are named per namespace (see `folders()`).
   */
  get fluxName(): string {
    const given = this.name;
    // A name with a problem (reported by the layer) renders as the default, so it is reported once.
    const valid = typeof given === 'string' && !this.folderPerNamespace && !given.includes(NAMESPACE_PLACEHOLDER) && kustomizationNameProblems(given).length === 0;
    return valid ? given : layerFluxName(this.path);
  }

  /**
   * The Kustomization name of the folder of `namespace` (a folder-per-namespace layer), and what
   * is wrong with it. A name function that throws or returns no string leaves the default name,
   * so every other error is still found.
   */
  private folderName(namespace: string): { name: string; problem?: string } {
    const fallback = `${layerFluxName(this.path)}-${namespace}`;
    const given = this.name;
    if (given === undefined) return { name: fallback };
    if (typeof given === 'string') return this.checkedName(given.split(NAMESPACE_PLACEHOLDER).join(namespace), namespace, fallback);
    if (typeof given !== 'function') return { name: fallback }; // reported once by nameProblems
    let name: unknown;
    try {
      name = given(namespace);
    } catch (e) {
      return { name: fallback, problem: `name(${show(namespace)}) threw: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (typeof name !== 'string') return { name: fallback, problem: `name(${show(namespace)}) returned ${show(name)}, not a string` };
    return this.checkedName(name, namespace, fallback);
  }

  private checkedName(name: string, namespace: string, fallback: string): { name: string; problem?: string } {
    const [problem] = kustomizationNameProblems(name);
    return problem ? { name: fallback, problem: `folder ${show(`${this.path}/${namespace}`)}: ${problem}` } : { name };
  }

  /** What is wrong with the layer's Kustomization name(s). Names unique per cluster are the cluster's check. */
  private nameProblems(): string[] {
    const given = this.name;
    if (given === undefined) return [];
    if (!this.folderPerNamespace) {
      if (typeof given === 'function') return [`name is a function of the namespace, but layer ${show(this.path)} is one folder (folderPerNamespace is false): give the name as a string`];
      if (typeof given !== 'string') return [`name ${show(given)} is not a string`];
      if (given.includes(NAMESPACE_PLACEHOLDER)) return [`name ${show(given)} uses ${NAMESPACE_PLACEHOLDER}, but layer ${show(this.path)} is one folder (folderPerNamespace is false)`];
      return kustomizationNameProblems(given);
    }
    if (typeof given !== 'string' && typeof given !== 'function') return [`name ${show(given)} is not a string or a function of the namespace`];
    return this.namespaceScopes().flatMap((apps) => this.folderName(apps.namespace).problem ?? []);
  }

  /** What is wrong with the reconcile options that the Kustomization's schema would not say as clearly. */
  private reconcileProblems(): string[] {
    const { targetNamespace, postBuild } = this.reconcile;
    const problems: (string | undefined)[] = [...this.durationProblems];
    if (targetNamespace !== undefined) {
      problems.push(this.folderPerNamespace
        ? `targetNamespace ${show(targetNamespace)} is set, but layer ${show(this.path)} has a folder per namespace: each folder's objects are in that folder's namespace already`
        : dnsLabelError('targetNamespace', targetNamespace));
    }
    for (const key of Object.keys(postBuild?.substitute ?? {})) {
      if (!SUBSTITUTE_VARIABLE.test(key)) problems.push(`postBuild.substitute.${key} is not a variable name Flux substitutes (letters, digits and '_', not starting with a digit)`);
    }
    return problems.filter((p): p is string => p !== undefined);
  }
}

/** Stands for the namespace in a folder-per-namespace layer's `name`. */
const NAMESPACE_PLACEHOLDER = '{namespace}';

/** Names kustomize-controller substitutes: `${VAR}` with VAR in this form. https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution */
const SUBSTITUTE_VARIABLE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** The Kustomization `flux bootstrap` creates in flux-system: a layer of that name would replace it. */
const BOOTSTRAP_KUSTOMIZATION = 'flux-system';

/**
 * What is wrong with a Kustomization name: not a DNS-1123 subdomain, or bootstrap's own. (Longer
 * than 63 characters is the rule over rendered names, see lib/validate/api-names.ts.)
 */
function kustomizationNameProblems(name: string): string[] {
  const invalid = dnsSubdomainError('name', name);
  if (invalid) return [invalid];
  if (name === BOOTSTRAP_KUSTOMIZATION) return [`name ${show(name)} is taken: flux-system/flux-system is the Kustomization \`flux bootstrap\` creates, which applies clusters/<cluster>/ itself`];
  return [];
}

/** The name of a layer's Flux Kustomization: its path with `/` replaced by `-` (`infrastructure-configs`). */
export function layerFluxName(path: string): string {
  return path.replace(/\//g, '-');
}
