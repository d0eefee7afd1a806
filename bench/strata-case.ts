// One strata measurement in a fresh process (so peak RSS is this case's own):
//   node scripts/run.mjs bench/strata-case.ts <strata|focus|serial|shard> <clusters> <workloads per cluster> <workdir>
// `strata` synthesizes the whole generated fleet into <workdir>/strata-out with `fleet.synth()`,
// exactly as `npm run synth` does, and leaves every object it wrote in
// <workdir>/objects/ for the anchors to replay. `focus` builds the same fleet and synthesizes only
// its first cluster, as `npm run synth -- --cluster cluster-0` does. The edge-fleet cases: `serial`
// is `strata` without leaving the objects behind (nothing replays them), `shard` synthesizes the
// clusters of shard 1 of 4, as `npm run synth -- --shard 1/4` does.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchFleet, clusterName } from './fleet.js';
import { EDGE_SHARD, peakRssMb, report, sizeOf, timed, writeDump, type Mode } from './sample.js';

const [modeArg, clustersArg, workloadsArg, workdir] = process.argv.slice(2);
const mode = modeArg as Mode;
if (mode !== 'strata' && mode !== 'focus' && mode !== 'serial' && mode !== 'shard') throw new Error(`strata-case: unknown mode ${modeArg}`);
const clusters = Number(clustersArg);
const workloads = Number(workloadsArg);
const outdir = join(workdir, `${mode}-out`);
rmSync(outdir, { recursive: true, force: true });

const focus = mode === 'focus' ? [clusterName(0)] : undefined;
const phases: Record<string, number> = {};
const t0 = performance.now();
const fleet = timed(phases, 'declare', () => benchFleet(clusters, workloads, outdir));
const result = fleet.synth(mode === 'shard' ? { shard: EDGE_SHARD } : { clusters: focus });
const totalMs = performance.now() - t0;
const peak = peakRssMb();
if (!result) throw new Error('strata-case: the generated fleet does not synthesize');
const { build, resolve, validate, layout, write } = result.timings;
Object.assign(phases, { build, resolve, validate, serialize: layout, write });

const folders = result.model.clusters.flatMap((c) => [
  ...c.folders.map((f) => ({ dir: f.dir, objects: f.objects.map((o) => o.manifest) })),
  { dir: `clusters/${c.name}`, objects: [...c.layers, ...c.sources].map((o) => o.manifest) },
]);
if (mode === 'strata') writeDump(workdir, folders);
const objects = folders.reduce((n, f) => n + f.objects.length, 0);
report({ mode, clusters, rendered: result.model.clusters.length, workloads, objects, ...sizeOf(outdir), phases, totalMs, peakRssMb: peak });
