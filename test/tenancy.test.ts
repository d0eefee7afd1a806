// Issue 16, security: tenants are no system namespaces, tenants cannot escalate through Flux,
// and plaintext secrets cannot be waived into Git.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { HelmRelease, HelmReleaseSpecChartRefKind, HelmReleaseSpecChartSpecSourceRefKind } from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { Kustomization, KustomizationSpecSourceRefKind } from '../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { Alert, AlertSpecEventSourcesKind } from '../imports/flux-notification-alert-notification.toolkit.fluxcd.io.js';
import { GitRepository } from '../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import { HelmRepository } from '../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import { Components, Fleet, Provider, Stage, Testing, Waivers, type Apps } from '../lib/index.js';
import type { ResolvedCluster } from '../lib/synth/model.js';
import { readDist } from '../lib/validate/dist.js';
import { ClusterObjects } from '../lib/validate/objects.js';
import { fluxLockdown } from '../lib/validate/rules/flux-lockdown.js';
import { errorsOf } from './support/errors.js';
import { kustomizeBuild } from './support/kubectl.js';
import { fleetOf, findingsOf, reported } from './support/policy.js';

describe('item 1: system and platform namespaces are not tenants', () => {
  function withTenant(name: string): Fleet {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((p) => p.addTenant(name, { group: 'team' }));
    return fleet;
  }

  test.each(['flux-system', 'kube-system', 'kube-public', 'kube-node-lease', 'default'])('addTenant(%s) is refused, and nothing of it is declared', (name) => {
    expect(errorsOf(withTenant(name))).toEqual([
      `c/infrastructure/configs/tenant-${name}: tenant "${name}": namespace "${name}" is a system namespace (default, flux-system, kube-node-lease, kube-public, kube-system), not a team's: give the team a namespace of its own`,
    ]);
  });

  test('a tenant in the namespace a platform component installs into is refused, whichever is declared first', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((p) => {
      p.addTenant('keda');
      p.install(Components.keda());
    });
    expect(errorsOf(fleet)).toContain(
      'c/infrastructure/configs/tenant-keda: tenant "keda": namespace "keda" belongs to platform component "keda", not a team: give the team a namespace of its own',
    );
  });

  test('fleet.apps into a system namespace or a component\'s namespace is refused', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((p) => p.install(Components.keda()));
    fleet.apps('flux-system', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    fleet.apps('keda', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    expect(errorsOf(fleet)).toEqual([
      'c/apps/flux-system: apps of namespace "flux-system": namespace "flux-system" is a system namespace (default, flux-system, kube-node-lease, kube-public, kube-system), not a team\'s: give the team a namespace of its own',
      'c/apps/keda: apps of namespace "keda": namespace "keda" belongs to platform component "keda", not a team: give the team a namespace of its own',
    ]);
  });

  test('a team namespace next to the components passes', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((p) => {
      p.install(Components.keda());
      p.addTenant('shop');
    });
    fleet.apps('shop', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    expect(Testing.synth(fleet).files['c/apps/shop/configmap-settings.yaml']).toContain('namespace: shop');
  });
});

/** ServiceAccount `installer` in the tenant's namespace, bound to `edit` there: what a tenant's Flux objects run as. */
function installer(apps: Apps): void {
  new k8s.KubeServiceAccount(apps, 'installer', { metadata: { name: 'installer' } });
}

/** A chart source of the tenant's own. */
function tenantRepository(apps: Apps): void {
  new HelmRepository(apps, 'charts', { metadata: { name: 'charts' }, spec: { url: 'https://charts.example.com', interval: '1h' } });
}

