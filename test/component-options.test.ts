// Every name, placement and reconcile option of a platform component (HelmRelease, chart source,
// Namespace), each asserted on the rendered objects, and each of their errors.
import { k8s } from 'cdk8s-plus-27';
import { Components, Fleet, PlatformComponent, Provider, Stage, Testing, type Cluster, type Manifest, type Platform } from '../lib/index.js';
import { errorsOf } from './support/errors.js';

function fleetWith(define: (platform: Platform, cluster: Cluster) => void, provider = Provider.aws()): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider });
  fleet.platform(define);
  return fleet;
}

function objects(fleet: Fleet): Manifest[] {
  return Testing.synth(fleet).objects;
}

function find(all: readonly Manifest[], kind: string, name: string, namespace?: string): Record<string, any> {
  const found = all.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} among ${all.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const PODINFO = { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', version: '6.9.2' } as const;

describe('placement: the HelmRelease and its source in the component namespace', () => {
  const fleet = fleetWith((p) => p.install(Components.certManager({ email: 'platform@acme.dev', placement: 'namespace' })));
  const all = objects(fleet);

  test('both live in the namespace, installing there without targetNamespace or storageNamespace', () => {
    const release = find(all, 'HelmRelease', 'cert-manager');
    expect(release.metadata.namespace).toBe('cert-manager');
    expect(release.spec.targetNamespace).toBeUndefined();
    expect(release.spec.storageNamespace).toBeUndefined();
    expect(release.spec.releaseName).toBe('cert-manager');
    expect(release.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'cert-manager' });
    expect(find(all, 'HelmRepository', 'cert-manager').metadata.namespace).toBe('cert-manager');
    expect(Object.keys(Testing.synth(fleet).files)).toContain('c1/infrastructure/controllers/cert-manager/helmrelease-cert-manager.yaml');
  });

  test('it runs as helm-installer of that namespace, bound to cluster-admin', () => {
    expect(find(all, 'HelmRelease', 'cert-manager').spec.serviceAccountName).toBe('helm-installer');
    expect(find(all, 'ServiceAccount', 'helm-installer', 'cert-manager')).toBeDefined();
    const binding = find(all, 'ClusterRoleBinding', 'helm-installer-cert-manager');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'helm-installer', namespace: 'cert-manager' }]);
  });

  test('two components placed in one namespace share one installer', () => {
    const shared = objects(fleetWith((p) => {
      p.install(Components.metricsServer({ placement: 'namespace' }));
      p.install(Components.karpenter({ placement: 'namespace' }));
    }));
    expect(shared.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'helm-installer').map((o) => o.metadata.namespace)).toEqual(['kube-system']);
    expect(find(shared, 'HelmRelease', 'karpenter').metadata.namespace).toBe('kube-system');
  });

  test('a ServiceAccount of your own is named and not declared', () => {
    const own = objects(fleetWith((p) => {
      p.install(Components.keda({ placement: 'namespace', serviceAccountName: 'keda-installer' }));
      new k8s.KubeServiceAccount(p.controllers, 'keda-installer', { metadata: { name: 'keda-installer', namespace: 'keda' } });
    }));
    expect(find(own, 'HelmRelease', 'keda').spec.serviceAccountName).toBe('keda-installer');
    expect(own.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).toEqual(['keda-installer']);
    expect(own.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
  });
});

