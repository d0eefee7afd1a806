// The swap of a new output tree into place, made recoverable like a journal. Everything a synth
// keeps while it writes lives in one work folder BESIDE the output (`<parent>/.<name>.strata/`),
// never inside it: the lock, the new tree being staged, the journal of planned renames, and the
// retired old copies. The journal is written (atomically, by rename) only once the new tree is
// complete; from then on the swap only ever rolls forward. So whenever a synth is interrupted, the
// next strata command finds the output folder exactly as before (no journal: the staging copy is
// discarded) or exactly as after (journal: its remaining renames are done), then removes every
// leftover. See docs/output.md.
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT, OutputError, errnoCode, outputError, shown } from './output-errors.js';

/** Where a synth of an output folder keeps its lock, journal and copies. */
export interface OutputPaths {
  /** The output folder, absolute. */
  readonly target: string;
  /** `<parent>/.<name>.strata/`, beside the output folder. */
  readonly work: string;
  readonly lock: string;
  readonly journal: string;
  /** The new tree, written here before it is swapped in. */
  readonly staging: string;
  /** Old copies moved out of the output folder, numbered by journal step. */
  readonly retired: string;
}

export function outputPaths(outdir: string): OutputPaths {
  const target = resolve(outdir);
  const work = join(dirname(target), `.${basename(target)}.strata`);
  return { target, work, lock: join(work, 'lock'), journal: join(work, 'journal.json'), staging: join(work, 'new'), retired: join(work, 'old') };
}

/** The file-system changes of a synth, in order; `WriteOptions.onStep` sees each before it happens. */
export type WriteStep = 'lock' | 'stage' | 'journal' | 'retire' | 'place' | 'rollback' | 'cleanup';

/** Called before each file-system change; tests inject faults here (throw, or kill the process). */
export type StepHook = (step: WriteStep) => void;

/**
 * One planned rename: the output's `path` (relative; '' for the whole folder) is moved to the
 * retired folder, and the staged copy of `path` (when `staged`) takes its place.
 */
export interface JournalStep {
  readonly path: string;
  readonly staged: boolean;
}

