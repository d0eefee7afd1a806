// Issue 15 item 2: tenants that own their repositories (the Flux multi-tenancy model), a tenant
// whose namespace is named otherwise, and namespaces another repository creates.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Components, Fleet, HelmApp, Provider, Stage, Testing, validateDist, type Platform, type TenantProps } from '../lib/index.js';
import { NetworkModel } from '../lib/validate/network/evaluator.js';
import { ClusterObjects } from '../lib/validate/objects.js';
import { errorsOf } from './support/errors.js';
import { kustomizeBuild } from './support/kubectl.js';
import { reported } from './support/policy.js';

type Manifest = Record<string, any>;

function fleetWith(platform: (p: Platform) => void, stage = Stage.PRODUCTION): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c', { stage, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform(platform);
  return fleet;
}

const DEV_TEAM: TenantProps = {
  namespace: 'apps',
  repository: { url: 'https://github.com/acme/dev-team', path: './staging', secretName: 'dev-team-auth' },
};

/** The multi-tenancy layout: `shop`, whose apps strata renders, and `dev-team`, which brings its own repository. */
function multiTenancy(): Fleet {
  const fleet = fleetWith((p) => {
    p.addTenant('shop', { quota: { cpu: '4', memory: '8Gi' } });
    p.addTenant('dev-team', DEV_TEAM);
  });
  fleet.apps('shop', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
  return fleet;
}

/** Writes the rendered tree to a temporary folder and returns it. */
function written(fleet: Fleet): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-tenants-'));
  for (const [path, content] of fleet.render().files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const built = (dir: string): Manifest[] => parseAllDocuments(kustomizeBuild(dir)).map((d) => d.toJS());
const find = (objects: Manifest[], kind: string, name: string, namespace?: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);

describe('a multi-tenancy layout with a tenant-owned repository', () => {
  test('renders without a finding, and real kustomize builds every folder', () => {
    const fleet = multiTenancy();
    expect(fleet.render().warnings).toEqual([]);
    const dir = written(fleet);
    const tenantFolder = built(join(dir, 'c/apps/apps'));
    const configs = built(join(dir, 'c/infrastructure/configs'));
    const sync = built(join(dir, 'clusters/c'));
    const shop = built(join(dir, 'c/apps/shop'));

    // The tenant's source and Kustomization, in its namespace, as in tenants/base/<tenant>/sync.yaml.
    expect(tenantFolder.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['GitRepository apps/dev-team', 'Kustomization apps/dev-team']);
    expect(find(tenantFolder, 'GitRepository', 'dev-team', 'apps')!.spec).toEqual({
      interval: '1m', url: 'https://github.com/acme/dev-team', ref: { branch: 'main' }, secretRef: { name: 'dev-team-auth' },
    });
    expect(find(tenantFolder, 'Kustomization', 'dev-team', 'apps')!.spec).toEqual({
      interval: '5m',
      path: './staging',
      prune: true,
      serviceAccountName: 'dev-team-reconciler',
      sourceRef: { kind: 'GitRepository', name: 'dev-team' },
      targetNamespace: 'apps',
    });

    // The tenant's RBAC, as in tenants/base/<tenant>/rbac.yaml: its ServiceAccount in its namespace, bound there only.
    expect(find(configs, 'Namespace', 'apps')!.metadata.labels['toolkit.fluxcd.io/tenant']).toBe('dev-team');
    expect(find(configs, 'ServiceAccount', 'dev-team-reconciler', 'apps')).toBeDefined();
    expect(find(configs, 'RoleBinding', 'flux-reconciler', 'apps')!.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'dev-team-reconciler', namespace: 'flux-system' },
      { kind: 'ServiceAccount', name: 'dev-team-reconciler', namespace: 'apps' },
    ]);
    expect(configs.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);

    // The tenant strata renders keeps today's shape: no ServiceAccount in its namespace, one subject.
    expect(find(configs, 'ServiceAccount', 'shop-reconciler', 'shop')).toBeUndefined();
    expect(find(configs, 'RoleBinding', 'flux-reconciler', 'shop')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'shop-reconciler', namespace: 'flux-system' }]);
    expect(shop.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ConfigMap shop/settings']);

    // Both tenant folders are applied as their tenant, after the platform's configs.
    const layer = (name: string) => find(sync, 'Kustomization', name, 'flux-system')!.spec;
    expect([layer('apps-apps').serviceAccountName, layer('apps-apps').path, layer('apps-apps').dependsOn]).toEqual(['dev-team-reconciler', './dist/c/apps/apps', [{ name: 'infrastructure-configs' }]]);
    expect(layer('apps-shop').serviceAccountName).toBe('shop-reconciler');
    // Read back from the files (npm run validate), the tree passes as it did at synth.
    expect(validateDist(dir).findings).toEqual([]);
  });

  test('an OCI artifact is read by an OCIRepository, pinned by digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const files = Testing.synth(fleetWith((p) => p.addTenant('dev-team', {
      repository: { url: 'oci://ghcr.io/acme/dev-team-manifests', digest, syncInterval: '10m', timeout: '3m', prune: false, name: 'manifests' },
    }))).files;
    expect(parse(files['c/apps/dev-team/ocirepository-manifests.yaml']).spec).toEqual({ interval: '1m', url: 'oci://ghcr.io/acme/dev-team-manifests', ref: { digest } });
    expect(parse(files['c/apps/dev-team/kustomization-manifests.yaml']).spec).toEqual({
      interval: '10m', timeout: '3m', path: './', prune: false, serviceAccountName: 'dev-team-reconciler',
      sourceRef: { kind: 'OCIRepository', name: 'manifests' }, targetNamespace: 'dev-team',
    });
  });

  test('a tenant may have both: its repository and apps strata renders, a HelmApp among them, in one namespace', () => {
    const fleet = fleetWith((p) => p.addTenant('dev-team', DEV_TEAM));
    fleet.apps('apps', (apps) => {
      new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } });
      new HelmApp(apps, 'cache', { chart: { repository: 'https://charts.example.com', name: 'redis', version: '20.1.0' } });
    });
    const files = Testing.synth(fleet).files;
    const folder = Object.keys(files).filter((f) => f.startsWith('c/apps/apps/') && !f.endsWith('kustomization.yaml')).sort();
    expect(folder).toEqual([
      'c/apps/apps/configmap-settings.yaml',
      'c/apps/apps/gitrepository-dev-team.yaml',
      'c/apps/apps/helmrelease-cache.yaml',
      'c/apps/apps/helmrepository-cache.yaml',
      'c/apps/apps/kustomization-dev-team.yaml',
    ]);
    // The HelmApp runs as the tenant's ServiceAccount of the namespace, which the tenant declares once.
    expect(parse(files['c/apps/apps/helmrelease-cache.yaml']).spec.serviceAccountName).toBe('dev-team-reconciler');
    expect(Object.keys(files).filter((f) => f.includes('serviceaccount-dev-team-reconciler'))).toEqual([
      'c/infrastructure/configs/apps/serviceaccount-dev-team-reconciler.yaml',
      'c/infrastructure/configs/flux-system/serviceaccount-dev-team-reconciler.yaml',
    ]);
  });

  test('every problem of a repository is an error naming the tenant, the field, the value and what is valid', () => {
    const fleet = fleetWith((p) => {
      p.addTenant('git', { repository: { url: 'git@github.com:acme/team.git', digest: 'sha256:abc', commit: 'main', path: '../platform', interval: '1 minute', secretName: 'Team_Key' } });
      p.addTenant('oci', { repository: { url: 'oci://ghcr.io/acme/team', branch: 'main', commit: 'a'.repeat(40), path: '/etc', syncInterval: '-5m', name: 'Team' } });
    });
    expect(errorsOf(fleet)).toEqual([
      'c/infrastructure/configs/tenant-git: tenant "git": repository.url "git@github.com:acme/team.git" is not a Flux source URL: use https://, http:// or ssh:// for a Git repository (e.g. "ssh://git@github.com/acme/dev-team.git") or oci:// for an OCI artifact (e.g. "oci://ghcr.io/acme/dev-team")',
      'c/infrastructure/configs/tenant-git: tenant "git": repository.digest "sha256:abc" is for OCI artifacts: pin a Git repository by commit',
      'c/infrastructure/configs/tenant-git: tenant "git": repository.commit "main" is not a commit SHA: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits',
      'c/infrastructure/configs/tenant-git: tenant "git": repository.digest "sha256:abc" is not an OCI digest: "<algorithm>:<hex>", e.g. "sha256:" and 64 hex digits',
      'c/infrastructure/configs/tenant-git: tenant "git": repository.secretName "Team_Key" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c/infrastructure/configs/tenant-git: tenant "git": repository.path "../platform" is not a folder inside the repository: use a relative path of letters, digits, \'.\', \'_\' and \'-\' without "..", e.g. "./staging" (or "./" for the root)',
      'c/infrastructure/configs/tenant-git: tenant "git": repository.interval "1 minute" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"',
      'c/infrastructure/configs/tenant-oci: tenant "oci": repository.branch "main" is for Git repositories: an OCI artifact is chosen by tag, semver or digest',
      'c/infrastructure/configs/tenant-oci: tenant "oci": repository.commit "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is for Git repositories: pin an OCI artifact by digest',
      'c/infrastructure/configs/tenant-oci: tenant "oci": repository.name "Team" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
      'c/infrastructure/configs/tenant-oci: tenant "oci": repository.path "/etc" is not a folder inside the repository: use a relative path of letters, digits, \'.\', \'_\' and \'-\' without "..", e.g. "./staging" (or "./" for the root)',
      'c/infrastructure/configs/tenant-oci: tenant "oci": repository.syncInterval "-5m" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"',
    ]);
  });

  test('a misspelled repository key is an error naming the known ones', () => {
    const fleet = fleetWith((p) => p.addTenant('dev-team', { repository: { url: 'https://github.com/acme/dev-team', brnach: 'main' } as unknown as TenantProps['repository'] }));
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^c\/infrastructure\/configs\/tenant-dev-team: repository\.brnach is not a known key: did you mean "branch"\?/)]);
  });
});

