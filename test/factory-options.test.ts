// Every public factory that takes options (`Autoscaling.cpu({...})`, `Egress.toCidr(cidr, {...})`,
// ...), called as `npm run synth` lets a JavaScript caller or `as any` call it: with the options left
// out, `null`, a number, or an unknown key. Each is a synth error naming the factory, never a
// TypeError, a crash or a silently dropped key. The table must list every static factory of these
// classes, so a new one cannot skip the check.
import { describe, expect, test } from '@jest/globals';
import {
  Autoscaling, Components, CronTask, Egress, Env, Fleet, HelmApp, LayerSource, Metric, NodePool, Peer, Plan, Probe, Provider, Stage, StatefulService, StrataError, Trigger, Volume, Waivers, perStage,
  WebService, Worker, type WorkerProps,
} from '../lib/index.js';
import { Construct } from 'constructs';
import { addCheck } from '../lib/fleet/errors.js';
import { MADE_BY } from '../lib/fleet/props.js';
import { PROPS_SHAPES } from '../lib/fleet/props-keys.generated.js';
import { errorsOf, find, objectsOf, oneCluster, platformFleet } from './support/fleets.js';

type Factory = (options: unknown) => unknown;

interface Case {
  /** How messages name the factory, e.g. `Egress.toCidr("10.64.0.0/24")`. */
  readonly label: string;
  /** Calls the factory with `options` (and valid other arguments). */
  readonly call: Factory;
  /** Whether leaving the options out is an error of its own. */
  readonly required: boolean;
  /** The fleet the factory's value is used in. */
  readonly fleet: (made: unknown) => Fleet;
}

const IMAGE = 'ghcr.io/acme/app:1.4.2';
const any = (x: unknown) => x as never;

/** A fleet whose one worker has `extra` props. */
function workerWith(extra: (made: unknown) => Partial<WorkerProps>): (made: unknown) => Fleet {
  return (made) => oneCluster((apps) => {
    new Worker(apps, 'app', { image: IMAGE, resources: { cpu: '100m', memory: '128Mi' }, ports: [{ name: 'http', port: 8080 }], ...extra(made) });
  });
}

const inAutoscaling = workerWith((made) => ({ autoscaling: any(made) }));
const inTrigger = workerWith((made) => ({ autoscaling: Autoscaling.events({ min: 0, max: 3, triggers: [any(made)] }) }));
const inMetric = workerWith((made) => ({ autoscaling: Autoscaling.resources({ min: 1, max: 3, metrics: [any(made)] }) }));
const inProbe = workerWith((made) => ({ probes: { readiness: any(made) } }));
const inVolume = workerWith((made) => ({ volumes: { '/data': any(made) } }));
const inEnv = workerWith((made) => ({ env: { SETTING: any(made) } }));
const inEgress = workerWith((made) => ({ egress: [any(made)] }));
const inAllowFrom = workerWith((made) => ({ allowFrom: [any(made)] }));

function inProvider(made: unknown): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: any(made) });
  return fleet;
}

function inLayerSource(made: unknown): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
  fleet.addLayer('monitoring', { source: any(made) });
  return fleet;
}

const factory = (f: unknown) => f as Factory;

