// The swap of a new output tree into place, made recoverable like a journal. Everything a synth
// keeps while it writes lives in one work folder BESIDE the output (`<parent>/.<name>.strata/`),
// never inside it: the lock, the new tree being staged, the journal of planned renames, and the
// retired old copies. The journal is written (atomically, by rename) only once the new tree is
// complete; from then on the swap only ever rolls forward. So whenever a synth is interrupted, the
// next strata command finds the output folder exactly as before (no journal: the staging copy is
// discarded) or exactly as after (journal: its remaining renames are done), then removes every
// leftover. See docs/output.md.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { acquireLock } from './lock.js';
import { EXIT, OutputError, errnoCode, outputError, shown } from './output-errors.js';
import { assertNoLinkAbove, entryType, lexists, outputPaths, type OutputPaths, type StepHook } from './output-paths.js';

/**
 * One planned rename: the output's `path` (relative; '' for the whole folder) is moved to the
 * retired folder, and the staged copy of `path` (when `staged`) takes its place.
 */
export interface JournalStep {
  readonly path: string;
  readonly staged: boolean;
}

/** Writes the journal atomically: a complete file appears under its name, or none does. */
export function writeJournal(paths: OutputPaths, steps: readonly JournalStep[], onStep?: StepHook): void {
  const tmp = `${paths.journal}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, steps }));
  onStep?.('journal');
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
