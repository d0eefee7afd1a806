// The output folder's lock: one synth writes it at a time. A file created exclusively (O_EXCL)
// in the work folder beside the output, holding pid, host and start time; a lock whose process
// is gone (no such pid, a zombie, or the pid of a newer process) is taken over.
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { EXIT, OutputError, errnoCode, shown } from './output-errors.js';
import { assertNoLinkAbove, type OutputPaths, type StepHook } from './output-paths.js';

/** The lock file's content: who is writing the output folder. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken (ISO 8601), for messages. */
  readonly started: string;
  /** The process's start time as the kernel counts it (Linux: clock ticks since boot); absent elsewhere and in older locks. */
  readonly pidStart?: string;
}

/** What the kernel says of a process: its state letter (`R`, `S`, `Z` for a zombie, ...) and start time. */
export interface ProcessState {
  readonly state: string;
  /** Clock ticks since boot: with the pid, it names one process (a reused pid starts later). */
  readonly start: string;
}

/**
 * A process's state from `/proc/<pid>/stat` (fields 3 and 22, see proc_pid_stat(5):
 * https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html); undefined when there is no `/proc`
 * (macOS, Windows) or no such process.
 */
export function readProcessState(pid: number): ProcessState | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.length > 19 ? { state: fields[0], start: fields[19] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Is the lock owner's process still running? Not when the pid is gone, when it is a zombie (killed,
 * not yet reaped: `kill(pid, 0)` still succeeds, and without an init reaping it may stay forever),
 * or when the pid now belongs to a process started at another time than the lock records.
 */
function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
  const proc = readProcessState(owner.pid);
  if (!proc) return true;
  if (proc.state === 'Z' || proc.state === 'X') return false;
  return owner.pidStart === undefined || owner.pidStart === proc.start;
}

function readOwner(lock: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lock, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A lock left by a process that is gone: same host, dead pid (see `isAlive`); or unreadable and older than a few seconds. */
function isStale(lock: string, owner: LockOwner | undefined): boolean {
  if (owner) return owner.host === hostname() && !isAlive(owner);
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
 * pid, host and start times. A lock whose process is dead (gone, a zombie, or its pid reused) is taken over. Returns the function that releases it.
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
  const pidStart = readProcessState(process.pid)?.start;
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), ...(pidStart === undefined ? {} : { pidStart }) };
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
