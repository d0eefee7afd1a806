// The package as a team installs it: `npm pack` of this repository, installed into a new project
// in a temp folder outside it (test/fixtures/package-project: main.ts with two clusters,
// cdk8s.yaml, a jest snapshot test), then `strata synth` and the project's own tests. Nothing in
// the project refers to this repository: it has the tarball and what the npm cache holds.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lockedClosure, type Lockfile } from './support/lockfile.js';

const REPO = resolve('.');
const FIXTURE = join(REPO, 'test', 'fixtures', 'package-project');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const STEP_TIMEOUT_MS = 180_000;
// A test runs up to three commands (two jest runs): on a busy machine, longer than jest's default.
const TEST_TIMEOUT_MS = 3 * STEP_TIMEOUT_MS;
// The project's own test tools, at the versions this repository pins (so they are in the npm cache).
const TOOLS = ['jest', '@swc/jest', '@swc/core', 'typescript'];

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
let tmp: string;
let project: string;

/** Runs a command to its end (or the step timeout); the environment without this test run's settings. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const base = { ...process.env };
  for (const name of ['CDK8S_OUTDIR', 'STRATA_QUIET', 'STRATA_CLUSTERS', 'NODE_OPTIONS', 'JEST_WORKER_ID']) delete base[name];
  for (const name of Object.keys(base)) if (name.startsWith('npm_')) delete base[name];
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...base, ...env }, timeout: STEP_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
}

function ok(r: SpawnSyncReturns<string>): string {
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Every file under `dir`, relative, sorted, skipping node_modules. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules')
    .flatMap((e) => (e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'strata-package-'));
  project = join(tmp, 'fleet');
  ok(run(process.execPath, ['scripts/build.mjs'], REPO));
  // The build is fresh: `prepack` would only build it again.
  const packed = JSON.parse(ok(run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], REPO))) as { filename: string }[];
  cpSync(FIXTURE, project, { recursive: true });
  const tarball = readFileSync(join(tmp, packed[0].filename));
  writeFileSync(join(project, 'strata.tgz'), tarball);

  const devDependencies = Object.fromEntries(TOOLS.map((name) => [name, manifest.devDependencies[name]]));
  const dependencies = { [manifest.name]: 'file:strata.tgz' };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({
    name: 'fleet', private: true, type: 'module',
    scripts: { synth: 'strata synth', test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js' },
    dependencies, devDependencies,
  }, null, 2)}\n`);
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as Lockfile;
  writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify({
    name: 'fleet',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'fleet', dependencies, devDependencies },
      [`node_modules/${manifest.name}`]: {
        version: manifest.version,
        resolved: 'file:strata.tgz',
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
      },
      ...lockedClosure(lock, [...Object.keys(manifest.dependencies), ...TOOLS]),
    },
  }, null, 2)}\n`);
  // Install scripts stay off: esbuild's and @swc/core's only check binaries their optional packages hold.
  ok(run(NPM, ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], project));
}, 4 * STEP_TIMEOUT_MS);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the installed package', () => {
  test('`strata synth` renders the two clusters of the project into its dist/', () => {
    const r = run(join(project, 'node_modules', '.bin', 'strata'), ['synth'], project);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(files(join(project, 'dist'))).toMatchSnapshot();
    expect(readFileSync(join(project, 'dist', 'dev', 'apps', 'web', 'deployment-site.yaml'), 'utf8')).toContain('image: ghcr.io/team/site:1.0.0');
  }, TEST_TIMEOUT_MS);

  test('`strata validate` checks that dist/, and `strata plan` synthesizes again with the packaged synth and finds nothing to do', () => {
    const strata = join(project, 'node_modules', '.bin', 'strata');
    const validate = run(strata, ['validate'], project);
    expect([validate.status, validate.stderr]).toEqual([0, '']);
    const plan = run(strata, ['plan', '--base', 'dist', '--format', 'json'], project);
    expect([plan.status, plan.stderr]).toEqual([0, '']);
    const json = JSON.parse(plan.stdout) as { objects: number };
    expect(json).toMatchObject({ base: 'dist/', blocking: 0, clusters: [] });
    expect(json.objects).toBeGreaterThan(30);
  }, TEST_TIMEOUT_MS);

  test('`strata` names its commands; an unknown one is a usage error (exit 2)', () => {
    const strata = join(project, 'node_modules', '.bin', 'strata');
    const help = run(strata, ['--help'], project);
    expect(help.status).toBe(0);
    expect(help.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(' ')[0])).toEqual(['synth', 'validate', 'plan', 'import', 'run']);
    const r = run(strata, ['synthesize'], project);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([2, 'strata: no command synthesize']);
  }, TEST_TIMEOUT_MS);

  test('`strata import` without cdk8s-cli installed says what to install, and leaves imports/ alone', () => {
    const dir = join(project, 'import-check');
    cpSync(join(REPO, 'test', 'fixtures', 'crds'), join(dir, 'crds'), { recursive: true });
    const crd = readdirSync(join(dir, 'crds')).find((f) => f.endsWith('.yaml'));
    writeFileSync(join(dir, 'cdk8s.yaml'), `language: typescript\nimports:\n  - crds/${crd}\n`);
    const r = run(join(project, 'node_modules', '.bin', 'strata'), ['import'], dir);
    rmSync(dir, { recursive: true });
    expect([r.status, r.stderr.trim()]).toEqual([1, 'npm run import: needs cdk8s-cli, which is not installed: `npm install --save-dev cdk8s-cli`; imports/ is unchanged']);
  }, TEST_TIMEOUT_MS);

  test("the project's jest snapshot test passes on the package, and again with --ci against the snapshot it wrote", () => {
    ok(run(NPM, ['test', '--', '--ci=false'], project));
    const snapshot = readFileSync(join(project, 'test', '__snapshots__', 'fleet.spec.ts.snap'), 'utf8');
    expect(snapshot).toContain('exports[`dev renders what \\`strata synth\\` wrote 1`]');
    expect(snapshot).toContain('exports[`prod renders what \\`strata synth\\` wrote 1`]');
    expect(snapshot).toContain('image: ghcr.io/team/site:1.0.0');
    ok(run(NPM, ['test', '--', '--ci'], project));
  }, TEST_TIMEOUT_MS);

  test("main.ts type-checks against the package's declarations, through its exports map, and a wrong prop does not", () => {
    writeFileSync(join(project, 'wrong.ts'), "import { Fleet } from '@strata-fleet/strata';\nnew Fleet({ name: 42 });\n");
    const r = run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
    rmSync(join(project, 'wrong.ts'));
    expect([r.status, r.stdout.trim()]).toEqual([2, "wrong.ts(2,13): error TS2322: Type 'number' is not assignable to type 'string'."]);
  }, TEST_TIMEOUT_MS);

  test('no file of the project, the lockfile included, names this repository', () => {
    const named = files(project).filter((f) => !f.endsWith('.tgz') && readFileSync(join(project, f), 'utf8').includes(REPO));
    expect(named).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
