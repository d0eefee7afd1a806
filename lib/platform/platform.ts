import type { Cluster } from '../fleet/cluster.js';
import { StrataError, show } from '../fleet/errors.js';
import { Alerts, type AlertsProps } from './alerts.js';
import type { Layer } from './layer.js';
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
  constructor(readonly cluster: Cluster) {}

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
   * @throws StrataError when a component of the same name is already installed on this cluster, or from the component's own `install`
   */
  install(component: IComponent): void {
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
   * @throws StrataError when a tenant of this name is declared twice
   */
  addTenant(name: string, props: TenantProps = {}): Tenant {
    const existing = this.configs.node.tryFindChild(`tenant-${name}`);
    if (existing) throw new StrataError(`tenant ${show(name)} is declared twice`);
    return new Tenant(this.configs, name, props);
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
