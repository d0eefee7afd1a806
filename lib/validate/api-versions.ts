// Which apiVersion/kind a cluster serves: a kind of a Kubernetes release the cluster does not run
// yet, or one its release removed, is rejected by the API server ("no matches for kind"), so it is
// an error at synth time that names the release and what to use instead.
import { DEFAULT_KUBERNETES_VERSION, minorOf } from '../fleet/kubernetes-version.js';
import { kindMinors, knownKinds } from './fields.js';

/**
 * APIs removed before the first release strata has schemas for (1.27), with what replaces them,
 * from the Kubernetes deprecated API migration guide:
 * https://kubernetes.io/docs/reference/using-api/deprecation-guide/
 * Removals from 1.27 on come from the schemas themselves (imports/known-fields.ts).
 */
const REMOVED_BEFORE: readonly { readonly apiVersion: string; readonly kinds: readonly string[]; readonly removed: number; readonly use: string }[] = [
  { apiVersion: 'extensions/v1beta1', kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'], removed: 16, use: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['NetworkPolicy'], removed: 16, use: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['PodSecurityPolicy'], removed: 16, use: 'Pod Security Admission (the namespace label pod-security.kubernetes.io/enforce)' },
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], removed: 22, use: 'networking.k8s.io/v1' },
  { apiVersion: 'apps/v1beta1', kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], removed: 16, use: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], removed: 16, use: 'apps/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], removed: 22, use: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', kinds: ['CustomResourceDefinition'], removed: 22, use: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', kinds: ['APIService'], removed: 22, use: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'authentication.k8s.io/v1beta1', kinds: ['TokenReview'], removed: 22, use: 'authentication.k8s.io/v1' },
  { apiVersion: 'authorization.k8s.io/v1beta1', kinds: ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview'], removed: 22, use: 'authorization.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', kinds: ['CertificateSigningRequest'], removed: 22, use: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', kinds: ['Lease'], removed: 22, use: 'coordination.k8s.io/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], removed: 22, use: 'networking.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], removed: 22, use: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', kinds: ['PriorityClass'], removed: 22, use: 'scheduling.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], removed: 22, use: 'storage.k8s.io/v1' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], removed: 25, use: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kinds: ['EndpointSlice'], removed: 25, use: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kinds: ['Event'], removed: 25, use: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], removed: 25, use: 'autoscaling/v2' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], removed: 25, use: 'policy/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodSecurityPolicy'], removed: 25, use: 'Pod Security Admission (the namespace label pod-security.kubernetes.io/enforce)' },
  { apiVersion: 'node.k8s.io/v1beta1', kinds: ['RuntimeClass'], removed: 25, use: 'node.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', kinds: ['FlowSchema', 'PriorityLevelConfiguration'], removed: 26, use: 'flowcontrol.apiserver.k8s.io/v1beta3 (1.26-1.31) or flowcontrol.apiserver.k8s.io/v1 (1.29 and later)' },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], removed: 26, use: 'autoscaling/v2' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], removed: 27, use: 'storage.k8s.io/v1' },
];

const removedBefore = new Map<string, (typeof REMOVED_BEFORE)[number]>(REMOVED_BEFORE.flatMap((r) => r.kinds.map((kind) => [`${r.apiVersion}/${kind}`, r] as const)));

/**
 * Why a cluster running Kubernetes `kubernetesVersion` (default DEFAULT_KUBERNETES_VERSION) does
 * not serve `apiVersion` `kind`, or undefined when it does (or the kind is not Kubernetes' own):
 * `policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25: use Pod Security Admission ...`.
 */
export function apiVersionProblem(apiVersion: string, kind: string, kubernetesVersion?: string): string | undefined {
  const version = kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const minor = minorOf(version);
  const gvk = `${apiVersion}/${kind}`;
  const before = removedBefore.get(gvk);
  if (before) return `${apiVersion} ${kind} was removed in Kubernetes 1.${before.removed} (this cluster runs ${version}): use ${before.use.includes(' ') ? before.use : `${before.use} ${kind}`}`;
  const range = kindMinors(apiVersion, kind);
  if (!range || servedIn(range, minor)) return undefined;
  const [since, until] = range;
  const instead = replacement(apiVersion, kind, minor);
  if (minor < since) {
    const alternative = instead ? `, or use ${instead}, which it serves` : '';
    return `${apiVersion} ${kind} exists from Kubernetes 1.${since} on, but this cluster runs ${version}: set the cluster's kubernetesVersion to 1.${since} or later where it runs one${alternative}`;
  }
  return `${apiVersion} ${kind} was removed in Kubernetes 1.${until! + 1} (this cluster runs ${version}): use ${instead ?? `the API that replaced it (${DEPRECATION_GUIDE})`}`;
}

const DEPRECATION_GUIDE = 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/';

function servedIn(range: readonly [number, number | null], minor: number): boolean {
  // Past the newest minor strata has schemas for, a kind still served there is taken as served.
  return minor >= range[0] && (range[1] === null || minor <= range[1]);
}

/** The same kind in another version of its group that a cluster of `minor` serves, the most stable first. */
function replacement(apiVersion: string, kind: string, minor: number): string | undefined {
  const group = groupOf(apiVersion);
  const candidates = knownApiVersions(kind).filter((v) => v !== apiVersion && groupOf(v) === group);
  const served = candidates.filter((v) => {
    const range = kindMinors(v, kind);
    return !range || servedIn(range, minor);
  });
  return served.sort((a, b) => stability(b) - stability(a))[0]?.concat(` ${kind}`);
}

let byKind: Map<string, string[]> | undefined;

/** Every apiVersion the field data has a kind named `kind` in. */
function knownApiVersions(kind: string): readonly string[] {
  if (!byKind) {
    byKind = new Map();
    for (const gvk of knownKinds()) {
      const slash = gvk.lastIndexOf('/');
      const list = byKind.get(gvk.slice(slash + 1)) ?? [];
      list.push(gvk.slice(0, slash));
      byKind.set(gvk.slice(slash + 1), list);
    }
  }
  return byKind.get(kind) ?? [];
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** v1 > v1beta2 > v1beta1 > v1alpha1; a higher major above a lower one. */
function stability(apiVersion: string): number {
  const m = /v(\d+)(?:(alpha|beta)(\d+))?$/.exec(apiVersion);
  if (!m) return 0;
  const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return Number(m[1]) * 1000 + level * 100 + Number(m[3] ?? 0);
}
