import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  HelmRelease,
  HelmReleaseSpecChartRefKind,
  HelmReleaseSpecChartSpecSourceRefKind,
  HelmReleaseSpecInstallCrds,
  HelmReleaseSpecUpgradeCrds,
} from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import { OciRepository, OciRepositorySpecLayerSelectorOperation } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { Cluster } from '../fleet/cluster.js';
import { StrataError, addCheck, show } from '../fleet/errors.js';
import { dnsLabelError, dnsSubdomainError } from '../fleet/names.js';
import { intakeProps, type PropsTypeName } from '../fleet/props.js';
import { isPlainObject, isStageDependent } from '../fleet/stage.js';
import { FLUX_NAMESPACE } from '../gitops/source.js';
import { SYSTEM_NAMESPACES } from '../validate/references.js';
import { parseChartVersion } from './chart-version.js';
import { Layer, MANAGED_BY } from './layer.js';
import { valuesProblems, type ValuesChecks } from './values-check.js';
import type { Platform } from './platform.js';

/** Something `platform.install()` accepts: a component of the catalog (`Components.*`) or your own. */
export interface IComponent {
  /** Unique per cluster: installing two components of one name is an error. */
  readonly name: string;
  /** Declares the component's objects on the platform's cluster. */
  install(platform: Platform): void;
}

/** A Helm chart and the version to install. */
export interface ChartProps {
  /**
   * Where the chart comes from: a Helm repository (`https://charts.jetstack.io`) or an OCI
   * registry path (`oci://public.ecr.aws/karpenter`, the chart being `<repository>/<name>`).
   */
  readonly repository: string;
  /** The chart's name in that repository, e.g. `cert-manager`. */
  readonly name: string;
  /**
   * An exact version (`v1.21.1`, `2.0.0-rc.1`) or a semver range with an upper bound (`~1.14.0`,
   * `^1.2.0`, `>=1.2.0 <2.0.0`), parsed with the `semver` library; never "latest", `*` or a range
   * without upper bound (`>=1.0.0`). A range matches pre-releases only when it names one.
   * @see https://fluxcd.io/flux/components/helm/helmreleases/#chart-template
   */
  readonly version: string;
}

/** Helm values: the chart's own keys. */
export type HelmValues = Readonly<Record<string, unknown>>;

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
  /** How often helm-controller reconciles the release, correcting drift. @default '1h' */
  readonly interval?: string;
  /** How long one Helm action may take. @default '5m' */
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

/** Problems with a chart reference, as messages. */
function chartProblems(chart: ChartProps): string[] {
  const problems: string[] = [];
  if (!/^(https|oci):\/\/[^\s/]+/.test(chart.repository ?? '')) {
    problems.push(`chart repository ${show(chart.repository)} is not an https:// or oci:// URL`);
  }
  const name = dnsSubdomainError('chart name', chart.name);
  if (name) problems.push(name);
  const version = parseChartVersion(chart.version);
  if (version.kind === 'invalid') problems.push(version.problem);
  return problems;
}

/**
 * A Helm chart installed by Flux: its chart source (HelmRepository, or OCIRepository for OCI
 * charts), a HelmRelease and the namespace it installs into. Declared in a controllers layer;
 * the custom resources of the chart belong in a layer that depends on it.
 *
 * The source and the HelmRelease live in flux-system (with `targetNamespace` and
 * `storageNamespace` set to the component's namespace), beside the Kustomizations and the
 * Alert that watch them, so nothing crosses a namespace under Flux's `--no-cross-namespace-refs`.
 */
