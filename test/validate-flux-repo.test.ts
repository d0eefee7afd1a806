// `npm run validate` on a Flux repository strata did not write: the standard-layout fixture
// (test/fixtures/flux-repo) reports nothing, a broken copy reports each seeded fault, and the
// kustomize subset builds what real kustomize builds.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateDist } from '../lib/index.js';
import { kustomizeBuild } from '../lib/validate/kustomize.js';
import { kustomizeBuild as realKustomizeBuild } from './support/kubectl.js';

const FIXTURE = join('test', 'fixtures', 'flux-repo');

function copyOfFixture(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'strata-flux-repo-')), 'repo');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const text = readFileSync(join(dir, file), 'utf8');
  const changed = change(text);
  if (changed === text) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(join(dir, file), changed);
}

function write(dir: string, file: string, text: string): void {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), text);
}

const identity = (m: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${m.apiVersion} ${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;
const sorted = <T extends { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }>(list: T[]): T[] =>
  [...list].sort((a, b) => (identity(a) < identity(b) ? -1 : identity(a) > identity(b) ? 1 : 0));

/** What real kustomize builds for a folder, as plain objects. */
function realBuild(dir: string): Record<string, unknown>[] {
  return parseAllDocuments(realKustomizeBuild(dir)).map((d) => d.toJS() as Record<string, unknown>).filter((v) => v !== null);
}

describe('npm run validate on the standard-layout Flux repository', () => {
  const result = validateDist(FIXTURE);

  test('reports nothing and exits 0', () => {
    expect(result.findings).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.notes).toEqual([]);
  });

  test('reads one cluster per cluster folder, with the folders its Kustomizations apply', () => {
    expect(result.model.clusters.map((c) => [c.name, c.stage, c.folders.map((f) => f.dir)])).toEqual([
      ['production', 'production', ['clusters/production', 'apps/production', 'infrastructure/controllers', 'infrastructure/configs']],
      ['staging', 'staging', ['clusters/staging', 'apps/staging', 'infrastructure/controllers', 'infrastructure/configs']],
    ]);
    expect(result.model.clusters[0].layers.map((k) => k.manifest.metadata.name)).toEqual(['apps', 'infra-controllers', 'infra-configs']);
  });

  test('reads neither .github/, nor patch files, nor the controllers of flux-system/', () => {
    const files = new Set(result.model.clusters.flatMap((c) => [...c.folders.flatMap((f) => f.objects), ...c.layers, ...c.sources]).map((o) => o.file));
    expect([...files].sort()).toEqual([
      'apps/base/podinfo/namespace.yaml', 'apps/base/podinfo/release.yaml', 'apps/base/podinfo/repository.yaml',
      'clusters/production/apps.yaml', 'clusters/production/flux-system/gotk-sync.yaml', 'clusters/production/infrastructure.yaml',
      'clusters/staging/apps.yaml', 'clusters/staging/flux-system/gotk-sync.yaml', 'clusters/staging/infrastructure.yaml',
      'infrastructure/configs/cluster-issuers.yaml', 'infrastructure/configs/gateway.yaml',
      'infrastructure/controllers/cert-manager.yaml', 'infrastructure/controllers/envoy-gateway.yaml',
    ]);
  });

  test('applies each overlay\'s patches and the Flux Kustomization\'s own patches per cluster', () => {
    const object = (cluster: string, kind: string, name: string) =>
      result.model.clusters.find((c) => c.name === cluster)?.folders.flatMap((f) => f.objects).find((o) => o.manifest.kind === kind && o.manifest.metadata.name === name)?.manifest;
    const server = (cluster: string) => (object(cluster, 'ClusterIssuer', 'letsencrypt')?.spec as { acme: { server: string } }).acme.server;
    expect([server('production'), server('staging')]).toEqual(['https://acme-v02.api.letsencrypt.org/directory', 'https://acme-staging-v02.api.letsencrypt.org/directory']);
    const version = (cluster: string) => (object(cluster, 'HelmRelease', 'podinfo')?.spec as { chart: { spec: { version: string } } }).chart.spec.version;
    expect([version('production'), version('staging')]).toEqual(['6.9.2', '6.10.1']);
  });

  test.each(['infrastructure/controllers', 'infrastructure/configs', 'apps/staging', 'apps/production'])('%s builds the objects real kustomize builds', (dir) => {
    expect(sorted(kustomizeBuild(FIXTURE, dir).objects.map((o) => o.manifest))).toEqual(sorted(realBuild(join(FIXTURE, dir)) as never[]));
  });

  test('the command line: exit 0, and --help says what it reads', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', ...args], { encoding: 'utf8' });
    const r = run(FIXTURE);
    expect([r.status, r.stdout.trim()]).toEqual([0, 'strata: 2 clusters, 36 objects in test/fixtures/flux-repo: valid']);
    const help = run('--help').stdout;
    for (const said of ['gotk-sync.yaml', 'spec.path', 'every YAML file below the folder', '.github/', 'patch files (only through the', 'ExternalArtifact']) expect(help).toContain(said);
  });
});

