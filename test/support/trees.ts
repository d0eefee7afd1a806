// Small dist/ trees for the writer's tests: three clusters, in two variants that differ in every
// cluster (files changed, added and removed), so "exactly before" and "exactly after" differ.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const TREE_CLUSTERS = ['one', 'two', 'three'] as const;

/** The files of `clusters` in variant `v` ('a' or 'b'). */
export function treeFiles(v: 'a' | 'b', clusters: readonly string[] = TREE_CLUSTERS): [string, string][] {
  const names = v === 'a' ? ['x', 'y', 'z'] : ['y', 'w'];
  return clusters.flatMap((c): [string, string][] => [
    ...names.map((n): [string, string] => [`${c}/apps/shop/configmap-${n}.yaml`, `kind: ConfigMap # ${c} ${v} ${n}\n`]),
    [`${c}/apps/shop/kustomization.yaml`, `resources: [${names.join(', ')}] # ${v}\n`],
    [`clusters/${c}/kustomization.yaml`, `resources: [layers.yaml] # ${c} ${v}\n`],
    [`clusters/${c}/layers.yaml`, `kind: Kustomization # ${c} ${v}\n`],
  ]);
}

/** Every entry below `dir` (files and links, read without following links; folders end in '/'), with contents. */
export function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (e.isDirectory()) Object.assign(out, { [`${rel}/`]: '' }, snapshot(dir, rel));
    else out[rel] = e.isSymbolicLink() ? `-> link` : readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

/** The files of a tree as `snapshot` shows them. */
export function expected(files: Iterable<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, content] of files) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) out[`${parts.slice(0, i).join('/')}/`] = '';
    out[path] = content;
  }
  return out;
}
