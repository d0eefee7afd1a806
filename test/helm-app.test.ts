// Issue 14 item 1: a third-party chart installed by a team into its own namespace (HelmApp),
// reconciled as the tenant's Flux identity, sharing one implementation with the platform's components.
import { JsonPatch } from 'cdk8s';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Fleet, HelmApp, Provider, Stage, Testing, perStage, type Apps, type Cluster, type HelmAppProps } from '../lib/index.js';
import { errorsOf } from './support/errors.js';
import { kustomizeBuild } from './support/kubectl.js';
import { fleetOf, findingsOf, reported } from './support/policy.js';

const PODINFO_OCI = { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo' } as const;
const PODINFO_HTTPS = { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo' } as const;

/** dev-eu (development) and prod-eu (production), tenant `shop`, and `define` as the shop's apps. */
function twoStages(define: (apps: Apps, cluster: Cluster) => void, tenant = true): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
  fleet.addCluster('prod-eu', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
  if (tenant) fleet.platform((platform) => platform.addTenant('shop', { quota: { cpu: '8', memory: '16Gi' } }));
  fleet.apps('shop', define);
  return fleet;
}

/** podinfo from its OCI registry: version and values per stage. */
function podinfo(apps: Apps): HelmApp {
  return new HelmApp(apps, 'podinfo', {
    chart: { ...PODINFO_OCI, version: perStage({ development: '6.9.2', production: '6.8.0' }) },
    values: {
      replicaCount: perStage({ development: 1, production: 3 }),
      ui: { message: perStage({ development: 'dev build', default: 'acme' }) },
      resources: { requests: { cpu: '100m', memory: '64Mi' } },
    },
  });
}

function yamlOf(files: Record<string, string>, path: string): any {
  expect(Object.keys(files)).toContain(path);
  return parse(files[path]);
}

describe('podinfo as a team app on a development and a production cluster', () => {
  const fleet = twoStages((apps) => podinfo(apps));
  const files = Testing.synth(fleet).files;
  const shopFiles = (cluster: string) => Object.fromEntries(Object.entries(files).filter(([path]) => path.startsWith(`${cluster}/apps/shop/`)));

  test('snapshot of the shop folder on both clusters', () => {
    expect(shopFiles('dev-eu')).toMatchSnapshot('dev-eu');
    expect(shopFiles('prod-eu')).toMatchSnapshot('prod-eu');
  });

  test('the release and its OCI source live in the team\'s namespace and run as the tenant\'s reconciler', () => {
    for (const cluster of ['dev-eu', 'prod-eu']) {
      const release = yamlOf(files, `${cluster}/apps/shop/helmrelease-podinfo.yaml`);
      expect(release.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
      expect(release.metadata.namespace).toBe('shop');
      expect(release.spec.serviceAccountName).toBe('shop-reconciler');
      expect(release.spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'podinfo' });
      expect(release.spec.chart).toBeUndefined();
      expect(release.spec.targetNamespace).toBeUndefined();
      expect(release.spec.storageNamespace).toBeUndefined();
      expect(release.spec.releaseName).toBe('podinfo');
      const source = yamlOf(files, `${cluster}/apps/shop/ocirepository-podinfo.yaml`);
      expect(source.metadata.namespace).toBe('shop');
      expect(source.spec.url).toBe('oci://ghcr.io/stefanprodan/charts/podinfo');
    }
  });

  test('version and values differ per stage', () => {
    expect(yamlOf(files, 'dev-eu/apps/shop/ocirepository-podinfo.yaml').spec.ref).toEqual({ tag: '6.9.2' });
    expect(yamlOf(files, 'prod-eu/apps/shop/ocirepository-podinfo.yaml').spec.ref).toEqual({ tag: '6.8.0' });
    expect(yamlOf(files, 'dev-eu/apps/shop/helmrelease-podinfo.yaml').spec.values).toEqual({
      replicaCount: 1, ui: { message: 'dev build' }, resources: { requests: { cpu: '100m', memory: '64Mi' } },
    });
    expect(yamlOf(files, 'prod-eu/apps/shop/helmrelease-podinfo.yaml').spec.values).toEqual({
      replicaCount: 3, ui: { message: 'acme' }, resources: { requests: { cpu: '100m', memory: '64Mi' } },
    });
  });

  test('the tenant\'s reconciler exists in the namespace, bound there only', () => {
    const account = yamlOf(files, 'dev-eu/apps/shop/serviceaccount-shop-reconciler.yaml');
    expect(account.metadata).toMatchObject({ name: 'shop-reconciler', namespace: 'shop' });
    const binding = yamlOf(files, 'dev-eu/apps/shop/rolebinding-helm-reconciler.yaml');
    expect(binding.metadata.namespace).toBe('shop');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'shop-reconciler', namespace: 'shop' }]);
  });

  test('passes every check: no error and no warning, flux-lockdown included', () => {
    expect(findingsOf(fleet)).toEqual([]);
  });

  test('real kustomize builds the shop folder of each cluster', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-helm-app-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    for (const cluster of ['dev-eu', 'prod-eu']) {
      const kinds = parseAllDocuments(kustomizeBuild(join(dir, cluster, 'apps/shop'))).map((d) => `${d.toJS().kind}/${d.toJS().metadata.name}`);
      expect(kinds).toEqual(expect.arrayContaining(['HelmRelease/podinfo', 'OCIRepository/podinfo', 'ServiceAccount/shop-reconciler', 'RoleBinding/helm-reconciler']));
    }
  });
});

