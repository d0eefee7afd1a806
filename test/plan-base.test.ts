// The base of a plan (lib/plan/base.ts): `--cluster-map` renames the base's clusters to the
// fleet's; a commit without dist/ holding a Flux repository is read as Flux applies it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, mapClusters, resolveBase, type Base } from '../lib/plan/base.js';
import type { ClusterTree } from '../lib/plan/tree.js';

const cluster = (name: string): ClusterTree => ({ name, objects: new Map(), layers: new Map() });
const base: Base = { label: 'old/', tree: { clusters: new Map([['prod-eu-1', cluster('prod-eu-1')], ['stg', cluster('stg')]]) } };

describe('mapClusters', () => {
  test('renames the mapped clusters and keeps the others', () => {
    const mapped = mapClusters(base, ['prod-eu-1=production']);
    expect([...mapped.tree.clusters.keys()]).toEqual(['production', 'stg']);
    expect(mapped.tree.clusters.get('production')!.name).toBe('production');
    expect(mapClusters(base, [])).toBe(base);
  });

  test.each([
    ['production', '--cluster-map production: use <base cluster>=<cluster>, e.g. prod-eu-1=production'],
    ['a=b=c', '--cluster-map a=b=c: use <base cluster>=<cluster>, e.g. prod-eu-1=production'],
    ['=production', '--cluster-map =production: use <base cluster>=<cluster>, e.g. prod-eu-1=production'],
    ['prod-us=production', '--cluster-map prod-us=production: the base has no cluster prod-us (it has prod-eu-1, stg)'],
  ])('%s is a usage error', (mapping, message) => {
    expect(() => mapClusters(base, [mapping])).toThrow(new UsageError(message));
  });

  test('two base clusters mapped onto one is a usage error', () => {
    expect(() => mapClusters(base, ['prod-eu-1=stg'])).toThrow(new UsageError('--cluster-map: two base clusters become stg; map each onto a cluster of its own'));
  });
});

describe('a Flux repository as the base', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

  test('a commit without dist/ that holds a Flux repository is read as Flux applies it, each object with its Kustomization', () => {
    const repo = mkdtempSync(join(tmpdir(), 'strata-plan-flux-base-'));
    try {
      cpSync('test/fixtures/flux-repo', repo, { recursive: true });
      git(repo, 'init', '-q', '-b', 'main');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-q', '-m', 'flux');
      const base = resolveBase(undefined, 'dist', repo);
      expect(base.label).toMatch(/^the repository at HEAD \([0-9a-f]{7}\) \(a Flux repository, as Flux applies it\)$/);
      expect([...base.tree.clusters.keys()]).toEqual(['production', 'staging']);
      const staging = base.tree.clusters.get('staging')!;
      const owners = Object.fromEntries([...staging.objects.values()].map((o) => [`${o.id.kind} ${o.id.namespace ?? ''}/${o.id.name}`, o.owner]));
      expect(owners).toMatchObject({
        'Kustomization flux-system/infra-controllers': 'flux-system',
        'HelmRelease cert-manager/cert-manager': 'infra-controllers',
        'ClusterIssuer /letsencrypt': 'infra-configs',
        'HelmRelease podinfo/podinfo': 'apps',
      });
      // Built as kustomize-controller builds it: the staging overlay's patch is applied.
      expect((staging.objects.get('podinfo_podinfo_helm.toolkit.fluxcd.io_HelmRelease')!.manifest.spec as { test?: unknown }).test).toEqual({ enable: true });
      expect(staging.layers.get('apps')!.folder).toBe('apps/staging');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
