// A Helm chart installed by Flux: a chart source and a HelmRelease (helm.toolkit.fluxcd.io/v2).
// The one implementation behind the platform's components (PlatformComponent) and a team's
// charts (HelmApp); each decides where the objects live and which identity they run as.
// See https://fluxcd.io/flux/components/helm/helmreleases/
import { fluxDurationError } from '../fleet/duration.js';
import { parseChartVersion } from './chart-version.js';
import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  HelmRelease,
  HelmReleaseSpecChartRefKind,
  HelmReleaseSpecChartSpecSourceRefKind,
  HelmReleaseSpecDriftDetectionMode,
  HelmReleaseSpecInstallCrds,
  HelmReleaseSpecInstallStrategyName,
  HelmReleaseSpecUpgradeCrds,
  HelmReleaseSpecUpgradeRemediationStrategy,
  HelmReleaseSpecUpgradeStrategyName,
  HelmReleaseSpecValuesFromKind,
} from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { HelmRepository, HelmRepositorySpecType } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import { OciRepository, OciRepositorySpecLayerSelectorOperation } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { canonicalSet } from '../fleet/canonical.js';
import { show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';

/** A Helm chart and the version to install. */
export interface ChartProps {
  /**
   * Where the chart comes from: a Helm repository (`https://charts.jetstack.io`) or an OCI
   * registry path (`oci://public.ecr.aws/karpenter`, the chart being `<repository>/<name>`).
   */
  readonly repository: string;
  /** The chart's name in that repository, e.g. `cert-manager`. */
  readonly name: string;
  /** An exact version (`v1.21.1`) or a semver range (`~1.14.0`); never "latest". */
  readonly version: string;
}

/** Helm values: the chart's own keys. */
export type HelmValues = Readonly<Record<string, unknown>>;

/** What Helm does with the chart's `crds/` folder (Flux's `install.crds` / `upgrade.crds`). */
export type CrdPolicy = 'Create' | 'CreateReplace' | 'Skip';

/** How helm-controller handles a failed install or upgrade: remediate (uninstall / roll back) or retry as is. */
export type HelmActionStrategy = 'RemediateOnFailure' | 'RetryOnFailure';

/** How the release is installed the first time. https://fluxcd.io/flux/components/helm/helmreleases/#install-configuration */
export interface HelmInstallOptions {
  /** Retries of a failed install (each after uninstalling the failed one), a whole number ≥ 0. @default 3 */
  readonly retries?: number;
  /** The chart's `crds/` folder on install. @default 'Create' */
  readonly crds?: CrdPolicy;
  /** What a failed install leads to. @default Flux's: 'RemediateOnFailure' */
  readonly strategy?: HelmActionStrategy;
  /** Whether Helm creates the target namespace when it does not exist. @default Flux's: false */
  readonly createNamespace?: boolean;
}

/** How the release is upgraded. https://fluxcd.io/flux/components/helm/helmreleases/#upgrade-configuration */
export interface HelmUpgradeOptions {
  /** Retries of a failed upgrade, a whole number ≥ 0. @default 3 */
  readonly retries?: number;
  /** Whether the last failed retry is remediated too (rolled back), rather than left failed. @default true */
  readonly remediateLastFailure?: boolean;
  /** How a failed upgrade is remediated. @default Flux's: 'rollback' */
  readonly remediation?: 'rollback' | 'uninstall';
  /** The chart's `crds/` folder on upgrade. @default 'CreateReplace' */
  readonly crds?: CrdPolicy;
  /** Whether objects a failed upgrade created are deleted. @default true */
  readonly cleanupOnFail?: boolean;
  /** What a failed upgrade leads to. @default Flux's: 'RemediateOnFailure' */
  readonly strategy?: HelmActionStrategy;
}

/**
 * Whose defaults fill the release options left out: strata's (`timeout: 5m`, `install.crds:
 * Create`, `upgrade.crds: CreateReplace`, 3 retries with the last failure rolled back, cleanup on
 * fail, the chart template's interval equal to the source's), or Flux's own (the fields are not
 * written: helm-controller applies its defaults, e.g. no retries, the CRD policy `Create` on
 * install and `Skip` on upgrade, the chart template checked at the HelmRelease's interval). `'flux'` keeps an adopted HelmRelease as it was written.
 * https://fluxcd.io/flux/components/helm/helmreleases/#install-configuration
 */
export type ReleaseDefaults = 'strata' | 'flux';
const RELEASE_DEFAULTS: readonly ReleaseDefaults[] = ['strata', 'flux'];

/**
 * Whether and how helm-controller runs the chart's Helm tests after each install and upgrade
 * (`spec.test`). https://fluxcd.io/flux/components/helm/helmreleases/#test-configuration
 */
export interface HelmTestOptions {
  /** Runs the tests. @default Flux's: false */
  readonly enable?: boolean;
  /** Whether a failed test leaves the release ready rather than failed (and remediated). @default Flux's: false */
  readonly ignoreFailures?: boolean;
  /** How long the tests may take, a Go duration. @default Flux's: the release's `timeout` */
  readonly timeout?: string;
}

/**
 * Values read from a ConfigMap or Secret of the release's namespace when helm-controller
 * reconciles, merged in list order before `values`. https://fluxcd.io/flux/components/helm/helmreleases/#values-references
 */
export interface HelmValuesReference {
  /** Kind of the object holding the values: `ConfigMap` or `Secret`. */
  readonly kind: 'ConfigMap' | 'Secret';

  /** The ConfigMap's or Secret's name (a DNS subdomain). */
  readonly name: string;
  /** The data key holding the values (YAML), or the single value with `targetPath`. @default 'values.yaml' */
  readonly valuesKey?: string;
  /** Where the value goes in the values, in Helm `--set` syntax (`image.tag`, `hosts[0]`). @default the root (YAML merge) */
  readonly targetPath?: string;
  /** Whether the release reconciles without the object or key. @default false: it waits for it */
  readonly optional?: boolean;
}

/** The kinds of chart source a HelmRelease can install from. */
export type ChartSourceKind = 'HelmRepository' | 'OCIRepository';

/**
 * The chart source object: its name, kind and how often it is fetched.
 * https://fluxcd.io/flux/components/source/helmrepositories/ and https://fluxcd.io/flux/components/source/ocirepositories/
 */
export interface ChartSourceOptions {
  /** Name of the HelmRepository or OCIRepository (a DNS-1123 subdomain), in the HelmRelease's namespace. @default the HelmRelease's name */
  readonly name?: string;
  /**
   * `HelmRepository`: an https:// repository, or an oci:// registry as a HelmRepository of
   * `type: oci` with the chart named in the HelmRelease's chart template (the older way, found in
   * many live fleets); `OCIRepository`: the chart artifact of an oci:// registry, referenced by
   * `chartRef` (oci:// only).
   * @default 'OCIRepository' for an oci:// chart repository, 'HelmRepository' otherwise
   */
  readonly kind?: ChartSourceKind;
  /**
   * How often source-controller looks for a new chart (the source's `spec.interval`, and for a
   * HelmRepository the chart template's `spec.chart.spec.interval`), a Go duration.
   * @default '12h'
   */
  readonly interval?: string;
}

/** Drift detection: helm-controller compares the cluster with the release and corrects (`enabled`) or reports (`warn`) drift. */
export type DriftDetection = 'enabled' | 'warn' | 'disabled';

/**
 * The reconcile options every Helm release of strata takes (PlatformComponent, HelmApp), each
 * left out renders strata's default (or, with `releaseDefaults: 'flux'`, nothing: Flux's).
 * https://fluxcd.io/flux/components/helm/helmreleases/
 */
export interface HelmReleaseOptions {
  /** Install retries, CRD policy and strategy. @default 3 retries, CRDs created */
  readonly install?: HelmInstallOptions;
  /** Upgrade retries and remediation, CRD policy and strategy. @default 3 retries, the last failure rolled back, CRDs created or replaced, cleanup on fail */
  readonly upgrade?: HelmUpgradeOptions;
  /** The chart's Helm tests after install and upgrade (`spec.test`): enable, ignoreFailures, timeout. @default not run */
  readonly test?: HelmTestOptions;
  /**
   * Whose defaults fill the release options left out (`timeout`, `install`, `upgrade`, the chart
   * template's interval, `retries`, `crds`): strata's, or Flux's own (not written), which keeps an
   * adopted HelmRelease as it was. @default 'strata'
   */
  readonly releaseDefaults?: ReleaseDefaults;
  /** The chart source's name, kind (HelmRepository or OCIRepository) and interval. @default named like the release, kind by the repository's scheme, '12h' */
  readonly source?: ChartSourceOptions;
}

/** Where the release's objects live and what it installs, resolved (no stage values). */
export interface HelmReleaseSpec extends HelmReleaseOptions {
  /** Names the HelmRelease and (unless `source.name`) its source. */
  readonly name: string;
  /** Namespace the HelmRelease and its source live in. */
  readonly namespace: string;
  /** Kubernetes labels on the HelmRelease. */
  readonly labels: Record<string, string>;
  /** The chart to install: its repository, name and version. */
  readonly chart: ChartProps;
  /** ServiceAccount (in `namespace`) helm-controller impersonates. */
  readonly serviceAccountName: string;
  /** Namespace the chart installs into, when not `namespace`. @default `namespace` */
  readonly targetNamespace?: string;
  /** Namespace Helm keeps the release in, when not `namespace`. @default `namespace` */
  readonly storageNamespace?: string;
  /** @default `name` */
  readonly releaseName?: string;
  /** Go duration. @default '1h' */
  readonly interval?: string;
  /** Go duration. @default '5m' */
  readonly timeout?: string;
  /** Helm values (`spec.values`); an empty object is not written. @default none: the chart's defaults */
  readonly values?: HelmValues;
  /** ConfigMaps and Secrets holding values (`spec.valuesFrom`), merged in order before `values`. See https://fluxcd.io/flux/components/helm/helmreleases/#values-references @default none */
  readonly valuesFrom?: readonly HelmValuesReference[];
  /**
   * HelmReleases that must be ready first: names in `namespace`, or a function giving names and
   * namespaces when the objects are rendered (the releases it names may be declared later).
   */
  readonly dependsOn?: readonly string[] | (() => readonly HelmReleaseDependency[]);
  /** `spec.driftDetection.mode`. See https://fluxcd.io/flux/components/helm/helmreleases/#drift-detection @default Flux's: 'disabled' (not written) */
  readonly driftDetection?: DriftDetection;
}

/** A HelmRelease another one waits for (`spec.dependsOn[]`). */
export interface HelmReleaseDependency {
  /** Name of the HelmRelease waited for. */
  readonly name: string;
  /** @default the dependent HelmRelease's namespace */
  readonly namespace?: string;
}

/** The objects of one Helm release. */
export interface DeclaredHelmRelease {
  /** The Flux HelmRelease (`helm.toolkit.fluxcd.io/v2`). See https://fluxcd.io/flux/components/helm/helmreleases/ */
  readonly release: HelmRelease;
  /** Its chart source (`source.toolkit.fluxcd.io`): a HelmRepository or an OCIRepository, as `ChartSourceOptions.kind` says. */

  readonly source: HelmRepository | OciRepository;
}

/** Flux's patterns for a values reference's key and target path. */
const VALUES_KEY = /^[\-._a-zA-Z0-9]+$/;
const TARGET_PATH = /^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/;
const CRD_POLICIES: readonly CrdPolicy[] = ['Create', 'CreateReplace', 'Skip'];
const STRATEGIES: readonly HelmActionStrategy[] = ['RemediateOnFailure', 'RetryOnFailure'];
const SOURCE_KINDS: readonly ChartSourceKind[] = ['HelmRepository', 'OCIRepository'];
const DRIFT_MODES: readonly DriftDetection[] = ['enabled', 'warn', 'disabled'];
/** The interval of chart sources and chart templates unless given. */
const DEFAULT_SOURCE_INTERVAL = '12h';
/** Helm keeps a release in a Secret named `sh.helm.release.v1.<name>.v<n>`: release names stay within 53 characters. */
export const MAX_RELEASE_NAME = 53;

/** Problems with where a chart comes from (repository and name), as messages. */
export function chartSourceProblems(chart: Pick<ChartProps, 'repository' | 'name'>): string[] {
  const problems: string[] = [];
  // A field left out is the props check's to report (`chart.repository is required`).
  if (chart.repository !== undefined && !/^(https|oci):\/\/[^\s/]+/.test(chart.repository)) {
    problems.push(`chart repository ${show(chart.repository)} is not an https:// or oci:// URL`);
  }
  const name = chart.name === undefined ? undefined : dnsSubdomainError('chart name', chart.name);
  if (name) problems.push(name);
  return problems;
}

/** A problem with a chart version: not a semver version or bounded range (see `parseChartVersion`). */
export function chartVersionProblem(version: string): string | undefined {
  const parsed = parseChartVersion(version);
  return parsed.kind === 'invalid' ? parsed.problem : undefined;
}

/** Problems with a chart reference, as messages. */
export function chartProblems(chart: ChartProps): string[] {
  return [...chartSourceProblems(chart), chart.version === undefined ? undefined : chartVersionProblem(chart.version)].filter((p): p is string => p !== undefined);
}

/** A problem with a Go duration field, e.g. `timeout "5 minutes"`. */
export function durationProblem(field: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : fluxDurationError(field, value);
}

function retriesProblem(field: string, value: number | undefined): string | undefined {
  if (value === undefined || (Number.isInteger(value) && value >= 0)) return undefined;
  return `${field} (${show(value)}) is not a whole number ≥ 0`;
}

function oneOf<T>(field: string, value: T | undefined, valid: readonly T[]): string | undefined {
  if (value === undefined || valid.includes(value)) return undefined;
  return `${field} ${show(value)} is not one of ${valid.map(show).join(', ')}`;
}

/** Problems with install, upgrade and test options, as messages. */
export function actionProblems(install: HelmInstallOptions = {}, upgrade: HelmUpgradeOptions = {}, test: HelmTestOptions = {}, releaseDefaults?: ReleaseDefaults): string[] {
  return [
    oneOf('releaseDefaults', releaseDefaults, RELEASE_DEFAULTS),
    retriesProblem('install.retries', install.retries),
    oneOf('install.crds', install.crds, CRD_POLICIES),
    oneOf('install.strategy', install.strategy, STRATEGIES),
    retriesProblem('upgrade.retries', upgrade.retries),
    oneOf('upgrade.remediation', upgrade.remediation, ['rollback', 'uninstall'] as const),
    oneOf('upgrade.crds', upgrade.crds, CRD_POLICIES),
    oneOf('upgrade.strategy', upgrade.strategy, STRATEGIES),
    durationProblem('test.timeout', test.timeout),
  ].filter((p): p is string => p !== undefined);
}

/**
 * Problems with the chart source options for a chart from `repository`, as messages naming the
 * field (`source.kind`, `source.name`, `source.interval`).
 */
export function chartSourceOptionProblems(source: ChartSourceOptions = {}, repository: string | undefined): string[] {
  const kind = oneOf('source.kind', source.kind, SOURCE_KINDS);
  return [
    kind,
    !kind && source.kind === 'OCIRepository' && !String(repository ?? '').startsWith('oci://')
      ? `source.kind "OCIRepository" needs an oci:// chart repository, not ${show(repository)}: use kind "HelmRepository" for an https:// repository`
      : undefined,
    source.name === undefined ? undefined : dnsSubdomainError('source.name', source.name),
    durationProblem('source.interval', source.interval),
  ].filter((p): p is string => p !== undefined);
}

/** A problem with a Helm release name: a DNS-1123 subdomain of at most 53 characters (Helm's limit). */
export function releaseNameProblem(field: string, name: string): string | undefined {
  const problem = dnsSubdomainError(field, name);
  if (problem) return problem;
  if (name.length > MAX_RELEASE_NAME) return `${field} ${show(name)} has ${name.length} characters: Helm allows at most ${MAX_RELEASE_NAME}`;
  return undefined;
}

/** A problem with a drift detection mode. */
export function driftDetectionProblem(mode: DriftDetection | undefined): string | undefined {
  return oneOf('driftDetection', mode, DRIFT_MODES);
}

/** Problems with values references, as messages. */
export function valuesFromProblems(refs: readonly HelmValuesReference[]): string[] {
  return refs.flatMap((ref, i) => {
    const at = `valuesFrom[${i}]`;
    return [
      oneOf(`${at}.kind`, ref.kind, ['ConfigMap', 'Secret'] as const),
      ref.name === undefined ? undefined : dnsSubdomainError(`${at}.name`, ref.name), // left out: the props check's
      ref.valuesKey === undefined || (VALUES_KEY.test(ref.valuesKey) && ref.valuesKey.length <= 253)
        ? undefined
        : `${at}.valuesKey ${show(ref.valuesKey)} is not a data key (letters, digits, "-", "_", ".", at most 253 characters)`,
      ref.targetPath === undefined || (TARGET_PATH.test(ref.targetPath) && ref.targetPath.length <= 250)
        ? undefined
        : `${at}.targetPath ${show(ref.targetPath)} is not a Helm value path (e.g. "image.tag" or "hosts[0]", at most 250 characters)`,
    ].filter((p): p is string => p !== undefined);
  });
}

/** The source kind a chart comes from: as given, else by the repository's scheme. */
export function chartSourceKind(repository: string | undefined, kind?: ChartSourceKind): ChartSourceKind {
  return kind ?? (repository?.startsWith('oci://') ? 'OCIRepository' : 'HelmRepository');
}

/**
 * Declares a release's chart source (`<scope>/source`: a HelmRepository, or an OCIRepository
 * selecting the chart layer, by default for `oci://` charts) and its HelmRelease
 * (`<scope>/release`), in `spec.namespace`, the release named `spec.name` and the source
 * `spec.source.name` (default `spec.name`). Checks nothing: callers report problems first.
 */
export function declareHelmRelease(scope: Construct, spec: HelmReleaseSpec): DeclaredHelmRelease {
  const oci = chartSourceKind(spec.chart.repository, spec.source?.kind) === 'OCIRepository';
  const sourceName = spec.source?.name ?? spec.name;
  const sourceInterval = spec.source?.interval ?? DEFAULT_SOURCE_INTERVAL;
  const source = oci ? ociSource(scope, spec, sourceName, sourceInterval) : helmSource(scope, spec, sourceName, sourceInterval);
  const install = spec.install ?? {};
  const upgrade = spec.upgrade ?? {};
  const valuesFrom = spec.valuesFrom ?? [];
  // strata's default, or nothing (Flux's) with releaseDefaults 'flux'.
  const strata = <T>(value: T): T | undefined => (spec.releaseDefaults === 'flux' ? undefined : value);
  const installRetries = install.retries ?? strata(3);
  const upgradeRemediation = {
    retries: upgrade.retries ?? strata(3),
    remediateLastFailure: upgrade.remediateLastFailure ?? strata(true),
    strategy: upgrade.remediation as HelmReleaseSpecUpgradeRemediationStrategy | undefined,
  };
  const release = new HelmRelease(scope, 'release', {
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      interval: spec.interval ?? '1h',
      timeout: spec.timeout ?? strata('5m'),
      releaseName: spec.releaseName ?? spec.name,
      // Under the lockdown a release naming no ServiceAccount would run as `default`, with no rights.
      serviceAccountName: spec.serviceAccountName,
      targetNamespace: spec.targetNamespace,
      storageNamespace: spec.storageNamespace,
      chartRef: oci ? { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: sourceName } : undefined,
      chart: oci
        ? undefined
        : {
            spec: {
              chart: spec.chart.name,
              version: spec.chart.version,
              sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: sourceName },
              // Flux's default is the HelmRelease's interval: with releaseDefaults 'flux' it is not written.
              interval: strata(sourceInterval),
            },
          },
      install: orNone({
        crds: (install.crds ?? strata('Create')) as HelmReleaseSpecInstallCrds | undefined,
        remediation: installRetries === undefined ? undefined : { retries: installRetries },
        strategy: install.strategy && { name: install.strategy as HelmReleaseSpecInstallStrategyName },
        createNamespace: install.createNamespace,
      }),
      upgrade: orNone({
        crds: (upgrade.crds ?? strata('CreateReplace')) as HelmReleaseSpecUpgradeCrds | undefined,
        cleanupOnFail: upgrade.cleanupOnFail ?? strata(true),
        remediation: orNone(upgradeRemediation),
        strategy: upgrade.strategy && { name: upgrade.strategy as HelmReleaseSpecUpgradeStrategyName },
      }),
      test: orNone({ enable: spec.test?.enable, ignoreFailures: spec.test?.ignoreFailures, timeout: spec.test?.timeout }),
      // A set: the order it was declared in changes nothing.
      dependsOn: typeof spec.dependsOn === 'function' ? Lazy.any({ produce: dependencies(spec.dependsOn) }) : dependencies(() => (spec.dependsOn as readonly string[] | undefined ?? []).map((name) => ({ name })))(),
      values: spec.values && Object.keys(spec.values).length > 0 ? spec.values : undefined,
      valuesFrom: valuesFrom.length > 0
        ? valuesFrom.map((ref) => ({ kind: ref.kind as HelmReleaseSpecValuesFromKind, name: ref.name, valuesKey: ref.valuesKey, targetPath: ref.targetPath, optional: ref.optional }))
        : undefined,
      driftDetection: spec.driftDetection && { mode: spec.driftDetection as HelmReleaseSpecDriftDetectionMode },
    },
  });
  return { release, source };
}

