// `npm run synth` and `npm run validate` accept exactly the same objects: kinds a project registers
// while it runs (registerCustomResourceDefinition, registerSchema in main.ts) are recorded beside each
// cluster that uses them, and validate, which does not run the project, registers them back.
import { describe, expect, jest, test } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, Provider, Stage, registerCustomResourceDefinition, registerSchema } from '../lib/index.js';
import { REGISTRATIONS_FILE } from '../lib/validate/registrations.js';

// The widget fixture as another group, so no cdk8s.yaml of any test names it.
const GIZMO_CRD = readFileSync(join('test', 'fixtures', 'crds', 'widgets.example.com.yaml'), 'utf8').replace(/example\.com/g, 'gizmos.dev').replace(/Widget/g, 'Gizmo').replace(/widget/g, 'gizmo');

/** `npm run validate -- <dir> --root <project>` in a fresh process, as CI runs it. */
function validate(dir: string, root: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', dir, '--root', root], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('kinds registered at run time', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-project-'));
  const out = join(root, 'dist');
  expect(registerCustomResourceDefinition(GIZMO_CRD, 'gizmos.yaml')).toEqual(['gizmos.dev/v1/Gizmo', 'gizmos.dev/v1/GizmoClass']);
  registerSchema({ apiVersion: 'probes.dev/v1', kind: 'Probe', scope: 'Cluster', source: 'hand-written', validate: () => [] });
  const fleet = new Fleet({ name: 'acme', projectRoot: root, outdir: out });
  fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  fleet.addCluster('bare', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  fleet.apps('tools', (apps, cluster) => {
    new ApiObject(apps, 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } });
    if (cluster.name !== 'dev') return;
    new ApiObject(apps, 'gizmo', { apiVersion: 'gizmos.dev/v1', kind: 'Gizmo', metadata: { name: 'gizmo' }, spec: { replicas: 1 } });
    new ApiObject(apps, 'standard', { apiVersion: 'gizmos.dev/v1', kind: 'GizmoClass', metadata: { name: 'standard' }, spec: { controller: 'x' } });
    new ApiObject(apps, 'probe', { apiVersion: 'probes.dev/v1', kind: 'Probe', metadata: { name: 'probe' } });
  });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  fleet.synth();
  jest.restoreAllMocks();
  const file = join(out, 'clusters', 'dev', REGISTRATIONS_FILE);

  test('are recorded beside the cluster that uses them: the CRD whole, a hand-written schema by its scope', () => {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { customResourceDefinitions: { metadata: { name: string }; spec: { scope: string } }[]; kinds: unknown[] };
    expect(recorded.customResourceDefinitions.map((c) => [c.metadata.name, c.spec.scope])).toEqual([['gizmoclasses.gizmos.dev', 'Cluster'], ['gizmos.gizmos.dev', 'Namespaced']]);
    expect(recorded.kinds).toEqual([{ apiVersion: 'probes.dev/v1', kind: 'Probe', scope: 'Cluster' }]);
    // A cluster that uses none gets no file.
    expect(existsSync(join(out, 'clusters', 'bare', REGISTRATIONS_FILE))).toBe(false);
  });

  test('round trip: validate in another process accepts the tree the synth wrote, cluster-scoped custom kinds included', () => {
    expect(validate(out, root)).toEqual({ status: 0, output: expect.stringMatching(/^strata: 2 clusters, \d+ objects in .*: valid\n$/) });
  });

  test('validate checks the recorded CRD as the synth did: an unknown field is an error', () => {
    const copy = mkdtempSync(join(tmpdir(), 'strata-registered-'));
    spawnSync('cp', ['-R', `${out}/.`, copy]);
    const gizmo = join(copy, 'dev', 'apps', 'tools', 'gizmo-gizmo.yaml');
    writeFileSync(gizmo, readFileSync(gizmo, 'utf8').replace('replicas: 1', 'replicas: 1\n  replicass: 2'));
    const r = validate(copy, root);
    expect([r.status, r.output]).toEqual([1, expect.stringContaining('Gizmo gizmo: schema gizmos.dev/v1: /spec/replicass is an unknown field')]);
  });

  test('without the record, validate would reject what the synth wrote', () => {
    rmSync(file);
    const r = validate(out, root);
    expect(r.status).toBe(1);
    expect(r.output).toContain('Gizmo gizmo: no schema is known for gizmos.dev/v1 Gizmo');
    expect(r.output).toContain('GizmoClass standard is namespaced but has no namespace');
    expect(r.output).toContain('Probe probe is namespaced but has no namespace');
  });
});