const CASES: Record<string, Record<string, Case>> = {
  Autoscaling: {
    cpu: { label: 'Autoscaling.cpu(...)', call: factory(Autoscaling.cpu), required: true, fleet: inAutoscaling },
    memory: { label: 'Autoscaling.memory(...)', call: factory(Autoscaling.memory), required: true, fleet: inAutoscaling },
    resources: { label: 'Autoscaling.resources(...)', call: factory(Autoscaling.resources), required: true, fleet: inAutoscaling },
    events: { label: 'Autoscaling.events(...)', call: factory(Autoscaling.events), required: true, fleet: inAutoscaling },
  },
  Trigger: {
    cron: { label: 'Trigger.cron(...)', call: factory(Trigger.cron), required: true, fleet: inTrigger },
    prometheus: { label: 'Trigger.prometheus(...)', call: factory(Trigger.prometheus), required: true, fleet: inTrigger },
    rabbitmq: { label: 'Trigger.rabbitmq(...)', call: factory(Trigger.rabbitmq), required: true, fleet: inTrigger },
    kafka: { label: 'Trigger.kafka(...)', call: factory(Trigger.kafka), required: true, fleet: inTrigger },
    sqs: { label: 'Trigger.sqs(...)', call: factory(Trigger.sqs), required: true, fleet: inTrigger },
    cpu: { label: 'Trigger.cpu(...)', call: factory(Trigger.cpu), required: true, fleet: inTrigger },
    memory: { label: 'Trigger.memory(...)', call: factory(Trigger.memory), required: true, fleet: inTrigger },
  },
  Metric: {
    pods: { label: 'Metric.pods(...)', call: factory(Metric.pods), required: true, fleet: inMetric },
    object: { label: 'Metric.object(...)', call: factory(Metric.object), required: true, fleet: inMetric },
    external: { label: 'Metric.external(...)', call: factory(Metric.external), required: true, fleet: inMetric },
  },
  Probe: {
    http: { label: 'Probe.http(...)', call: (o) => Probe.http('/healthz', any(o)), required: false, fleet: inProbe },
    tcp: { label: 'Probe.tcp(...)', call: factory(Probe.tcp), required: false, fleet: inProbe },
    exec: { label: 'Probe.exec(...)', call: (o) => Probe.exec(['true'], any(o)), required: false, fleet: inProbe },
  },
  Volume: {
    configMap: { label: 'Volume.configMap(...)', call: (o) => Volume.configMap('settings', any(o)), required: false, fleet: inVolume },
    secret: { label: 'Volume.secret(...)', call: (o) => Volume.secret('tls', any(o)), required: false, fleet: inVolume },
    emptyDir: { label: 'Volume.emptyDir(...)', call: (o) => Volume.emptyDir('cache', any(o)), required: false, fleet: inVolume },
  },
  Env: {
    fromConfigMap: { label: 'Env.fromConfigMap(...)', call: (o) => Env.fromConfigMap('settings', 'level', any(o)), required: false, fleet: inEnv },
    fromSecret: { label: 'Env.fromSecret(...)', call: (o) => Env.fromSecret('db', 'password', any(o)), required: false, fleet: inEnv },
  },
  Egress: {
    toWorkload: { label: 'Egress.toWorkload("db")', call: (o) => Egress.toWorkload('db', any(o)), required: true, fleet: inEgress },
    toCidr: { label: 'Egress.toCidr("10.64.0.0/24")', call: (o) => Egress.toCidr('10.64.0.0/24', any(o)), required: true, fleet: inEgress },
    toAnyAddress: { label: 'Egress.toAnyAddress()', call: factory(Egress.toAnyAddress), required: true, fleet: inEgress },
  },
  Peer: {
    workload: { label: 'Peer.workload("web")', call: (o) => Peer.workload('web', any(o)), required: false, fleet: inAllowFrom },
  },
  Provider: {
    aws: { label: 'Provider.aws(...)', call: factory(Provider.aws), required: false, fleet: inProvider },
    gcp: { label: 'Provider.gcp(...)', call: factory(Provider.gcp), required: false, fleet: inProvider },
    azure: { label: 'Provider.azure(...)', call: factory(Provider.azure), required: false, fleet: inProvider },
    onPremises: { label: 'Provider.onPremises(...)', call: factory(Provider.onPremises), required: false, fleet: inProvider },
  },
  LayerSource: {
    ociRepository: { label: 'LayerSource.ociRepository(...)', call: factory(LayerSource.ociRepository), required: true, fleet: inLayerSource },
    externalArtifact: { label: 'LayerSource.externalArtifact(...)', call: factory(LayerSource.externalArtifact), required: true, fleet: inLayerSource },
  },
};

/** Static members that take no options object: nothing to misspell. */
const NO_OPTIONS: Record<string, readonly string[]> = {
  Peer: ['namespace', 'ingressController'],
  LayerSource: ['fleetRepository'],
};

