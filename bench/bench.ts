// `npm run bench [-- --sizes 100,1000,10000 --clusters 10 --edge 1000,3000 --runs 3 --out bench/results.json --workdir <dir> --tmp <dir>]`:
// strata against raw cdk8s and the YAML floor on generated fleets (bench/fleet.ts) of several
// sizes (total workloads, spread over `--clusters` clusters). Each case runs in a fresh process,
// so its peak RSS is its own; with `--runs n` every case runs n times and the fastest run counts
// (the one the shared machine disturbed least), the spread is reported as noise. The edge-fleet
// case (issue 18) synthesizes `--edge` clusters × EDGE_WORKLOADS workloads each, whole on one
// thread (`serial`) and on one per core (`parallel`), and one shard of four (`shard`): wall time,
// peak RSS (job threads included) and objects per second side by side.
// `--sizes none` or `--edge none` leaves a part out. Prints a table
// and writes the figures to `--out` (not committed: see docs/performance.md for a reference run).
// Cases write to a temporary folder in memory (/dev/shm) when there is one: the disk of a shared
// machine adds seconds of noise to the tens of thousands of small files every case writes alike;
// `--tmp <dir>` writes elsewhere (e.g. `--tmp /tmp` to include the disk).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EDGE_MODES, EDGE_SHARD, EDGE_WORKLOADS, MODES, type Mode, type Sample } from './sample.js';

