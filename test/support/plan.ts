// Plan scenarios the way a user meets them: a synthesized tree committed to a real git repository,
// the fleet definition changed, and the plan of the new synth against dist/ at HEAD.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Fleet } from '../../lib/index.js';
import { readGitBase } from '../../lib/plan/base.js';
import { planTrees, type ObjectChange, type PlanResult } from '../../lib/plan/plan.js';
import { readTree } from '../../lib/plan/tree.js';

/** Writes `files` (dist/-relative path → text) under `dir`. */
export function writeFiles(dir: string, files: ReadonlyMap<string, string> | Record<string, string>): void {
  for (const [rel, text] of files instanceof Map ? files : Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

/** A git repository holding `files` as dist/, committed. */
export function committedRepository(files: ReadonlyMap<string, string> | Record<string, string>): string {
  const repo = mkdtempSync(join(tmpdir(), 'strata-plan-repo-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFiles(join(repo, 'dist'), files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'synthesized');
  return repo;
}

/** The plan of `after` against `before` synthesized and committed (dist/ at HEAD). */
export function planOf(before: Fleet, after: Fleet): PlanResult {
  const repo = committedRepository(before.render().files);
  const head = mkdtempSync(join(tmpdir(), 'strata-plan-head-'));
  writeFiles(head, after.render().files);
  return planTrees(readGitBase('HEAD', 'dist', repo).tree, readTree(head));
}

/** Every change of the plan, all clusters. */
export function changesOf(plan: PlanResult): ObjectChange[] {
  return plan.clusters.flatMap((c) => c.changes);
}

/** The change of the object `Kind name` on `cluster` (the first cluster when not given). */
export function changeOf(plan: PlanResult, kind: string, name: string, cluster?: string): ObjectChange {
  const found = changesOf(plan).find((c) => c.id.kind === kind && c.id.name === name && (!cluster || c.cluster === cluster));
  if (!found) throw new Error(`no change of ${kind} ${name} in the plan: ${changesOf(plan).map((c) => `${c.action} ${c.id.kind} ${c.id.name}`).join(', ')}`);
  return found;
}

/** The rules of a change's hazards. */
export function rulesOf(change: ObjectChange): string[] {
  return change.hazards.map((h) => h.rule);
}
