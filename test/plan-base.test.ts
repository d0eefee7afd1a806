// `--cluster-map`: the base's clusters renamed to the fleet's (lib/plan/base.ts mapClusters).
import { UsageError, mapClusters, type Base } from '../lib/plan/base.js';
import type { ClusterTree } from '../lib/plan/tree.js';

const cluster = (name: string): ClusterTree => ({ name, objects: new Map(), layers: new Map() });
const base: Base = { label: 'old/', tree: { clusters: new Map([['prod-eu-1', cluster('prod-eu-1')], ['stg', cluster('stg')]]) } };

describe('mapClusters', () => {
  test('renames the mapped clusters and keeps the others', () => {
    const mapped = mapClusters(base, ['prod-eu-1=production']);
    expect([...mapped.tree.clusters.keys()]).toEqual(['production', 'stg']);
    expect(mapped.tree.clusters.get('production')!.name).toBe('production');
    expect(mapClusters(base, [])).toBe(base);
  });

  test.each([
    ['production', '--cluster-map production: use <base cluster>=<cluster>, e.g. prod-eu-1=production'],
    ['a=b=c', '--cluster-map a=b=c: use <base cluster>=<cluster>, e.g. prod-eu-1=production'],
    ['=production', '--cluster-map =production: use <base cluster>=<cluster>, e.g. prod-eu-1=production'],
    ['prod-us=production', '--cluster-map prod-us=production: the base has no cluster prod-us (it has prod-eu-1, stg)'],
  ])('%s is a usage error', (mapping, message) => {
    expect(() => mapClusters(base, [mapping])).toThrow(new UsageError(message));
  });

  test('two base clusters mapped onto one is a usage error', () => {
    expect(() => mapClusters(base, ['prod-eu-1=stg'])).toThrow(new UsageError('--cluster-map: two base clusters become stg; map each onto a cluster of its own'));
  });
});