const CLASSES: Record<string, object> = { Autoscaling, Trigger, Metric, Probe, Volume, Env, Egress, Peer, Provider, LayerSource };

/** What a failed read of options must never look like: the JavaScript engine's own words. */
const ENGINE_ERROR = /TypeError|Cannot read propert|Cannot destructure|is not a function|is not iterable|undefined \(reading/;

/** The errors of the fleet `c` makes from `options`, or [] when it renders. */
function errorsFor(c: Case, options: unknown): string[] {
  const fleet = c.fleet(c.call(options));
  try {
    return errorsOf(fleet);
  } catch (e) {
    if (e instanceof Error && e.message === 'expected the synth to fail') return [];
    throw e;
  }
}

describe('factory options', () => {
  test('the table lists every public static factory of these classes', () => {
    for (const [name, cls] of Object.entries(CLASSES)) {
      const statics = Object.getOwnPropertyNames(cls).filter((k) => typeof (cls as Record<string, unknown>)[k] === 'function');
      // TypeScript's `private static` members are still properties: the ones named in the class's declaration file are public.
      const publicOnes = statics.filter((k) => !['resource', 'reference'].includes(k));
      expect([...publicOnes].sort()).toEqual([...Object.keys(CASES[name]), ...(NO_OPTIONS[name] ?? [])].sort());
    }
  });

  const all = Object.values(CASES).flatMap((cases) => Object.values(cases));

  test.each(all.map((c): [string, Case] => [c.label, c]))('%s: an unknown key is an error naming it', (_, c) => {
    const errors = errorsFor(c, { colour: 'blue' });
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining(`${c.label}.colour is not a known key`)]));
    expect(errors.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
  });

  test.each(all.map((c): [string, Case] => [c.label, c]))('%s: options that are not an object are an error, not a TypeError', (_, c) => {
    for (const options of [null, 7, 'fast', ['a']]) {
      const errors = errorsFor(c, options);
      expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`${c.label.replace(/[.()*"/]/g, '\\$&')}: options must be an object(, e\\.g\\. .*)?, not `))]));
      expect(errors.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
    }
  });

  test.each(all.map((c): [string, Case] => [c.label, c]))('%s: options left out', (_, c) => {
    const errors = errorsFor(c, undefined);
    const required = errors.filter((e) => e.includes(`${c.label}: options are required, e.g. `));
    expect(required.length > 0).toBe(c.required);
    expect(errors.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
  });
});

