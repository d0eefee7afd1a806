import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Capability } from '../fleet/capabilities.js';
import { Cluster } from '../fleet/cluster.js';
import { StrataError, addCheck, show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { reservedNamespaceProblem } from '../fleet/namespaces.js';
import { FLUX_NAMESPACE } from '../gitops/source.js';
import { SYSTEM_NAMESPACES } from '../validate/references.js';
import { trafficPeerSelectors } from '../traffic/data-plane.js';
import { GATEWAY_ACCESS_LABEL, exposeNamespace } from '../traffic/gateway-access.js';
import { MANAGED_BY } from './layer.js';
import { whenPlatformSettled } from './settle.js';
import { declareExternal, type ExternalNamespaceProps } from './external-namespace.js';
import { declareTenantRepository, tenantRepositoryProblems, type TenantRepositoryProps } from './tenant-repository.js';
import { intakeProps, readableProps } from '../fleet/props.js';
import { recordDefinition } from '../fleet/source-location.js';

/** A tenant's share of the cluster (a ResourceQuota), as Kubernetes quantities. */
export interface TenantQuota {
  /** Total CPU requested by the tenant's pods, e.g. `'20'` or `'500m'`. */
  readonly cpu: string;
  /** Total memory requested by the tenant's pods, e.g. `'64Gi'`. */
  readonly memory: string;
  /** Total memory limits. @default equal to `memory`, so no pod can overcommit the share */
  readonly memoryLimit?: string;
  /** Most pods at once. @default no limit */
  readonly pods?: number;
  /** Total storage requested by persistent volume claims, e.g. `'500Gi'`. @default no limit */
  readonly storage?: string;
}

/** Requests and limits a container gets when it declares none (a LimitRange). */
export interface ContainerDefaults {
  /** @default '100m' */
  readonly cpuRequest?: string;
  /** @default '128Mi' */
  readonly memoryRequest?: string;
  /** @default '1Gi' */
  readonly memoryLimit?: string;
}

/** A team's namespace: `platform.addTenant(name, props)`. */
export interface TenantProps {
  /**
   * The tenant's namespace, when it is not named after the tenant (e.g. tenant `dev-team` in
   * namespace `apps`, as in the Flux multi-tenancy example). `fleet.apps(namespace, ...)` targets
   * it; the Flux identity stays named after the tenant (`<name>-reconciler`), and the namespace's
   * objects carry `toolkit.fluxcd.io/tenant: <name>`. One namespace per tenant (see docs/platform.md).
   * @default the tenant's name
   */
  readonly namespace?: string;
  /**
   * The namespace is created by another repository or the cluster's bootstrap: strata writes no
   * Namespace object (so not its Pod Security and gateway-access labels either: its owner sets
   * them), only the tenant's quota, defaults, network policies and RBAC inside it. `labels` are
   * those its owner sets, for the checks that read them.
   * @default strata creates the namespace
   */
  readonly externalNamespace?: ExternalNamespaceProps;
  /**
   * The tenant's own repository (Git or OCI), reconciled into the tenant's namespace as the
   * tenant: a GitRepository (or OCIRepository) and a Flux Kustomization in the namespace, running
   * as ServiceAccount `<name>-reconciler` of the namespace, with `targetNamespace` the namespace.
   * They land in the tenant's folder (`apps/<namespace>/`), beside any apps strata renders for it.
   * https://github.com/fluxcd/flux2-multi-tenancy
   * @default none: the tenant's workloads are the ones strata renders (`fleet.apps(namespace, ...)`)
   */
  readonly repository?: TenantRepositoryProps;
  /** The tenant's share of the cluster. @default no ResourceQuota */
  readonly quota?: TenantQuota;
  /** Identity-provider group whose members may `edit` the namespace. @default none: only the platform can */
  readonly group?: string;
  /** Defaults for containers that declare no requests or limits. @default 100m CPU and 128Mi memory requested, 1Gi memory limit */
  readonly defaults?: ContainerDefaults;
  /** The folder-per-namespace layer the tenant's apps reconcile from. @default 'apps' */
  readonly layer?: string;
  /**
   * Pod Security level the namespace enforces. `baseline` admits a workload with a declared
   * security opt-out such as `allowRoot`; `privileged` also admits host access (node agents).
   * Audit and warn stay `restricted`, so every exception stays visible.
   * @default 'restricted'
   */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
  /**
   * Whether the tenant's apps may take traffic from outside the cluster: routes (or Ingresses)
   * for their host names. The namespace then carries `strata.dev/gateway-access: "true"`, the
   * label the cluster gateway admits routes by.
   * @default false: nothing in the namespace is reachable from outside
   */
  readonly exposed?: boolean;
}

/** Pod Security Standards `restricted`, enforced, audited and warned about. */
export const RESTRICTED_POD_SECURITY = {
  /** Pods violating the `restricted` level are rejected. See https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces */
  'pod-security.kubernetes.io/enforce': 'restricted',
  /** Violations of the `restricted` level are recorded in the audit log. */
  'pod-security.kubernetes.io/audit': 'restricted',
  /** Violations of the `restricted` level are returned to the client as warnings. */
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/** Port the cert-manager ACME HTTP-01 solver pods listen on. */
const ACME_SOLVER_PORT = 8089;

/** The levels of the Pod Security Standards, as `pod-security.kubernetes.io/enforce` takes them. */
const POD_SECURITY_LEVELS: readonly unknown[] = ['restricted', 'baseline', 'privileged'];

/**
 * A team's namespace on one cluster, isolated: Pod Security `restricted`, a quota, default
 * requests and limits, default-deny networking with DNS, the team's group bound to `edit`, and
 * a Flux identity of its own. The namespace is named after the tenant unless `namespace` says
 * otherwise, and may be created by another repository (`externalNamespace`); a tenant with a
 * `repository` also gets a source and a Kustomization of its own in its namespace, run as
 * ServiceAccount `<name>-reconciler` of that namespace (the Flux multi-tenancy model).
 * The tenant's apps (`fleet.apps(namespace, ...)`) are applied by Flux as
 * ServiceAccount `<name>-reconciler`, which lives in flux-system (where the Kustomization is:
 * Flux impersonates a ServiceAccount of the Kustomization's namespace) and is bound to
 * `cluster-admin` only inside the tenant's namespace, so the folder can change nothing else.
 * A system namespace or one a platform component installs into is no tenant's (a synth error).
 */
export class Tenant extends Construct {
  /** The tenant's name: names its namespace (by default), its `<name>-reconciler` ServiceAccount and the `toolkit.fluxcd.io/tenant` label. */
  readonly name: string;

  /** The tenant's namespace: `TenantProps.namespace`, else named after the tenant. */
  readonly namespace: string;
  /** The ServiceAccount (in flux-system) Flux applies the tenant's folder as. */
  readonly serviceAccountName: string;
  /** True when another repository or the cluster's bootstrap creates the namespace (`TenantProps.externalNamespace`). */
  readonly externalNamespace: boolean;

  /** @throws StrataError when `scope` is not inside a cluster of a Fleet, or when the tenant's apps layer puts all namespaces in one folder */
  constructor(scope: Construct, name: string, given: TenantProps = {}) {
    super(scope, `tenant-${name}`);
    recordDefinition(this);
    this.name = name;
    const readable = readableProps(given);
    this.namespace = readable.namespace ?? name;
    this.serviceAccountName = `${name}-reconciler`;
    this.externalNamespace = readable.externalNamespace !== undefined;
    const namespace = this.namespace;
    const cluster = Cluster.of(this);
    const propsProblems: string[] = [];
    const props = intakeProps('TenantProps', given, cluster.stage, propsProblems);
    const layer = cluster.layer(props.layer ?? 'apps');
    if (!layer.folderPerNamespace) {
      throw new StrataError(`tenant ${show(name)}: layer ${show(layer.path)} puts all namespaces in one folder, so Flux could not apply the tenant's apps as its own ServiceAccount: use a layer with folderPerNamespace`);
    }
    const badQuantities = this.quantityProblems(props);
    const repositoryProblems = props.repository ? tenantRepositoryProblems(props.repository, name) : [];
    const namespaceProblem = props.namespace !== undefined ? dnsLabelError(`tenant ${show(name)}: namespace`, props.namespace) : undefined;
    // The API server admits any label value, and an unknown level makes the namespace enforce nothing.
    const level = POD_SECURITY_LEVELS.includes(props.podSecurity) ? props.podSecurity : undefined;
    const levelProblem = props.podSecurity === undefined || level !== undefined
      ? undefined
      : `podSecurity ${show(props.podSecurity)} is not a Pod Security Standards level: use "restricted", "baseline" or "privileged" (https://kubernetes.io/docs/concepts/security/pod-security-standards/)`;
    const problems = [...propsProblems, dnsLabelError('tenant name', name), namespaceProblem, levelProblem, ...badQuantities, ...repositoryProblems].filter((p): p is string => !!p);
    // A component's namespace is known only once the platform is declared, so this is checked late.
    addCheck(this, () => [...problems, reservedNamespaceProblem(cluster, namespace, `tenant ${show(name)}`)].filter((p): p is string => !!p));
    // Nothing of a tenant in a system namespace (or an unusable one) is declared: its objects would only add errors.
    if (SYSTEM_NAMESPACES.has(namespace) || namespaceProblem !== undefined) return;
    const labels = { ...MANAGED_BY, 'toolkit.fluxcd.io/tenant': name };
    const metadata = (n: string) => ({ name: n, namespace, labels });

    if (props.exposed === true) exposeNamespace(cluster, namespace);
    if (props.externalNamespace !== undefined) {
      declareExternal(this, cluster, namespace, props.externalNamespace.labels, `tenant ${show(name)}: externalNamespace`, false);
      const declared = props.externalNamespace.labels ?? {};
      if (props.exposed === true && declared[GATEWAY_ACCESS_LABEL] !== 'true') {
        addCheck(this, () => [`tenant ${show(name)}: exposed is true, but namespace ${show(namespace)} is external, so strata cannot set its label ${GATEWAY_ACCESS_LABEL}: "true", which the gateway admits routes by: have its owner set it and declare it in externalNamespace.labels`]);
      }
      if (props.podSecurity !== undefined) {
        addCheck(this, () => [`tenant ${show(name)}: podSecurity ${show(props.podSecurity)} is set, but namespace ${show(namespace)} is external, so strata cannot set its label pod-security.kubernetes.io/enforce: have its owner set it and declare it in externalNamespace.labels instead`]);
      }
    } else {
      const access: Record<string, string> = props.exposed === true ? { [GATEWAY_ACCESS_LABEL]: 'true' } : {};
      const podSecurity = { ...RESTRICTED_POD_SECURITY, 'pod-security.kubernetes.io/enforce': level ?? 'restricted' };
      new k8s.KubeNamespace(this, 'namespace', { metadata: { name: namespace, labels: { ...labels, ...podSecurity, ...access } } });
    }
    // Bad quantities are reported above, once and clearly; the objects would only repeat them as
    // schema errors. A quota without its cpu or memory is the props check's (`quota.memory is required`).
    const q = props.quota;
    if (q && badQuantities.length === 0 && q.cpu !== undefined && q.memory !== undefined) {
      const hard: Record<string, k8s.Quantity> = {
        'requests.cpu': k8s.Quantity.fromString(q.cpu),
        'requests.memory': k8s.Quantity.fromString(q.memory),
        'limits.memory': k8s.Quantity.fromString(q.memoryLimit ?? q.memory),
      };
      if (q.pods !== undefined) hard.pods = k8s.Quantity.fromNumber(q.pods);
      if (q.storage !== undefined) hard['requests.storage'] = k8s.Quantity.fromString(q.storage);
      new k8s.KubeResourceQuota(this, 'quota', { metadata: metadata('quota'), spec: { hard } });
    }
    const d = props.defaults ?? {};
    if (badQuantities.length === 0) new k8s.KubeLimitRange(this, 'defaults', {
      metadata: metadata('defaults'),
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString(d.cpuRequest ?? '100m'), memory: k8s.Quantity.fromString(d.memoryRequest ?? '128Mi') },
          default: { memory: k8s.Quantity.fromString(d.memoryLimit ?? '1Gi') },
        }],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: metadata('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const dns = cluster.provider.dns;
    new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: metadata('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          // Where the provider's resolvers run: pods, and node-local caches on host addresses.
          to: [
            ...dns.pods.map((p) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } }, podSelector: { matchLabels: { ...p.podLabels } } })),
            ...dns.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        }],
      },
    });
    if (props.group !== undefined) {
      new k8s.KubeRoleBinding(this, 'team', {
        metadata: metadata('team-edit'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: props.group }],
      });
    }
    new k8s.KubeServiceAccount(this, 'reconciler', {
      metadata: { name: this.serviceAccountName, namespace: FLUX_NAMESPACE, labels },
    });
    const subjects: k8s.Subject[] = [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: FLUX_NAMESPACE }];
    // The tenant's own repository is reconciled by a Kustomization in the tenant's namespace, and
    // Flux impersonates a ServiceAccount of the Kustomization's namespace: one of the same name there.
    if (props.repository) {
      new k8s.KubeServiceAccount(this, 'namespace-reconciler', { metadata: metadata(this.serviceAccountName), automountServiceAccountToken: false });
      subjects.push({ kind: 'ServiceAccount', name: this.serviceAccountName, namespace });
    }
    new k8s.KubeRoleBinding(this, 'reconciler-binding', {
      metadata: metadata('flux-reconciler'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects,
    });
    const apps = cluster.appsIn(namespace, layer.path);
    apps.serviceAccountName = this.serviceAccountName;
    if (props.repository) {
      apps.namespaceAccountDeclared = true;
      if (repositoryProblems.length === 0 && typeof props.repository.url === 'string') { // a url left out: the props check's
        declareTenantRepository(apps, props.repository, { namespace, serviceAccountName: this.serviceAccountName, tenant: name });
      }
    }
    whenPlatformSettled(cluster, () => this.admitAcmeSolver(cluster, metadata('allow-acme-http01-solver')));
  }

  /**
   * cert-manager answers HTTP-01 challenges with a solver pod in the certificate's namespace,
   * reached through the ingress controller or gateway: default-deny would block it.
   */
  private admitAcmeSolver(cluster: Cluster, metadata: k8s.ObjectMeta): void {
    // The solver is reached the way cert-manager's HTTP-01 solver routes it (see the cert-manager component).
    const peer = cluster.traffic === 'gateway' && cluster.gateway ? cluster.gateway.dataPlane : cluster.ingressPeer;
    if (!peer || !cluster.capabilities.has(Capability.CERT_MANAGER)) return;
    new k8s.KubeNetworkPolicy(this, 'allow-acme-http01-solver', {
      metadata,
      spec: {
        podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: trafficPeerSelectors(peer),
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ACME_SOLVER_PORT) }],
        }],
      },
    });
  }

  private quantityProblems(props: TenantProps): string[] {
    const quantities: Record<string, string | undefined> = {
      'quota.cpu': props.quota?.cpu,
      'quota.memory': props.quota?.memory,
      'quota.memoryLimit': props.quota?.memoryLimit,
      'quota.storage': props.quota?.storage,
      'defaults.cpuRequest': props.defaults?.cpuRequest,
      'defaults.memoryRequest': props.defaults?.memoryRequest,
      'defaults.memoryLimit': props.defaults?.memoryLimit,
    };
    return Object.entries(quantities)
      .filter(([, v]) => v !== undefined && !QUANTITY.test(v))
      .map(([k, v]) => `tenant ${show(this.name)}: ${k} ${show(v)} is not a Kubernetes quantity (e.g. "20", "500m", "64Gi")`);
  }
}
