// Adopting a running Flux repository (docs/adopt.md): test/fixtures/flux-repo/, in the standard
// layout, ported to strata by test/fixtures/flux-repo-port.ts. What Flux applies from the original
// (built with the real kustomize, Kustomization by Kustomization) and what strata renders must be
// the same objects to the cluster: same identity (group, kind, namespace, name), applied by the
// same Flux Kustomization, the same Helm release, the same key fields. Everything strata adds
// is listed here.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Testing, type Manifest } from '../lib/index.js';
import { idKey, idOf, type ObjectId } from '../lib/plan/identity.js';
import { planTrees } from '../lib/plan/plan.js';
import { buildTree, entriesOfFiles, type ClusterTree, type LayerSync, type PlanTree, type TreeObject } from '../lib/plan/tree.js';
import { ADOPTED_LAYERS, portedFleet } from './fixtures/flux-repo-port.js';
import { appliedObjects, parseManifests, type AppliedObject } from './support/flux-repo.js';
import { kustomizeBuild } from './support/kubectl.js';

const REPO = 'test/fixtures/flux-repo';
const CLUSTERS = ['staging', 'production'] as const;

/** `Kind namespace/name` (cluster-scoped: `Kind name`). */
function describe_(id: ObjectId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

/** Folders of the fixture holding a kustomization.yaml. */
function kustomizeFolders(dir: string): string[] {
  const here = readdirSync(dir).includes('kustomization.yaml') ? [dir] : [];
  const below = readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory()).flatMap((e) => kustomizeFolders(join(dir, e)));
  return [...here, ...below];
}

const applied = new Map<string, AppliedObject[]>();
/** Everything Flux applies on the cluster from the original repository (built once per cluster). */
function fluxApplies(cluster: string): AppliedObject[] {
  let list = applied.get(cluster);
  if (!list) applied.set(cluster, (list = appliedObjects(REPO, `clusters/${cluster}`)));
  return list;
}

/**
 * What Flux applies on the cluster from the original repository, without what `flux bootstrap`
 * wrote into `clusters/<cluster>/flux-system/`: that folder moves over unchanged.
 */
function original(cluster: string): AppliedObject[] {
  const bootstrap = new Set(parseManifests(kustomizeBuild(join(REPO, 'clusters', cluster, 'flux-system'))).map((m) => idKey(idOf(m))));
  return fluxApplies(cluster).filter((o) => !bootstrap.has(idKey(idOf(o.manifest))));
}

/** What the port renders for the cluster, read like `npm run plan` reads a dist/ tree. */
function ported(cluster: string, fleet = portedFleet()): ClusterTree {
  const { files } = Testing.synth(fleet, { cluster });
  return buildTree(entriesOfFiles(Object.entries(files))).clusters.get(cluster)!;
}

/**
 * The switch-over commit of docs/adopt.md, in a scratch copy of the repository: `flux bootstrap`'s
 * folder copied to `dist/clusters/<cluster>/`, the bootstrap Kustomization's path pointed there in
 * both copies, then `npm run synth`. Returns what Flux applies at that commit from the old path
 * (the reconcile that updates the bootstrap Kustomization) and from the new one (every one after).
 */