describe('names', () => {
  test('name renames the HelmRelease, its source and the Helm release; releaseName and source.name each on their own', () => {
    const renamed = objects(fleetWith((p) => p.install(Components.keda({ name: 'keda-operator' }))));
    expect(find(renamed, 'HelmRelease', 'keda-operator').spec).toMatchObject({ releaseName: 'keda-operator', targetNamespace: 'keda', chart: { spec: { sourceRef: { name: 'keda-operator' } } } });
    expect(find(renamed, 'HelmRepository', 'keda-operator')).toBeDefined();

    const split = objects(fleetWith((p) => p.install(Components.keda({ releaseName: 'keda', name: 'keda-release', source: { name: 'kedacore' } }))));
    const release = find(split, 'HelmRelease', 'keda-release');
    expect(release.spec.releaseName).toBe('keda');
    expect(release.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'kedacore' });
    expect(find(split, 'HelmRepository', 'kedacore').spec.url).toBe('https://kedacore.github.io/charts');
  });

  test('the namespace option moves the chart, its Namespace and the release targets', () => {
    const all = objects(fleetWith((p) => p.install(Components.externalSecrets({ namespace: 'secrets' }))));
    expect(find(all, 'HelmRelease', 'external-secrets').spec).toMatchObject({ targetNamespace: 'secrets', storageNamespace: 'secrets' });
    expect(find(all, 'Namespace', 'secrets')).toBeDefined();
    expect(all.some((o) => o.kind === 'Namespace' && o.metadata.name === 'external-secrets')).toBe(false);
  });

  test('dependsOn follows a renamed component and names the namespace of a release placed elsewhere', () => {
    const all = objects(fleetWith((p) => {
      p.install(Components.externalSecrets({ dependsOn: ['certs', 'keda'] }));
      p.install(Components.certManager({ name: 'certs', placement: 'namespace' }));
      p.install(Components.keda());
    }));
    expect(find(all, 'HelmRelease', 'external-secrets').spec.dependsOn).toEqual([{ name: 'keda' }, { name: 'certs', namespace: 'cert-manager' }]);
  });

  test('a dependsOn naming no component is a dangling reference the rules report', () => {
    const errors = errorsOf(fleetWith((p) => {
      p.install(Components.certManager({ name: 'certs' }));
      p.install(Components.externalSecrets({ dependsOn: ['cert-manager'] }));
    }));
    expect(errors).toEqual([expect.stringContaining('dependsOn HelmRelease flux-system/cert-manager does not exist on this cluster')]);
  });
});

describe('chart source', () => {
  test('cert-manager from its OCI registry: an OCIRepository of the chart, referenced by chartRef', () => {
    const all = objects(fleetWith((p) => p.install(Components.certManager({ chart: { repository: 'oci://quay.io/jetstack/charts' }, source: { interval: '1h' } }))));
    expect(find(all, 'OCIRepository', 'cert-manager').spec).toMatchObject({ url: 'oci://quay.io/jetstack/charts/cert-manager', ref: { tag: 'v1.21.1' }, interval: '1h' });
    expect(find(all, 'HelmRelease', 'cert-manager').spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'cert-manager' });
  });

  test('an OCI registry as a HelmRepository of type oci, the chart named in the chart template', () => {
    const all = objects(fleetWith((p) => p.install(Components.karpenter({ source: { kind: 'HelmRepository', name: 'ecr', interval: '24h' } }))));
    expect(find(all, 'HelmRepository', 'ecr').spec).toEqual({ interval: '24h', type: 'oci', url: 'oci://public.ecr.aws/karpenter' });
    const spec = find(all, 'HelmRelease', 'karpenter').spec;
    expect(spec.chartRef).toBeUndefined();
    expect(spec.chart.spec).toEqual({ chart: 'karpenter', version: '1.14.1', interval: '24h', sourceRef: { kind: 'HelmRepository', name: 'ecr' } });
  });

  test('the source interval and a chart mirror', () => {
    const all = objects(fleetWith((p) => p.install(Components.keda({ chart: { repository: 'https://charts.example.com/mirror', name: 'keda-mirror' }, source: { interval: '30m' } }))));
    expect(find(all, 'HelmRepository', 'keda').spec).toEqual({ interval: '30m', url: 'https://charts.example.com/mirror' });
    expect(find(all, 'HelmRelease', 'keda').spec.chart.spec).toMatchObject({ chart: 'keda-mirror', interval: '30m' });
  });
});

