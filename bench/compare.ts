// Reads back what two cases wrote, to check they wrote the same Kubernetes objects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { listFiles } from '../lib/synth/writer.js';

/** `apiVersion kind namespace/name` of a manifest. */
export function identity(manifest: Record<string, unknown>): string {
  const meta = (manifest.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(manifest.apiVersion)} ${String(manifest.kind)} ${meta.namespace ?? ''}/${meta.name ?? ''}`;
}

/** The cluster of a file strata wrote: `<cluster>/...` or `clusters/<cluster>/...`. */
export function strataCluster(file: string): string {
  const [first, second] = file.split('/');
  return first === 'clusters' ? second : first;
}

/**
 * The id of the raw anchor's chart holding the objects of strata folder `dir` in `namespace`:
 * `<cluster>.<rest of the folder, dotted>.<namespace>`. Names are DNS labels, so the dots
 * separate them unambiguously, and cdk8s names the chart's output folder after it.
 */
export function chartId(dir: string, namespace: string | undefined): string {
  const segments = dir.split('/');
  const [cluster, rest] = segments[0] === 'clusters' ? [segments[1], ['clusters']] : [segments[0], segments.slice(1)];
  return [cluster, ...rest, namespace ?? '_cluster'].join('.');
}

/** The cluster of a file cdk8s wrote for a chart named by `chartId`. */
export function chartCluster(file: string): string {
  return file.split('.')[0];
}

/**
 * Every Kubernetes object in the YAML files below `dir` by cluster and identity (kustomize's
 * kustomization.yaml index files are not objects and are left out). A second object with the
 * same identity is an error: the comparison would hide it.
 */
export function objectsIn(dir: string, clusterOf: (file: string) => string): Map<string, Record<string, unknown>> {
  const objects = new Map<string, Record<string, unknown>>();
  for (const file of listFiles(dir)) {
    if (!file.endsWith('.yaml') || file.endsWith('kustomization.yaml')) continue;
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const manifest = doc.toJS() as Record<string, unknown> | null;
      if (!manifest) continue;
      const id = `${clusterOf(file)}: ${identity(manifest)}`;
      if (objects.has(id)) throw new Error(`${dir}: ${id} is written twice (${file})`);
      objects.set(id, manifest);
    }
  }
  return objects;
}