describe('a chart from a Helm repository, with every option', () => {
  function withOptions(extra: Partial<HelmAppProps> = {}): Fleet {
    return twoStages((apps) => {
      const redis = new HelmApp(apps, 'cache', { chart: { repository: 'https://charts.example.com', name: 'redis', version: '~20.1.0' } });
      new HelmApp(apps, 'podinfo', {
        chart: { ...PODINFO_HTTPS, version: '6.9.2' },
        releaseName: 'frontend',
        values: perStage({ development: { replicaCount: 1 }, production: { replicaCount: 2, hpa: { enabled: true } } }),
        valuesFrom: [
          { kind: 'ConfigMap', name: 'podinfo-values' },
          { kind: 'Secret', name: 'podinfo-redis', valuesKey: 'password', targetPath: 'cache.password', optional: true },
        ],
        install: { retries: 5, crds: 'Skip', strategy: 'RetryOnFailure' },
        upgrade: { retries: 1, remediateLastFailure: false, remediation: 'uninstall', crds: 'Create', cleanupOnFail: false, strategy: 'RemediateOnFailure' },
        timeout: perStage({ development: '2m', production: '10m' }),
        interval: '30m',
        dependsOn: [redis],
        driftDetection: perStage({ development: 'warn', production: 'enabled' }),
        test: { enable: true, ignoreFailures: true, timeout: '3m' },
        ...extra,
      });
    });
  }
  const files = Testing.synth(withOptions()).files;

  test('a HelmRepository in the namespace, referenced by chart.spec.sourceRef', () => {
    expect(yamlOf(files, 'prod-eu/apps/shop/helmrepository-podinfo.yaml')).toMatchObject({
      metadata: { name: 'podinfo', namespace: 'shop' },
      spec: { url: 'https://stefanprodan.github.io/podinfo', interval: '12h' },
    });
    expect(yamlOf(files, 'prod-eu/apps/shop/helmrelease-podinfo.yaml').spec.chart).toEqual({
      spec: { chart: 'podinfo', version: '6.9.2', sourceRef: { kind: 'HelmRepository', name: 'podinfo' }, interval: '12h' },
    });
  });

  test('release name, strategies, timeouts, valuesFrom, dependsOn and drift detection as given, per stage', () => {
    const dev = yamlOf(files, 'dev-eu/apps/shop/helmrelease-podinfo.yaml').spec;
    const prod = yamlOf(files, 'prod-eu/apps/shop/helmrelease-podinfo.yaml').spec;
    expect(prod.releaseName).toBe('frontend');
    expect(prod.install).toEqual({ crds: 'Skip', remediation: { retries: 5 }, strategy: { name: 'RetryOnFailure' } });
    expect(prod.upgrade).toEqual({
      crds: 'Create', cleanupOnFail: false,
      remediation: { retries: 1, remediateLastFailure: false, strategy: 'uninstall' },
      strategy: { name: 'RemediateOnFailure' },
    });
    expect(prod.valuesFrom).toEqual([
      { kind: 'ConfigMap', name: 'podinfo-values' },
      { kind: 'Secret', name: 'podinfo-redis', valuesKey: 'password', targetPath: 'cache.password', optional: true },
    ]);
    expect(prod.dependsOn).toEqual([{ name: 'cache' }]);
    expect(prod.interval).toBe('30m');
    expect([dev.timeout, prod.timeout]).toEqual(['2m', '10m']);
    expect([dev.driftDetection, prod.driftDetection]).toEqual([{ mode: 'warn' }, { mode: 'enabled' }]);
    expect(prod.test).toEqual({ enable: true, ignoreFailures: true, timeout: '3m' });
    expect([dev.values, prod.values]).toEqual([{ replicaCount: 1 }, { replicaCount: 2, hpa: { enabled: true } }]);
  });

  test('defaults: 3 retries, CRDs created then replaced, the last failure rolled back, 5m timeout, 1h interval', () => {
    const spec = yamlOf(files, 'dev-eu/apps/shop/helmrelease-cache.yaml').spec;
    expect(spec.install).toEqual({ crds: 'Create', remediation: { retries: 3 } });
    expect(spec.upgrade).toEqual({ crds: 'CreateReplace', cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true } });
    expect([spec.timeout, spec.interval, spec.releaseName]).toEqual(['5m', '1h', 'cache']);
    expect(spec.values).toBeUndefined();
    expect(spec.driftDetection).toBeUndefined();
    expect(spec.test).toBeUndefined();
  });

  test("releaseDefaults 'flux': the options not given are not written (helm-controller's defaults)", () => {
    const spec = yamlOf(Testing.synth(withOptions({ releaseDefaults: 'flux', install: undefined, upgrade: { strategy: 'RetryOnFailure' }, timeout: undefined })).files, 'prod-eu/apps/shop/helmrelease-podinfo.yaml').spec;
    expect(spec).not.toHaveProperty('timeout');
    expect(spec).not.toHaveProperty('install');
    expect(spec.upgrade).toEqual({ strategy: { name: 'RetryOnFailure' } });
    expect(spec.chart.spec).not.toHaveProperty('interval');
  });

  test('two HelmApps share one reconciler ServiceAccount, and the fleet passes every check', () => {
    expect(Object.keys(files).filter((p) => p.startsWith('dev-eu/apps/shop/serviceaccount-'))).toEqual(['dev-eu/apps/shop/serviceaccount-shop-reconciler.yaml']);
    expect(findingsOf(withOptions())).toEqual([]);
  });
});

