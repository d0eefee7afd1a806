// The dist/ writer under attack and under failure (docs/output.md): it never leaves the output
// folder, an interrupted synth is finished or undone by the next command, two synths never write at
// once, and file-system errors are one line each with dist/ as it was.
import { jest } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, Provider, Stage } from '../lib/index.js';
import { objectFile } from '../lib/synth/layout.js';
import { EXIT, OutputError, listFiles, recoverOutput, writeTree, type WriteStep } from '../lib/synth/writer.js';
import { readProcessState } from '../lib/synth/lock.js';
import { registerSchema } from '../lib/validate/schema.js';
import { TREE_CLUSTERS, expected, snapshot, treeFiles } from './support/trees.js';

function tempOut(): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'strata-writer-'));
  return { root, out: join(root, 'dist') };
}

function fleet(outdir: string, configMaps: string[], clusters = ['dev']): Fleet {
  const f = new Fleet({ name: 'acme', outdir });
  for (const c of clusters) f.addCluster(c, { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  f.platform((p) => p.addTenant('shop'));
  f.apps('shop', (apps) => {
    for (const name of configMaps) new k8s.KubeConfigMap(apps, name, { metadata: { name } });
  });
  return f;
}

/** Runs `fleet.synth()` (or `run`), returning what it printed on stderr and the exit code it set. */
function synthOf(f: Fleet | (() => unknown)): { errors: string[]; exitCode: number | string | undefined } {
  const errors: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
  try {
    process.exitCode = 0;
    if (f instanceof Fleet) f.synth();
    else f();
    return { errors, exitCode: process.exitCode };
  } finally {
    spy.mockRestore();
    process.exitCode = 0;
  }
}

/** A Node.js system error, as the file system throws it. */
function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: injected`), { code, path: '/injected/path' });
}

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

beforeEach(() => {
  process.exitCode = 0;
});

describe('the writer never leaves the output folder', () => {
  test('a symlinked dist/clusters is replaced in a full synth: its target is neither read nor changed', () => {
    const { root, out } = tempOut();
    fleet(out, ['a']).synth();
    const outside = join(root, 'outside');
    mkdirSync(join(outside, 'dev', 'flux-system'), { recursive: true });
    writeFileSync(join(outside, 'dev', 'flux-system', 'secret.yaml'), 'secret\n');
    writeFileSync(join(outside, 'keep.yaml'), 'keep\n');
    const before = snapshot(outside);
    const clusters = join(out, 'clusters');
    spawnSync('rm', ['-rf', clusters]);
    symlinkSync(outside, clusters);

    expect(synthOf(fleet(out, ['a'])).exitCode).toBe(0);
    expect(snapshot(outside)).toEqual(before);
    expect(lstatSync(clusters).isDirectory()).toBe(true);
    expect(listFiles(out).filter((f) => f.startsWith('clusters/'))).toEqual(['clusters/dev/kustomization.yaml', 'clusters/dev/layers.yaml']);
  });

  test('a symlinked dist/clusters is refused by a --cluster synth: one line, exit 3, nothing changed on either side', () => {
    const { root, out } = tempOut();
    fleet(out, ['a'], ['one', 'two']).synth();
    const outside = join(root, 'outside');
    spawnSync('mv', [join(out, 'clusters'), outside]);
    symlinkSync(outside, join(out, 'clusters'));
    const before = snapshot(root);

    const { errors, exitCode } = synthOf(() => fleet(out, ['b'], ['one', 'two']).synth({ clusters: ['one'] }));
    expect(exitCode).toBe(EXIT.io);
    expect(errors).toEqual([expect.stringMatching(/^strata: cannot write .*dist\/: .*dist\/clusters is a symbolic link \(to .*outside\); strata never writes through a link in its output/)]);
    expect(snapshot(root)).toEqual(before);
  });

  test('a symlinked output folder is refused: the link and its target stay as they are, nothing is made beside it', () => {
    const { root, out } = tempOut();
    const real = join(root, 'real');
    fleet(real, ['a']).synth();
    symlinkSync(real, out);
    const before = snapshot(root);
    const { errors, exitCode } = synthOf(fleet(out, ['b']));
    expect(exitCode).toBe(EXIT.io);
    expect(errors).toEqual([expect.stringMatching(/^strata: cannot write .*dist\/: .*dist is a symbolic link \(to .*real\); strata never writes through a link/)]);
    expect(snapshot(root)).toEqual(before);
  });

  test('a kind with path characters, even with a registered schema, is an error naming the object; nothing is written', () => {
    const kind = '../../../../escape';
    registerSchema({ apiVersion: 'example.com/v1', kind, scope: 'Namespaced', source: 'test', validate: () => [] });
    const { root, out } = tempOut();
    const f = fleet(out, []);
    f.apps('shop', (apps) => void new ApiObject(apps, 'escape', { apiVersion: 'example.com/v1', kind, metadata: { name: 'x' } }));
    const { errors, exitCode } = synthOf(f);
    expect(exitCode).toBe(EXIT.fleet);
    expect(errors.join('\n')).toContain('dev/apps/shop/escape\n    ✗ kind "../../../../escape" is not a Kubernetes kind: letters and digits, starting with a letter (e.g. ConfigMap)');
    expect(readdirSync(root)).toEqual([]);
  });

  test('thousands of folders, the writer forgetting the ones it made as it goes: every file is written, in its folder', () => {
    const { out } = tempOut();
    const clusters = Array.from({ length: 40 }, (_, c) => `site-${c}`);
    // 40 clusters × 60 folders: more folders than the writer remembers (it keeps a bounded set).
    const files: [string, string][] = clusters.flatMap((c) => Array.from({ length: 60 }, (_, n) => [`${c}/apps/ns-${n}/configmap-x.yaml`, `${c} ${n}\n`] as [string, string]));
    writeTree(out, [...files, ...files.slice(0, 5).map(([rel]) => [rel.replace('configmap-x', 'configmap-y'), 'again\n'] as [string, string])], clusters);
    const written = listFiles(out);
    expect(written).toHaveLength(files.length + 5);
    for (const [rel, text] of files) expect(readFileSync(join(out, rel), 'utf8')).toBe(text);
    expect(readFileSync(join(out, 'site-0/apps/ns-0/configmap-y.yaml'), 'utf8')).toBe('again\n');
  });

  test('the layout and the writer refuse a path that would leave its folder, whatever produced it', () => {
    const obj = { path: 'dev/apps/shop/x', manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '..', namespace: 'shop' } } };
    expect(() => objectFile(obj)).toThrow('dev/apps/shop/x: ConfigMap ".." in "shop" cannot be written: kind, name and namespace must each be one plain file name');
    const { root, out } = tempOut();
    expect(() => writeTree(out, [['dev/../../escape.yaml', 'x\n']], ['dev'])).toThrow(
      `refusing to write "dev/../../escape.yaml": every path segment must be a plain name (not empty, '.' or '..', without '\\' or NUL)`,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  test('without the structure check (custom checks), the layout still refuses such a kind: one line, exit 1, nothing written', () => {
    const { root, out } = tempOut();
    const f = fleet(out, []);
    f.apps('shop', (apps) => void new ApiObject(apps, 'escape', { apiVersion: 'example.com/v1', kind: '../../x', metadata: { name: 'x' } }));
    const { errors, exitCode } = synthOf(() => f.synth({ checks: [] }));
    expect(exitCode).toBe(EXIT.fleet);
    expect(errors).toEqual(['strata: dev/apps/shop/escape: ../../x "x" in "shop" cannot be written: kind, name and namespace must each be one plain file name; nothing written']);
    expect(readdirSync(root)).toEqual([]);
  });

  test('a cluster cannot be named clusters: its folder would be the one of every cluster\'s Flux entry point', () => {
    const { root, out } = tempOut();
    const { errors, exitCode } = synthOf(fleet(out, ['a'], ['dev', 'clusters']));
    expect(exitCode).toBe(EXIT.fleet);
    expect(errors.join('\n')).toContain('✗ cluster name "clusters" is reserved: dist/clusters/ holds the Flux entry point of every cluster');
    expect(readdirSync(root)).toEqual([]);
  });

  test('a valid 253-character object name is written under a shortened, deterministic file name, listed in its kustomization.yaml', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    const { out } = tempOut();
    const other = `${name.slice(0, 252)}e`;
    const { exitCode } = synthOf(fleet(out, [name, other]));
    expect(exitCode).toBe(0);
    const shop = join(out, 'dev/apps/shop');
    const files = listFiles(shop).filter((f) => f.startsWith('configmap-'));
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(Buffer.byteLength(file)).toBe(255);
      expect(file).toMatch(/^configmap-a{63}\.b{63}\.c{63}\.d+_[0-9a-f]{12}\.yaml$/);
    }
    expect(files.map((f) => /\n {2}name: (\S+)\n/.exec(readFileSync(join(shop, f), 'utf8'))?.[1]).sort()).toEqual([name, other].sort());
    expect(readFileSync(join(shop, 'kustomization.yaml'), 'utf8')).toContain(`  - ${files[0]}\n  - ${files[1]}\n`);
    // The same names on every run.
    expect([...fleet(out, [name, other]).render().files.keys()].filter((f) => f.includes('/configmap-')).map((f) => f.split('/').pop())).toEqual(files);
  });

  test('a relative symlink in flux-system/ is carried over as the same relative link', () => {
    const { out } = tempOut();
    fleet(out, ['a']).synth();
    const bootstrap = join(out, 'clusters/dev/flux-system');
    mkdirSync(bootstrap);
    writeFileSync(join(bootstrap, 'gotk-sync.yaml'), 'kind: GitRepository\n');
    symlinkSync('gotk-sync.yaml', join(bootstrap, 'sync.yaml'));
    fleet(out, ['b']).synth();
    fleet(out, ['c']).synth({ clusters: ['dev'] });
    expect(readlinkSync(join(out, 'clusters/dev/flux-system/sync.yaml'))).toBe('gotk-sync.yaml');
    expect(readFileSync(join(out, 'clusters/dev/flux-system/sync.yaml'), 'utf8')).toBe('kind: GitRepository\n');
  });
});

/** Runs the writer in a child process (test/support/write-child.ts), killed by SIGKILL at its `killAt`-th step (-1: never). */
function child(out: string, mode: 'full' | 'focus', variant: 'a' | 'b', killAt: number): { signal: string | null; steps?: WriteStep[] } {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', 'test/support/write-child.ts', out, mode, variant, String(killAt)], { encoding: 'utf8' });
  if (r.signal === null && r.status !== 0) throw new Error(r.stderr);
  return { signal: r.signal, steps: r.signal ? undefined : (JSON.parse(r.stdout) as WriteStep[]) };
}

/** The output folder's parent as `snapshot` shows it, for a dist/ holding exactly `files`. */
function onlyDist(files: Iterable<readonly [string, string]>): Record<string, string> {
  return { 'dist/': '', ...Object.fromEntries(Object.entries(expected(files)).map(([p, c]) => [`dist/${p}`, c])) };
}

/** What `--cluster one --cluster two` of variant b makes of a variant-a tree. */
function focusedAfter(): [string, string][] {
  return [...treeFiles('b', ['one', 'two']), ...treeFiles('a', ['three'])];
}

/** A snapshot as a string independent of key order. */
function sorted(tree: Record<string, string>): string {
  return JSON.stringify(Object.entries(tree).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Deterministic pseudo-random picks (a fixed seed: a failure reproduces). */
function picks(from: readonly number[], count: number, seed: number): number[] {
  const pool = [...from];
  const out: number[] = [];
  for (let s = seed; out.length < count && pool.length > 0; ) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(...pool.splice(s % pool.length, 1));
  }
  return out;
}

describe('an interrupted synth is finished or undone by the next command', () => {
  // Kill-at-step harness: the writer runs in a child process that SIGKILLs itself just before its
  // n-th file-system change. Every step of the swap (lock, journal, each rename, cleanup) is a
  // trial, plus a seeded sample of the file writes; after each, `recoverOutput` (what the next
  // synth, validate or plan runs first) must leave dist/ exactly as before or exactly as after,
  // and nothing else beside it.
  for (const mode of ['full', 'focus'] as const) {
    test(`${mode === 'full' ? 'a full synth' : 'a --cluster synth'} killed at any step: dist/ is exactly before or after, no leftovers`, () => {
      const before = treeFiles('a');
      const after = mode === 'full' ? treeFiles('b') : focusedAfter();
      const probe = tempOut();
      writeTree(probe.out, before, TREE_CLUSTERS);
      const steps = child(probe.out, mode, 'b', -1).steps!;
      expect(snapshot(probe.root)).toEqual(onlyDist(after));
      const swap = steps.flatMap((s, i) => (s === 'stage' ? [] : [i + 1]));
      expect(steps.filter((s) => s !== 'stage')).toEqual(mode === 'full'
        ? ['lock', 'journal', 'retire', 'place', 'cleanup']
        : ['lock', 'journal', 'retire', 'place', 'retire', 'place', 'retire', 'place', 'retire', 'place', 'cleanup']);
      const writes = picks(steps.flatMap((s, i) => (s === 'stage' ? [i + 1] : [])), 4, mode === 'full' ? 7 : 11);
      const outcomes = new Set<string>();
      for (const killAt of [...swap, ...writes]) {
        const { root, out } = tempOut();
        writeTree(out, before, TREE_CLUSTERS);
        expect(child(out, mode, 'b', killAt).signal).toBe('SIGKILL');
        const recovery = recoverOutput(out);
        const now = snapshot(root);
        const outcome = sorted(now) === sorted(onlyDist(before)) ? 'before' : 'after';
        expect(now).toEqual(onlyDist(outcome === 'before' ? before : after));
        // Killed after the journal was written, the swap is finished; before it, undone.
        expect([killAt, recovery.finished]).toEqual([killAt, killAt > steps.indexOf('journal') + 1]);
        outcomes.add(outcome);
      }
      expect([...outcomes].sort()).toEqual(['after', 'before']);
    });
  }

  test('a fault thrown at any step of the swap rolls it back: dist/ exactly as before, no leftovers', () => {
    for (const mode of ['full', 'focus'] as const) {
      const clusters = mode === 'full' ? TREE_CLUSTERS : ['one', 'two'];
      const before = treeFiles('a');
      let total = 0;
      const probe = tempOut();
      writeTree(probe.out, before, TREE_CLUSTERS);
      writeTree(probe.out, treeFiles('b', clusters), clusters, { focus: mode === 'focus', onStep: () => void total++ });
      for (let at = 1; at <= total; at++) {
        const { root, out } = tempOut();
        writeTree(out, before, TREE_CLUSTERS);
        let n = 0;
        const onStep = (step: WriteStep): void => {
          if (++n === at) throw fsError(step === 'lock' ? 'EROFS' : 'EIO');
        };
        const e = thrown(() => writeTree(out, treeFiles('b', clusters), clusters, { focus: mode === 'focus', onStep }));
        expect([mode, at, e]).toEqual([mode, at, expect.objectContaining({ code: at === 1 ? 'EROFS' : 'EIO', exitCode: EXIT.io })]);
        expect(snapshot(root)).toEqual(onlyDist(before));
      }
    }
  });

  test('leftovers of older strata versions are removed, and an old copy cut off between two renames goes back', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    mkdirSync(join(root, 'dist.tmp-123/one'), { recursive: true });
    mkdirSync(join(root, 'dist.old-456/one'), { recursive: true });
    mkdirSync(join(out, 'clusters/one.old-789'));
    mkdirSync(join(out, 'two.tmp-789'));
    const recovery = recoverOutput(out);
    expect(recovery.removed.map((p) => p.slice(root.length + 1)).sort()).toEqual(['dist.old-456', 'dist.tmp-123', 'dist/clusters/one.old-789', 'dist/two.tmp-789']);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('a')));

    spawnSync('mv', [out, join(root, 'dist.old-999')]);
    recoverOutput(out);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('a')));
  });

  test('npm run validate finishes an interrupted swap before it reads dist/', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    // Killed between the two renames of a full synth: no dist/ at all until recovered.
    const steps = child(out, 'full', 'b', -1).steps!;
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    expect(child(out, 'full', 'b', steps.indexOf('place') + 1).signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', out], { encoding: 'utf8' });
    expect(r.stderr).toContain(`strata: finished the interrupted synth of ${out}/\nstrata: removed 2 leftover(s) of an interrupted synth: ${root}/.dist.strata/old, ${root}/.dist.strata/journal.json\n`);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('b')));
  });
});

describe('one synth at a time', () => {
  test('a second synth while one is writing fails with one line and exit code 4, and leaves nothing behind', async () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    const marker = join(mkdtempSync(join(tmpdir(), 'strata-marker-')), 'paused');
    const first = spawn(process.execPath, ['scripts/run.mjs', 'test/support/write-child.ts', out, 'full', 'b', '-1', '10', marker]);
    const done = new Promise<number | null>((resolve) => first.on('exit', resolve));
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 20));
    const during = snapshot(root);

    const { errors, exitCode } = synthOf(fleet(out, ['a']));
    expect(exitCode).toBe(EXIT.busy);
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^strata: another synth is writing .*dist/ \\(pid ${first.pid} on ${hostname()}, since .*\\); wait for it to finish, or remove .*\\.dist\\.strata/lock if that process is gone$`))]);
    expect(snapshot(root)).toEqual(during);

    writeFileSync(`${marker}.go`, '');
    expect(await done).toBe(0);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('b')));
  });

  test('npm run validate while a synth holds the lock: one line and exit code 4, nothing read or changed', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    mkdirSync(join(root, '.dist.strata'));
    writeFileSync(join(root, '.dist.strata/lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: 'now' }));
    const before = snapshot(root);
    const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', out], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([EXIT.busy, '', `strata: another synth is writing ${out}/ (pid ${process.pid} on ${hostname()}, since now); wait for it to finish, or remove ${root}/.dist.strata/lock if that process is gone\n`]);
    expect(snapshot(root)).toEqual(before);
  });

  test('the lock of a process that is gone is taken over', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    mkdirSync(join(root, '.dist.strata'));
    writeFileSync(join(root, '.dist.strata/lock'), JSON.stringify({ pid: Number(gone.stdout), host: hostname(), started: 'then' }));
    writeTree(out, treeFiles('b'), TREE_CLUSTERS);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('b')));
  });

  const onLinux = process.platform === 'linux' ? test : test.skip;

  // A killed synth whose parent has not reaped it is a zombie: kill(pid, 0) still succeeds.
  // `sh` starts `sleep` in the background, prints its pid and becomes (exec) a `sleep` that never
  // waits for children, so the killed child stays a zombie until the test ends its parent.
  onLinux('the lock of a killed synth that is a zombie (not yet reaped) is taken over, by validate too', async () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    const parent = spawn('sh', ['-c', 'sleep 600 & echo $!; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
      process.kill(pid, 'SIGKILL');
      while (readProcessState(pid)?.state !== 'Z') await new Promise((r) => setTimeout(r, 10));
      expect(() => process.kill(pid, 0)).not.toThrow();
      mkdirSync(join(root, '.dist.strata'));
      writeFileSync(join(root, '.dist.strata/lock'), JSON.stringify({ pid, host: hostname(), started: 'then' }));
      const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', out], { encoding: 'utf8' });
      expect(r.status).not.toBe(EXIT.busy);
      expect(r.stderr).not.toContain('another synth');
      expect(existsSync(join(root, '.dist.strata'))).toBe(false);
      mkdirSync(join(root, '.dist.strata'));
      writeFileSync(join(root, '.dist.strata/lock'), JSON.stringify({ pid, host: hostname(), started: 'then' }));
      writeTree(out, treeFiles('b'), TREE_CLUSTERS);
      expect(existsSync(join(root, '.dist.strata'))).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  onLinux('a lock whose pid now runs a process started at another time (pid reuse) is taken over; the same start time is busy', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    const pidStart = readProcessState(process.pid)?.start;
    expect(pidStart).toMatch(/^\d+$/);
    mkdirSync(join(root, '.dist.strata'));
    const lock = join(root, '.dist.strata/lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: 'then', pidStart }));
    expect(() => writeTree(out, treeFiles('b'), TREE_CLUSTERS)).toThrow(expect.objectContaining({ code: 'ELOCKED', exitCode: EXIT.busy }));
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: 'then', pidStart: String(Number(pidStart) + 1) }));
    writeTree(out, treeFiles('b'), TREE_CLUSTERS);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('b')));
  });

  onLinux('a synth records its process start time in the lock', () => {
    const { root, out } = tempOut();
    let owner: unknown;
    writeTree(out, treeFiles('a'), TREE_CLUSTERS, { onStep: (step) => { if (step === 'stage' && owner === undefined) owner = JSON.parse(readFileSync(join(root, '.dist.strata/lock'), 'utf8')); } });
    expect(owner).toEqual({ pid: process.pid, host: hostname(), started: expect.any(String), pidStart: readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ')[19] });
  });
});

