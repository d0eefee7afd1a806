// A key a props or options type requires, left out (a JavaScript caller, `as never`, a typo of
// another key): reported once, by the props check, as `<path> is required (<what it takes>)`,
// never as a TypeError, an internal serialization error or a second message about `undefined`.
import { describe, expect, test } from '@jest/globals';
import { Autoscaling, Components, Egress, Fleet, HelmApp, Provider, SecretKey, Stage, StatefulService, SynthError, Testing, Trigger, WebService, Worker, type Apps, type Platform } from '../lib/index.js';
import { REQUIRED_CHECKED_BY_CONSTRUCT } from '../lib/fleet/props.js';
import { PROPS_SHAPES } from '../lib/fleet/props-keys.generated.js';

const image = 'ghcr.io/acme/app:1.0.0';
const resources = { cpu: '100m', memory: '128Mi' };
const chart = { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', version: '6.9.2' };
const APPS = 'c/apps/shop';
const events = (trigger: unknown) => Autoscaling.events({ min: 0, max: 4, triggers: [trigger as never] });

/** Every error of a fleet of one production cluster with tenant `shop` running `apps`, and `platform`. */
function errors(apps: (apps: Apps) => void, platform?: (p: Platform) => void): string[] {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform((p) => {
    p.addTenant('shop');
    platform?.(p);
  });
  fleet.apps('shop', apps);
  try {
    fleet.render();
    return [];
  } catch (e) {
    if (!(e instanceof SynthError)) throw e;
    return e.errors.map((f) => `${f.path}: ${f.message}`);
  }
}

const none = () => undefined;

describe('a required key left out is one error naming its path and what it takes', () => {
  test.each([
    ['a tenant quota without memory (was an internal serialization error)', none, (p: Platform) => p.addTenant('x', { quota: { cpu: '20' } as never }), 'c/infrastructure/configs/tenant-x: quota.memory is required (a string)'],
    ['a tenant quota without cpu', none, (p: Platform) => p.addTenant('x', { quota: { memory: '20Gi' } as never }), 'c/infrastructure/configs/tenant-x: quota.cpu is required (a string)'],
    ['a tenant repository without url', none, (p: Platform) => p.addTenant('x', { repository: {} as never }), 'c/infrastructure/configs/tenant-x: repository.url is required (a string)'],
    ['Autoscaling.cpu without max (was reported twice, by cpu and by resources)', (a: Apps) => new WebService(a, 'w', { image, resources, autoscaling: Autoscaling.cpu({ min: 2 } as never) }), undefined, `${APPS}/w: autoscaling: Autoscaling.cpu(...).max is required (a number)`],
    ['Autoscaling.memory without min', (a: Apps) => new WebService(a, 'w', { image, resources, autoscaling: Autoscaling.memory({ max: 4 } as never) }), undefined, `${APPS}/w: autoscaling: Autoscaling.memory(...).min is required (a number)`],
    ['Autoscaling.events without triggers', (a: Apps) => new Worker(a, 'w', { image, resources, autoscaling: Autoscaling.events({ min: 0, max: 4 } as never) }), undefined, `${APPS}/w: autoscaling: Autoscaling.events(...).triggers is required (a list)`],
    ['Trigger.kafka without bootstrapServers', (a: Apps) => new Worker(a, 'w', { image, resources, autoscaling: events(Trigger.kafka({ consumerGroup: 'g', lagThreshold: 5 } as never)) }), undefined, `${APPS}/w: autoscaling: Autoscaling.events(...).triggers[0]: Trigger.kafka(...).bootstrapServers is required (a list)`],
    ['Trigger.prometheus without threshold', (a: Apps) => new Worker(a, 'w', { image, resources, autoscaling: events(Trigger.prometheus({ query: 'up', serverAddress: 'http://prometheus:9090' } as never)) }), undefined, `${APPS}/w: autoscaling: Autoscaling.events(...).triggers[0]: Trigger.prometheus(...).threshold is required (a number)`],
    ['Trigger.rabbitmq without queue', (a: Apps) => new Worker(a, 'w', { image, resources, autoscaling: events(Trigger.rabbitmq({ auth: { host: SecretKey.of('rabbitmq', 'url') } } as never)) }), undefined, `${APPS}/w: autoscaling: Autoscaling.events(...).triggers[0]: Trigger.rabbitmq(...).queue is required (a string)`],
    ['Trigger.cron without timezone', (a: Apps) => new Worker(a, 'w', { image, resources, autoscaling: events(Trigger.cron({ start: '0 8 * * *', end: '0 18 * * *', replicas: 2 } as never)) }), undefined, `${APPS}/w: autoscaling: Autoscaling.events(...).triggers[0]: Trigger.cron(...).timezone is required (a string)`],
    ['a StatefulService claim without path (was a TypeError)', (a: Apps) => new StatefulService(a, 's', { image, resources, ports: [{ name: 'db', port: 5432 }], storage: { data: { size: '1Gi' } as never } }), undefined, `${APPS}/s: storage.data.path is required (a string)`],
    ['a StatefulService claim without size (was also "size undefined is not a Kubernetes quantity")', (a: Apps) => new StatefulService(a, 's', { image, resources, ports: [{ name: 'db', port: 5432 }], storage: { data: { path: '/d' } as never } }), undefined, `${APPS}/s: storage.data.size is required (a string)`],
    ['Egress.toWorkload without namespace (was also "namespace undefined is not a DNS-1123 label")', (a: Apps) => new Worker(a, 'w', { image, resources, egress: [Egress.toWorkload('db', { ports: [5432] } as never)] }), undefined, `${APPS}/w: Egress.toWorkload("db").namespace is required (a string)`],
    ['an undefined item of a list (was "could not be checked: TypeError")', (a: Apps) => new Worker(a, 'w', { image, resources, ports: [{ name: 'http', port: 8080 }], allowFrom: [undefined as never] }), undefined, `${APPS}/w: allowFrom[0] must be a Peer (a workload, Peer.namespace(...), Peer.workload(...) or Peer.ingressController()), not undefined`],
    ['a port without name (was also "port name undefined is not an IANA service name")', (a: Apps) => new StatefulService(a, 's', { image, resources, ports: [{ port: 5432 } as never] }), undefined, `${APPS}/s: ports[0].name is required (a string)`],
    ['a sidecar without name', (a: Apps) => new Worker(a, 'w', { image, resources, sidecars: [{ image, resources } as never] }), undefined, `${APPS}/w: sidecars[0].name is required (a string)`],
    ['configFiles without files (was a TypeError)', (a: Apps) => new Worker(a, 'w', { image, resources, configFiles: { path: '/etc/app' } as never }), undefined, `${APPS}/w: configFiles.files is required (an object)`],
    ['a HelmApp chart without version (was also "chart version undefined is not pinned")', (a: Apps) => new HelmApp(a, 'h', { chart: { repository: chart.repository, name: chart.name } as never }), undefined, `${APPS}/h: chart.version is required (a string)`],
    ['a HelmApp chart without repository', (a: Apps) => new HelmApp(a, 'h', { chart: { name: chart.name, version: chart.version } as never }), undefined, `${APPS}/h: chart.repository is required (a string)`],
    ['a HelmApp without chart', (a: Apps) => new HelmApp(a, 'h', {} as never), undefined, `${APPS}/h: chart is required (an object)`],
    ['valuesFrom without name', (a: Apps) => new HelmApp(a, 'h', { chart, valuesFrom: [{ kind: 'Secret' } as never] }), undefined, `${APPS}/h: valuesFrom[0].name is required (a string)`],
    ['a component without namespace', none, (p: Platform) => p.install(Components.helm({ name: 'x', chart: { repository: 'https://charts.example.com', name: 'x', version: '1.0.0' } } as never)), 'c/infrastructure/controllers/x: namespace is required (a string)'],
    ['a component chart without version (its release is not rendered)', none, (p: Platform) => p.install(Components.helm({ name: 'x', namespace: 'x', chart: { repository: 'https://charts.example.com', name: 'x' } } as never)), 'c/infrastructure/controllers/x: chart.version is required (a string)'],
  ] as const)('%s', (_what, apps, platform, expected) => {
    expect(errors(apps, platform)).toEqual([expected]);
  });

  test('a tenant quota given numbers is rendered (a guard for a left-out key once dropped it)', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((p) => p.addTenant('shop', { quota: { cpu: 20, memory: '64Gi' } as never }));
    const quota = Testing.synth(fleet).objects.find((o) => o.kind === 'ResourceQuota') as Record<string, any> | undefined;
    expect(quota?.spec.hard).toEqual({ 'limits.memory': '64Gi', 'requests.cpu': 20, 'requests.memory': '64Gi' });
  });

  test('props left out are checked as {}: every key they require is named, and nothing is rendered', () => {
    expect(errors(none, (p) => p.install(Components.helm(undefined as never)))).toEqual([
      'c/infrastructure/controllers/(undefined): chart is required (an object)', // no name: the construct's id says so
      'c/infrastructure/controllers/(undefined): name is required (a string)',
      'c/infrastructure/controllers/(undefined): namespace is required (a string)',
    ]);
  });

  test('a key an unknown key is a typo of is reported once, as the typo', () => {
    expect(errors((a) => new HelmApp(a, 'h', { chart: { repository: chart.repository, name: chart.name, verison: '6.9.2' } as never }))).toEqual([
      `${APPS}/h: chart.verison is not a known key: did you mean "version"? (valid keys: name, repository, version)`,
    ]);
  });
});

describe('keys a construct checks itself', () => {
  test('each is a required key of its type', () => {
    for (const [type, keys] of Object.entries(REQUIRED_CHECKED_BY_CONSTRUCT)) {
      const shape = PROPS_SHAPES[type] as { r?: readonly string[] };
      for (const key of keys) expect([type, shape.r?.includes(key)]).toEqual([type, true]);
    }
  });

  test('left out, each is reported once, in the construct\'s words', () => {
    expect(errors((a) => new Worker(a, 'w', { resources } as never))).toEqual([`${APPS}/w: image is required: a reference pinned by tag or digest, e.g. "ghcr.io/acme/web:1.4.2"`]);
    expect(errors((a) => new Worker(a, 'w', { image, resources: { cpu: '100m' } } as never))).toEqual([
      `${APPS}/w: resources.memory is required: a request such as "256Mi" or "1Gi" (pods are scheduled and autoscaled by it)`,
    ]);
  });
});
