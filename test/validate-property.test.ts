// Property: for any fleet, synth either writes a tree that validates, or fails with every error
// named by a construct path and leaves dist/ exactly as it was. Never a crash, never half a tree.
import { jest } from '@jest/globals';
import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Components, Fleet, Provider, SynthError, Waivers, isError, validateDist, type Apps } from '../lib/index.js';
import { constructId } from '../lib/fleet/names.js';
import { listFiles } from '../lib/synth/writer.js';
import { STAGES, webWorkload } from './support/policy.js';

const BREAKAGES = ['none', 'typo', 'root', 'latest', 'no-probe', 'bad-type', 'no-limits', 'waiver', 'empty-waiver', 'unknown-rule-waiver', 'plain-memory'] as const;

// Names JavaScript, the constructs library, Kubernetes or kustomize treat specially.
const STRANGE_NAMES = ['Bad_Name', 'x.y', 'a'.repeat(64), '', 'constructor', '__proto__', 'valueOf', 'toString'];
const objectName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('web', 'api', 'cache', 'worker') },
  { weight: 2, arbitrary: fc.constantFrom(...STRANGE_NAMES) },
);

// Keys and strings Kubernetes or kustomize refuse or change, mixed with ordinary ones.
const STRANGE_KEYS = [
  'app', 'acme.io/team', '..data', '..', '.', 'a/b/c', 'Acme.io/x', '__proto__', 'constructor', '<<', 'k\u2028', 'a b', '-x', 'k'.repeat(64), 'k'.repeat(1100),
];
const STRANGE_STRINGS = ['', 'ok', 'a\u0085b', 'a\u2028b', 'del\u007f', '\ufeffbom', 'a\ud800', 'multi\nline', 'v'.repeat(64), 'on', '0755'];
const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...STRANGE_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
const text = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...STRANGE_STRINGS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
const stringMap = fc.dictionary(key, text, { maxKeys: 3 });

/** Helm values: JSON, numbers JSON cannot hold, objects without a prototype, own keys `__proto__` and `constructor`. */
const helmValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text, fc.integer(), fc.constantFrom(NaN, Infinity, -0, 1.5, true, null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.tuple(fc.dictionary(key, tie('value'), { maxKeys: 3 }), fc.boolean()).map(([entries, bare]) => {
      const target = bare ? Object.create(null) : {};
      for (const [k, v] of Object.entries(entries)) Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
      return target;
    }),
  ),
})).value;

const objectSpec = fc.record({
  kind: fc.constantFrom('configmap', 'workload', 'service', 'secret', 'raw', 'helm'),
  name: objectName,
  breakage: fc.constantFrom(...BREAKAGES),
  fields: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  labels: fc.option(stringMap, { nil: undefined }),
  annotations: fc.option(stringMap, { nil: undefined }),
  data: fc.option(stringMap, { nil: undefined }),
  values: helmValue,
});

const fleetSpec = fc.record({
  clusters: fc.uniqueArray(
    fc.record({
      name: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('dev', 'staging', 'prod-eu', 'prod-us') }, { weight: 1, arbitrary: fc.constantFrom('Bad_Cluster', 'x'.repeat(70), '', 'constructor', '__proto__') }),
      stage: fc.constantFrom(...(Object.keys(STAGES) as (keyof typeof STAGES)[])),
    }),
    { minLength: 1, maxLength: 3, selector: (c) => c.name },
  ),
  tenant: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  namespace: fc.oneof({ weight: 6, arbitrary: fc.constant('shop') }, { weight: 1, arbitrary: fc.constantFrom('Shop_NS', 'constructor', '') }),
  objects: fc.array(objectSpec, { maxLength: 5 }),
});

type ObjectSpec = typeof objectSpec extends fc.Arbitrary<infer T> ? T : never;

