// The tree a plan compares with: a dist/ folder on disk, or dist/ as committed at a git commit
// (HEAD by default), extracted with `git archive` into a temporary folder (the work tree, the
// index and the branch are never touched). A folder (or a commit without dist/) holding a Flux
// repository strata did not write is read as Flux applies it (./flux-base.ts): the switch-over.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { clusterFolders, isStrataTree } from '../validate/flux-repo.js';
import { readFluxTree } from './flux-base.js';
import { readTree, type ClusterTree, type PlanTree } from './tree.js';

/** A mistake in how the plan was asked for: reported in one line, exit code 2. */
export class UsageError extends Error {}

export interface Base {
  readonly tree: PlanTree;
  /** What it is, for reports: `dist/ at HEAD (1a2b3c4)` or `old-dist/`. */
  readonly label: string;
  /** What reading it could not model (a Flux repository's remote sources, unknown variables). @default none */
  readonly notes?: readonly string[];
}

/**
 * Whether `dir` is a tree strata wrote: the `# strata:` header of its cluster indexes, or (the
 * header lost to a re-serialisation) the `clusters/<cluster>/layers.yaml` every synth writes.
 */
function writtenByStrata(dir: string): boolean {
  const clusters = join(dir, 'clusters');
  if (isStrataTree(dir)) return true;
  return existsSync(clusters) && statSync(clusters).isDirectory() && readdirSync(clusters).some((c) => existsSync(join(clusters, c, 'layers.yaml')));
}

/** A folder as a base: a tree strata wrote, or else a Flux repository. */
function readFolder(dir: string, label: string): Base {
  if (writtenByStrata(dir)) return { tree: readTree(dir), label };
  const flux = readFluxTree(dir);
  return { tree: flux.tree, label: `${label} (a Flux repository, as Flux applies it)`, notes: flux.notes };
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
  const hasOutdir = Boolean(git(['ls-tree', '--name-only', commit, '--', path], top));
  const tmp = mkdtempSync(join(tmpdir(), 'strata-plan-base-'));
  try {
    // Without dist/, the commit may be the Flux repository being adopted: read it whole.
    const archive = execFileSync('git', ['archive', '--format=tar', commit, ...(hasOutdir ? ['--', path] : [])], { cwd: top, maxBuffer: 2 ** 31 - 1 });
    execFileSync('tar', ['-x', '-C', tmp], { input: archive });
    if (hasOutdir) return { tree: readTree(join(tmp, path)), label };
    if (clusterFolders(tmp).length > 0 && !writtenByStrata(tmp)) return readFolder(tmp, `the repository at ${ref} (${commit.slice(0, 7)})`);
    return { tree: { clusters: new Map() }, label: `${label}, which has none` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The base a plan compares with: `--base` as a folder when one exists by that name, else as a git ref. */
export function resolveBase(base: string | undefined, outdir: string, cwd = process.cwd()): Base {
  if (base !== undefined && existsSync(resolve(cwd, base))) {
    if (!statSync(resolve(cwd, base)).isDirectory()) throw new UsageError(`--base ${base}: not a folder`);
    return readFolder(resolve(cwd, base), `${base.replace(/\/+$/, '')}/`);
  }
  return readGitBase(base ?? 'HEAD', outdir, cwd);
}

/**
 * Renames the base's clusters to the head's (`--cluster-map <base cluster>=<cluster>`), for a
 * repository whose cluster folders are named otherwise than strata's clusters.
 * @throws UsageError for a mapping that is not `<name>=<name>`, names a cluster the base lacks, or maps two onto one
 */
export function mapClusters(base: Base, mappings: readonly string[]): Base {
  if (mappings.length === 0) return base;
  const known = [...base.tree.clusters.keys()];
  const renames = new Map<string, string>();
  for (const m of mappings) {
    const [from, to, ...rest] = m.split('=');
    if (!from || !to || rest.length > 0) throw new UsageError(`--cluster-map ${m}: use <base cluster>=<cluster>, e.g. prod-eu-1=production`);
    if (!base.tree.clusters.has(from)) throw new UsageError(`--cluster-map ${m}: the base has no cluster ${from} (it has ${known.join(', ') || 'none'})`);
    renames.set(from, to);
  }
  const clusters = new Map<string, ClusterTree>();
  for (const [name, cluster] of base.tree.clusters) {
    const to = renames.get(name) ?? name;
    if (clusters.has(to)) throw new UsageError(`--cluster-map: two base clusters become ${to}; map each onto a cluster of its own`);
    clusters.set(to, { ...cluster, name: to });
  }
  return { ...base, tree: { ...base.tree, clusters } };
}
