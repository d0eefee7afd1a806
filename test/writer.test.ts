// The dist/ writer under attack and under failure (docs/output.md): it never leaves the output
// folder, an interrupted synth is finished or undone by the next command, two synths never write at
// once, and file-system errors are one line each with dist/ as it was.
import { jest } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, Provider, Stage } from '../lib/index.js';
import { objectFile } from '../lib/synth/layout.js';
import { EXIT, OutputError, listFiles, recoverOutput, writeTree, type WriteStep } from '../lib/synth/writer.js';
import { registerSchema } from '../lib/validate/schema.js';
import type { ValidatingModel } from '../lib/validate/models.js';
import { TREE_CLUSTERS, expected, snapshot, treeFiles } from './support/trees.js';

function tempOut(): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'strata-writer-'));
  return { root, out: join(root, 'dist') };
}

function fleet(outdir: string, configMaps: string[], clusters = ['dev']): Fleet {
  const f = new Fleet({ name: 'acme', outdir });
  for (const c of clusters) f.addCluster(c, { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  f.platform((p) => p.addTenant('shop'));
  f.apps('shop', (apps) => {
    for (const name of configMaps) new k8s.KubeConfigMap(apps, name, { metadata: { name } });
  });
  return f;
}

/** Runs `fleet.synth()` (or `run`), returning what it printed on stderr and the exit code it set. */
function synthOf(f: Fleet | (() => unknown)): { errors: string[]; exitCode: number | string | undefined } {
  const errors: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
  try {
    process.exitCode = 0;
    if (f instanceof Fleet) f.synth();
    else f();
    return { errors, exitCode: process.exitCode };
  } finally {
    spy.mockRestore();
    process.exitCode = 0;
  }
}

/** A Node.js system error, as the file system throws it. */
function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: injected`), { code, path: '/injected/path' });
}

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

beforeEach(() => {
  process.exitCode = 0;
});

describe('the writer never leaves the output folder', () => {
  test('a symlinked dist/clusters is replaced in a full synth: its target is neither read nor changed', () => {
    const { root, out } = tempOut();
    fleet(out, ['a']).synth();
    const outside = join(root, 'outside');
    mkdirSync(join(outside, 'dev', 'flux-system'), { recursive: true });
    writeFileSync(join(outside, 'dev', 'flux-system', 'secret.yaml'), 'secret\n');
    writeFileSync(join(outside, 'keep.yaml'), 'keep\n');
    const before = snapshot(outside);
    const clusters = join(out, 'clusters');
    spawnSync('rm', ['-rf', clusters]);
    symlinkSync(outside, clusters);

    expect(synthOf(fleet(out, ['a'])).exitCode).toBe(0);
    expect(snapshot(outside)).toEqual(before);
    expect(lstatSync(clusters).isDirectory()).toBe(true);
    expect(listFiles(out).filter((f) => f.startsWith('clusters/'))).toEqual(['clusters/dev/kustomization.yaml', 'clusters/dev/layers.yaml']);
  });

  test('a symlinked dist/clusters is refused by a --cluster synth: one line, exit 3, nothing changed on either side', () => {
    const { root, out } = tempOut();
    fleet(out, ['a'], ['one', 'two']).synth();
    const outside = join(root, 'outside');
    spawnSync('mv', [join(out, 'clusters'), outside]);
    symlinkSync(outside, join(out, 'clusters'));
    const before = snapshot(root);

    const { errors, exitCode } = synthOf(() => fleet(out, ['b'], ['one', 'two']).synth({ clusters: ['one'] }));
    expect(exitCode).toBe(EXIT.io);
    expect(errors).toEqual([expect.stringMatching(/^strata: cannot write .*dist\/: .*dist\/clusters is a symbolic link \(to .*outside\); strata never writes through a link in its output/)]);
    expect(snapshot(root)).toEqual(before);
  });

  test('a symlinked output folder is refused: the link and its target stay as they are, nothing is made beside it', () => {
    const { root, out } = tempOut();
    const real = join(root, 'real');
    fleet(real, ['a']).synth();
    symlinkSync(real, out);
    const before = snapshot(root);
    const { errors, exitCode } = synthOf(fleet(out, ['b']));
    expect(exitCode).toBe(EXIT.io);
    expect(errors).toEqual([expect.stringMatching(/^strata: cannot write .*dist\/: .*dist is a symbolic link \(to .*real\); strata never writes through a link/)]);
    expect(snapshot(root)).toEqual(before);
  });

  test('a kind with path characters, even with a registered schema, is an error naming the object; nothing is written', () => {
    const kind = '../../../../escape';
    class Escape {
      static readonly apiVersion = 'example.com/v1';
      static readonly kind = kind;
      validate(): void {}
    }
    registerSchema(Escape as unknown as ValidatingModel);
    const { root, out } = tempOut();
    const f = fleet(out, []);
    f.apps('shop', (apps) => void new ApiObject(apps, 'escape', { apiVersion: 'example.com/v1', kind, metadata: { name: 'x' } }));
    const { errors, exitCode } = synthOf(f);
    expect(exitCode).toBe(EXIT.fleet);
    expect(errors.join('\n')).toContain('dev/apps/shop/escape\n    ✗ kind "../../../../escape" is not a Kubernetes kind: letters and digits, starting with a letter (e.g. ConfigMap)');
    expect(readdirSync(root)).toEqual([]);
  });

  test('the layout and the writer refuse a path that would leave its folder, whatever produced it', () => {
    const obj = { path: 'dev/apps/shop/x', manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '..', namespace: 'shop' } } };
    expect(() => objectFile(obj)).toThrow('dev/apps/shop/x: ConfigMap ".." in "shop" cannot be written: kind, name and namespace must each be one plain file name');
    const { root, out } = tempOut();
    expect(() => writeTree(out, [['dev/../../escape.yaml', 'x\n']], ['dev'])).toThrow(
      `refusing to write "dev/../../escape.yaml": every path segment must be a plain name (not empty, '.' or '..', without '\\' or NUL)`,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  test('a valid 253-character object name is written under a shortened, deterministic file name, listed in its kustomization.yaml', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    const { out } = tempOut();
    const other = `${name.slice(0, 252)}e`;
    const { exitCode } = synthOf(fleet(out, [name, other]));
    expect(exitCode).toBe(0);
    const shop = join(out, 'dev/apps/shop');
    const files = listFiles(shop).filter((f) => f.startsWith('configmap-'));
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(Buffer.byteLength(file)).toBe(255);
      expect(file).toMatch(/^configmap-a{63}\.b{63}\.c{63}\.d+_[0-9a-f]{12}\.yaml$/);
    }
    expect(files.map((f) => /\n {2}name: (\S+)\n/.exec(readFileSync(join(shop, f), 'utf8'))?.[1]).sort()).toEqual([name, other].sort());
    expect(readFileSync(join(shop, 'kustomization.yaml'), 'utf8')).toContain(`  - ${files[0]}\n  - ${files[1]}\n`);
    // The same names on every run.
    expect([...fleet(out, [name, other]).render().files.keys()].filter((f) => f.includes('/configmap-')).map((f) => f.split('/').pop())).toEqual(files);
  });

  test('a relative symlink in flux-system/ is carried over as the same relative link', () => {
    const { out } = tempOut();
    fleet(out, ['a']).synth();
    const bootstrap = join(out, 'clusters/dev/flux-system');
    mkdirSync(bootstrap);
    writeFileSync(join(bootstrap, 'gotk-sync.yaml'), 'kind: GitRepository\n');
    symlinkSync('gotk-sync.yaml', join(bootstrap, 'sync.yaml'));
    fleet(out, ['b']).synth();
    fleet(out, ['c']).synth({ clusters: ['dev'] });
    expect(readlinkSync(join(out, 'clusters/dev/flux-system/sync.yaml'))).toBe('gotk-sync.yaml');
    expect(readFileSync(join(out, 'clusters/dev/flux-system/sync.yaml'), 'utf8')).toBe('kind: GitRepository\n');
  });
});