describe('what the options hold', () => {
  test('Egress ports that are not a list, or not ports, are named once, and missing ports are required', () => {
    expect(errorsOf(inEgress(Egress.toAnyAddress(any({ ports: 443 }))))).toEqual(['dev-eu/apps/shop/app: Egress.toAnyAddress().ports must be a list, not 443']);
    expect(errorsOf(inEgress(Egress.toCidr('10.64.0.0/24', any({ ports: ['443', null] }))))).toEqual([
      'dev-eu/apps/shop/app: Egress.toCidr("10.64.0.0/24").ports[0] must be an object or a number, not "443"',
      'dev-eu/apps/shop/app: Egress.toCidr("10.64.0.0/24").ports[1] must be an object or a number, not null',
    ]);
    expect(errorsOf(inEgress(Egress.toCidr('10.64.0.0/24', any({ port: [5432] }))))).toEqual([
      'dev-eu/apps/shop/app: Egress.toCidr("10.64.0.0/24").port is not a known key: did you mean "ports"? (valid keys: except, ports)',
      'dev-eu/apps/shop/app: Egress.toCidr("10.64.0.0/24"): ports is required: the destination ports, e.g. [443] or [{ port: 53, protocol: \'UDP\' }]',
    ]);
  });

  test('Egress.toCidr: a cidr that is not a string and except that is not a list are both named', () => {
    const errors = errorsOf(inEgress(Egress.toCidr(any(10), any({ ports: [443], except: '10.0.0.0/8' }))));
    expect(errors).toEqual([
      'dev-eu/apps/shop/app: Egress.toCidr(10).except must be a list, not "10.0.0.0/8"',
      'dev-eu/apps/shop/app: Egress.toCidr(10): cidr 10 is not a CIDR, e.g. "10.64.0.0/24" or "2001:db8::/32"',
    ]);
  });

  test('a misspelt Env reference option is an error, and optional must be a boolean', () => {
    expect(errorsOf(inEnv(Env.fromSecret('db', 'password', any({ optinal: true }))))).toContain(
      'dev-eu/apps/shop/app: env SETTING: Env.fromSecret(...).optinal is not a known key: did you mean "optional"? (valid keys: optional)',
    );
    expect(errorsOf(inEnv(Env.fromSecret('db', 'password', any({ optional: 'yes' }))))).toEqual(['dev-eu/apps/shop/app: env SETTING: Env.fromSecret(...).optional must be true or false, not "yes"']);
  });

  test('Probe.http without a path and Probe.exec with a string are named', () => {
    expect(errorsOf(inProbe(Probe.http(any(undefined))))).toContain('dev-eu/apps/shop/app: probes.readiness: path undefined must start with "/"');
    expect(errorsOf(inProbe(Probe.exec(any('pg_isready'))))).toContain(
      'dev-eu/apps/shop/app: probes.readiness: Probe.exec needs a command as a list of strings, e.g. [\'pg_isready\'], not "pg_isready"',
    );
  });

  test('valid options still render what they say', () => {
    const fleet = oneCluster((apps) => {
      new Worker(apps, 'app', {
        image: IMAGE,
        resources: { cpu: '100m', memory: '128Mi' },
        egress: [Egress.toCidr('10.64.0.0/24', { ports: [5672], except: ['10.64.0.128/25'] })],
        env: { PASSWORD: Env.fromSecret('db', 'password', { optional: true }) },
      });
    });
    const objects = objectsOf(fleet);
    expect(find(objects, 'NetworkPolicy', 'app-egress').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.64.0.0/24', except: ['10.64.0.128/25'] } }], ports: [{ port: 5672, protocol: 'TCP' }] },
    ]);
    expect(find(objects, 'Deployment', 'app').spec.template.spec.containers[0].env).toEqual([
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } },
    ]);
  });
});

describe('a check that throws', () => {
  test('is reported at its construct, and the other checks still run', () => {
    const fleet = oneCluster((apps) => {
      const app = new Worker(apps, 'app', { image: IMAGE, resources: { cpu: '100m', memory: '128Mi' }, replicas: any(-1) });
      addCheck(app, () => {
        throw new TypeError('boom');
      });
      // A foreign construct's own validation (cdk8s, constructs or the user's) that throws.
      new Construct(apps, 'foreign').node.addValidation({ validate: () => { throw new RangeError('out of range'); } });
    });
    const errors = errorsOf(fleet);
    expect(errors).toEqual(expect.arrayContaining([
      'dev-eu/apps/shop/app: could not be checked: TypeError: boom',
      'dev-eu/apps/shop/foreign: validation failed: RangeError: out of range',
      expect.stringMatching(/^dev-eu\/apps\/shop\/app: replicas/),
    ]));
  });
});

