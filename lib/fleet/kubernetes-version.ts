// The Kubernetes minor version a cluster runs: what strata may render for it and validate against.
import { show } from './errors.js';

/** The Kubernetes minor versions strata knows, oldest first. */
export const KUBERNETES_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35'] as const;

/** A Kubernetes minor version, `'1.<minor>'`. */
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/**
 * The version a cluster is taken to run when it names none: a current release, supported by the
 * managed offerings (EKS, GKE, AKS) in 2026, and the first with native sidecars GA.
 */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.33';

/**
 * The first minor version with the native `sleep` lifecycle action (`lifecycle.preStop.sleep.seconds`):
 * beta and on by default from 1.30 (alpha behind a gate in 1.29), GA in 1.34 (KEP-3960).
 * https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
export const NATIVE_SLEEP_SINCE: KubernetesVersion = '1.30';

/**
 * The first minor version with native sidecars (an init container with `restartPolicy: Always`
 * runs beside the app containers for the pod's lifetime): beta and on by default from 1.29 (alpha
 * behind a gate in 1.28), GA in 1.33 (KEP-753).
 * https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
export const NATIVE_SIDECARS_SINCE: KubernetesVersion = '1.29';

/** The error for a version strata does not know, or undefined. */
export function kubernetesVersionProblem(version: unknown): string | undefined {
  if ((KUBERNETES_VERSIONS as readonly unknown[]).includes(version)) return undefined;
  return `kubernetesVersion ${show(version)} is not a Kubernetes minor version strata knows: use "1.<minor>", one of ${KUBERNETES_VERSIONS.join(', ')}`;
}

/** The minor number of a version (`'1.30'` → 30); NaN for anything else. */
export function minorOf(version: string): number {
  return /^1\.(\d+)$/.test(version) ? Number(version.slice(2)) : Number.NaN;
}

/** True when `version` (default: DEFAULT_KUBERNETES_VERSION) is `since` or later. */
export function atLeast(version: string | undefined, since: KubernetesVersion): boolean {
  return minorOf(version ?? DEFAULT_KUBERNETES_VERSION) >= minorOf(since);
}
