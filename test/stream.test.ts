// A synth streams the fleet: each cluster is built, resolved, checked and written, then released
// before the next (issue 18). These tests pin what that must not change: the bytes, the report
// and its order, and a fleet that can be synthesized again.
import { jest } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Fleet, Provider, Stage, SynthError, WebService, type Cluster } from '../lib/index.js';
import { MANY_CLUSTERS, STREAMING_HEAP_GROWTH, collectGarbage, heapGrowthFor, withHeapGrowth } from '../lib/synth/heap.js';
import { outputPaths } from '../lib/synth/output-paths.js';
import { listFiles } from '../lib/synth/writer.js';

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function outdir(): string {
  return join(mkdtempSync(join(tmpdir(), 'strata-stream-')), 'dist');
}

/** Three clusters declared through definitions only; `mistakes` puts one on some of them. */
function fleetOf(out: string, mistakes: Record<string, 'name' | 'schema' | 'port'> = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev', outdir: out });
  for (const name of ['dev', 'prod-eu', 'prod-us']) fleet.addCluster(name, { stage: name === 'dev' ? Stage.DEVELOPMENT : Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
  fleet.platform((platform) => platform.addTenant('shop'));
  fleet.apps('shop', (apps, cluster) => {
    new WebService(apps, 'web', { image: 'ghcr.io/acme/web:1.0.0', resources: { cpu: '100m', memory: '128Mi' } });
    const mistake = mistakes[cluster.name];
    if (mistake === 'name') new k8s.KubeConfigMap(apps, 'Not_Valid', { metadata: { name: 'Not_Valid' } });
    if (mistake === 'schema') new ApiObject(apps, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: 5 });
    if (mistake === 'port') new WebService(apps, 'api', { image: 'ghcr.io/acme/api:1.0.0', resources: { cpu: '100m', memory: '128Mi' }, port: 70000 });
  });
  return fleet;
}

/** What synth() printed on stderr, and what it returned. */
function quietly<T>(run: () => T): { result: T; stderr: string } {
  const lines: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((m: string) => void lines.push(m));
  const warn = jest.spyOn(console, 'warn').mockImplementation((m: string) => void lines.push(m));
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return { result: run(), stderr: lines.join('\n') };
  } finally {
    error.mockRestore();
    warn.mockRestore();
    log.mockRestore();
  }
}

const objectsOf = (fleet: Fleet): ApiObject[] => fleet.node.findAll().filter(ApiObject.isApiObject);

beforeEach(() => {
  process.exitCode = 0;
});
afterEach(() => {
  process.exitCode = 0;
});

