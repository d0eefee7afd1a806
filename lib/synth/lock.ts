// The output folder's lock: one synth writes it at a time. A file created exclusively (O_EXCL)
// in the work folder beside the output, holding pid, host and start time; a lock whose process
// is gone is taken over.
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { EXIT, OutputError, errnoCode, shown } from './output-errors.js';
import { assertNoLinkAbove, type OutputPaths, type StepHook } from './output-paths.js';

/** The lock file's content: who is writing the output folder. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
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
