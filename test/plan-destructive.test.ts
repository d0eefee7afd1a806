// One scenario per destructive kind: a tree synthesized and committed to git, the fleet changed,
// the plan of a new synth against dist/ at HEAD.
import { ApiObject, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Components, CronTask, Fleet, HelmApp, NodePool, Plan, Provider, Stage, StatefulService, Waivers, WebService, Worker, type Apps, type Cluster } from '../lib/index.js';
import { errorsOf } from './support/errors.js';
import { BASE, objectsOf, oneCluster, shopFleet } from './support/fleets.js';
import { blocking, planTrees } from '../lib/plan/plan.js';
import { buildTree, entriesOfFiles } from '../lib/plan/tree.js';
import { changeOf, changesOf, planOf, rulesOf } from './support/plan.js';
import { SOPS_BLOCK, encrypted } from './support/sops.js';

const RESOURCES = { cpu: '100m', memory: '128Mi' };

function claim(apps: Apps, spec: Record<string, unknown> = {}, name = 'scratch'): ApiObject {
  return new ApiObject(apps, 'claim', {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '10Gi' } }, ...spec },
  });
}

function configMap(apps: Apps, props: Record<string, unknown> = {}, name = 'settings', id = 'settings'): ApiObject {
  return new ApiObject(apps, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { level: 'info' }, ...props });
}

function database(apps: Apps, size = '20Gi', extra: Record<string, unknown> = {}): StatefulService {
  return new StatefulService(apps, 'orders-db', {
    image: 'ghcr.io/acme/orders-db:16.2', ports: [{ name: 'postgres', port: 5432 }],
    storage: { data: { path: '/var/lib/postgresql/data', size } }, resources: RESOURCES, security: { runAsUser: 999 }, ...extra,
  });
}

/** A one-cluster fleet with a Karpenter node pool, as the example fleet has: its fit check reads every pod template. */
function pooled(define: (apps: Apps) => void, options: Parameters<typeof oneCluster>[1] = {}): Fleet {
  const fleet = oneCluster(define, options);
  fleet.platform((platform) => {
    platform.install(Components.nodeAutoscaler());
    new NodePool(platform, 'general', { capacityTypes: ['on-demand'], cpu: { min: 2, max: 16 }, memory: { max: '64Gi' }, limits: { cpu: 64, memory: '256Gi' } });
  });
  return fleet;
}

/** A hand-written object the policy rules would refuse for reasons beside the point of a test. */
function waived<T extends IConstruct>(obj: T, ...rules: string[]): T {
  for (const rule of rules) Waivers.waive(obj, rule, 'plan test fixture');
  return obj;
}

function service(apps: Apps, spec: Record<string, unknown>): ApiObject {
  return waived(new ApiObject(apps, 'legacy', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'legacy' },
    spec: { selector: { app: 'legacy' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
  }), 'service-selects-pods');
}

/** A one-cluster fleet whose tenant admits hand-written pods (Pod Security is beside the point here). */
function privileged(define: (apps: Apps) => void): Fleet {
  return oneCluster(define, { podSecurity: 'privileged' });
}

/** A one-cluster fleet with cluster-scoped objects declared in its infrastructure/configs layer. */
function withConfigs(define: (cluster: Cluster) => void): Fleet {
  const fleet = oneCluster(() => undefined);
  fleet.platform((platform) => define(platform.cluster));
  return fleet;
}

function crd(cluster: Cluster): void {
  new ApiObject(cluster.layer('infrastructure/configs'), 'crd', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'issuers.cert-manager.io' },
    spec: {
      group: 'cert-manager.io', scope: 'Namespaced', names: { kind: 'Issuer', plural: 'issuers', singular: 'issuer', listKind: 'IssuerList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
}

function helmRelease(apps: Apps, spec: Record<string, unknown> = {}): ApiObject {
  new ApiObject(apps, 'bitnami', { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'bitnami' }, spec: { interval: '1h', url: 'https://charts.bitnami.com/bitnami' } });
  return new ApiObject(apps, 'cache', {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'cache' },
    spec: { interval: '1h', serviceAccountName: 'default', chart: { spec: { chart: 'redis', version: '20.1.0', sourceRef: { kind: 'HelmRepository', name: 'bitnami' } } }, ...spec },
  });
}

