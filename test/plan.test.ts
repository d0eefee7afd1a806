// Harmless changes are shown and never flagged; identical changes are grouped across clusters;
// the three formats; Secret values never appear.
import { ApiObject } from 'cdk8s';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { Autoscaling, Components, type Fleet, WebService, Worker, type Apps } from '../lib/index.js';
import { resolveBase } from '../lib/plan/base.js';
import { formatJson } from '../lib/plan/format-json.js';
import { formatMarkdown } from '../lib/plan/format-markdown.js';
import { formatTerminal } from '../lib/plan/format-terminal.js';
import { groupChanges } from '../lib/plan/group.js';
import { planTrees, type PlanResult } from '../lib/plan/plan.js';
import { readTree } from '../lib/plan/tree.js';
import { oneCluster, shopFleet } from './support/fleets.js';
import { changeOf, changesOf, committedRepository, planOf, writeFiles } from './support/plan.js';
import { SOPS_BLOCK, encrypted } from './support/sops.js';

const RESOURCES = { cpu: '100m', memory: '128Mi' };

function storefront(apps: Apps, image = '1.4.2', max = 20): WebService {
  return new WebService(apps, 'storefront', {
    image: `ghcr.io/acme/storefront:${image}`, resources: { cpu: '250m', memory: '256Mi' }, host: 'shop',
    autoscaling: Autoscaling.cpu({ min: 2, max, utilization: 70 }),
  });
}

/** The fleet with metrics-server, which a CPU autoscaler needs. */
function metered(fleet: Fleet): Fleet {
  fleet.platform((platform) => platform.install(Components.metricsServer()));
  return fleet;
}

