// Chart versions (semver), Flux durations (Go) and Helm values (values.schema.json, a pinned values file).
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonPatch } from 'cdk8s';
import { Components, Fleet, PlatformComponent, Provider, Stage, Testing, type Manifest, type Platform } from '../lib/index.js';
import { fluxDurationError, parseGoDuration } from '../lib/fleet/duration.js';
import { parseChartVersion } from '../lib/gitops/chart-version.js';
import { HelmRelease } from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { OciRepository } from '../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { fleetOf, reported } from './support/policy.js';
import { errorsOf } from './support/errors.js';

function platformFleet(define: (platform: Platform) => void): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform(define);
  return fleet;
}

const CHART = { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', version: '6.9.0' };
const PODINFO = { name: 'podinfo', namespace: 'podinfo', chart: CHART };
const PATH = 'c1/infrastructure/controllers/podinfo';
const HINT = 'give an exact version (e.g. "1.2.3") or a bounded semver range (e.g. "~1.2.0", "^1.2.0", ">=1.2.0 <2.0.0")';

describe('chart versions', () => {
  test.each([
    ['banana', 'is neither a semver version nor a semver range'],
    ['>=banana', 'is neither a semver version nor a semver range'],
    ['v6..1', 'is neither a semver version nor a semver range'],
    ['latest', 'is neither a semver version nor a semver range'],
    ['>=0.0.0-0', 'floats to any future version (no upper bound)'],
    ['*', 'floats to any future version (no upper bound)'],
    ['>=1.0.0', 'floats to any future version (no upper bound)'],
    ['1.2.3 || >=2.0.0', 'floats to any future version (no upper bound)'],
  ])('%s is an error, reported once (where the component is declared; its release is not rendered)', (version, problem) => {
    const fleet = platformFleet((p) => p.install(Components.helm({ ...PODINFO, chart: { ...CHART, version } })));
    expect(errorsOf(fleet)).toEqual([`${PATH}: chart version ${JSON.stringify(version)} ${problem}: ${HINT}`]);
  });

  test.each([
    ['1.2.3', 'exact'], ['v1.21.1', 'exact'], ['2.0.0-rc.1', 'exact'],
    ['~1.2.0', 'range'], ['^1.2.0', 'range'], ['1.2.x', 'range'], ['>=1.2.0 <2.0.0', 'range'], ['>=1.2.0-0 <1.3.0', 'range'],
  ])('%s is an %s version', (version, kind) => {
    expect(parseChartVersion(version).kind).toBe(kind);
  });

  test('an OCI chart: an exact version is the tag, a range the semver of the OCIRepository', () => {
    const oci = { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo' };
    const fleet = platformFleet((p) => {
      p.install(Components.helm({ name: 'a', namespace: 'a', chart: { ...oci, version: 'v6.9.0' } }));
      p.install(Components.helm({ name: 'b', namespace: 'b', chart: { ...oci, version: '~6.9.0' } }));
    });
    const objects = Testing.synth(fleet).objects.filter((o: Manifest) => o.kind === 'OCIRepository') as Record<string, any>[];
    expect(objects.map((o) => [o.metadata.name, o.spec.ref])).toEqual([['a', { tag: 'v6.9.0' }], ['b', { semver: '~6.9.0' }]]);
  });

  test('a hand-written HelmRelease with an unparseable chart version is an error (chart-version-pinned)', () => {
    const fleet = platformFleet((p) => {
      new HelmRelease(p.controllers, 'custom', {
        metadata: { name: 'custom', namespace: 'flux-system' },
        spec: { interval: '1h', chart: { spec: { chart: 'podinfo', version: '>=banana', sourceRef: { kind: 'HelmRepository' as never, name: 'podinfo' } } } },
      });
    });
    expect(errorsOf(fleet)).toEqual(expect.arrayContaining([
      `c1/infrastructure/controllers/custom: HelmRelease flux-system/custom: spec.chart.spec.version ">=banana" is neither a semver version nor a semver range: ${HINT}`,
    ]));
  });

  test('hand-written in a team\'s apps (which stamps strata\'s labels on them), a HelmRelease and an OCIRepository are checked alike', () => {
    // The rule once left out every object labelled managed-by strata with a part-of label, meant
    // for the components' own (checked where declared, and now not rendered when broken): every
    // object of `fleet.apps` carries both.
    const fleet = fleetOf('production', (apps) => {
      new HelmRelease(apps, 'hand', {
        metadata: { name: 'hand' },
        spec: { interval: '1h', serviceAccountName: 'shop-reconciler', chart: { spec: { chart: 'podinfo', version: '>=0.0.0-0', sourceRef: { kind: 'HelmRepository' as never, name: 'podinfo' } } } },
      });
      new OciRepository(apps, 'charts', { metadata: { name: 'charts' }, spec: { interval: '1h', url: 'oci://ghcr.io/stefanprodan/charts/podinfo', ref: { semver: '>=1.0.0' } } });
    });
    expect(reported(fleet, 'chart-version-pinned')).toEqual([
      `error [chart-version-pinned] c/apps/shop/hand: HelmRelease shop/hand: spec.chart.spec.version ">=0.0.0-0" floats to any future version (no upper bound): ${HINT}`,
      `error [chart-version-pinned] c/apps/shop/charts: OCIRepository shop/charts: spec.ref.semver ">=1.0.0" floats to any future version (no upper bound): ${HINT}`,
    ]);
  });

  test('a hand-written HelmRelease without a version floats to the latest chart; one from a Git repository has none to pin', () => {
    const fleet = platformFleet((p) => {
      for (const kind of ['HelmRepository', 'GitRepository']) {
        new HelmRelease(p.controllers, kind, {
          metadata: { name: kind.toLowerCase(), namespace: 'flux-system' },
          spec: { interval: '1h', chart: { spec: { chart: 'podinfo', sourceRef: { kind: kind as never, name: 'podinfo' } } } },
        });
      }
    });
    expect(errorsOf(fleet).filter((e) => e.includes('spec.chart.spec.version'))).toEqual([
      `c1/infrastructure/controllers/HelmRepository: HelmRelease flux-system/helmrepository: spec.chart.spec.version undefined is not pinned: ${HINT}`,
    ]);
  });
});

describe('Flux durations', () => {
  test.each([
    ['1h30m', 5400e9], ['300ms', 300e6], ['1.5h', 5400e9], ['.5s', 5e8], ['1.s', 1e9], ['-1m', -60e9], ['+2s', 2e9], ['0', 0], ['1us', 1e3], ['1µs', 1e3], ['2ns', 2],
  ])('Go parses %s', (text, nanoseconds) => {
    expect(parseGoDuration(text)).toBe(nanoseconds);
  });

  test.each(['', '5 minutes', '1d', '1h 30m', '1', '.s', 'h', '1hh', '-', '3000000h'])('Go refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  test('Flux\'s CRDs narrow Go\'s grammar: no sign, no micro- or nanoseconds', () => {
    expect(fluxDurationError('spec.interval', '1h30m')).toBeUndefined();
    expect(fluxDurationError('spec.interval', '-1m')).toMatch(/is not a Flux duration/);
    expect(fluxDurationError('spec.interval', '10us')).toMatch(/is not a Flux duration/);
  });

  test('an interval of "5 minutes" is an error of the component, naming the option (nothing of it is rendered)', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ ...PODINFO, interval: '5 minutes', timeout: '1d' })));
    expect(errorsOf(fleet)).toEqual([
      `${PATH}: interval "5 minutes" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"`,
      `${PATH}: timeout "1d" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"`,
    ]);
  });

  test('an interval of "5 minutes" patched into a rendered HelmRelease is an error on it (flux-duration)', () => {
    const fleet = platformFleet((p) => {
      const component = new PlatformComponent(p.controllers, PODINFO);
      component.release.addJsonPatch(JsonPatch.replace('/spec/interval', '5 minutes'));
      component.release.addJsonPatch(JsonPatch.replace('/spec/timeout', '1d'));
    });
    expect(errorsOf(fleet)).toEqual([
      // The HelmRelease CRD (helm-controller 1.6.3) states the same pattern: the API server would refuse both values.
      `${PATH}/release: HelmRelease podinfo: schema helm.toolkit.fluxcd.io/v2: /spec/interval must match pattern "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"`,
      `${PATH}/release: HelmRelease podinfo: schema helm.toolkit.fluxcd.io/v2: /spec/timeout must match pattern "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"`,
      `${PATH}/release: HelmRelease flux-system/podinfo: spec.interval "5 minutes" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"`,
      `${PATH}/release: HelmRelease flux-system/podinfo: spec.timeout "1d" is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"`,
    ]);
  });

  test('a layer\'s retryInterval is checked on the layer, once', () => {
    const fleet = platformFleet(() => undefined);
    fleet.addLayer('monitoring', { retryInterval: '2 min' });
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/\/monitoring: retryInterval "2 min" is not a Flux duration/)]);
  });
});

