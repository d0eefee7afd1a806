import { k8s } from 'cdk8s-plus-27';
import { Fleet, Provider, Stage, Testing, perStage } from '../lib/index.js';
import { errorsOf } from './support/errors.js';

function fleetWith(define?: (fleet: Fleet) => void): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
  fleet.addCluster('prod-eu', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform((p) => p.addTenant('shop'));
  define?.(fleet);
  return fleet;
}

describe('Stage', () => {
  test('pick returns the value of the stage, else default', () => {
    expect(Stage.PRODUCTION.pick({ development: 1, production: 3 })).toBe(3);
    expect(Stage.STAGING.pick({ development: 1, default: 2 })).toBe(2);
  });

  test('resolve takes plain and stage-dependent values', () => {
    expect(Stage.DEVELOPMENT.resolve(perStage({ development: 'small', production: 'large' }))).toBe('small');
    expect(Stage.DEVELOPMENT.resolve('same')).toBe('same');
  });

  test('an unknown stage in pick is an error naming the construct path and the valid stages', () => {
    const fleet = fleetWith((f) =>
      f.apps('shop', (apps, cluster) => {
        cluster.stage.pick({ prod: 3 } as never);
        new k8s.KubeConfigMap(apps, 'x', { metadata: { name: 'x' } });
      }),
    );
    expect(errorsOf(fleet)).toEqual([
      'dev-eu: stage.pick: "prod" is not a stage (valid: development, staging, production, default)',
      'prod-eu: stage.pick: "prod" is not a stage (valid: development, staging, production, default)',
    ]);
  });

  test('a missing value without default is an error', () => {
    const fleet = fleetWith((f) => f.eachCluster((c) => c.stage.pick({ development: 1 })));
    expect(errorsOf(fleet)).toEqual(['prod-eu: stage.pick: no value for stage "production" and no default (given: development)']);
  });
});

