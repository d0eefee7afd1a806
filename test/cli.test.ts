import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANY_CLUSTERS, STREAMING_HEAP_GROWTH } from '../lib/synth/heap.js';
import { listFiles } from '../lib/synth/writer.js';

// The real `npm run synth` entry point (scripts/synth.mjs → cdk8s.yaml app → main.ts), on a copy of dist/.
function synth(args: string[], extra: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, ...extra };
  delete env.CDK8S_OUTDIR;
  delete env.STRATA_QUIET;
  const r = spawnSync(process.execPath, ['scripts/synth.mjs', ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function read(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function copyOfDist(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'strata-cli-')), 'dist');
  cpSync('dist', dir, { recursive: true });
  return dir;
}

describe('npm run synth', () => {
  test('--cluster renders only that cluster and reports it', () => {
    const out = copyOfDist();
    const before = read(out);
    const r = synth(['--cluster', 'prod-eu', '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^strata: 1 cluster, \d+ layers, \d+ objects, \d+ files → .*dist\/ in \d+ ms\nstrata: no changes against the previous .*dist\/\n$/);
    expect(read(out)).toEqual(before);
  });

  test('--shard k/n renders the clusters of the shard, says how many, and leaves the others as they are', () => {
    const out = copyOfDist();
    const before = read(out);
    // Of the example's clusters, shard 3 of 3 holds prod-eu only and shard 2 of 3 none (test/shard.test.ts pins the hash).
    for (const [shard, count] of [['3/3', 1], ['2/3', 0]] as const) {
      const r = synth(['--shard', shard, '--output', out]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const [summary, ...rest] = r.stdout.split('\n');
      expect(summary).toMatch(new RegExp(`^strata: ${count} clusters?, \\d+ layers?, \\d+ objects?, \\d+ files? → .*dist/ in \\d+ ms$`));
      expect(rest.join('\n')).toMatch(new RegExp(`^strata: shard ${shard}: ${count} of 3 clusters\nstrata: no changes against the previous .*dist/\n$`));
      expect(read(out)).toEqual(before);
    }
    // Into a folder of its own (docs/ci.md), an empty shard leaves an empty folder for the merge to find.
    const fresh = join(mkdtempSync(join(tmpdir(), 'strata-shard-')), 'shard');
    const empty = synth(['--shard', '2/3', '--output', fresh]);
    expect(empty.status).toBe(0);
    expect(empty.stdout.split('\n')[1]).toBe('strata: shard 2/3: 0 of 3 clusters');
    expect(existsSync(fresh)).toBe(true);
    expect(read(fresh)).toEqual({});
  });

  test('--cluster with an unknown name is a usage error: one line naming it (and the closest cluster), exit 2, dist/ untouched', () => {
    const out = copyOfDist();
    const before = read(out);
    const r = synth(['--cluster', 'prod-mars', '--output', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('strata: unknown cluster "prod-mars" (clusters: dev-eu, prod-eu, prod-us); nothing written\n');
    const typos = synth(['--cluster', 'prd-eu', '--cluster', 'dev-eu', '--cluster', 'stage', '--output', out]);
    expect(typos.status).toBe(2);
    expect(typos.stderr).toBe('strata: unknown clusters "prd-eu" (did you mean "prod-eu"?), "stage" (clusters: dev-eu, prod-eu, prod-us); nothing written\n');
    expect(read(out)).toEqual(before);
  });

  test('--help gives the heap growth the code uses', () => {
    const help = synth(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`(default: ${STREAMING_HEAP_GROWTH} from ${MANY_CLUSTERS} clusters, else 0, V8's own choice)`);
  });

  test('STRATA_CLUSTERS with an empty name (a,,b or a trailing comma) is a usage error naming it: no cluster is dropped silently', () => {
    const out = copyOfDist();
    const before = read(out);
    const r = synth(['--output', out], { STRATA_CLUSTERS: 'dev-eu,,prod-eu' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('strata: STRATA_CLUSTERS: "dev-eu,,prod-eu" has an empty cluster name: use names separated by single commas, e.g. dev-eu,prod-eu; nothing written\n');
    expect(read(out)).toEqual(before);
  });
});

/** Runs a strata command as a user does (`node scripts/...`), without a TTY, colour variables cleared. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { ...process.env, CDK8S_OUTDIR: join(mkdtempSync(join(tmpdir(), 'strata-cli-')), 'dist') };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'STRATA_QUIET', 'STRATA_CLUSTERS', 'STRATA_SHARD']) delete base[name];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...base, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = {
  synth: ['scripts/synth.mjs'],
  validate: ['scripts/run.mjs', 'lib/validate/cli.ts'],
  plan: ['scripts/run.mjs', 'lib/plan/cli.ts'],
  import: ['scripts/import.mjs'],
  bench: ['scripts/run.mjs', 'bench/bench.ts'],
  'props-keys': ['scripts/props-keys.mjs'],
} as const;

/** The environment variables each command reads (grep process.env), which its --help must name. */
const ENVIRONMENT = {
  synth: ['STRATA_CLUSTERS', 'STRATA_SHARD', 'STRATA_QUIET', 'CDK8S_OUTDIR', 'NO_COLOR', 'FORCE_COLOR'],
  validate: [],
  plan: ['NO_COLOR', 'FORCE_COLOR', 'STRATA_CLUSTERS', 'STRATA_SHARD'],
  import: ['STRATA_CRD_DIR'],
  bench: [],
  'props-keys': [],
} as const;

/** The 1-based line and column of `marker`'s line in a fixture, at `code` on that line. */
function position(file: string, marker: string, code: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  return `${file}:${line + 1}:${lines[line].indexOf(code) + 1}`;
}

const ANSI = /\x1b\[/;

describe('every command', () => {
  test.each(Object.keys(COMMANDS) as (keyof typeof COMMANDS)[])('%s --help lists its options, environment variables and exit codes, and exits 0', (name) => {
    const r = run([...COMMANDS[name], '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run /);
    expect(r.stdout).toContain('-h, --help');
    for (const variable of ENVIRONMENT[name]) expect(r.stdout).toContain(variable);
    expect(r.stdout).toMatch(/\nexit codes:\n {2}0 .*\n {2}1 .*\n {2}2 +usage/);
  });

  test.each([
    ['synth', ['--clusterr', 'prod-eu'], /^strata synth: Unknown option '--clusterr'/],
    ['synth', ['prod-eu'], /^strata synth: Unexpected argument 'prod-eu'/],
    ['synth', ['--shard', '5/4'], /^strata synth: --shard 5\/4: use k\/n, whole numbers with 1 ≤ k ≤ n \(e\.g\. 1\/4\)$/],
    ['synth', ['--shard', '0/4'], /^strata synth: --shard 0\/4: use k\/n/],
    ['synth', ['--shard', 'two'], /^strata synth: --shard two: use k\/n/],
    ['synth', ['--shard', '1/2', '--cluster', 'prod-eu'], /^strata synth: --shard and --cluster both choose clusters: use one$/],
    ['synth', ['--cluster', ''], /^strata synth: --cluster needs a cluster name: it was given an empty one$/],
    ['synth', ['--cluster', 'prod-eu', '--cluster', ' '], /^strata synth: --cluster needs a cluster name: it was given an empty one$/],
    ['synth', ['--jobs', '0'], /^strata synth: --jobs 0: use a whole number ≥ 1 \(1 renders on one thread\)$/],
    // Node words a value that starts with a dash over three lines: one line, whatever the command.
    ['synth', ['--jobs', '-1'], /^strata synth: --jobs -1: use a whole number ≥ 1 \(1 renders on one thread\)$/],
    ['synth', ['--output', '-x'], /^strata synth: Option '--output' argument is ambiguous\. Did you forget .* use '--output=-XYZ'\.$/],
    ['validate', ['--root', '-x'], /^strata validate: Option '--root' argument is ambiguous\. Did you forget .* use '--root=-XYZ'\.$/],
    ['plan', ['--format', '-x'], /^strata plan: Option '--format' argument is ambiguous\./],
    ['validate', ['--strict'], /^strata validate: Unknown option '--strict'/],
    ['validate', ['dist', 'extra'], /^strata validate: one folder to validate, not 2: dist extra$/],
    ['plan', ['main'], /^strata plan: Unexpected argument 'main'/],
    ['plan', ['--format', 'html'], /^strata plan: --format html: use one of terminal, markdown, json$/],
    ['import', ['--force'], /^strata import: Unknown option '--force'/],
    ['bench', ['--size', '100'], /^strata bench: Unknown option '--size'/],
    ['bench', ['--runs', '0'], /^strata bench: --sizes, --edge, --clusters and --runs take positive numbers \(--sizes and --edge: comma-separated, or none\)$/],
    ['props-keys', ['lib/index.ts'], /^strata props-keys: Unexpected argument 'lib\/index.ts'/],
  ] as const)('%s %p is a usage error: one line and the usage, exit code 2, no stack', (name, args, message) => {
    const r = run([...COMMANDS[name], ...args]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^usage: npm run /);
    expect(r.stdout).toBe('');
  });
});

describe('a fleet program run by the runner', () => {
  const MISTAKES = 'test/fixtures/cli/fleet-mistakes.ts';

  test('a program that is not there, or does not build, is one line after esbuild\'s own report: no stack', () => {
    const missing = run(['scripts/run.mjs', 'mian.ts']);
    expect([missing.status, missing.stderr]).toEqual([2, `strata run: mian.ts: no such file (in ${process.cwd()}): give the path of the program, e.g. main.ts\n`]);
    const folder = run(['scripts/run.mjs', 'test']);
    expect([folder.status, folder.stderr]).toEqual([2, `strata run: test: not a file (in ${process.cwd()}): give the path of the program, e.g. main.ts\n`]);
    const option = run(['scripts/run.mjs', '--verbose']);
    expect([option.status, option.stderr.split('\n')[0]]).toEqual([2, 'strata run: unknown option --verbose']);
    const help = run(['scripts/run.mjs', '--help']);
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, 'usage: node scripts/run.mjs <entry.ts> [args...]   (installed: strata run <entry.ts> [args...])']);
    const dir = mkdtempSync(join(tmpdir(), 'strata-run-'));
    writeFileSync(join(dir, 'broken.ts'), "import { Fleet } from './nowhere.js';\nconst fleet = new Fleet({ name: 'x' };\n");
    const broken = run(['scripts/run.mjs', join(dir, 'broken.ts')]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('✘ [ERROR]');
    expect(broken.stderr).toContain('broken.ts:2:');
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(broken.stderr.trimEnd().split('\n').at(-1)).toBe(`strata run: ${join(dir, 'broken.ts')} does not build (1 error above); nothing run`);
  });

  test('fleet.cluster(unknown) in the program is one line naming its line, exit code 1, no stack', () => {
    const file = 'test/fixtures/cli/unknown-cluster.ts';
    const r = run(['scripts/run.mjs', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`strata: unknown cluster "prod-mars" (clusters: dev-eu) (${position(file, 'mark: unknown', 'cluster(')}); nothing written\n`);
  });

  test('a mistake in fleet-wide code is reported once with its clusters, each at the line that wrote it, in plain text off a TTY', () => {
    const r = run(['scripts/run.mjs', MISTAKES]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(ANSI);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('strata: 2 errors, nothing written');
    expect(lines.slice(1, 3)).toEqual(['on dev-eu, prod-eu, prod-us', `  <cluster>/apps/shop/storefront at ${position(MISTAKES, 'mark: fleet-wide', 'new WebService')}`]);
    expect(lines[3]).toBe('    ✗ replicas (-1) must be a non-negative integer');
    expect(lines.slice(4)).toEqual(['prod-us', `  prod-us/apps/shop/checkout at ${position(MISTAKES, 'mark: prod-us', 'new WebService')}`, '    ✗ port "http": 70000 is out of range 1-65535']);
  });

  test('an uncaught SynthError (fleet.render() in the program) is its report, exit code 1, no stack', () => {
    const file = 'test/fixtures/cli/render-error.ts';
    const r = run(['scripts/run.mjs', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe([
      'strata: 1 error, nothing written',
      'dev-eu',
      `  dev-eu/apps/shop/storefront at ${position(file, 'mark: render', 'new WebService')}`,
      '    ✗ replicas (-1) must be a non-negative integer',
      '',
    ].join('\n'));
  });

  test('FORCE_COLOR colours the report; NO_COLOR wins over it', () => {
    const forced = run(['scripts/run.mjs', MISTAKES], { FORCE_COLOR: '1' });
    expect(forced.stderr).toMatch(ANSI);
    expect(forced.stderr.replace(/\x1b\[\d+m/g, '')).toBe(run(['scripts/run.mjs', MISTAKES]).stderr);
    expect(run(['scripts/run.mjs', MISTAKES], { FORCE_COLOR: '1', NO_COLOR: '1' }).stderr).not.toMatch(ANSI);
  });
});
