// The lines `npm run synth` ends with: what changed against the dist/ it replaced, counted in
// objects (the rules of `npm run plan`) and named in files. Cheap by
// construction: each file is compared as text with the one it replaces while it is written, and
// only the files that differ are parsed and planned.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BOOTSTRAP_DIR, listFiles } from '../synth/writer.js';
import { blocking, planTrees } from './plan.js';
import { describeTotals, type PlanTotals } from './totals.js';
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

/** A cluster's files seen so far, and the texts its plan needs: both versions of what changed, and its layers.yaml. */
interface ClusterFiles {
  readonly cluster: string;
  readonly before: [string, string][];
  readonly after: [string, string][];
}

/** The files on disk under a cluster's two folders (`<c>/` and `clusters/<c>/`), dist/-relative. */
function filesOfCluster(root: string, cluster: string): string[] {
  const under = (prefix: string) => {
    const dir = join(root, prefix);
    // A file where the folder goes (a hand-made tree): the writer replaces it; nothing to list.
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
    return listFiles(dir).map((f) => `${prefix}/${f.split('\\').join('/')}`);
  };
  return [...under(cluster), ...under(`clusters/${cluster}`)];
}

/**
 * Wraps the files a synth writes into `outdir` so that, once written, `summary()` says what
 * changed against the tree they replace: added, removed, changed and destructive objects (the
 * rules of `npm run plan`), and points to `npm run plan` when anything is destructive; then the
 * files added (`+`), changed (`~`) and removed (`-`), at most LISTED_FILES lines.
 * `focus`: the only clusters written (`--cluster`); the others' files are not compared.
 *
 * The files must come cluster by cluster, as a synth streams them: each cluster is planned when
 * the next begins and its texts are let go, so memory stays bounded by one cluster however much
 * of the fleet changed. A cluster whose files come back later is not planned twice: the summary
 * then counts files only, and says so.
 */
export function trackChanges(outdir: string, files: Iterable<readonly [string, string]>, focus?: readonly string[]): ChangeTracker {
  const root = resolve(outdir);
  if (process.env.STRATA_QUIET || !existsSync(root)) return { files, summary: () => undefined };
  const changed: FileChanges = { added: [], changed: [], removed: [] };
  const seen = new Set<string>();
  const planned = new Set<string>();
  const plans: PlanResult[] = [];
  let interleaved = false;
  let current: ClusterFiles | undefined;
  const unreadable: string[] = [];
  const plan = (group: ClusterFiles): void => {
    plans.push(summarizePlan(planTrees(buildTree(entriesOfFiles(group.before, unreadable)), buildTree(entriesOfFiles(group.after)))));
    planned.add(group.cluster);
  };
  /** Records a file of the previous tree the synth no longer writes: what it held is in the before side. */
  const removed = (group: ClusterFiles, rel: string): void => {
    const old = read(join(root, rel));
    if (old !== undefined) group.before.push([rel, old]);
    changed.removed.push(rel);
  };
  /** Plans the cluster whose files have all come; its files on disk it did not write are removed. */
  const finish = (group: ClusterFiles): void => {
    for (const rel of filesOfCluster(root, group.cluster)) if (!seen.has(rel) && !keptBootstrap(rel, seen)) removed(group, rel);
    plan(group);
  };
  function* compare(): Generator<readonly [string, string]> {
    for (const file of files) {
      const [rel, text] = file;
      const cluster = clusterOf(rel);
      if (current?.cluster !== cluster) {
        if (current) finish(current);
        interleaved ||= planned.has(cluster);
        current = { cluster, before: [], after: [] };
      }
      seen.add(rel);
      const old = read(join(root, rel));
      // Layer Kustomizations are always read: they say which Kustomization owns each changed object.
      if (old === undefined) changed.added.push(rel);
      else if (old !== text) changed.changed.push(rel);
      if (old !== text || rel.endsWith('/layers.yaml')) {
        if (old !== undefined) current.before.push([rel, old]);
        current.after.push([rel, text]);
      }
      yield file;
    }
    if (current) finish(current);
    // The previous tree is still in place until every file is written: read what will be gone of
    // the clusters no longer declared, one cluster at a time (its two folders sort apart).
    const clusters = new Set(focus ?? []);
    const gone = new Map<string, string[]>();
    for (const rel of listFiles(root).map((f) => f.split('\\').join('/'))) {
      const cluster = clusterOf(rel);
      if (planned.has(cluster) || seen.has(rel) || (focus && !clusters.has(cluster)) || keptBootstrap(rel, seen)) continue;
      let rels = gone.get(cluster);
      if (!rels) gone.set(cluster, (rels = []));
      rels.push(rel);
    }
    for (const [cluster, rels] of gone) {
      const group: ClusterFiles = { cluster, before: [], after: [] };
      for (const rel of rels) removed(group, rel);
      plan(group);
    }
  }
  return {
    files: compare(),
    summary() {
      const files = listChanges(changed);
      // Objects of a previous file that does not read are in neither tree: say so, whatever else changed.
      const unread = unreadable.length === 0 ? [] : [`strata: ${unreadable.length === 1 ? '1 file' : `${unreadable.length} files`} of the previous ${outdir}/ could not be read, so what ${unreadable.length === 1 ? 'it holds is' : 'they hold is'} not compared: ${unreadable[0]}${unreadable.length > 1 ? ', …' : ''}`];
      if (interleaved) return [`strata: against the previous ${outdir}/: ${changed.added.length + changed.changed.length + changed.removed.length} files differ (objects not counted: the files did not come cluster by cluster)`, ...files, ...unread].join('\n');
      const clusters = plans.reduce((n, p) => n + p.clusters, 0);
      if (clusters === 0 && files.length === 0 && unread.length === 0) return `strata: no changes against the previous ${outdir}/`;
      const totals = addPlanTotals(plans.map((p) => p.totals));
      const blocked = plans.some((p) => p.blocked);
      const hint = totals.destructive > 0 ? `: run \`npm run plan\` to see what Flux will delete or fail to apply${blocked ? '' : ' (all acknowledged)'}` : '';
      return [`strata: against the previous ${outdir}/: ${clusters === 0 ? 'no object changed' : describeTotals(totals)}${hint}`, ...files, ...unread].join('\n');
    },
  };
}

/** What the summary keeps of one cluster's plan (its changes are let go). */
interface PlanResult {
  /** Clusters with changes: 0 or 1. */
  readonly clusters: number;
  readonly totals: PlanTotals;
  /** Whether a destructive change is not acknowledged. */
  readonly blocked: boolean;
}

function summarizePlan(plan: ReturnType<typeof planTrees>): PlanResult {
  return { clusters: plan.clusters.length, totals: plan.totals, blocked: plan.clusters.some((c) => c.changes.some(blocking)) };
}

/** The sum of plans' totals. */
function addPlanTotals(all: readonly PlanTotals[]): PlanTotals {
  const sum = (key: keyof PlanTotals) => all.reduce((n, t) => n + t[key], 0);
  return { added: sum('added'), removed: sum('removed'), changed: sum('changed'), moved: sum('moved'), destructive: sum('destructive'), acknowledged: sum('acknowledged') };
}
