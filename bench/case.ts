// One anchor measurement in a fresh process (so peak RSS is this case's own), replaying the
// objects the strata case wrote (<workdir>/objects/), so every case handles exactly the same
// Kubernetes objects:
//   node scripts/run.mjs bench/case.ts <raw|raw-json|floor> <clusters> <workloads per cluster> <workdir>
// This file imports nothing of strata but the file lister, so the anchors' memory is their own.
//   raw       the objects declared through the L1 classes (k8s.KubeDeployment, imports/ CRD classes),
//             one chart per folder and namespace, written by cdk8s `app.synth()`
//             (FOLDER_PER_CHART_FILE_PER_RESOURCE): what the same output costs a cdk8s user.
//   raw-json  the same through plain `ApiObject`s holding the JSON manifests: cdk8s without its
//             typed bindings (no props conversion), a lower bound of raw.
//   floor     the `yaml` library stringifying each plain object into a file of its own.
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { chartId } from './compare.js';
import { l1Props, type L1Class } from './anchor.js';
import { peakRssMb, readDump, report, sizeOf, timed, type DumpedFolder, type Mode } from './sample.js';

const [modeArg, clustersArg, workloadsArg, workdir] = process.argv.slice(2);
const mode = modeArg as Mode;
if (mode !== 'raw' && mode !== 'raw-json' && mode !== 'floor') throw new Error(`case: unknown mode ${modeArg}`);
const clusters = Number(clustersArg);
const workloads = Number(workloadsArg);
const outdir = join(workdir, `${mode}-out`);
rmSync(outdir, { recursive: true, force: true });

/** What one chart declares: an object's class and props (a plain ApiObject when `cls` is undefined). */
interface Declared {
  readonly cls?: L1Class;
  readonly props: Record<string, unknown>;
}

/**
 * One chart per folder and namespace: cdk8s names a file `<Kind>.<name>`, so objects of one
 * kind and name in two namespaces (each tenant's `default-deny` policy) need charts of their own.
 */
function charts(folders: readonly DumpedFolder[], typed: boolean): Map<string, Declared[]> {
  const result = new Map<string, Declared[]>();
  for (const folder of folders) {
    for (const manifest of folder.objects) {
      const id = chartId(folder.dir, (manifest.metadata as { namespace?: string }).namespace);
      const declared = (typed ? l1Props(manifest) : undefined) ?? { props: manifest };
      const chart = result.get(id) ?? [];
      chart.push(declared);
      result.set(id, chart);
    }
  }
  return result;
}

function runCdk8s(typed: boolean): void {
  const declared = charts(readDump(workdir), typed);
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const app = timed(phases, 'declare', () => {
    const a = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    for (const [id, objects] of declared) {
      const chart = new Chart(a, id, { disableResourceNameHashes: true });
      objects.forEach(({ cls, props }, j) => (cls ? new cls(chart, `o${j}`, props as never) : new ApiObject(chart, `o${j}`, props as never)));
    }
    return a;
  });
  timed(phases, 'synth', () => app.synth());
  const totalMs = performance.now() - t0;
  const peak = peakRssMb();
  const objects = [...declared.values()].reduce((n, o) => n + o.length, 0);
  report({ mode, clusters, workloads, objects, ...sizeOf(outdir), phases, totalMs, peakRssMb: peak });
}

function runFloor(): void {
  const folders = readDump(workdir);
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const files = timed(phases, 'serialize', () => {
    const out = new Map<string, string>();
    for (const folder of folders) folder.objects.forEach((o, j) => out.set(`${folder.dir}/${j}.yaml`, stringify(o, { lineWidth: 0 })));
    return out;
  });
  timed(phases, 'write', () => {
    const made = new Set<string>();
    for (const [rel, content] of files) {
      const dir = join(outdir, rel, '..');
      if (!made.has(dir)) mkdirSync(dir, { recursive: true });
      made.add(dir);
      writeFileSync(join(outdir, rel), content);
    }
  });
  const totalMs = performance.now() - t0;
  const peak = peakRssMb();
  report({ mode, clusters, workloads, objects: files.size, ...sizeOf(outdir), phases, totalMs, peakRssMb: peak });
}

if (mode === 'floor') runFloor();
else runCdk8s(mode === 'raw');
