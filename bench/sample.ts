// What every benchmark case measures and how the strata case hands its objects to the others.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { listFiles } from '../lib/synth/writer.js';

/**
 * The cases: strata (full synth as `npm run synth` runs it: one thread per core), focus (one
 * cluster of the same fleet), the raw cdk8s anchors and the YAML floor.
 */
export const MODES = ['strata', 'focus', 'raw', 'raw-json', 'floor'] as const;
/**
 * The edge-fleet cases (issue 18): many small clusters, `serial` the full synth on one thread
 * (`--jobs 1`), `parallel` on one thread per core (the default), `shard` the fleet's shard 1/4 on
 * one thread (one runner of a CI matrix).
 */
export const EDGE_MODES = ['serial', 'parallel', 'shard'] as const;
/** The shard the `shard` case renders: one runner of a four-runner CI matrix. */
export const EDGE_SHARD = { index: 1, count: 4 } as const;
/** Workloads per cluster of the edge fleet: a store's or a site's few dozen services. */
export const EDGE_WORKLOADS = 20;
export type Mode = (typeof MODES)[number] | (typeof EDGE_MODES)[number];

/** One measured run of one case, printed by the case script as one JSON line. */
export interface Sample {
  mode: Mode;
  clusters: number;
  /** Clusters synthesized: all of them, one for `focus`, the shard's for `shard` (strata's cases only). */
  rendered?: number;
  /** Threads that may render (strata's cases only). */
  jobs?: number;
  /** Workloads per cluster. */
  workloads: number;
  /** Kubernetes objects written. */
  objects: number;
  files: number;
  bytes: number;
  /** Milliseconds per phase, in order. */
  phases: Record<string, number>;
  /** Milliseconds from the first construct to the last file written (module loading excluded). */
  totalMs: number;
  /** Peak resident set size of the whole process (module loading included). */
  peakRssMb: number;
}

/** One folder of plain manifests: a dist/ folder strata wrote (or `clusters/<name>` for the Flux objects). */
export interface DumpedFolder {
  readonly dir: string;
  readonly objects: Record<string, unknown>[];
}

/**
 * The strata case leaves every object it wrote in `<workdir>/objects/<n>.json`, one file per
 * folder (so a replaying case never holds the whole text at once), for the anchors to replay.
 */
export function writeDump(workdir: string, folders: readonly DumpedFolder[]): void {
  const dir = join(workdir, 'objects');
  mkdirSync(dir, { recursive: true });
  folders.forEach((f, i) => writeFileSync(join(dir, `${String(i).padStart(5, '0')}.json`), JSON.stringify(f)));
}

export function readDump(workdir: string, reviver?: (key: string, value: unknown) => unknown): DumpedFolder[] {
  const dir = join(workdir, 'objects');
  return readdirSync(dir).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'), reviver) as DumpedFolder);
}

export function sizeOf(dir: string): { files: number; bytes: number } {
  const files = listFiles(dir);
  return { files: files.length, bytes: files.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0) };
}

export function timed<T>(phases: Record<string, number>, name: string, fn: () => T): T {
  const t = performance.now();
  const result = fn();
  phases[name] = (phases[name] ?? 0) + performance.now() - t;
  return result;
}

/** The process's peak RSS so far, in MB: read right after the measured work, before any bookkeeping. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Prints the sample as the last line of stdout. */
export function report(sample: Sample): void {
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}
