// Cross-references between objects of one cluster: a name that points nowhere is accepted by the
// API server and fails only later, in a controller's status. These rules fail it at synth time.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, namespaceOf, rec, str, type ClusterObjects } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { scaleTarget } from './workloads.js';

/** The GitRepository `flux bootstrap` creates on every cluster: it exists without being rendered. */
export const BOOTSTRAP_REPOSITORY = { kind: 'GitRepository', namespace: 'flux-system', name: 'flux-system' } as const;

function exists(objects: ClusterObjects, kind: string, namespace: string | undefined, name: string): boolean {
  if (kind === BOOTSTRAP_REPOSITORY.kind && namespace === BOOTSTRAP_REPOSITORY.namespace && name === BOOTSTRAP_REPOSITORY.name) return true;
  if (kind === 'ExternalArtifact' && generatedArtifact(objects, namespace, name)) return true;
  return objects.find(kind, namespace, name) !== undefined;
}

/**
 * Whether an ArtifactGenerator of the cluster produces ExternalArtifact `namespace/name`: each of
 * its `spec.artifacts` is one, named after it, in the generator's namespace. ExternalArtifacts are
 * made by controllers, not declared. https://fluxcd.io/flux/components/source/artifactgenerators/
 */
function generatedArtifact(objects: ClusterObjects, namespace: string | undefined, name: string): boolean {
  return objects.ofKind('ArtifactGenerator').some((g) =>
    String(g.manifest.apiVersion).startsWith('source.extensions.fluxcd.io/') && namespaceOf(g) === namespace && arr(rec(g.manifest.spec).artifacts).some((a) => str(rec(a).name) === name),
  );
}

/**
 * A `{kind, name, namespace?}` reference that must resolve on the cluster; `what` names the
 * field. The namespace defaults to the referring object's, unless the kind is cluster-scoped.
 */
function refViolation(objects: ClusterObjects, object: ResolvedObject, what: string, ref: unknown, clusterScoped = false): Violation[] {
  const r = rec(ref);
  const name = str(r.name);
  const kind = str(r.kind);
  if (name === undefined || kind === undefined) return [];
  const ns = clusterScoped ? undefined : (str(r.namespace) ?? namespaceOf(object));
  if (exists(objects, kind, ns, name)) return [];
  return [{ object, message: `${what} ${kind} ${ns ? `${ns}/` : ''}${name} does not exist on this cluster` }];
}

export const fluxSourceExists: Rule = {
  id: 'flux-source-exists',
  summary: 'Every Flux Kustomization sourceRef, HelmRelease chart.spec.sourceRef / chartRef and ArtifactGenerator spec.sources entry names a source declared on the same cluster (the GitRepository flux-system/flux-system of `flux bootstrap` counts as declared; an ExternalArtifact counts when an ArtifactGenerator of its namespace lists it in spec.artifacts).',
  hint: 'declare the source (GitRepository, OCIRepository, HelmRepository, or the ArtifactGenerator producing the ExternalArtifact) on the cluster, or fix the name, kind or namespace',
  severity: ALWAYS_ERROR,
  check: (objects) => [
    ...objects.ofKind('Kustomization').flatMap((k) => refViolation(objects, k, 'sourceRef', rec(k.manifest.spec).sourceRef)),
    ...objects.ofKind('ArtifactGenerator').flatMap((g) => arr(rec(g.manifest.spec).sources).flatMap((source, i) => refViolation(objects, g, `spec.sources[${i}]`, source))),
    ...objects.ofKind('HelmRelease').flatMap((h) => {
      const spec = rec(h.manifest.spec);
      return [
        ...refViolation(objects, h, 'chart.spec.sourceRef', rec(rec(spec.chart).spec).sourceRef),
        ...refViolation(objects, h, 'chartRef', spec.chartRef),
      ];
    }),
  ],
};

