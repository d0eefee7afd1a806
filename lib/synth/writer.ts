import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Files `flux bootstrap` commits into `clusters/<name>/flux-system/`: strata keeps them, never writes them. */
export const BOOTSTRAP_DIR = 'flux-system';

export function isBootstrapped(outdir: string, cluster: string): boolean {
  return existsSync(join(outdir, 'clusters', cluster, BOOTSTRAP_DIR));
}

function writeFiles(root: string, files: Iterable<readonly [string, string]>): number {
  const made = new Set<string>();
  let count = 0;
  for (const [rel, content] of files) {
    count++;
    const dir = dirname(join(root, rel));
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(join(root, rel), content);
  }
  return count;
}

/** Copies `clusters/<c>/flux-system/` of the clusters still produced from the old tree into the new one. */
function keepBootstrapFiles(outdir: string, staging: string, clusters: readonly string[]): void {
  for (const cluster of clusters) {
    const from = join(outdir, 'clusters', cluster, BOOTSTRAP_DIR);
    if (existsSync(from)) cpSync(from, join(staging, 'clusters', cluster, BOOTSTRAP_DIR), { recursive: true });
  }
}

/**
 * Replaces `outdir` with exactly `files`, atomically as far as the file system allows: the new
 * tree is written beside it and swapped in by rename, so a failure before the swap leaves the
 * previous tree untouched, and files no longer produced disappear with the old tree.
 *
 * With `focus`, `files` holds only those clusters' folders (`<cluster>/`, `clusters/<cluster>/`):
 * each is swapped in on its own and everything else in `outdir` stays byte-for-byte as it was.
 * `files` may be made while it is written (see `layoutFiles`): if making one throws, nothing is
 * swapped in. Returns how many files were written.
 */
export function writeTree(outdir: string, files: Iterable<readonly [string, string]>, clusters: readonly string[], focus = false): number {
  const target = resolve(outdir);
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  let count: number;
  try {
    mkdirSync(staging, { recursive: true });
    count = writeFiles(staging, files);
    keepBootstrapFiles(target, staging, clusters);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (focus && existsSync(target)) {
    for (const cluster of clusters) {
      for (const dir of [cluster, join('clusters', cluster)]) swap(join(staging, dir), join(target, dir));
    }
    rmSync(staging, { recursive: true, force: true });
  } else {
    swap(staging, target);
  }
  return count;
}

/** Moves `from` to `to`, replacing whatever was there (renames, then removes the old copy). */
function swap(from: string, to: string): void {
  const retired = `${to}.old-${process.pid}`;
  if (existsSync(to)) renameSync(to, retired);
  if (existsSync(from)) {
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
  }
  rmSync(retired, { recursive: true, force: true });
}

/** Every file below `dir`, as sorted paths relative to it (for tests and `validate`). */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}