describe('the lockdown on a tenant\'s Flux objects declared in the platform\'s folder (hand-written, as the Flux example onboards a tenant)', () => {
  /** Tenant `team` (namespace strata creates) and a Kustomization of its own repository, declared by `sync` in infrastructure/configs. */
  function onboarded(spec: Record<string, unknown>, extra?: (p: Platform) => void, fluxLockdown?: { enabled: false; reason: string }): string[] {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws(), fluxLockdown });
    fleet.platform((p) => {
      p.addTenant('team');
      new k8s.KubeServiceAccount(p.configs, 'flux', { metadata: { name: 'flux', namespace: 'team' } });
      new ApiObject(p.configs, 'team-source', {
        apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'team', namespace: 'team' },
        spec: { interval: '1m', url: 'https://github.com/acme/team', ref: { branch: 'main' } },
      });
      new ApiObject(p.configs, 'team-sync', {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'team', namespace: 'team' },
        spec: { interval: '5m', prune: true, path: './', sourceRef: { kind: 'GitRepository', name: 'team' }, serviceAccountName: 'flux', ...spec },
      });
      extra?.(p);
    });
    return reported(fleet, 'flux-lockdown');
  }

  test('reading its own source as its own ServiceAccount passes', () => {
    expect(onboarded({})).toEqual([]);
  });

  test('a source in another namespace fails even where the lockdown is off', () => {
    const off = { enabled: false as const, reason: 'Flux Operator installs Flux' };
    expect(onboarded({ sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' } }, undefined, off)).toEqual([
      'error [flux-lockdown] c/infrastructure/configs/team-sync: spec.sourceRef.namespace is "flux-system", another namespace than its own (team): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
    ]);
  });

  test('running as a ServiceAccount a ClusterRoleBinding binds cluster-wide fails', () => {
    expect(onboarded({}, (p) => new k8s.KubeClusterRoleBinding(p.configs, 'escape', {
      metadata: { name: 'team-flux-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'flux', namespace: 'team' }],
    }))).toEqual([
      'error [flux-lockdown] c/infrastructure/configs/team-sync: runs as ServiceAccount team/flux, which ClusterRoleBinding team-flux-admin grants rights in every namespace: a tenant\'s Flux objects run as the tenant\'s ServiceAccount, whose rights end at the tenant\'s namespaces',
    ]);
  });

  test('naming no ServiceAccount, or applying into another namespace, fails', () => {
    expect(onboarded({ serviceAccountName: undefined, targetNamespace: 'kube-system' })).toEqual([
      'error [flux-lockdown] c/infrastructure/configs/team-sync: names no serviceAccountName: without Flux\'s lockdown kustomize-controller applies it with its own cluster-wide rights, so a tenant could change anything in the cluster',
      'error [flux-lockdown] c/infrastructure/configs/team-sync: spec.targetNamespace is "kube-system", another namespace than its own (team): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
    ]);
  });
});