/** The lock file's content: who is writing the output folder. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
    throw e;
  }
}

/** 'dir' for a real folder, 'link' for a symbolic link, 'other' for anything else, undefined when absent. */
export function entryType(path: string): 'dir' | 'link' | 'other' | undefined {
  try {
    const s = lstatSync(path);
    return s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * Throws unless `root` and every folder below it down to `path`'s parent is a real folder (or absent),
 * so a rename or write at `path` cannot land outside `root` through a symbolic link.
 */
export function assertNoLinkAbove(root: string, path: string, outdir: string): void {
  const parts = path.slice(root.length + 1).split('/').slice(0, -1);
  let dir = root;
  for (const part of ['', ...parts]) {
    dir = part ? join(dir, part) : dir;
    const type = entryType(dir);
    if (type === undefined) return;
    if (type !== 'dir') {
      const problem = type === 'link'
        ? `is a symbolic link (to ${readlinkSync(dir)}); strata never writes through a link in its output: replace it with a real folder (or remove it)`
        : 'is not a folder: move it away';
      throw new OutputError(`strata: cannot write ${shown(outdir)}/: ${shown(dir)} ${problem} and synth again`, type === 'link' ? 'ESYMLINK' : 'ENOTDIR', EXIT.io);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

function readOwner(lock: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lock, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A lock left by a process that is gone: same host, dead pid; or unreadable and older than a few seconds. */
function isStale(lock: string, owner: LockOwner | undefined): boolean {
  if (owner) return owner.host === hostname() && !isAlive(owner.pid);
  try {
    return Date.now() - lstatSync(lock).mtimeMs > 5000;
  } catch {
    return true;
  }
}

function busy(paths: OutputPaths, owner: LockOwner | undefined): OutputError {
  const who = owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.started})` : '';
  return new OutputError(
    `strata: another synth is writing ${shown(paths.target)}/${who}; wait for it to finish, or remove ${shown(paths.lock)} if that process is gone`,
    'ELOCKED', EXIT.busy);
}

/**
 * Takes the output folder's lock: a file created exclusively (O_EXCL) in the work folder, holding
 * pid and host. A lock whose process is dead is taken over. Returns the function that releases it.
 * @throws OutputError `ELOCKED` when another live process holds it
 */
export function acquireLock(paths: OutputPaths, onStep?: StepHook): () => void {
  onStep?.('lock');
  mkdirSync(dirname(paths.work), { recursive: true });
  try {
    mkdirSync(paths.work);
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
  assertNoLinkAbove(paths.work, paths.lock, paths.target);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(paths.lock, JSON.stringify(me), { flag: 'wx' });
      return () => {
        rmSync(paths.lock, { force: true });
        // The work folder goes once empty; another process's new lock keeps it.
        try {
          rmdirSync(paths.work);
        } catch {
          // not empty, or already gone
        }
      };
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
    const owner = readOwner(paths.lock);
    if (attempt > 0 || !isStale(paths.lock, owner)) throw busy(paths, owner);
    // Take a stale lock over by renaming it away: only one of several processes can. If what was
    // renamed turns out to be a live lock (taken between our read and rename), give it back.
    const broken = `${paths.lock}.stale-${process.pid}`;
    try {
      renameSync(paths.lock, broken);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') continue;
      throw e;
    }
    const taken = readOwner(broken);
    if (taken && !isStale(broken, taken)) {
      renameSync(broken, paths.lock);
      throw busy(paths, taken);
    }
    rmSync(broken, { force: true });
  }
}

/** Writes the journal atomically: a complete file appears under its name, or none does. */
export function writeJournal(paths: OutputPaths, steps: readonly JournalStep[], onStep?: StepHook): void {
  onStep?.('journal');
  const tmp = `${paths.journal}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, steps }));
  renameSync(tmp, paths.journal);
}

function readJournal(paths: OutputPaths): JournalStep[] | undefined {
  let text: string;
  try {
    text = readFileSync(paths.journal, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  let steps: unknown;
  try {
    steps = (JSON.parse(text) as { steps?: unknown }).steps;
  } catch {
    steps = undefined;
  }
  if (!Array.isArray(steps) || !steps.every((s: JournalStep) => typeof s?.path === 'string' && typeof s.staged === 'boolean' && !s.path.split('/').includes('..'))) {
    throw new OutputError(`strata: ${shown(paths.journal)} is not a journal strata wrote; remove ${shown(paths.work)} and synth again`, 'EJOURNAL', EXIT.io);
  }
  return steps;
}

function stepPaths(paths: OutputPaths, step: JournalStep, i: number): { from: string; to: string; old: string } {
  return {
    from: step.path ? join(paths.staging, step.path) : paths.staging,
    to: step.path ? join(paths.target, step.path) : paths.target,
    old: join(paths.retired, String(i)),
  };
}

/**
 * Does the journal's renames that are not done yet. A step is done when its staged copy is gone
 * (it was placed) or, for a step without one, when the output has nothing at its path: so this is
 * correct after an interruption at any point, and after a partial roll-back too.
 */
export function rollForward(paths: OutputPaths, steps: readonly JournalStep[], onStep?: StepHook): void {
  mkdirSync(paths.retired, { recursive: true });
  for (const [i, step] of steps.entries()) {
    const { from, to, old } = stepPaths(paths, step, i);
    if (step.staged ? !lexists(from) : !lexists(to)) continue;
    assertNoLinkAbove(paths.target, to, paths.target);
    if (lexists(to)) {
      onStep?.('retire');
      renameSync(to, old);
    }
    if (step.staged) {
      if (step.path) mkdirSync(dirname(to), { recursive: true });
      onStep?.('place');
      renameSync(from, to);
    }
  }
}

/**
 * Undoes the renames of a swap that failed in this process, last first. Interrupted itself, it
 * leaves a state `rollForward` still completes.
 */
export function rollBack(paths: OutputPaths, steps: readonly JournalStep[], onStep?: StepHook): void {
  for (let i = steps.length - 1; i >= 0; i--) {
    const { from, to, old } = stepPaths(paths, steps[i], i);
    if (steps[i].staged && !lexists(from) && lexists(to)) {
      onStep?.('rollback');
      renameSync(to, from);
    }
    if (lexists(old) && !lexists(to)) {
      onStep?.('rollback');
      renameSync(old, to);
    }
  }
}

/** What a recovery did. */
export interface Recovery {
  /** True when an interrupted swap was finished (the output now holds that synth's tree). */
  readonly finished: boolean;
  /** Leftovers removed: staging copies, retired copies, journals, old-style `.tmp-`/`.old-` folders. */
  readonly removed: readonly string[];
}

/** Leftover folders of strata versions that staged as `<out>.tmp-<pid>` / `<out>.old-<pid>` (beside or, with --cluster, inside the output). */
function legacyLeftovers(paths: OutputPaths, removed: string[]): void {
  const scan = (dir: string, only?: string): void => {
    if (entryType(dir) !== 'dir') return;
    for (const name of readdirSync(dir)) {
      const m = /^(.+)\.(tmp|old)-\d+$/.exec(name);
      if (!m || (only !== undefined && m[1] !== only)) continue;
      const path = join(dir, name);
      const original = join(dir, m[1]);
      // An old copy whose original is missing was cut off between the two renames: it goes back.
      if (m[2] === 'old' && !lexists(original)) renameSync(path, original);
      else rmSync(path, { recursive: true, force: true });
      removed.push(shown(path));
    }
  };
  scan(dirname(paths.target), basename(paths.target));
  if (entryType(paths.target) === 'dir') {
    scan(paths.target);
    scan(join(paths.target, 'clusters'));
  }
}

/**
 * Recovery under the lock (the caller holds it): finishes a journaled swap, then removes the
 * staging copy, the retired copies and the journal.
 */
export function recoverLocked(paths: OutputPaths, onStep?: StepHook): Recovery {
  const removed: string[] = [];
  const steps = readJournal(paths);
  if (steps) rollForward(paths, steps, onStep);
  for (const leftover of [paths.staging, paths.retired, `${paths.journal}.tmp`, paths.journal]) {
    if (!lexists(leftover)) continue;
    onStep?.('cleanup');
    rmSync(leftover, { recursive: true, force: true });
    removed.push(shown(leftover));
  }
  legacyLeftovers(paths, removed);
  return { finished: steps !== undefined, removed };
}

/**
 * Brings an output folder (dist/) back to a consistent state after an interrupted synth: exactly
 * the tree before it, or exactly the tree it was writing, and no leftover beside or inside it.
 * Every strata command that reads the output folder calls this first (`npm run validate`,
 * `npm run plan`); a synth does it under its own lock. Cheap when there is nothing to do.
 * @param outdir the output folder, e.g. 'dist'
 * @returns what was finished and removed (empty when nothing was interrupted)
 * @throws OutputError `ELOCKED` (exit code 4) while another synth is writing it; other
 *   OutputErrors (exit code 3) when the file system refuses the recovery
 */
export function recoverOutput(outdir: string): Recovery {
  const paths = outputPaths(outdir);
  try {
    if (entryType(paths.work) === undefined) {
      const removed: string[] = [];
      legacyLeftovers(paths, removed);
      return { finished: false, removed };
    }
    const release = acquireLock(paths);
    try {
      return recoverLocked(paths);
    } finally {
      release();
    }
  } catch (e) {
    throw outputError(e, paths.target, 'pending');
  }
}

/** Removes `path` if it exists, ignoring failures (best effort, after another failure). */
export function tryRemove(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // the next recovery removes it
  }
}
