import { checkedProps } from '../fleet/props.js';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { HelmRelease } from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import type { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import type { OciRepository } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import type { Apps, Cluster } from '../fleet/cluster.js';
import { StrataError, addCheck, show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { isStageDependent, type Stage, type StageValue } from '../fleet/stage.js';
import {
  actionProblems,
  chartSourceOptionProblems,
  chartSourceProblems,
  chartVersionProblem,
  declareHelmRelease,
  driftDetectionProblem,
  durationProblem,
  releaseNameProblem,
  valuesFromProblems,
  type DeclaredHelmRelease,
  type DriftDetection,
  type HelmValues,
  type HelmValuesReference,
  type HelmReleaseOptions,
} from '../gitops/helm-release.js';
import { valuesProblems, type ValuesChecks } from '../gitops/values-check.js';
import { appsOf } from './workload.js';
import { recordDefinition } from '../fleet/source-location.js';

/** A chart a team installs; the version may differ per stage. */
export interface HelmAppChart {
  /**
   * A Helm repository (`https://stefanprodan.github.io/podinfo`) or an OCI registry path
   * (`oci://ghcr.io/stefanprodan/charts`, the chart being `<repository>/<name>`, pulled through an OCIRepository).
   */
  readonly repository: string;
  /** The chart's name in that repository, e.g. `podinfo`. */
  readonly name: string;
  /**
   * An exact version (`6.9.2`) or a semver range (`~6.9.0`), never "latest"; may differ per
   * stage, e.g. `perStage({ development: '6.9.2', production: '6.8.0' })`.
   */
  readonly version: StageValue<string>;
}

/**
 * A third-party chart a team installs into its own namespace. `valuesSchema` and `valuesFile` check
 * the values (resolved for the cluster's stage) as a platform component's are.
 */
export interface HelmAppProps extends HelmReleaseOptions, ValuesChecks {
  /** Names the HelmRelease, its chart source and (unless `releaseName`) the Helm release; a DNS label. @default the construct id */
  readonly name?: string;
  /** The chart to install: its repository (https:// or oci://), name and version, pulled through a Flux HelmRepository or OCIRepository. */

  readonly chart: HelmAppChart;

  /**
   * Helm values (the chart's own keys). The whole object, or any value at any depth, may be
   * `perStage({...})`, e.g. `{ replicaCount: perStage({ development: 1, production: 3 }) }`.
   * @default the chart's defaults
   */
  readonly values?: StageValue<HelmValues>;
  /**
   * Values read from ConfigMaps or Secrets of the namespace at reconcile time (e.g. credentials
   * kept out of Git), merged in order before `values`.
   * @default none
   */
  readonly valuesFrom?: readonly HelmValuesReference[];
  /** How long one Helm action (install, upgrade, test, rollback) may take, a Go duration. @default '5m' */
  readonly timeout?: StageValue<string>;
  /** How often helm-controller reconciles the release, a Go duration. @default '1h' */
  readonly interval?: StageValue<string>;
  /** The Helm release's name, at most 53 characters. @default `name` */
  readonly releaseName?: string;
  /** HelmApps of the same namespace whose releases must be ready before this one installs. @default none */
  readonly dependsOn?: readonly HelmApp[];
  /** Whether helm-controller corrects (`enabled`) or reports (`warn`) changes made in the cluster. @default Flux's: 'disabled' */
  readonly driftDetection?: StageValue<DriftDetection>;
}

/** HelmApps per cluster and namespace: a HelmRelease name is unique in its namespace. */
const NAMES = new WeakMap<Cluster, Map<string, HelmApp>>();

/**
 * A third-party Helm chart installed by a team into its own namespace (`fleet.apps(...)`): a
 * HelmRepository (or, for `oci://` charts, an OCIRepository referenced by `chartRef`) and a
 * HelmRelease (`helm.toolkit.fluxcd.io/v2`), both in the team's namespace, the chart installed
 * and its release stored there (no `targetNamespace` or `storageNamespace`), reconciled as the
 * tenant's ServiceAccount `<tenant>-reconciler` of that namespace, which it declares once per
 * namespace and binds to `cluster-admin` in that namespace only: the same rights as the identity
 * Flux applies the namespace's folder with, so the chart can do nothing the team's folder could not.
 * Same HelmRelease as the platform's components (`PlatformComponent`).
 * https://fluxcd.io/flux/components/helm/helmreleases/
 *
 * @throws StrataError when declared outside `fleet.apps(...)`
 */
export class HelmApp extends Construct {
  /** The HelmRelease's name. */
  readonly name: string;
  /** Namespace of the HelmRelease, its chart source and the installed chart: the one of the enclosing `fleet.apps(namespace, ...)`. */
  readonly namespace: string;
  /** The cluster the app is rendered for: the one of the enclosing `fleet.apps(...)` call. */
  readonly cluster: Cluster;
  /** Problems found in the props; each becomes an error naming this construct. */
  private readonly problems: string[] = [];
  private readonly declared?: DeclaredHelmRelease;

  /** @throws StrataError when `scope` is not inside `fleet.apps(...)`, which gives the app its namespace */
  constructor(scope: Construct, id: string, given: HelmAppProps) {
    super(scope, id);
    // Unknown keys (`valeus`, `chart.verison`) and values of another structure are errors; the
    // latter are left out of what is read. Stage values are resolved field by field below.
    const { props, problems } = checkedProps('HelmAppProps', given);
    this.problems.push(...problems);
    recordDefinition(this);
    const apps = appsOf(this);
    if (!apps) throw new StrataError(`HelmApp ${show(id)} (${this.node.path}) is not inside fleet.apps(...), which gives it its namespace`);
    this.cluster = apps.cluster;
    this.namespace = apps.namespace;
    this.name = props.name ?? id;
    addCheck(this, () => this.problems);

    const stage = this.cluster.stage;
    const resolve = <T>(field: string, value: StageValue<T> | undefined): T | undefined => resolveDeep(stage, value, field, this.problems) as T | undefined;
    const chart = { repository: props.chart?.repository, name: props.chart?.name, version: resolve('chart.version', props.chart?.version) as string };
    const values = resolve<HelmValues>('values', props.values);
    const timeout = resolve('timeout', props.timeout);
    const interval = resolve('interval', props.interval);
    const driftDetection = resolve('driftDetection', props.driftDetection);
    const releaseName = props.releaseName ?? this.name;
    const nameProblem = dnsLabelError('HelmApp name', this.name);
    this.problems.push(...[
      nameProblem,
      ...chartSourceProblems(chart),
      // A version missing for the stage is reported by the resolution, one left out by the props check.
      chart.version === undefined ? undefined : chartVersionProblem(chart.version),
      ...valuesProblems(values ?? {}, props),
      ...valuesFromProblems(props.valuesFrom ?? []),
      ...actionProblems(props.install, props.upgrade, props.test, props.releaseDefaults),
      durationProblem('timeout', timeout),
      durationProblem('interval', interval),
      // A release name defaulting to a bad HelmApp name is that name's problem.
      props.releaseName === undefined && nameProblem ? undefined : releaseNameProblem(props.releaseName === undefined ? 'release name (the HelmApp name)' : 'releaseName', releaseName),
      ...chartSourceOptionProblems(props.source, chart.repository),
      driftDetectionProblem(driftDetection as DriftDetection | undefined),
      ...(props.dependsOn ?? []).map((other) => this.dependencyProblem(other)),
      apps.serviceAccountName === undefined
        ? `namespace ${show(this.namespace)} is no tenant's, so no Flux identity of its own can install the chart: declare platform.addTenant(${show(this.namespace)})`
        : undefined,
    ].filter((p): p is string => p !== undefined));
    if (!nameProblem) this.claimName();
    // Broken props would only come back as schema errors of the objects: they are not rendered.
    if (this.problems.length > 0 || apps.serviceAccountName === undefined) return;

    const serviceAccountName = declareHelmIdentity(apps, apps.serviceAccountName);
    this.declared = declareHelmRelease(this, {
      name: this.name,
      namespace: this.namespace,
      labels: { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/instance': this.name },
      chart,
      source: props.source,
      serviceAccountName,
      releaseName,
      interval,
      timeout,
      install: props.install,
      upgrade: props.upgrade,
      test: props.test,
      releaseDefaults: props.releaseDefaults,
      values,
      valuesFrom: props.valuesFrom,
      dependsOn: props.dependsOn?.map((other) => other.name),
      driftDetection,
    });
  }

  /**
   * The HelmRelease, to change what the props do not cover (`JsonPatch`, `addJsonPatch`).
   * @throws StrataError when the props have problems (then nothing is rendered and the synth fails)
   */
  get release(): HelmRelease {
    return this.rendered().release;
  }

  /**
   * The chart source: a HelmRepository, or an OCIRepository for `oci://` charts.
   * @throws StrataError when the props have problems (then nothing is rendered and the synth fails)
   */
  get source(): HelmRepository | OciRepository {
    return this.rendered().source;
  }

  private rendered(): DeclaredHelmRelease {
    if (!this.declared) throw new StrataError(`HelmApp ${show(this.name)} (${this.node.path}) is not rendered: ${this.problems.join('; ')}`);
    return this.declared;
  }

  private dependencyProblem(other: HelmApp): string | undefined {
    if (other.cluster === this.cluster && other.namespace === this.namespace) return undefined;
    return `dependsOn HelmApp ${show(other.name)} of namespace ${show(other.namespace)} on cluster ${show(other.cluster.name)}: a HelmApp depends only on HelmApps of its own namespace (${show(this.namespace)}) and cluster (${show(this.cluster.name)})`;
  }

  private claimName(): void {
    let names = NAMES.get(this.cluster);
    if (!names) NAMES.set(this.cluster, (names = new Map()));
    const key = `${this.namespace}/${this.name}`;
    const first = names.get(key);
    if (first) this.problems.push(`HelmApp name ${show(this.name)} is also used by ${first.node.path}: it names the HelmRelease, unique in a namespace`);
    else names.set(key, this);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value with every `perStage(...)` in it, at any depth, resolved for `stage`; a missing stage value is a problem at `at`. */
function resolveDeep(stage: Stage, value: unknown, at: string, problems: string[]): unknown {
  if (isStageDependent(value)) {
    try {
      return resolveDeep(stage, stage.resolve(value), at, problems);
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      problems.push(`${at}: ${e.message}`);
      return undefined;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveDeep(stage, v, `${at}[${i}]`, problems));
  if (!isPlainObject(value)) return value;
  const resolved: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const r = resolveDeep(stage, v, `${at}.${key}`, problems);
    if (r !== undefined) resolved[key] = r;
  }
  return resolved;
}

/**
 * The ServiceAccount helm-controller impersonates for the namespace's HelmApps: `account` (the
 * tenant's reconciler's name) in the namespace itself, since Flux impersonates a ServiceAccount
 * of the HelmRelease's own namespace, bound to `cluster-admin` there only. Declared once per namespace.
 */
function declareHelmIdentity(apps: Apps, account: string): string {
  const id = 'helm-reconciler';
  if (apps.namespaceAccountDeclared || apps.node.tryFindChild(id)) return account;
  const identity = new Construct(apps, id);
  new k8s.KubeServiceAccount(identity, 'service-account', { metadata: { name: account }, automountServiceAccountToken: false });
  new k8s.KubeRoleBinding(identity, 'binding', {
    metadata: { name: 'helm-reconciler' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: apps.namespace }],
  });
  return account;
}