function switchOver(cluster: string): { oldPath: AppliedObject[]; newPath: AppliedObject[] } {
  const repo = mkdtempSync(join(tmpdir(), 'strata-adopt-'));
  try {
    cpSync(REPO, repo, { recursive: true });
    const bootstrap = join(repo, 'dist', 'clusters', cluster, 'flux-system');
    cpSync(join(repo, 'clusters', cluster, 'flux-system'), bootstrap, { recursive: true });
    for (const sync of [join(repo, 'clusters', cluster, 'flux-system', 'gotk-sync.yaml'), join(bootstrap, 'gotk-sync.yaml')]) {
      const text = readFileSync(sync, 'utf8');
      if (!text.includes(`path: ./clusters/${cluster}\n`)) throw new Error(`${sync} does not point the bootstrap Kustomization at ./clusters/${cluster}`);
      writeFileSync(sync, text.replace(`path: ./clusters/${cluster}\n`, `path: ./dist/clusters/${cluster}\n`));
    }
    portedFleet({ outdir: join(repo, 'dist') }).synth();
    return { oldPath: appliedObjects(repo, `clusters/${cluster}`), newPath: appliedObjects(repo, `dist/clusters/${cluster}`) };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

/** The original as a plan base: every object with the Kustomization that applies it. */
function originalTree(cluster: string, objects: readonly AppliedObject[]): PlanTree {
  const tree = new Map<string, TreeObject>();
  const layers = new Map<string, LayerSync>();
  for (const { manifest, owner } of objects) {
    const id = idOf(manifest);
    tree.set(idKey(id), { id, key: idKey(id), manifest, owner, file: '' });
    // Its inventory is known (the real kustomize built it): the folder it builds.
    if (owner === 'flux-system' && manifest.kind === 'Kustomization') layers.set(manifest.metadata.name, { name: manifest.metadata.name, manifest, folder: String((manifest.spec as Json).path) });
  }
  return { clusters: new Map([[cluster, { name: cluster, objects: tree, layers }]]) };
}

/** The Helm release a HelmRelease manages, by helm-controller's defaults (https://fluxcd.io/flux/components/helm/helmreleases/#release-name). */
function helmRelease(hr: Manifest): { releaseName: string; targetNamespace: string; storageNamespace: string } {
  const spec = hr.spec as { releaseName?: string; targetNamespace?: string; storageNamespace?: string };
  const namespace = hr.metadata.namespace!;
  return {
    releaseName: spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name),
    targetNamespace: spec.targetNamespace ?? namespace,
    storageNamespace: spec.storageNamespace ?? namespace,
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths of `a` whose value `b` does not have (lists compared whole). */
function missingIn(a: unknown, b: unknown, path = ''): string[] {
  if (isObject(a) && isObject(b)) return Object.keys(a).sort().flatMap((k) => missingIn(a[k], b[k], path ? `${path}.${k}` : k));
  return isDeepStrictEqual(a, b) ? [] : [path];
}

describe('test/fixtures/flux-repo', () => {
  test('every folder holding a kustomization.yaml builds with the real kustomize', () => {
    const folders = kustomizeFolders(REPO).map((d) => d.slice(REPO.length + 1)).sort();
    expect(folders).toEqual([
      'apps/base/podinfo', 'apps/production', 'apps/staging',
      'clusters/production/flux-system', 'clusters/staging/flux-system',
      'infrastructure/configs', 'infrastructure/controllers',
    ]);
    for (const folder of folders) expect(parseManifests(kustomizeBuild(join(REPO, folder))).length).toBeGreaterThan(0);
  });

  test.each(CLUSTERS)('Flux applies %s through infra-controllers, infra-configs and apps', (cluster) => {
    const byOwner: Record<string, string[]> = {};
    for (const { manifest, owner } of original(cluster)) (byOwner[owner] ??= []).push(describe_(idOf(manifest)));
    for (const list of Object.values(byOwner)) list.sort();
    expect(byOwner).toEqual({
      'flux-system': ['Kustomization flux-system/apps', 'Kustomization flux-system/infra-configs', 'Kustomization flux-system/infra-controllers'],
      'infra-controllers': [
        'HelmRelease cert-manager/cert-manager', 'HelmRelease envoy-gateway-system/envoy-gateway',
        'Namespace cert-manager', 'Namespace envoy-gateway-system',
        'OCIRepository cert-manager/cert-manager', 'OCIRepository envoy-gateway-system/gateway-helm',
      ],
      'infra-configs': ['ClusterIssuer letsencrypt', 'ClusterIssuer selfsigned', 'Gateway envoy-gateway-system/envoy', 'GatewayClass envoy'],
      apps: ['HelmRelease podinfo/podinfo', 'HelmRepository podinfo/podinfo', 'Namespace podinfo'],
    });
  });
});

describe.each(CLUSTERS)('the port of cluster %s', (cluster) => {
  const before = original(cluster);
  const after = ported(cluster);
  const pairs = before.map((o) => ({ before: o, after: after.objects.get(idKey(idOf(o.manifest))) }));

  test('renders every object Flux applies today, with the same identity, applied by the same Kustomization', () => {
    expect(pairs.filter((p) => !p.after).map((p) => describe_(idOf(p.before.manifest)))).toEqual([]);
    const moved = pairs.filter((p) => p.after && p.after.owner !== p.before.owner);
    expect(moved.map((p) => `${describe_(p.after!.id)}: ${p.before.owner} → ${p.after!.owner}`)).toEqual([]);
  });

  test('keeps every HelmRelease\'s release name, target and storage namespace', () => {
    const releases = pairs.filter((p) => p.before.manifest.kind === 'HelmRelease');
    expect(releases.map((p) => p.before.manifest.metadata.name).sort()).toEqual(['cert-manager', 'envoy-gateway', 'podinfo']);
    for (const p of releases) expect(helmRelease(p.after!.manifest)).toEqual(helmRelease(p.before.manifest));
  });

  test('sets every field the original sets to the same value; only the layer folders move', () => {
    const differing: Record<string, string[]> = {};
    for (const p of pairs.filter((x) => x.after)) {
      const fields = missingIn(p.before.manifest, p.after!.manifest);
      if (fields.length > 0) differing[describe_(p.after!.id)] = fields;
    }
    expect(differing).toEqual({
      'Kustomization flux-system/apps': ['spec.path'],
      // Production's Flux-side patch of the ACME server is rendered into the ClusterIssuer itself (below).
      'Kustomization flux-system/infra-configs': cluster === 'production' ? ['spec.patches', 'spec.path'] : ['spec.path'],
      'Kustomization flux-system/infra-controllers': ['spec.path'],
    });
    const issuer = pairs.find((p) => p.before.manifest.kind === 'ClusterIssuer' && p.before.manifest.metadata.name === 'letsencrypt')!;
    const server = cluster === 'production' ? 'https://acme-v02.api.letsencrypt.org/directory' : 'https://acme-staging-v02.api.letsencrypt.org/directory';
    expect([(issuer.before.manifest.spec as { acme: Json }).acme.server, (issuer.after!.manifest.spec as { acme: Json }).acme.server]).toEqual([server, server]);
    const paths = Object.fromEntries(pairs.filter((p) => p.before.manifest.kind === 'Kustomization').map((p) => [p.before.manifest.metadata.name, (p.after!.manifest.spec as Json).path]));
    expect(paths).toEqual({
      'infra-controllers': `./dist/${cluster}/infrastructure/controllers`,
      'infra-configs': `./dist/${cluster}/infrastructure/configs`,
      apps: `./dist/${cluster}/apps`,
    });
  });

  test('installs the same charts with the same values', () => {
    for (const p of pairs.filter((x) => x.before.manifest.kind === 'HelmRelease')) {
      expect((p.after!.manifest.spec as Json).values).toEqual((p.before.manifest.spec as Json).values);
      expect((p.after!.manifest.spec as Json).chartRef).toEqual((p.before.manifest.spec as Json).chartRef);
      expect(missingIn((p.before.manifest.spec as Json).chart, (p.after!.manifest.spec as Json).chart)).toEqual([]);
    }
  });

  test('adds only these objects', () => {
    const known = new Set(before.map((o) => idKey(idOf(o.manifest))));
    const added = [...after.objects.values()].filter((o) => !known.has(o.key)).map((o) => `${o.owner}: ${describe_(o.id)}`).sort();
    expect(added).toMatchSnapshot();
  });

  test('adds only these fields to the objects it keeps', () => {
    const added: Record<string, string[]> = {};
    for (const p of pairs.filter((x) => x.after)) {
      const fields = missingIn(p.after!.manifest, p.before.manifest).filter((f) => !f.startsWith('spec.path'));
      if (fields.length > 0) added[describe_(p.after!.id)] = fields;
    }
    expect(added).toMatchSnapshot();
  });

  test('the plan of the switch-over prunes, moves and reinstalls nothing', () => {
    const plan = planTrees(originalTree(cluster, before), { clusters: new Map([[cluster, after]]) });
    const changes = plan.clusters.flatMap((c) => c.changes);
    expect(changes.filter((c) => c.action === 'removed' || c.action === 'moved').map((c) => describe_(c.id))).toEqual([]);
    const hazards = changes.flatMap((c) => c.hazards.map((h) => `${describe_(c.id)}: ${h.rule} ${h.field ?? ''}`.trim()));
    expect(hazards).toEqual([]);
    // The three layer Kustomizations build other folders, which produce their whole inventories: in place.
    const inPlace = changes.filter((c) => c.note?.includes('produces every object of its inventory')).map((c) => describe_(c.id));
    expect(inPlace).toEqual(['Kustomization flux-system/apps', 'Kustomization flux-system/infra-configs', 'Kustomization flux-system/infra-controllers']);
  });
});

describe('a port that renames a layer Kustomization (strata\'s default name infrastructure-controllers)', () => {
  const before = original('staging');
  const renamed = { ...ADOPTED_LAYERS, controllers: { ...ADOPTED_LAYERS.controllers, name: undefined } };
  const after = ported('staging', portedFleet({ layers: renamed }));

  test('keeps every object, but under other Kustomizations', () => {
    const moved = before.map((o) => ({ o, a: after.objects.get(idKey(idOf(o.manifest))) })).filter(({ o, a }) => a && a.owner !== o.owner);
    expect(moved.map(({ o, a }) => `${describe_(idOf(o.manifest))}: ${o.owner} → ${a!.owner}`).sort()).toEqual([
      'HelmRelease cert-manager/cert-manager: infra-controllers → infrastructure-controllers',
      'HelmRelease envoy-gateway-system/envoy-gateway: infra-controllers → infrastructure-controllers',
      'Namespace cert-manager: infra-controllers → infrastructure-controllers',
      'Namespace envoy-gateway-system: infra-controllers → infrastructure-controllers',
      'OCIRepository cert-manager/cert-manager: infra-controllers → infrastructure-controllers',
      'OCIRepository envoy-gateway-system/gateway-helm: infra-controllers → infrastructure-controllers',
    ]);
  });

  test('the plan says Flux deletes the old Kustomization and everything it applied', () => {
    const plan = planTrees(originalTree('staging', before), { clusters: new Map([['staging', after]]) });
    const changes = plan.clusters.flatMap((c) => c.changes);
    const removed = changes.filter((c) => c.action === 'removed').map((c) => `${describe_(c.id)}: ${c.hazards.map((h) => h.rule).join(', ')}`);
    expect(removed).toEqual([
      'Kustomization flux-system/infra-controllers: prune, delete-kustomization',
    ]);
    const moved = changes.filter((c) => c.action === 'moved');
    expect(moved.length).toBe(6);
    expect(new Set(moved.flatMap((c) => c.hazards.map((h) => h.rule)))).toEqual(new Set(['moved-kustomization']));
  });
});

describe.each(CLUSTERS)('the switch-over commit on cluster %s', (cluster) => {
  const before = fluxApplies(cluster);
  const { oldPath, newPath } = switchOver(cluster);
  const keyed = (list: readonly AppliedObject[]) => new Map(list.map((o) => [idKey(idOf(o.manifest)), o]));

  test('first reconcile (old path): only the bootstrap Kustomization changes, to the new path', () => {
    const after = keyed(oldPath);
    expect([...after.keys()].sort()).toEqual([...keyed(before).keys()].sort());
    const changed = before.filter((o) => !isDeepStrictEqual(o.manifest, after.get(idKey(idOf(o.manifest)))!.manifest));
    expect(changed.map((o) => `${describe_(idOf(o.manifest))}: ${missingIn(o.manifest, after.get(idKey(idOf(o.manifest)))!.manifest).join(', ')}`)).toEqual([
      'Kustomization flux-system/flux-system: spec.path',
    ]);
  });

  test('then Flux builds dist/ with the real kustomize: every object, Flux itself included, stays with its Kustomization', () => {
    const after = keyed(newPath);
    const lost = before.filter((o) => after.get(idKey(idOf(o.manifest)))?.owner !== o.owner);
    expect(lost.map((o) => `${describe_(idOf(o.manifest))} (${o.owner})`)).toEqual([]);
    const known = keyed(before);
    const added = newPath.filter((o) => !known.has(idKey(idOf(o.manifest)))).map((o) => `${o.owner}: ${describe_(idOf(o.manifest))}`).sort();
    expect(added).toEqual([...ported(cluster).objects.values()].filter((o) => !known.has(o.key)).map((o) => `${o.owner}: ${describe_(o.id)}`).sort());
  });
});

describe('a port that moves the controllers\' releases to flux-system (strata\'s default placement)', () => {
  test('the plan says helm-controller uninstalls cert-manager and Envoy Gateway', () => {
    const after = ported('staging', portedFleet({ placement: 'flux-system' }));
    const plan = planTrees(originalTree('staging', original('staging')), { clusters: new Map([['staging', after]]) });
    const removed = plan.clusters.flatMap((c) => c.changes).filter((c) => c.action === 'removed');
    expect(removed.map((c) => `${describe_(c.id)}: ${c.hazards.map((h) => h.rule).join(', ')}`)).toEqual([
      'HelmRelease cert-manager/cert-manager: prune, delete-helm-release',
      'HelmRelease envoy-gateway-system/envoy-gateway: prune, delete-helm-release',
      'OCIRepository cert-manager/cert-manager: prune',
      'OCIRepository envoy-gateway-system/gateway-helm: prune',
    ]);
  });
});

/**
 * `npm run plan -- --base test/fixtures/flux-repo` in a project whose fleet is the port (the
 * switch-over of docs/adopt.md, step 7), with `--format json`; `edit` rewrites the scratch copy of
 * the original repository first.
 */
function planCommand(args: readonly string[], edit?: (repo: string) => void): { status: number | null; stdout: string; stderr: string } {
  const project = mkdtempSync(join(tmpdir(), 'strata-adopt-plan-'));
  try {
    for (const dir of ['lib', 'scripts', 'imports', 'node_modules', 'test']) symlinkSync(resolve(dir), join(project, dir));
    for (const file of ['cdk8s.yaml', 'package.json', 'package-lock.json', 'tsconfig.json']) copyFileSync(file, join(project, file));
    writeFileSync(join(project, 'main.ts'), "import { portedFleet } from './test/fixtures/flux-repo-port.js';\n\nportedFleet().synth();\n");
    cpSync(REPO, join(project, 'old'), { recursive: true });
    edit?.(join(project, 'old'));
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.CDK8S_OUTDIR;
    const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/plan/cli.ts', '--base', 'old', ...args], { cwd: project, encoding: 'utf8', env });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

interface JsonChange { cluster: string; kustomization: string; action: string; id: ObjectId; hazards: { rule: string }[]; note?: string }
const changesOf = (stdout: string): JsonChange[] => (JSON.parse(stdout) as { clusters: { changes: JsonChange[] }[] }).clusters.flatMap((c) => c.changes);

describe('npm run plan -- --base <the original repository>', () => {
  test('the switch-over deletes, moves and reinstalls nothing, and exits 0', () => {
    const r = planCommand(['--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const changes = changesOf(r.stdout);
    expect(changes.filter((c) => c.action === 'removed' || c.action === 'moved' || c.hazards.length > 0).map((c) => `${c.cluster}: ${describe_(c.id)}`)).toEqual([]);
    // Both clusters are compared, each object with the Kustomization that applied it before.
    expect([...new Set(changes.map((c) => c.cluster))].sort()).toEqual(['production', 'staging']);
    expect(changes.filter((c) => c.id.kind === 'HelmRelease').map((c) => `${c.cluster}: ${c.action} ${describe_(c.id)} (${c.kustomization})`).sort()).toEqual([
      'production: changed HelmRelease cert-manager/cert-manager (infra-controllers)',
      'production: changed HelmRelease envoy-gateway-system/envoy-gateway (infra-controllers)',
      'production: changed HelmRelease podinfo/podinfo (apps)',
      'staging: changed HelmRelease cert-manager/cert-manager (infra-controllers)',
      'staging: changed HelmRelease envoy-gateway-system/envoy-gateway (infra-controllers)',
      'staging: changed HelmRelease podinfo/podinfo (apps)',
    ]);
  });

  test('a Kustomization whose new folder lacks an object of its old build is destructive (exit 1)', () => {
    // The original's controllers also hold a ConfigMap the port does not render.
    const r = planCommand(['--format', 'json'], (repo) => {
      writeFileSync(join(repo, 'infrastructure/controllers/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: cert-manager\ndata: {}\n');
      const k = join(repo, 'infrastructure/controllers/kustomization.yaml');
      writeFileSync(k, readFileSync(k, 'utf8').replace('resources:\n', 'resources:\n  - extra.yaml\n'));
    });
    expect(r.status).toBe(1);
    const changes = changesOf(r.stdout).filter((c) => c.cluster === 'staging');
    expect(changes.filter((c) => c.hazards.length > 0).map((c) => `${c.action} ${describe_(c.id)}: ${c.hazards.map((h) => h.rule).join(', ')}`)).toEqual([
      'changed Kustomization flux-system/infra-controllers: kustomization-path',
      'removed ConfigMap cert-manager/extra: prune',
    ]);
  });

  test('--cluster-map compares a cluster folder named otherwise; a mapping of an unknown cluster is a usage error', () => {
    const renamed = planCommand(['--format', 'json', '--cluster-map', 'stg=staging'], (repo) => renameSync(join(repo, 'clusters/staging'), join(repo, 'clusters/stg')));
    expect(renamed.status).toBe(0);
    expect(changesOf(renamed.stdout).filter((c) => c.action === 'removed')).toEqual([]);
    const unknown = planCommand(['--cluster-map', 'prod-eu=production']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--cluster-map prod-eu=production: the base has no cluster prod-eu (it has production, staging)');
  });
});