describe('item 2: tenants cannot escalate through Flux', () => {
  const lockdown = (define: (apps: Apps) => void): string[] => reported(fleetOf('production', define), 'flux-lockdown');

  test('a tenant HelmRelease naming its own ServiceAccount and referring only into its namespace passes', () => {
    expect(lockdown((apps) => {
      installer(apps);
      tenantRepository(apps);
      new HelmRelease(apps, 'redis', {
        metadata: { name: 'redis' },
        spec: {
          interval: '1h',
          serviceAccountName: 'installer',
          targetNamespace: 'shop',
          chart: { spec: { chart: 'redis', version: '1.0.0', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: 'charts', namespace: 'shop' } } },
        },
      });
    })).toEqual([]);
  });

  test('a HelmRelease with no serviceAccountName and targetNamespace kube-system fails on both counts', () => {
    expect(lockdown((apps) => {
      tenantRepository(apps);
      new HelmRelease(apps, 'takeover', {
        metadata: { name: 'takeover' },
        spec: { interval: '1h', targetNamespace: 'kube-system', chart: { spec: { chart: 'redis', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: 'charts' } } } },
      });
    })).toEqual([
      'error [flux-lockdown] c/apps/shop/takeover: names no serviceAccountName: without Flux\'s lockdown helm-controller applies it with its own cluster-wide rights, so a tenant could change anything in the cluster',
      'error [flux-lockdown] c/apps/shop/takeover: spec.targetNamespace is "kube-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
    ]);
  });

  test('storageNamespace, chartRef, chart sourceRef and dependsOn into another namespace fail, typed or hand-written', () => {
    expect(lockdown((apps) => {
      installer(apps);
      new HelmRelease(apps, 'typed', {
        metadata: { name: 'typed' },
        spec: {
          interval: '1h',
          serviceAccountName: 'installer',
          storageNamespace: 'kube-system',
          chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: 'keda', namespace: 'flux-system' },
          dependsOn: [{ name: 'cert-manager', namespace: 'flux-system' }],
        },
      });
      new ApiObject(apps, 'hand-written', {
        apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'hand-written' },
        spec: { interval: '1h', serviceAccountName: 'installer', chart: { spec: { chart: 'keda', sourceRef: { kind: 'HelmRepository', name: 'keda', namespace: 'flux-system' } } } },
      });
    }).filter((r) => r.includes('another namespace'))).toEqual([
      'error [flux-lockdown] c/apps/shop/typed: spec.chartRef.namespace is "flux-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
      'error [flux-lockdown] c/apps/shop/typed: spec.dependsOn[0].namespace is "flux-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
      'error [flux-lockdown] c/apps/shop/typed: spec.storageNamespace is "kube-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
      'error [flux-lockdown] c/apps/shop/hand-written: spec.chart.spec.sourceRef.namespace is "flux-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
    ]);
  });

  test('a tenant Kustomization whose ServiceAccount does not exist fails', () => {
    expect(lockdown((apps) => {
      new GitRepository(apps, 'repo', { metadata: { name: 'repo' }, spec: { url: 'https://example.com/shop.git', interval: '1m' } });
      new Kustomization(apps, 'sync', {
        metadata: { name: 'sync' },
        spec: { interval: '1h', prune: true, path: './deploy', serviceAccountName: 'shop-reconciler', sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: 'repo' } },
      });
    })).toEqual([
      'error [flux-lockdown] c/apps/shop/sync: runs as ServiceAccount shop/shop-reconciler, which does not exist on this cluster: Flux impersonates a ServiceAccount of the object\'s own namespace',
    ]);
  });

  test('a tenant Kustomization reading the platform\'s repository in flux-system fails', () => {
    expect(lockdown((apps) => {
      installer(apps);
      new Kustomization(apps, 'platform', {
        metadata: { name: 'platform' },
        spec: {
          interval: '1h', prune: true, path: './dist/c/infrastructure/controllers', serviceAccountName: 'installer',
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: 'flux-system', namespace: 'flux-system' },
        },
      });
    })).toEqual([
      'error [flux-lockdown] c/apps/shop/platform: spec.sourceRef.namespace is "flux-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
    ]);
  });

  test('a tenant Kustomization with a kubeConfig or without a ServiceAccount runs as another identity', () => {
    expect(lockdown((apps) => {
      new ApiObject(apps, 'remote', {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'remote' },
        spec: { interval: '1h', prune: true, path: './', sourceRef: { kind: 'GitRepository', name: 'flux-system' }, kubeConfig: { secretRef: { name: 'admin-kubeconfig' } } },
      });
    })).toEqual([
      'error [flux-lockdown] c/apps/shop/remote: names no serviceAccountName: without Flux\'s lockdown kustomize-controller applies it with its own cluster-wide rights, so a tenant could change anything in the cluster',
      'error [flux-lockdown] c/apps/shop/remote: sets spec.kubeConfig: it would run as whatever identity that kubeconfig holds, not as the tenant',
    ]);
  });

  test('any Flux kind in a tenant\'s folder: an Alert watching another namespace fails', () => {
    expect(lockdown((apps) => {
      new Alert(apps, 'spy', {
        metadata: { name: 'spy' },
        spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: AlertSpecEventSourcesKind.HELM_RELEASE, name: '*', namespace: 'flux-system' }] },
      });
    })).toEqual([
      'error [flux-lockdown] c/apps/shop/spy: spec.eventSources[0].namespace is "flux-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
    ]);
  });

  test('a waiver cannot let a tenant escape: it is an error, and the violation stays', () => {
    const fleet = fleetOf('production', (apps) => {
      installer(apps);
      const release = new HelmRelease(apps, 'takeover', {
        metadata: { name: 'takeover' },
        spec: { interval: '1h', serviceAccountName: 'installer', targetNamespace: 'kube-system', chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: 'x' } },
      });
      Waivers.waive(release, 'flux-lockdown', 'we trust the team');
    });
    const messages = reported(fleet);
    expect(messages).toContain('error [] c/apps/shop/takeover: rule flux-lockdown cannot be waived: fix what it reports');
    expect(messages).toContain('error [flux-lockdown] c/apps/shop/takeover: spec.targetNamespace is "kube-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace');
  });

  test('a platform HelmRelease that names no ServiceAccount fails: under the lockdown it would run as default', () => {
    const fleet = fleetOf('production', () => undefined, (p) => {
      new ApiObject(p.controllers, 'bare', {
        apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'bare', namespace: 'flux-system' },
        spec: { interval: '1h', chartRef: { kind: 'OCIRepository', name: 'bare' } },
      });
    });
    expect(reported(fleet, 'flux-lockdown')).toEqual([
      'error [flux-lockdown] c/infrastructure/controllers/bare: names no serviceAccountName: under Flux\'s lockdown (--default-service-account=default) it runs as ServiceAccount default, which may apply nothing',
    ]);
  });

  test('under the lockdown a platform object referring to a source in another namespace fails; with the opt-out it passes', () => {
    const crossing = (fluxLockdown?: { enabled: false; reason: string }) => {
      const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
      fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws(), fluxLockdown });
      fleet.platform((p) => {
        new k8s.KubeServiceAccount(p.controllers, 'installer', { metadata: { name: 'installer', namespace: 'kube-system' } });
        new HelmRepository(p.controllers, 'charts', { metadata: { name: 'charts', namespace: 'flux-system' }, spec: { url: 'https://charts.example.com', interval: '1h' } });
        new HelmRelease(p.controllers, 'agent', {
          metadata: { name: 'agent', namespace: 'kube-system' },
          spec: { interval: '1h', serviceAccountName: 'installer', chart: { spec: { chart: 'agent', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: 'charts', namespace: 'flux-system' } } } },
        });
      });
      return reported(fleet, 'flux-lockdown');
    };
    expect(crossing()).toEqual([
      'error [flux-lockdown] c/infrastructure/controllers/agent: spec.chart.spec.sourceRef.namespace is "flux-system", another namespace than its own (kube-system): under Flux\'s lockdown (--no-cross-namespace-refs=true) its controller refuses the reference',
    ]);
    expect(crossing({ enabled: false, reason: 'Flux Operator installs Flux with multitenant: false' })).toEqual([]);
  });

  test('read back from dist/, the opt-out comes from clusters/<c>/kustomization.yaml', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('on', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.addCluster('off', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws(), fluxLockdown: { enabled: false, reason: 'Flux Operator (multitenant: true)' } });
    const dir = mkdtempSync(join(tmpdir(), 'strata-lockdown-read-'));
    for (const [path, content] of fleet.render().files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    expect(readDist(dir).clusters.map((c) => [c.name, c.fluxLockdownOff])).toEqual([['off', 'Flux Operator (multitenant: true)'], ['on', undefined]]);
  });

  test('read back from dist/ (no construct tree): a Flux object of a tenant\'s folder in another namespace fails', () => {
    const API_VERSIONS: Record<string, string> = { ServiceAccount: 'v1', RoleBinding: 'rbac.authorization.k8s.io/v1', HelmRelease: 'helm.toolkit.fluxcd.io/v2', Kustomization: 'kustomize.toolkit.fluxcd.io/v1' };
    const object = (kind: string, namespace: string | undefined, name: string, rest: Record<string, unknown> = {}) => ({
      path: `${kind}/${name}`, manifest: { apiVersion: API_VERSIONS[kind], kind, metadata: { name, namespace }, ...rest },
    });
    const cluster: ResolvedCluster = {
      name: 'c', stage: 'production',
      folders: [
        { dir: 'c/infrastructure/configs', objects: [
          object('ServiceAccount', 'flux-system', 'shop-reconciler'),
          object('RoleBinding', 'shop', 'flux-reconciler', { subjects: [{ kind: 'ServiceAccount', name: 'shop-reconciler', namespace: 'flux-system' }] }),
        ] },
        { dir: 'c/apps/shop', objects: [object('HelmRelease', 'kube-system', 'escape', { spec: { serviceAccountName: 'default' } })] },
      ],
      layers: [object('Kustomization', 'flux-system', 'apps-shop', { spec: { path: './dist/c/apps/shop', serviceAccountName: 'shop-reconciler' } })],
      sources: [],
    };
    expect(fluxLockdown.check(new ClusterObjects(cluster)).map((v) => v.message)).toEqual([
      'sits in namespace kube-system, outside the namespaces the tenant\'s ServiceAccount shop-reconciler is bound in (shop): its controller would act there for the tenant',
    ]);
  });
});