describe('file-system errors are one line each, with dist/ as it was', () => {
  const REASONS: Record<string, string> = {
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    ENOSPC: 'no space left on the device',
    EBUSY: 'a file or folder is in use by another program',
    ENAMETOOLONG: 'a file name or path is too long for the file system',
  };
  for (const [code, reason] of Object.entries(REASONS)) {
    test(`${code} while writing files, and while swapping a --cluster synth in`, () => {
      for (const at of ['stage', 'place'] as const) {
        const { root, out } = tempOut();
        writeTree(out, treeFiles('a'), TREE_CLUSTERS);
        let placed = 0;
        const onStep = (step: WriteStep): void => {
          // The second rename of the swap: one cluster folder is already in place when it fails.
          if (step === at && (at === 'stage' || ++placed === 2)) throw fsError(code);
        };
        const e = thrown(() => writeTree(out, treeFiles('b', ['one', 'two']), ['one', 'two'], { focus: true, onStep })) as OutputError;
        expect(e).toBeInstanceOf(OutputError);
        expect([e.message, e.exitCode]).toEqual([`strata: cannot write ${out}/: ${reason} (${code} at /injected/path); ${out}/ is unchanged`, EXIT.io]);
        expect(snapshot(root)).toEqual(onlyDist(treeFiles('a')));
      }
    });
  }

  test('a swap that can be neither finished nor rolled back is left to the next command, which finishes it', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    const onStep = (step: WriteStep): void => {
      if (step === 'place' || step === 'rollback') throw fsError('EIO');
    };
    const e = thrown(() => writeTree(out, treeFiles('b'), TREE_CLUSTERS, { onStep })) as OutputError;
    expect(e.message).toBe(`strata: cannot write ${out}/: an input/output error of the device (EIO at /injected/path); the next synth, validate or plan finishes ${out}/`);
    expect(recoverOutput(out).finished).toBe(true);
    expect(snapshot(root)).toEqual(onlyDist(treeFiles('b')));
  });

  test('a journal strata did not write is refused, not guessed at', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    mkdirSync(join(root, '.dist.strata'));
    writeFileSync(join(root, '.dist.strata/journal.json'), JSON.stringify({ steps: [{ path: '../../etc', staged: true }] }));
    const message = `strata: ${root}/.dist.strata/journal.json is not a journal strata wrote; remove ${root}/.dist.strata and synth again`;
    const e = thrown(() => recoverOutput(out)) as OutputError;
    expect([e.message, e.exitCode]).toEqual([message, EXIT.io]);
    writeFileSync(join(root, '.dist.strata/journal.json'), '{"steps": [');
    expect(thrown(() => recoverOutput(out))).toEqual(expect.objectContaining({ message }));
    expect(snapshot(out)).toEqual(expected(treeFiles('a')));
  });

  test('an output path that is a file is refused', () => {
    const { root, out } = tempOut();
    writeFileSync(out, 'not a folder\n');
    const { errors, exitCode } = synthOf(fleet(out, ['a']));
    expect(exitCode).toBe(EXIT.io);
    expect(errors).toEqual([`strata: cannot write ${out}/: ${out} is not a folder: move it away and synth again`]);
    expect(readdirSync(root)).toEqual(['dist']);
  });

  // The real `npm run synth` (scripts/synth.mjs → cdk8s.yaml → main.ts).
  function npmSynth(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, STRATA_QUIET: '1' };
    delete env.CDK8S_OUTDIR;
    return spawnSync(process.execPath, ['scripts/synth.mjs', ...args], { encoding: 'utf8', env });
  }

  test('npm run synth: a name too long for the file system is one line and exit code 3, nothing written', () => {
    const root = mkdtempSync(join(tmpdir(), 'strata-writer-'));
    const out = join(root, 'd'.repeat(250));
    const r = npmSynth(['--output', out]);
    expect([r.status, r.stderr]).toEqual([EXIT.io, `strata: cannot write ${out}/: a file name or path is too long for the file system (ENAMETOOLONG at ${root}/.${'d'.repeat(250)}.strata); ${out}/ is unchanged\n`]);
    expect(readdirSync(root)).toEqual([]);
  });

  test('npm run synth while another synth holds the lock: one line and exit code 4, dist/ unchanged', () => {
    const { root, out } = tempOut();
    writeTree(out, treeFiles('a'), TREE_CLUSTERS);
    mkdirSync(join(root, '.dist.strata'));
    writeFileSync(join(root, '.dist.strata/lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: 'now' }));
    const before = snapshot(root);
    const r = npmSynth(['--output', out]);
    expect([r.status, r.stderr]).toEqual([EXIT.busy, `strata: another synth is writing ${out}/ (pid ${process.pid} on ${hostname()}, since now); wait for it to finish, or remove ${root}/.dist.strata/lock if that process is gone\n`]);
    expect(snapshot(root)).toEqual(before);
  });
});
