// Flux's multi-tenancy lockdown: https://fluxcd.io/flux/installation/configuration/multi-tenancy/
// Without it, kustomize-controller and helm-controller apply a Kustomization or HelmRelease that
// names no ServiceAccount with their own cluster-admin rights, and follow references into any
// namespace: a team's folder could install into kube-system or read the platform's repository.
import { BOOTSTRAP_SOURCE, FLUX_NAMESPACE } from './source.js';

/** ServiceAccount (in flux-system) kustomize-controller runs as; platform Kustomizations name it. */
export const KUSTOMIZE_CONTROLLER = 'kustomize-controller';
/** ServiceAccount (in flux-system) helm-controller runs as; platform HelmReleases name it. */
export const HELM_CONTROLLER = 'helm-controller';
/** The ServiceAccounts every Flux installation creates in flux-system, one per controller. */
export const FLUX_CONTROLLER_ACCOUNTS: ReadonlySet<string> = new Set([
  'source-controller', KUSTOMIZE_CONTROLLER, HELM_CONTROLLER, 'notification-controller',
  'image-reflector-controller', 'image-automation-controller',
]);
/** The ServiceAccount the lockdown makes Flux impersonate when an object names none: it has no rights. */
export const LOCKDOWN_DEFAULT_ACCOUNT = 'default';

/**
 * Turning the lockdown off for a cluster, e.g. because Flux is installed by the Flux Operator
 * with `multitenant: true` or by its Helm chart with `multitenancy.enabled`, which set the same
 * flags. Visible in code, with the reason; written as a comment into `clusters/<c>/kustomization.yaml`.
 */
export interface FluxLockdownOptOut {
  /** Always `false`: the lockdown is on unless turned off this way. */
  readonly enabled: false;
  /** Why the cluster does without strata's patches. Must not be empty. */
  readonly reason: string;
}

/** One entry of a kustomization.yaml `patches:` list: a JSON 6902 patch and the objects it targets. */
export interface KustomizePatch {
  /** The JSON 6902 patch operations, as YAML. See https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/ */
  readonly patch: string;
  /** Which objects the patch applies to. */
  readonly target: {
    /** API group of the targets, e.g. `kustomize.toolkit.fluxcd.io`. @default none (any group) */

    readonly group?: string;
    /** Kind of the targets, e.g. `Deployment`. */
    readonly kind: string;
    /** Name of the targets, a regular expression, e.g. `(kustomize-controller|helm-controller)`. */
    readonly name: string;
    /** Namespace of the targets (flux-system). */
    readonly namespace: string;
  };

}

function addArg(value: string, controllers: readonly string[]): KustomizePatch {
  return {
    patch: `- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: ${value}\n`,
    target: { kind: 'Deployment', name: controllers.length === 1 ? controllers[0] : `(${controllers.join('|')})`, namespace: FLUX_NAMESPACE },
  };
}

/**
 * The patches `clusters/<c>/kustomization.yaml` carries so the lockdown applies to the Flux
 * installation `flux bootstrap` writes into `clusters/<c>/flux-system/` (listed as a resource of
 * the same kustomization): the controllers' flags, and `serviceAccountName: kustomize-controller`
 * on bootstrap's own Kustomization, which would otherwise run as `default` and apply nothing.
 * Where no such folder is listed, the targets match nothing and kustomize applies no patch.
 */
export function lockdownPatches(): KustomizePatch[] {
  return [
    addArg('--no-cross-namespace-refs=true', [KUSTOMIZE_CONTROLLER, HELM_CONTROLLER, 'notification-controller', 'image-reflector-controller', 'image-automation-controller']),
    addArg('--no-remote-bases=true', [KUSTOMIZE_CONTROLLER]),
    addArg(`--default-service-account=${LOCKDOWN_DEFAULT_ACCOUNT}`, [KUSTOMIZE_CONTROLLER, HELM_CONTROLLER]),
    {
      patch: `- op: add\n  path: /spec/serviceAccountName\n  value: ${KUSTOMIZE_CONTROLLER}\n`,
      target: { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization', name: BOOTSTRAP_SOURCE, namespace: FLUX_NAMESPACE },
    },
  ];
}
