// Kinds a project registers while it runs (`registerCustomResourceDefinition`, `registerSchema` in
// main.ts) exist only in that process; `npm run validate` does not run the project. So a synth
// records the ones each cluster's objects use beside the cluster, in
// `clusters/<cluster>/registered-kinds.json` (outside every folder Flux applies, and no YAML, so
// kustomize never reads it), and `npm run validate` registers them back before it checks the tree:
// both accept exactly the same objects. The CRDs cdk8s.yaml names are not recorded: both read them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { StrataError, type Finding } from '../fleet/errors.js';
import type { Manifest } from '../synth/model.js';
import { kindsOfCrd, type KindScope } from './crd.js';
import { addToRegistry, runtimeRegistrations } from './schema.js';

/** The file, in `clusters/<cluster>/`, that records the run-time registrations the cluster uses. */
export const REGISTRATIONS_FILE = 'registered-kinds.json';

/** What the file holds: whole CRDs (validated as at synth), and kinds known by scope only. */
interface Recorded {
  readonly customResourceDefinitions: readonly Record<string, unknown>[];
  readonly kinds: readonly { readonly apiVersion: string; readonly kind: string; readonly scope: KindScope }[];
}

/** JSON with keys sorted at every level: the same registrations give the same bytes. */
function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/**
 * The content of `registered-kinds.json` for a cluster with these objects: the run-time
 * registrations of the kinds they use; undefined when they use none (no file is written).
 */
export function recordRegistrations(objects: Iterable<Manifest>): string | undefined {
  const registered = runtimeRegistrations();
  const used = new Set<string>();
  for (const m of objects) used.add(`${m.apiVersion}/${m.kind}`);
  const crds = new Map<string, Record<string, unknown>>();
  const kinds: Recorded['kinds'][number][] = [];
  for (const k of [...used].sort()) {
    const r = registered.get(k);
    if (!r) continue;
    if (r.crd) crds.set(String((r.crd.metadata as { name?: unknown } | undefined)?.name ?? k), r.crd);
    else kinds.push({ apiVersion: r.schema.apiVersion, kind: r.schema.kind, scope: r.schema.scope });
  }
  if (crds.size === 0 && kinds.length === 0) return undefined;
  const recorded: Recorded = { customResourceDefinitions: [...crds.keys()].sort().map((n) => crds.get(n) as Record<string, unknown>), kinds };
  return stableJson(recorded);
}

/**
 * Registers what a synth recorded in each `clusters/<cluster>/registered-kinds.json` of a tree.
 * A file that is not what a synth writes is a finding on it.
 */
export function loadRegistrations(dir: string): Finding[] {
  const clusters = join(dir, 'clusters');
  if (!existsSync(clusters)) return [];
  const findings: Finding[] = [];
  for (const cluster of readdirSync(clusters).sort()) {
    const file = posix.join('clusters', cluster, REGISTRATIONS_FILE);
    if (!existsSync(join(dir, file))) continue;
    try {
      const recorded = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<Recorded>;
      for (const crd of recorded.customResourceDefinitions ?? []) for (const k of kindsOfCrd(crd, file)) addToRegistry(k);
      for (const k of recorded.kinds ?? []) addToRegistry({ apiVersion: k.apiVersion, kind: k.kind, scope: k.scope === 'Cluster' ? 'Cluster' : 'Namespaced', source: `${file} (registered by the project at synth time)` });
    } catch (e) {
      if (!(e instanceof StrataError) && !(e instanceof SyntaxError)) throw e;
      findings.push({ path: file, message: `cannot read the kinds the synth recorded: ${e.message}` });
    }
  }
  return findings;
}