test('cluster folders are found where `flux bootstrap --path` put them, without a clusters/ folder', () => {
  const dir = copyOfFixture();
  renameSync(join(dir, 'clusters'), join(dir, 'fleet'));
  for (const c of ['staging', 'production']) edit(dir, `fleet/${c}/flux-system/gotk-sync.yaml`, (t) => t.replace(`path: ./clusters/${c}`, `path: ./fleet/${c}`));
  const result = validateDist(dir);
  expect([result.model.clusters.map((c) => [c.name, c.folders[0].dir]), result.findings]).toEqual([[['production', 'fleet/production'], ['staging', 'fleet/staging']], []]);
});

describe('npm run validate on a broken copy of the Flux repository reports each seeded fault', () => {
  const dir = copyOfFixture();
  // A dependsOn naming a missing Kustomization.
  edit(dir, 'clusters/staging/apps.yaml', (t) => t.replace('- name: infra-configs', '- name: infra-config'));
  // A path that does not exist.
  edit(dir, 'clusters/production/apps.yaml', (t) => t.replace('path: ./apps/production', 'path: ./apps/prod'));
  // A HelmRelease whose chart source is missing.
  edit(dir, 'infrastructure/controllers/envoy-gateway.yaml', (t) => t.replace('    name: gateway-helm\n', '    name: gateway-chart\n'));
  // A schema error that only the overlay's patch brings in.
  edit(dir, 'apps/staging/podinfo-values.yaml', (t) => t.replace('  test:\n    enable: true', '  test:\n    enable: "yes"'));
  // A dependsOn cycle.
  edit(dir, 'clusters/production/infrastructure.yaml', (t) => t.replace('  interval: 1h\n  retryInterval: 1m\n  timeout: 5m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./infrastructure/controllers',
    '  dependsOn:\n    - name: infra-configs\n  interval: 1h\n  retryInterval: 1m\n  timeout: 5m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./infrastructure/controllers'));
  // A kustomization listing a file that is not there.
  edit(dir, 'infrastructure/configs/kustomization.yaml', (t) => `${t}  - issuers.yaml\n`);
  // A YAML file that is no Kubernetes object in a folder Flux generates a kustomization for.
  write(dir, 'clusters/staging/values.yaml', 'replicas: 2\n');
  // A patch for an object no resource is.
  edit(dir, 'apps/staging/kustomization.yaml', (t) => t.replace('patches:', 'patchesStrategicMerge:\n  - |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: podinfo-extra\n      namespace: podinfo\n    data:\n      a: b\npatches:'));
  // A Kustomization reading an OCIRepository: not this repository, a note rather than an error.
  write(dir, 'clusters/staging/rendered.yaml', [
    'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', 'metadata:', '  name: rendered', '  namespace: flux-system',
    'spec:', '  interval: 10m', '  url: oci://ghcr.io/example/rendered', '  ref:', '    tag: latest', '---',
    'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'metadata:', '  name: rendered', '  namespace: flux-system',
    'spec:', '  interval: 10m', '  prune: true', '  path: ./', '  sourceRef:', '    kind: OCIRepository', '    name: rendered', '',
  ].join('\n'));
  // A remote resource: not followed, a note.
  edit(dir, 'infrastructure/controllers/kustomization.yaml', (t) => `${t}  - https://github.com/example/addons//base?ref=v1.0.0\n`);
  const result = validateDist(dir);
  const messages = result.findings.map((f) => `${f.path}: ${f.rule ? `[${f.rule}] ` : ''}${f.message}`);

  test('a dependsOn naming a missing Kustomization', () => {
    expect(messages).toContain('staging/clusters/staging/apps.yaml#0: [flux-dependency-exists] dependsOn Kustomization flux-system/infra-config does not exist on this cluster');
  });

  test('a spec.path that does not exist', () => {
    expect(messages).toContain('production/clusters/production/apps.yaml#0: spec.path "./apps/prod" does not exist in the repository: kustomize-controller fails the Kustomization and applies nothing');
  });

  test('a HelmRelease whose chartRef is missing, on each cluster', () => {
    const missing = '[flux-source-exists] chartRef OCIRepository envoy-gateway-system/gateway-chart does not exist on this cluster';
    expect(messages.filter((m) => m.endsWith(missing))).toEqual([`production/infrastructure/controllers/envoy-gateway.yaml#2: ${missing}`, `staging/infrastructure/controllers/envoy-gateway.yaml#2: ${missing}`]);
  });

  test('a schema error in an object an overlay patched', () => {
    expect(messages.filter((m) => m.includes('/spec/test/enable'))).toEqual(['staging/apps/base/podinfo/release.yaml#0: HelmRelease podinfo: schema helm.toolkit.fluxcd.io/v2: /spec/test/enable must be boolean']);
  });

  test('a dependsOn cycle', () => {
    expect(messages).toContain('production/clusters/production/infrastructure.yaml#0: [flux-dependency-cycle] dependsOn cycle Kustomization flux-system/infra-controllers → flux-system/infra-configs → flux-system/infra-controllers: Flux would never reconcile any of them');
  });

  test('a kustomization listing a missing file', () => {
    expect(messages).toContain('staging/clusters/staging/infrastructure.yaml#1: infrastructure/configs/kustomization.yaml: lists resource issuers.yaml, which does not exist: kustomize build fails (spec.path ./infrastructure/configs)');
  });

  test('a YAML file that is no Kubernetes object where Flux generates the kustomization', () => {
    expect(messages).toContain('staging/clusters/staging: clusters/staging/values.yaml: document 0 is not a Kubernetes object (apiVersion, kind and metadata.name are required): kustomize build fails');
  });

  test('a strategic-merge patch for an object none of the resources is', () => {
    expect(messages.filter((m) => m.includes('podinfo-extra'))).toEqual([
      'staging/clusters/staging/apps.yaml#0: apps/staging/kustomization.yaml: patches ConfigMap podinfo-extra, which none of the resources is: kustomize build fails (spec.path ./apps/staging)',
    ]);
  });

  test('nothing else is an error, and the sources outside the repository are notes', () => {
    // The missing file is listed by a folder both clusters apply, and the chart source is missing on both.
    expect(messages.filter((m) => m.includes('issuers.yaml')).map((m) => m.split(':')[0])).toEqual(['production/clusters/production/infrastructure.yaml#1', 'staging/clusters/staging/infrastructure.yaml#1']);
    expect(result.findings.length).toBe(10);
    expect(result.exitCode).toBe(1);
    expect(result.notes).toEqual([
      'infrastructure/controllers/kustomization.yaml: remote resource https://github.com/example/addons//base?ref=v1.0.0 is not followed: its objects are not checked',
      'staging: Kustomization flux-system/rendered reads OCIRepository flux-system/rendered, not this repository: what it applies is not checked',
    ]);
    expect(result.report).toContain('\n  note: staging: Kustomization flux-system/rendered reads OCIRepository');
  });
});
