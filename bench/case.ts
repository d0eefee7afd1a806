// One benchmark measurement in a fresh process (so peak RSS is this case's own):
//   node scripts/run.mjs bench/case.ts <strata|raw|floor> <clusters> <workloads per cluster> <workdir>
// Prints one JSON line. `strata` also leaves the plain objects in <workdir>/objects.json, which the
// `raw` and `floor` cases replay, so all three handle exactly the same Kubernetes objects.
import { App, ApiObject, Chart, YamlOutputType } from 'cdk8s';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { listFiles, writeTree } from '../lib/synth/writer.js';
import { benchFleet } from './fleet.js';

interface Sample {
  mode: string;
  clusters: number;
  workloads: number;
  objects: number;
  files: number;
  bytes: number;
  phases: Record<string, number>;
  totalMs: number;
  peakRssMb: number;
}

/** One plain object per written Kubernetes object, grouped by cluster and layer folder. */
interface ObjectsDump {
  readonly folders: { dir: string; objects: Record<string, unknown>[] }[];
}

const [mode, clustersArg, workloadsArg, workdir] = process.argv.slice(2);
const clusters = Number(clustersArg);
const workloads = Number(workloadsArg);
const outdir = join(workdir, `${mode}-out`);
rmSync(outdir, { recursive: true, force: true });

function sizeOf(dir: string): { files: number; bytes: number } {
  const files = listFiles(dir);
  return { files: files.length, bytes: files.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0) };
}

function timed<T>(phases: Record<string, number>, name: string, fn: () => T): T {
  const t = performance.now();
  const result = fn();
  phases[name] = performance.now() - t;
  return result;
}

function runStrata(): Sample {
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const fleet = timed(phases, 'construct', () => benchFleet(clusters, workloads, outdir));
  const rendered = fleet.render();
  Object.assign(phases, { build: rendered.timings.build, resolve: rendered.timings.resolve, validate: rendered.timings.validate, serialize: rendered.timings.layout });
  timed(phases, 'write', () => writeTree(outdir, rendered.files, rendered.model.clusters.map((c) => c.name)));
  const totalMs = performance.now() - t0;
  const dump: ObjectsDump = {
    folders: rendered.model.clusters.flatMap((c) => [
      ...c.folders.map((f) => ({ dir: f.dir, objects: f.objects.map((o) => o.manifest) })),
      { dir: `clusters/${c.name}`, objects: [...c.layers, ...c.sources].map((o) => o.manifest) },
    ]),
  };
  writeFileSync(join(workdir, 'objects.json'), JSON.stringify(dump));
  const objects = dump.folders.reduce((n, f) => n + f.objects.length, 0);
  return { mode, clusters, workloads, objects, ...sizeOf(outdir), phases, totalMs, peakRssMb: 0 };
}

function loadDump(): ObjectsDump {
  return JSON.parse(readFileSync(join(workdir, 'objects.json'), 'utf8')) as ObjectsDump;
}

/** Raw cdk8s: the same objects as ApiObjects in one chart per folder, written by `app.synth()`. */
function runRaw(dump: ObjectsDump): Sample {
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const app = timed(phases, 'construct', () => {
    const a = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    dump.folders.forEach((folder, i) => {
      const chart = new Chart(a, `c${i}`, { disableResourceNameHashes: true });
      folder.objects.forEach((manifest, j) => new ApiObject(chart, `o${j}`, manifest as never));
    });
    return a;
  });
  timed(phases, 'synth', () => app.synth());
  const totalMs = performance.now() - t0;
  const objects = dump.folders.reduce((n, f) => n + f.objects.length, 0);
  return { mode, clusters, workloads, objects, ...sizeOf(outdir), phases, totalMs, peakRssMb: 0 };
}

/** The serialization floor: the YAML library writing the same plain objects, one file each. */
function runFloor(dump: ObjectsDump): Sample {
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const files = timed(phases, 'serialize', () => {
    const out = new Map<string, string>();
    dump.folders.forEach((folder) => folder.objects.forEach((o, j) => out.set(`${folder.dir}/${j}.yaml`, stringify(o, { lineWidth: 0 }))));
    return out;
  });
  timed(phases, 'write', () => {
    for (const [rel, content] of files) {
      mkdirSync(join(outdir, rel, '..'), { recursive: true });
      writeFileSync(join(outdir, rel), content);
    }
  });
  const totalMs = performance.now() - t0;
  return { mode, clusters, workloads, objects: files.size, ...sizeOf(outdir), phases, totalMs, peakRssMb: 0 };
}

const sample = mode === 'strata' ? runStrata() : mode === 'raw' ? runRaw(loadDump()) : runFloor(loadDump());
sample.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(sample)}\n`);
