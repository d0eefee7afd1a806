import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StrataError } from '../fleet/errors.js';
import { recoverLocked, rollBack, rollForward, tryRemove, writeJournal, type JournalStep } from './journal.js';
import { acquireLock } from './lock.js';
import { EXIT, OutputError, outputError, shown } from './output-errors.js';
import { assertNoLinkAbove, entryType, lexists, outputPaths, type OutputPaths, type StepHook } from './output-paths.js';

export { recoverOutput, type Recovery } from './journal.js';
export { type StepHook, type WriteStep } from './output-paths.js';
export { EXIT, OutputError } from './output-errors.js';

/** Files `flux bootstrap` commits into `clusters/<name>/flux-system/`: strata keeps them, never writes them. */
export const BOOTSTRAP_DIR = 'flux-system';

/**
 * The cluster's `clusters/<name>/flux-system/` in `outdir`, if there is one reached through real
 * folders only: a symbolic link on the way is never followed (it could pull files from anywhere
 * on the machine into the output).
 */
function bootstrapDir(outdir: string, cluster: string): string | undefined {
  const clusters = join(outdir, 'clusters');
  if (entryType(outdir) !== 'dir' || entryType(clusters) !== 'dir' || entryType(join(clusters, cluster)) !== 'dir') return undefined;
  const dir = join(clusters, cluster, BOOTSTRAP_DIR);
  const type = entryType(dir);
  return type === 'dir' || type === 'link' ? dir : undefined;
}

export function isBootstrapped(outdir: string, cluster: string): boolean {
  return bootstrapDir(outdir, cluster) !== undefined;
}

/** A path to write must stay below the folder it is written in: no empty, `.` or `..` segment, no `\` or NUL. */
function checkPath(rel: string): void {
  for (const segment of rel.split('/')) {
    if (segment === '' || segment === '.' || segment === '..' || segment.includes('\\') || segment.includes('\0')) {
      throw new StrataError(`refusing to write ${JSON.stringify(rel)}: every path segment must be a plain name (not empty, '.' or '..', without '\\' or NUL)`);
    }
  }
}

/** How many folders `writeFiles` remembers having made. */
const MADE_FOLDERS = 1000;

/**
 * Writes `files` below `root`, a folder this synth just made: every folder below it is made here
 * too, so (with `checkPath`) no write can pass through a symbolic link or leave `root`.
 */
function writeFiles(root: string, files: Iterable<readonly [string, string]>, onStep: StepHook | undefined): number {
  const made = new Set<string>();
  let count = 0;
  for (const [rel, content] of files) {
    count++;
    checkPath(rel);
    const file = join(root, rel);
    const dir = dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      // Files come cluster by cluster: the folders of the clusters before are not met again, and a
      // synth of thousands would otherwise keep every folder's name (one extra mkdir at worst).
      if (made.size >= MADE_FOLDERS) made.clear();
      made.add(dir);
    }
    onStep?.('stage');
    writeFileSync(file, content);
  }
  return count;
}

/**
 * Copies `clusters/<c>/flux-system/` of the clusters still produced from the old tree into the new
 * one. Symbolic links in it are copied as the same link text (a relative link stays relative).
 */
function keepBootstrapFiles(paths: OutputPaths, clusters: readonly string[], onStep: StepHook | undefined): void {
  for (const cluster of clusters) {
    const from = bootstrapDir(paths.target, cluster);
    if (!from) continue;
    onStep?.('stage');
    cpSync(from, join(paths.staging, 'clusters', cluster, BOOTSTRAP_DIR), { recursive: true, verbatimSymlinks: true });
  }
}

/** The renames that swap the staged tree in: the whole folder, or with `focus` each cluster's two folders. */
function planSwap(paths: OutputPaths, clusters: readonly string[], focus: boolean): JournalStep[] {
  if (!focus || entryType(paths.target) !== 'dir') return [{ path: '', staged: true }];
  return clusters.flatMap((c) => [c, `clusters/${c}`].map((path) => ({ path, staged: existsSync(join(paths.staging, path)) })));
}

export interface WriteOptions {
  /**
   * Only the named clusters' folders (`<cluster>/`, `clusters/<cluster>/`) are replaced; everything
   * else in the output folder stays byte-for-byte as it was.
   * @default false: the whole output folder is replaced
   */
  readonly focus?: boolean;
  /**
   * Refuse an output folder that holds what no synth wrote (see `assertReplaceable`): a synth's
   * `--output docs` must not delete the docs.
   * @default false: the folder is the caller's to choose (a tree written by other means)
   */
  readonly onlyOwnTree?: boolean;
  /**
   * Test-only fault injection: called with the name of each file-system change just before it
   * happens (`lock`, one `stage` per file, `journal` (its rename into place), `retire` / `place` per rename, `rollback`
   * per undone rename, `cleanup`).
   * Throwing from it fails the write there; killing the process there interrupts it.
   * @default none
   */
  readonly onStep?: StepHook;
}