describe('item 2: the lockdown is rendered, and real kustomize applies it to bootstrap\'s controllers', () => {
  const CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller', 'image-reflector-controller', 'image-automation-controller'];

  function lockedFleet(props: { fluxLockdown?: { enabled: false; reason: string } } = {}): Fleet {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws(), ...props });
    fleet.platform((p) => {
      p.install(Components.keda());
      p.addTenant('shop');
    });
    fleet.apps('shop', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    return fleet;
  }

  /** Writes the rendered tree (and, when `bootstrap`, a flux-system folder like `flux bootstrap` writes) and builds clusters/c. */
  function build(fleet: Fleet, bootstrap: boolean): Record<string, any>[] {
    const dir = mkdtempSync(join(tmpdir(), 'strata-lockdown-'));
    for (const [path, content] of fleet.render({ bootstrapped: () => bootstrap }).files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    if (bootstrap) {
      const flux = join(dir, 'clusters/c/flux-system');
      mkdirSync(flux);
      writeFileSync(join(flux, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n');
      writeFileSync(join(flux, 'gotk-components.yaml'), CONTROLLERS.map((name) => [
        'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}, namespace: flux-system}`,
        `spec: {selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: {serviceAccountName: ${name}, containers: [{name: manager, image: ghcr.io/fluxcd/${name}:v1.0.0, args: [--log-level=info]}]}}}`,
      ].join('\n')).join('\n---\n'));
      writeFileSync(join(flux, 'gotk-sync.yaml'), [
        'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {interval: 1m, url: ssh://git@example.com/acme/fleet, ref: {branch: main}, secretRef: {name: flux-system}}',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {interval: 10m, path: ./dist/clusters/c, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}',
      ].join('\n---\n'));
    }
    return parseAllDocuments(kustomizeBuild(join(dir, 'clusters/c'))).map((d) => d.toJS());
  }

  const argsOf = (objects: Record<string, any>[], name: string): string[] =>
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec.template.spec.containers[0].args;

  test('the patches reach the controllers and bootstrap\'s Kustomization of a bootstrapped cluster', () => {
    const built = build(lockedFleet(), true);
    expect(argsOf(built, 'kustomize-controller')).toEqual(['--log-level=info', '--no-cross-namespace-refs=true', '--no-remote-bases=true', '--default-service-account=default']);
    expect(argsOf(built, 'helm-controller')).toEqual(['--log-level=info', '--no-cross-namespace-refs=true', '--default-service-account=default']);
    for (const name of ['notification-controller', 'image-reflector-controller', 'image-automation-controller']) {
      expect(argsOf(built, name)).toEqual(['--log-level=info', '--no-cross-namespace-refs=true']);
    }
    // source-controller serves artifacts and applies nothing: the lockdown leaves it alone.
    expect(argsOf(built, 'source-controller')).toEqual(['--log-level=info']);
    const sync = built.filter((o) => o.kind === 'Kustomization').map((o) => [o.metadata.name, o.spec.serviceAccountName]);
    expect(sync).toEqual([['apps-shop', 'shop-reconciler'], ['flux-system', 'kustomize-controller'], ['infrastructure-configs', 'kustomize-controller'], ['infrastructure-controllers', 'kustomize-controller']]);
  });

  test('without a flux-system folder the patches match nothing and the build still succeeds, unchanged', () => {
    const fleet = lockedFleet();
    const built = build(fleet, false);
    const layers = parseAllDocuments(fleet.render().files.get('clusters/c/layers.yaml')!).map((d) => d.toJS());
    expect(built.filter((o) => o.kind === 'Kustomization')).toEqual(expect.arrayContaining(layers));
    expect(built).toHaveLength(layers.length);
  });

  test('clusters/<c>/kustomization.yaml says the lockdown is on; platform HelmReleases run as helm-controller', () => {
    const files = Testing.synth(lockedFleet()).files;
    expect(files['clusters/c/kustomization.yaml']).toMatch(/^# flux-lockdown: on$/m);
    expect(parse(files['clusters/c/kustomization.yaml']).patches).toHaveLength(4);
    expect(parse(files['c/infrastructure/controllers/flux-system/helmrelease-keda.yaml']).spec.serviceAccountName).toBe('helm-controller');
  });

  test('the typed opt-out renders no patches and writes its reason', () => {
    const files = Testing.synth(lockedFleet({ fluxLockdown: { enabled: false, reason: 'Flux Operator installs Flux with multitenant: true' } })).files;
    expect(parse(files['clusters/c/kustomization.yaml']).patches).toBeUndefined();
    expect(files['clusters/c/kustomization.yaml']).toMatch(/^# flux-lockdown: off \(Flux Operator installs Flux with multitenant: true\)$/m);
  });

  test('an opt-out without a reason, or not saying enabled: false, is an error', () => {
    expect(errorsOf(lockedFleet({ fluxLockdown: { enabled: false, reason: ' ' } }))).toEqual([
      'c: fluxLockdown turns Flux\'s multi-tenancy lockdown off without a reason: say why (e.g. "Flux Operator installs Flux with multitenant: true")',
    ]);
    expect(errorsOf(lockedFleet({ fluxLockdown: { enabled: true, reason: 'x' } as unknown as { enabled: false; reason: string } }))).toEqual([
      'c: fluxLockdown.enabled true is not false: leave fluxLockdown out to keep the lockdown on',
    ]);
  });
});

describe('item 4: plaintext secrets cannot be waived into Git', () => {
  const ENC = (data: string) => `ENC[AES256_GCM,data:${data},iv:Wc1BdGVzdA==,tag:Pc9aZm9v,type:str]`;
  const MAC = ENC('b1l5aQ==');
  const AGE = [{ recipient: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', enc: '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n' }];
  const secret = (apps: Apps, name: string, body: Record<string, unknown>) =>
    new ApiObject(apps, name, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...body });
  const plaintext = (define: (apps: Apps) => void) => reported(fleetOf('production', define), 'secret-plaintext');

  test('a really encrypted Secret passes: ENC values, a MAC and a key', () => {
    expect(plaintext((apps) => {
      secret(apps, 'db', { data: { password: ENC('aHVudGVyMg==') }, sops: { age: AGE, mac: MAC, lastmodified: '2024-01-01T00:00:00Z', version: '3.8.1' } });
      secret(apps, 'grouped', { stringData: { token: ENC('dG9r') }, sops: { key_groups: [{ pgp: [{ fp: 'ABCD', enc: 'x' }] }], mac: MAC, version: '3.8.1' } });
    })).toEqual([]);
  });

  test('an empty sops block does not make plaintext encrypted', () => {
    expect(plaintext((apps) => secret(apps, 'db', { stringData: { password: 'hunter2' }, sops: {} }))).toEqual([
      'error [secret-plaintext] c/apps/shop/db: holds a value (password) in plaintext despite its sops block: each value must be an ENC[...] envelope',
      'error [secret-plaintext] c/apps/shop/db: its sops block has no encrypted mac (sops.mac), so nothing proves SOPS encrypted it',
      'error [secret-plaintext] c/apps/shop/db: its sops block names no key to decrypt with (age, pgp, kms, gcp_kms, azure_kv, hc_vault or key_groups)',
    ]);
  });

  test('one plaintext value among encrypted ones fails; so do ENC values without a sops block', () => {
    expect(plaintext((apps) => {
      secret(apps, 'mixed', { data: { password: ENC('aHVudGVy'), user_unencrypted: 'YWRtaW4=' }, sops: { age: AGE, mac: MAC } });
      secret(apps, 'stripped', { data: { password: ENC('aHVudGVy') } });
    })).toEqual([
      'error [secret-plaintext] c/apps/shop/mixed: holds a value (user_unencrypted) in plaintext despite its sops block: each value must be an ENC[...] envelope',
      'error [secret-plaintext] c/apps/shop/stripped: has ENC[...] values but no sops block: Flux cannot decrypt it',
    ]);
  });

  test('neither a waiver nor a waiver annotation lets plaintext through', () => {
    const fleet = fleetOf('production', (apps) => {
      const waived = new k8s.KubeSecret(apps, 'db', { metadata: { name: 'db' }, stringData: { password: 'hunter2' } });
      Waivers.waive(waived, 'secret-plaintext', 'dev credentials');
      new k8s.KubeSecret(apps, 'annotated', { metadata: { name: 'annotated', annotations: { 'strata.dev/waive.secret-plaintext': 'dev credentials' } }, stringData: { token: 'abc' } });
    });
    const findings = findingsOf(fleet).map((f) => `${f.rule ?? ''} ${f.path}: ${f.message}`);
    expect(findings).toEqual(expect.arrayContaining([
      ' c/apps/shop/db: rule secret-plaintext cannot be waived: fix what it reports',
      'secret-plaintext c/apps/shop/db: holds a value (password) in plaintext',
      ' c/apps/shop/annotated: annotation strata.dev/waive.secret-plaintext waives rule secret-plaintext, which cannot be waived: fix what it reports',
      'secret-plaintext c/apps/shop/annotated: holds a value (token) in plaintext',
    ]));
    expect(findings.filter((f) => f.includes('waives nothing'))).toEqual([]);
  });
});