describe('reconcile options', () => {
  test('interval, timeout, install, upgrade and drift detection reach the HelmRelease', () => {
    const all = objects(fleetWith((p) => p.install(Components.keda({
      interval: '10m',
      timeout: '15m',
      install: { retries: 5, crds: 'CreateReplace', strategy: 'RetryOnFailure', createNamespace: true },
      upgrade: { retries: 0, remediateLastFailure: false, remediation: 'uninstall', crds: 'Skip', cleanupOnFail: false, strategy: 'RemediateOnFailure' },
      driftDetection: 'warn',
    }))));
    const spec = find(all, 'HelmRelease', 'keda').spec;
    expect(spec.interval).toBe('10m');
    expect(spec.timeout).toBe('15m');
    expect(spec.install).toEqual({ crds: 'CreateReplace', createNamespace: true, remediation: { retries: 5 }, strategy: { name: 'RetryOnFailure' } });
    expect(spec.upgrade).toEqual({ crds: 'Skip', cleanupOnFail: false, remediation: { retries: 0, remediateLastFailure: false, strategy: 'uninstall' }, strategy: { name: 'RemediateOnFailure' } });
    expect(spec.driftDetection).toEqual({ mode: 'warn' });
  });

  test("releaseDefaults 'flux' leaves every option not given to helm-controller's defaults; options given are still written", () => {
    const spec = find(objects(fleetWith((p) => p.install(Components.keda({ releaseDefaults: 'flux' })))), 'HelmRelease', 'keda').spec;
    expect(Object.keys(spec).sort()).toEqual(['chart', 'interval', 'releaseName', 'serviceAccountName', 'storageNamespace', 'targetNamespace']);
    expect(spec.chart.spec).not.toHaveProperty('interval');
    const given = find(objects(fleetWith((p) => p.install(Components.keda({
      releaseDefaults: 'flux', timeout: '9m', install: { retries: 1 }, upgrade: { remediateLastFailure: false, crds: 'Skip' },
    })))), 'HelmRelease', 'keda').spec;
    expect([given.timeout, given.install, given.upgrade]).toEqual(['9m', { remediation: { retries: 1 } }, { crds: 'Skip', remediation: { remediateLastFailure: false } }]);
    // The component shorthands are options given too.
    const shorthands = find(objects(fleetWith((p) => p.install(Components.helm({ name: 'podinfo', namespace: 'podinfo', chart: PODINFO, releaseDefaults: 'flux', retries: 2, crds: 'skip' })))), 'HelmRelease', 'podinfo').spec;
    expect([shorthands.install, shorthands.upgrade]).toEqual([{ crds: 'Skip', remediation: { retries: 2 } }, { crds: 'Skip', remediation: { retries: 2 } }]);
  });

  test('test runs the chart\'s Helm tests (spec.test); without it the HelmRelease has no spec.test', () => {
    const all = objects(fleetWith((p) => p.install(Components.keda({ test: { enable: true, ignoreFailures: true, timeout: '10m' } }))));
    expect(find(all, 'HelmRelease', 'keda').spec.test).toEqual({ enable: true, ignoreFailures: true, timeout: '10m' });
    const partial = objects(fleetWith((p) => p.install(Components.keda({ test: { enable: true } }))));
    expect(find(partial, 'HelmRelease', 'keda').spec.test).toEqual({ enable: true });
    expect(find(objects(fleetWith((p) => p.install(Components.keda()))), 'HelmRelease', 'keda').spec).not.toHaveProperty('test');
  });

  test("Components.helm: retries and crds are shorthands the install and upgrade options override", () => {
    const all = objects(fleetWith((p) => p.install(Components.helm({ name: 'podinfo', namespace: 'podinfo', chart: PODINFO, retries: 1, crds: 'skip', install: { retries: 4 }, upgrade: { crds: 'CreateReplace' } }))));
    const spec = find(all, 'HelmRelease', 'podinfo').spec;
    expect(spec.install).toMatchObject({ crds: 'Skip', remediation: { retries: 4 } });
    expect(spec.upgrade).toMatchObject({ crds: 'CreateReplace', remediation: { retries: 1 } });
  });
});