/**
 * Replaces `outdir` with exactly `files`, so that it is always exactly the old or exactly the new
 * tree, whatever happens: the new tree is written into a staging folder beside `outdir` (never
 * inside it), a journal of the planned renames is written, then the renames swap it in. A failure
 * before the journal leaves `outdir` as it was; a failure during the renames rolls them back; an
 * interruption (kill, crash) is finished by the next synth, `validate` or `plan` (`recoverOutput`).
 * One synth at a time: a lock file beside `outdir` (pid and host) makes a second one fail.
 *
 * With `focus`, `files` holds only those clusters' folders. `files` may be made while it is written
 * (see `layoutFiles`): if making one throws, nothing is swapped in. Never follows a symbolic link
 * when writing, replacing or removing: a symlinked `outdir` is refused, and so is, with `focus`, a
 * symlinked `outdir/clusters`. See docs/output.md.
 * @param clusters the clusters `files` holds (their bootstrap files are carried over)
 * @returns how many files were written
 * @throws OutputError (one-line message, `exitCode` 3, or 4 when another synth holds the lock) when
 *   the file system refuses; StrataError for a path that would leave `outdir`
 */
export function writeTree(outdir: string, files: Iterable<readonly [string, string]>, clusters: readonly string[], options: WriteOptions = {}): number {
  const paths = outputPaths(outdir);
  const { focus = false, onlyOwnTree = false, onStep } = options;
  let release: (() => void) | undefined;
  let steps: JournalStep[] | undefined;
  try {
    for (const c of clusters) checkPath(c);
    assertNoLinkAbove(paths.target, join(paths.target, ...(focus ? ['clusters', 'x'] : ['x'])), paths.target);
    release = acquireLock(paths, onStep);
    recoverLocked(paths, onStep);
    if (onlyOwnTree) assertReplaceable(paths.target);
    mkdirSync(paths.staging);
    const count = writeFiles(paths.staging, files, onStep);
    keepBootstrapFiles(paths, clusters, onStep);
    const planned = planSwap(paths, clusters, focus);
    writeJournal(paths, planned, onStep);
    steps = planned;
    rollForward(paths, steps, onStep);
    onStep?.('cleanup');
    for (const leftover of [paths.journal, paths.staging, paths.retired]) tryRemove(leftover);
    return count;
  } catch (e) {
    if (!release) throw outputError(e, paths.target, 'unchanged');
    if (steps) {
      try {
        rollBack(paths, steps, onStep);
        // Until the journal is gone, the next command would roll the swap forward again.
        rmSync(paths.journal, { force: true });
      } catch {
        throw outputError(e, paths.target, 'pending');
      }
    }
    for (const leftover of [paths.staging, paths.retired, `${paths.journal}.tmp`]) tryRemove(leftover);
    throw outputError(e, paths.target, 'unchanged');
  } finally {
    release?.();
  }
}

/**
 * Refuses an output folder that holds what no synth wrote: a synth replaces its output folder
 * whole, so `--output docs` (a slip of the keyboard) would delete the docs. An empty folder (hidden
 * files aside), one holding only `clusters/` (flux bootstrap's files, which a synth keeps) or a
 * tree a synth wrote (a `clusters/<c>/kustomization.yaml` with its `# strata: <c>` line) is
 * replaced, and so is one whose `clusters` is a link (the writer's link checks decide there).
 * @throws OutputError (exit 2) naming what the folder holds
 */
export function assertReplaceable(outdir: string): void {
  const target = resolve(outdir);
  if (!existsSync(target) || !lstatSync(target).isDirectory()) return;
  const held = readdirSync(target).filter((name) => !name.startsWith('.')).sort();
  // Only clusters/: what `flux bootstrap` commits (clusters/<c>/flux-system/) before a first synth, which keeps it.
  if (held.every((name) => name === 'clusters') || isSynthTree(target)) return;
  const named = held.length > 3 ? `${held.slice(0, 3).join(', ')} and ${held.length - 3} more` : held.join(', ');
  throw new OutputError(
    `strata: ${shown(target)}/ is not a tree a synth wrote (it holds ${named}), and a synth replaces its output folder whole: nothing written; name an empty folder or the dist/ a synth wrote`,
    'EFOREIGN',
    EXIT.usage,
  );
}

/** Whether `dir` is a tree a synth wrote (see `hasSynthClusters`), or its `clusters` a link (the link checks decide). */
function isSynthTree(dir: string): boolean {
  const clusters = join(dir, 'clusters');
  if (!lexists(clusters)) return false;
  if (lstatSync(clusters).isSymbolicLink()) return true;
  return lstatSync(clusters).isDirectory() && hasSynthClusters(clusters);
}

/** Whether a `clusters/` folder has a `<c>/kustomization.yaml` a synth wrote: it says `# strata: <c>`. */
export function hasSynthClusters(clusters: string): boolean {
  return readdirSync(clusters).some((c) => {
    const index = join(clusters, c, 'kustomization.yaml');
    return existsSync(index) && /^# strata: /m.test(readFileSync(index, 'utf8'));
  });
}

/** Every file below `dir`, as sorted paths relative to it (for tests and `validate`). Links are listed, not followed. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}
