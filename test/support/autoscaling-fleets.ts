import { Fleet, Provider, Stage, Testing, type Apps, type Cluster, type Manifest, type Platform } from '../../lib/index.js';
import { errorsOf } from './errors.js';

export { errorsOf };

export interface TestFleetOptions {
  /** What the platform installs on every cluster (stands in for lib/platform components). */
  readonly capabilities?: readonly string[];
  /** Clusters to declare. @default dev-eu (aws, development) */
  readonly clusters?: readonly ('dev-eu' | 'prod-eu' | 'prod-us' | 'staging-eu')[];
  readonly platform?: (platform: Platform, cluster: Cluster) => void;
  readonly apps?: (apps: Apps, cluster: Cluster) => void;
}

const CLUSTERS = {
  'dev-eu': { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() },
  'staging-eu': { stage: Stage.STAGING, region: 'eu-west-1', provider: Provider.aws() },
  'prod-eu': { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() },
  'prod-us': { stage: Stage.PRODUCTION, region: 'us-east1', provider: Provider.gcp() },
} as const;

export const ALL_COMPONENTS = ['metrics-server', 'keda', 'karpenter', 'cluster-autoscaler'];

/** A fleet with the given clusters, installed capabilities, platform and `shop` apps. */
export function testFleet(options: TestFleetOptions = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  for (const name of options.clusters ?? ['dev-eu']) fleet.addCluster(name, CLUSTERS[name]);
  fleet.platform((platform, cluster) => {
    for (const capability of options.capabilities ?? ALL_COMPONENTS) cluster.capabilities.add(capability);
    options.platform?.(platform, cluster);
  });
  if (options.apps) {
    fleet.platform((platform) => platform.addTenant('shop'));
    fleet.apps('shop', options.apps);
  }
  return fleet;
}

/** The objects of one kind on a cluster (throws SynthError on any error). */
export function objectsOf(fleet: Fleet, kind: string, cluster = 'dev-eu'): Manifest[] {
  return Testing.synth(fleet, { cluster }).objects.filter((o) => o.kind === kind);
}

/** The one object of a kind on a cluster. */
export function objectOf(fleet: Fleet, kind: string, cluster = 'dev-eu'): Manifest & { spec: any } {
  const found = objectsOf(fleet, kind, cluster);
  if (found.length !== 1) throw new Error(`expected one ${kind} on ${cluster}, found ${found.length}`);
  return found[0] as Manifest & { spec: any };
}

/** The files of one layer of one cluster whose names start with `prefix` (e.g. `shop/horizontalpodautoscaler-`). */
export function filesOf(fleet: Fleet, layer: string, prefix: string, cluster = 'dev-eu'): Record<string, string> {
  const files = Testing.synth(fleet, { cluster, layer }).files;
  return Object.fromEntries(Object.entries(files).filter(([path]) => path.startsWith(`${cluster}/${layer}/${prefix}`)));
}
