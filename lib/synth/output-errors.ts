// File-system failures of writing the output folder, as one line each: what failed, why, and in
// what state the output folder was left. No stack: the cause is the disk, not strata.
import { relative } from 'node:path';

/**
 * Exit codes of `npm run synth` (and of `npm run validate` / `npm run plan` when recovering dist/):
 * 1 errors in the fleet (nothing written), 2 usage, 3 the file system refused (read-only, full,
 * busy, name too long, a symlink in the way), 4 another synth holds the output folder's lock.
 */
export const EXIT = {
  /** 1: the fleet has errors; nothing was written. */
  fleet: 1,
  /** 2: the command line is wrong (unknown flag, bad value). */
  usage: 2,
  /** 3: the file system refused a write or recovery (read-only, full, busy, name too long, a symlink in the way). */
  io: 3,
  /** 4: another synth holds the output folder's lock. */
  busy: 4,
} as const;


/** What the output folder holds after a failure. */
export type OutputState = 'unchanged' | 'pending';

/** A file-system failure while writing or recovering an output folder; its message is one line. */
export class OutputError extends Error {
  constructor(
    message: string,
    /** The errno code (`EROFS`, `ENOSPC`, ...), or `ELOCKED` / `ESYMLINK` / `EJOURNAL` for strata's own refusals. */
    readonly code: string,
    /** The process exit code for it (see `EXIT`). */
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

const REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EBUSY: 'a file or folder is in use by another program',
  ENAMETOOLONG: 'a file name or path is too long for the file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EXDEV: 'the output folder is on another file system than its parent folder',
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'a folder is in the way of a file',
  ENOTEMPTY: 'a folder is in the way',
  EIO: 'an input/output error of the device',
};

/** A path as the user typed it: relative to the working directory when inside it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** The errno code of `e`, if it is a Node.js system error. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * `e` as an OutputError naming the output folder, the failing path and what the folder holds now;
 * other errors (bugs, bad input) are returned as they are.
 */
export function outputError(e: unknown, outdir: string, state: OutputState): unknown {
  if (e instanceof OutputError) return e;
  const code = errnoCode(e);
  if (!code) return e;
  const path = (e as { path?: unknown; dest?: unknown }).path;
  const where = typeof path === 'string' ? ` at ${shown(path)}` : '';
  const outcome = state === 'unchanged' ? `${shown(outdir)}/ is unchanged` : `the next synth, validate or plan finishes ${shown(outdir)}/`;
  return new OutputError(`strata: cannot write ${shown(outdir)}/: ${REASONS[code] ?? (e as Error).message} (${code}${where}); ${outcome}`, code, EXIT.io);
}