describe('plan: deleting what holds data or definitions', () => {
  test('a removed PersistentVolumeClaim is pruned with its data', () => {
    const change = changeOf(planOf(oneCluster((apps) => claim(apps)), oneCluster(() => undefined)), 'PersistentVolumeClaim', 'scratch');
    expect(change).toMatchObject({ action: 'removed', kustomization: 'apps-shop', cluster: 'dev-eu' });
    expect(rulesOf(change)).toEqual(['prune', 'delete-claim']);
    expect(change.hazards[1].effect).toContain('its volume and the data on it');
  });

  test('a removed StatefulSet deletes its pods and orphans its claims', () => {
    const plan = planOf(oneCluster((apps) => database(apps)), oneCluster(() => undefined));
    const change = changeOf(plan, 'StatefulSet', 'orders-db');
    expect(rulesOf(change)).toEqual(['prune', 'delete-stateful-set']);
    expect(change.hazards[1].effect).toContain('PersistentVolumeClaims stay, orphaned (whenDeleted: Retain)');
  });

  test('a removed tenant deletes its namespace and everything in it', () => {
    const plan = planOf(shopFleet(() => undefined, { tenants: ['shop', 'billing'] }), shopFleet(() => undefined, { tenants: ['shop'] }));
    const ns = changeOf(plan, 'Namespace', 'billing', 'dev-eu');
    expect(ns.action).toBe('removed');
    expect(rulesOf(ns)).toEqual(['prune', 'delete-tenant']);
    expect(ns.hazards[1].effect).toMatch(/^Kubernetes deletes tenant billing: its namespace and everything in it \(\d+ objects from Git/);
    expect(changesOf(plan).filter((c) => c.action === 'removed' && c.id.namespace === 'billing').length).toBeGreaterThan(3);
  });

  test('a removed plain Namespace deletes everything in it', () => {
    const ns = (cluster: Cluster) => new ApiObject(cluster.layer('infrastructure/configs'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    const change = changeOf(planOf(withConfigs(ns), withConfigs(() => undefined)), 'Namespace', 'scratch');
    expect(rulesOf(change)).toEqual(['prune', 'delete-namespace']);
  });

  test('a removed CustomResourceDefinition deletes every object of its kind', () => {
    const issuer = (apps: Apps) => new ApiObject(apps, 'issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'self' }, spec: { selfSigned: {} } });
    const plan = planOf(withConfigs((cluster) => { crd(cluster); issuer(cluster.appsIn('shop')); }), withConfigs(() => undefined));
    const change = changeOf(plan, 'CustomResourceDefinition', 'issuers.cert-manager.io');
    expect(rulesOf(change)).toEqual(['prune', 'delete-crd']);
    expect(change.hazards[1].effect).toContain('every Issuer object in the cluster with the definition (1 object from Git');
  });

  test('a removed HelmRelease uninstalls its release', () => {
    const change = changeOf(planOf(oneCluster((apps) => helmRelease(apps)), oneCluster(() => undefined)), 'HelmRelease', 'cache');
    expect(rulesOf(change)).toEqual(['prune', 'delete-helm-release']);
  });
});

describe('plan: Flux semantics', () => {
  test('an object that leaves a Kustomization is pruned, unless it says prune: disabled', () => {
    const plan = planOf(
      oneCluster((apps) => { configMap(apps); configMap(apps, { metadata: { name: 'kept', annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } }, 'kept', 'kept'); }),
      oneCluster(() => undefined),
    );
    const pruned = changeOf(plan, 'ConfigMap', 'settings');
    expect(rulesOf(pruned)).toEqual(['prune']);
    expect(pruned.hazards[0].effect).toBe('leaves the inventory of Kustomization apps-shop: Flux deletes it from the cluster');
    const kept = changeOf(plan, 'ConfigMap', 'kept');
    expect(kept.hazards).toEqual([]);
    expect(kept.note).toContain('prune: disabled: Flux leaves it in the cluster');
  });

  test('a removed Kustomization prunes everything it applied', () => {
    const fleet = (withLayer: boolean) => {
      const f = oneCluster(() => undefined);
      if (withLayer) {
        f.addLayer('extra');
        f.eachCluster((cluster) => configMap(cluster.appsIn('shop', 'extra')));
      }
      return f;
    };
    const plan = planOf(fleet(true), fleet(false));
    const layer = changeOf(plan, 'Kustomization', 'extra');
    expect(rulesOf(layer)).toEqual(['prune', 'delete-kustomization']);
    expect(layer.kustomization).toBe('flux-system');
    expect(layer.hazards[1].effect).toBe('Flux deletes the Kustomization and, as it has prune: true, everything it applied (1 object in this tree)');
    expect(rulesOf(changeOf(plan, 'ConfigMap', 'settings'))).toEqual(['kustomization-removed']);
  });

  test('a renamed Kustomization (another layer) deletes and recreates what it applied', () => {
    const fleet = (layer: string) => {
      const f = oneCluster(() => undefined);
      f.addLayer(layer);
      f.eachCluster((cluster) => configMap(cluster.appsIn('shop', layer)));
      return f;
    };
    const plan = planOf(fleet('extra'), fleet('services'));
    const moved = changeOf(plan, 'ConfigMap', 'settings');
    expect(moved).toMatchObject({ action: 'moved', kustomization: 'services', from: { kustomization: 'extra' } });
    expect(rulesOf(moved)).toEqual(['moved-kustomization']);
    expect(moved.hazards[0].effect).toContain('Kustomization extra is removed: Flux garbage-collects it, then services creates it anew');
    expect(rulesOf(changeOf(plan, 'Kustomization', 'extra'))).toEqual(['prune', 'delete-kustomization']);
  });

  test('an object moved to another Kustomization may be deleted and recreated', () => {
    const before = oneCluster((apps) => configMap(apps));
    const after = oneCluster(() => undefined);
    before.addLayer('extra');
    after.addLayer('extra');
    after.eachCluster((cluster) => configMap(cluster.appsIn('shop', 'extra')));
    const moved = changeOf(planOf(before, after), 'ConfigMap', 'settings');
    expect(moved.action).toBe('moved');
    expect(moved.hazards[0]).toMatchObject({ rule: 'moved-kustomization', before: 'apps-shop', after: 'extra' });
    expect(moved.hazards[0].effect).toContain('if apps-shop reconciles first, Flux deletes it and extra creates it anew');
  });

  test('an object renamed or moved to another namespace is a new object; the old one is pruned', () => {
    const plan = planOf(oneCluster((apps) => claim(apps)), oneCluster((apps) => claim(apps, {}, 'scratch-2')));
    const change = changeOf(plan, 'PersistentVolumeClaim', 'scratch-2');
    expect(change).toMatchObject({ action: 'moved', from: { id: { name: 'scratch' } } });
    expect(change.hazards[0]).toMatchObject({ rule: 'moved-identity', field: 'metadata.name', before: 'scratch', after: 'scratch-2' });
    expect(rulesOf(change)).toContain('delete-claim');
  });

  test('prune and sourceRef changes of a Kustomization are flagged', () => {
    const fleet = (prune: boolean, repository: boolean) => {
      const f = new Fleet({ name: 'acme', ...(repository ? { repository: { url: 'ssh://git@example.com/acme/fleet.git', branch: 'main' } } : {}) });
      f.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
      f.addLayer('extra', { prune });
      f.eachCluster((cluster) => configMap(cluster.appsIn('shop', 'extra')));
      f.platform((platform) => platform.addTenant('shop'));
      return f;
    };
    const plan = planOf(fleet(true, false), fleet(false, true));
    const layer = changeOf(plan, 'Kustomization', 'extra');
    expect(layer.hazards.map((h) => [h.rule, h.field, h.before, h.after])).toEqual([
      ['kustomization-prune', 'spec.prune', true, false],
      ['kustomization-source', 'spec.sourceRef', { kind: 'GitRepository', name: 'flux-system' }, { kind: 'GitRepository', name: 'acme' }],
    ]);
  });
});

describe('plan: immutable fields', () => {
  test('a StatefulSet claim template that grows makes every apply fail', () => {
    const plan = planOf(oneCluster((apps) => database(apps, '20Gi')), oneCluster((apps) => database(apps, '50Gi')));
    const change = changeOf(plan, 'StatefulSet', 'orders-db');
    expect(change.action).toBe('changed');
    expect(rulesOf(change)).toEqual(['immutable-volume-claim-templates']);
    expect(change.hazards[0].effect).toContain('the API server rejects the apply ("field is immutable"); Kustomization apps-shop fails');
    expect(change.fields).toContainEqual({ path: 'spec.volumeClaimTemplates[data].spec.resources.requests.storage', type: 'changed', before: '20Gi', after: '50Gi' });
  });

  test('selectors, serviceName and podManagementPolicy of a StatefulSet', () => {
    const sts = (name: string, policy: string, app: string) => (apps: Apps) => waived(new ApiObject(apps, 'sts', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'queue' },
      spec: { serviceName: name, podManagementPolicy: policy, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'q', image: 'q:1' }] } } },
    }), 'pod-security-restricted');
    const change = changeOf(planOf(privileged(sts('queue', 'OrderedReady', 'q')), privileged(sts('queue-headless', 'Parallel', 'q2'))), 'StatefulSet', 'queue');
    expect(rulesOf(change).sort()).toEqual(['immutable-pod-management-policy', 'immutable-selector', 'immutable-service-name']);
  });

  test('a Deployment selector', () => {
    const deployment = (app: string) => (apps: Apps) => waived(new ApiObject(apps, 'web', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
    }), 'pod-security-restricted');
    const change = changeOf(planOf(privileged(deployment('web')), privileged(deployment('web-v2'))), 'Deployment', 'web');
    expect(change.hazards[0]).toMatchObject({ rule: 'immutable-selector', field: 'spec.selector', before: { matchLabels: { app: 'web' } }, after: { matchLabels: { app: 'web-v2' } } });
  });

  test('a Job template', () => {
    const job = (image: string) => (apps: Apps) => waived(new ApiObject(apps, 'migrate', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image }] } } },
    }), 'pod-security-restricted');
    const change = changeOf(planOf(privileged(job('m:1')), privileged(job('m:2'))), 'Job', 'migrate');
    expect(rulesOf(change)).toEqual(['immutable-job-template']);
  });

  test('a Service that becomes headless, and one whose type drops its load balancer', () => {
    const headless = changeOf(planOf(oneCluster((apps) => service(apps, {})), oneCluster((apps) => service(apps, { clusterIP: 'None' }))), 'Service', 'legacy');
    expect(headless.hazards).toEqual([expect.objectContaining({ rule: 'service-headless', field: 'spec.clusterIP', after: 'None' })]);
    const lb = changeOf(planOf(oneCluster((apps) => service(apps, { type: 'LoadBalancer' })), oneCluster((apps) => service(apps, {}))), 'Service', 'legacy');
    expect(lb.hazards).toEqual([expect.objectContaining({ rule: 'service-type', before: 'LoadBalancer', after: 'ClusterIP' })]);
    expect(lb.hazards[0].effect).toContain('external address are released');
  });

  test('a claim\'s storage class, access modes and a shrinking size', () => {
    const plan = planOf(
      oneCluster((apps) => claim(apps)),
      oneCluster((apps) => claim(apps, { storageClassName: 'gp2', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } })),
    );
    const change = changeOf(plan, 'PersistentVolumeClaim', 'scratch');
    expect(change.hazards.map((h) => [h.rule, h.field, h.before, h.after])).toEqual([
      ['immutable-claim', 'spec.storageClassName', 'gp3', 'gp2'],
      ['immutable-claim', 'spec.accessModes', ['ReadWriteOnce'], ['ReadWriteMany']],
      ['claim-shrink', 'spec.resources.requests.storage', '10Gi', '5Gi'],
    ]);
  });

  test('data of an immutable ConfigMap or Secret, never showing the Secret\'s values', () => {
    const cm = changeOf(planOf(oneCluster((apps) => configMap(apps, { immutable: true })), oneCluster((apps) => configMap(apps, { immutable: true, data: { level: 'debug' } }))), 'ConfigMap', 'settings');
    expect(cm.hazards).toEqual([expect.objectContaining({ rule: 'immutable-data', field: 'data', before: { level: 'info' }, after: { level: 'debug' } })]);
    const secret = (value: string) => (apps: Apps) => new ApiObject(apps, 'token', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' }, immutable: true, stringData: { token: encrypted(value) }, sops: SOPS_BLOCK });
    const change = changeOf(planOf(oneCluster(secret('s3cr3told')), oneCluster(secret('s3cr3tnew'))), 'Secret', 'token');
    expect(rulesOf(change)).toEqual(['immutable-data']);
    expect(JSON.stringify(change)).not.toMatch(/s3cr3t/);
    expect(change.fields).toEqual([{ path: 'stringData.token', type: 'changed', hidden: true }]);
  });
});

