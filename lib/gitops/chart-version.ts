// Chart versions and ranges, parsed with `semver` (the npm implementation of Semantic Versioning
// 2.0.0). Flux resolves a HelmRelease's `chart.spec.version` and an OCIRepository's `ref.semver`
// with Masterminds/semver, whose range grammar npm's shares (`~`, `^`, `x`, hyphen ranges, `||`),
// and whose pre-release rule is the same: a range matches pre-releases only when it names one
// (`>=1.2.0-0`). https://fluxcd.io/flux/components/helm/helmreleases/#chart-template
import semver from 'semver';

/** How a chart version was understood. */
export type ChartVersion =
  | { readonly kind: 'exact'; readonly version: string }
  | { readonly kind: 'range'; readonly range: string }
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * Parses a chart version: an exact version (`1.2.3`, `v1.21.1`, `2.0.0-rc.1`) or a range with an
 * upper bound (`~1.2.0`, `^1.2.0`, `1.2.x`, `>=1.2.0 <2.0.0`). A range that floats to any future
 * version — `*`, `x`, `latest`, `>=1.0.0`, `>=0.0.0-0` — is refused: one upgrade of the chart
 * source would change every cluster at once, with no change in Git.
 * @param field how problems name the version
 */
export function parseChartVersion(version: unknown, field = 'chart version'): ChartVersion {
  const what = `${field} ${JSON.stringify(version)}`;
  const hint = 'give an exact version (e.g. "1.2.3") or a bounded semver range (e.g. "~1.2.0", "^1.2.0", ">=1.2.0 <2.0.0")';
  if (typeof version !== 'string' || version.trim() === '') return { kind: 'invalid', problem: `${what} is not pinned: ${hint}` };
  if (semver.valid(version) !== null) return { kind: 'exact', version };
  const range = semver.validRange(version);
  if (range === null) return { kind: 'invalid', problem: `${what} is neither a semver version nor a semver range: ${hint}` };
  if (unbounded(new semver.Range(version))) return { kind: 'invalid', problem: `${what} floats to any future version (no upper bound): ${hint}` };
  return { kind: 'range', range: version };
}

/** True when some alternative of the range has no upper bound (`*` parses to a comparator matching anything: no operator, no value). */
function unbounded(range: semver.Range): boolean {
  return range.set.some((comparators) => !comparators.some((c) => c.operator === '<' || c.operator === '<=' || (c.operator === '' && c.value !== '')));
}
