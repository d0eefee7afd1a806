// Parallel synth (`npm run synth -- --jobs N`): the main thread and up to N − 1 job threads
// render clusters at once, each taking the next cluster from one shared counter; the main thread
// writes every file and merges the findings in fleet order, so the output, the report and the
// exit code are those of a serial synth. A job thread runs the program again (the entry point
// `npm run synth` ran, STRATA_ENTRY); its `fleet.synth()` then renders clusters for the main
// thread instead of writing. Threads not asked for start only once a synth has run for
// JOBS_START_MS with clusters left, so a small fleet never pays their start-up, and only for
// small clusters (SMALL_CLUSTER_OBJECTS). See docs/performance.md.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { StrataError } from '../fleet/errors.js';
import type { PhasedFindings, PhaseTimings, SynthTotals } from './pipeline.js';

/**
 * The variable strata's runner (scripts/run.mjs) sets to `<pid> <URL of the program it runs>
 * [<URL of scripts/unmapped.cjs>]`: a program the first one starts (its own process) inherits it,
 * and must not run the first again.
 */
export const ENTRY_VARIABLE = 'STRATA_ENTRY';

/** What the runner recorded for this process: the program, and the module that loads strata's dependencies unmapped. */
export function runnerOf(value = process.env[ENTRY_VARIABLE]): { readonly entry: string; readonly unmapped?: string } | undefined {
  const m = /^(\d+) (\S+)(?: (\S+))?$/.exec(value ?? '');
  return m && Number(m[1]) === process.pid ? { entry: m[2], unmapped: m[3] } : undefined;
}

/** The program this process runs, as the runner recorded it; undefined in any other process. */
export function entryOf(value = process.env[ENTRY_VARIABLE]): string | undefined {
  return runnerOf(value)?.entry;
}

/** How long a synth runs alone before it starts job threads it was not asked for, in milliseconds. */
export const JOBS_START_MS = 400;

/**
 * Job threads a synth was not asked for start only when the clusters left would take at least this
 * long on one thread (at the pace so far), in milliseconds: a thread takes ~0.5 s to load strata,
 * more on a busy machine, and must win that back.
 */
export const JOBS_WORTH_MS = 5000;

/**
 * Job threads a synth was not asked for start only while its clusters average at most this many
 * objects. On 2 cores, edge clusters (151 objects) rendered on 2 threads take 0.61 of the time of 1;
 * large clusters (5 991 objects) 1.13: both threads then garbage-collect big heaps, work V8 otherwise
 * does on the idle core (docs/performance.md). `--jobs` always starts them.
 */
export const SMALL_CLUSTER_OBJECTS = 1000;

/**
 * A job thread's young generation, in MB (V8's `maxYoungGenerationSizeMb`: semi-spaces of a third
 * of it). V8's own grows to 48 (two 16 MB semi-spaces committed, ~32 MB of a thread's peak), since a
 * cluster's objects survive a scavenge or two while it renders. At 24 a job thread's heap peaked
 * 30 MB lower on the edge fleet for 0.7 s more of collection pauses over a 36 s synth (12: 40 MB
 * lower, 2.0 s more). The main thread's is set when Node starts, before strata runs: V8's own.
 */
export const JOB_YOUNG_GENERATION_MB = 24;

/** One cluster rendered by a job thread: its files, findings by phase (located), counts and times. */
export interface RenderedJob {
  readonly index: number;
  readonly files: [string, string][];
  readonly findings: PhasedFindings;
  readonly totals: SynthTotals;
  readonly timings: PhaseTimings;
}

/** What a job thread posts: a cluster, or its end (the program ended, or failed with `message`). */
export type JobMessage = ({ readonly type: 'cluster' } & RenderedJob) | { readonly type: 'ended'; readonly message?: string };

/** What a job thread is given. */
export interface JobData {
  /**
   * The fleet to render for: its name and which fleet of that name the program made (a program may
   * make several), as `name#n`; see `fleetKey`.
   */
  readonly fleet: string;
  /** The clusters to render, by index: the main thread's selection. */
  readonly clusters: readonly string[];
  readonly outdir: string;
  readonly port: MessagePort;
  /** [0]: the next cluster index to take; [1]: messages posted (waited on by the main thread). */
  readonly shared: Int32Array;
}

const SLOT = { next: 0, posted: 1 } as const;

/**
 * Parses `--jobs` / STRATA_JOBS: a whole number ≥ 1.
 * @throws StrataError naming the text and what is valid
 */
export function parseJobs(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new StrataError(`${JSON.stringify(text)} is not a number of jobs: use a whole number ≥ 1 (1 renders on the main thread only)`);
  return n;
}

/** How many threads may render a synth, and whether the user chose it (threads then start at once). */
export interface Jobs {
  readonly count: number;
  readonly chosen: boolean;
  /** The number asked for, when it was above `maxJobs()` (`count` is then `maxJobs()`). */
  readonly asked?: number;
}