describe('plan: acknowledgements in code', () => {
  test('Plan.allowDestructive marks the change acknowledged with its reason', () => {
    const plan = planOf(oneCluster((apps) => database(apps, '20Gi')), oneCluster((apps) => Plan.allowDestructive(database(apps, '50Gi'), 'grown by hand, runbook 12')));
    const change = changeOf(plan, 'StatefulSet', 'orders-db');
    expect(change.acknowledged).toBe('grown by hand, runbook 12');
    expect(rulesOf(change)).toEqual(['immutable-volume-claim-templates']);
    expect(change.fields).toContainEqual({ path: 'metadata.annotations', type: 'added', after: { 'plan.strata.dev/allow-destructive': 'grown by hand, runbook 12' } });
  });

  // With a node pool, the fit check reads every pod template while the fleet validates: the
  // acknowledgement must already be on those objects (the user's fleet has a pool, oneCluster none).
  test('with a node pool, a grown claim template of a StatefulService is acknowledged, and the plan does not block', () => {
    const plan = planOf(pooled((apps) => database(apps, '20Gi')), pooled((apps) => {
      const db = database(apps, '50Gi');
      Plan.allowDestructive(db, 'claims resized by hand');
    }));
    const changes = changesOf(plan).filter((c) => c.hazards.length > 0);
    expect(changes.map((c) => [c.id.kind, c.acknowledged])).toEqual([['StatefulSet', 'claims resized by hand']]);
    expect(changes.filter(blocking)).toEqual([]);
    const acknowledged = changesOf(plan).filter((c) => c.fields?.some((f) => f.path === 'metadata.annotations')).map((c) => c.id.kind).sort();
    expect(acknowledged).toEqual(['NetworkPolicy', 'Service', 'ServiceAccount', 'StatefulSet']);
  });

  test('with a node pool, a changed selector of a WebService Deployment is acknowledged', () => {
    const storefront = (track: string | undefined, reason?: string) => pooled((apps) => {
      const web = new WebService(apps, 'storefront', { image: 'ghcr.io/acme/storefront:1.4.2', resources: RESOURCES, host: 'shop' });
      if (track) web.deployment!.addJsonPatch(JsonPatch.add('/spec/selector/matchLabels/track', track), JsonPatch.add('/spec/template/metadata/labels/track', track));
      if (reason) Plan.allowDestructive(web, reason);
    });
    const change = changeOf(planOf(storefront(undefined), storefront('stable', 'blue-green cut-over, old pods deleted by hand')), 'Deployment', 'storefront');
    expect(rulesOf(change)).toEqual(['immutable-selector']);
    expect(change.acknowledged).toBe('blue-green cut-over, old pods deleted by hand');
    expect(blocking(change)).toBe(false);
  });

  test('with a node pool, every object of every workload kind under the scope carries the acknowledgement', () => {
    const fleet = pooled((apps) => {
      new WebService(apps, 'storefront', { ...BASE, host: 'shop' });
      new Worker(apps, 'orders', BASE);
      new CronTask(apps, 'report', { ...BASE, schedule: '0 3 * * *' });
      database(apps, '20Gi');
      new HelmApp(apps, 'podinfo', { chart: { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', version: '6.7.1' } });
      waived(new ApiObject(apps, 'legacy', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'legacy' },
        spec: { selector: { matchLabels: { app: 'legacy' } }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'legacy', image: 'legacy:1', resources: { requests: RESOURCES } }] } } },
      }), 'pod-security-restricted');
      Plan.allowDestructive(apps, 'migrating the shop namespace');
    }, { podSecurity: 'privileged' });
    const objects = objectsOf(fleet);
    const kinds = (list: typeof objects) => [...new Set(list.map((o) => o.kind))].sort();
    expect(kinds(objects)).toEqual(expect.arrayContaining(['CronJob', 'Deployment', 'HelmRelease', 'StatefulSet']));
    expect(kinds(objects.filter((o) => o.metadata.annotations?.['plan.strata.dev/allow-destructive'] !== 'migrating the shop namespace'))).toEqual([]);
  });

  test('Plan.allowRemoval acknowledges a removed object', () => {
    const plan = planOf(
      oneCluster((apps) => { claim(apps); configMap(apps); }),
      oneCluster((apps) => { configMap(apps); Plan.allowRemoval(apps, { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'scratch' }, 'data moved to S3'); }),
    );
    expect(changeOf(plan, 'PersistentVolumeClaim', 'scratch').acknowledged).toBe('data moved to S3');
    expect(plan.totals).toMatchObject({ destructive: 1, acknowledged: 1 });
  });

  test('acknowledging a removed Kustomization covers what its garbage collection deletes', () => {
    const before = oneCluster(() => undefined);
    before.addLayer('extra');
    before.eachCluster((cluster) => configMap(cluster.appsIn('shop', 'extra')));
    const after = oneCluster((apps) => { configMap(apps, {}, 'other', 'other'); Plan.allowRemoval(apps, { kind: 'Kustomization', namespace: 'flux-system', name: 'extra' }, 'layer retired'); });
    const plan = planOf(before, after);
    expect(changeOf(plan, 'Kustomization', 'extra').acknowledged).toBe('layer retired');
    expect(changeOf(plan, 'ConfigMap', 'settings')).toMatchObject({ acknowledged: 'layer retired', hazards: [expect.objectContaining({ rule: 'kustomization-removed' })] });
  });

  test('an empty reason, or nothing to carry it, is a synth error', () => {
    expect(errorsOf(oneCluster((apps) => Plan.allowDestructive(configMap(apps), ' ')))).toContainEqual(expect.stringContaining('Plan.allowDestructive has an empty reason'));
    expect(errorsOf(oneCluster((apps) => { configMap(apps); Plan.allowRemoval(apps, { kind: 'ConfigMap', name: 'x' }, ''); }))).toContainEqual(
      expect.stringContaining('Plan.allowRemoval has an empty reason: say why the destructive change is intended'),
    );
    expect(errorsOf(oneCluster((apps) => Plan.allowRemoval(apps, { kind: 'ConfigMap', name: 'x' }, 'why')))).toContainEqual(
      expect.stringContaining('dev-eu/apps/shop: Plan.allowRemoval: no Kubernetes object under this construct to carry the acknowledgement'),
    );
    expect(errorsOf(oneCluster((apps) => Plan.allowDestructive(apps, 'why')))).toContainEqual(
      expect.stringContaining('Plan.allowDestructive: no Kubernetes object under this construct to carry the acknowledgement'),
    );
  });
});