function declare(apps: Apps, spec: ObjectSpec, i: number): void {
  const scope = new Construct(apps, `o${i}`);
  const { name, breakage } = spec;
  const metadata = { name, labels: spec.labels, annotations: spec.annotations };
  if (spec.kind === 'helm') return; // installed by the platform (see `installCharts`)
  const base = (() => {
    switch (spec.kind) {
      case 'configmap': return new k8s.KubeConfigMap(scope, 'cm', { metadata, data: spec.data ?? { a: '1' } });
      case 'secret': return new k8s.KubeSecret(scope, 'secret', { metadata: { name }, stringData: { password: 'x' } });
      case 'service': return new k8s.KubeService(scope, 'svc', { metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
      case 'raw': return new ApiObject(scope, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { a: 'b' }, ...spec.fields });
      default: return webWorkload(scope, name).deployment;
    }
  })();
  const container = '/spec/template/spec/containers/0';
  switch (breakage) {
    case 'typo': base.addJsonPatch(JsonPatch.add('/spec/replicass', 2)); break;
    case 'root': base.addJsonPatch(JsonPatch.add(`${container}/securityContext/runAsUser`, 0)); break;
    case 'latest': base.addJsonPatch(JsonPatch.add(`${container}/image`, 'web:latest')); break;
    case 'no-probe': base.addJsonPatch(JsonPatch.remove(`${container}/readinessProbe`)); break;
    case 'bad-type': base.addJsonPatch(JsonPatch.add('/metadata/labels', 'not-a-map')); break;
    case 'no-limits': base.addJsonPatch(JsonPatch.remove(`${container}/resources/limits`)); break;
    case 'plain-memory': base.addJsonPatch(JsonPatch.add(`${container}/resources/limits/memory`, '1Gi')); break;
    case 'waiver': Waivers.waive(scope, 'image-pinned', 'mirrors the upstream tag'); break;
    case 'empty-waiver': Waivers.waive(scope, 'image-pinned', ''); break;
    case 'unknown-rule-waiver': Waivers.waive(scope, 'no-such-rule', 'why not'); break;
  }
}

/** The Helm charts of `objects`, installed with their values on every cluster. */
function installCharts(fleet: Fleet, objects: readonly ObjectSpec[]): void {
  const charts = objects.filter((o) => o.kind === 'helm');
  if (charts.length === 0) return;
  fleet.platform((p) => {
    for (const o of charts) {
      const values = typeof o.values === 'object' && o.values !== null && !Array.isArray(o.values) ? o.values : { value: o.values };
      p.install(Components.helm({ name: o.name, namespace: 'charts', chart: { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', version: '6.9.0' }, values: values as Record<string, unknown> }));
    }
  });
}

/** An internal exception reported as a finding: a crash by another name, not a clear error. */
const CRASH_MESSAGE = /^(\w*Error): |Failed serializing construct|^check \w+ failed|could not check this cluster/;

/** What a value is once written as JSON (own `__proto__` keys kept, -0 as 0). */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_k, x) => (Object.is(x, -0) ? 0 : x));
}

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('synth on random fleets', () => {
  const outdir = join(mkdtempSync(join(tmpdir(), 'strata-prop-')), 'dist');

  beforeAll(() => {
    const seed = new Fleet({ name: 'acme', outdir });
    seed.addCluster('seed', { stage: STAGES.production, region: 'eu', provider: Provider.aws() });
    seed.platform((p) => p.addTenant('shop'));
    seed.apps('shop', (apps) => void new k8s.KubeConfigMap(apps, 'c', { metadata: { name: 'c' } }));
    seed.synth();
  });

  afterEach(() => {
    process.exitCode = 0;
    jest.restoreAllMocks();
  });

  test('either writes a tree that validates, or reports path-named errors and leaves dist/ untouched', () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    let successes = 0;
    let failures = 0;
    const crashes: string[] = [];
    fc.assert(
      fc.property(fleetSpec, (spec) => {
        const build = () => {
          const fleet = new Fleet({ name: 'acme', outdir });
          for (const c of spec.clusters) fleet.addCluster(c.name, { stage: STAGES[c.stage], region: 'eu', provider: Provider.aws() });
          if (spec.tenant) fleet.platform((p) => p.addTenant(spec.namespace));
          installCharts(fleet, spec.objects);
          fleet.apps(spec.namespace, (apps) => spec.objects.forEach((o, i) => declare(apps, o, i)));
          return fleet;
        };
        const before = tree(outdir);
        let errors: SynthError | undefined;
        try {
          build().render();
        } catch (e) {
          if (!(e instanceof SynthError)) {
            crashes.push(`render: ${e instanceof Error ? e.stack : String(e)}`); // anything else is a crash
            return;
          }
          errors = e;
        }
        process.exitCode = 0;
        try {
          build().synth();
        } catch (e) {
          crashes.push(`synth: ${e instanceof Error ? e.stack : String(e)}`);
          return;
        }
        if (errors) {
          failures++;
          expect(errors.errors.length).toBeGreaterThan(0);
          const clusterIds = spec.clusters.map((c) => constructId(c.name).replace(/[()]/g, '\\$&'));
          for (const f of errors.errors) expect(f.path).toMatch(new RegExp(`^(${clusterIds.join('|')})(/|$)`));
          crashes.push(...errors.errors.filter((f) => CRASH_MESSAGE.test(f.message)).map((f) => `finding: ${f.path}: ${f.message}`));
          expect(process.exitCode).toBe(1);
          expect(tree(outdir)).toEqual(before);
        } else {
          successes++;
          expect(process.exitCode).toBe(0);
          const validation = validateDist(outdir);
          expect(validation.findings.filter(isError)).toEqual([]);
          // What was written is what was declared: Helm values and ConfigMap data round-trip.
          const written = tree(outdir);
          for (const c of spec.clusters) {
            for (const o of spec.objects.filter((x) => x.kind === 'helm')) {
              const file = Object.keys(written).find((f) => f.startsWith(`${c.name}/`) && f.endsWith(`/helmrelease-${o.name}.yaml`));
              const expected = typeof o.values === 'object' && o.values !== null && !Array.isArray(o.values) ? o.values : { value: o.values };
              const emptyValues = Object.keys(expected).length === 0;
              expect([o.name, parse(written[file!], { version: '1.1' }).spec.values]).toEqual([o.name, emptyValues ? undefined : asJson(expected)]);
            }
          }
        }
      }),
      { numRuns: 80, seed: 20241125 },
    );
    // A crash is anything but a SynthError: strange input is a collected error, never a throw.
    expect(crashes).toEqual([]);
    // Both outcomes were exercised, or the property said little.
    expect(successes).toBeGreaterThan(5);
    expect(failures).toBeGreaterThan(5);
  });
});