/**
 * The most threads a synth renders on, however many are asked for: twice the cores. Rendering is
 * CPU-bound, so more threads than cores add no speed, and each holds the program and a cluster
 * (~150 MB): `--jobs 1000` on a fleet of thousands would otherwise start a thousand.
 */
export function maxJobs(cores = availableParallelism()): number {
  return 2 * cores;
}

/**
 * How many threads may render: `jobs` if given, else $STRATA_JOBS, else one per core; at most
 * `maxJobs()`. Without strata's runner (STRATA_ENTRY unset: a test, `tsx main.ts`), the program
 * cannot be run again in a thread, so one.
 * @throws StrataError for a `jobs` or $STRATA_JOBS that is not a whole number ≥ 1
 */
export function jobsFor(jobs: number | undefined): Jobs {
  if (jobs !== undefined) parseJobs(String(jobs));
  const variable = process.env.STRATA_JOBS;
  let count = jobs;
  if (count === undefined && variable !== undefined && variable !== '') {
    try {
      count = parseJobs(variable);
    } catch (e) {
      throw e instanceof StrataError ? new StrataError(`STRATA_JOBS: ${e.message}`) : e;
    }
  }
  if (!entryOf()) return { count: 1, chosen: false };
  if (count !== undefined && count > maxJobs()) return { count: maxJobs(), chosen: true, asked: count };
  return { count: count ?? availableParallelism(), chosen: count !== undefined };
}

const made = new Map<string, number>();

/**
 * A key for the fleet named `name` the program is making now: `name#n` for its n-th fleet of that
 * name, the same on every run of the program, so a job thread renders for the fleet the main thread
 * synthesizes, not another of the same name.
 */
export function fleetKey(name: string): string {
  const n = made.get(name) ?? 0;
  made.set(name, n + 1);
  return `${name}#${n}`;
}

/** This thread's job, when it is a job thread rendering for the fleet of key `fleet` (see `fleetKey`). */
export function jobOf(fleet: string): JobData | undefined {
  const job = (workerData as { strataJob?: JobData } | null)?.strataJob;
  return job?.fleet === fleet ? job : undefined;
}

/** True in a job thread, for any fleet: a program's other fleets do nothing there. */
export function inJobThread(): boolean {
  return (workerData as { strataJob?: JobData } | null)?.strataJob !== undefined;
}

/** Takes the next cluster index of the shared counter (main thread and job threads alike). */
export function takeCluster(shared: Int32Array): number {
  return Atomics.add(shared, SLOT.next, 1);
}

/** Posts a rendered cluster to the main thread and wakes it. */
export function postCluster(job: JobData, rendered: RenderedJob): void {
  job.port.postMessage({ type: 'cluster', ...rendered } satisfies JobMessage);
  Atomics.add(job.shared, SLOT.posted, 1);
  Atomics.notify(job.shared, SLOT.posted);
}

/** Set on a job thread's global object once it has posted its end. */
const ENDED = Symbol.for('strata.job.ended');

/** Posts the end of a job thread that rendered all it could: the main thread waits for it no more. */
export function endJob(job: JobData, message?: string): void {
  const thread = globalThis as { [ENDED]?: boolean };
  if (thread[ENDED]) return;
  thread[ENDED] = true;
  job.port.postMessage({ type: 'ended', message } satisfies JobMessage);
  Atomics.add(job.shared, SLOT.posted, 1);
  Atomics.notify(job.shared, SLOT.posted);
}

/**
 * Runs in a job thread: imports the program, then reports that it ended (or how it failed), so the
 * main thread never waits for a thread that will post nothing more.
 */
const THREAD_MAIN = `
const { workerData } = require('node:worker_threads');
const { port, shared } = workerData.strataJob;
const ENDED = Symbol.for('strata.job.ended');
const end = (message) => {
  if (globalThis[ENDED]) return;
  globalThis[ENDED] = true;
  port.postMessage({ type: 'ended', message });
  Atomics.add(shared, 1, 1);
  Atomics.notify(shared, 1);
};
const describe = (e) => (e && e.stack) || String(e);
process.on('uncaughtException', (e) => end(describe(e)));
process.on('exit', () => end('the program exited'));
// strata's dependencies before source maps are on, as the runner loads them (scripts/unmapped.cjs).
if (workerData.unmapped) require(require('node:url').fileURLToPath(workerData.unmapped))();
process.setSourceMapsEnabled(true);
import(workerData.entry).then(() => end(), (e) => end(describe(e)));
`;

/**
 * Runs in the one thread that starts the job threads and watches them: a job thread that dies
 * without a word (out of memory, `process.reallyExit`) runs no code of its own to say so, and the
 * main thread, blocked on the shared counter, cannot hear a worker's `exit` event. This thread's
 * event loop is free, so it hears it, and posts `exited` on the job's exit port.
 */