describe('the namespace', () => {
  test('labels and annotations are added to strata\'s; components sharing a namespace merge theirs', () => {
    const all = objects(fleetWith((p) => {
      p.install(Components.keda({ namespaceMetadata: { labels: { team: 'platform' }, annotations: { 'acme.dev/owner': 'platform' } } }));
      p.install(Components.helm({ name: 'keda-dashboard', namespace: 'keda', chart: PODINFO, namespaceMetadata: { labels: { 'acme.dev/cost-center': 'platform' } } }));
    }));
    expect(find(all, 'Namespace', 'keda').metadata).toEqual({
      name: 'keda',
      labels: { 'app.kubernetes.io/managed-by': 'strata', team: 'platform', 'acme.dev/cost-center': 'platform' },
      annotations: { 'acme.dev/owner': 'platform' },
    });
  });

  test('createNamespace: false declares no Namespace; with the release placed there, the namespace check wants it', () => {
    const none = objects(fleetWith((p) => p.install(Components.keda({ createNamespace: false, install: { createNamespace: true } }))));
    expect(none.filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(find(none, 'HelmRelease', 'keda').spec.install.createNamespace).toBe(true);
    const errors = errorsOf(fleetWith((p) => p.install(Components.keda({ createNamespace: false, placement: 'namespace' }))));
    expect(errors).toEqual([expect.stringMatching(/namespace "keda" is not created on the cluster/)]);
  });
});

describe('errors name the path, the value and what is valid', () => {
  const at = 'c1/infrastructure/controllers/keda';
  test.each([
    [{ placement: 'keda' }, 'placement "keda" is not one of "flux-system", "namespace"'],
    [{ releaseName: 'k'.repeat(54) }, `releaseName "${'k'.repeat(54)}" has 54 characters: Helm allows at most 53`],
    [{ releaseName: 'Keda' }, 'releaseName "Keda" is not a DNS-1123 subdomain'],
    [{ serviceAccountName: 'Helm_SA' }, 'serviceAccountName "Helm_SA" is not a DNS-1123 subdomain'],
    [{ source: { kind: 'GitRepository' } }, 'source.kind "GitRepository" is not one of "HelmRepository", "OCIRepository"'],
    [{ source: { kind: 'OCIRepository' } }, 'source.kind "OCIRepository" needs an oci:// chart repository, not "https://kedacore.github.io/charts": use kind "HelmRepository" for an https:// repository'],
    [{ source: { name: 'Keda Charts' } }, 'source.name "Keda Charts" is not a DNS-1123 subdomain'],
    [{ source: { interval: '1d' } }, 'source.interval "1d"'],
    [{ interval: '5 minutes' }, 'interval "5 minutes"'],
    [{ timeout: '-5m' }, 'timeout "-5m"'],
    [{ install: { retries: -1 } }, 'install.retries (-1) is not a whole number ≥ 0'],
    [{ upgrade: { crds: 'Replace' } }, 'upgrade.crds "Replace" is not one of "Create", "CreateReplace", "Skip"'],
    [{ test: { enable: true, timeout: '10 minutes' } }, 'test.timeout "10 minutes" is not a Flux duration'],
    [{ releaseDefaults: 'helm' }, 'releaseDefaults "helm" is not one of "strata", "flux"'],
    [{ driftDetection: 'on' }, 'driftDetection "on" is not one of "enabled", "warn", "disabled"'],
    [{ namespace: 'Keda' }, 'component namespace "Keda" is not a DNS-1123 label'],
  ])('%j', (options, message) => {
    // The one error: a release with broken options is not rendered, so no schema error repeats it.
    const errors = errorsOf(fleetWith((p) => p.install(Components.keda(options as never))));
    expect(errors).toEqual([expect.stringContaining(`${at}: ${message}`)]);
  });

  test('a component depending on a broken one gets no second error for it', () => {
    const errors = errorsOf(fleetWith((p) => {
      p.install(Components.keda({ interval: '1d' }));
      p.install(Components.externalSecrets({ dependsOn: ['keda'] }));
    }));
    expect(errors).toEqual([expect.stringContaining(`${at}: interval "1d" is not a Flux duration`)]);
  });

  test('component.release of a broken component says why it is not rendered', () => {
    const fleet = fleetWith((p) => {
      const component = new PlatformComponent(p.controllers, { name: 'podinfo', namespace: 'podinfo', chart: PODINFO, releaseName: 'Podinfo' });
      expect(() => component.release).toThrow('component "podinfo" (c1/infrastructure/controllers/podinfo) is not rendered: releaseName "Podinfo" is not a DNS-1123 subdomain');
    });
    expect(errorsOf(fleet)).toHaveLength(1);
  });

  test('a system namespace is never declared, nor labelled', () => {
    const errors = errorsOf(fleetWith((p) => p.install(Components.metricsServer({ createNamespace: true, namespaceMetadata: { labels: { team: 'platform' } } }))));
    expect(errors).toEqual([
      'c1/infrastructure/controllers/metrics-server: createNamespace is true, but namespace "kube-system" is a system namespace, which strata never declares (pruning the layer would delete it): leave createNamespace out',
      'c1/infrastructure/controllers/metrics-server: namespaceMetadata is set, but namespace "kube-system" is a system namespace, which strata does not declare: leave namespaceMetadata out',
    ]);
  });

  test('two components sharing a namespace may not give one label two values', () => {
    const errors = errorsOf(fleetWith((p) => {
      p.install(Components.keda({ namespaceMetadata: { labels: { team: 'platform' } } }));
      p.install(Components.helm({ name: 'podinfo', namespace: 'keda', chart: PODINFO, namespaceMetadata: { labels: { team: 'web' } } }));
    }));
    expect(errors).toEqual(['c1/infrastructure/controllers/podinfo: namespaceMetadata.labels "team" is "web", but component "keda" sets it to "platform" on namespace "keda", which they share: give one value']);
  });
});

describe('the defaults are today\'s output', () => {
  const files = (define: (p: Platform) => void) => Testing.synth(fleetWith(define)).files;

  test('every release option given at its default value renders byte for byte what leaving it out renders', () => {
    const defaults = {
      placement: 'flux-system', releaseName: 'keda', serviceAccountName: 'helm-controller', source: { name: 'keda', kind: 'HelmRepository', interval: '12h' },
      interval: '1h', timeout: '5m', install: { retries: 3, crds: 'Create' }, upgrade: { retries: 3, remediateLastFailure: true, crds: 'CreateReplace', cleanupOnFail: true },
      createNamespace: true, namespaceMetadata: { labels: { 'app.kubernetes.io/managed-by': 'strata' } }, name: 'keda', namespace: 'keda', releaseDefaults: 'strata',
      chart: { repository: 'https://kedacore.github.io/charts', name: 'keda' }, version: '2.20.2',
    } as const;
    expect(files((p) => p.install(Components.keda(defaults)))).toEqual(files((p) => p.install(Components.keda())));
  });

  test('the gateway and cert-manager options at their defaults too', () => {
    const given = (p: Platform) => {
      p.install(Components.certManager({ issuers: { staging: { name: 'letsencrypt-staging' }, production: { name: 'letsencrypt-production', privateKeySecretName: 'letsencrypt-production' } }, solvers: { http01: 'gateway' } }));
      p.install(Components.gateway({ name: 'public', namespace: 'gateway', listeners: { http: { name: 'http', port: 80 }, https: { name: 'https', port: 443, certificateSecret: 'public-tls', redirect: true } }, allowedRoutes: { from: 'Selector', labels: { 'strata.dev/gateway-access': 'true' } }, envoy: { namespace: 'envoy-gateway-system', crdRelease: { name: 'envoy-gateway-crds' } }, gatewayApi: { name: 'gateway-api', sourceInterval: '12h', interval: '1h', timeout: '5m' } }));
    };
    const none = (p: Platform) => {
      p.install(Components.certManager());
      p.install(Components.gateway());
    };
    expect(files(given)).toEqual(files(none));
  });
});
