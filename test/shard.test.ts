// `--shard k/n` (lib/synth/shard.ts, Fleet.synth({ shard })): which clusters a shard renders, and
// the CI recipe of docs/ci.md — every shard rendered into a folder of its own, merged by copying
// files — gives byte for byte the tree of a full synth, which `npm run validate` accepts.
import { jest } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage, WebService, type Fleet } from '../lib/index.js';
import { inShard, parseShard, shardOf } from '../lib/synth/shard.js';
import { listFiles } from '../lib/synth/writer.js';
import { validateDist } from '../lib/validate/dist.js';
import { BASE, shopFleet } from './support/fleets.js';

const NAMES = ['dev-eu', 'dev-us', 'staging-eu', 'prod-eu', 'prod-us', 'prod-ap', 'store-0001', 'store-0002'];

function edgeFleet(outdir: string): Fleet {
  const clusters = Object.fromEntries(NAMES.map((n) => [n, { stage: n.startsWith('dev') ? Stage.DEVELOPMENT : n.startsWith('staging') ? Stage.STAGING : Stage.PRODUCTION }]));
  // The fleet writes to $CDK8S_OUTDIR (read when it is made), as `npm run synth --output` does.
  process.env.CDK8S_OUTDIR = outdir;
  return shopFleet((apps, cluster) => {
    new WebService(apps, 'storefront', { ...BASE, port: 8080, host: `shop.${cluster.domain}` });
  }, { clusters });
}

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** What `flux bootstrap` committed for prod-eu: strata keeps it, never writes it. */
function bootstrap(dir: string): void {
  mkdirSync(join(dir, 'clusters', 'prod-eu', 'flux-system'), { recursive: true });
  writeFileSync(join(dir, 'clusters', 'prod-eu', 'flux-system', 'gotk-sync.yaml'), '# flux bootstrap\n');
}

