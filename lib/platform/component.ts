import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { HelmRelease } from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import type { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import type { OciRepository } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { Cluster } from '../fleet/cluster.js';
import { StrataError, addCheck, show } from '../fleet/errors.js';
import { constructId, constructIdError, dnsLabelError, dnsSubdomainError } from '../fleet/names.js';
import { claimNamespace } from '../fleet/namespaces.js';
import { intakeProps, propsArgumentProblem, readableProps, type PropsTypeName } from '../fleet/props.js';
import { isPlainObject, isStageDependent } from '../fleet/stage.js';
import {
  actionProblems,
  chartProblems,
  chartSourceOptionProblems,
  declareHelmRelease,
  driftDetectionProblem,
  durationProblem,
  releaseNameProblem,
  type ChartProps,
  type DeclaredHelmRelease,
  type DriftDetection,
  type HelmReleaseDependency,
  type HelmValues,
  type HelmReleaseOptions,
} from '../gitops/helm-release.js';
import { HELM_CONTROLLER } from '../gitops/lockdown.js';
import { FLUX_NAMESPACE } from '../gitops/source.js';
import { SYSTEM_NAMESPACES } from '../validate/references.js';
import { Layer, MANAGED_BY } from './layer.js';
import type { IComponent, Platform } from './platform.js';
import { valuesProblems, type ValuesChecks } from '../gitops/values-check.js';
import { recordDefinition } from '../fleet/source-location.js';

// What `platform.install()` accepts is stated beside it, in platform.ts; the catalog imports it from here.
export type { IComponent };

export type { ChartProps, ChartSourceOptions, HelmValues } from '../gitops/helm-release.js';

/** Where a component's HelmRelease and chart source live. */
export type ReleasePlacement = 'flux-system' | 'namespace';

/** Labels and annotations of the Namespace a component installs into, beside strata's own label. */
export interface NamespaceMetadata {
  /** @default only `app.kubernetes.io/managed-by: strata` */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * How a platform component's HelmRelease and chart source are placed, named and reconciled.
 * Every field defaults to what strata renders without it.
 * https://fluxcd.io/flux/components/helm/helmreleases/
 */
export interface ComponentReleaseOptions extends HelmReleaseOptions {
  /**
   * Where the HelmRelease and its chart source live. `'flux-system'`: beside the layer
   * Kustomizations and the Alert, installing through `targetNamespace` and `storageNamespace`,
   * running as flux-system's `helm-controller`. `'namespace'`: in the component's own namespace,
   * as the Flux example repositories keep them (adopting a live fleet keeps them where they are),
   * running as ServiceAccount `helm-installer` of that namespace, which strata declares there and
   * binds to `cluster-admin` (helm-controller's own rights: a chart installs CRDs and cluster roles).
   * Moving a release between namespaces is a new HelmRelease: Flux uninstalls the old one.
   * @default 'flux-system'
   */
  readonly placement?: ReleasePlacement;
  /**
   * The Helm release's name (`spec.releaseName`), at most 53 characters. Helm keys the release's
   * Secrets by it: changing it installs the chart anew (and uninstalls the old release).
   * @default the component's name
   */
  readonly releaseName?: string;
  /**
   * ServiceAccount (in the HelmRelease's namespace) helm-controller impersonates; you declare it
   * and its rights.
   * @default 'helm-controller' in flux-system; 'helm-installer', declared by strata, with placement 'namespace'
   */
  readonly serviceAccountName?: string;
  /** How often helm-controller reconciles the release, correcting drift, a Go duration. @default '1h' */
  readonly interval?: string;
  /** How long one Helm action may take, a Go duration. @default '5m' */
  readonly timeout?: string;
  /** Whether helm-controller corrects (`enabled`) or reports (`warn`) changes made in the cluster. @default Flux's: 'disabled' */
  readonly driftDetection?: DriftDetection;
  /**
   * Whether strata declares the Namespace object. `false` when the namespace exists already
   * (created by another repository, by hand, or by Helm with `install.createNamespace`).
   * @default true, except for system namespaces (kube-system, ...), which are never declared
   */
  readonly createNamespace?: boolean;
  /** Labels and annotations of the Namespace strata declares. @default strata's label only */
  readonly namespaceMetadata?: NamespaceMetadata;
}

/** A platform component: a Helm chart Flux installs, its source, namespace and values. */
export interface PlatformComponentProps extends ValuesChecks, ComponentReleaseOptions {
  /** Names the component, its HelmRelease and (unless `source.name` / `releaseName`) its chart source and the Helm release. */
  readonly name: string;
  /** Namespace the chart installs into; created (as a Namespace object) unless it is a system namespace or `createNamespace` is false. */
  readonly namespace: string;
  /** The Helm chart: its repository (https:// or oci://), name and version, never "latest". */
  readonly chart: ChartProps;
  /** Helm values. @default the chart's defaults */
  readonly values?: HelmValues;
  /**
   * Components (by name) whose releases must be ready before this one installs; a release in
   * another namespace is named with its namespace.
   * @default none
   */
  readonly dependsOn?: readonly string[];
  /** Capabilities the component gives the cluster (`cluster.capabilities`). @default none */
  readonly capabilities?: readonly string[];
  /** Retries of a failed install or upgrade before giving up (upgrades are rolled back); `install.retries` and `upgrade.retries` win. @default 3; none (Flux's) with `releaseDefaults: 'flux'` */
  readonly retries?: number;
  /**
   * What Helm does with the chart's `crds/` folder: create the CRDs on install and replace them
   * on upgrade, or skip them because another component owns those CRDs; `install.crds` and
   * `upgrade.crds` win.
   * @default 'create'; none (Flux's) with `releaseDefaults: 'flux'`
   */
  readonly crds?: 'create' | 'skip';
}

/** ServiceAccount strata declares in a component's namespace for a release placed there. */
export const HELM_INSTALLER = 'helm-installer';
const PLACEMENTS: readonly ReleasePlacement[] = ['flux-system', 'namespace'];

interface Provided {
  readonly component: string;
  readonly layer?: Layer;
}

const provided = new WeakMap<Cluster, Map<string, Provided>>();
/** The Namespace objects components declared, per cluster: components may share one (e.g. kube-system's neighbours, monitoring). */
const namespacesDeclared = new WeakMap<Cluster, Map<string, SharedNamespace>>();
/** Namespaces where strata declared the `helm-installer` ServiceAccount, per cluster. */
const installers = new WeakMap<Cluster, Set<string>>();
/** The namespace of each component's HelmRelease (null: not rendered), by component name, per cluster: what `dependsOn` resolves against. */
const releaseNamespaces = new WeakMap<Cluster, Map<string, string | null>>();

/** A Namespace some components install into, with the labels and annotations they asked for. */
interface SharedNamespace {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** Who set each key, for conflicts. */
  readonly setBy: Map<string, string>;
  /** The Namespace object, once a component declared it. */
  object?: k8s.KubeNamespace;
}

function perCluster<K, V>(map: WeakMap<Cluster, Map<K, V>>, cluster: Cluster): Map<K, V> {
  let found = map.get(cluster);
  if (!found) map.set(cluster, (found = new Map()));
  return found;
}

function providedOn(cluster: Cluster): Map<string, Provided> {
  let map = provided.get(cluster);
  if (!map) provided.set(cluster, (map = new Map()));
  return map;
}

/**
 * Records that `component` gives `cluster` a capability, installed in `layer` (undefined when
 * the provider runs it, e.g. GKE's metrics-server). A capability has one provider per cluster.
 * @throws StrataError when another component already provides `capability` on `cluster`
 */
export function provideCapability(cluster: Cluster, capability: string, component: string, layer?: Layer): void {
  const map = providedOn(cluster);
  const existing = map.get(capability);
  if (existing && existing.component !== component) {
    throw new StrataError(`component ${show(component)} provides ${show(capability)}, which component ${show(existing.component)} already provides on cluster ${show(cluster.name)}: install only one of them`);
  }
  map.set(capability, { component, layer });
  cluster.capabilities.add(capability);
}

/** Which component provides a capability on a cluster, and in which layer; undefined if none did. */
export function capabilityProvider(cluster: Cluster, capability: string): Provided | undefined {
  return provided.get(cluster)?.get(capability);
}

/**
 * A Helm chart installed by Flux: its chart source (HelmRepository, or OCIRepository for OCI
 * charts), a HelmRelease and the namespace it installs into. Declared in a controllers layer;
 * the custom resources of the chart belong in a layer that depends on it.
 *
 * By default the source and the HelmRelease live in flux-system (with `targetNamespace` and
 * `storageNamespace` set to the component's namespace), beside the Kustomizations and the
 * Alert that watch them, so nothing crosses a namespace under Flux's `--no-cross-namespace-refs`,
 * and the HelmRelease runs as `helm-controller`, as `--default-service-account` requires. With
 * `placement: 'namespace'` both live in the component's namespace and run as `helm-installer`
 * there (see `ComponentReleaseOptions`). https://fluxcd.io/flux/components/helm/helmreleases/
 *
 * Problems of the props are errors of this construct; with broken release options nothing of the
 * release is rendered (`release` and `source` then throw).
 */
export class PlatformComponent extends Construct {
  /** The component's name: names its HelmRelease; what other components' `dependsOn` name. */
  readonly name: string;
  /** Kubernetes namespace the chart installs into. */
  readonly namespace: string;
  /** The namespace of the HelmRelease and its chart source: flux-system, or `namespace` (see `placement`). */
  readonly releaseNamespace: string;
  /** The Helm values it installs with, stage-dependent values resolved. */
  readonly values: Readonly<Record<string, unknown>>;
  private readonly declared?: DeclaredHelmRelease;
  private readonly problems: string[];

  /** @throws StrataError when `scope` is not inside a cluster of a Fleet, or when another component already provides its capability there */
  constructor(scope: Construct, given: PlatformComponentProps) {
    super(scope, constructId(readableProps(given).name));
    recordDefinition(this);
    const intake: string[] = [];
    const cluster = Cluster.of(this);
    const props = intakeProps('PlatformComponentProps', given, cluster.stage, intake);
    this.name = props.name;
    this.namespace = props.namespace;
    this.values = props.values ?? {};
    const own = props.placement === 'namespace';
    this.releaseNamespace = own ? props.namespace : FLUX_NAMESPACE;
    const problems = (this.problems = [...intake, ...valuesProblems(this.values, props), ...chartProblems(props.chart ?? {}), ...releaseProblems(props)]);
    addCheck(this, () => problems);

    const labels = { ...MANAGED_BY, 'app.kubernetes.io/part-of': props.name };
    claimNamespace(cluster, props.namespace, props.name);
    this.declareNamespace(cluster, props, problems);
    const layer = Layer.containing(this);
    for (const capability of props.capabilities ?? []) provideCapability(cluster, capability, props.name, layer);
    // Broken props (a field left out, a floating chart version, bad release options) would only come
    // back as errors of the rendered objects (chart-version-pinned, the schemas): the release is not
    // rendered, as a HelmApp's is not.
    perCluster(releaseNamespaces, cluster).set(props.name, problems.length > 0 ? null : this.releaseNamespace);
    if (problems.length > 0) return;
    let serviceAccountName = props.serviceAccountName ?? HELM_CONTROLLER;
    if (own && props.serviceAccountName === undefined) serviceAccountName = this.declareInstaller(cluster);

    const flux = props.releaseDefaults === 'flux';
    const retries = props.retries ?? (flux ? undefined : 3);
    const skipCrds = props.crds === 'skip';
    const install = props.install ?? {};
    const upgrade = props.upgrade ?? {};
    this.declared = declareHelmRelease(this, {
      name: props.name,
      namespace: this.releaseNamespace,
      labels,
      chart: props.chart,
      source: props.source,
      serviceAccountName,
      // In its own namespace the release installs and is stored there: the fields would only repeat it.
      targetNamespace: own ? undefined : props.namespace,
      storageNamespace: own ? undefined : props.namespace,
      releaseName: props.releaseName,
      interval: props.interval,
      timeout: props.timeout,
      install: { ...install, crds: install.crds ?? (skipCrds ? 'Skip' : flux ? undefined : 'Create'), retries: install.retries ?? retries },
      upgrade: { ...upgrade, crds: upgrade.crds ?? (skipCrds ? 'Skip' : flux ? undefined : 'CreateReplace'), retries: upgrade.retries ?? retries },
      test: props.test,
      releaseDefaults: props.releaseDefaults,
      dependsOn: () => this.dependencies(cluster, props.dependsOn ?? []),
      values: props.values,
      driftDetection: props.driftDetection,
    });
  }

  /**
   * The HelmRelease, to change what the props do not cover (`JsonPatch`, `addJsonPatch`).
   * @throws StrataError when the release options have problems (then nothing is rendered and the synth fails)
   */
  get release(): HelmRelease {
    return this.rendered().release;
  }

  /**
   * The chart source: a HelmRepository or an OCIRepository.
   * @throws StrataError when the release options have problems (then nothing is rendered and the synth fails)
   */
  get source(): HelmRepository | OciRepository {
    return this.rendered().source;
  }

  private rendered(): DeclaredHelmRelease {
    if (!this.declared) throw new StrataError(`component ${show(this.name)} (${this.node.path}) is not rendered: ${this.problems.join('; ')}`);
    return this.declared;
  }

  /**
   * The Namespace the chart installs into, declared by the first component that wants it
   * declared, its labels and annotations those of every component sharing it (a key two
   * components set differently is a problem of the second).
   */
  private declareNamespace(cluster: Cluster, props: PlatformComponentProps, problems: string[]): void {
    const { namespace } = props;
    if (dnsLabelError('', namespace)) return; // the component's own error
    if (SYSTEM_NAMESPACES.has(namespace)) {
      if (props.createNamespace === true) problems.push(`createNamespace is true, but namespace ${show(namespace)} is a system namespace, which strata never declares (pruning the layer would delete it): leave createNamespace out`);
      if (props.namespaceMetadata !== undefined) problems.push(`namespaceMetadata is set, but namespace ${show(namespace)} is a system namespace, which strata does not declare: leave namespaceMetadata out`);
      return;
    }
    const shared = perCluster(namespacesDeclared, cluster);
    let entry = shared.get(namespace);
    if (!entry) shared.set(namespace, (entry = { labels: { ...MANAGED_BY }, annotations: {}, setBy: new Map() }));
    const ns = entry;
    const merge = (what: 'labels' | 'annotations', given: Readonly<Record<string, string>> = {}) => {
      for (const [key, value] of Object.entries(given)) {
        const current = ns[what][key];
        const by = ns.setBy.get(`${what}/${key}`);
        if (current !== undefined && current !== value) {
          problems.push(`namespaceMetadata.${what} ${show(key)} is ${show(value)}, but ${by ? `component ${show(by)}` : 'strata'} sets it to ${show(current)} on namespace ${show(namespace)}, which they share: give one value`);
          continue;
        }
        ns[what][key] = value;
        ns.setBy.set(`${what}/${key}`, props.name);
        if (what === 'labels') ns.object?.metadata.addLabel(key, value);
        else ns.object?.metadata.addAnnotation(key, value);
      }
    };
    merge('labels', props.namespaceMetadata?.labels);
    merge('annotations', props.namespaceMetadata?.annotations);
    if (props.createNamespace === false || ns.object) return;
    const annotations = Object.keys(ns.annotations).length > 0 ? { ...ns.annotations } : undefined;
    ns.object = new k8s.KubeNamespace(this, 'namespace', { metadata: { name: namespace, labels: { ...ns.labels }, annotations } });
  }

  /**
   * ServiceAccount `helm-installer` in the component's namespace, bound to `cluster-admin`, once
   * per namespace: what helm-controller impersonates for a release placed there.
   */
  private declareInstaller(cluster: Cluster): string {
    let done = installers.get(cluster);
    if (!done) installers.set(cluster, (done = new Set()));
    if (done.has(this.namespace)) return HELM_INSTALLER;
    done.add(this.namespace);
    const labels = { ...MANAGED_BY };
    new k8s.KubeServiceAccount(this, 'installer', { metadata: { name: HELM_INSTALLER, namespace: this.namespace, labels } });
    new k8s.KubeClusterRoleBinding(this, 'installer-binding', {
      metadata: { name: `${HELM_INSTALLER}-${this.namespace}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: HELM_INSTALLER, namespace: this.namespace }],
    });
    return HELM_INSTALLER;
  }

  /**
   * `dependsOn` by component name, each with its release's namespace where that is not this
   * release's. A component not rendered for its own problems is left out: those are its errors.
   */
  private dependencies(cluster: Cluster, names: readonly string[]): HelmReleaseDependency[] {
    const namespaces = perCluster(releaseNamespaces, cluster);
    return names.flatMap((name) => {
      const namespace = namespaces.get(name);
      if (namespace === null) return [];
      return namespace === undefined || namespace === this.releaseNamespace ? [{ name }] : [{ name, namespace }];
    });
  }
}

/** Problems with a component's names, placement and release options, as messages. */
function releaseProblems(props: PlatformComponentProps): string[] {
  return [
    // A name or namespace left out is the props check's to report (`namespace is required`).
    props.name === undefined ? undefined : constructIdError('component name', props.name) ?? dnsLabelError('component name', props.name),
    props.namespace === undefined ? undefined : dnsLabelError('component namespace', props.namespace),
    props.placement === undefined || PLACEMENTS.includes(props.placement) ? undefined : `placement ${show(props.placement)} is not one of ${PLACEMENTS.map(show).join(', ')}`,
    props.releaseName === undefined ? undefined : releaseNameProblem('releaseName', props.releaseName),
    props.serviceAccountName === undefined ? undefined : dnsSubdomainError('serviceAccountName', props.serviceAccountName),
    ...chartSourceOptionProblems(props.source, props.chart?.repository),
    durationProblem('interval', props.interval),
    durationProblem('timeout', props.timeout),
    ...actionProblems(props.install, props.upgrade, props.test, props.releaseDefaults),
    driftDetectionProblem(props.driftDetection),
    props.createNamespace === undefined || typeof props.createNamespace === 'boolean' ? undefined : `createNamespace ${show(props.createNamespace)} is not true or false`,
  ].filter((p): p is string => p !== undefined);
}

/** A plain object of values to merge into: not a stage-dependent value, which is a leaf until resolved. */
function isMergeable(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !isStageDependent(value);
}

/** Helm values `override` laid over `base`: objects merged key by key, everything else replaced; undefined keys dropped. */
export function mergeValues(base: HelmValues, override: HelmValues = {}): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  // defineProperty, not assignment: an own key `__proto__` is a value like any other.
  const set = (key: string, value: unknown) => Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(base)) if (value !== undefined) set(key, value);
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = Object.prototype.hasOwnProperty.call(result, key) ? result[key] : undefined;
    set(key, isMergeable(value) && isMergeable(current) ? mergeValues(current as HelmValues, value) : value);
  }
  return result;
}

/**
 * A catalog component whose options are checked where it is installed: unknown keys at any depth
 * (`Components.certManager({ emial })`) are errors of the cluster's controllers layer, and
 * stage-dependent values anywhere in the options (Helm values included) are resolved for the
 * cluster before the component sees them.
 */
class CheckedComponent<P> implements IComponent {
  readonly name: string;

  constructor(
    private readonly type: PropsTypeName,
    private readonly label: string,
    private readonly options: P | undefined,
    private readonly make: (options: P | undefined) => IComponent,
  ) {
    this.name = make(propsArgumentProblem(options) ? undefined : options).name;
  }

  install(platform: Platform): void {
    const problems: string[] = [];
    const options = this.options === undefined ? undefined : intakeProps(this.type, this.options, platform.cluster.stage, problems, this.label);
    const checks = (options ?? {}) as ValuesChecks & { readonly values?: HelmValues };
    // A pinned values file names the chart's keys: the user's values are checked against it (the catalog's own are known good).
    if (checks.valuesFile !== undefined) problems.push(...valuesProblems(checks.values ?? {}, { valuesFile: checks.valuesFile }).map((p) => `${this.label}: ${p}`));
    const schema = checks.valuesSchema;
    addCheck(platform.controllers, () => {
      // The schema applies to what the chart receives: the catalog's values merged with the user's.
      const release = schema === undefined ? undefined : platform.controllers.node.tryFindChild(this.name);
      const merged = release instanceof PlatformComponent ? valuesProblems(release.values, { valuesSchema: schema }).map((p) => `${this.name}: ${p}`) : [];
      return [...problems, ...merged];
    });
    this.make(options).install(platform);
  }
}

/**
 * `make(options)`, its options checked against `type` when it is installed (see CheckedComponent).
 * @param label how errors name the options, e.g. `Components.certManager(...)`
 */
export function checkedComponent<P>(type: PropsTypeName, label: string, options: P | undefined, make: (options: P | undefined) => IComponent): IComponent {
  return new CheckedComponent(type, label, options, make);
}

/** Where a catalog component's chart comes from, when not the catalog's (a mirror, or the vendor's OCI registry). */
export interface ChartLocation {
  /** A Helm repository (`https://charts.jetstack.io`) or an OCI registry path (`oci://quay.io/jetstack/charts`). @default the catalog's */
  readonly repository?: string;
  /** The chart's name there. @default the catalog's */
  readonly name?: string;
}

/** What every component of the catalog lets you change. */
export interface ComponentOptions extends ValuesChecks, ComponentReleaseOptions {
  /**
   * The component's name: names its HelmRelease and (unless `source.name` / `releaseName`) its
   * chart source and Helm release; what other components' `dependsOn` name.
   * @default the catalog's (e.g. 'cert-manager')
   */
  readonly name?: string;
  /** Namespace the chart installs into. @default the catalog's (e.g. 'cert-manager', 'kube-system') */
  readonly namespace?: string;
  /** Where the chart comes from. @default the catalog's repository and chart name */
  readonly chart?: ChartLocation;
  /** Chart version, exact or a semver range. @default the version the catalog pins */
  readonly version?: string;
  /** Helm values laid over the catalog's (objects merged key by key, arrays replaced). @default none */
  readonly values?: HelmValues;
  /** Components (by name) whose releases must be ready before this one installs. @default none */
  readonly dependsOn?: readonly string[];
}

/** What a catalog entry pins: its name, namespace and chart. */
export interface CatalogDefaults {
  /** The component's default name, e.g. `cert-manager`. */
  readonly name: string;
  /** The namespace the chart installs into by default, e.g. `cert-manager`, `kube-system`. */
  readonly namespace: string;
  /** The pinned chart: repository, name and exact version. */
  readonly chart: ChartProps;
}


/**
 * The PlatformComponent props a catalog component's options give (everything but values and
 * capabilities): the catalog's name, namespace and chart unless the options change them.
 * Checks of the values (`valuesSchema`, `valuesFile`) stay with `checkedComponent`.
 */
export function catalogRelease(options: ComponentOptions, defaults: CatalogDefaults): Omit<PlatformComponentProps, 'values' | 'capabilities'> {
  const { chart, version } = options;
  return {
    name: options.name ?? defaults.name,
    namespace: options.namespace ?? defaults.namespace,
    chart: { repository: chart?.repository ?? defaults.chart.repository, name: chart?.name ?? defaults.chart.name, version: version ?? defaults.chart.version },
    dependsOn: options.dependsOn,
    placement: options.placement,
    releaseName: options.releaseName,
    serviceAccountName: options.serviceAccountName,
    source: options.source,
    interval: options.interval,
    timeout: options.timeout,
    install: options.install,
    upgrade: options.upgrade,
    test: options.test,
    releaseDefaults: options.releaseDefaults,
    driftDetection: options.driftDetection,
    createNamespace: options.createNamespace,
    namespaceMetadata: options.namespaceMetadata,
  };
}