describe('Helm values checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-values-'));
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    properties: { replicaCount: { type: 'integer', minimum: 1 }, ingress: { type: 'object', properties: { enabled: { type: 'boolean' } } } },
  };
  const schemaFile = join(dir, 'values.schema.json');
  writeFileSync(schemaFile, JSON.stringify(schema));
  const valuesFile = join(dir, 'values.yaml');
  writeFileSync(valuesFile, 'replicaCount: 1\nresources: {}\nservice:\n  type: ClusterIP\n  port: 9898\n');

  test('values against a values.schema.json given as an object', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ ...PODINFO, values: { replicaCount: 'two', replicaCont: 2 }, valuesSchema: schema })));
    expect(errorsOf(fleet)).toEqual([
      `${PATH}: values.replicaCont is not a known key: did you mean "replicaCount"? (valid keys: ingress, replicaCount) (values.schema.json)`,
      `${PATH}: values.replicaCount must be integer (values.schema.json)`,
    ]);
  });

  test('values against a values.schema.json given as a path, nested', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ ...PODINFO, values: { ingress: { enabled: 'yes' } }, valuesSchema: schemaFile })));
    expect(errorsOf(fleet)).toEqual([`${PATH}: values.ingress.enabled must be boolean (values.schema.json)`]);
  });

  test('a schema file that cannot be read is an error', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ ...PODINFO, valuesSchema: join(dir, 'missing.json') })));
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(new RegExp(`^${PATH}: valuesSchema ".*missing\\.json" cannot be used: ENOENT`))]);
  });

  test('typos against a pinned values file; a map the file leaves empty takes any key', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ ...PODINFO, values: { resources: { limits: { memory: '1Gi' } }, service: { prot: 80 } }, valuesFile })));
    expect(errorsOf(fleet)).toEqual([`${PATH}: values.service.prot is not a known key: did you mean "port"? (valid keys: port, type) (values file)`]);
  });

  test('a catalog component: the schema checks the merged values, the values file the user\'s own', () => {
    const kedaSchema = { type: 'object', properties: { crds: { type: 'object', properties: { install: { type: 'boolean' } } }, replicas: { type: 'integer' } } };
    const fleet = platformFleet((p) => p.install(Components.keda({ values: { replicas: 'x', watchNamespaec: 'a' }, valuesSchema: kedaSchema, valuesFile })));
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: Components.keda(...): values.replicas is not a known key (valid keys: replicaCount, resources, service) (values file)',
      'c1/infrastructure/controllers: Components.keda(...): values.watchNamespaec is not a known key (valid keys: replicaCount, resources, service) (values file)',
      'c1/infrastructure/controllers: keda: values.replicas must be integer (values.schema.json)',
    ]);
  });
});
