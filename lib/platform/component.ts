import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { HelmRelease } from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import type { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import type { OciRepository } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { Cluster } from '../fleet/cluster.js';
import { StrataError, addCheck, show } from '../fleet/errors.js';
import { constructId, constructIdError, dnsLabelError } from '../fleet/names.js';
import { claimNamespace } from '../fleet/namespaces.js';
import { intakeProps, type PropsTypeName } from '../fleet/props.js';
import { isPlainObject, isStageDependent } from '../fleet/stage.js';
import { chartProblems, declareHelmRelease, type ChartProps, type HelmValues } from '../gitops/helm-release.js';
import { HELM_CONTROLLER } from '../gitops/lockdown.js';
import { FLUX_NAMESPACE } from '../gitops/source.js';
import { SYSTEM_NAMESPACES } from '../validate/references.js';
import { Layer, MANAGED_BY } from './layer.js';
import type { IComponent, Platform } from './platform.js';
import { valuesProblems, type ValuesChecks } from './values-check.js';
import { recordDefinition } from '../fleet/source-location.js';

// What `platform.install()` accepts is stated beside it, in platform.ts; the catalog imports it from here.
export type { IComponent };

export type { ChartProps, HelmValues } from '../gitops/helm-release.js';

/** A platform component: a Helm chart Flux installs, its source, namespace and values. */
export interface PlatformComponentProps extends ValuesChecks {
  /** Names the HelmRelease, its chart source and the Helm release. */
  readonly name: string;
  /** Namespace the chart installs into; created (as a Namespace object) unless it is a system namespace. */
  readonly namespace: string;
  readonly chart: ChartProps;
  /** Helm values. @default the chart's defaults */
  readonly values?: HelmValues;
  /** Components (by name) whose releases must be ready before this one installs. @default none */
  readonly dependsOn?: readonly string[];
  /** Capabilities the component gives the cluster (`cluster.capabilities`). @default none */
  readonly capabilities?: readonly string[];
  /** How often helm-controller reconciles the release, correcting drift, a Go duration. @default '1h' */
  readonly interval?: string;
  /** How long one Helm action may take, a Go duration. @default '5m' */
  readonly timeout?: string;
  /** Retries of a failed install or upgrade before giving up (upgrades are rolled back). @default 3 */
  readonly retries?: number;
  /**
   * What Helm does with the chart's `crds/` folder: create the CRDs on install and replace them
   * on upgrade, or skip them because another component owns those CRDs.
   * @default 'create'
   */
  readonly crds?: 'create' | 'skip';
}

interface Provided {
  readonly component: string;
  readonly layer?: Layer;
}

const provided = new WeakMap<Cluster, Map<string, Provided>>();
/** Namespaces a component already created per cluster: components may share one (e.g. monitoring). */
const namespacesCreated = new WeakMap<Cluster, Set<string>>();

/** True the first time a component asks for `namespace` on `cluster`. */
function firstToCreate(cluster: Cluster, namespace: string): boolean {
  let set = namespacesCreated.get(cluster);
  if (!set) namespacesCreated.set(cluster, (set = new Set()));
  if (set.has(namespace)) return false;
  set.add(namespace);
  return true;
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
 * The source and the HelmRelease live in flux-system (with `targetNamespace` and
 * `storageNamespace` set to the component's namespace), beside the Kustomizations and the
 * Alert that watch them, so nothing crosses a namespace under Flux's `--no-cross-namespace-refs`,
 * and the HelmRelease runs as `helm-controller`, as `--default-service-account` requires.
 */
export class PlatformComponent extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly release: HelmRelease;
  readonly source: HelmRepository | OciRepository;
  /** The Helm values it installs with, stage-dependent values resolved. */
  readonly values: Readonly<Record<string, unknown>>;

  /** @throws StrataError when `scope` is not inside a cluster of a Fleet, or when another component already provides its capability there */
  constructor(scope: Construct, given: PlatformComponentProps) {
    super(scope, constructId(given.name));
    recordDefinition(this);
    const intake: string[] = [];
    const props = intakeProps('PlatformComponentProps', given, Cluster.of(this).stage, intake);
    this.name = props.name;
    this.namespace = props.namespace;
    this.values = props.values ?? {};
    const problems = [
      ...intake,
      ...valuesProblems(this.values, props),
      ...chartProblems(props.chart ?? {}),
      ...[constructIdError('component name', props.name) ?? dnsLabelError('component name', props.name), dnsLabelError('component namespace', props.namespace)].filter((p): p is string => !!p),
    ];
    addCheck(this, () => problems);

    const cluster = Cluster.of(this);
    const labels = { ...MANAGED_BY, 'app.kubernetes.io/part-of': props.name };
    claimNamespace(cluster, props.namespace, props.name);
    if (!SYSTEM_NAMESPACES.has(props.namespace) && firstToCreate(cluster, props.namespace)) {
      new k8s.KubeNamespace(this, 'namespace', { metadata: { name: props.namespace, labels: { ...MANAGED_BY } } });
    }
    const retries = props.retries ?? 3;
    const skipCrds = props.crds === 'skip';
    const declared = declareHelmRelease(this, {
      name: props.name,
      namespace: FLUX_NAMESPACE,
      labels,
      chart: props.chart,
      serviceAccountName: HELM_CONTROLLER,
      targetNamespace: props.namespace,
      storageNamespace: props.namespace,
      interval: props.interval,
      timeout: props.timeout,
      install: { crds: skipCrds ? 'Skip' : 'Create', retries },
      upgrade: { crds: skipCrds ? 'Skip' : 'CreateReplace', cleanupOnFail: true, retries, remediateLastFailure: true },
      dependsOn: props.dependsOn,
      values: props.values,
    });
    this.release = declared.release;
    this.source = declared.source;

    const layer = Layer.containing(this);
    for (const capability of props.capabilities ?? []) provideCapability(cluster, capability, props.name, layer);
  }
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
    this.name = make(options).name;
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

/** What every component of the catalog lets you change. */
export interface ComponentOptions extends ValuesChecks {
  /** Chart version, exact or a semver range. @default the version the catalog pins */
  readonly version?: string;
  /** Helm values laid over the catalog's (objects merged key by key, arrays replaced). @default none */
  readonly values?: HelmValues;
  /** Components (by name) whose releases must be ready before this one installs. @default none */
  readonly dependsOn?: readonly string[];
}