const SUPERVISOR_MAIN = `
const { Worker, workerData } = require('node:worker_threads');
const { jobs, shared, code } = workerData;
for (const job of jobs) {
  const worker = new Worker(code, { eval: true, argv: job.argv, resourceLimits: job.resourceLimits, stdout: true, stderr: true, workerData: job.workerData, transferList: [job.workerData.strataJob.port] });
  let error;
  worker.on('error', (e) => { error = (e && (e.code ? e.code + ': ' + e.message : e.message)) || String(e); });
  worker.on('exit', (exitCode) => {
    job.exitPort.postMessage({ type: 'exited', code: exitCode, error });
    job.exitPort.close();
    Atomics.add(shared, 1, 1);
    Atomics.notify(shared, 1);
  });
}
`;

/** What the supervisor posts when a job thread has exited, whatever the reason. */
interface ExitMessage {
  readonly type: 'exited';
  readonly code: number;
  /** The error that ended it (`ERR_WORKER_OUT_OF_MEMORY: ...`), when one did. */
  readonly error?: string;
}

/** The job threads of one synth, as the main thread sees them. */
export class JobPool {
  private readonly threads: { readonly port: MessagePort; readonly exitPort: MessagePort; ended: boolean; clusters: number }[] = [];
  private supervisor?: Worker;
  private seen = 0;
  /** Why threads stopped before the program ended, one line each. */
  readonly failures: string[] = [];

  /** The counter of the clusters taken, shared with the threads started later. */
  readonly shared = new Int32Array(new SharedArrayBuffer(8));

  constructor(
    private readonly fleet: string,
    private readonly clusters: readonly string[],
    private readonly outdir: string,
  ) {}

  /**
   * Starts `count` job threads running the program again (its `process.argv` and environment),
   * through a supervisor thread that reports the ones that die without a word.
   */
  start(count: number): void {
    const runner = runnerOf();
    if (!runner || this.supervisor) return;
    const { entry, unmapped } = runner;
    const jobs = [];
    const transfer: MessagePort[] = [];
    for (let i = 0; i < count; i++) {
      const { port1, port2 } = new MessageChannel();
      const exits = new MessageChannel();
      const strataJob: JobData = { fleet: this.fleet, clusters: this.clusters, outdir: this.outdir, port: port2, shared: this.shared };
      jobs.push({ argv: process.argv.slice(2), resourceLimits: { maxYoungGenerationSizeMb: JOB_YOUNG_GENERATION_MB }, workerData: { entry, unmapped, strataJob }, exitPort: exits.port2 });
      transfer.push(port2, exits.port2);
      this.threads.push({ port: port1, exitPort: exits.port1, ended: false, clusters: 0 });
    }
    // What the program prints in its threads is its second run's: never shown (stdout and stderr unread).
    this.supervisor = new Worker(SUPERVISOR_MAIN, { eval: true, stdout: true, stderr: true, workerData: { jobs, shared: this.shared, code: THREAD_MAIN }, transferList: transfer });
    // The main thread never waits for it to exit: it ends with the job threads, or is stopped.
    this.supervisor.unref();
  }

  get started(): number {
    return this.threads.length;
  }

  /** How many job threads rendered at least one cluster. */
  get rendering(): number {
    return this.threads.filter((t) => t.clusters > 0).length;
  }

  /** True while some thread may still post a cluster. */
  get running(): boolean {
    return this.threads.some((t) => !t.ended);
  }

  /** The clusters posted since the last call; records the threads that ended, in a word or not. */
  *receive(): Generator<RenderedJob> {
    this.seen = Atomics.load(this.shared, SLOT.posted);
    for (const thread of this.threads) {
      for (let m = receiveMessageOnPort(thread.port); m; m = receiveMessageOnPort(thread.port)) {
        const message = m.message as JobMessage;
        if (message.type === 'cluster') {
          thread.clusters++;
          yield message;
        } else {
          thread.ended = true;
          if (message.message) this.failures.push(message.message.split('\n')[0]);
        }
      }
      // Read after the thread's own messages: all it posted was queued before it exited.
      const exit = thread.ended ? undefined : (receiveMessageOnPort(thread.exitPort)?.message as ExitMessage | undefined);
      if (exit) {
        thread.ended = true;
        this.failures.push(`it ended without a word: exit code ${exit.code}${exit.error ? `, ${exit.error.split('\n')[0]}` : ''}`);
      }
    }
  }

  /** Blocks until a thread posts something (or `ms` pass): the main thread has nothing else to do. */
  wait(ms = 200): void {
    Atomics.wait(this.shared, SLOT.posted, this.seen, ms);
  }

  /** Stops every thread (after a failed synth, or once every cluster is in). */
  stop(): void {
    for (const t of this.threads) {
      t.port.close();
      t.exitPort.close();
    }
    // Stopping the supervisor stops the job threads it started.
    void this.supervisor?.terminate();
  }

}
