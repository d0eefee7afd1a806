// Flux's multi-tenancy lockdown, checked on the rendered objects: a team's Flux objects run as the
// team's own ServiceAccount and stay in the team's namespace, and every Kustomization and
// HelmRelease names the ServiceAccount it runs as. Without the lockdown, kustomize-controller and
// helm-controller apply an object that names none with their own cluster-admin rights; with it,
// as `default`, which has none. See https://fluxcd.io/flux/installation/configuration/multi-tenancy/
import { FLUX_CONTROLLER_ACCOUNTS, HELM_CONTROLLER, KUSTOMIZE_CONTROLLER, LOCKDOWN_DEFAULT_ACCOUNT } from '../../gitops/lockdown.js';
import { FLUX_NAMESPACE } from '../../gitops/source.js';
import type { ResolvedFolder, ResolvedObject } from '../../synth/model.js';
import { arr, namespaceOf, rec, str, type ClusterObjects, type Json } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';

/** Kinds a Flux controller applies objects for, as the ServiceAccount they name. */
const APPLIERS: Readonly<Record<string, string>> = { Kustomization: KUSTOMIZE_CONTROLLER, HelmRelease: HELM_CONTROLLER };
/** Fields naming a namespace an object acts in or refers to, wherever they sit in a Flux spec. */
const NAMESPACE_FIELDS = new Set(['namespace', 'targetNamespace', 'storageNamespace']);
/**
 * Spec subtrees whose `namespace` keys are not references: Helm values, and selectors of
 * patches and drift exclusions, which only pick among the objects the identity applies anyway.
 */
const NOT_REFERENCES = new Set(['values', 'patches', 'postRenderers', 'driftDetection', 'postBuild', 'commonMetadata']);

/** Whether an object is one of Flux's (`*.toolkit.fluxcd.io`): kustomize's own Kustomization is not. */
export function isFluxObject(obj: ResolvedObject): boolean {
  return /^[a-z.]+\.toolkit\.fluxcd\.io\//.test(String(obj.manifest.apiVersion));
}

/** A folder applied as a tenant's identity: its ServiceAccount and the namespaces that identity is bound in. */
interface TenantFolder {
  readonly account: string;
  readonly namespaces: ReadonlySet<string>;
}

