import { jest } from '@jest/globals';
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, Provider, Stage } from '../lib/index.js';
import { listFiles, writeTree } from '../lib/synth/writer.js';

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function fleet(outdir: string, configMaps: string[], clusterName = 'dev'): Fleet {
  const f = new Fleet({ name: 'acme', outdir });
  f.addCluster(clusterName, { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  f.platform((p) => new k8s.KubeNamespace(p.configs, 'shop', { metadata: { name: 'shop' } }));
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
    // The namespace's own folder (apps/shop) lists its files.
    expect(first['dev/apps/shop/kustomization.yaml']).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap-a.yaml\n  - configmap-b.yaml\n',
    );
  });

  test('files no longer produced are removed, and nothing else is left behind', () => {
    fleet(outdir, ['a', 'b']).synth();
    fleet(outdir, ['a']).synth();
    expect(Object.keys(tree(outdir))).not.toContain('dev/apps/shop/configmap-b.yaml');
    expect(listFiles(join(outdir, '..'))).toEqual(listFiles(join(outdir, '..')).filter((f) => f.startsWith('dist/')));
  });

  test('an output folder a synth did not write is refused, not replaced: --output docs keeps the docs', () => {
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'README.md'), '# notes\n');
    mkdirSync(join(outdir, 'guides'));
    writeFileSync(join(outdir, 'guides', 'setup.md'), 'steps\n');
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      expect(fleet(outdir, ['a']).synth()).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode).toBe(2);
    expect(errors).toEqual([expect.stringMatching(/^strata: .*dist\/ is not a tree a synth wrote \(it holds README\.md, guides\), and a synth replaces its output folder whole: nothing written; name an empty folder or the dist\/ a synth wrote$/)]);
    expect(tree(outdir)).toEqual({ 'README.md': '# notes\n', 'guides/setup.md': 'steps\n' });
    // An empty folder (hidden files aside) and a tree a synth wrote are replaced.
    rmSync(outdir, { recursive: true });
    mkdirSync(outdir);
    writeFileSync(join(outdir, '.gitkeep'), '');
    process.exitCode = 0;
    fleet(outdir, ['a']).synth();
    expect(process.exitCode).toBe(0);
    fleet(outdir, ['b']).synth();
    expect(Object.keys(tree(outdir))).toContain('dev/apps/shop/configmap-b.yaml');
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

  test('files are written as they are made: one that cannot be made leaves the previous dist/ as it was, and no staging folder', () => {
    fleet(outdir, ['a']).synth();
    const before = tree(outdir);
    function* files(): Generator<[string, string]> {
      yield ['dev/apps/shop/configmap-x.yaml', 'kind: ConfigMap\n'];
      throw new Error('cannot write NaN to YAML');
    }
    expect(() => writeTree(outdir, files(), ['dev'])).toThrow('cannot write NaN to YAML');
    expect(tree(outdir)).toEqual(before);
    expect(listFiles(join(outdir, '..')).every((f) => f.startsWith('dist/'))).toBe(true);
  });

  test('synth() returns what it wrote; render() the same files in memory', () => {
    const written = fleet(outdir, ['a', 'b']).synth();
    const rendered = fleet(outdir, ['a', 'b']).render();
    expect(written?.files).toBe(rendered.files.size);
    expect(tree(outdir)).toEqual(Object.fromEntries(rendered.files));
    expect(written?.clusters).toEqual(['dev']);
    expect(Object.keys(written?.timings ?? {}).sort()).toEqual(['build', 'layout', 'resolve', 'validate', 'write']);
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

describe('focus on some clusters', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = join(mkdtempSync(join(tmpdir(), 'strata-focus-')), 'dist');
    process.exitCode = 0;
  });
  afterEach(() => {
    process.exitCode = 0;
  });

  function twoClusters(configMaps: string[]): Fleet {
    const f = new Fleet({ name: 'acme', outdir });
    f.addCluster('one', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    f.addCluster('two', { stage: Stage.PRODUCTION, region: 'us', provider: Provider.gcp() });
    f.platform((p) => p.addTenant('shop'));
    f.apps('shop', (apps) => {
      for (const name of configMaps) new k8s.KubeConfigMap(apps, name, { metadata: { name } });
    });
    return f;
  }

  test('rewrites only the named clusters and leaves every other file byte-identical', () => {
    twoClusters(['a']).synth();
    const before = tree(outdir);
    twoClusters(['b']).synth({ clusters: ['one'] });
    const after = tree(outdir);
    const others = (files: Record<string, string>) => Object.entries(files).filter(([p]) => !p.startsWith('one/') && !p.startsWith('clusters/one/'));
    expect(others(after)).toEqual(others(before));
    expect(Object.keys(after)).toContain('one/apps/shop/configmap-b.yaml');
    expect(Object.keys(after)).not.toContain('one/apps/shop/configmap-a.yaml');
    expect(Object.keys(after)).toContain('two/apps/shop/configmap-a.yaml');
  });

  test('runs the definitions of, and resolves, only the named clusters', () => {
    const ran: string[] = [];
    let resolved = 0;
    const f = twoClusters([]);
    f.apps('shop', (apps, cluster) => {
      ran.push(cluster.name);
      new k8s.KubeConfigMap(apps, 'counted', { metadata: { name: 'counted' }, data: { n: Lazy.any({ produce: () => String(++resolved) }) as unknown as string } });
    });
    const rendered = f.render({ clusters: ['two'] });
    expect(ran).toEqual(['two']);
    expect(resolved).toBe(1);
    expect(rendered.model.clusters.map((c) => c.name)).toEqual(['two']);
    expect([...rendered.files.keys()].every((p) => p.startsWith('two/') || p.startsWith('clusters/two/'))).toBe(true);
  });

  test('an unknown cluster name is a usage error that names it, and writes nothing', () => {
    twoClusters(['a']).synth();
    const before = tree(outdir);
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      twoClusters(['b']).synth({ clusters: ['three'] });
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode).toBe(2);
    expect(errors).toEqual(['strata: unknown cluster "three" (clusters: one, two); nothing written']);
    expect(tree(outdir)).toEqual(before);
  });
});

describe('YAML', () => {
  test('strings a YAML 1.1 parser (Kubernetes) would read as booleans or numbers stay quoted', async () => {
    const { toYaml } = await import('../lib/synth/yaml.js');
    const values = ['on', 'off', 'yes', 'no', 'y', '0755', '1_000', '1e3', '0x1F', 'null', '~', '2001-01-01', 'true', '1.0'];
    const out = toYaml({ values });
    for (const v of values) expect(out).toContain(`  - "${v}"\n`);
    expect(toYaml({ plain: 'shop', count: 3 })).toBe('count: 3\nplain: shop\n');
    // A key is a string too: a bare `n` is the boolean false in YAML 1.1.
    expect(toYaml({ n: 1 })).toBe('"n": 1\n');
  });
});