/** The object, or undefined when it sets nothing (an empty `install: {}` would still be written). */
function orNone<T extends object>(fields: T): T | undefined {
  return Object.values(fields).every((v) => v === undefined) ? undefined : fields;
}

/**
 * `spec.dependsOn`, sorted by namespace and name (a set: the order it was declared in changes
 * nothing), or undefined when empty.
 */
function dependencies(list: () => readonly HelmReleaseDependency[]): () => { name: string; namespace?: string }[] | undefined {
  return () => {
    const sorted = canonicalSet(list(), (d) => `${d.namespace ?? ''}/${d.name}`);
    return sorted.length > 0 ? sorted.map((d) => (d.namespace === undefined ? { name: d.name } : { name: d.name, namespace: d.namespace })) : undefined;
  };
}

/** A HelmRepository: of `type: oci` for an oci:// registry. */
function helmSource(scope: Construct, spec: HelmReleaseSpec, name: string, interval: string): HelmRepository {
  return new HelmRepository(scope, 'source', {
    metadata: { name, namespace: spec.namespace, labels: spec.labels },
    spec: { interval, url: spec.chart.repository, type: spec.chart.repository?.startsWith('oci://') ? HelmRepositorySpecType.OCI : undefined },
  });
}

/** OCI charts: an OCIRepository selecting the chart layer, the version as tag (exact) or semver (range). */
function ociSource(scope: Construct, spec: HelmReleaseSpec, name: string, interval: string): OciRepository {
  const version = spec.chart.version;
  return new OciRepository(scope, 'source', {
    metadata: { name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      interval,
      url: `${spec.chart.repository.replace(/\/+$/, '')}/${spec.chart.name}`,
      ref: parseChartVersion(version).kind === 'exact' ? { tag: version } : { semver: version },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: OciRepositorySpecLayerSelectorOperation.COPY },
    },
  });
}
