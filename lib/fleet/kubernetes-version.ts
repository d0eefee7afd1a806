// The Kubernetes minor version a cluster runs: what strata may render for it and validate against.
import { show } from './errors.js';

/** The Kubernetes minor versions strata knows, oldest first. */
export const KUBERNETES_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35'] as const;

/** A Kubernetes minor version, `'1.<minor>'`. */
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/**
 * The version a cluster is taken to run when it names none: the API version of strata's schemas
 * (imports/known-fields.ts, cdk8s-plus-27), so what is rendered is valid there.
 */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.27';

/**
 * The first minor version with the native `sleep` lifecycle action (`lifecycle.preStop.sleep.seconds`):
 * beta and on by default from 1.30 (alpha behind a gate in 1.29), GA in 1.34 (KEP-3960).
 * https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
export const NATIVE_SLEEP_SINCE: KubernetesVersion = '1.30';

/** The error for a version strata does not know, or undefined. */
export function kubernetesVersionProblem(version: unknown): string | undefined {
  if ((KUBERNETES_VERSIONS as readonly unknown[]).includes(version)) return undefined;
  return `kubernetesVersion ${show(version)} is not a Kubernetes minor version strata knows: use "1.<minor>", one of ${KUBERNETES_VERSIONS.join(', ')}`;
}

/** The minor number of a version (`'1.30'` → 30); NaN for anything else. */
function minor(version: string): number {
  return /^1\.(\d+)$/.test(version) ? Number(version.slice(2)) : Number.NaN;
}

/** True when `version` (default: DEFAULT_KUBERNETES_VERSION) is `since` or later. */
export function atLeast(version: string | undefined, since: KubernetesVersion): boolean {
  return minor(version ?? DEFAULT_KUBERNETES_VERSION) >= minor(since);
}
