// Output is canonical for every set-like input: declaring the same things in another order
// changes no byte of dist/ (lib/fleet/canonical.ts).
import { Components, Fleet, NodePool, Provider, Stage, StatefulService, Volume, Worker, type NodePoolProps } from '../lib/index.js';
import { oneCluster } from './support/fleets.js';
import { testFleet } from './support/autoscaling-fleets.js';

const BASE = { image: 'ghcr.io/acme/app:1.0.0', resources: { cpu: '100m', memory: '128Mi' } } as const;

/** The rendered files of a fleet, path → YAML. */
function files(fleet: Fleet): Record<string, string> {
  return Object.fromEntries(fleet.render().files);
}

/** Two fleets built from the same set in two orders render the same files, and `at` shows the canonical order. */
function expectSameOutput(build: (reversed: boolean) => Fleet): Record<string, string> {
  const forward = files(build(false));
  expect(files(build(true))).toEqual(forward);
  return forward;
}

const reorder = <T>(items: readonly T[], reversed: boolean): T[] => (reversed ? [...items].reverse() : [...items]);
const reorderRecord = <T>(record: Record<string, T>, reversed: boolean): Record<string, T> => Object.fromEntries(reorder(Object.entries(record), reversed));

describe('order does not matter where it should not', () => {
  test('addTenant order: layers.yaml and the dependsOn of later layers', () => {
    const out = expectSameOutput((reversed) => {
      const fleet = new Fleet({ name: 'acme' });
      fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
      fleet.platform((p) => reorder(['shop', 'billing', 'search'], reversed).forEach((t) => p.addTenant(t)));
      fleet.addLayer('smoke-tests', { dependsOn: ['apps'] });
      return fleet;
    });
    const layers = out['clusters/dev/layers.yaml'];
    const names = [...layers.matchAll(/^ {2}name: (\S+)$/gm)].map((m) => m[1]);
    // Layers in their (dependency) order; the folders of one layer by namespace.
    expect(names).toEqual(['infrastructure-controllers', 'infrastructure-configs', 'apps-billing', 'apps-search', 'apps-shop', 'smoke-tests']);
    expect(layers).toMatch(/dependsOn:\n {4}- name: apps-billing\n {4}- name: apps-search\n {4}- name: apps-shop\n/);
  });

  test('key order of storage: volumeClaimTemplates (immutable on a live StatefulSet) and mounts', () => {
    const out = expectSameOutput((reversed) =>
      oneCluster((apps) => void new StatefulService(apps, 'db', {
        ...BASE,
        ports: [{ name: 'pg', port: 5432 }],
        storage: reorderRecord({ wal: { path: '/wal', size: '5Gi' }, data: { path: '/data', size: '20Gi' } }, reversed),
      })),
    );
    const set = Object.entries(out).find(([path]) => path.endsWith('statefulset-db.yaml'))![1];
    expect([...set.matchAll(/^ {8}name: (data|wal)$/gm)].map((m) => m[1])).toEqual(['data', 'wal']);
  });

  test('key order of volumes and of volume items', () => {
    expectSameOutput((reversed) =>
      oneCluster((apps) => void new Worker(apps, 'app', {
        ...BASE,
        volumes: reorderRecord({
          '/etc/app': Volume.configMap('settings', { items: reorderRecord({ 'a.yaml': 'a.yaml', 'b.yaml': 'b.yaml' }, reversed) }),
          '/cache': Volume.emptyDir('cache', { sizeLimit: '1Gi' }),
        }, reversed),
        security: { addCapabilities: reorder(['NET_BIND_SERVICE', 'CHOWN'], reversed), reason: 'chowns its cache at start' },
      }), { podSecurity: 'baseline' }),
    );
  });

  test('node pool requirements and taints', () => {
    const pool = (reversed: boolean): NodePoolProps => ({
      capacityTypes: reorder(['spot', 'on-demand'], reversed),
      instanceFamilies: reorder(['m7i', 'c7i'], reversed),
      instanceSizes: reorder(['large', 'xlarge'], reversed),
      zones: reorder(['eu-west-1a', 'eu-west-1b'], reversed),
      taints: reorder([{ key: 'a', value: 'x', effect: 'NoSchedule' }, { key: 'b', effect: 'NoExecute' }], reversed),
      limits: { cpu: 100, memory: '400Gi' },
    });
    expectSameOutput((reversed) => testFleet({ platform: (platform) => void new NodePool(platform, 'general', pool(reversed)) }));
  });

  test('component dependsOn and external-dns domains', () => {
    expectSameOutput((reversed) => {
      const fleet = oneCluster(() => undefined, { platform: false });
      fleet.platform((p) => {
        p.install(Components.certManager({ email: 'platform@acme.dev' }));
        p.install(Components.externalDns({ domains: reorder(['b.acme.dev', 'a.acme.dev'], reversed) }));
        p.install(Components.helm({
          name: 'podinfo', namespace: 'podinfo', chart: { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', version: '6.9.0' },
          dependsOn: reorder(['external-dns', 'cert-manager'], reversed),
        }));
      });
      return fleet;
    });
  });
});
