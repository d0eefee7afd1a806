// The tree a plan compares with: a dist/ folder on disk, or dist/ as committed at a git commit
// (HEAD by default), extracted with `git archive` into a temporary folder (the work tree, the
// index and the branch are never touched).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { readTree, type PlanTree } from './tree.js';

/** A mistake in how the plan was asked for: reported in one line, exit code 2. */
export class UsageError extends Error {}

export interface Base {
  readonly tree: PlanTree;
  /** What it is, for reports: `dist/ at HEAD (1a2b3c4)` or `old-dist/`. */
  readonly label: string;
}

function git(args: readonly string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** dist/ (`outdir`, relative to `cwd`) at git commit `ref`; empty when the commit has no such folder. */
export function readGitBase(ref: string, outdir: string, cwd = process.cwd()): Base {
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  if (top === undefined) throw new UsageError(`${cwd} is not in a git repository: pass --base <dir> to compare with a dist/ folder`);
  const commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  if (commit === undefined) throw new UsageError(`--base ${ref}: neither a folder nor a git commit`);
  const path = relative(top, resolve(cwd, outdir)).split('\\').join('/');
  const label = `${path}/ at ${ref} (${commit.slice(0, 7)})`;
  if (!git(['ls-tree', '--name-only', commit, '--', path], top)) return { tree: { clusters: new Map() }, label: `${label}, which has none` };
  const tmp = mkdtempSync(join(tmpdir(), 'strata-plan-base-'));
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit, '--', path], { cwd: top, maxBuffer: 2 ** 31 - 1 });
    execFileSync('tar', ['-x', '-C', tmp], { input: archive });
    return { tree: readTree(join(tmp, path)), label };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The base a plan compares with: `--base` as a folder when one exists by that name, else as a git ref. */
export function resolveBase(base: string | undefined, outdir: string, cwd = process.cwd()): Base {
  if (base !== undefined && existsSync(resolve(cwd, base))) {
    if (!statSync(resolve(cwd, base)).isDirectory()) throw new UsageError(`--base ${base}: not a folder`);
    return { tree: readTree(resolve(cwd, base)), label: `${base.replace(/\/+$/, '')}/` };
  }
  return readGitBase(base ?? 'HEAD', outdir, cwd);
}