describe('construct props that are not an object', () => {
  const A = (x: unknown) => x as never;
  const CONSTRUCTS: Record<string, (props: unknown) => Fleet> = {
    Worker: (p) => oneCluster((apps) => { new Worker(apps, 'w', A(p)); }),
    WebService: (p) => oneCluster((apps) => { new WebService(apps, 'w', A(p)); }),
    CronTask: (p) => oneCluster((apps) => { new CronTask(apps, 'w', A(p)); }),
    StatefulService: (p) => oneCluster((apps) => { new StatefulService(apps, 'w', A(p)); }),
    HelmApp: (p) => oneCluster((apps) => { new HelmApp(apps, 'w', A(p)); }),
    NodePool: (p) => platformFleet((platform) => { new NodePool(platform, 'general', A(p)); }),
    'platform.addTenant': (p) => platformFleet((platform) => { platform.addTenant('team', A(p)); }),
    'Components.certManager': (p) => platformFleet((platform) => { platform.install(Components.certManager(A(p))); }),
  };

  test.each(Object.keys(CONSTRUCTS))('%s: null, a number or nothing is an error, not a TypeError', (name) => {
    for (const props of [null, 5, undefined]) {
      const errors = errorsFor({ label: name, call: (o) => o, required: false, fleet: CONSTRUCTS[name] }, props);
      expect(errors.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
      if (props !== undefined) expect(errors).toEqual(expect.arrayContaining([expect.stringContaining(`props must be an object, not ${props}`)]));
    }
  });

  test('fleet.addCluster without a stage, region or provider throws one StrataError naming them all, with its typos', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    expect(() => fleet.addCluster('c1', A({ stage: Stage.PRODUCTION, provder: Provider.aws() }))).toThrow(new StrataError(
      'fleet.addCluster("c1", ...): region is required: the provider\'s region name, e.g. "eu-west-1" (given: undefined); '
      + 'provider is required: Provider.aws(), Provider.gcp(), Provider.azure() or Provider.onPremises() (given: undefined); '
      + 'provder is not a known key: did you mean "provider"? (valid keys: decryption, domain, fluxLockdown, kubernetesVersion, layers, provider, region, stage, traffic)',
    ));
    expect(() => fleet.addCluster('c1', A(undefined))).toThrow(
      'fleet.addCluster("c1", ...): props must be an object, e.g. { stage: Stage.PRODUCTION, region: \'eu-west-1\', provider: Provider.aws() }, not undefined',
    );
    expect(fleet.clusters).toEqual([]);
  });

  test('new Fleet and fleet.addLayer with props that are not an object throw a StrataError', () => {
    expect(() => new Fleet(A(null))).toThrow(new StrataError('new Fleet(...): props must be an object, e.g. { name: \'acme\', domain: \'acme.dev\' }, not null'));
    expect(() => new Fleet({ name: 'acme', domain: 'acme.dev' }).addLayer('monitoring', A(7))).toThrow(new StrataError('fleet.addLayer("monitoring", ...): props must be an object, not 7'));
  });

  test('platform.externalNamespace with props that are not an object is an error of the namespace', () => {
    const errors = errorsOf(platformFleet((platform) => { platform.externalNamespace('legacy', A('x')); }));
    expect(errors).toContain('c1/infrastructure/configs/namespace-legacy: externalNamespace("legacy", ...): props must be an object, not "x"');
  });
});

