import { jest } from '@jest/globals';
import { k8s } from 'cdk8s-plus-27';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, Provider, Stage } from '../lib/index.js';
import { listFiles } from '../lib/synth/writer.js';

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function fleet(outdir: string, configMaps: string[], clusterName = 'dev'): Fleet {
  const f = new Fleet({ name: 'acme', outdir });
  f.addCluster(clusterName, { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  f.apps('shop', (apps) => {
    for (const name of configMaps) new k8s.KubeConfigMap(apps, name, { metadata: { name }, data: { b: '2', a: '1' } });
  });
  return f;
}

describe('writing dist/', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = join(mkdtempSync(join(tmpdir(), 'strata-synth-')), 'dist');
    process.exitCode = 0;
  });
  afterEach(() => {
    process.exitCode = 0;
  });

  test('the same fleet gives the same bytes, keys sorted', () => {
    fleet(outdir, ['b', 'a']).synth();
    const first = tree(outdir);
    fleet(outdir, ['b', 'a']).synth();
    expect(tree(outdir)).toEqual(first);
    expect(first['dev/apps/shop/configmap-a.yaml']).toBe(
      ['# strata: dev/apps/shop/a', 'apiVersion: v1', 'data:', '  a: "1"', '  b: "2"', 'kind: ConfigMap', 'metadata:', '  labels:',
        '    app.kubernetes.io/managed-by: strata', '    app.kubernetes.io/part-of: shop', '  name: a', '  namespace: shop', ''].join('\n'),
    );
    expect(first['dev/apps/kustomization.yaml']).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - shop/configmap-a.yaml\n  - shop/configmap-b.yaml\n',
    );
  });

  test('files no longer produced are removed, and nothing else is left behind', () => {
    fleet(outdir, ['a', 'b']).synth();
    fleet(outdir, ['a']).synth();
    expect(Object.keys(tree(outdir))).not.toContain('dev/apps/shop/configmap-b.yaml');
    expect(listFiles(join(outdir, '..'))).toEqual(listFiles(join(outdir, '..')).filter((f) => f.startsWith('dist/')));
  });

  test('a failing synth leaves the previous dist/ as it was and sets a failing exit code', () => {
    fleet(outdir, ['a']).synth();
    const before = tree(outdir);
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      fleet(outdir, ['ok', 'Not_Valid', 'also-ok']).synth();
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode).toBe(1);
    expect(errors.join('\n')).toMatch(/^strata: 1 error, nothing written\ndev\n {2}dev\/apps\/shop\/Not_Valid\n {4}✗ ConfigMap name "Not_Valid" is not a DNS-1123 subdomain/);
    expect(tree(outdir)).toEqual(before);
  });

  test('flux bootstrap files in clusters/<name>/flux-system are kept and listed', () => {
    fleet(outdir, ['a']).synth();
    mkdirSync(join(outdir, 'clusters/dev/flux-system'));
    writeFileSync(join(outdir, 'clusters/dev/flux-system/gotk-sync.yaml'), 'kind: GitRepository\n');
    fleet(outdir, ['a']).synth();
    const files = tree(outdir);
    expect(files['clusters/dev/flux-system/gotk-sync.yaml']).toBe('kind: GitRepository\n');
    expect(files['clusters/dev/kustomization.yaml']).toContain('  - flux-system\n  - layers.yaml\n');
  });

  test('a removed cluster disappears from dist/', () => {
    fleet(outdir, ['a'], 'old').synth();
    fleet(outdir, ['a'], 'new').synth();
    expect(Object.keys(tree(outdir)).filter((f) => f.includes('old'))).toEqual([]);
  });
});