function settings(apps: Apps, data: Record<string, string> = { level: 'info' }, annotations?: Record<string, string>): ApiObject {
  return new ApiObject(apps, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', ...(annotations ? { annotations } : {}) }, data });
}

function expectHarmless(plan: PlanResult): void {
  expect(plan.clusters.length).toBeGreaterThan(0);
  expect(changesOf(plan).filter((c) => c.hazards.length > 0)).toEqual([]);
  expect(plan.totals.destructive).toBe(0);
}

describe('plan: harmless changes are not flagged', () => {
  test('an image tag, grouped across clusters', () => {
    const plan = planOf(metered(shopFleet((apps) => storefront(apps))), metered(shopFleet((apps) => storefront(apps, '1.5.0'))));
    expectHarmless(plan);
    const change = changeOf(plan, 'Deployment', 'storefront');
    expect(change.fields).toContainEqual({ path: 'spec.template.spec.containers[storefront].image', type: 'changed', before: 'ghcr.io/acme/storefront:1.4.2', after: 'ghcr.io/acme/storefront:1.5.0' });
    const groups = groupChanges(plan);
    expect(groups).toHaveLength(1);
    expect(groups[0].clusters).toEqual(['dev-eu', 'prod-eu']);
    expect(formatTerminal(plan, { base: 'dist/ at HEAD' })).toContain('  ~ Deployment shop/storefront  Kustomization apps-shop · dev-eu, prod-eu\n      spec.template.metadata.labels["app.kubernetes.io/version"]: 1.4.2 → 1.5.0\n      spec.template.spec.containers[storefront].image: ghcr.io/acme/storefront:1.4.2 → ghcr.io/acme/storefront:1.5.0');
  });

  test('an annotation and ConfigMap data', () => {
    const plan = planOf(oneCluster((apps) => settings(apps)), oneCluster((apps) => settings(apps, { level: 'debug' }, { 'acme.dev/owner': 'team-shop' })));
    expectHarmless(plan);
    expect(changeOf(plan, 'ConfigMap', 'settings').fields).toEqual([
      { path: 'data.level', type: 'changed', before: 'info', after: 'debug' },
      { path: 'metadata.annotations', type: 'added', after: { 'acme.dev/owner': 'team-shop' } },
    ]);
  });

  test('autoscaler bounds', () => {
    const plan = planOf(metered(oneCluster((apps) => storefront(apps))), metered(oneCluster((apps) => storefront(apps, '1.4.2', 30))));
    expectHarmless(plan);
    expect(changeOf(plan, 'HorizontalPodAutoscaler', 'storefront').fields).toEqual([{ path: 'spec.maxReplicas', type: 'changed', before: 20, after: 30 }]);
  });

  test('a new workload', () => {
    const worker = (apps: Apps) => new Worker(apps, 'orders', { image: 'ghcr.io/acme/orders:2.0.1', resources: RESOURCES });
    const plan = planOf(metered(oneCluster((apps) => storefront(apps))), metered(oneCluster((apps) => { storefront(apps); worker(apps); })));
    expectHarmless(plan);
    expect(changeOf(plan, 'Deployment', 'orders').action).toBe('added');
    expect(changesOf(plan).every((c) => c.action === 'added')).toBe(true);
  });

  test('the same tree re-serialised with other key order and style plans nothing', () => {
    const files = metered(shopFleet((apps) => storefront(apps))).render().files;
    const restyled = new Map([...files].map(([path, text]) => [path, parseAllDocuments(text)
      .map((doc) => stringify(reverseKeys(doc.toJS()), { collectionStyle: 'flow', defaultStringType: 'QUOTE_DOUBLE' })).join('---\n')]));
    const dir = mkdtempSync(join(tmpdir(), 'strata-plan-restyled-'));
    writeFiles(dir, restyled);
    expect(restyled.get('dev-eu/apps/shop/deployment-storefront.yaml')).not.toBe(files.get('dev-eu/apps/shop/deployment-storefront.yaml'));
    const base = resolveBase(dir, 'dist');
    expect(base.label).toBe(`${dir}/`);
    const head = mkdtempSync(join(tmpdir(), 'strata-plan-head-'));
    writeFiles(head, files);
    const plan = planTrees(base.tree, readTree(head));
    expect(plan.clusters).toEqual([]);
    expect(formatTerminal(plan, { base: base.label })).toMatch(/^strata plan: no changes against .* \(\d+ objects compared\)$/);
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

describe('plan: bases', () => {
  test('a git ref that is neither a folder nor a commit is a usage error', () => {
    const repo = committedRepository({ 'clusters/dev-eu/layers.yaml': '' });
    expect(() => resolveBase('no-such-ref', 'dist', repo)).toThrow('--base no-such-ref: neither a folder nor a git commit');
  });

  test('a base that is a file, or no repository to take HEAD from, is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-plan-nogit-'));
    writeFiles(dir, { 'notes.txt': 'x' });
    expect(() => resolveBase('notes.txt', 'dist', dir)).toThrow('--base notes.txt: not a folder');
    expect(() => resolveBase(undefined, 'dist', dir)).toThrow(`${dir} is not in a git repository: pass --base <dir> to compare with a dist/ folder`);
  });

  test('a commit without dist/ is an empty base: everything is added', () => {
    const repo = committedRepository({});
    const base = resolveBase(undefined, 'elsewhere', repo);
    expect(base.label).toMatch(/^elsewhere\/ at HEAD \([0-9a-f]{7}\), which has none$/);
    expect(base.tree.clusters.size).toBe(0);
  });
});

describe('plan: formats', () => {
  const secret = (value: string) => (apps: Apps) => {
    new ApiObject(apps, 'token', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' }, stringData: { token: encrypted(value) }, sops: SOPS_BLOCK });
  };
  const claim = (size: string) => (apps: Apps) => new ApiObject(apps, 'claim', {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: size } } },
  });
  let plan: PlanResult;
  beforeAll(() => {
    plan = planOf(
      shopFleet((apps) => { secret('olds3cr3t')(apps); claim('10Gi')(apps); settings(apps); }),
      shopFleet((apps) => { secret('news3cr3t')(apps); claim('5Gi')(apps); settings(apps, { level: 'debug' }); }),
    );
  });

  test('terminal: destructive first, totals per cluster, colour only when asked', () => {
    const text = formatTerminal(plan, { base: 'dist/ at HEAD' });
    expect(text).not.toMatch(/\u001b\[/);
    expect(text.indexOf('Destructive (1):')).toBeLessThan(text.indexOf('Changes (2):'));
    expect(text).toContain('✗ spec.resources.requests.storage: 10Gi → 5Gi: a claim can only grow');
    expect(text).toContain('stringData.token: (changed)');
    expect(text).toContain('dev-eu: 3 changed, 1 destructive\nprod-eu: 3 changed, 1 destructive\ntotal: 6 changed, 2 destructive');
    expect(text).toContain('2 destructive changes not acknowledged');
    expect(formatTerminal(plan, { base: 'dist/ at HEAD', color: true })).toMatch(/\u001b\[31m/);
  });

  test('markdown: destructive changes first, a collapsible section per cluster', () => {
    const md = formatMarkdown(plan, 'dist/ at HEAD');
    expect(md.indexOf('#### ⚠️ Destructive changes')).toBeLessThan(md.indexOf('<details><summary><b>dev-eu</b>: 3 changed, 1 destructive</summary>'));
    expect(md).toContain('- `~ PersistentVolumeClaim shop/scratch` in Kustomization apps-shop on dev-eu, prod-eu (**not acknowledged**)');
    expect(md).toContain('<details><summary><b>prod-eu</b>');
    expect(md).toContain('```diff\n! ~ PersistentVolumeClaim shop/scratch\n!   ✗ spec.resources.requests.storage: 10Gi → 5Gi');
    expect(md).toContain('\n  ~ ConfigMap shop/settings\n    data.level: info → debug\n');
  });

  test('json: every change, groups and the blocking count', () => {
    const json = JSON.parse(formatJson(plan, 'dist/ at HEAD'));
    expect(json.blocking).toBe(2);
    expect(json.totals).toMatchObject({ changed: 6, destructive: 2 });
    expect(json.groups).toHaveLength(3);
    expect(json.groups[0].clusters).toEqual(['dev-eu', 'prod-eu']);
  });

  test('with --allow-destructive, every format says the flag allows what code does not acknowledge', () => {
    const text = formatTerminal(plan, { base: 'dist/ at HEAD', allowDestructive: true });
    expect(text.split('\n').at(-1)).toBe('2 destructive changes allowed by --allow-destructive');
    expect(text).not.toContain('not acknowledged');
    const md = formatMarkdown(plan, 'dist/ at HEAD', { allowDestructive: true });
    expect(md).toContain('- `~ PersistentVolumeClaim shop/scratch` in Kustomization apps-shop on dev-eu, prod-eu (allowed by `--allow-destructive`)');
    expect(md).not.toContain('not acknowledged');
    expect(JSON.parse(formatJson(plan, 'dist/ at HEAD', { allowDestructive: true }))).toMatchObject({ blocking: 0, unacknowledged: 2, allowDestructive: true });
    expect(JSON.parse(formatJson(plan, 'dist/ at HEAD'))).toMatchObject({ blocking: 2, unacknowledged: 2, allowDestructive: false });
  });

  test('no format ever shows a Secret value', () => {
    for (const text of [formatTerminal(plan, { base: 'b' }), formatMarkdown(plan, 'b'), formatJson(plan, 'b')]) expect(text).not.toMatch(/s3cr3t/);
  });
});