describe('plan: Kustomization fields strata never writes, on trees edited by hand', () => {
  // A GitOps repository may hold layers edited by hand; the plan reads whatever the trees say.
  const base = () => oneCluster((apps) => { claim(apps); configMap(apps); }).render().files;
  const edit = (files: ReadonlyMap<string, string>, spec: string) =>
    new Map([...files].map(([path, text]) => [path, path === 'clusters/dev-eu/layers.yaml' ? text.replace(/(name: apps-shop\n  namespace: flux-system\nspec:\n)/, `$1${spec}`) : text]));
  const planFiles = (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>) =>
    planTrees(buildTree(entriesOfFiles(before)), buildTree(entriesOfFiles(after)));

  test('targetNamespace moves every namespaced object: each is created anew and pruned from the old namespace', () => {
    const files = base();
    const plan = planFiles(files, edit(files, '  targetNamespace: shop-v2\n'));
    expect(changeOf(plan, 'Kustomization', 'apps-shop').hazards).toEqual([
      expect.objectContaining({ rule: 'kustomization-target-namespace', field: 'spec.targetNamespace', before: undefined, after: 'shop-v2' }),
    ]);
    const moved = changeOf(plan, 'PersistentVolumeClaim', 'scratch');
    expect(moved).toMatchObject({ action: 'moved', id: { namespace: 'shop-v2' }, from: { id: { namespace: 'shop' } } });
    expect(rulesOf(moved)).toEqual(['moved-identity', 'delete-claim']);
  });

  test('a HelmRelease whose release name, target or storage namespace changes is a new release', () => {
    // A tenant's HelmRelease may name no other namespace (rule flux-lockdown): a hand-edited tree can.
    const files = oneCluster((apps) => helmRelease(apps)).render().files;
    const editRelease = (spec: string) => new Map([...files].map(([p, t]) => [p, p === 'dev-eu/apps/shop/helmrelease-cache.yaml' ? t.replace(/\nspec:\n/, `\nspec:\n${spec}`) : t]));
    const change = changeOf(planFiles(files, editRelease('  releaseName: redis\n  storageNamespace: flux-system\n')), 'HelmRelease', 'cache');
    expect(change.hazards.map((h) => [h.rule, h.field, h.before, h.after])).toEqual([
      ['helm-release-identity', 'spec.releaseName', 'cache', 'redis'],
      ['helm-release-identity', 'spec.storageNamespace', 'shop', 'flux-system'],
    ]);
    const target = changeOf(planFiles(files, editRelease('  targetNamespace: cache\n')), 'HelmRelease', 'cache');
    expect(target.hazards.map((h) => [h.field, h.before, h.after])).toEqual([['spec.releaseName', 'cache', 'cache-cache'], ['spec.targetNamespace', 'shop', 'cache']]);
    expect(change.hazards[0].effect).toContain('uninstalls cache from shop');
  });

  test('spec.path', () => {
    const files = base();
    const plan = planFiles(files, new Map([...files].map(([p, t]) => [p, p === 'clusters/dev-eu/layers.yaml' ? t.replace('path: ./dist/dev-eu/apps/shop', 'path: ./dist/dev-eu/apps/shop-v2') : t])));
    expect(changeOf(plan, 'Kustomization', 'apps-shop').hazards).toEqual([
      expect.objectContaining({ rule: 'kustomization-path', before: './dist/dev-eu/apps/shop', after: './dist/dev-eu/apps/shop-v2' }),
    ]);
    const left = changeOf(plan, 'ConfigMap', 'settings');
    expect(left).toMatchObject({ action: 'moved', kustomization: '', from: { kustomization: 'apps-shop' } });
    expect(left.hazards).toEqual([expect.objectContaining({ rule: 'prune', effect: "no Kustomization's path covers its folder any more: apps-shop prunes it from the cluster" })]);
  });

  test('with spec.force, an immutable change is a delete and recreate rather than a failed apply', () => {
    const files = base();
    const shrunk = oneCluster((apps) => { claim(apps, { resources: { requests: { storage: '5Gi' } } }); configMap(apps); }).render().files;
    const plan = planFiles(edit(files, '  force: true\n'), edit(shrunk, '  force: true\n'));
    expect(changeOf(plan, 'PersistentVolumeClaim', 'scratch').hazards[0].effect)
      .toContain('Kustomization apps-shop has spec.force: Flux deletes the object and creates it anew');
  });

  test('a StatefulSet removed with whenDeleted: Delete takes its claims', () => {
    const db = (apps: Apps) => waived(new ApiObject(apps, 'db', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } } },
    }), 'pod-security-restricted');
    const plan = planOf(privileged(db), privileged(() => undefined));
    expect(changeOf(plan, 'StatefulSet', 'db').hazards[1].effect).toContain('its PersistentVolumeClaims and their data are deleted too (whenDeleted: Delete)');
  });

  test('a Service given another cluster IP, or made ExternalName', () => {
    const ip = changeOf(planOf(oneCluster((apps) => service(apps, { clusterIP: '10.0.0.10' })), oneCluster((apps) => service(apps, { clusterIP: '10.0.0.11' }))), 'Service', 'legacy');
    expect(ip.hazards).toEqual([expect.objectContaining({ rule: 'immutable-cluster-ip', before: '10.0.0.10', after: '10.0.0.11' })]);
    const unset = planOf(oneCluster((apps) => service(apps, { clusterIP: '10.0.0.10' })), oneCluster((apps) => service(apps, {})));
    expect(changeOf(unset, 'Service', 'legacy').hazards).toEqual([]);
    const external = planOf(oneCluster((apps) => service(apps, {})), oneCluster((apps) => service(apps, { type: 'ExternalName', externalName: 'legacy.acme.dev' })));
    expect(changeOf(external, 'Service', 'legacy').hazards).toEqual([
      expect.objectContaining({ rule: 'service-type', before: 'ClusterIP', after: 'ExternalName', effect: 'the cluster IP is released: clients that use it lose the Service' }),
    ]);
  });
});
