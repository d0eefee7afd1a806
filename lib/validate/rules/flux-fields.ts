// Fields of Flux objects that Flux parses itself, checked on the rendered objects (strata's and
// hand-written ones alike): a duration Go cannot parse, or a chart version no semver parser
// understands, would be refused by the API server or leave the object failing forever.
import { fluxDurationError } from '../../fleet/duration.js';
import { parseChartVersion } from '../../gitops/chart-version.js';
import type { ResolvedObject } from '../../synth/model.js';
import { describe, rec, type ClusterObjects } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';

/** The duration fields of each Flux kind (`metav1.Duration` in its Go types). */
const DURATIONS: Readonly<Record<string, readonly string[]>> = {
  Kustomization: ['spec.interval', 'spec.retryInterval', 'spec.timeout'],
  HelmRelease: ['spec.interval', 'spec.timeout', 'spec.chart.spec.interval', 'spec.install.timeout', 'spec.upgrade.timeout', 'spec.rollback.timeout', 'spec.uninstall.timeout', 'spec.test.timeout'],
  GitRepository: ['spec.interval', 'spec.timeout'],
  HelmRepository: ['spec.interval', 'spec.timeout'],
  OCIRepository: ['spec.interval', 'spec.timeout'],
  Bucket: ['spec.interval', 'spec.timeout'],
  HelmChart: ['spec.interval'],
};

function isFlux(obj: ResolvedObject): boolean {
  return /\.toolkit\.fluxcd\.io\//.test(String(obj.manifest.apiVersion));
}

function at(obj: ResolvedObject, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => rec(value)[key], obj.manifest);
}

export const fluxDuration: Rule = {
  id: 'flux-duration',
  summary: 'Every interval and timeout of a Flux object (Kustomization, HelmRelease, the sources) is a Go duration Flux\'s CRDs accept ("1h", "5m", "30s", "1h30m"), never "5 minutes" or "1d".',
  hint: 'write the duration as Go does: numbers with units h, m, s or ms, e.g. "5m" or "1h30m"',
  severity: ALWAYS_ERROR,
  check: (objects: ClusterObjects): Violation[] =>
    Object.entries(DURATIONS).flatMap(([kind, fields]) =>
      objects.ofKind(kind).filter(isFlux).flatMap((object) =>
        fields.flatMap((field) => {
          const value = at(object, field);
          const problem = value === undefined ? undefined : fluxDurationError(field, value);
          return problem ? [{ object, message: `${describe(object)}: ${problem}` }] : [];
        }),
      ),
    ),
};

export const chartVersionPinned: Rule = {
  id: 'chart-version-pinned',
  summary: 'Every HelmRelease chart version (of a chart from a HelmRepository) and OCIRepository semver range is an exact semver version or a range with an upper bound (parsed with the semver library), never "latest", "*" or ">=1.0.0".',
  hint: 'pin an exact version ("1.2.3") or a bounded range ("~1.2.0", "^1.2.0")',
  severity: ALWAYS_ERROR,
  check: (objects: ClusterObjects): Violation[] => [
    ...objects.ofKind('HelmRelease').filter(isFlux).flatMap((object) => {
      const spec = rec(rec(rec(object.manifest.spec).chart).spec);
      if (spec.chart === undefined) return []; // chartRef: the source pins the version
      // A chart from a Git repository or bucket is the chart at the source's revision: Flux ignores the version.
      if (rec(spec.sourceRef).kind !== 'HelmRepository') return [];
      const version = parseChartVersion(spec.version, 'spec.chart.spec.version');
      return version.kind === 'invalid' ? [{ object, message: `${describe(object)}: ${version.problem}` }] : [];
    }),
    ...objects.ofKind('OCIRepository').filter(isFlux).flatMap((object) => {
      const range = rec(rec(object.manifest.spec).ref).semver;
      if (range === undefined) return [];
      const version = parseChartVersion(range, 'spec.ref.semver');
      return version.kind === 'invalid' ? [{ object, message: `${describe(object)}: ${version.problem}` }] : [];
    }),
  ],
};
