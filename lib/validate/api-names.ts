// Names the generic DNS-1123 check admits but the API server (or Flux) still rejects.
import type { Finding } from '../fleet/errors.js';
import type { FleetModel, ResolvedObject } from '../synth/model.js';
import { describe, nameOf } from './objects.js';

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `name` is not a Service name although it is a DNS-1123 label, or undefined: Service names
 * are DNS-1035 labels (they become DNS names and environment variable prefixes), which must
 * start with a letter. https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
 */
export function serviceNameProblem(name: string): string | undefined {
  return DNS_1035_LABEL.test(name) || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) ? undefined : 'Service names are DNS-1035 labels, which start with a letter';
}

/** A name that starts with a letter: leading segments that start with a digit move to the end (`3d-viewer` → `viewer-3d`). */
export function serviceNameSuggestion(name: string): string {
  const segments = name.split('-');
  const first = segments.findIndex((s) => /^[a-z]/.test(s));
  return first < 0 ? `svc-${name}` : [...segments.slice(first), ...segments.slice(0, first)].join('-');
}

/** Label keys Flux stamps with an object's name: kustomize-controller and helm-controller. */
const FLUX_NAME_LABELS: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/Kustomization': 'kustomize.toolkit.fluxcd.io/name',
  'helm.toolkit.fluxcd.io/HelmRelease': 'helm.toolkit.fluxcd.io/name',
};

/** Label values are at most 63 characters. */
const MAX_LABEL_VALUE = 63;

function nameProblems(obj: ResolvedObject): string[] {
  const { apiVersion, kind } = obj.manifest;
  const name = nameOf(obj);
  if (kind === 'Service' && apiVersion === 'v1') {
    const problem = serviceNameProblem(name);
    if (problem) return [`Service name "${name}" is rejected by the API server: ${problem} (a Deployment may have this name, a Service may not); rename it, e.g. "${serviceNameSuggestion(name)}"`];
  }
  const label = FLUX_NAME_LABELS[`${apiVersion.split('/')[0]}/${kind}`];
  if (label && name.length > MAX_LABEL_VALUE) {
    return [`${kind} name "${name}" has ${name.length} characters: Flux labels every object it applies with ${label}: <name>, and a label value has at most ${MAX_LABEL_VALUE}, so the API server rejects them all; shorten the name to ${MAX_LABEL_VALUE} characters`];
  }
  return [];
}

/**
 * Names the API server rejects although the structure check (DNS-1123) passes them: Services
 * named like `3d-viewer`, and Flux Kustomizations and HelmReleases whose name, stamped as a label
 * value on everything they apply, is longer than 63 characters. Never waivable: nothing applies.
 */
export function checkApiServerNames(model: FleetModel): Finding[] {
  return model.clusters.flatMap((cluster) =>
    [...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources].flatMap((obj) =>
      nameProblems(obj).map((message) => ({ path: obj.path, object: describe(obj), message })),
    ),
  );
}
