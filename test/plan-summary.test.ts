// The line `npm run synth` ends with: what changed against the dist/ it replaced.
import { ApiObject } from 'cdk8s';
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage, StatefulService, type Apps, type Fleet } from '../lib/index.js';
import { LISTED_FILES, trackChanges } from '../lib/plan/synth-summary.js';
import { writeTree } from '../lib/synth/writer.js';
import { oneCluster, shopFleet } from './support/fleets.js';

function database(apps: Apps, size: string): void {
  new StatefulService(apps, 'orders-db', {
    image: 'ghcr.io/acme/orders-db:16.2', ports: [{ name: 'postgres', port: 5432 }],
    storage: { data: { path: '/var/lib/postgresql/data', size } }, resources: { cpu: '100m', memory: '128Mi' }, security: { runAsUser: 999 },
  });
}

const settings = (apps: Apps, level: string) => new ApiObject(apps, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { level } });

/** The cluster a dist/ path belongs to: `<c>/...` or `clusters/<c>/...`. */
const clusterOf = (rel: string) => (rel.startsWith('clusters/') ? rel.split('/')[1] : rel.split('/')[0]);

/** Files cluster by cluster, as a synth streams them (render() sorts them by path). */
function byCluster(files: ReadonlyMap<string, string>): [string, string][] {
  return [...files].sort(([a], [b]) => clusterOf(a).localeCompare(clusterOf(b)));
}

/** Writes `before`, then `after` over it, and returns the summary of the second write. */
function summaryOf(before: Fleet, after: Fleet, focus?: readonly string[], bootstrap?: (dir: string) => void): string | undefined {
  const dir = join(mkdtempSync(join(tmpdir(), 'strata-summary-')), 'dist');
  const clusters = (f: Fleet) => f.clusters.map((c) => c.name);
  writeTree(dir, before.render().files, clusters(before));
  bootstrap?.(dir);
  const quiet = process.env.STRATA_QUIET;
  delete process.env.STRATA_QUIET;
  try {
    const files = byCluster(after.render({ clusters: focus }).files);
    const tracker = trackChanges(dir, files, focus);
    writeTree(dir, tracker.files, focus ?? clusters(after), { focus: Boolean(focus) });
    return tracker.summary();
  } finally {
    process.env.STRATA_QUIET = quiet;
  }
}

