// The lines `npm run synth` ends with: what changed against the dist/ it replaced, counted in
// objects (the rules of `npm run plan`) and named in files. Cheap by
// construction: each file is compared as text with the one it replaces while it is written, and
// only the files that differ are parsed and planned.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BOOTSTRAP_DIR, listFiles } from '../synth/writer.js';
import { blocking, planTrees } from './plan.js';
import { describeTotals } from './totals.js';
import { buildTree, entriesOfFiles } from './tree.js';

export interface ChangeTracker {
  /** The files to write, unchanged: iterating them records what differs from the tree on disk. */
  readonly files: Iterable<readonly [string, string]>;
  /** The summary line, once `files` was iterated; undefined when there was no previous tree (or STRATA_QUIET). */
  summary(): string | undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The cluster of a dist/-relative path: its first folder, or the second under `clusters/`. */
function clusterOf(rel: string): string {
  const parts = rel.split('/');
  return parts[0] === 'clusters' ? parts[1] : parts[0];
}

/**
 * Whether `rel` is in `clusters/<c>/flux-system/` of a cluster the synth writes: the writer keeps
 * flux bootstrap's files there (lib/synth/writer.ts), so they are not removed.
 */
function keptBootstrap(rel: string, written: ReadonlySet<string>): boolean {
  const parts = rel.split('/');
  return parts[0] === 'clusters' && parts[2] === BOOTSTRAP_DIR && parts.length > 3 && written.has(`clusters/${parts[1]}/kustomization.yaml`);
}

/** The files a synth added, changed and removed, dist/-relative. */
interface FileChanges {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

/** How many changed files the summary names; the rest are counted (`… and 12 more`). */
export const LISTED_FILES = 10;

/** The changed files, one line each (`+` added, `~` changed, `-` removed), sorted, capped at LISTED_FILES. */
function listChanges(changes: FileChanges): string[] {
  const lines = [
    ...changes.added.sort().map((f) => `  + ${f}`),
    ...changes.changed.sort().map((f) => `  ~ ${f}`),
    ...changes.removed.sort().map((f) => `  - ${f}`),
  ];
  return lines.length <= LISTED_FILES ? lines : [...lines.slice(0, LISTED_FILES - 1), `  … and ${lines.length - LISTED_FILES + 1} more`];
}

/**
 * Wraps the files a synth writes into `outdir` so that, once written, `summary()` says what
 * changed against the tree they replace: added, removed, changed and destructive objects (the
 * rules of `npm run plan`), and points to `npm run plan` when anything is destructive; then the
 * files added (`+`), changed (`~`) and removed (`-`), at most LISTED_FILES lines.
 * `focus`: the only clusters written (`--cluster`); the others' files are not compared.
 */
export function trackChanges(outdir: string, files: Iterable<readonly [string, string]>, focus?: readonly string[]): ChangeTracker {
  const root = resolve(outdir);
  if (process.env.STRATA_QUIET || !existsSync(root)) return { files, summary: () => undefined };
  const before: [string, string][] = [];
  const after: [string, string][] = [];
  const changed: FileChanges = { added: [], changed: [], removed: [] };
  function* compare(): Generator<readonly [string, string]> {
    const seen = new Set<string>();
    for (const file of files) {
      const [rel, text] = file;
      seen.add(rel);
      const old = read(join(root, rel));
      // Layer Kustomizations are always read: they say which Kustomization owns each changed object.
      if (old === undefined) changed.added.push(rel);
      else if (old !== text) changed.changed.push(rel);
      if (old !== text || rel.endsWith('/layers.yaml')) {
        if (old !== undefined) before.push([rel, old]);
        after.push([rel, text]);
      }
      yield file;
    }
    // The previous tree is still in place until every file is written: read what will be gone.
    const clusters = new Set(focus ?? []);
    for (const rel of listFiles(root).map((f) => f.split('\\').join('/'))) {
      if (seen.has(rel) || (focus && !clusters.has(clusterOf(rel))) || keptBootstrap(rel, seen)) continue;
      const old = read(join(root, rel));
      if (old !== undefined) before.push([rel, old]);
      changed.removed.push(rel);
    }
  }
  return {
    files: compare(),
    summary() {
      const plan = planTrees(buildTree(entriesOfFiles(before)), buildTree(entriesOfFiles(after)));
      const files = listChanges(changed);
      if (plan.clusters.length === 0 && files.length === 0) return `strata: no changes against the previous ${outdir}/`;
      const blocked = plan.clusters.some((c) => c.changes.some(blocking));
      const hint = plan.totals.destructive > 0 ? `: run \`npm run plan\` to see what Flux will delete or fail to apply${blocked ? '' : ' (all acknowledged)'}` : '';
      const totals = plan.clusters.length === 0 ? 'no object changed' : describeTotals(plan.totals);
      return [`strata: against the previous ${outdir}/: ${totals}${hint}`, ...files].join('\n');
    },
  };
}