test('dependsOn is a set: the order HelmApps are given in changes nothing', () => {
  const dependsOn = (order: readonly string[]) => yamlOf(Testing.synth(twoStages((apps) => {
    const others = order.map((name) => new HelmApp(apps, name, { chart: { ...PODINFO_HTTPS, version: '6.9.2' } }));
    new HelmApp(apps, 'podinfo', { chart: { ...PODINFO_OCI, version: '6.9.2' }, dependsOn: others });
  }), { cluster: 'dev-eu' }).files, 'dev-eu/apps/shop/helmrelease-podinfo.yaml').spec.dependsOn;
  expect(dependsOn(['redis', 'cache'])).toEqual([{ name: 'cache' }, { name: 'redis' }]);
  expect(dependsOn(['cache', 'redis'])).toEqual([{ name: 'cache' }, { name: 'redis' }]);
});

describe('typed children', () => {
  test('.release and .source are the rendered objects, open to patches', () => {
    const fleet = twoStages((apps) => {
      const app = podinfo(apps);
      expect(app.source.kind).toBe('OCIRepository');
      app.release.addJsonPatch(JsonPatch.add('/spec/maxHistory', 3));
    });
    expect(yamlOf(Testing.synth(fleet).files, 'dev-eu/apps/shop/helmrelease-podinfo.yaml').spec.maxHistory).toBe(3);
  });

  test('the source can be named, fetched less often, and be a HelmRepository of type oci', () => {
    const fleet = twoStages((apps) => {
      new HelmApp(apps, 'podinfo', { chart: { ...PODINFO_OCI, version: '6.9.2' }, source: { name: 'stefanprodan', kind: 'HelmRepository', interval: '24h' } });
    });
    const files = Testing.synth(fleet).files;
    expect(yamlOf(files, 'dev-eu/apps/shop/helmrepository-stefanprodan.yaml').spec).toEqual({ interval: '24h', type: 'oci', url: 'oci://ghcr.io/stefanprodan/charts' });
    expect(yamlOf(files, 'dev-eu/apps/shop/helmrelease-podinfo.yaml').spec.chart.spec).toEqual({ chart: 'podinfo', version: '6.9.2', interval: '24h', sourceRef: { kind: 'HelmRepository', name: 'stefanprodan' } });
  });

  test('they are refused, with the reason, when the props have problems', () => {
    let refusal: unknown;
    const fleet = fleetOf('production', (apps) => {
      const app = new HelmApp(apps, 'podinfo', { chart: { ...PODINFO_OCI, version: 'latest' } });
      try {
        app.source;
      } catch (e) {
        refusal = e;
      }
    });
    expect(errorsOf(fleet)).toHaveLength(1);
    expect(String(refusal)).toContain('HelmApp "podinfo" (c/apps/shop/podinfo) is not rendered: chart version "latest" is neither a semver version nor a semver range');
  });
});