describe('synth summary line', () => {
  test('counts changes and points to npm run plan when anything is destructive', () => {
    expect(summaryOf(oneCluster((apps) => database(apps, '20Gi')), oneCluster((apps) => database(apps, '50Gi')))?.split('\n')[0])
      .toMatch(/^strata: against the previous .*dist\/: 1 changed, 1 destructive: run `npm run plan` to see what Flux will delete or fail to apply$/);
  });

  test('a harmless change, an addition and a removal', () => {
    const line = summaryOf(oneCluster((apps) => settings(apps, 'info')), oneCluster((apps) => { settings(apps, 'debug'); database(apps, '20Gi'); }));
    expect(line?.split('\n')[0]).toMatch(/: \d+ added, 1 changed$/);
    expect(summaryOf(oneCluster((apps) => settings(apps, 'info')), oneCluster(() => undefined))).toMatch(/: 1 removed, 1 destructive: run `npm run plan`/);
  });

  test('a renamed object is one move, flagged', () => {
    const claim = (name: string) => (apps: Apps) => new ApiObject(apps, 'claim', {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '1Gi' } } },
    });
    expect(summaryOf(oneCluster(claim('scratch')), oneCluster(claim('scratch-2')))).toMatch(/: 1 moved, 1 destructive: run `npm run plan`/);
  });

  test('names the files added, changed and removed, sorted, after the counts', () => {
    const line = summaryOf(oneCluster((apps) => settings(apps, 'info')), oneCluster((apps) => { settings(apps, 'debug'); database(apps, '20Gi'); }));
    expect(line?.split('\n').slice(1)).toEqual([
      '  + dev-eu/apps/shop/networkpolicy-orders-db-ingress.yaml',
      '  + dev-eu/apps/shop/service-orders-db.yaml',
      '  + dev-eu/apps/shop/serviceaccount-orders-db.yaml',
      '  + dev-eu/apps/shop/statefulset-orders-db.yaml',
      '  ~ dev-eu/apps/shop/configmap-settings.yaml',
      '  ~ dev-eu/apps/shop/kustomization.yaml',
    ]);
    const removed = summaryOf(oneCluster((apps) => { settings(apps, 'info'); database(apps, '20Gi'); }), oneCluster(() => undefined));
    expect(removed?.split('\n').filter((l) => l.startsWith('  - '))).toContain('  - dev-eu/apps/shop/statefulset-orders-db.yaml');
  });

  test(`lists at most ${LISTED_FILES} lines of files, then how many more`, () => {
    // 15 ConfigMaps added to a namespace that had one: 15 files added, its kustomization.yaml changed.
    const maps = (n: number) => oneCluster((apps) => {
      for (let i = 0; i < n; i++) new ApiObject(apps, `c${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${String(i).padStart(2, '0')}` } });
    });
    const lines = summaryOf(maps(1), maps(16))!.split('\n');
    expect(lines).toHaveLength(1 + LISTED_FILES);
    expect(lines.slice(1, 3)).toEqual(['  + dev-eu/apps/shop/configmap-c01.yaml', '  + dev-eu/apps/shop/configmap-c02.yaml']);
    expect(lines[LISTED_FILES]).toBe(`  … and ${16 - (LISTED_FILES - 1)} more`);
  });

  test("flux bootstrap's clusters/<c>/flux-system/, which the synth keeps, is neither added nor removed", () => {
    const fleet = () => oneCluster((apps) => settings(apps, 'info'));
    const bootstrap = (dir: string) => {
      const folder = join(dir, 'clusters', fleet().clusters[0].name, 'flux-system');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'gotk-sync.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\n');
      writeFileSync(join(folder, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n');
    };
    const lines = summaryOf(fleet(), fleet(), undefined, bootstrap)!.split('\n');
    expect(lines.filter((l) => l.includes('flux-system/'))).toEqual([]);
  });

  test('several clusters, each planned on its own as its files come: two changed, one no longer declared', () => {
    const fleet = (level: string, clusters: string[]) => shopFleet((apps) => settings(apps, level), {
      clusters: Object.fromEntries(clusters.map((c) => [c, { stage: c.startsWith('prod') ? Stage.PRODUCTION : Stage.DEVELOPMENT }])),
    });
    const before = fleet('info', ['dev-eu', 'extra', 'prod-eu']);
    const line = summaryOf(before, fleet('debug', ['dev-eu', 'prod-eu']))!.split('\n');
    // Every object of the dropped cluster is removed (its Flux objects too); the ConfigMap changed on both others.
    expect(line[0]).toMatch(/^strata: against the previous .*dist\/: \d+ removed, 2 changed, \d+ destructive: run `npm run plan`/);
    expect(line.slice(1).filter((l) => l.startsWith('  ~ '))).toEqual(expect.arrayContaining(['  ~ dev-eu/apps/shop/configmap-settings.yaml', '  ~ prod-eu/apps/shop/configmap-settings.yaml']));
  });

  test('files that do not come cluster by cluster are counted as files, not planned twice', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'strata-summary-')), 'dist');
    const fleet = (level: string) => shopFleet((apps) => settings(apps, level));
    writeTree(dir, fleet('info').render().files, ['dev-eu', 'prod-eu']);
    const quiet = process.env.STRATA_QUIET;
    delete process.env.STRATA_QUIET;
    try {
      // render() sorts by path: clusters/dev-eu, clusters/prod-eu, dev-eu/, prod-eu/.
      const tracker = trackChanges(dir, fleet('debug').render().files);
      writeTree(dir, tracker.files, ['dev-eu', 'prod-eu']);
      expect(tracker.summary()!.split('\n')[0]).toMatch(/^strata: against the previous .*dist\/: \d+ files differ \(objects not counted: the files did not come cluster by cluster\)$/);
    } finally {
      process.env.STRATA_QUIET = quiet;
    }
  });

  test('a file where a cluster\'s folder goes (a hand-made tree) does not stop the summary', () => {
    const fleet = () => oneCluster((apps) => settings(apps, 'info'));
    const replaceFolder = (dir: string) => {
      rmSync(join(dir, 'dev-eu'), { recursive: true });
      writeFileSync(join(dir, 'dev-eu'), 'not a folder\n');
    };
    const lines = summaryOf(fleet(), fleet(), undefined, replaceFolder)!.split('\n');
    expect(lines[0]).toMatch(/^strata: against the previous .*dist\/: \d+ added$/);
    expect(lines).toContain('  + dev-eu/apps/shop/configmap-settings.yaml');
  });

  test('a previous file that does not read is named: what it held is not compared', () => {
    const fleet = () => oneCluster((apps) => settings(apps, 'info'));
    const breakFile = (dir: string) => writeFileSync(join(dir, 'dev-eu', 'apps', 'shop', 'configmap-settings.yaml'), 'kind: ConfigMap\n\tbroken: by hand\n');
    const lines = summaryOf(fleet(), fleet(), undefined, breakFile)!.split('\n');
    expect(lines[0]).toMatch(/^strata: against the previous .*dist\/: 1 added$/);
    expect(lines).toContain('  ~ dev-eu/apps/shop/configmap-settings.yaml');
    expect(lines[lines.length - 1]).toMatch(/^strata: 1 file of the previous .*dist\/ could not be read, so what it holds is not compared: dev-eu\/apps\/shop\/configmap-settings\.yaml: invalid YAML: /);
  });

  test('an unchanged tree', () => {
    expect(summaryOf(oneCluster((apps) => settings(apps, 'info')), oneCluster((apps) => settings(apps, 'info')))).toMatch(/^strata: no changes against the previous .*dist\/$/);
  });

  test('--cluster compares only the clusters written', () => {
    const fleet = (level: string) => shopFleet((apps) => settings(apps, level));
    expect(summaryOf(fleet('info'), fleet('debug'), ['prod-eu'])).toMatch(/: 1 changed\n {2}~ prod-eu\/apps\/shop\/configmap-settings.yaml$/);
  });

  test('Fleet.synth prints it after the summary of what was written', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'strata-summary-')), 'dist');
    const fleet = (size: string) => {
      const f = oneCluster((apps) => database(apps, size));
      return Object.assign(f, { outdir });
    };
    const quiet = process.env.STRATA_QUIET;
    delete process.env.STRATA_QUIET;
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      fleet('20Gi').synth();
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^strata: 1 cluster, .* ms$/)]);
      log.mockClear();
      fleet('50Gi').synth();
      expect(String(log.mock.calls[0][0]).split('\n')[1]).toMatch(/^strata: against the previous .*dist\/: 1 changed, 1 destructive: run `npm run plan`/);
    } finally {
      log.mockRestore();
      process.env.STRATA_QUIET = quiet;
    }
  });
});