describe('a tenant whose namespace is not named after it', () => {
  test('fleet.apps(namespace) lands in the tenant\'s folder, applied as the tenant\'s identity, labelled with the tenant', () => {
    const fleet = fleetWith((p) => p.addTenant('dev-team', { namespace: 'apps', group: 'dev-team' }));
    fleet.apps('apps', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    const files = Testing.synth(fleet).files;
    expect(parse(files['c/apps/apps/configmap-settings.yaml']).metadata.namespace).toBe('apps');
    const layers = parseAllDocuments(files['clusters/c/layers.yaml']).map((d) => d.toJS());
    expect(layers.find((k) => k.metadata.name === 'apps-apps').spec.serviceAccountName).toBe('dev-team-reconciler');
    expect(parse(files['c/infrastructure/configs/_cluster/namespace-apps.yaml']).metadata.labels['toolkit.fluxcd.io/tenant']).toBe('dev-team');
    expect(parse(files['c/infrastructure/configs/apps/rolebinding-team-edit.yaml']).subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev-team' }]);
    expect(files['c/infrastructure/configs/flux-system/serviceaccount-dev-team-reconciler.yaml']).toBeDefined();
    expect(Object.keys(files).filter((f) => f.includes('dev-team/'))).toEqual([]);
  });

  test('two tenants in one namespace, or a namespace that is no DNS label, are errors', () => {
    expect(errorsOf(fleetWith((p) => {
      p.addTenant('a', { namespace: 'shared' });
      p.addTenant('b', { namespace: 'shared' });
    }))).toEqual(['c: tenant "b": namespace "shared" is already tenant "a"\'s: give each tenant a namespace of its own']);
    expect(errorsOf(fleetWith((p) => p.addTenant('a', { namespace: 'Team_A' })))).toEqual([
      'c/infrastructure/configs/tenant-a: tenant "a": namespace "Team_A" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
    ]);
  });

  test('a system namespace is refused, named by the tenant', () => {
    expect(errorsOf(fleetWith((p) => p.addTenant('team', { namespace: 'kube-system' })))).toEqual([
      'c/infrastructure/configs/tenant-team: tenant "team": namespace "kube-system" is a system namespace (default, flux-system, kube-node-lease, kube-public, kube-system), not a team\'s: give the team a namespace of its own',
    ]);
  });
});

describe('namespaces another repository creates', () => {
  test('without a declaration, a namespace nobody creates is an error that says how to declare it', () => {
    const fleet = fleetWith(() => undefined);
    fleet.apps('legacy', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    expect(errorsOf(fleet)).toEqual([
      'c/apps/legacy/settings: ConfigMap settings: namespace "legacy" is not created on the cluster: declare it (e.g. platform.addTenant(\'legacy\')), declare it external if another repository creates it (platform.externalNamespace(\'legacy\')) or use a system namespace (default, flux-system, kube-node-lease, kube-public, kube-system)',
    ]);
  });

  test('declared external, fleet.apps targets it: no Namespace object is written and nothing is missing', () => {
    const fleet = fleetWith((p) => p.externalNamespace('legacy', { labels: { team: 'legacy' } }));
    fleet.apps('legacy', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    const rendered = fleet.render();
    expect(rendered.warnings).toEqual([]);
    expect([...rendered.files.keys()].filter((f) => /namespace-/.test(f))).toEqual([]);
    expect(parse(rendered.files.get('c/apps/legacy/configmap-settings.yaml')!).metadata.namespace).toBe('legacy');
    expect(rendered.model.clusters[0].externalNamespaces).toEqual([{ name: 'legacy', labels: { team: 'legacy' } }]);
  });

  test('npm run validate accepts the written tree as synth did: clusters/<c>/kustomization.yaml names the external namespaces', () => {
    const fleet = fleetWith((p) => {
      p.externalNamespace('legacy', { labels: { team: 'legacy' } });
      p.externalNamespace('bootstrap-made');
    });
    fleet.apps('legacy', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    fleet.apps('bootstrap-made', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    const dir = written(fleet);
    const index = join(dir, 'clusters/c/kustomization.yaml');
    expect(readFileSync(index, 'utf8')).toContain('# external-namespace: bootstrap-made\n# external-namespace: legacy {"team":"legacy"}\n');
    const validated = validateDist(dir);
    expect(validated.findings).toEqual([]);
    expect(validated.model.clusters[0].externalNamespaces).toEqual([{ name: 'bootstrap-made' }, { name: 'legacy', labels: { team: 'legacy' } }]);
    // Without those lines the same tree has two namespaces nobody creates.
    writeFileSync(index, readFileSync(index, 'utf8').replace(/^# external-namespace: .*\n/gm, ''));
    expect(validateDist(dir).findings.map((f) => f.message)).toEqual([
      expect.stringContaining('namespace "bootstrap-made" is not created on the cluster'),
      expect.stringContaining('namespace "legacy" is not created on the cluster'),
    ]);
  });

  test('a tenant in an external namespace gets its quota, policies and RBAC there, but no Namespace', () => {
    const fleet = fleetWith((p) => p.addTenant('legacy-team', { namespace: 'legacy', externalNamespace: {}, quota: { cpu: '2', memory: '4Gi' }, repository: { url: 'ssh://git@github.com/acme/legacy.git', tag: 'v1.2.0' } }));
    const files = Testing.synth(fleet).files;
    expect(Object.keys(files).filter((f) => f.startsWith('c/infrastructure/configs/')).sort()).toEqual([
      'c/infrastructure/configs/flux-system/serviceaccount-legacy-team-reconciler.yaml',
      'c/infrastructure/configs/kustomization.yaml',
      'c/infrastructure/configs/legacy/limitrange-defaults.yaml',
      'c/infrastructure/configs/legacy/networkpolicy-allow-dns.yaml',
      'c/infrastructure/configs/legacy/networkpolicy-default-deny.yaml',
      'c/infrastructure/configs/legacy/resourcequota-quota.yaml',
      'c/infrastructure/configs/legacy/rolebinding-flux-reconciler.yaml',
      'c/infrastructure/configs/legacy/serviceaccount-legacy-team-reconciler.yaml',
    ]);
    expect(parse(files['c/apps/legacy/gitrepository-legacy-team.yaml']).spec.ref).toEqual({ tag: 'v1.2.0' });
  });

  test('an exposed tenant in an external namespace needs the owner\'s gateway-access label, declared', () => {
    expect(errorsOf(fleetWith((p) => p.addTenant('legacy', { externalNamespace: {}, exposed: true })))).toEqual([
      'c/infrastructure/configs/tenant-legacy: tenant "legacy": exposed is true, but namespace "legacy" is external, so strata cannot set its label strata.dev/gateway-access: "true", which the gateway admits routes by: have its owner set it and declare it in externalNamespace.labels',
    ]);
    expect(() => Testing.synth(fleetWith((p) => p.addTenant('legacy', { externalNamespace: { labels: { 'strata.dev/gateway-access': 'true' } }, exposed: true })))).not.toThrow();
  });

  test('podSecurity on a tenant in an external namespace is an error: its owner sets the label', () => {
    expect(errorsOf(fleetWith((p) => p.addTenant('legacy', { externalNamespace: {}, podSecurity: 'baseline' })))).toEqual([
      'c/infrastructure/configs/tenant-legacy: tenant "legacy": podSecurity "baseline" is set, but namespace "legacy" is external, so strata cannot set its label pod-security.kubernetes.io/enforce: have its owner set it and declare it in externalNamespace.labels instead',
    ]);
  });

  test('declaring and rendering the same namespace, a system namespace, bad labels or a second declaration are errors', () => {
    expect(errorsOf(fleetWith((p) => {
      p.externalNamespace('legacy');
      p.addTenant('legacy');
    }))).toEqual([
      'c/infrastructure/configs/tenant-legacy/namespace: Namespace legacy: namespace "legacy" is declared external (created by another repository or the cluster\'s bootstrap), yet rendered here too: two owners would fight over it and prune it from each other; drop the declaration or this Namespace',
    ]);
    expect(errorsOf(fleetWith((p) => {
      p.externalNamespace('kube-system');
      p.externalNamespace('legacy', { labels: { 'bad key!': 'x', team: 'not valid!' } });
      p.externalNamespace('legacy');
    }))).toEqual([
      'c: external namespace "legacy" is declared twice',
      'c/infrastructure/configs/namespace-kube-system: external namespace "kube-system": namespace "kube-system" is a system namespace (default, flux-system, kube-node-lease, kube-public, kube-system), which every cluster has: use it without declaring it',
      'c/infrastructure/configs/namespace-legacy: external namespace "legacy": labels: key "bad key!" is not a label key (an optional DNS subdomain prefix and \'/\', then up to 63 letters, digits, \'-\', \'_\' or \'.\')',
      'c/infrastructure/configs/namespace-legacy: external namespace "legacy": labels: value "not valid!" of "team" is not a label value (up to 63 letters, digits, \'-\', \'_\' or \'.\', beginning and ending with a letter or digit)',
    ]);
  });

  test('the namespace a platform component installs into needs no declaration either', () => {
    expect(errorsOf(fleetWith((p) => {
      p.install(Components.keda());
      p.externalNamespace('keda');
    }))).toEqual([
      'c/infrastructure/configs/namespace-keda: external namespace "keda": namespace "keda" belongs to platform component "keda", which creates it: use it without declaring it',
      'c/infrastructure/controllers/keda/namespace: Namespace keda: namespace "keda" is declared external (created by another repository or the cluster\'s bootstrap), yet rendered here too: two owners would fight over it and prune it from each other; drop the declaration or this Namespace',
    ]);
  });

  test('a tenant and a declaration of the same external namespace are a second declaration', () => {
    expect(errorsOf(fleetWith((p) => {
      p.externalNamespace('legacy');
      p.addTenant('legacy', { externalNamespace: {} });
    }))).toEqual([
      'c/infrastructure/configs/tenant-legacy: tenant "legacy": externalNamespace: namespace "legacy" is already declared external by c/infrastructure/configs/namespace-legacy: declare it once',
    ]);
  });
});

describe('rule external-namespace-labels and the checks that read namespace labels', () => {
  /** A NetworkPolicy in `shop` admitting pods of the namespaces `selector` selects. */
  function admitting(selector: Record<string, unknown>, labels?: Record<string, string>): string[] {
    const fleet = fleetWith((p) => {
      p.addTenant('shop');
      p.externalNamespace('legacy', { labels });
      new k8s.KubeNetworkPolicy(p.configs, 'from-teams', {
        metadata: { name: 'from-teams', namespace: 'shop' },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: selector }] }] },
      });
    });
    return reported(fleet, 'external-namespace-labels');
  }

  test('a selector by another label than the name, with the external namespace\'s labels unknown, is a warning', () => {
    expect(admitting({ matchLabels: { team: 'legacy' } })).toEqual([
      'warning [external-namespace-labels] c/infrastructure/configs/from-teams: spec.ingress[0].from[0].namespaceSelector selects namespaces by label (team), and namespace legacy is external with no declared labels: whether this policy admits it is unknown',
    ]);
    expect(admitting({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] })).toHaveLength(1);
  });

  test('declared labels, a selector by name, or a name that rules the namespace out leave nothing unknown', () => {
    expect(admitting({ matchLabels: { team: 'legacy' } }, { team: 'legacy' })).toEqual([]);
    expect(admitting({ matchLabels: { 'kubernetes.io/metadata.name': 'legacy' } })).toEqual([]);
    expect(admitting({ matchLabels: { 'kubernetes.io/metadata.name': 'billing', team: 'billing' } })).toEqual([]);
    expect(admitting({})).toEqual([]);
  });

  test('the network model sees an external namespace with its declared labels, or with its name only', () => {
    const fleet = fleetWith((p) => {
      p.externalNamespace('legacy', { labels: { team: 'legacy' } });
      p.externalNamespace('unknown');
    });
    const network = NetworkModel.of(new ClusterObjects(fleet.render().model.clusters[0]));
    expect(network.labelsOfNamespace('legacy')).toEqual({ team: 'legacy', 'kubernetes.io/metadata.name': 'legacy' });
    expect(network.labelsOfNamespace('unknown')).toEqual({ 'kubernetes.io/metadata.name': 'unknown' });
    expect(network.namespacesMatching({ matchLabels: { team: 'legacy' } }, [])).toEqual(['legacy']);
  });

  test('Pod Security admission reads the enforce label declared for an external namespace', () => {
    const fleet = fleetWith((p) => p.externalNamespace('legacy', { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }));
    fleet.apps('legacy', (apps) => {
      new ApiObject(apps, 'root', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root', annotations: { 'strata.dev/waive.pod-security-restricted': 'legacy image' } },
        spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/app:1.0.0', securityContext: { runAsUser: 0 } }] },
      });
    });
    expect(errorsOf(fleet).filter((e) => e.includes('enforces Pod Security'))).toEqual([
      expect.stringMatching(/^c\/apps\/legacy\/root: Pod root: namespace "legacy" enforces Pod Security "restricted", so the API server rejects these pods/),
    ]);
  });
});
