import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { fleet } from '../main.js';
import { Testing } from '../lib/index.js';
import { listFiles } from '../lib/synth/writer.js';
import { schemaErrors } from '../lib/validate/schema.js';
import { kustomizeBuild } from './support/kubectl.js';

// Importing main.ts ran fleet.synth() into this test's temp CDK8S_OUTDIR (test/support/setup.ts).
const fresh = process.env.CDK8S_OUTDIR!;
const committed = join(process.cwd(), 'dist');

function read(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('the example fleet', () => {
  test('committed dist/ equals a fresh synth (run `npm run synth` and commit dist/ when this fails)', () => {
    expect(read(committed)).toEqual(read(fresh));
  });

  test.each(fleet.clusters.map((c) => c.name))('cluster %s matches its snapshot', (name) => {
    expect(Testing.synth(fleet, { cluster: name }).files).toMatchSnapshot();
  });

  test('admits and places every workload at max scale: no finding of the capacity and scheduling rules', () => {
    const capacity = ['requests-within-limits', 'limit-range-coherent', 'quota-admission', 'quota-concurrent-rollouts', 'node-pool-limits', 'topology-spread-zones'];
    expect(fleet.render().warnings.filter((w) => capacity.includes(w.rule ?? ''))).toEqual([]);
  });

  test('spans two stages, two regions and two providers', () => {
    expect(new Set(fleet.clusters.map((c) => c.stage.name)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(fleet.clusters.map((c) => c.region)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(fleet.clusters.map((c) => c.provider.name)).size).toBeGreaterThanOrEqual(2);
  });

  const folders = listFiles(committed).filter((f) => f.endsWith('kustomization.yaml')).map((f) => dirname(f));

  test('every folder Flux applies has a kustomization.yaml', () => {
    const expected = fleet.clusters.flatMap((c) => [`clusters/${c.name}`, ...c.layers.flatMap((l) => l.folders().map((f) => `${c.name}/${f.path}`))]);
    expect(expected).toContain('prod-eu/apps/shop');
    expect(folders).toEqual(expect.arrayContaining(expected));
  });

  test.each(folders)('real kustomize builds %s', (folder) => {
    const built = kustomizeBuild(join(committed, folder));
    const listed = parse(readFileSync(join(committed, folder, 'kustomization.yaml'), 'utf8')).resources.length;
    expect(parseAllDocuments(built).length).toBeGreaterThanOrEqual(listed);
  });

  test('every object in dist/ validates against its Kubernetes 1.27 or CRD schema', () => {
    const files = listFiles(committed).filter((f) => !f.endsWith('kustomization.yaml'));
    const errors = files.flatMap((f) => parseAllDocuments(readFileSync(join(committed, f), 'utf8')).flatMap((d) => schemaErrors(d.toJS())));
    expect(files.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