const USAGE = 'usage: npm run bench [-- --sizes <n,...|none>] [--clusters <n>] [--edge <n,...|none>] [--runs <n>] [--out <file>] [--workdir <dir>] [--tmp <dir>]';
const HELP = `${USAGE}
Runs strata, raw cdk8s and the YAML floor on generated fleets of each size, and strata on edge
fleets (clusters × ${EDGE_WORKLOADS} workloads, serial and shard ${EDGE_SHARD.index}/${EDGE_SHARD.count}); prints a table and writes the figures.

options:
  --sizes <n,...>   total workloads of each case, or none (default: 100,1000,10000)
  --clusters <n>    clusters the workloads are spread over (default: 10)
  --edge <n,...>    clusters of each edge-fleet case, or none (default: 1000,3000)
  --runs <n>        runs of each case; the fastest counts (default: 3)
  --out <file>      where the figures are written (default: bench/results.json)
  --workdir <dir>   where the generated fleets are kept (default: a temporary folder)
  --tmp <dir>       where the cases write (default: /dev/shm when there is one)
  -h, --help        this text

exit codes:
  0  measured
  1  a case failed (its error printed)
  2  usage`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,1000,10000' },
      clusters: { type: 'string', default: '10' },
      edge: { type: 'string', default: '1000,3000' },
      runs: { type: 'string', default: '3' },
      out: { type: 'string', default: 'bench/results.json' },
      workdir: { type: 'string' },
      tmp: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  console.error(`strata bench: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
/** A comma-separated list of numbers; `none` (or nothing) is an empty list. */
const numbers = (text: string): number[] => (text === '' || text === 'none' ? [] : text.split(',').map(Number));
const sizes = numbers(values.sizes);
const edgeSizes = numbers(values.edge);
const clusterCount = Number(values.clusters);
const runs = Number(values.runs);
if ([...sizes, ...edgeSizes].some((s) => !(s > 0)) || !(clusterCount > 0) || !(runs > 0)) {
  console.error(`strata bench: --sizes, --edge, --clusters and --runs take positive numbers (--sizes and --edge: comma-separated, or none)\n${USAGE}`);
  process.exit(2);
}

/** The case script of each mode: strata's own, or the anchors' (which load nothing of strata). */
const SCRIPT: Record<Mode, string> = { strata: 'bench/strata-case.ts', focus: 'bench/strata-case.ts', serial: 'bench/strata-case.ts', parallel: 'bench/strata-case.ts', shard: 'bench/strata-case.ts', raw: 'bench/case.ts', 'raw-json': 'bench/case.ts', floor: 'bench/case.ts' };

function runCase(mode: Mode, clusters: number, perCluster: number, workdir: string): Sample {
  const out = execFileSync(process.execPath, ['scripts/run.mjs', SCRIPT[mode], mode, String(clusters), String(perCluster), workdir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, STRATA_QUIET: '1' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Sample;
}

interface SizeResult {
  size: number;
  clusters: number;
  perCluster: number;
  /** The fastest run of each mode, with the lowest peak RSS of its runs as `peakRssMb`. */
  best: Record<Mode, Sample>;
  /** Every run's total, per mode, in run order. */
  runsMs: Record<Mode, number[]>;
}

const results: SizeResult[] = [];
const keep = values.workdir;
const scratch = values.tmp ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
for (const size of sizes) {
  const clusters = Math.min(clusterCount, size);
  const perCluster = Math.max(1, Math.round(size / clusters));
  const samples = Object.fromEntries(MODES.map((m) => [m, [] as Sample[]])) as Record<Mode, Sample[]>;
  for (let r = 0; r < runs; r++) {
    const workdir = keep ? join(keep, `${clusters * perCluster}`) : mkdtempSync(join(scratch, 'strata-bench-'));
    mkdirSync(workdir, { recursive: true });
    // strata first: it leaves the objects the other cases replay.
    for (const mode of MODES) samples[mode].push(runCase(mode, clusters, perCluster, workdir));
    if (!keep) rmSync(workdir, { recursive: true, force: true });
    process.stderr.write(`bench: ${clusters * perCluster} workloads, run ${r + 1}/${runs}: ${MODES.map((m) => `${m} ${Math.round(samples[m][r].totalMs)} ms`).join(', ')}\n`);
  }
  const best = Object.fromEntries(MODES.map((m) => {
    const fastest = samples[m].reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
    return [m, { ...fastest, peakRssMb: Math.min(...samples[m].map((s) => s.peakRssMb)) }];
  })) as Record<Mode, Sample>;
  const runsMs = Object.fromEntries(MODES.map((m) => [m, samples[m].map((s) => Math.round(s.totalMs))])) as Record<Mode, number[]>;
  results.push({ size: clusters * perCluster, clusters, perCluster, best, runsMs });
}

/** The edge fleet at one size: the fastest run of each edge case, with the lowest peak RSS of its runs. */
interface EdgeResult {
  clusters: number;
  perCluster: number;
  best: Record<EdgeMode, Sample>;
  runsMs: Record<EdgeMode, number[]>;
}
type EdgeMode = (typeof EDGE_MODES)[number];

const edge: EdgeResult[] = [];
for (const clusters of edgeSizes) {
  const samples = Object.fromEntries(EDGE_MODES.map((m) => [m, [] as Sample[]])) as Record<EdgeMode, Sample[]>;
  for (let r = 0; r < runs; r++) {
    const workdir = keep ? join(keep, `edge-${clusters}`) : mkdtempSync(join(scratch, 'strata-bench-'));
    mkdirSync(workdir, { recursive: true });
    for (const mode of EDGE_MODES) samples[mode].push(runCase(mode, clusters, EDGE_WORKLOADS, workdir));
    if (!keep) rmSync(workdir, { recursive: true, force: true });
    process.stderr.write(`bench: edge fleet ${clusters} × ${EDGE_WORKLOADS}, run ${r + 1}/${runs}: ${EDGE_MODES.map((m) => `${m} ${Math.round(samples[m][r].totalMs)} ms`).join(', ')}\n`);
  }
  const fastest = (all: Sample[]) => ({ ...all.reduce((a, b) => (b.totalMs < a.totalMs ? b : a)), peakRssMb: Math.min(...all.map((s) => s.peakRssMb)) });
  edge.push({
    clusters,
    perCluster: EDGE_WORKLOADS,
    best: Object.fromEntries(EDGE_MODES.map((m) => [m, fastest(samples[m])])) as Record<EdgeMode, Sample>,
    runsMs: Object.fromEntries(EDGE_MODES.map((m) => [m, samples[m].map((x) => Math.round(x.totalMs))])) as Record<EdgeMode, number[]>,
  });
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);
const rows = results.map(({ size, clusters, best: { strata, focus, raw, 'raw-json': rawJson, floor } }) => ({
  workloads: size,
  objects: strata.objects,
  files: strata.files,
  MB: Math.round(strata.bytes / 2 ** 20 * 10) / 10,
  'strata ms': Math.round(strata.totalMs),
  'raw ms': Math.round(raw.totalMs),
  'raw-json ms': Math.round(rawJson.totalMs),
  'floor ms': Math.round(floor.totalMs),
  '÷raw': ratio(strata.totalMs, raw.totalMs),
  '÷raw-json': ratio(strata.totalMs, rawJson.totalMs),
  '÷floor': ratio(strata.totalMs, floor.totalMs),
  'strata RSS': strata.peakRssMb,
  'raw RSS': raw.peakRssMb,
  'floor RSS': floor.peakRssMb,
  'RSS ÷raw': ratio(strata.peakRssMb, raw.peakRssMb),
  'RSS ÷floor': ratio(strata.peakRssMb, floor.peakRssMb),
  [`focus 1/${clusters} ms`]: Math.round(focus.totalMs),
  'focus ÷strata': ratio(focus.totalMs, strata.totalMs),
}));
if (rows.length > 0) console.table(rows);
const perSecond = (s: Sample) => Math.round(s.objects / (s.totalMs / 1000));
const edgeRows = edge.map(({ clusters, perCluster, best: { serial, parallel, shard } }) => ({
  clusters,
  workloads: clusters * perCluster,
  objects: serial.objects,
  'serial ms': Math.round(serial.totalMs),
  'serial RSS': serial.peakRssMb,
  'serial obj/s': perSecond(serial),
  [`parallel (${parallel.jobs} threads) ms`]: Math.round(parallel.totalMs),
  'parallel RSS': parallel.peakRssMb,
  'parallel obj/s': perSecond(parallel),
  'parallel ÷ serial': ratio(parallel.totalMs, serial.totalMs),
  [`shard ${EDGE_SHARD.index}/${EDGE_SHARD.count} clusters`]: shard.rendered,
  'shard objects': shard.objects,
  'shard ms': Math.round(shard.totalMs),
  'shard RSS': shard.peakRssMb,
  'shard obj/s': perSecond(shard),
  'shard ÷ serial': ratio(shard.totalMs, serial.totalMs),
}));
if (edgeRows.length > 0) {
  console.log(`edge fleet: clusters × ${EDGE_WORKLOADS} workloads, on one thread (serial), one per core (parallel), and shard ${EDGE_SHARD.index}/${EDGE_SHARD.count} on one thread`);
  console.table(edgeRows);
  for (const { clusters, best } of edge) {
    for (const mode of EDGE_MODES) console.log(`${mode} phases at ${clusters} clusters (ms, summed over threads): ${Object.entries(best[mode].phases).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
  }
}
for (const { size, best } of results) {
  console.log(`strata phases at ${size} workloads (ms): ${Object.entries(best.strata.phases).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
}
const noise = results.map(({ size, runsMs }) => ({
  size,
  spread: Object.fromEntries(MODES.map((m) => [m, `${Math.round(((Math.max(...runsMs[m]) - Math.min(...runsMs[m])) / Math.min(...runsMs[m])) * 100)}%`])),
}));
if (runs > 1) for (const { size, spread } of noise) console.log(`noise at ${size} (slowest run ÷ fastest − 1): ${Object.entries(spread).map(([m, s]) => `${m} ${s}`).join(', ')}`);

/** The targets of issue 7, as read from this run. */
const targets: { target: string; value: number; limit: number; met: boolean }[] = [];
for (const { size, best } of results) {
  const time = ratio(best.strata.totalMs, best.raw.totalMs);
  const memory = ratio(best.strata.peakRssMb, best.raw.peakRssMb);
  targets.push({ target: `time ÷ raw at ${size}`, value: time, limit: 1.25, met: time <= 1.25 });
  targets.push({ target: `memory ÷ raw at ${size}`, value: memory, limit: 1.5, met: memory <= 1.5 });
}
for (let i = 1; i < results.length; i++) {
  const [a, b] = [results[i - 1], results[i]];
  const limit = Math.round((b.size / a.size) * 1.1 * 100) / 100;
  const growth = ratio(b.best.strata.totalMs, a.best.strata.totalMs);
  targets.push({ target: `time at ${b.size} ÷ time at ${a.size}`, value: growth, limit, met: growth <= limit });
}
/** Issue 18's figures for the synth before streaming, measured on these 2 cores: 1 000 × 20 took 42.5 s and 948 MB. */
const EDGE_BEFORE = { clusters: 1000, ms: 42_500 } as const;
for (const { clusters, best } of edge) {
  const at = `at ${clusters} × ${EDGE_WORKLOADS}`;
  // Memory bounded by one cluster: 300 MB at 1 000 clusters, within 1 GB at any size.
  const memoryLimit = clusters <= 1000 ? 300 : 1024;
  targets.push({ target: `serial peak RSS (MB) ${at}`, value: best.serial.peakRssMb, limit: memoryLimit, met: best.serial.peakRssMb <= memoryLimit });
  if (clusters === EDGE_BEFORE.clusters) {
    const share = ratio(best.parallel.totalMs, EDGE_BEFORE.ms);
    targets.push({ target: `parallel time ÷ the synth before streaming (${EDGE_BEFORE.ms} ms) ${at}`, value: share, limit: 0.6, met: share <= 0.6 });
  }
  // One shard of four costs at most 0.3 of the whole synth.
  const share = ratio(best.shard.totalMs, best.serial.totalMs);
  targets.push({ target: `shard ${EDGE_SHARD.index}/${EDGE_SHARD.count} time ÷ serial ${at}`, value: share, limit: 0.3, met: share <= 0.3 });
}
for (let i = 1; i < edge.length; i++) {
  // Linear in time, flat in memory, as the fleet grows.
  const [a, b] = [edge[i - 1], edge[i]];
  const limit = Math.round((b.clusters / a.clusters) * 1.1 * 100) / 100;
  const growth = ratio(b.best.serial.totalMs, a.best.serial.totalMs);
  targets.push({ target: `serial time at ${b.clusters} ÷ at ${a.clusters} clusters`, value: growth, limit, met: growth <= limit });
  const memory = ratio(b.best.serial.peakRssMb, a.best.serial.peakRssMb);
  targets.push({ target: `serial peak RSS at ${b.clusters} ÷ at ${a.clusters} clusters`, value: memory, limit: 1.1, met: memory <= 1.1 });
}
for (const t of targets) console.log(`${t.met ? 'met    ' : 'NOT MET'} ${t.target}: ${t.value} (≤ ${t.limit})`);

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), machine, scratch: keep ?? scratch, runs, results, rows, edge, edgeRows, noise, targets }, null, 2)}\n`);
console.log(`results written to ${values.out}`);
