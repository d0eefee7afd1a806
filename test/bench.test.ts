// Smoke test of `npm run bench` at a tiny size: the report has its shape, and every case wrote
// the same Kubernetes objects as strata (same kinds, names and specs), so the comparison is fair.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { l1Props } from '../bench/anchor.js';
import { chartCluster, objectsIn, strataCluster } from '../bench/compare.js';
import { EDGE_SHARD, EDGE_WORKLOADS, MODES, readDump, type Sample } from '../bench/sample.js';
import { inShard } from '../lib/synth/shard.js';
import { listFiles } from '../lib/synth/writer.js';

interface Results {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  runs: number;
  results: { size: number; clusters: number; perCluster: number; best: Record<string, Sample>; runsMs: Record<string, number[]> }[];
  edge: { clusters: number; perCluster: number; best: Record<string, Sample> }[];
  edgeRows: Record<string, number>[];
  rows: Record<string, number>[];
  targets: { target: string; value: number; limit: number; met: boolean }[];
}

const dir = mkdtempSync(join(tmpdir(), 'strata-bench-test-'));
const workdir = join(dir, 'work');
let results: Results;

beforeAll(() => {
  // 2 clusters × 4 workloads: one of each type per cluster; the edge fleet at 4 clusters × 20.
  const r = spawnSync(process.execPath, ['scripts/run.mjs', 'bench/bench.ts', '--sizes', '8', '--clusters', '2', '--edge', '4', '--runs', '1', '--out', join(dir, 'results.json'), '--workdir', workdir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm run bench failed (${r.status}): ${r.stderr}`);
  results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
});

const out = (mode: string) => join(workdir, '8', `${mode}-out`);

describe('npm run bench', () => {
  test('reports every case with phases, time, memory and output size, and the targets', () => {
    expect(results.machine).toEqual({ cpus: expect.any(Number), cpuModel: expect.any(String), memoryGb: expect.any(Number), node: process.version });
    expect(results.results).toHaveLength(1);
    const [size] = results.results;
    expect(size).toMatchObject({ size: 8, clusters: 2, perCluster: 4 });
    expect(Object.keys(size.best).sort()).toEqual([...MODES].sort());
    for (const mode of MODES) {
      const sample = size.best[mode];
      expect(sample).toMatchObject({ mode, clusters: 2, workloads: 4 });
      expect(sample.totalMs).toBeGreaterThan(0);
      expect(sample.peakRssMb).toBeGreaterThan(0);
      expect(sample.files).toBeGreaterThan(0);
      expect(sample.bytes).toBeGreaterThan(0);
      expect(Object.values(sample.phases).every((ms) => ms >= 0)).toBe(true);
    }
    expect(Object.keys(size.best.strata.phases)).toEqual(['declare', 'build', 'resolve', 'validate', 'serialize', 'write']);
    for (const mode of ['raw', 'raw-json', 'floor'] as const) expect(size.best[mode].objects).toBe(size.best.strata.objects);
    expect(results.rows[0]).toMatchObject({ workloads: 8, objects: size.best.strata.objects, '÷raw': expect.any(Number), 'RSS ÷raw': expect.any(Number), '÷floor': expect.any(Number) });
    expect(results.targets.map((t) => t.target)).toEqual(['time ÷ raw at 8', 'memory ÷ raw at 8', 'serial peak RSS (MB) at 4 × 20', 'shard 1/4 time ÷ serial at 4 × 20']);
  });

  test('the fleet has every workload type, autoscaled, and the platform on every cluster', () => {
    const kinds = new Set(readDump(join(workdir, '8')).flatMap((f) => f.objects.map((o) => o.kind)));
    for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'ScaledObject', 'TriggerAuthentication', 'CronJob', 'StatefulSet', 'HTTPRoute', 'HelmRelease', 'Namespace', 'ResourceQuota', 'NetworkPolicy', 'Kustomization']) {
      expect(kinds).toContain(kind);
    }
  });

  test.each(['raw', 'raw-json', 'floor'])('%s wrote exactly the objects strata wrote', (mode) => {
    const strata = objectsIn(out('strata'), strataCluster);
    const other = objectsIn(out(mode), mode === 'floor' ? strataCluster : chartCluster);
    expect(strata.size).toBe(results.results[0].best.strata.objects);
    expect([...other.keys()].sort()).toEqual([...strata.keys()].sort());
    for (const [id, manifest] of strata) expect([id, other.get(id)]).toEqual([id, manifest]);
  });

  test('raw declares every object through its typed L1 class (k8s.Kube*, imports/)', () => {
    const untyped = readDump(join(workdir, '8')).flatMap((f) => f.objects).filter((o) => l1Props(o) === undefined);
    expect(untyped.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([]);
  });

  test('focus writes only the first cluster, the same objects as the full synth', () => {
    const files = listFiles(out('focus'));
    expect(files.every((f) => strataCluster(f) === 'cluster-0')).toBe(true);
    const full = [...objectsIn(out('strata'), strataCluster)].filter(([id]) => id.startsWith('cluster-0:'));
    expect(objectsIn(out('focus'), strataCluster)).toEqual(new Map(full));
  });

  test('the edge fleet: serial and parallel render every cluster, shard 1/4 the clusters of its shard, the same files, with time, memory and objects per second', () => {
    expect(results.edge).toHaveLength(1);
    const [{ clusters, perCluster, best }] = results.edge;
    expect({ clusters, perCluster }).toEqual({ clusters: 4, perCluster: EDGE_WORKLOADS });
    const mine = ['cluster-0', 'cluster-1', 'cluster-2', 'cluster-3'].filter((c) => inShard(c, EDGE_SHARD));
    expect(mine.length).toBeGreaterThan(0);
    expect(best.serial).toMatchObject({ mode: 'serial', clusters: 4, rendered: 4, workloads: EDGE_WORKLOADS });
    expect(best.shard).toMatchObject({ mode: 'shard', clusters: 4, rendered: mine.length, workloads: EDGE_WORKLOADS, jobs: 1 });
    expect(best.serial.jobs).toBe(1);
    // `parallel` is a synth as `npm run synth` runs it: one thread per core (its threads start after 400 ms, so at 4 clusters maybe none).
    expect(best.parallel).toMatchObject({ mode: 'parallel', clusters: 4, rendered: 4, objects: best.serial.objects, jobs: availableParallelism() });
    const parallelOut = join(workdir, 'edge-4', 'parallel-out');
    expect(Object.fromEntries(listFiles(parallelOut).map((f) => [f, readFileSync(join(parallelOut, f), 'utf8')]))).toEqual(
      Object.fromEntries(listFiles(join(workdir, 'edge-4', 'serial-out')).map((f) => [f, readFileSync(join(workdir, 'edge-4', 'serial-out', f), 'utf8')])),
    );
    const serialOut = join(workdir, 'edge-4', 'serial-out');
    const shardOut = join(workdir, 'edge-4', 'shard-out');
    const shardFiles = listFiles(shardOut);
    expect(new Set(shardFiles.map(strataCluster))).toEqual(new Set(mine));
    for (const f of shardFiles) expect(readFileSync(join(shardOut, f), 'utf8')).toBe(readFileSync(join(serialOut, f), 'utf8'));
    expect(shardFiles).toEqual(listFiles(serialOut).filter((f) => mine.includes(strataCluster(f))));
    const [row] = results.edgeRows;
    expect(row).toMatchObject({ clusters: 4, workloads: 4 * EDGE_WORKLOADS, objects: best.serial.objects, 'shard 1/4 clusters': mine.length, 'shard objects': best.shard.objects });
    expect(row['serial obj/s']).toBe(Math.round(best.serial.objects / (best.serial.totalMs / 1000)));
    expect(row['parallel ÷ serial']).toBe(Math.round((best.parallel.totalMs / best.serial.totalMs) * 100) / 100);
    expect(best.shard.objects).toBeLessThan(best.serial.objects);
  });
});
