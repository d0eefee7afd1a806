// Checks on constructs strata did not write (cdk8s, cdk8s-plus) declared inside its scopes.
import { Helm, Names } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { show } from './errors.js';

/**
 * A cdk8s `Helm` without `releaseName` is released under a name derived from its construct path,
 * cluster included (`staging-apps-tools-hello-c8e2b1a4`), so every template that names objects
 * after the release (`{{ .Release.Name }}-...`) names them differently on every cluster.
 * https://cdk8s.io/docs/latest/basics/helm/
 */
export function helmReleaseProblems(scope: IConstruct): string[] {
  return scope.node.findAll().filter((c): c is Helm => c instanceof Helm).flatMap((helm) => {
    const derived = Names.toDnsLabel(helm.node.scope!, { maxLen: 53, extra: [helm.node.id] });
    return helm.releaseName === derived
      ? [`Helm ${show(helm.node.id)} has no releaseName, so it is released as ${show(derived)}, a name derived from the construct path (cluster included) that differs per cluster: pass releaseName`]
      : [];
  });
}
