// One strata measurement in a fresh process (so peak RSS is this case's own, job threads included):
//   node scripts/run.mjs bench/strata-case.ts <strata|focus|serial|parallel|shard> <clusters> <workloads per cluster> <workdir>
// `strata` synthesizes the whole generated fleet into <workdir>/strata-out with `fleet.synth()`,
// exactly as `npm run synth` does, and leaves every object it wrote in
// <workdir>/objects/ for the anchors to replay. `focus` builds the same fleet and synthesizes only
// its first cluster, as `npm run synth -- --cluster cluster-0` does. The edge-fleet cases: `serial`
// is `strata` without leaving the objects behind (nothing replays them), `shard` synthesizes the
// clusters of shard 1 of 4, as `npm run synth -- --shard 1/4` does; both on one thread (`--jobs 1`),
// `parallel` on one thread per core as `npm run synth` does. A synth's job threads run this
// program again: only the main thread clears the output and reports.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { jobsFor } from '../lib/synth/jobs.js';
import { performance } from 'node:perf_hooks';
import { readDist } from '../lib/validate/dist.js';
import { benchFleet, clusterName } from './fleet.js';
import { EDGE_SHARD, peakRssMb, report, sizeOf, timed, writeDump, type Mode } from './sample.js';

const [modeArg, clustersArg, workloadsArg, workdir] = process.argv.slice(2);
const mode = modeArg as Mode;
if (!['strata', 'focus', 'serial', 'parallel', 'shard'].includes(mode)) throw new Error(`strata-case: unknown mode ${modeArg}`);
const clusters = Number(clustersArg);
const workloads = Number(workloadsArg);
const outdir = join(workdir, `${mode}-out`);
if (isMainThread) rmSync(outdir, { recursive: true, force: true });

const focus = mode === 'focus' ? [clusterName(0)] : undefined;
const phases: Record<string, number> = {};
const t0 = performance.now();
const fleet = timed(phases, 'declare', () => benchFleet(clusters, workloads, outdir));
const jobs = mode === 'serial' || mode === 'shard' ? 1 : undefined;
const result = fleet.synth(mode === 'shard' ? { shard: EDGE_SHARD, jobs } : { clusters: focus, jobs });
const totalMs = performance.now() - t0;
const peak = peakRssMb();
if (!result) throw new Error('strata-case: the generated fleet does not synthesize');
const { build, resolve, validate, layout, write } = result.timings;
Object.assign(phases, { build, resolve, validate, serialize: layout, write });

// The anchors replay the objects written, read back from the tree (a synth streams them and keeps none).
if (mode === 'strata') {
  const folders = readDist(outdir).clusters.flatMap((c) => [
    ...c.folders.map((f) => ({ dir: f.dir, objects: f.objects.map((o) => o.manifest) })),
    { dir: `clusters/${c.name}`, objects: [...c.layers, ...c.sources].map((o) => o.manifest) },
  ]);
  writeDump(workdir, folders);
}
const objects = result.totals.objects;
report({ mode, clusters, rendered: result.clusters.length, jobs: jobsFor(jobs).count, workloads, objects, ...sizeOf(outdir), phases, totalMs, peakRssMb: peak });
