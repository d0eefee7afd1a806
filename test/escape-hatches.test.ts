// The escape hatches of docs/escape-hatches.md, each as the documentation shows it: raw objects,
// cdk8s-plus, Include of existing YAML, the cdk8s Helm construct, JSON patches on the objects
// strata generates (through typed properties), and cluster-scoped objects inside fleet.apps.
import { describe, expect, test } from '@jest/globals';
import { ApiObject, Helm, Include, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CronTask, Fleet, PlatformComponent, Provider, Stage, StatefulService, Testing, WebService, Worker, type Apps, type Manifest,
} from '../lib/index.js';
import { errorsOf } from './support/errors.js';
import { helm } from './support/kubectl.js';

const IMAGE = 'ghcr.io/acme/web:1.0.0';

/** Two clusters of different stages, a namespace `tools` declared inside its own scope, and `define` there. */
function fleetWith(define: (apps: Apps) => void, options: { tenant?: boolean } = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('staging', { stage: Stage.STAGING, region: 'eu', provider: Provider.aws() });
  fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
  if (options.tenant) fleet.platform((p) => p.addTenant('tools'));
  fleet.apps('tools', (apps) => {
    if (!options.tenant) new kplus.Namespace(apps, 'namespace', { metadata: { name: 'tools' } });
    define(apps);
  });
  return fleet;
}

function objectsOn(fleet: Fleet, cluster: string): Manifest[] {
  return Testing.synth(fleet, { cluster, layer: 'apps' }).objects;
}

