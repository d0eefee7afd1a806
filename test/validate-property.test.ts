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
import { Fleet, Provider, SynthError, Waivers, isError, validateDist, type Apps } from '../lib/index.js';
import { listFiles } from '../lib/synth/writer.js';
import { STAGES, webWorkload } from './support/policy.js';

const BREAKAGES = ['none', 'typo', 'root', 'latest', 'no-probe', 'bad-type', 'no-limits', 'waiver', 'empty-waiver', 'unknown-rule-waiver', 'plain-memory'] as const;

const objectName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('web', 'api', 'cache', 'worker') },
  { weight: 1, arbitrary: fc.constantFrom('Bad_Name', 'x.y', 'a'.repeat(64), '') },
);

const objectSpec = fc.record({
  kind: fc.constantFrom('configmap', 'workload', 'service', 'secret', 'raw'),
  name: objectName,
  breakage: fc.constantFrom(...BREAKAGES),
  fields: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
});

const fleetSpec = fc.record({
  clusters: fc.uniqueArray(
    fc.record({
      name: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('dev', 'staging', 'prod-eu', 'prod-us') }, { weight: 1, arbitrary: fc.constantFrom('Bad_Cluster', 'x'.repeat(70)) }),
      stage: fc.constantFrom(...(Object.keys(STAGES) as (keyof typeof STAGES)[])),
    }),
    { minLength: 1, maxLength: 3, selector: (c) => c.name },
  ),
  tenant: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  namespace: fc.oneof({ weight: 6, arbitrary: fc.constant('shop') }, { weight: 1, arbitrary: fc.constant('Shop_NS') }),
  objects: fc.array(objectSpec, { maxLength: 5 }),
});

type ObjectSpec = typeof objectSpec extends fc.Arbitrary<infer T> ? T : never;

function declare(apps: Apps, spec: ObjectSpec, i: number): void {
  const scope = new Construct(apps, `o${i}`);
  const { name, breakage } = spec;
  const base = (() => {
    switch (spec.kind) {
      case 'configmap': return new k8s.KubeConfigMap(scope, 'cm', { metadata: { name }, data: { a: '1' } });
      case 'secret': return new k8s.KubeSecret(scope, 'secret', { metadata: { name }, stringData: { password: 'x' } });
      case 'service': return new k8s.KubeService(scope, 'svc', { metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
      case 'raw': return new ApiObject(scope, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, ...spec.fields });
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
    fc.assert(
      fc.property(fleetSpec, (spec) => {
        const build = () => {
          const fleet = new Fleet({ name: 'acme', outdir });
          for (const c of spec.clusters) fleet.addCluster(c.name, { stage: STAGES[c.stage], region: 'eu', provider: Provider.aws() });
          if (spec.tenant) fleet.platform((p) => p.addTenant(spec.namespace));
          fleet.apps(spec.namespace, (apps) => spec.objects.forEach((o, i) => declare(apps, o, i)));
          return fleet;
        };
        const before = tree(outdir);
        let errors: SynthError | undefined;
        try {
          build().render();
        } catch (e) {
          if (!(e instanceof SynthError)) throw e; // anything else is a crash
          errors = e;
        }
        process.exitCode = 0;
        build().synth();
        if (errors) {
          failures++;
          expect(errors.errors.length).toBeGreaterThan(0);
          for (const f of errors.errors) expect(f.path).toMatch(new RegExp(`^(${spec.clusters.map((c) => c.name).join('|')})(/|$)`));
          expect(process.exitCode).toBe(1);
          expect(tree(outdir)).toEqual(before);
        } else {
          successes++;
          expect(process.exitCode).toBe(0);
          const validation = validateDist(outdir);
          expect(validation.findings.filter(isError)).toEqual([]);
        }
      }),
      { numRuns: 60, seed: 20241125 },
    );
    // Both outcomes were exercised, or the property said little.
    expect(successes).toBeGreaterThan(5);
    expect(failures).toBeGreaterThan(5);
  });
});
