// Layer Kustomizations: every name and reconcile option is the user's, strata's values the defaults.
import { Fleet, Provider, Stage, Testing, type ClusterProps, type FleetProps, type Manifest } from '../lib/index.js';
import { errorsOf } from './support/errors.js';

const CLUSTER: ClusterProps = { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() };

/** A fleet of one cluster `c1` whose platform declares the tenants `shop` and `blog` (two apps folders). */
function fleetOf(props: Partial<FleetProps> = {}, cluster: Partial<ClusterProps> = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', ...props });
  fleet.addCluster('c1', { ...CLUSTER, ...cluster });
  fleet.platform((p) => {
    p.addTenant('shop');
    p.addTenant('blog');
  });
  return fleet;
}

function kustomizations(fleet: Fleet, cluster = 'c1'): (Manifest & { spec: Record<string, any> })[] {
  return Testing.synth(fleet, { cluster }).objects.filter((o) => o.kind === 'Kustomization') as never;
}

function byName(fleet: Fleet, name: string): Manifest & { spec: Record<string, any> } {
  const found = kustomizations(fleet).find((k) => k.metadata.name === name);
  if (!found) throw new Error(`no Kustomization ${name} among ${kustomizations(fleet).map((k) => k.metadata.name).join(', ')}`);
  return found;
}

describe('layer Kustomization names', () => {
  test('by default strata names them after their paths', () => {
    expect(kustomizations(fleetOf()).map((k) => k.metadata.name)).toEqual(['infrastructure-controllers', 'infrastructure-configs', 'apps-blog', 'apps-shop']);
  });

  test('the default layers take the names of a fleet that follows Flux\'s example repository, dependsOn following', () => {
    const fleet = fleetOf({ layers: { controllers: { name: 'infra-controllers' }, configs: { name: 'infra-configs' }, apps: { name: 'apps-{namespace}-live' } } });
    const ks = kustomizations(fleet);
    expect(ks.map((k) => [k.metadata.name, k.spec.dependsOn])).toEqual([
      ['infra-controllers', undefined],
      ['infra-configs', [{ name: 'infra-controllers' }]],
      ['apps-blog-live', [{ name: 'infra-configs' }]],
      ['apps-shop-live', [{ name: 'infra-configs' }]],
    ]);
    // The folders keep their paths: only the Kustomizations' names change.
    expect(ks.map((k) => k.spec.path)).toEqual(['./dist/c1/infrastructure/controllers', './dist/c1/infrastructure/configs', './dist/c1/apps/blog', './dist/c1/apps/shop']);
  });

  test('a folder-per-namespace layer names its folders with a function of the namespace', () => {
    const fleet = fleetOf({ layers: { apps: { name: (ns) => (ns === 'shop' ? 'apps' : `apps-${ns}`) } } });
    expect(kustomizations(fleet).map((k) => k.metadata.name)).toEqual(['infrastructure-controllers', 'infrastructure-configs', 'apps-blog', 'apps']);
  });

  test('one apps Kustomization for every namespace, as in Flux\'s example repository', () => {
    const fleet = fleetOf({ layers: { apps: { name: 'apps', folderPerNamespace: false } } });
    // A tenant needs its own folder (it is applied as its own ServiceAccount): use a fleet without tenants.
    const plain = new Fleet({ name: 'acme', layers: { apps: { name: 'apps', folderPerNamespace: false } } });
    plain.addCluster('c1', CLUSTER);
    plain.apps('shop', () => undefined);
    expect(byName(plain, 'apps').spec.path).toBe('./dist/c1/apps');
    expect(errorsOf(fleet).some((e) => e.includes('puts all namespaces in one folder'))).toBe(true);
  });

  test('a cluster overrides the fleet\'s options of a default layer key by key', () => {
    const fleet = new Fleet({ name: 'acme', layers: { controllers: { name: 'infra-controllers', interval: '10m' } } });
    fleet.addCluster('c1', CLUSTER);
    fleet.addCluster('c2', { ...CLUSTER, layers: { controllers: { name: 'controllers' } } });
    expect(kustomizations(fleet, 'c1')[0]).toMatchObject({ metadata: { name: 'infra-controllers' }, spec: { interval: '10m' } });
    expect(kustomizations(fleet, 'c2')[0]).toMatchObject({ metadata: { name: 'controllers' }, spec: { interval: '10m' } });
  });

  test('an added layer takes a name', () => {
    const fleet = fleetOf();
    fleet.addLayer('monitoring', { name: 'observability', dependsOn: ['infrastructure/configs'] });
    expect(byName(fleet, 'observability').spec).toMatchObject({ path: './dist/c1/monitoring', dependsOn: [{ name: 'infrastructure-configs' }] });
  });

  test('two folders with one name are an error naming both', () => {
    const fleet = fleetOf({ layers: { configs: { name: 'infra' } } });
    fleet.addLayer('monitoring', { name: 'infra' });
    expect(errorsOf(fleet)).toEqual([
      'c1: folders "infrastructure/configs" and "monitoring" would share the Flux Kustomization name "infra": names are unique per cluster (flux-system/infra), give each layer its own (LayerProps.name)',
    ]);
  });

  test('a name without {namespace} names one folder: two namespaces make it an error', () => {
    const fleet = fleetOf({ layers: { apps: { name: 'apps' } } });
    expect(errorsOf(fleet)).toEqual([
      'c1: folders "apps/blog" and "apps/shop" would share the Flux Kustomization name "apps": names are unique per cluster (flux-system/apps), give each layer its own (LayerProps.name)',
    ]);
  });

  test('a name that is not DNS-1123, or is bootstrap\'s own, is an error of the layer', () => {
    const fleet = fleetOf({ layers: { controllers: { name: 'Infra_Controllers' }, configs: { name: 'flux-system' }, apps: { name: (ns) => `${ns}.` } } });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: name "Infra_Controllers" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/infrastructure/configs: name "flux-system" is taken: flux-system/flux-system is the Kustomization `flux bootstrap` creates, which applies clusters/<cluster>/ itself',
      'c1/apps: folder "apps/blog": name "blog." is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/apps: folder "apps/shop": name "shop." is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
    ]);
  });

  test('a name longer than 63 characters is the Flux name check\'s error, on the rendered Kustomization', () => {
    const long = `infra-${'x'.repeat(58)}`;
    const fleet = fleetOf({ layers: { controllers: { name: long } } });
    expect(errorsOf(fleet)).toEqual([
      `c1/flux/${long}: Kustomization name "${long}" has 64 characters: Flux labels every object it applies with kustomize.toolkit.fluxcd.io/name: <name>, and a label value has at most 63, so the API server rejects them all; shorten the name to 63 characters`,
    ]);
  });

  test('a name function that throws or returns no string is an error naming the namespace', () => {
    const fleet = fleetOf({
      layers: {
        apps: {
          name: (ns) => {
            if (ns === 'blog') throw new Error('no name for blog');
            return 42 as unknown as string;
          },
        },
      },
    });
    expect(errorsOf(fleet)).toEqual(['c1/apps: name("blog") threw: no name for blog', 'c1/apps: name("shop") returned 42, not a string']);
  });

  test('a function or {namespace} names only folder-per-namespace layers', () => {
    const fleet = fleetOf({ layers: { controllers: { name: () => 'x' }, configs: { name: 'configs-{namespace}' } } });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: name is a function of the namespace, but layer "infrastructure/controllers" is one folder (folderPerNamespace is false): give the name as a string',
      'c1/infrastructure/configs: name "configs-{namespace}" uses {namespace}, but layer "infrastructure/configs" is one folder (folderPerNamespace is false)',
    ]);
  });
});