const saved = { exitCode: process.exitCode, outdir: process.env.CDK8S_OUTDIR, quiet: process.env.STRATA_QUIET, shard: process.env.STRATA_SHARD, clusters: process.env.STRATA_CLUSTERS };
beforeEach(() => {
  process.env.STRATA_QUIET = '1';
  delete process.env.STRATA_SHARD;
  delete process.env.STRATA_CLUSTERS;
  process.exitCode = 0;
});
afterAll(() => {
  for (const [key, value] of [['CDK8S_OUTDIR', saved.outdir], ['STRATA_QUIET', saved.quiet], ['STRATA_SHARD', saved.shard], ['STRATA_CLUSTERS', saved.clusters]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  process.exitCode = saved.exitCode;
});

describe('parseShard', () => {
  test.each([['1/1', 1, 1], ['2/4', 2, 4], ['4/4', 4, 4], [' 3/10 ', 3, 10]])('%p is shard %p of %p', (text, index, count) => {
    expect(parseShard(text)).toEqual({ index, count });
  });

  test.each(['0/4', '5/4', '1/0', '-1/4', '1.5/4', '1/', '/4', '2', 'a/b', '1/4/2', ''])('%p is refused, naming it and what is valid', (text) => {
    expect(() => parseShard(text)).toThrow(`${JSON.stringify(text)} is not a shard: use k/n, whole numbers with 1 ≤ k ≤ n (e.g. 1/4)`);
  });
});

describe('shardOf (rendezvous hashing of the cluster name)', () => {
  const stores = Array.from({ length: 2000 }, (_, i) => `store-${String(i).padStart(4, '0')}`);

  test('is pinned: the same shards on every machine and every version (a change would reshuffle every CI matrix)', () => {
    // Checked by hand: `printf '%s\0%s' <k> <name> | sha256sum`, the shard whose first 12 hex digits are highest
    // (dev-eu: e2d055bb22b6 on 1; prod-eu: a9230d5f6272 on 3; store-0002: d7c01243af94 on 1).
    expect(NAMES.map((n) => shardOf(n, 3))).toEqual([1, 1, 3, 3, 1, 2, 2, 1]);
    expect(NAMES.map((n) => shardOf(n, 1))).toEqual(NAMES.map(() => 1));
  });

  test('spreads clusters evenly: each of 4 shards holds 25 % ± 3 % of 2 000 clusters', () => {
    const counts = [1, 2, 3, 4].map((k) => stores.filter((s) => inShard(s, { index: k, count: 4 })).length);
    expect(counts.reduce((a, b) => a + b)).toBe(2000);
    for (const c of counts) expect(Math.abs(c - 500)).toBeLessThanOrEqual(60);
  });

  test('from 4 to 5 shards, only the clusters the new shard wins move (about a fifth); none moves between the old shards', () => {
    const moved = stores.filter((s) => shardOf(s, 4) !== shardOf(s, 5));
    expect(moved.every((s) => shardOf(s, 5) === 5)).toBe(true);
    expect(moved.length / stores.length).toBeGreaterThan(0.15);
    expect(moved.length / stores.length).toBeLessThan(0.25);
  });
});

describe('synth --shard', () => {
  let root: string;
  let full: Record<string, string>;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'strata-shard-'));
    const out = join(root, 'full');
    bootstrap(out);
    process.env.STRATA_QUIET = '1';
    expect(edgeFleet(out).synth()).toBeDefined();
    full = tree(out);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the full tree has every cluster and prod-eu lists its bootstrap files', () => {
    expect(new Set(Object.keys(full).map((f) => (f.startsWith('clusters/') ? f.split('/')[1] : f.split('/')[0])))).toEqual(new Set(NAMES));
    expect(full['clusters/prod-eu/kustomization.yaml']).toContain('- flux-system');
  });

  test.each([1, 2, 3])('%p shards, each in a folder of its own, merged by copying files, are byte for byte the full synth, and validate passes on it', (n) => {
    const merged = join(root, `merged-${n}`);
    mkdirSync(merged);
    const seen: string[] = [];
    for (let k = 1; k <= n; k++) {
      const out = join(root, `shard-${k}-of-${n}`);
      // docs/ci.md, the render job: flux bootstrap's folders first, then the shard, then drop the
      // clusters/<c>/ folders the shard did not render (they hold only flux-system/).
      bootstrap(out);
      const result = edgeFleet(out).synth({ shard: { index: k, count: n } });
      expect(process.exitCode).toBe(0);
      expect(result).toBeDefined();
      const names = result!.clusters;
      expect(names).toEqual(NAMES.filter((c) => shardOf(c, n) === k));
      seen.push(...names);
      for (const c of readdirSync(join(out, 'clusters'))) {
        if (!existsSync(join(out, 'clusters', c, 'kustomization.yaml'))) rmSync(join(out, 'clusters', c), { recursive: true });
      }
      // Only its own clusters' folders.
      for (const f of listFiles(out)) expect(names).toContain(f.startsWith('clusters/') ? f.split('/')[1] : f.split('/')[0]);
      cpSync(out, merged, { recursive: true });
    }
    expect(seen.sort()).toEqual([...NAMES].sort());
    expect(tree(merged)).toEqual(full);
    const validation = validateDist(merged);
    expect(validation.findings.filter((f) => f.severity !== 'warning')).toEqual([]);
    expect(validation.exitCode).toBe(0);
  });

  test('a shard leaves every other cluster\'s files as they are', () => {
    const out = join(root, 'in-place');
    cpSync(join(root, 'full'), out, { recursive: true });
    const stale = join(out, 'store-0001', 'stale.yaml');
    writeFileSync(stale, 'kept: true\n');
    const shard = { index: shardOf('prod-eu', 2), count: 2 };
    expect(inShard('store-0001', shard)).toBe(false);
    edgeFleet(out).synth({ shard });
    expect(readFileSync(stale, 'utf8')).toBe('kept: true\n');
    const { [`store-0001/stale.yaml`]: kept, ...rest } = tree(out);
    expect(kept).toBe('kept: true\n');
    expect(rest).toEqual(full);
  });

  test('STRATA_SHARD selects like the option', () => {
    const out = join(root, 'env');
    process.env.STRATA_SHARD = '3/3';
    const result = edgeFleet(out).synth();
    expect(result?.clusters).toEqual(NAMES.filter((c) => shardOf(c, 3) === 3));
  });

  test('a malformed STRATA_SHARD is one line, exit code 2, nothing written', () => {
    const out = join(root, 'bad-env');
    process.env.STRATA_SHARD = '4/3';
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(edgeFleet(out).synth()).toBeUndefined();
      expect(errors.mock.calls).toEqual([['strata: STRATA_SHARD: "4/3" is not a shard: use k/n, whole numbers with 1 ≤ k ≤ n (e.g. 1/4); nothing written']]);
    } finally {
      errors.mockRestore();
    }
    expect(process.exitCode).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  test('clusters chosen both by name and by shard is a usage error (exit code 2), nothing written', () => {
    const out = join(root, 'both');
    process.env.STRATA_CLUSTERS = 'prod-eu';
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(edgeFleet(out).synth({ shard: { index: 1, count: 2 } })).toBeUndefined();
      expect(errors.mock.calls).toEqual([['strata: choose clusters by name (--cluster, STRATA_CLUSTERS: prod-eu) or by shard (--shard, STRATA_SHARD: 1/2), not both; nothing written']]);
    } finally {
      errors.mockRestore();
    }
    expect(process.exitCode).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  test('render() refuses a shard outside 1..count', () => {
    expect(() => edgeFleet(join(root, 'x')).render({ shard: { index: 0, count: 2 } })).toThrow('"0/2" is not a shard');
  });
});