describe('schemas check what a HelmApp renders', () => {
  test('a patch the props would refuse is caught by the HelmRelease schema', () => {
    const errors = errorsOf(fleetOf('production', (apps) => podinfo(apps).release.addJsonPatch(JsonPatch.replace('/spec/install/crds', 'Sometimes'))));
    expect(errors).toEqual([
      'c/apps/shop/podinfo/release: HelmRelease podinfo: schema helm.toolkit.fluxcd.io/v2: /spec/install/crds must be equal to one of the allowed values (valid: Skip, Create, CreateReplace)',
    ]);
  });
});

describe('flux-lockdown on HelmApps', () => {
  test('a HelmApp passes the rule without waivers', () => {
    expect(reported(fleetOf('production', (apps) => podinfo(apps)), 'flux-lockdown')).toEqual([]);
  });

  test('a misconfigured one fails: another target namespace, a ServiceAccount that does not exist', () => {
    expect(reported(fleetOf('production', (apps) => {
      const app = podinfo(apps);
      app.release.addJsonPatch(JsonPatch.add('/spec/targetNamespace', 'kube-system'));
      app.release.addJsonPatch(JsonPatch.replace('/spec/serviceAccountName', 'installer'));
    }), 'flux-lockdown')).toEqual([
      'error [flux-lockdown] c/apps/shop/podinfo/release: spec.targetNamespace is "kube-system", another namespace than its own (shop): a tenant\'s Flux objects act and refer only within the tenant\'s namespace',
      'error [flux-lockdown] c/apps/shop/podinfo/release: runs as ServiceAccount shop/installer, which does not exist on this cluster: Flux impersonates a ServiceAccount of the object\'s own namespace',
    ]);
  });
});

