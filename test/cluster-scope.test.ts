// Which built-in kinds are cluster-scoped, checked against real kustomize (kubectl 1.33's), whose
// namespace transformer sets a namespace only on the kinds its Kubernetes API table calls
// namespaced. Its table is older than the API strata serves (it treats kinds it does not know as
// namespaced), so the check goes one way: every kind kustomize keeps cluster-wide is cluster-scoped
// for strata too. The kinds are every Kubernetes kind of the 1.34 bindings (cdk8s-plus-34).
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isClusterScoped } from '../lib/index.js';
import { kustomizeBuild } from './support/kubectl.js';

const require = createRequire(import.meta.url);

/** `apiVersion` and `kind` of every Kubernetes kind of the 1.34 API (list kinds left out). */
function builtInKinds(): { apiVersion: string; kind: string }[] {
  const k8s = require('cdk8s-plus-34/lib/imports/k8s.js') as Record<string, { GVK?: { apiVersion: string; kind: string } }>;
  const seen = new Map<string, { apiVersion: string; kind: string }>();
  for (const c of Object.values(k8s)) if (c?.GVK && !c.GVK.kind.endsWith('List')) seen.set(`${c.GVK.apiVersion}/${c.GVK.kind}`, c.GVK);
  return [...seen.values()];
}

describe('cluster scope of the built-in kinds', () => {
  const kinds = builtInKinds();
  const dir = mkdtempSync(join(tmpdir(), 'strata-scope-'));
  writeFileSync(join(dir, 'all.yaml'), kinds.map((k, i) => `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: x${i}\n`).join('---\n'));
  writeFileSync(join(dir, 'kustomization.yaml'), 'namespace: probe\nresources:\n  - all.yaml\n');
  const built = parseAllDocuments(kustomizeBuild(dir)).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { namespace?: string } });

  test('every kind real kustomize keeps without a namespace is cluster-scoped for strata', () => {
    const clusterWide = built.filter((o) => o.metadata.namespace === undefined).map((o) => `${o.apiVersion} ${o.kind}`);
    expect(clusterWide).toContain('v1 Node');
    expect(clusterWide.filter((k) => !isClusterScoped(k.split(' ')[0], k.split(' ')[1]))).toEqual([]);
  });

  test('the workload and configuration kinds stay namespaced', () => {
    expect(['apps/v1 Deployment', 'v1 ConfigMap', 'v1 Service', 'networking.k8s.io/v1 NetworkPolicy', 'rbac.authorization.k8s.io/v1 RoleBinding', 'authorization.k8s.io/v1 LocalSubjectAccessReview']
      .filter((k) => isClusterScoped(k.split(' ')[0], k.split(' ')[1]))).toEqual([]);
    expect(kinds.length).toBeGreaterThan(80);
  });
});
