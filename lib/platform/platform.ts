import { readableProps } from '../fleet/props.js';
import type { Cluster } from '../fleet/cluster.js';
import { StrataError, show } from '../fleet/errors.js';
import { Alerts, type AlertsProps } from './alerts.js';
import type { Layer } from './layer.js';
import { ExternalNamespace, type ExternalNamespaceProps } from './external-namespace.js';
import { Tenant, type TenantProps } from './tenant.js';

/** Something `platform.install()` accepts: a component of the catalog (`Components.*`) or your own. */
export interface IComponent {
  /** Unique per cluster: installing two components of one name is an error. */
  readonly name: string;
  /** Declares the component's objects on the platform's cluster. */
  install(platform: Platform): void;
}

const installed = new WeakMap<Cluster, Set<string>>();

/**
 * The platform team's view of one cluster: the infrastructure layers where controllers and
 * their configuration land. Passed to `fleet.platform((platform, cluster) => ...)`.
 */
export class Platform {
  constructor(
    /** The cluster this platform definition is running for. */
    readonly cluster: Cluster,
  ) {}


  /**
   * `infrastructure/controllers`: CRDs and controllers (Helm releases).
   * @throws StrataError when the cluster has no `infrastructure/controllers` layer
   */
  get controllers(): Layer {
    return this.cluster.layer('infrastructure/controllers');
  }

  /**
   * `infrastructure/configs`: custom resources of those controllers (issuers, node pools, ...).
   * @throws StrataError when the cluster has no `infrastructure/configs` layer
   */
  get configs(): Layer {
    return this.cluster.layer('infrastructure/configs');
  }

  /**
   * Installs a component on this cluster, e.g. `platform.install(Components.certManager())`.
   * Each component is installed at most once per cluster.
   * @throws StrataError when `component` is not one (`Components.keda` not called, say), when a component of the same name is already installed on this cluster, or from the component's own `install`
   */
  install(component: IComponent): void {
    if (typeof component !== 'object' || component === null || typeof component.install !== 'function') {
      throw new StrataError(`platform.install: ${show(component)} is not a component: install Components.<name>(...) (called) or an object with name and install(platform)`);
    }
    let names = installed.get(this.cluster);
    if (!names) installed.set(this.cluster, (names = new Set()));
    if (names.has(component.name)) {
      throw new StrataError(`component ${show(component.name)} is installed twice on cluster ${show(this.cluster.name)}: install each component once`);
    }
    names.add(component.name);
    component.install(this);
  }

  /**
   * Declares a team's namespace: Pod Security `restricted`, quota, default requests and limits,
   * default-deny network policy with DNS, the team's group bound to `edit`, and its own Flux
   * identity, so `fleet.apps(name, ...)` reconciles into this namespace and no other.
   * A system namespace (`default`, `flux-system`, `kube-node-lease`, `kube-public`, `kube-system`)
   * or one a platform component installs into is refused: a synth error naming the tenant.
   * The namespace may be named otherwise (`namespace`), created elsewhere (`externalNamespace`),
   * and the tenant may bring its own repository (`repository`): see `TenantProps`.
   * @throws StrataError when a tenant of this name is declared twice, or a second tenant claims a tenant's namespace
   */
  addTenant(name: string, props: TenantProps = {}): Tenant {
    const existing = this.configs.node.tryFindChild(`tenant-${name}`);
    if (existing) throw new StrataError(`tenant ${show(name)} is declared twice`);
    const namespace = readableProps(props).namespace ?? name;
    const sharing = this.configs.node.children.find((c): c is Tenant => c instanceof Tenant && c.namespace === namespace);
    if (sharing) {
      throw new StrataError(`tenant ${show(name)}: namespace ${show(namespace)} is already tenant ${show(sharing.name)}'s: give each tenant a namespace of its own`);
    }
    return new Tenant(this.configs, name, props);
  }

  /**
   * Declares a namespace that another repository, another Flux Kustomization or the cluster's
   * bootstrap creates, e.g. `platform.externalNamespace('legacy', { labels: { team: 'legacy' } })`:
   * strata writes no Namespace object for it, yet `fleet.apps('legacy', ...)` may target it and the
   * check that every namespace used is created accepts it. Labels you declare are what the checks
   * that select namespaces by label see; undeclared, a selector that could match it by another label
   * than its name is a warning (rule `external-namespace-labels`). Rendering a Namespace of the same
   * name on the cluster as well is an error.
   * @throws StrataError when the namespace is declared external twice on this cluster
   */
  externalNamespace(name: string, props: ExternalNamespaceProps = {}): ExternalNamespace {
    if (this.configs.node.tryFindChild(`namespace-${name}`)) throw new StrataError(`external namespace ${show(name)} is declared twice`);
    return new ExternalNamespace(this.configs, this.cluster, name, props);
  }

  /**
   * Sends failed reconciliations (every Kustomization and HelmRelease on the cluster) to Slack,
   * Microsoft Teams or a webhook, whose address stays in a Secret.
   * @throws StrataError when the cluster has no `infrastructure/controllers` layer
   */
  alerts(props: AlertsProps): Alerts {
    return new Alerts(this.controllers, props);
  }
}