/** `./dist/prod-eu/apps/shop` → `dist/prod-eu/apps/shop`, for matching a folder's dir. */
function normalPath(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * The folders of the cluster Flux applies as a ServiceAccount of their own (not a controller's):
 * the tenants'. The tenant's namespaces are those its RoleBindings grant that ServiceAccount rights in.
 */
function tenantFolders(objects: ClusterObjects): Map<ResolvedFolder, TenantFolder> {
  return objects.memo('flux-lockdown/tenant-folders', () => {
    const found = new Map<ResolvedFolder, TenantFolder>();
    for (const folder of objects.cluster.folders) {
      const sync = objects.cluster.layers.find((k) => {
        const path = normalPath(str(rec(k.manifest.spec).path) ?? '');
        return path === folder.dir || path.endsWith(`/${folder.dir}`);
      });
      const account = str(rec(sync?.manifest.spec).serviceAccountName);
      if (!sync || account === undefined || FLUX_CONTROLLER_ACCOUNTS.has(account)) continue;
      const accountNamespace = namespaceOf(sync);
      const namespaces = new Set(
        objects.ofKind('RoleBinding')
          .filter((b) => arr(b.manifest.subjects).some((s) => rec(s).kind === 'ServiceAccount' && rec(s).name === account && (str(rec(s).namespace) ?? namespaceOf(b)) === accountNamespace))
          .map((b) => namespaceOf(b))
          .filter((ns): ns is string => ns !== undefined),
      );
      if (folder.namespace !== undefined && namespaces.size === 0) namespaces.add(folder.namespace);
      found.set(folder, { account, namespaces });
    }
    return found;
  });
}

/** The label `flux create tenant` and strata's tenants put on a tenant's Namespace and RoleBindings. */
const TENANT_LABEL = 'toolkit.fluxcd.io/tenant';

/**
 * The tenants' namespaces: those holding a RoleBinding labelled as a tenant's, as `flux create
 * tenant` and strata's tenants write it. The label on a Namespace alone does not make one: Flux's
 * own example repository labels the platform's controller namespaces with it, and their releases
 * run with helm-controller's rights by design.
 */
function tenantNamespaces(objects: ClusterObjects): ReadonlySet<string> {
  return objects.memo('flux-lockdown/tenant-namespaces', () => {
    const labelled = (o: ResolvedObject) => str(rec(rec(o.manifest.metadata).labels)[TENANT_LABEL]) !== undefined;
    return new Set(objects.ofKind('RoleBinding').filter(labelled).map(namespaceOf).filter((ns): ns is string => ns !== undefined));
  });
}

/** The ClusterRoleBindings granting ServiceAccount `namespace/name` rights in every namespace. */
function clusterWideBindings(objects: ClusterObjects, namespace: string | undefined, name: string): string[] {
  return objects.ofKind('ClusterRoleBinding')
    .filter((b) => arr(b.manifest.subjects).some((s) => rec(s).kind === 'ServiceAccount' && rec(s).name === name && str(rec(s).namespace) === namespace))
    .map((b) => b.manifest.metadata.name)
    .sort();
}

/** Whether ServiceAccount `name` exists in `namespace`: declared on the cluster, `default`, or a Flux controller's. */
function accountExists(objects: ClusterObjects, namespace: string | undefined, name: string): boolean {
  if (name === LOCKDOWN_DEFAULT_ACCOUNT) return true;
  if (namespace === FLUX_NAMESPACE && FLUX_CONTROLLER_ACCOUNTS.has(name)) return true;
  return objects.find('ServiceAccount', namespace, name) !== undefined;
}

/** Every namespace field of a Flux spec outside free-form subtrees, with its path (`spec.chart.spec.sourceRef.namespace`). */
function namespaceReferences(value: unknown, at: string): { field: string; namespace: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => namespaceReferences(v, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Json).flatMap(([key, v]) => {
    if (NOT_REFERENCES.has(key)) return [];
    if (NAMESPACE_FIELDS.has(key) && typeof v === 'string') return [{ field: `${at}.${key}`, namespace: v }];
    return namespaceReferences(v, `${at}.${key}`);
  });
}

/**
 * References `--no-cross-namespace-refs` makes Flux refuse across namespaces: a `namespace` of a
 * reference (sources, chart refs, event sources, receiver resources), not `targetNamespace` or
 * `storageNamespace` (where a release installs) nor `dependsOn` and `healthChecks` (what it waits for).
 */
function lockedReferences(spec: Json, own: string | undefined): { field: string; namespace: string }[] {
  return namespaceReferences(spec, 'spec').filter((r) =>
    r.namespace !== own && r.field.endsWith('.namespace') && !/^spec\.(dependsOn|healthChecks)\[/.test(r.field));
}

/** What a Flux object in a tenant's folder or namespace must not do: run as someone else, or reach another namespace. */
function tenantViolations(objects: ClusterObjects, object: ResolvedObject, tenant: TenantFolder): Violation[] {
  const spec = rec(object.manifest.spec);
  const own = namespaceOf(object);
  const tenantNamespaces = [...tenant.namespaces].sort().join(', ') || 'none';
  const violations: Violation[] = [];
  const say = (message: string, hint?: string) => violations.push({ object, message, hint });
  if (own === undefined || !tenant.namespaces.has(own)) {
    say(`sits in namespace ${own ?? '(none)'}, outside the namespaces the tenant's ServiceAccount ${tenant.account} is bound in (${tenantNamespaces}): its controller would act there for the tenant`);
  }
  const controller = APPLIERS[object.manifest.kind];
  const account = str(spec.serviceAccountName);
  if (controller !== undefined && account === undefined) {
    say(
      `names no serviceAccountName: without Flux's lockdown ${controller} applies it with its own cluster-wide rights, so a tenant could change anything in the cluster`,
      `set spec.serviceAccountName to a ServiceAccount of namespace ${own ?? '(none)'} bound to what the tenant may change there`,
    );
  }
  const wide = account === undefined ? [] : clusterWideBindings(objects, own, account);
  if (wide.length > 0) {
    say(
      `runs as ServiceAccount ${own ?? '(none)'}/${account}, which ClusterRoleBinding ${wide.join(', ')} grants rights in every namespace: a tenant's Flux objects run as the tenant's ServiceAccount, whose rights end at the tenant's namespaces`,
      `run it as the tenant's ServiceAccount (bound by a RoleBinding in namespace ${own ?? '(none)'} only), or drop the ClusterRoleBinding`,
    );
  }
  if (spec.kubeConfig !== undefined) {
    say('sets spec.kubeConfig: it would run as whatever identity that kubeconfig holds, not as the tenant', 'remove spec.kubeConfig: a tenant\'s Flux objects act on their own cluster, as the tenant');
  }
  for (const ref of namespaceReferences(spec, 'spec')) {
    if (ref.namespace === own) continue;
    say(
      `${ref.field} is ${JSON.stringify(ref.namespace)}, another namespace than its own (${own ?? '(none)'}): a tenant's Flux objects act and refer only within the tenant's namespace`,
      `remove ${ref.field} or set it to ${own ?? 'the tenant\'s namespace'}; declare what it refers to in the tenant's namespace`,
    );
  }
  return violations;
}

export const fluxLockdown: Rule = {
  id: 'flux-lockdown',
  summary: 'Where the lockdown is on, every Flux Kustomization and HelmRelease names the ServiceAccount it runs as, and every serviceAccountName of a Flux object names one that exists in its namespace (declared on the cluster, `default`, or a Flux controller\'s in flux-system). A Flux object in a tenant\'s folder (a folder Flux applies as a ServiceAccount other than a controller\'s) or in a tenant\'s namespace (one holding a RoleBinding labelled toolkit.fluxcd.io/tenant), wherever declared, sits in a namespace that ServiceAccount is bound in, runs as no ServiceAccount a ClusterRoleBinding grants rights in every namespace, sets no kubeConfig, and names no other namespace: targetNamespace, storageNamespace, sourceRef, chartRef, dependsOn, eventSources and every other reference stay in its own. Where the lockdown is on, no other Flux object refers to a source or event source in another namespace either (Flux would refuse it). Cannot be waived.',
  hint: 'name the ServiceAccount the object runs as (a tenant\'s, in its namespace; helm-controller or kustomize-controller for the platform\'s objects in flux-system) and keep a tenant\'s Flux objects and their references in the tenant\'s namespace',
  severity: ALWAYS_ERROR,
  waivable: false,
  check: (objects) => {
    const tenants = tenantFolders(objects);
    const tenantOf = new Map<ResolvedObject, TenantFolder>();
    for (const [folder, tenant] of tenants) for (const obj of folder.objects) tenantOf.set(obj, tenant);
    const namespaces = tenantNamespaces(objects);
    return objects.all.filter(isFluxObject).flatMap((object): Violation[] => {
      // A Flux object in a tenant's namespace is the tenant's wherever it is declared (e.g. the
      // platform's folder onboarding the tenant's own repository, as Flux's multi-tenancy example).
      const ownNamespace = namespaceOf(object);
      const tenant = tenantOf.get(object) ?? (ownNamespace !== undefined && namespaces.has(ownNamespace)
        ? { account: str(rec(object.manifest.spec).serviceAccountName) ?? '(none)', namespaces: new Set([ownNamespace]) }
        : undefined);
      const violations = tenant ? tenantViolations(objects, object, tenant) : [];
      const spec = rec(object.manifest.spec);
      const account = str(spec.serviceAccountName);
      const ns = namespaceOf(object);
      const controller = APPLIERS[object.manifest.kind];
      // Without the lockdown a controller applies such an object with its own rights: nothing to report outside tenants' folders.
      if (!tenant && controller !== undefined && account === undefined && objects.cluster.fluxLockdownOff === undefined) {
        violations.push({
          object,
          message: `names no serviceAccountName: under Flux's lockdown (--default-service-account=${LOCKDOWN_DEFAULT_ACCOUNT}) it runs as ServiceAccount ${LOCKDOWN_DEFAULT_ACCOUNT}, which may apply nothing`,
          hint: `set spec.serviceAccountName: ${controller} (in ${FLUX_NAMESPACE}) for the platform's objects, or a ServiceAccount of namespace ${ns ?? '(none)'} with the rights it needs`,
        });
      }
      if (!tenant && objects.cluster.fluxLockdownOff === undefined) {
        for (const ref of lockedReferences(spec, ns)) {
          violations.push({
            object,
            message: `${ref.field} is ${JSON.stringify(ref.namespace)}, another namespace than its own (${ns ?? '(none)'}): under Flux's lockdown (--no-cross-namespace-refs=true) its controller refuses the reference`,
            hint: `declare what it refers to in namespace ${ns ?? '(none)'} (the platform's sources and releases live in ${FLUX_NAMESPACE}), or turn the lockdown off for the cluster with fluxLockdown: { enabled: false, reason }`,
          });
        }
      }
      if (account !== undefined && !accountExists(objects, ns, account)) {
        violations.push({
          object,
          message: `runs as ServiceAccount ${ns ?? '(none)'}/${account}, which does not exist on this cluster: Flux impersonates a ServiceAccount of the object's own namespace`,
          hint: `declare ServiceAccount ${account} in namespace ${ns ?? '(none)'} (bound to what it may change), or name one that exists there`,
        });
      }
      return violations;
    });
  },
};