describe('errors name the construct, the value and what is valid', () => {
  const errors = (props: Partial<HelmAppProps>, id = 'podinfo'): string[] =>
    errorsOf(fleetOf('production', (apps) => new HelmApp(apps, id, { chart: { ...PODINFO_OCI, version: '6.9.2' }, ...props })));

  test('values are checked against the chart\'s values.schema.json and a pinned values file, per stage, as a component\'s', () => {
    const schema = { type: 'object', additionalProperties: false, properties: { replicaCount: { type: 'integer', minimum: 1 }, ui: { type: 'object', properties: { message: { type: 'string' } } } } };
    expect(errors({ valuesSchema: schema, values: { replicaCount: perStage({ production: 0, default: 2 }), uii: { message: 'hi' } } })).toEqual([
      'c/apps/shop/podinfo: values.uii is not a known key: did you mean "ui"? (valid keys: replicaCount, ui) (values.schema.json)',
      'c/apps/shop/podinfo: values.replicaCount must be >= 1 (values.schema.json)',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'strata-helm-app-values-'));
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'replicaCount: 1\nui:\n  message: ""\n  color: "#34577c"\npodAnnotations: {}\n');
    expect(errors({ valuesFile: file, values: { ui: { colour: 'red' }, podAnnotations: { 'example.com/any': 'x' } } })).toEqual([
      'c/apps/shop/podinfo: values.ui.colour is not a known key: did you mean "color"? (valid keys: color, message) (values file)',
    ]);
    const valid = { chart: { ...PODINFO_OCI, version: '6.9.2' }, valuesFile: file, valuesSchema: schema, values: { replicaCount: 3, ui: { message: 'hi' } } };
    expect(() => fleetOf('production', (apps) => new HelmApp(apps, 'podinfo', valid)).render()).not.toThrow();
  });

  test('chart: repository, name and a floating version (per stage too)', () => {
    expect(errors({ chart: { repository: 'ftp://charts', name: 'Pod_Info', version: perStage({ production: 'latest', default: '1.0.0' }) } })).toEqual([
      'c/apps/shop/podinfo: chart repository "ftp://charts" is not an https:// or oci:// URL',
      expect.stringMatching(/^c\/apps\/shop\/podinfo: chart name "Pod_Info" /),
      'c/apps/shop/podinfo: chart version "latest" is neither a semver version nor a semver range: give an exact version (e.g. "1.2.3") or a bounded semver range (e.g. "~1.2.0", "^1.2.0", ">=1.2.0 <2.0.0")',
    ]);
  });

  test('the chart source: kind, name and interval', () => {
    expect(errors({ chart: { ...PODINFO_HTTPS, version: '6.9.2' }, source: { kind: 'OCIRepository', name: 'Charts', interval: '1w' } })).toEqual([
      'c/apps/shop/podinfo: source.kind "OCIRepository" needs an oci:// chart repository, not "https://stefanprodan.github.io/podinfo": use kind "HelmRepository" for an https:// repository',
      expect.stringMatching(/^c\/apps\/shop\/podinfo: source.name "Charts" is not a DNS-1123 subdomain/),
      expect.stringMatching(/^c\/apps\/shop\/podinfo: source.interval "1w" is not a Flux duration/),
    ]);
  });

  test('a stage value with no value for the cluster\'s stage, at any depth', () => {
    expect(errors({ chart: { ...PODINFO_OCI, version: perStage({ development: '6.9.2' }) }, values: { ui: { message: perStage({ development: 'hi' }) } } })).toEqual([
      'c/apps/shop/podinfo: chart.version: stage.pick: no value for stage "production" and no default (given: development)',
      'c/apps/shop/podinfo: values.ui.message: stage.pick: no value for stage "production" and no default (given: development)',
    ]);
  });

  test('durations, retries, CRD policies, strategies, remediation and drift detection', () => {
    expect(errors({
      timeout: '5 minutes',
      interval: perStage({ production: '1d', default: '1h' }),
      install: { retries: -1, crds: 'Replace' as never, strategy: 'Retry' as never },
      upgrade: { retries: 1.5, crds: 'create' as never, remediation: 'rollforward' as never, strategy: 'Never' as never },
      driftDetection: 'on' as never,
      test: { timeout: '1d' },
      releaseDefaults: 'helm' as never,
    })).toEqual([
      'c/apps/shop/podinfo: releaseDefaults "helm" is not one of "strata", "flux"',
      'c/apps/shop/podinfo: install.retries (-1) is not a whole number ≥ 0',
      'c/apps/shop/podinfo: install.crds "Replace" is not one of "Create", "CreateReplace", "Skip"',
      'c/apps/shop/podinfo: install.strategy "Retry" is not one of "RemediateOnFailure", "RetryOnFailure"',
      'c/apps/shop/podinfo: upgrade.retries (1.5) is not a whole number ≥ 0',
      'c/apps/shop/podinfo: upgrade.remediation "rollforward" is not one of "rollback", "uninstall"',
      'c/apps/shop/podinfo: upgrade.crds "create" is not one of "Create", "CreateReplace", "Skip"',
      'c/apps/shop/podinfo: upgrade.strategy "Never" is not one of "RemediateOnFailure", "RetryOnFailure"',
      'c/apps/shop/podinfo: test.timeout "1d" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"',
      'c/apps/shop/podinfo: timeout "5 minutes" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"',
      'c/apps/shop/podinfo: interval "1d" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"',
      'c/apps/shop/podinfo: driftDetection "on" is not one of "enabled", "warn", "disabled"',
    ]);
  });

  test('values that are no object, and valuesFrom references', () => {
    expect(errors({
      values: perStage({ default: ['replicaCount=2'] as never }),
      valuesFrom: [
        { kind: 'Configmap' as never, name: 'values' },
        { kind: 'Secret', name: 'Bad_Name', valuesKey: 'a/b', targetPath: 'a b' },
      ],
    })).toEqual([
      'c/apps/shop/podinfo: values (default) must be an object, not ["replicaCount=2"]',
      'c/apps/shop/podinfo: valuesFrom[0].kind "Configmap" is not one of "ConfigMap", "Secret"',
      expect.stringMatching(/^c\/apps\/shop\/podinfo: valuesFrom\[1\]\.name "Bad_Name" /),
      'c/apps/shop/podinfo: valuesFrom[1].valuesKey "a/b" is not a data key (letters, digits, "-", "_", ".", at most 253 characters)',
      'c/apps/shop/podinfo: valuesFrom[1].targetPath "a b" is not a Helm value path (e.g. "image.tag" or "hosts[0]", at most 250 characters)',
    ]);
  });

  test('names: the HelmApp\'s, a release name too long for Helm, and a name used twice', () => {
    expect(errors({}, 'Pod.Info')).toEqual([expect.stringMatching(/^c\/apps\/shop\/Pod\.Info: HelmApp name "Pod\.Info" /)]);
    const long = 'a'.repeat(54);
    expect(errors({ releaseName: long })).toEqual([`c/apps/shop/podinfo: releaseName "${long}" has 54 characters: Helm allows at most 53`]);
    expect(errors({}, long)).toEqual([`c/apps/shop/${long}: release name (the HelmApp name) "${long}" has 54 characters: Helm allows at most 53`]);
    expect(errorsOf(fleetOf('production', (apps) => {
      new HelmApp(apps, 'podinfo', { chart: { ...PODINFO_OCI, version: '6.9.2' } });
      new HelmApp(apps, 'second', { name: 'podinfo', chart: { ...PODINFO_HTTPS, version: '6.9.2' } });
    }))).toEqual(['c/apps/shop/second: HelmApp name "podinfo" is also used by c/apps/shop/podinfo: it names the HelmRelease, unique in a namespace']);
  });

  test('dependsOn a HelmApp of another namespace', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((p) => { p.addTenant('shop'); p.addTenant('data'); });
    let database: HelmApp | undefined;
    fleet.apps('data', (apps) => { database = new HelmApp(apps, 'postgres', { chart: { repository: 'oci://registry-1.docker.io/bitnamicharts', name: 'postgresql', version: '16.0.0' } }); });
    fleet.apps('shop', (apps) => new HelmApp(apps, 'podinfo', { chart: { ...PODINFO_OCI, version: '6.9.2' }, dependsOn: [database!] }));
    expect(errorsOf(fleet)).toEqual([
      'c/apps/shop/podinfo: dependsOn HelmApp "postgres" of namespace "data" on cluster "c": a HelmApp depends only on HelmApps of its own namespace ("shop") and cluster ("c")',
    ]);
  });

  test('a namespace no tenant owns has no Flux identity to install with', () => {
    const fleet = twoStages((apps) => podinfo(apps), false);
    expect(errorsOf(fleet)).toContain(
      'dev-eu/apps/shop/podinfo: namespace "shop" is no tenant\'s, so no Flux identity of its own can install the chart: declare platform.addTenant("shop")',
    );
  });

  test('outside fleet.apps it is refused at once', () => {
    const fleet = new Fleet({ name: 'acme' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((platform) => {
      expect(() => new HelmApp(platform.controllers, 'podinfo', { chart: { ...PODINFO_OCI, version: '6.9.2' } })).toThrow(
        'HelmApp "podinfo" (c/infrastructure/controllers/podinfo) is not inside fleet.apps(...), which gives it its namespace',
      );
    });
    fleet.render();
  });

  test('every problem of one HelmApp is reported together, and nothing of it is rendered', () => {
    const fleet = fleetOf('production', (apps) => {
      const app = new HelmApp(apps, 'podinfo', { chart: { ...PODINFO_OCI, version: '*' }, timeout: 'soon' });
      expect(app.node.findAll().filter((c) => c !== app)).toEqual([]);
      expect(apps.node.tryFindChild('helm-reconciler')).toBeUndefined();
    });
    expect(errorsOf(fleet)).toEqual([
      'c/apps/shop/podinfo: chart version "*" floats to any future version (no upper bound): give an exact version (e.g. "1.2.3") or a bounded semver range (e.g. "~1.2.0", "^1.2.0", ">=1.2.0 <2.0.0")',
      'c/apps/shop/podinfo: timeout "soon" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"',
    ]);
  });
});