export class PlatformComponent extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly release: HelmRelease;
  readonly source: HelmRepository | OciRepository;
  /** The Helm values it installs with, stage-dependent values resolved. */
  readonly values: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, given: PlatformComponentProps) {
    super(scope, given.name);
    const intake: string[] = [];
    const props = intakeProps('PlatformComponentProps', given, Cluster.of(this).stage, intake);
    this.name = props.name;
    this.namespace = props.namespace;
    this.values = props.values ?? {};
    const problems = [
      ...intake,
      ...valuesProblems(this.values, props),
      ...chartProblems(props.chart ?? {}),
      ...[dnsLabelError('component name', props.name), dnsLabelError('component namespace', props.namespace)].filter((p): p is string => !!p),
    ];
    addCheck(this, () => problems);

    const cluster = Cluster.of(this);
    const labels = { ...MANAGED_BY, 'app.kubernetes.io/part-of': props.name };
    if (!SYSTEM_NAMESPACES.has(props.namespace) && firstToCreate(cluster, props.namespace)) {
      new k8s.KubeNamespace(this, 'namespace', { metadata: { name: props.namespace, labels: { ...MANAGED_BY } } });
    }
    const oci = props.chart.repository?.startsWith('oci://');
    this.source = oci ? this.ociSource(props, labels) : this.helmSource(props, labels);
    const retries = props.retries ?? 3;
    const skipCrds = props.crds === 'skip';
    this.release = new HelmRelease(this, 'release', {
      metadata: { name: props.name, namespace: FLUX_NAMESPACE, labels },
      spec: {
        interval: props.interval ?? '1h',
        timeout: props.timeout ?? '5m',
        releaseName: props.name,
        targetNamespace: props.namespace,
        storageNamespace: props.namespace,
        chartRef: oci ? { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: props.name } : undefined,
        chart: oci
          ? undefined
          : {
              spec: {
                chart: props.chart.name,
                version: props.chart.version,
                sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: props.name },
                interval: '12h',
              },
            },
        install: { crds: skipCrds ? HelmReleaseSpecInstallCrds.SKIP : HelmReleaseSpecInstallCrds.CREATE, remediation: { retries } },
        upgrade: {
          crds: skipCrds ? HelmReleaseSpecUpgradeCrds.SKIP : HelmReleaseSpecUpgradeCrds.CREATE_REPLACE,
          cleanupOnFail: true,
          remediation: { retries, remediateLastFailure: true },
        },
        dependsOn: props.dependsOn && props.dependsOn.length > 0 ? props.dependsOn.map((name) => ({ name })) : undefined,
        values: props.values && Object.keys(props.values).length > 0 ? props.values : undefined,
      },
    });

    const layer = Layer.containing(this);
    for (const capability of props.capabilities ?? []) provideCapability(cluster, capability, props.name, layer);
  }

  private helmSource(props: PlatformComponentProps, labels: Record<string, string>): HelmRepository {
    return new HelmRepository(this, 'source', {
      metadata: { name: props.name, namespace: FLUX_NAMESPACE, labels },
      spec: { interval: '12h', url: props.chart.repository },
    });
  }

  /** OCI charts: an OCIRepository selecting the chart layer, the version as tag (exact) or semver (range). */
  private ociSource(props: PlatformComponentProps, labels: Record<string, string>): OciRepository {
    const version = props.chart.version;
    return new OciRepository(this, 'source', {
      metadata: { name: props.name, namespace: FLUX_NAMESPACE, labels },
      spec: {
        interval: '12h',
        url: `${props.chart.repository.replace(/\/+$/, '')}/${props.chart.name}`,
        ref: parseChartVersion(version).kind === 'exact' ? { tag: version } : { semver: version },
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: OciRepositorySpecLayerSelectorOperation.COPY },
      },
    });
  }
}

/** A plain object of values to merge into: not a stage-dependent value, which is a leaf until resolved. */
function isMergeable(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !isStageDependent(value);
}

/** Helm values `override` laid over `base`: objects merged key by key, everything else replaced; undefined keys dropped. */
export function mergeValues(base: HelmValues, override: HelmValues = {}): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) result[key] = value;
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    result[key] = isMergeable(value) && isMergeable(result[key]) ? mergeValues(result[key] as HelmValues, value) : value;
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
