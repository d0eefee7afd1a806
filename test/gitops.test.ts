import { k8s } from 'cdk8s-plus-27';
import { Fleet, Provider, Stage, Testing, type Manifest } from '../lib/index.js';

function kustomizations(fleet: Fleet, cluster: string): Manifest[] {
  return Testing.synth(fleet, { cluster }).objects.filter((o) => o.kind === 'Kustomization');
}

/** A fleet whose clusters host the `shop` tenant (the apps layer has a folder per namespace). */
function withShop(fleet: Fleet): Fleet {
  fleet.platform((p) => p.addTenant('shop'));
  return fleet;
}

function spec(o: Manifest): Record<string, unknown> {
  return o.spec as Record<string, unknown>;
}

describe('Flux wiring', () => {
  test('one Kustomization per layer, chained with dependsOn, with the reference reconcile settings', () => {
    const fleet = withShop(new Fleet({ name: 'acme' }));
    fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    const ks = kustomizations(fleet, 'prod');
    expect(ks.map((k) => k.metadata.name)).toEqual(['infrastructure-controllers', 'infrastructure-configs', 'apps-shop']);
    expect(ks.map((k) => spec(k).dependsOn)).toEqual([undefined, [{ name: 'infrastructure-controllers' }], [{ name: 'infrastructure-configs' }]]);
    for (const k of ks) {
      expect(k.metadata.namespace).toBe('flux-system');
      expect(spec(k)).toMatchObject({ interval: '1h', retryInterval: '2m', timeout: '5m', prune: true, wait: true });
      // Without a declared repository, layers read the GitRepository `flux bootstrap` creates.
      expect(spec(k).sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
      expect(spec(k).decryption).toBeUndefined();
    }
    expect(ks.map((k) => spec(k).path)).toEqual(['./dist/prod/infrastructure/controllers', './dist/prod/infrastructure/configs', './dist/prod/apps/shop']);
    // A tenant's apps reconcile as the tenant's own ServiceAccount, never as kustomize-controller.
    expect(ks.map((k) => spec(k).serviceAccountName)).toEqual(['kustomize-controller', 'kustomize-controller', 'shop-reconciler']);
  });

  test('a declared repository becomes a GitRepository that fetches only dist/', () => {
    const fleet = withShop(new Fleet({ name: 'acme', repository: { url: 'ssh://git@github.com/acme/fleet.git', branch: 'release' }, repositoryPath: 'deploy/dist' }));
    fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    const tree = Testing.synth(fleet, { cluster: 'prod' });
    const repo = tree.objects.find((o) => o.kind === 'GitRepository')!;
    expect(repo.metadata).toMatchObject({ name: 'acme', namespace: 'flux-system' });
    expect(repo.spec).toEqual({ interval: '1m', url: 'ssh://git@github.com/acme/fleet.git', ref: { branch: 'release' }, secretRef: { name: 'flux-system' }, ignore: '/*\n!/deploy/dist/\n' });
    expect(kustomizations(fleet, 'prod').map((k) => spec(k).sourceRef)).toEqual(Array(3).fill({ kind: 'GitRepository', name: 'acme' }));
    expect(spec(kustomizations(fleet, 'prod')[2]).path).toBe('./deploy/dist/prod/apps/shop');
    expect(tree.files['clusters/prod/kustomization.yaml']).toContain('  - layers.yaml\n  - source.yaml\n');
  });

  test('an https repository needs no deploy key', () => {
    const fleet = new Fleet({ name: 'acme', repository: { url: 'https://github.com/acme/fleet.git' } });
    fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    const repo = Testing.synth(fleet).objects.find((o) => o.kind === 'GitRepository')!;
    expect((repo.spec as { secretRef?: unknown }).secretRef).toBeUndefined();
    expect((repo.spec as { ref: unknown }).ref).toEqual({ branch: 'main' });
  });

  test('SOPS decryption is set on every layer, per fleet or per cluster', () => {
    const fleet = withShop(new Fleet({ name: 'acme', decryption: { secretName: 'sops-age' } }));
    fleet.addCluster('a', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    fleet.addCluster('b', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws(), decryption: { secretName: 'sops-gpg' } });
    expect(kustomizations(fleet, 'a').map((k) => spec(k).decryption)).toEqual(Array(3).fill({ provider: 'sops', secretRef: { name: 'sops-age' } }));
    expect(kustomizations(fleet, 'b').map((k) => spec(k).decryption)).toEqual(Array(3).fill({ provider: 'sops', secretRef: { name: 'sops-gpg' } }));
  });

  test('added layers get their own folder and Kustomization, after the last layer unless told otherwise', () => {
    const fleet = new Fleet({ name: 'acme' });
    fleet.addLayer('monitoring', { dependsOn: ['infrastructure/configs'], interval: '10m', prune: false, serviceAccountName: 'monitoring' });
    fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    fleet.cluster('prod').addLayer('jobs');
    fleet.platform((platform) => new k8s.KubeServiceAccount(platform.configs, 'monitoring', { metadata: { name: 'monitoring', namespace: 'flux-system' } }));
    const ks = kustomizations(fleet, 'prod');
    const monitoring = ks.find((k) => k.metadata.name === 'monitoring')!;
    expect(spec(monitoring)).toMatchObject({ dependsOn: [{ name: 'infrastructure-configs' }], interval: '10m', prune: false, serviceAccountName: 'monitoring', path: './dist/prod/monitoring' });
    expect(spec(ks.find((k) => k.metadata.name === 'jobs')!).dependsOn).toEqual([{ name: 'monitoring' }]);
    // Without namespaces the apps layer has no folder; what depends on it waits for what it depends on.
    expect(Object.keys(Testing.synth(fleet).files)).toEqual(expect.arrayContaining(['prod/monitoring/kustomization.yaml', 'prod/jobs/kustomization.yaml']));
  });
});
