// `npm run bench [-- --sizes 100,1000,10000 --clusters 10 --runs 1]`: strata against raw cdk8s and
// the YAML floor at several fleet sizes. Each case runs in a fresh process (peak RSS is its own);
// prints a table and writes bench/results.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Sample {
  mode: 'strata' | 'raw' | 'floor';
  clusters: number;
  workloads: number;
  objects: number;
  files: number;
  bytes: number;
  phases: Record<string, number>;
  totalMs: number;
  peakRssMb: number;
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,10000' },
    clusters: { type: 'string', default: '10' },
    runs: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results.json' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const clusterCount = Number(values.clusters);
const runs = Number(values.runs);

function runCase(mode: Sample['mode'], clusters: number, perCluster: number, workdir: string): Sample {
  const out = execFileSync(process.execPath, ['scripts/run.mjs', 'bench/case.ts', mode, String(clusters), String(perCluster), workdir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, STRATA_QUIET: '1' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Sample;
}

/** The fastest of `runs` runs (the least disturbed by the machine), with the peak RSS of that run. */
function best(samples: Sample[]): Sample {
  return samples.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
}

const results: { size: number; strata: Sample; raw: Sample; floor: Sample }[] = [];
for (const size of sizes) {
  const clusters = Math.min(clusterCount, size);
  const perCluster = Math.max(1, Math.round(size / clusters));
  const collected: Record<Sample['mode'], Sample[]> = { strata: [], raw: [], floor: [] };
  for (let r = 0; r < runs; r++) {
    const workdir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
    for (const mode of ['strata', 'raw', 'floor'] as const) collected[mode].push(runCase(mode, clusters, perCluster, workdir));
    rmSync(workdir, { recursive: true, force: true });
  }
  results.push({ size: clusters * perCluster, strata: best(collected.strata), raw: best(collected.raw), floor: best(collected.floor) });
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);
const rows = results.map(({ size, strata, raw, floor }) => ({
  workloads: size,
  objects: strata.objects,
  files: strata.files,
  'strata ms': Math.round(strata.totalMs),
  'raw ms': Math.round(raw.totalMs),
  'floor ms': Math.round(floor.totalMs),
  'strata÷raw time': ratio(strata.totalMs, raw.totalMs),
  'strata÷floor time': ratio(strata.totalMs, floor.totalMs),
  'strata MB': strata.peakRssMb,
  'raw MB': raw.peakRssMb,
  'floor MB': floor.peakRssMb,
  'strata÷raw mem': ratio(strata.peakRssMb, raw.peakRssMb),
  'strata÷floor mem': ratio(strata.peakRssMb, floor.peakRssMb),
}));
console.table(rows);
for (const { size, strata } of results) {
  console.log(`strata phases at ${size} workloads (ms): ${Object.entries(strata.phases).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
}
const growth = results.length >= 2 ? ratio(results[results.length - 1].strata.totalMs, results[results.length - 2].strata.totalMs) : undefined;
if (growth !== undefined) console.log(`growth: the largest size took ${growth}× the time of the one before it`);

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), machine, results, rows }, null, 2)}\n`);
console.log(`results written to ${values.out}`);