const find = (objects: readonly Manifest[], kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('names of objects declared without one', () => {
  test('cdk8s-plus and raw ApiObjects are named from their construct ids below the scope: the same name on every cluster', () => {
    const fleet = fleetWith((apps) => {
      new kplus.ConfigMap(apps, 'podinfo-settings', { data: { level: 'info' } });
      new ApiObject(apps, 'feature-flags', { apiVersion: 'v1', kind: 'ConfigMap', data: { beta: 'false' } });
    });
    for (const cluster of ['staging', 'prod']) {
      const names = find(objectsOn(fleet, cluster), 'ConfigMap').map((o) => o.metadata.name).sort();
      expect(names).toEqual(['feature-flags', 'podinfo-settings']);
    }
  });

  test('an id that is not a valid name is an error naming the construct (set metadata.name instead)', () => {
    const errors = errorsOf(fleetWith((apps) => void new kplus.ConfigMap(apps, 'Podinfo_Settings', { data: { a: 'b' } })));
    expect(errors).toContain(
      `staging/apps/tools/Podinfo_Settings/Resource: ConfigMap name "Podinfo_Settings" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    );
  });
});

describe('cluster-scoped objects inside fleet.apps', () => {
  test('a Namespace gets no namespace and is written to _cluster/ of the scope folder', () => {
    const { files, objects } = Testing.synth(fleetWith(() => undefined), { cluster: 'prod', layer: 'apps' });
    expect(find(objects, 'Namespace', 'tools')[0].metadata).not.toHaveProperty('namespace');
    expect(Object.keys(files)).toContain('prod/apps/tools/_cluster/namespace-tools.yaml');
  });

  test('a ClusterRole declared by hand with another namespace stays an error', () => {
    const errors = errorsOf(fleetWith((apps) => void new ApiObject(apps, 'reader', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader', namespace: 'elsewhere' }, rules: [] })));
    expect(errors).toContain('staging/apps/tools/reader: ClusterRole reader is cluster-scoped but has namespace "elsewhere"');
  });

  test("strata's own PlatformComponent works there: its Namespace is cluster-scoped", () => {
    const fleet = fleetWith((apps) => {
      new PlatformComponent(apps, { name: 'podinfo', namespace: 'podinfo', chart: { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', version: '6.9.2' } });
    });
    const objects = objectsOn(fleet, 'prod');
    expect(find(objects, 'Namespace', 'podinfo')[0].metadata).not.toHaveProperty('namespace');
    expect(find(objects, 'HelmRelease', 'podinfo')[0].metadata.namespace).toBe('flux-system');
  });

  test("in a tenant's folder, applied as the tenant's ServiceAccount, a cluster-scoped object is an error", () => {
    const errors = errorsOf(fleetWith((apps) => void new kplus.Namespace(apps, 'extra', { metadata: { name: 'extra' } }), { tenant: true }));
    expect(errors).toContainEqual(expect.stringMatching(/^staging\/apps: Namespace "extra" is cluster-scoped, but folder "apps\/tools" is applied as ServiceAccount ".+", which may change only namespace "tools": declare it in the platform/));
  });
});

describe('Include and Helm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-escape-'));

  test('Include of existing YAML: its objects land in the scope, its cluster-scoped ones in _cluster/', () => {
    const file = join(dir, 'legacy.yaml');
    writeFileSync(file, [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy-settings\ndata:\n  mode: legacy\n',
      'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: legacy-high\nvalue: 1000\n',
    ].join('---\n'));
    const { files, objects } = Testing.synth(fleetWith((apps) => void new Include(apps, 'legacy', { url: file })), { cluster: 'prod', layer: 'apps' });
    expect(find(objects, 'ConfigMap', 'legacy-settings')[0].metadata.namespace).toBe('tools');
    expect(Object.keys(files)).toContain('prod/apps/tools/_cluster/priorityclass-legacy-high.yaml');
  });

  test('the cdk8s Helm construct renders a chart at synth (helm template) into checked objects', () => {
    const chart = join(dir, 'hello');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: hello\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'values.yaml'), 'greeting: hello\n');
    writeFileSync(join(chart, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  greeting: {{ .Values.greeting | quote }}\n');
    const fleet = fleetWith((apps) => void new Helm(apps, 'hello', { chart, releaseName: 'hello', values: { greeting: 'hi' }, helmExecutable: helm() }));
    for (const cluster of ['staging', 'prod']) {
      expect(find(objectsOn(fleet, cluster), 'ConfigMap', 'hello-greeting')[0]).toMatchObject({ metadata: { namespace: 'tools' }, data: { greeting: 'hi' } });
    }
    const unnamed = errorsOf(fleetWith((apps) => void new Helm(apps, 'hello', { chart, helmExecutable: helm() })));
    expect(unnamed).toContainEqual(expect.stringMatching(/^staging\/apps\/tools: Helm "hello" has no releaseName, so it is released as "staging-apps-tools-hello-[0-9a-f]{8}", a name derived from the construct path \(cluster included\) that differs per cluster: pass releaseName$/));
    const platformFleet = fleetWith(() => undefined);
    platformFleet.platform((p) => void new Helm(p.controllers, 'hello', { chart, helmExecutable: helm() }));
    expect(errorsOf(platformFleet)).toContainEqual(expect.stringMatching(/^staging\/infrastructure\/controllers: Helm "hello" has no releaseName, so it is released as "staging-infrastructure-controllers-hello-[0-9a-f]{8}"/));
    writeFileSync(join(chart, 'templates', 'typo.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n');
    const errors = errorsOf(fleetWith((apps) => void new Helm(apps, 'hello', { chart, releaseName: 'hello', helmExecutable: helm() })));
    expect(errors).toContainEqual(expect.stringMatching(/^staging\/apps\/tools\/hello\/typo-configmap: ConfigMap typo: schema v1: \/datta is an unknown field \(did you mean "data"\?\)$/));
  });
});

describe('typed properties of the objects strata generates', () => {
  test('a JSON patch through webService.deployment, worker.deployment, cronTask.cronJob and statefulService.statefulSet', () => {
    const fleet = fleetWith((apps) => {
      const web = new WebService(apps, 'web', { image: IMAGE, port: 8080, resources: { cpu: '100m', memory: '128Mi' } });
      web.deployment?.addJsonPatch(JsonPatch.add('/spec/template/spec/hostAliases', [{ ip: '10.0.0.1', hostnames: ['legacy.internal'] }]));
      web.service?.metadata.addAnnotation('example.com/team', 'web');
      const worker = new Worker(apps, 'jobs', { image: IMAGE, resources: { cpu: '100m', memory: '128Mi' } });
      worker.deployment?.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 10));
      const task = new CronTask(apps, 'report', { image: IMAGE, schedule: '0 3 * * *', resources: { cpu: '100m', memory: '128Mi' } });
      task.cronJob?.addJsonPatch(JsonPatch.add('/spec/suspend', true));
      const db = new StatefulService(apps, 'db', { image: IMAGE, resources: { cpu: '100m', memory: '128Mi' } });
      db.statefulSet?.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 5));
      web.serviceAccount?.metadata.addAnnotation('eks.amazonaws.com/role-arn', 'arn:aws:iam::1:role/web');
    });
    const objects = objectsOn(fleet, 'prod');
    const [deployment] = find(objects, 'Deployment', 'web') as unknown as { spec: { template: { spec: Record<string, unknown> } } }[];
    expect(deployment.spec.template.spec.hostAliases).toEqual([{ ip: '10.0.0.1', hostnames: ['legacy.internal'] }]);
    expect(find(objects, 'Service', 'web')[0].metadata.annotations).toEqual({ 'example.com/team': 'web' });
    expect(find(objects, 'ServiceAccount', 'web')[0].metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/web' });
    expect((find(objects, 'Deployment', 'jobs')[0].spec as Record<string, unknown>).minReadySeconds).toBe(10);
    expect((find(objects, 'CronJob', 'report')[0].spec as Record<string, unknown>).suspend).toBe(true);
    expect((find(objects, 'StatefulSet', 'db')[0].spec as Record<string, unknown>).minReadySeconds).toBe(5);
  });

  test('a patched field the schema does not know is an error, not a silent drop', () => {
    const errors = errorsOf(fleetWith((apps) => {
      const web = new WebService(apps, 'web', { image: IMAGE, port: 8080, resources: { cpu: '100m', memory: '128Mi' } });
      web.deployment?.addJsonPatch(JsonPatch.add('/spec/replicass', 3));
    }));
    expect(errors).toContainEqual(expect.stringMatching(/^staging\/apps\/tools\/web\/deployment: Deployment web: \/spec\/replicass is not a field of Deployment, so the cdk8s binding drops it \(did you mean "replicas"\?\)$/));
  });

  test('a workload with errors renders nothing, so its properties are undefined', () => {
    let web: WebService | undefined;
    errorsOf(fleetWith((apps) => void (web = new WebService(apps, 'web', { image: IMAGE, port: 0, resources: { cpu: '100m', memory: '128Mi' } }))));
    expect(web?.deployment).toBeUndefined();
    expect(web?.service).toBeUndefined();
  });

  test('component.release and component.source are the HelmRelease and its chart source', () => {
    const fleet = fleetWith((apps) => {
      const component = new PlatformComponent(apps, { name: 'podinfo', namespace: 'podinfo', chart: { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', version: '6.9.2' } });
      component.release.addJsonPatch(JsonPatch.add('/spec/driftDetection', { mode: 'enabled' }));
      component.source.addJsonPatch(JsonPatch.replace('/spec/interval', '30m'));
    });
    const objects = objectsOn(fleet, 'prod');
    expect((find(objects, 'HelmRelease', 'podinfo')[0].spec as Record<string, unknown>).driftDetection).toEqual({ mode: 'enabled' });
    expect((find(objects, 'HelmRepository', 'podinfo')[0].spec as Record<string, unknown>).interval).toBe('30m');
  });
});