describe('a streaming synth', () => {
  test('writes what render() lays out, byte for byte, and keeps no object of the clusters it wrote', () => {
    const out = outdir();
    const fleet = fleetOf(out);
    const { result } = quietly(() => fleet.synth());
    expect(tree(out)).toEqual(Object.fromEntries(fleetOf(out).render().files));
    expect(result?.clusters).toEqual(['dev', 'prod-eu', 'prod-us']);
    expect(result?.threads).toBe(1);
    // Each cluster was released once written: what is left are unbuilt clusters, which hold no object.
    expect(objectsOf(fleet)).toEqual([]);
  });

  test('counts every cluster it released: clusters, layers and objects as render() has them', () => {
    const out = outdir();
    const { result } = quietly(() => fleetOf(out).synth());
    const model = fleetOf(out).render().model;
    const objects = model.clusters.reduce((n, c) => n + c.folders.reduce((m, f) => m + f.objects.length, 0) + c.layers.length + c.sources.length, 0);
    expect(result?.totals).toEqual({ clusters: 3, layers: model.clusters.reduce((n, c) => n + c.folders.length, 0), objects, unchecked: [] });
  });

  test('a second synth of the same fleet runs its definitions again and writes the same bytes', () => {
    const [first, second] = [outdir(), outdir()];
    const fleet = fleetOf(first);
    const before: Cluster = fleet.cluster('prod-eu');
    quietly(() => fleet.synth());
    expect(fleet.cluster('prod-eu')).not.toBe(before);
    Object.assign(fleet, { outdir: second });
    quietly(() => fleet.synth());
    expect(tree(second)).toEqual(tree(first));
  });

  test('a cluster the program changed directly is kept, and written the same again', () => {
    const [first, second] = [outdir(), outdir()];
    const fleet = fleetOf(first);
    const changed = fleet.cluster('dev');
    new k8s.KubeConfigMap(changed.appsIn('shop'), 'direct', { metadata: { name: 'direct' }, data: { a: '1' } });
    quietly(() => fleet.synth());
    expect(tree(first)['dev/apps/shop/configmap-direct.yaml']).toContain('name: direct');
    expect(fleet.cluster('dev')).toBe(changed);
    expect(objectsOf(fleet).every((o) => o.node.path.startsWith('dev/'))).toBe(true);
    Object.assign(fleet, { outdir: second });
    quietly(() => fleet.synth());
    expect(tree(second)).toEqual(tree(first));
  });

  test('reports phase by phase, then cluster by cluster: the order of one pass over the whole fleet', () => {
    // prod-us's invalid name is found by the structure check, which runs before the schema check
    // that finds dev's mistake; the constructs' own validation (prod-eu's port) comes before both.
    const mistakes = { dev: 'schema', 'prod-eu': 'port', 'prod-us': 'name' } as const;
    const rendered = (() => {
      try {
        fleetOf(outdir(), mistakes).render();
      } catch (e) {
        return e as SynthError;
      }
      throw new Error('render() found nothing');
    })();
    const order = rendered.errors.map((f) => f.path.split('/')[0]);
    expect(order).toEqual(['prod-eu', 'prod-us', 'dev']);
    const out = outdir();
    const { result, stderr } = quietly(() => fleetOf(out, mistakes).synth());
    expect(result).toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(stderr.split('\n').filter((l) => /^(dev|prod-eu|prod-us)$/.test(l))).toEqual(['prod-eu', 'prod-us', 'dev']);
    expect(stderr).toMatch(/^strata: 3 errors, nothing written\n/);
  });

  test('after an error it writes nothing more, still checks every cluster, and leaves no staging folder', () => {
    const out = outdir();
    quietly(() => fleetOf(out).synth());
    const before = tree(out);
    const { stderr } = quietly(() => fleetOf(out, { dev: 'name', 'prod-us': 'port' }).synth());
    expect(stderr).toContain('dev/apps/shop/Not_Valid');
    expect(stderr).toContain('prod-us/apps/shop/api');
    expect(tree(out)).toEqual(before);
    expect(listFiles(join(out, '..')).every((f) => f.startsWith('dist/'))).toBe(true);
    expect(existsSync(outputPaths(out).staging)).toBe(false);
  });
});

describe('heap growth while streaming', () => {
  const saved = process.env.STRATA_HEAP_GROWTH;
  afterEach(() => {
    if (saved === undefined) delete process.env.STRATA_HEAP_GROWTH;
    else process.env.STRATA_HEAP_GROWTH = saved;
  });

  test('many clusters collect their garbage sooner; few keep V8 own choice; STRATA_HEAP_GROWTH decides when set', () => {
    expect(heapGrowthFor(MANY_CLUSTERS - 1, undefined)).toBe(0);
    expect(heapGrowthFor(MANY_CLUSTERS, undefined)).toBe(STREAMING_HEAP_GROWTH);
    expect(heapGrowthFor(5000, '0')).toBe(0);
    expect(heapGrowthFor(3, '150')).toBe(150);
  });

  test('a STRATA_HEAP_GROWTH that is not a whole number ≥ 0 is a usage error: one line, exit 2, nothing written', () => {
    const out = outdir();
    process.env.STRATA_HEAP_GROWTH = 'lots';
    const { result, stderr } = quietly(() => fleetOf(out).synth());
    expect(result).toBeUndefined();
    expect(process.exitCode).toBe(2);
    expect(stderr).toBe('strata: STRATA_HEAP_GROWTH: "lots" is not a heap growth: use a whole number of percent ≥ 0 (0: V8\'s own choice); nothing written');
    expect(existsSync(out)).toBe(false);
  });

  test('the growth set for a synth applies from a full collection at once, and is V8 own choice again once it ended', () => {
    const calls: string[] = [];
    const restore = withHeapGrowth(40, (flags) => calls.push(flags), () => calls.push('collect'));
    restore();
    expect(calls).toEqual(['--heap-growing-percent=40', 'collect', '--heap-growing-percent=0']);
    withHeapGrowth(0, (flags) => calls.push(flags), () => calls.push('collect'))();
    expect(calls).toHaveLength(3);
  });

  test('collectGarbage collects what nothing holds, and leaves no `gc` for the program to find', async () => {
    let held: object | undefined = { cluster: 'garbage soon' };
    const ref = new WeakRef(held);
    held = undefined;
    // A WeakRef's target lives until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  test('a program started with --expose-gc: its own gc runs, and the flag is left as it was', () => {
    const own = jest.fn();
    const holder = globalThis as { gc?: () => void };
    holder.gc = own;
    try {
      collectGarbage();
    } finally {
      delete holder.gc;
    }
    expect(own).toHaveBeenCalledTimes(1);
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});