describe('fleet errors', () => {
  test('a duplicate cluster name is an error', () => {
    const fleet = fleetWith((f) => f.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() }));
    expect(errorsOf(fleet)).toEqual(['dev-eu: cluster "dev-eu" is declared twice']);
  });

  test('cluster, fleet and namespace names must be DNS-1123 labels', () => {
    const fleet = new Fleet({ name: 'Acme' });
    fleet.addCluster('Prod_EU', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    fleet.apps('Shop', () => undefined);
    expect(errorsOf(fleet)).toEqual([
      expect.stringMatching(/^fleet name "Acme" is not a DNS-1123 label/),
      expect.stringMatching(/^Prod_EU: cluster name "Prod_EU" is not a DNS-1123 label/),
      expect.stringMatching(/^Prod_EU\/apps\/Shop: namespace "Shop" is not a DNS-1123 label/),
    ]);
  });

  test('a duplicate layer is an error', () => {
    const fleet = fleetWith((f) => f.cluster('prod-eu').addLayer('apps'));
    expect(errorsOf(fleet)).toEqual(['prod-eu: layer "apps" is declared twice']);
  });

  test('invalid and nested layer paths are errors', () => {
    const fleet = fleetWith((f) => {
      f.cluster('dev-eu').addLayer('Monitoring');
      f.cluster('dev-eu').addLayer('infrastructure');
    });
    expect(errorsOf(fleet)).toEqual([
      expect.stringMatching(/^dev-eu: layer path "Monitoring" is invalid/),
      'dev-eu: layer "infrastructure" and layer "infrastructure/controllers" are nested: a layer folder cannot hold another layer',
    ]);
  });

  test('a dependsOn to an unknown layer is an error listing the layers', () => {
    const fleet = fleetWith((f) => f.addLayer('monitoring', { dependsOn: ['infrastructure/config'] }));
    expect(errorsOf(fleet)).toEqual([
      'dev-eu: layer "monitoring" depends on unknown layer "infrastructure/config" (layers: infrastructure/controllers, infrastructure/configs, apps, monitoring)',
      'prod-eu: layer "monitoring" depends on unknown layer "infrastructure/config" (layers: infrastructure/controllers, infrastructure/configs, apps, monitoring)',
    ]);
  });

  test('a dependency cycle is an error showing the cycle', () => {
    const fleet = fleetWith((f) => {
      const c = f.cluster('dev-eu');
      c.addLayer('a', { dependsOn: ['b'] });
      c.addLayer('b', { dependsOn: ['a'] });
    });
    expect(errorsOf(fleet)).toEqual(['dev-eu/flux/a: dependsOn cycle Kustomization flux-system/a → flux-system/b → flux-system/a: Flux would never reconcile any of them']);
  });

  test('a layer depending on itself is an error', () => {
    const fleet = fleetWith((f) => f.cluster('dev-eu').addLayer('a', { dependsOn: ['a'] }));
    expect(errorsOf(fleet)).toEqual(['dev-eu/flux/a: Kustomization flux-system/a depends on itself (spec.dependsOn): Flux would never reconcile it']);
  });

  test('an unknown layer or cluster named in code is an error listing the known ones', () => {
    const fleet = fleetWith((f) => f.apps('shop', () => undefined, 'web'));
    expect(errorsOf(fleet)).toEqual([
      'dev-eu: cluster "dev-eu" has no layer "web" (layers: infrastructure/controllers, infrastructure/configs, apps)',
      'prod-eu: cluster "prod-eu" has no layer "web" (layers: infrastructure/controllers, infrastructure/configs, apps)',
    ]);
    expect(() => fleet.cluster('staging')).toThrow('unknown cluster "staging" (clusters: dev-eu, prod-eu)');
  });

  test('an unknown cluster in a fleet of thousands: the closest name, and twelve clusters with how many more', () => {
    const fleet = new Fleet({ name: 'stores', domain: 'stores.example' });
    for (let i = 1; i <= 3000; i++) fleet.addCluster(`store-${String(i).padStart(4, '0')}`, { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    const twelve = Array.from({ length: 12 }, (_, i) => `store-${String(i + 1).padStart(4, '0')}`).join(', ');
    expect(() => fleet.cluster('store-001')).toThrow(`unknown cluster "store-001" (did you mean "store-0001"?) (clusters: ${twelve} and 2988 more)`);
    expect(() => fleet.cluster('warehouse-1')).toThrow(`unknown cluster "warehouse-1" (clusters: ${twelve} and 2988 more)`);
    expect(() => new Fleet({ name: 'empty' }).cluster('x')).toThrow('unknown cluster "x" (the fleet has no cluster)');
  });

  test('two neighbouring letters swapped are one typo: the closest cluster is found through them', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    for (const name of ['dev-eu', 'prod-eu', 'prod-us', 'staging-apac']) fleet.addCluster(name, { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    // prod-ue is one swap from prod-eu (and one letter from prod-us): the first in the fleet's order.
    expect(() => fleet.cluster('prod-ue')).toThrow('unknown cluster "prod-ue" (did you mean "prod-eu"?)');
    // Two swaps: four edits letter by letter, too far to suggest without them.
    expect(() => fleet.cluster('tsaging-aapc')).toThrow('unknown cluster "tsaging-aapc" (did you mean "staging-apac"?)');
  });

  test('a domain is required only when asked for', () => {
    const fleet = new Fleet({ name: 'acme' });
    fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    fleet.eachCluster((c) => c.domain);
    expect(errorsOf(fleet)).toEqual(['dev: cluster "dev" has no domain: set `domain` on the Fleet or on the cluster']);
  });

  test('every error of a synth is reported together', () => {
    const fleet = fleetWith((f) => {
      f.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
      f.addLayer('x', { dependsOn: ['nope'] });
      f.apps('shop', (apps) => {
        new k8s.KubeConfigMap(apps, 'a', { metadata: { name: 'Bad_Name' } });
      });
    });
    const errors = errorsOf(fleet);
    expect(errors).toHaveLength(5);
    expect(errors).toContain('dev-eu: cluster "dev-eu" is declared twice');
    expect(errors.filter((e) => e.includes('depends on unknown layer "nope"'))).toHaveLength(2);
    expect(errors.filter((e) => e.includes('ConfigMap name "Bad_Name" is not a DNS-1123 subdomain'))).toHaveLength(2);
  });
});

describe('objects', () => {
  test('the same object twice on one cluster is an error naming both constructs', () => {
    const fleet = fleetWith((f) =>
      f.apps('shop', (apps) => {
        new k8s.KubeConfigMap(apps, 'one', { metadata: { name: 'settings' } });
        new k8s.KubeConfigMap(apps, 'two', { metadata: { name: 'settings' } });
      }),
    );
    expect(errorsOf(fleet)).toEqual([
      'dev-eu/apps/shop/two: ConfigMap settings in namespace shop is also declared by dev-eu/apps/shop/one: names must be unique per cluster',
      'prod-eu/apps/shop/two: ConfigMap settings in namespace shop is also declared by prod-eu/apps/shop/one: names must be unique per cluster',
    ]);
  });

  test('a namespaced object without namespace and a cluster-scoped one with a namespace are errors', () => {
    const fleet = fleetWith((f) =>
      f.platform((p) => {
        new k8s.KubeConfigMap(p.configs, 'loose', { metadata: { name: 'loose' } });
        new k8s.KubeNamespace(p.configs, 'ns', { metadata: { name: 'team', namespace: 'other' } });
      }),
    );
    const errors = errorsOf(fleet);
    expect(errors).toContain("dev-eu/infrastructure/configs/loose: ConfigMap loose is namespaced but has no namespace: declare it inside a namespace scope (e.g. fleet.apps('<namespace>', ...))");
    expect(errors).toContain('dev-eu/infrastructure/configs/ns: Namespace team is cluster-scoped but has namespace "other"');
  });

  test('object names are validated as DNS-1123', () => {
    const fleet = fleetWith((f) => f.apps('shop', (apps) => new k8s.KubeService(apps, 's', { metadata: { name: 'my.svc' }, spec: { ports: [{ port: 80 }] } })));
    expect(errorsOf(fleet)[0]).toMatch(/^dev-eu\/apps\/shop\/s: Service name "my.svc" is not a DNS-1123 label/);
  });

  test('objects are validated against their schema', () => {
    const fleet = fleetWith((f) =>
      f.apps('shop', (apps) => new k8s.KubeService(apps, 's', { metadata: { name: 'web' }, spec: { type: 'Loadbalancer' as never, ports: [{ port: 80 }] } })),
    );
    expect(errorsOf(fleet)).toEqual([
      'dev-eu/apps/shop/s: Service web: schema v1: /spec/type must be equal to one of the allowed values (valid: ClusterIP, ExternalName, LoadBalancer, NodePort)',
      'prod-eu/apps/shop/s: Service web: schema v1: /spec/type must be equal to one of the allowed values (valid: ClusterIP, ExternalName, LoadBalancer, NodePort)',
    ]);
  });
});

describe('Testing.synth', () => {
  test('filters one cluster and one layer', () => {
    const fleet = fleetWith((f) => f.apps('shop', (apps) => new k8s.KubeConfigMap(apps, 'c', { metadata: { name: 'c' } })));
    // The apps layer has a folder per namespace, each with its own kustomization.yaml.
    expect(Object.keys(Testing.synth(fleet, { cluster: 'prod-eu', layer: 'apps' }).files)).toEqual([
      'prod-eu/apps/shop/configmap-c.yaml',
      'prod-eu/apps/shop/kustomization.yaml',
    ]);
    expect(Object.keys(Testing.synth(fleet, { cluster: 'dev-eu' }).files).every((p) => p.startsWith('dev-eu/') || p.startsWith('clusters/dev-eu/'))).toBe(true);
  });
});

describe('Layer', () => {
  test('containing() finds the layer, not the namespace chart inside it', async () => {
    const { Layer } = await import('../lib/index.js');
    const fleet = fleetWith();
    let found: unknown;
    fleet.apps('shop', (apps) => {
      found = Layer.containing(new k8s.KubeConfigMap(apps, 'c', { metadata: { name: 'c' } }));
      expect(apps instanceof Layer).toBe(false);
    });
    fleet.render();
    expect(found).toBe(fleet.cluster('prod-eu').layer('apps'));
  });

  test('a tenant declared twice is an error', () => {
    expect(errorsOf(fleetWith((f) => f.platform((p) => p.addTenant('shop'))))).toEqual(['dev-eu: tenant "shop" is declared twice', 'prod-eu: tenant "shop" is declared twice']);
  });
});
