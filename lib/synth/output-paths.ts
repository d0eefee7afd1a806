// Where a synth of an output folder keeps what it writes (beside the output, never inside it),
// and the checks that no write, rename or removal passes through a symbolic link.
import { lstatSync, readlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT, OutputError, errnoCode, shown } from './output-errors.js';

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

/** True when something (a link included, not followed) is at `path`. */
export function lexists(path: string): boolean {
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
