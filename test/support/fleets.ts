// Small fleets for workload tests: one cluster per stage, a platform that provides ingress and TLS.
import { Components, Fleet, Provider, Stage, Testing, type Apps, type Cluster, type Manifest, type Platform, type ProviderOverrides, type TrafficMode } from '../../lib/index.js';
import { errorsOf } from './errors.js';

export { errorsOf };

export interface ShopFleetOptions {
  /** Clusters to add, by name. @default dev-eu (development) and prod-eu (production), both AWS */
  readonly clusters?: Readonly<Record<string, { stage: Stage; provider?: Provider }>>;
  /** Give every cluster cert-manager, a gateway, an ingress controller and their peers. @default true */
  readonly platform?: boolean;
  /** Traffic mode of every cluster. @default the provider's ('gateway') */
  readonly traffic?: TrafficMode;
  readonly provider?: ProviderOverrides;
  /** Tenant namespaces the platform declares. @default ['shop'] */
  readonly tenants?: readonly string[];
  /** Pod Security level the tenants enforce. @default 'restricted' */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
}

export const STAGES = {
  development: { name: 'dev-eu', stage: Stage.DEVELOPMENT },
  staging: { name: 'staging-eu', stage: Stage.STAGING },
  production: { name: 'prod-eu', stage: Stage.PRODUCTION },
} as const;

export const INGRESS_PEER = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } as const;
export const GATEWAY_PEER = { namespace: 'envoy-gateway-system', podLabels: { 'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy' } } as const;

/** A fleet whose `shop` apps are defined by `define`. */
export function shopFleet(define: (apps: Apps, cluster: Cluster) => void, options: ShopFleetOptions = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  const clusters = options.clusters ?? { 'dev-eu': { stage: Stage.DEVELOPMENT }, 'prod-eu': { stage: Stage.PRODUCTION } };
  for (const [name, { stage, provider }] of Object.entries(clusters)) {
    fleet.addCluster(name, { stage, region: 'eu-west-1', provider: provider ?? Provider.aws(options.provider), traffic: options.traffic });
  }
  fleet.platform((platform) => (options.tenants ?? ['shop']).forEach((t) => platform.addTenant(t, { exposed: true, podSecurity: options.podSecurity })));
  if (options.platform !== false) {
    fleet.platform((platform, cluster) => {
      platform.install(Components.certManager({ email: 'platform@acme.dev' }));
      // What an ingress controller component declares (the catalog's is Traefik).
      cluster.capabilities.add('ingress');
      cluster.capabilities.add('gateway-api');
      cluster.ingressPeer = INGRESS_PEER;
      cluster.gateway = { name: 'public', namespace: 'gateway', hostname: `*.${cluster.domain}`, httpListener: 'http', httpsListener: 'https', dataPlane: GATEWAY_PEER };
    });
  }
  fleet.apps('shop', define);
  return fleet;
}

/** A fleet with a single cluster of `stage` named `name` (errors then appear once). */
export function oneCluster(define: (apps: Apps, cluster: Cluster) => void, options: Omit<ShopFleetOptions, 'clusters'> & { stage?: Stage; name?: string } = {}): Fleet {
  return shopFleet(define, { ...options, clusters: { [options.name ?? 'dev-eu']: { stage: options.stage ?? Stage.DEVELOPMENT } } });
}

/** The apps-layer objects of one cluster. */
export function objectsOf(fleet: Fleet, cluster = 'dev-eu'): Manifest[] {
  return Testing.synth(fleet, { cluster, layer: 'apps' }).objects;
}

/** The object of `kind` named `name` (fails when there is none). */
export function find(objects: readonly Manifest[], kind: string, name: string): Manifest & Record<string, any> {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as Manifest & Record<string, any>;
}

/** The minimal valid container props. */
export const BASE = { image: 'ghcr.io/acme/app:1.4.2', resources: { cpu: '100m', memory: '128Mi' } } as const;

/** One cluster `c1` on `provider`, with `define` as its platform and `apps` as the shop's apps. */
export function platformFleet(
  define: (platform: Platform, cluster: Cluster) => void,
  options: { provider?: Provider; traffic?: TrafficMode; apps?: (apps: Apps) => void } = {},
): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: options.provider ?? Provider.aws(), traffic: options.traffic });
  fleet.platform(define);
  if (options.apps) fleet.apps('shop', options.apps);
  return fleet;
}
