import type { Finding } from '../fleet/errors.js';
import { dnsLabelError, dnsSubdomainError } from '../fleet/names.js';
import { KIND_PATTERN } from '../synth/layout.js';
import type { FleetModel, ResolvedObject } from '../synth/model.js';
import { isClusterScoped } from './schema.js';


/** Kinds whose names must be DNS-1123 labels rather than subdomains (they become DNS names). */
const LABEL_NAMED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'Service']);

function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function nameProblems(obj: ResolvedObject): string[] {
  const { kind, metadata } = obj.manifest;
  const what = `${kind} name`;
  const problem = LABEL_NAMED_KINDS.has(kind) ? dnsLabelError(what, metadata.name) : dnsSubdomainError(what, metadata.name);
  const nsProblem = metadata.namespace !== undefined ? dnsLabelError(`${kind} ${metadata.name}: namespace`, metadata.namespace) : undefined;
  return [problem, nsProblem].filter((p): p is string => p !== undefined);
}

/** A kind names the object's file (`<kind>-<name>.yaml`): one that is not an identifier could leave its folder. */
function kindProblems(obj: ResolvedObject): string[] {
  const { kind } = obj.manifest;
  return KIND_PATTERN.test(kind) ? [] : [`kind ${JSON.stringify(kind)} is not a Kubernetes kind: letters and digits, starting with a letter (e.g. ConfigMap)`];
}

function scopeProblems(obj: ResolvedObject): string[] {
  const { apiVersion, kind, metadata } = obj.manifest;
  const clusterScoped = isClusterScoped(apiVersion, kind);
  if (clusterScoped && metadata.namespace !== undefined) {
    return [`${kind} ${metadata.name} is cluster-scoped but has namespace "${metadata.namespace}"`];
  }
  if (!clusterScoped && metadata.namespace === undefined) {
    return [`${kind} ${metadata.name} is namespaced but has no namespace: declare it inside a namespace scope (e.g. fleet.apps('<namespace>', ...))`];
  }
  return [];
}

/**
 * Structural checks every synth runs: valid names, the right scope, and no two objects with the
 * same identity on one cluster (Flux would apply both and the last one would win, every hour).
 */
export function checkStructure(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    const seen = new Map<string, ResolvedObject>();
    const all = [...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources];
    for (const obj of all) {
      for (const message of [...kindProblems(obj), ...nameProblems(obj), ...scopeProblems(obj)]) findings.push({ path: obj.path, message });
      const { apiVersion, kind, metadata } = obj.manifest;
      const identity = `${apiGroup(apiVersion)}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
      const first = seen.get(identity);
      if (first) {
        const where = metadata.namespace ? ` in namespace ${metadata.namespace}` : '';
        findings.push({ path: obj.path, message: `${kind} ${metadata.name}${where} is also declared by ${first.path}: names must be unique per cluster` });
      } else {
        seen.set(identity, obj);
      }
    }
  }
  return findings;
}