// A value of another structure than its TypeScript type (a string where a list is declared, a list
// where an object is) used to be read as something else (`command: 'run --fast'` as its letters,
// `allowRoutesFrom: 'other'` as namespaces o, t, h, e, r) or to fail with the engine's TypeError.
describe('values of another structure than declared', () => {
  const IMG = 'ghcr.io/acme/app:1.4.2';
  const R = { cpu: '100m', memory: '128Mi' };
  const APP = 'dev-eu/apps/shop/w';
  const cases: [string, (apps: Parameters<Parameters<typeof oneCluster>[0]>[0]) => void, string][] = [
    ['command as a string', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, command: any('run --fast') }); }, `${APP}: command must be a list, not "run --fast"`],
    ['allowRoutesFrom as a string', (apps) => { new WebService(apps, 'w', { image: IMG, resources: R, allowRoutesFrom: any('other') }); }, `${APP}: allowRoutesFrom must be a list, not "other"`],
    ['ports as one object', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, ports: any({ name: 'http', port: 8080 }) }); }, `${APP}: ports must be a list, not {"name":"http","port":8080}`],
    ['a port as a number', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, ports: any([8080]) }); }, `${APP}: ports[0] must be an object, not 8080`],
    ['env as a list', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, env: any([{ name: 'X', value: '1' }]) }); }, `${APP}: env must be an object, not [{"name":"X","value":"1"}]`],
    ['a sidecar as null', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, sidecars: any([null]) }); }, `${APP}: sidecars[0] must be an object, not null`],
    ['a claim as a string', (apps) => { new StatefulService(apps, 'w', { image: IMG, resources: R, ports: [{ name: 'pg', port: 5432 }], storage: { data: any('/data') } }); }, `${APP}: storage.data must be an object, not "/data"`],
    ['a probe as a string', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, probes: { readiness: any('/healthz') } }); }, `${APP}: probes.readiness must be a Probe (Probe.http(...), Probe.tcp(...) or Probe.exec(...)) or false, not "/healthz"`],
    ['triggers as one trigger', (apps) => { new Worker(apps, 'w', { image: IMG, resources: R, autoscaling: Autoscaling.events({ min: 0, max: 2, triggers: any(Trigger.cron({ timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', replicas: 1 })) }) }); }, `${APP}: autoscaling: Autoscaling.events(...).triggers must be a list, not a Trigger`],
  ];

  test.each(cases)('%s: one error naming the field and what it must be, nothing else', (_, define, message) => {
    expect(errorsOf(oneCluster(define))).toEqual([message]);
  });

  test('the cluster and the fleet: fluxLockdown false, kubernetesVersion a number, repository a string, layer dependsOn a string and source a string', () => {
    const fleet = new Fleet(any({ name: 'acme', domain: 'acme.dev', repository: 'ssh://git@github.com/acme/fleet.git' }));
    fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws(), fluxLockdown: any(false), kubernetesVersion: any(1.33) });
    fleet.addLayer('monitoring', { dependsOn: any('apps') });
    fleet.addLayer('logging', { source: any('oci://ghcr.io/acme/logging') });
    const errors = errorsOf(fleet);
    expect(errors).toEqual(expect.arrayContaining([
      'new Fleet(...).repository must be an object, not "ssh://git@github.com/acme/fleet.git"',
      'c1: fluxLockdown must be an object, not false',
      expect.stringMatching(/^c1: kubernetesVersion 1\.33 is not a Kubernetes minor version strata knows/),
      'fleet.addLayer("monitoring", ...).dependsOn must be a list, not "apps"',
      'fleet.addLayer("logging", ...).source must be LayerSource.ociRepository(...), LayerSource.externalArtifact(...) or LayerSource.fleetRepository(), not "oci://ghcr.io/acme/logging"',
    ]));
    expect(errors.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
  });

  test('a primitive of another kind is left to the field\'s own check (one message, not two)', () => {
    const errors = errorsOf(oneCluster((apps) => { new CronTask(apps, 'w', { image: IMG, resources: R, schedule: '0 3 * * *', failedJobsHistoryLimit: any('x') }); }));
    expect(errors).toEqual([`${APP}: failedJobsHistoryLimit ("x") must be an integer of at least 0`]);
  });
});

describe('switches and levels', () => {
  const IMG = 'ghcr.io/acme/app:1.4.2';
  test('a switch given as a string is an error (it was read by its truth: tls: "false" kept TLS on)', () => {
    const errors = errorsOf(oneCluster((apps) => { new WebService(apps, 'w', { image: IMG, resources: { cpu: '100m', memory: '128Mi' }, host: 'shop', tls: any('false'), zoneSpread: any('yes') }); }));
    expect(errors).toEqual(['dev-eu/apps/shop/w: tls must be true or false, not "false"', 'dev-eu/apps/shop/w: zoneSpread must be true or false, not "yes"']);
  });

  test('a tenant\'s podSecurity that is no Pod Security Standards level is an error, not a label enforcing nothing', () => {
    const errors = errorsOf(platformFleet((platform) => { platform.addTenant('team', { podSecurity: any('strict'), exposed: any('yes') }); }));
    expect(errors).toEqual([
      'c1/infrastructure/configs/tenant-team: exposed must be true or false, not "yes"',
      'c1/infrastructure/configs/tenant-team: podSecurity "strict" is not a Pod Security Standards level: use "restricted", "baseline" or "privileged" (https://kubernetes.io/docs/concepts/security/pod-security-standards/)',
    ]);
  });
});

describe('HelmApp props', () => {
  test('misspelt keys and values of another structure are errors (they were dropped: `valeus`, `chart.verison`)', () => {
    const errors = errorsOf(oneCluster((apps) => {
      new HelmApp(apps, 'podinfo', any({ chart: { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', verison: '6.9.0' }, valeus: { replicaCount: 2 }, dependsOn: 'redis' }));
    }));
    expect(errors).toEqual(expect.arrayContaining([
      'dev-eu/apps/shop/podinfo: chart.verison is not a known key: did you mean "version"? (valid keys: name, repository, version)',
      expect.stringMatching(/^dev-eu\/apps\/shop\/podinfo: valeus is not a known key: did you mean "values"\?/),
      'dev-eu/apps/shop/podinfo: dependsOn must be a list, not "redis"',
    ]));
    expect(errors.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
  });
});

test('platform.externalNamespace: a misspelt key and labels of another structure are errors', () => {
  const errors = errorsOf(platformFleet((platform) => {
    platform.externalNamespace('legacy', any({ lables: { team: 'legacy' } }));
    platform.externalNamespace('other', any({ labels: ['team=other'] }));
  }));
  expect(errors).toEqual(expect.arrayContaining([
    'c1/infrastructure/configs/namespace-legacy: externalNamespace("legacy", ...).lables is not a known key: did you mean "labels"? (valid keys: labels)',
    'c1/infrastructure/configs/namespace-other: externalNamespace("other", ...).labels must be an object, not ["team=other"]',
  ]));
});

describe('items that must be instances', () => {
  const IMG = 'ghcr.io/acme/app:1.4.2';
  const R = { cpu: '100m', memory: '128Mi' };
  test.each([
    ['a trigger that is null', { autoscaling: Autoscaling.events({ min: 0, max: 2, triggers: any([null]) }) }, 'autoscaling: Autoscaling.events(...).triggers[0] must be a Trigger (Trigger.cron(...), Trigger.prometheus(...), Trigger.rabbitmq(...), Trigger.kafka(...), Trigger.sqs(...), Trigger.cpu(...) or Trigger.memory(...)), not null'],
    ['a metric that is null', { autoscaling: Autoscaling.resources({ min: 1, max: 2, metrics: any([null]) }) }, 'autoscaling: Autoscaling.resources(...).metrics[0] must be a Metric (Metric.pods(...), Metric.object(...) or Metric.external(...)), not null'],
    ['a peer that is a name', { ports: [{ name: 'http', port: 8080 }], allowFrom: any(['web']) }, 'allowFrom[0] must be a Peer (a workload, Peer.namespace(...), Peer.workload(...) or Peer.ingressController()), not "web"'],
    ['an egress destination that is a CIDR string', { egress: any(['10.0.0.0/8']) }, 'egress[0] must be an EgressTarget (Egress.toWorkload(...), Egress.toCidr(...) or Egress.toAnyAddress(...)), not "10.0.0.0/8"'],
    ['an env value that is an object', { env: any({ X: {} }) }, 'env.X must be an Env (Env.fromConfigMap(...) or Env.fromSecret(...)), true or false, a number or a string, not {}'],
  ])('%s is named, not a TypeError', (_, extra, message) => {
    const errors = errorsOf(oneCluster((apps) => { new Worker(apps, 'w', { image: IMG, resources: R, ...(extra as object) }); }));
    expect(errors).toEqual([`dev-eu/apps/shop/w: ${message}`]);
  });
});

test('every class or interface the props table names has a way to make it, for the message', () => {
  const names = new Set(JSON.stringify(PROPS_SHAPES).match(/"n":"\w+"/g)?.map((m) => m.slice(5, -1)));
  expect([...names].filter((n) => !(n in MADE_BY))).toEqual([]);
  expect(names.size).toBeGreaterThan(10);
});

// Types are structural: props and options made by a class, or inheriting from a base object, are as
// valid as object literals (a fresh helper found them refused once the props check read structure).
describe('props and options that are not object literals', () => {
  class WebProps { readonly image = 'ghcr.io/acme/web:1.0.0'; readonly resources = { cpu: '100m', memory: '128Mi' }; readonly host = 'shop'; }
  class CpuOptions { readonly min = 1; readonly max = 3; readonly utilization = 70; }
  class ProbeOptions { readonly periodSeconds = 5; }

  test('a class instance or Object.create(base) as props and options renders like the literal', () => {
    const base = { image: 'ghcr.io/acme/worker:1.0.0', resources: { cpu: '100m', memory: '128Mi' } };
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'web', any(new WebProps()));
      new Worker(apps, 'worker', { ...base, autoscaling: Autoscaling.cpu(any(new CpuOptions())), ports: [{ name: 'http', port: 8080 }], probes: { readiness: Probe.http('/healthz', any(new ProbeOptions())) } });
      new Worker(apps, 'inherited', Object.create(base));
    });
    fleet.platform((platform) => { platform.install(Components.metricsServer()); });
    const objects = objectsOf(fleet);
    expect(find(objects, 'Deployment', 'web').spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.0.0');
    expect(find(objects, 'HorizontalPodAutoscaler', 'worker').spec.maxReplicas).toBe(3);
    expect(find(objects, 'Deployment', 'worker').spec.template.spec.containers[0].readinessProbe.periodSeconds).toBe(5);
    expect(find(objects, 'Deployment', 'inherited').spec.template.spec.containers[0].image).toBe('ghcr.io/acme/worker:1.0.0');
  });

  test('a class instance\'s own fields are still checked for their structure', () => {
    class BadProps { readonly image = 'ghcr.io/acme/web:1.0.0'; readonly resources = { cpu: '100m', memory: '128Mi' }; readonly command = 'run --fast'; }
    expect(errorsOf(oneCluster((apps) => { new Worker(apps, 'w', any(new BadProps())); }))).toEqual(['dev-eu/apps/shop/w: command must be a list, not "run --fast"']);
  });
});

describe('calls with an argument that is no construct, component or object', () => {
  const thrown = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
    return 'nothing thrown';
  };

  test('perStage, Waivers and Plan throw a StrataError naming what they take', () => {
    expect(thrown(() => perStage(any(undefined)))).toBe('StrataError: perStage: give an object of stage → value, e.g. perStage({ development: 1, production: 3 }), not undefined');
    expect(thrown(() => Waivers.waive(any(undefined), 'resources', 'x'))).toBe('StrataError: Waivers.waive: the first argument must be a construct (a workload, a component, a cluster), not undefined');
    expect(thrown(() => Plan.allowRemoval(any(null), { kind: 'Deployment', name: 'old' }, 'gone'))).toBe('StrataError: Plan.allowRemoval: the first argument must be a construct (a workload, a component, a cluster), not null');
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    expect(thrown(() => Plan.allowRemoval(fleet, any('deployment/old'), 'gone'))).toBe(
      'StrataError: Plan.allowRemoval: name the object removed as { kind, name, namespace? }, e.g. { kind: \'Deployment\', name: \'old\', namespace: \'shop\' }, not "deployment/old"',
    );
    expect(thrown(() => Plan.allowRemoval(fleet, any({ kind: 'Deployment', name: 'old', namspace: 'shop' }), 'gone'))).toBe(
      'StrataError: Plan.allowRemoval(...).namspace is not a known key: did you mean "namespace"? (valid keys: kind, name, namespace)',
    );
  });

  test('platform.install of something that is no component, and Components.helm without props, are errors at the cluster', () => {
    const errors = errorsOf(platformFleet((platform) => { platform.install(any(Components.keda)); }));
    expect(errors).toEqual([expect.stringMatching(/^c1: platform\.install: \[function keda\] is not a component: install Components\.<name>\(\.\.\.\) \(called\)/)]);
    const helm = errorsOf(platformFleet((platform) => { platform.install(Components.helm(any(undefined))); }));
    expect(helm.filter((e) => ENGINE_ERROR.test(e))).toEqual([]);
  });
});