export const fluxDependencyExists: Rule = {
  id: 'flux-dependency-exists',
  summary: 'Every dependsOn of a Flux Kustomization names a Kustomization, and of a HelmRelease a HelmRelease, declared on the same cluster (Flux would wait for it forever).',
  hint: 'fix the name or namespace in dependsOn, or declare what it waits for',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    objects.ofKind('Kustomization', 'HelmRelease').flatMap((obj) =>
      arr(rec(obj.manifest.spec).dependsOn).flatMap((d) => refViolation(objects, obj, 'dependsOn', { name: rec(d).name, namespace: rec(d).namespace, kind: obj.manifest.kind })),
    ),
};

export const kedaAuthenticationExists: Rule = {
  id: 'keda-authentication-exists',
  summary: 'Every trigger authenticationRef of a KEDA ScaledObject or ScaledJob names a TriggerAuthentication in its namespace or a ClusterTriggerAuthentication declared on the same cluster.',
  hint: 'declare the TriggerAuthentication next to the ScaledObject, or fix its name or kind',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    objects.ofKind('ScaledObject', 'ScaledJob').flatMap((so) =>
      arr(rec(so.manifest.spec).triggers).flatMap((t) => {
        const ref = rec(rec(t).authenticationRef);
        if (ref.name === undefined) return [];
        const kind = ref.kind ?? 'TriggerAuthentication';
        return refViolation(objects, so, 'authenticationRef', { name: ref.name, kind }, kind === 'ClusterTriggerAuthentication');
      }),
    ),
};

/** Annotations with which ingress-shim asks cert-manager for a certificate. */
const ISSUER_ANNOTATIONS = { 'cert-manager.io/cluster-issuer': 'ClusterIssuer', 'cert-manager.io/issuer': 'Issuer' } as const;

export const issuerExists: Rule = {
  id: 'issuer-exists',
  summary: 'Every cert-manager issuer a Certificate (issuerRef) or an Ingress/Gateway (annotation cert-manager.io/cluster-issuer or cert-manager.io/issuer) asks for is a ClusterIssuer or Issuer declared on the same cluster.',
  hint: 'use the name of a ClusterIssuer the platform declares (cluster.tlsIssuer), or declare it',
  severity: ALWAYS_ERROR,
  check: (objects) => [
    ...objects.ofKind('Certificate').flatMap((cert) => {
      const ref = rec(rec(cert.manifest.spec).issuerRef);
      if ((ref.group ?? 'cert-manager.io') !== 'cert-manager.io') return [];
      const kind = str(ref.kind) ?? 'Issuer';
      return refViolation(objects, cert, 'issuerRef', { name: ref.name, kind }, kind === 'ClusterIssuer');
    }),
    ...objects.ofKind('Ingress', 'Gateway').flatMap((obj) => {
      const annotations = rec(rec(obj.manifest.metadata).annotations);
      return Object.entries(ISSUER_ANNOTATIONS).flatMap(([annotation, kind]) =>
        refViolation(objects, obj, `annotation ${annotation}:`, { name: annotations[annotation], kind }, kind === 'ClusterIssuer'),
      );
    }),
  ],
};

export const autoscalerTargetExists: Rule = {
  id: 'autoscaler-target-exists',
  summary: 'Every HorizontalPodAutoscaler and KEDA ScaledObject scaleTargetRef names a workload (same apiVersion and kind) in its namespace on the same cluster.',
  hint: 'point scaleTargetRef at the Deployment or StatefulSet it scales (apiVersion apps/v1, its kind and name)',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    objects.ofKind('HorizontalPodAutoscaler', 'ScaledObject').flatMap((autoscaler) => {
      const target = scaleTarget(autoscaler);
      const found = objects.find(target.kind, namespaceOf(autoscaler), target.name);
      const what = `scaleTargetRef ${target.apiVersion} ${target.kind} ${namespaceOf(autoscaler)}/${target.name}`;
      if (!found) return [{ object: autoscaler, message: `${what} does not exist on this cluster` }];
      if (found.manifest.apiVersion !== target.apiVersion) return [{ object: autoscaler, message: `${what} is declared as ${found.manifest.apiVersion}` }];
      return [];
    }),
};

