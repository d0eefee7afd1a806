// `--jobs N`: job threads run the program again and render clusters for the main thread, which
// writes (lib/synth/jobs.ts). Through the real runner (scripts/run.mjs), on the fixture
// test/fixtures/jobs/fleet.ts: the bytes, the report and the exit code are those of one thread.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRY_VARIABLE, entryOf, jobsFor, maxJobs, parseJobs } from '../lib/synth/jobs.js';
import { listFiles } from '../lib/synth/writer.js';

const FIXTURE = 'test/fixtures/jobs/fleet.ts';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly tree: Record<string, string>;
  /** What synth() returned, as the fixture printed it. */
  readonly result: { threads: number; files: number } | undefined;
}

/** Runs the fixture with `jobs` threads into a new folder; the main thread is slowed (0.7 s a cluster) so job threads surely take clusters, even on a busy machine. */
function run(jobs: string, env: Record<string, string> = {}): Run {
  const out = join(mkdtempSync(join(tmpdir(), 'strata-jobs-')), 'dist');
  const base: Record<string, string | undefined> = { ...process.env, STRATA_JOBS: jobs, CDK8S_OUTDIR: out, JOBS_FIXTURE_SLOW_MAIN: '700', ...env };
  delete base.STRATA_QUIET;
  delete base[ENTRY_VARIABLE];
  // A synth waiting for a thread that will never post hangs: killed after two minutes, it fails (status null).
  const r = spawnSync(process.execPath, ['scripts/run.mjs', FIXTURE], { encoding: 'utf8', env: base, timeout: 120_000 });
  const tree = Object.fromEntries(listFiles(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  const line = r.stdout.split('\n').find((l) => l.startsWith('result: '));
  const printed = line?.slice('result: '.length);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, tree, result: printed && printed !== 'undefined' ? JSON.parse(printed) : undefined };
}

/** strata's lines of stdout without the milliseconds and the output folder, which differ from run to run. */
const steady = (stdout: string): string[] =>
  stdout.split('\n').filter((l) => l.startsWith('strata')).map((l) => l.replace(/ in \d+ ms/g, ' in N ms').replace(/→ \S+ /g, '→ OUT '));

describe('--jobs', () => {
  const serial = run('1');

  test('three threads write the bytes one thread writes, and say the same', () => {
    const parallel = run('3');
    expect(serial.status).toBe(0);
    expect(parallel.status).toBe(0);
    expect(serial.result?.threads).toBe(1);
    // The main thread takes 700 ms a cluster and threads start in about 0.5 s (more on a busy machine): they render some of the seven.
    expect(parallel.result?.threads).toBeGreaterThan(1);
    expect(Object.keys(parallel.tree)).toHaveLength(serial.result?.files ?? -1);
    expect(parallel.tree).toEqual(serial.tree);
    expect(steady(parallel.stdout)).toEqual(steady(serial.stdout));
    expect(steady(serial.stdout)).toEqual(['strata: 7 clusters, 21 layers, 243 objects, 257 files → OUT in N ms']);
    expect(parallel.stderr).toBe('');
  });

  test('a fleet with mistakes gets the same report, in the same order, and the same exit code, whatever the threads', () => {
    const one = run('1', { JOBS_FIXTURE_MISTAKES: '1' });
    const three = run('3', { JOBS_FIXTURE_MISTAKES: '1' });
    expect([one.status, three.status]).toEqual([1, 1]);
    expect(three.stderr).toBe(one.stderr);
    // Phase by phase: the build error (edge-2, the last cluster) first, then the constructs' own
    // validations (dev-a's Service name, prod-b's port) in fleet order.
    expect(one.stderr.split('\n').filter((l) => /^[a-z0-9-]+$/.test(l))).toEqual(['edge-2', 'dev-a', 'prod-b']);
    expect(one.stderr).toMatch(/^strata: 3 errors, nothing written\n/);
    expect([one.tree, three.tree]).toEqual([{}, {}]);
  });

  test('threads whose program fails are reported in one line, and the main thread renders their clusters', () => {
    const failing = run('3', { JOBS_FIXTURE_THREAD: 'throw' });
    expect(failing.status).toBe(0);
    expect(failing.tree).toEqual(serial.tree);
    expect(failing.result?.threads).toBe(1);
    expect(failing.stderr).toBe('strata: 2 job threads stopped (Error: this program cannot run in a job thread); the main thread rendered the clusters they had taken\n');
  });

  test('a thread that dies without a word (out of memory, say) holding a cluster: reported, and the main thread renders the cluster', () => {
    // The main thread takes 1.2 s a cluster (and renders all seven): the thread starts, even on a loaded machine, while clusters are left.
    const dying = run('2', { JOBS_FIXTURE_THREAD: 'die', JOBS_FIXTURE_SLOW_MAIN: '1200' });
    expect(dying.status).toBe(0);
    expect(dying.tree).toEqual(serial.tree);
    expect(dying.result?.threads).toBe(1);
    expect(dying.stderr).toBe('strata: 1 job thread stopped (it ended without a word: exit code 70); the main thread rendered the clusters it had taken\n');
  });

  /** What each thread counted as it built each cluster: `[thread, built so far, Cluster objects alive]`. */
  function builds(jobs: string, env: Record<string, string>): { run: Run; builds: [string, number, number][] } {
    const counts = join(mkdtempSync(join(tmpdir(), 'strata-jobs-live-')), 'live.txt');
    const r = run(jobs, { ...env, JOBS_FIXTURE_LIVE: counts });
    const lines = readFileSync(counts, 'utf8').trim().split('\n').map((l) => l.split(' '));
    return { run: r, builds: lines.map(([thread, built, alive]) => [thread, Number(built), Number(alive)]) };
  }

  test('a job thread keeps no cluster it rendered: what it holds is bounded by one cluster, as on the main thread', () => {
    const { run: threads, builds: all } = builds('3', {});
    expect(threads.status).toBe(0);
    expect(threads.tree).toEqual(serial.tree);
    const jobs = all.filter(([thread]) => thread === 'job');
    // Threads built clusters, some several: as each built its next, the clusters it had rendered were
    // gone, and the fleet held its seven declared ones (each rendered one replaced by an unbuilt copy).
    expect(jobs.some(([, built]) => built > 1)).toBe(true);
    expect(jobs.map(([, , alive]) => alive)).toEqual(jobs.map(() => 7));
  });

  test("strata's dependencies keep no source map, in the main thread and in job threads; the program's stacks still name its TypeScript lines", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'strata-jobs-maps-')), 'maps.txt');
    const r = run('2', { JOBS_FIXTURE_MAPS: file });
    expect(r.status).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));
    expect(lines.map(([thread]) => thread).sort()).toEqual(['job', 'main']);
    // Without loading them first (scripts/unmapped.cjs): 131 modules of cdk8s, cdk8s-plus-27, constructs and ajv, in each thread.
    expect(lines.map(([, mapped]) => Number(mapped))).toEqual([0, 0]);
    for (const [, , , ...frame] of lines) expect(frame.join(' ')).toMatch(/test\/fixtures\/jobs\/fleet\.ts:\d+:\d+\)?$/);
    // The runner's bundles (the program's, the library it imports, the schema models that imports)
    // are ASCII, so V8 keeps their text one byte per character.
    const bundles = [fileURLToPath(lines[0][2])];
    for (let i = 0; i < 2; i++) bundles.push(/from "([^"]+-\w{12}\.mjs)"/.exec(readFileSync(bundles[i], 'utf8'))?.[1] ?? 'none');
    expect(bundles.map((b) => basename(b).replace(/-\w+\.mjs$/, ''))).toEqual(['fleet', 'index', 'models']);
    for (const bundle of bundles) expect(`${bundle}: ${/[^\x00-\x7f]/.test(readFileSync(bundle, 'utf8'))}`).toBe(`${bundle}: false`);
  });

  test.each([
    ['the whole fleet', {}, 7],
    ['a shard', { STRATA_SHARD: '1/2' }, 4],
    ['clusters by name', { STRATA_CLUSTERS: 'dev-a,prod-b,prod-c,edge-2' }, 4],
  ])('on one thread, %s: as each cluster is built, the ones written before it are gone', (_, env, rendered) => {
    const { run: one, builds: all } = builds('1', { ...env, JOBS_FIXTURE_SLOW_MAIN: '0' });
    expect(one.status).toBe(0);
    expect(all.map(([thread, built]) => [thread, built])).toEqual(Array.from({ length: rendered }, (_, i) => ['main', i + 1]));
    expect(all.map(([, , alive]) => alive)).toEqual(all.map(() => 7));
  });

  test('a program that declares other clusters in a thread: the cluster is rendered by the main thread, and named', () => {
    // The main thread takes 2 s a cluster: the thread starts while clusters are left, and takes the last one, edge-2.
    const differing = run('2', { JOBS_FIXTURE_THREAD: 'missing', JOBS_FIXTURE_SLOW_MAIN: '2000' });
    expect(differing.status).toBe(0);
    expect(differing.tree).toEqual(serial.tree);
    expect(differing.stderr).toMatch(/^strata: 1 job thread stopped \(StrataError: cluster "edge-2" is not declared when the program runs again in a job thread: declare the same clusters on every run/);
  });

  test('a second synth in the program renders on one thread: threads run the program only up to its first', () => {
    const one = run('1', { JOBS_FIXTURE_TWICE: '1' });
    const three = run('3', { JOBS_FIXTURE_TWICE: '1' });
    expect([one.status, three.status]).toEqual([0, 0]);
    expect(three.tree).toEqual(one.tree);
    expect(Object.keys(one.tree)).toContain('late/apps/shop/deployment-extra.yaml');
    expect(Object.keys(one.tree)).toContain('dev-a/apps/shop/deployment-extra.yaml');
    const threads = three.stdout.split('\n').filter((l) => l.startsWith('result: ')).map((l) => JSON.parse(l.slice('result: '.length)).threads);
    expect(threads[0]).toBeGreaterThan(1);
    expect(threads[1]).toBe(1);
    expect(three.stderr).toBe('');
  });

  test('far more jobs than cores: the bytes of one thread, on at most twice the cores, and a note saying so', () => {
    const many = run('99999');
    expect(many.status).toBe(0);
    expect(many.tree).toEqual(serial.tree);
    expect(many.result?.threads).toBeLessThanOrEqual(maxJobs());
    expect(many.stderr).toBe(`strata: 99999 jobs asked for: rendered on at most ${maxJobs()} threads, twice this machine's cores (more add memory, not speed)\n`);
  });

  test('STRATA_JOBS that is not a whole number ≥ 1 is a usage error: one line, exit 2, nothing written', () => {
    const bad = run('0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('strata: STRATA_JOBS: "0" is not a number of jobs: use a whole number ≥ 1 (1 renders on the main thread only); nothing written\n');
    expect(bad.tree).toEqual({});
  });

  test('npm run synth -- --jobs takes a whole number ≥ 1', () => {
    const r = spawnSync(process.execPath, ['scripts/synth.mjs', '--jobs', 'many'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^strata synth: --jobs many: use a whole number ≥ 1 \(1 renders on one thread\)\nusage: npm run synth .*\[--jobs <n>\]/);
    // A negative number is told what is valid, as any other (Node's parser would call it an ambiguous option).
    for (const args of [['--jobs', '-1'], ['-j', '-2'], ['--jobs=-1']]) {
      const dash = spawnSync(process.execPath, ['scripts/synth.mjs', ...args], { encoding: 'utf8' });
      expect(dash.status).toBe(2);
      expect(dash.stderr.split('\n')).toEqual([`strata synth: --jobs ${args.at(-1)!.replace('--jobs=', '')}: use a whole number ≥ 1 (1 renders on one thread)`, expect.stringMatching(/^usage: npm run synth /), '']);
    }
    // A value that is another option is still Node's words, in one line.
    const missing = spawnSync(process.execPath, ['scripts/synth.mjs', '--jobs', '--cluster'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr.split('\n')[0]).toMatch(/^strata synth: Option '--jobs' argument is ambiguous/);
    const help = spawnSync(process.execPath, ['scripts/synth.mjs', '--help'], { encoding: 'utf8' });
    expect(help.stdout).toContain('-j, --jobs <n>');
  });
});

describe('how many threads', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('one without strata runner (a test, tsx main.ts): the program cannot be run again', () => {
    delete process.env[ENTRY_VARIABLE];
    expect(jobsFor(4)).toEqual({ count: 1, chosen: false });
  });

  test('the runner records its own process: another process that inherits the variable does not use it', () => {
    expect(entryOf(`${process.pid} file:///app/main.mjs`)).toBe('file:///app/main.mjs');
    expect(entryOf(`${process.pid + 1} file:///app/main.mjs`)).toBeUndefined();
    expect(entryOf('file:///app/main.mjs')).toBeUndefined();
  });

  test('--jobs, else STRATA_JOBS, else one per core, under the runner', () => {
    process.env[ENTRY_VARIABLE] = `${process.pid} file:///app/main.mjs`;
    expect(jobsFor(3)).toEqual({ count: 3, chosen: true });
    process.env.STRATA_JOBS = '2';
    expect(jobsFor(undefined)).toEqual({ count: 2, chosen: true });
    delete process.env.STRATA_JOBS;
    expect(jobsFor(undefined).chosen).toBe(false);
    expect(jobsFor(undefined).count).toBeGreaterThanOrEqual(1);
  });

  test('at most twice the cores, however many are asked for: each thread holds the program and a cluster', () => {
    process.env[ENTRY_VARIABLE] = `${process.pid} file:///app/main.mjs`;
    expect(maxJobs(2)).toBe(4);
    expect(jobsFor(maxJobs())).toEqual({ count: maxJobs(), chosen: true });
    expect(jobsFor(99999)).toEqual({ count: maxJobs(), chosen: true, asked: 99999 });
    process.env.STRATA_JOBS = '5000';
    expect(jobsFor(undefined)).toEqual({ count: maxJobs(), chosen: true, asked: 5000 });
  });

  test('a number of jobs that is not a whole number ≥ 1 is an error naming it', () => {
    expect(() => parseJobs('1.5')).toThrow('"1.5" is not a number of jobs: use a whole number ≥ 1');
    expect(() => jobsFor(0)).toThrow('"0" is not a number of jobs');
    process.env.STRATA_JOBS = 'all';
    expect(() => jobsFor(undefined)).toThrow('STRATA_JOBS: "all" is not a number of jobs');
  });
});
