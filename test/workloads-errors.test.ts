import { Construct } from 'constructs';
import {
  CronTask, Env, Fleet, Peer, Probe, Provider, Stage, StatefulService, Volume, WebService, Worker, perStage,
  type Apps, type IAutoscaling, type WorkerProps,
} from '../lib/index.js';
import { BASE, errorsOf, oneCluster, shopFleet } from './support/fleets.js';

const PATH = 'dev-eu/apps/shop/app';
const DNS_LABEL = "(lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)";
const CRON = `use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *", or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly`;

/** The errors of a Worker `app` with `props` over the minimal valid ones. */
const workerErrors = (props: Partial<WorkerProps> | Record<string, unknown>) =>
  errorsOf(oneCluster((apps) => new Worker(apps, 'app', { ...BASE, ...props } as WorkerProps)));

const fakeAutoscaling = (min: number, max: number): IAutoscaling => ({ min, max, attach: () => undefined });

describe('image', () => {
  test.each([
    ['no tag', 'ghcr.io/acme/app', 'image "ghcr.io/acme/app" is not pinned: add a version tag or a digest, e.g. "ghcr.io/acme/app:1.4.2" or "ghcr.io/acme/app@sha256:<digest>"'],
    ['a registry port but no tag', 'registry.local:5000/app', 'image "registry.local:5000/app" is not pinned: add a version tag or a digest, e.g. "registry.local:5000/app:1.4.2" or "registry.local:5000/app@sha256:<digest>"'],
    ['latest', 'ghcr.io/acme/app:latest', 'image "ghcr.io/acme/app:latest" uses the moving tag "latest": pin a version tag or a digest'],
    ['uppercase', 'ghcr.io/Acme/app:1.0', 'image "ghcr.io/Acme/app:1.0" is not a valid image reference ([registry/]repository[:tag][@digest], repository in lowercase)'],
    ['a bad digest', 'ghcr.io/acme/app@sha256:xyz', 'image "ghcr.io/acme/app@sha256:xyz" is not a valid image reference ([registry/]repository[:tag][@digest], repository in lowercase)'],
    ['an empty tag', 'ghcr.io/acme/app:', 'image "ghcr.io/acme/app:" is not a valid image reference ([registry/]repository[:tag][@digest], repository in lowercase)'],
    ['none', '', 'image is required: a reference pinned by tag or digest, e.g. "ghcr.io/acme/web:1.4.2"'],
  ])('%s is an error', (_, image, message) => {
    expect(workerErrors({ image })).toEqual([`${PATH}: ${message}`]);
  });

  test('a latest tag pinned by a digest is accepted', () => {
    expect(() => oneCluster((apps) => new Worker(apps, 'app', { ...BASE, image: `app:latest@sha256:${'0'.repeat(64)}` })).render()).not.toThrow();
  });
});

describe('resources', () => {
  test('missing requests are errors', () => {
    expect(workerErrors({ resources: {} })).toEqual([
      `${PATH}: resources.cpu is required: a request such as "250m" or "1" (pods are scheduled and autoscaled by it)`,
      `${PATH}: resources.memory is required: a request such as "256Mi" or "1Gi" (pods are scheduled and autoscaled by it)`,
    ]);
    expect(workerErrors({ resources: undefined })).toHaveLength(2);
  });

  test('a malformed quantity is an error', () => {
    expect(workerErrors({ resources: { cpu: '100 m', memory: '128MB', memoryLimit: '1GiB' } })).toEqual([
      `${PATH}: resources.cpu "100 m" is not a Kubernetes quantity (e.g. "250m" or "1")`,
      `${PATH}: resources.memory "128MB" is not a Kubernetes quantity (e.g. "256Mi" or "1Gi")`,
      `${PATH}: resources.memoryLimit "1GiB" is not a Kubernetes quantity (e.g. "512Mi")`,
    ]);
  });

  test('a limit below its request is an error', () => {
    expect(workerErrors({ resources: { cpu: '1', memory: '1Gi', cpuLimit: '500m', memoryLimit: '512Mi' } })).toEqual([
      `${PATH}: resources.cpuLimit ("500m") is less than resources.cpu ("1")`,
      `${PATH}: resources.memoryLimit ("512Mi") is less than resources.memory ("1Gi")`,
    ]);
  });
});

describe('ports', () => {
  test('two ports with one number are a port clash', () => {
    expect(workerErrors({ ports: [{ name: 'metrics', port: 9090 }, { name: 'admin', port: 9090 }] })).toEqual([`${PATH}: port clash: ports "metrics" and "admin" both use 9090/TCP`]);
  });

  test('two ports with one name are a port clash', () => {
    expect(workerErrors({ ports: [{ name: 'metrics', port: 9090 }, { name: 'metrics', port: 9091 }] })).toEqual([`${PATH}: port clash: two ports are named "metrics"`]);
  });

  test('a port named http on a WebService clashes with its own http port, as does its number', () => {
    const errors = errorsOf(oneCluster((apps) => new WebService(apps, 'app', { ...BASE, ports: [{ name: 'http', port: 9000 }, { name: 'alt', port: 8080 }] })));
    expect(errors).toEqual([`${PATH}: port clash: two ports are named "http"`, `${PATH}: port clash: ports "http" and "alt" both use 8080/TCP`]);
  });

  test('two ports on one Service port are a port clash', () => {
    const errors = errorsOf(oneCluster((apps) => new WebService(apps, 'app', { ...BASE, ports: [{ name: 'alt', port: 9000, servicePort: 80 }] })));
    expect(errors).toEqual([`${PATH}: port clash: ports "http" and "alt" both use Service port 80/TCP`]);
  });

  test('two ports on one number clash once, not again on their Service port', () => {
    const errors = errorsOf(oneCluster((apps) => new StatefulService(apps, 'app', { ...BASE, ports: [{ name: 'a', port: 9000 }, { name: 'b', port: 9000 }] })));
    expect(errors).toEqual([`${PATH}: port clash: ports "a" and "b" both use 9000/TCP`]);
  });

  test('a port name that is no IANA service name is an error', () => {
    expect(workerErrors({ ports: [{ name: 'Metrics_Port', port: 9090 }, { name: '9090', port: 9091 }, { name: 'a-very-long-port-name', port: 9092 }] })).toEqual(
      ['Metrics_Port', '9090', 'a-very-long-port-name'].map(
        (n) => `${PATH}: port name "${n}" is not an IANA service name (lowercase letters, digits and '-', at least one letter, no '--', at most 15 characters)`,
      ),
    );
  });

  test('a port number out of range is an error', () => {
    expect(workerErrors({ ports: [{ name: 'big', port: 70000 }] })).toEqual([`${PATH}: port "big": 70000 is out of range 1-65535`]);
    const errors = errorsOf(oneCluster((apps) => new StatefulService(apps, 'app', { ...BASE, ports: [{ name: 'db', port: 5432, servicePort: 0 }] })));
    expect(errors).toEqual([`${PATH}: port "db": servicePort 0 is out of range 1-65535`]);
  });
});

describe('names', () => {
  test('a workload name must be a DNS-1123 label, since it names a Service', () => {
    const errors = errorsOf(oneCluster((apps) => new WebService(apps, 'Store_Front', BASE)));
    expect(errors).toEqual([`dev-eu/apps/shop/Store_Front: workload name "Store_Front" is not a DNS-1123 label ${DNS_LABEL}`]);
    const dotted = errorsOf(oneCluster((apps) => new Worker(apps, 'w', { ...BASE, name: 'store.front' })));
    expect(dotted).toEqual([`dev-eu/apps/shop/w: workload name "store.front" is not a DNS-1123 label ${DNS_LABEL}`]);
  });

  test('two workloads with one name in a namespace are an error, whatever their types', () => {
    const errors = errorsOf(
      oneCluster((apps) => {
        new Worker(apps, 'orders', BASE);
        new CronTask(new Construct(apps, 'jobs'), 'orders', { ...BASE, schedule: '@daily' });
      }),
    );
    expect(errors).toEqual([
      'dev-eu/apps/shop/jobs/orders: workload name "orders" is also used by Worker "orders" (dev-eu/apps/shop/orders): names are unique in a namespace, since they name objects and select pods',
    ]);
  });

  test('one name in two namespaces is fine', () => {
    expect(() => oneCluster((apps, cluster) => [apps, cluster.appsIn('other')].forEach((a) => new Worker(a, 'orders', BASE)), { tenants: ['shop', 'other'] }).render()).not.toThrow();
  });

  test('CronJob and StatefulSet names leave room for what Kubernetes appends', () => {
    const name = 'a'.repeat(53);
    const errors = errorsOf(
      oneCluster((apps) => {
        new CronTask(apps, 'cron', { ...BASE, name, schedule: '@daily' });
        new StatefulService(apps, 'db', { ...BASE, name: `${name}b` });
      }),
    );
    expect(errors).toEqual([
      `dev-eu/apps/shop/cron: CronTask name "${name}" has 53 characters; at most 52 fit, since Kubernetes appends 11 to name each run's Job`,
      `dev-eu/apps/shop/db: StatefulService name "${name}b" has 54 characters; at most 52 fit, since Kubernetes labels its pods with the name and an 11-character revision suffix`,
    ]);
  });

  test('a workload outside fleet.apps is an error', () => {
    const fleet = oneCluster(() => undefined);
    fleet.platform((platform) => new Worker(platform.configs, 'stray', BASE));
    expect(errorsOf(fleet)).toEqual(['dev-eu: Worker "stray" (dev-eu/infrastructure/configs/stray) is not inside fleet.apps(...), which gives workloads their namespace']);
  });
});

describe('scaling', () => {
  test('replicas and autoscaling together are an error', () => {
    expect(workerErrors({ replicas: 3, autoscaling: fakeAutoscaling(1, 5) })).toEqual([
      `${PATH}: replicas (3) and autoscaling are both set: the autoscaler owns the replica count, so remove replicas`,
    ]);
  });

  test('replicas must be a non-negative integer', () => {
    expect(workerErrors({ replicas: -1 })).toEqual([`${PATH}: replicas (-1) must be a non-negative integer`]);
    expect(workerErrors({ replicas: 1.5 })).toEqual([`${PATH}: replicas (1.5) must be a non-negative integer`]);
  });

  test('autoscaling must be an autoscaling policy', () => {
    expect(workerErrors({ autoscaling: { min: 1, max: 3 } })).toEqual([`${PATH}: autoscaling must be an Autoscaling (Autoscaling.cpu(...), Autoscaling.memory(...), Autoscaling.resources(...) or Autoscaling.events(...)), not {"min":1,"max":3}`]);
  });

  test('a stage-dependent prop without a value for the stage is an error naming the prop', () => {
    const errors = errorsOf(shopFleet((apps) => new Worker(apps, 'app', { ...BASE, replicas: perStage({ development: 1 }) })));
    expect(errors).toEqual([`dev-eu/apps/shop/app: replicas: stage.pick: no value for stage "production" and no default (given: development)`.replace('dev-eu', 'prod-eu')]);
    expect(workerErrors({ replicas: perStage({ prod: 3 } as never) })).toEqual([
      `${PATH}: replicas: stage.pick: "prod" is not a stage (valid: development, staging, production, default)`,
    ]);
  });
});

describe('exposure', () => {
  const webErrors = (props: Record<string, unknown>, setup: (apps: Apps) => void = () => undefined, options: Parameters<typeof oneCluster>[1] = {}) =>
    errorsOf(
      oneCluster((apps) => {
        setup(apps);
        new WebService(apps, 'app', { ...BASE, ...props });
      }, options),
    );

  test('HTTPS on a cluster without a TLS issuer is an error', () => {
    const errors = webErrors({ host: 'shop' }, (apps) => ((apps.cluster as { tlsIssuer?: string }).tlsIssuer = undefined));
    expect(errors).toEqual([
      `${PATH}: host "shop.dev-eu.acme.dev" is served over HTTPS, but cluster "dev-eu" has no TLS issuer: install cert-manager on the platform, or set tls: false for plain HTTP`,
    ]);
  });

  test('a host on a cluster without an ingress controller is an error', () => {
    const errors = webErrors({ host: 'shop', tls: false }, () => undefined, { platform: false, traffic: 'ingress' });
    expect(errors).toEqual([`${PATH}: host "shop.dev-eu.acme.dev" needs an ingress controller, but the platform of cluster "dev-eu" installs none (capability "ingress")`]);
  });

  test('a host on a cluster whose ingress controller declares no peer is an error', () => {
    const errors = webErrors({ host: 'shop' }, (apps) => (apps.cluster.ingressPeer = undefined), { traffic: 'ingress' });
    expect(errors).toEqual([
      `${PATH}: host "shop.dev-eu.acme.dev" needs cluster.ingressPeer (the ingress controller's namespace and pod labels) to admit its traffic, but cluster "dev-eu" declares none`,
    ]);
  });

  test('an invalid host is an error', () => {
    expect(webErrors({ host: 'Shop.acme.dev' })).toEqual([
      `${PATH}: host "Shop.acme.dev" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    ]);
  });

  test('one host and path claimed by two routes on the same listener is an error', () => {
    const errors = webErrors({ host: 'shop', paths: ['/api', '/'] }, (apps) => new WebService(apps, 'first', { ...BASE, host: 'shop.dev-eu.acme.dev', paths: ['/api/'] }));
    expect(errors).toEqual([
      `${PATH}/http-route: host "shop.dev-eu.acme.dev" path "/api" on the listener "https" of gateway "gateway/public" is also claimed by HTTPRoute shop/first (dev-eu/apps/shop/first/http-route): one host and path belong to one route per listener`,
    ]);
  });

  test('a single-label host on a cluster without a domain is an error', () => {
    const fleet = new Fleet({ name: 'acme' });
    fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    fleet.apps('shop', (apps) => new WebService(apps, 'app', { ...BASE, host: 'shop', tls: false }));
    expect(errorsOf(fleet)).toEqual([`${PATH}: host "shop": cluster "dev-eu" has no domain: set \`domain\` on the Fleet or on the cluster`]);
  });

  test('a health path must start with a slash', () => {
    expect(webErrors({ healthPath: 'healthz' })).toEqual([`${PATH}: healthPath "healthz" must start with "/"`]);
  });

  test('rollingUpdate settings must be able to make progress', () => {
    expect(webErrors({ rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } })).toEqual([
      `${PATH}: rollingUpdate.maxSurge and rollingUpdate.maxUnavailable are both 0: a rollout could never replace a pod`,
    ]);
    expect(webErrors({ rollingUpdate: { maxSurge: '150%', maxUnavailable: -1 } })).toEqual([
      `${PATH}: rollingUpdate.maxSurge ("150%") must be a non-negative integer or a percentage such as "25%"`,
      `${PATH}: rollingUpdate.maxUnavailable (-1) must be a non-negative integer or a percentage such as "25%"`,
    ]);
  });
});

describe('CronTask', () => {
  const cronErrors = (props: Record<string, unknown>) => errorsOf(oneCluster((apps) => new CronTask(apps, 'app', { ...BASE, schedule: '@daily', ...props })));

  test.each([
    ['0 25 * * *', 'hour 25 is out of range 0-23'],
    ['60 * * * *', 'minute 60 is out of range 0-59'],
    ['0 0 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month 13 is out of range 1-12'],
    ['0 0 * * 7', 'day-of-week 7 is out of range 0-6'],
    ['0 3 * *', 'it has 4 fields, not 5'],
    ['0 3 * * * *', 'it has 6 fields, not 5'],
    ['@every 5m', '"@every 5m" is not a known descriptor'],
    ['@fortnightly', '"@fortnightly" is not a known descriptor'],
    ['TZ=Europe/Berlin 0 3 * * *', 'a time zone inside the schedule is not accepted by Kubernetes: use timeZone'],
    ['*/0 * * * *', 'minute step "0" must be a positive number'],
    ['0 18-8 * * *', 'hour range "18-8" starts after it ends'],
    ['0 0 * * FUNDAY', 'day-of-week "FUNDAY" is not a number or a name (sun, mon, tue, wed, thu, fri, sat)'],
    ['0 0 * JANUARY *', 'month "JANUARY" is not a number or a name (jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec)'],
    ['x 0 * * *', 'minute "x" is not a number'],
    ['1-2-3 * * * *', 'minute "1-2-3" is not a cron field'],
    ['1,,2 * * * *', 'minute "1,,2" is not a cron field'],
  ])('the schedule %s is an error naming it', (schedule, why) => {
    expect(cronErrors({ schedule })).toEqual([`${PATH}: schedule "${schedule}" is invalid: ${why} (${CRON})`]);
  });

  test('a missing schedule is an error', () => {
    expect(cronErrors({ schedule: undefined })).toEqual([`${PATH}: schedule is required (${CRON})`]);
  });

  test('an unknown time zone is an error', () => {
    expect(cronErrors({ timeZone: 'Mars/Olympus_Mons' })).toEqual([
      `${PATH}: timeZone "Mars/Olympus_Mons" is not an IANA time zone such as "Europe/Berlin", "America/New_York" or "Etc/UTC"`,
    ]);
    expect(cronErrors({ timeZone: 'CEST' })).toHaveLength(1);
  });

  test('a time zone in the wrong case is an error naming the right spelling', () => {
    expect(cronErrors({ timeZone: 'europe/berlin' })).toEqual([`${PATH}: timeZone "europe/berlin" is spelled "Europe/Berlin" (time zone names are case-sensitive)`]);
    expect(cronErrors({ timeZone: 'utc' })).toEqual([`${PATH}: timeZone "utc" is spelled "UTC" (time zone names are case-sensitive)`]);
  });

  test('counts must be non-negative integers, the deadline positive', () => {
    expect(cronErrors({ backoffLimit: -1, activeDeadlineSeconds: 0, startingDeadlineSeconds: 1.5, successfulJobsHistoryLimit: -2, failedJobsHistoryLimit: 'x' })).toEqual([
      `${PATH}: backoffLimit (-1) must be an integer of at least 0`,
      `${PATH}: activeDeadlineSeconds (0) must be an integer of at least 1`,
      `${PATH}: startingDeadlineSeconds (1.5) must be an integer of at least 0`,
      `${PATH}: successfulJobsHistoryLimit (-2) must be an integer of at least 0`,
      `${PATH}: failedJobsHistoryLimit ("x") must be an integer of at least 0`,
    ]);
  });

  test('an unknown concurrency policy is an error', () => {
    expect(cronErrors({ concurrencyPolicy: 'Queue' })).toEqual([`${PATH}: concurrencyPolicy "Queue" is not one of Forbid, Allow, Replace`]);
  });
});

describe('env', () => {
  test('an invalid variable name is an error', () => {
    expect(workerErrors({ env: { 'MY VAR': 'x', '1ST': 'y' } })).toEqual([
      `${PATH}: env "MY VAR" is not a valid variable name (letters, digits, '_', '-' and '.', not starting with a digit)`,
      `${PATH}: env "1ST" is not a valid variable name (letters, digits, '_', '-' and '.', not starting with a digit)`,
    ]);
  });

  test('an invalid reference is an error', () => {
    expect(workerErrors({ env: { A: Env.fromSecret('DB', 'url'), B: Env.fromConfigMap('flags', 'a/b') } })).toEqual([
      `${PATH}: env A: Secret name "DB" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
      `${PATH}: env B: ConfigMap key "a/b" is not a valid key (letters, digits, '-', '_' and '.')`,
    ]);
  });

  test('a value that is no literal or reference is an error', () => {
    expect(workerErrors({ env: { A: { value: 1 } } })).toEqual([`${PATH}: env.A must be an Env (Env.fromConfigMap(...) or Env.fromSecret(...)), true or false, a number or a string, not {"value":1}`]);
  });

  test('a per-stage value without a value for the stage is an error naming the variable', () => {
    expect(workerErrors({ env: { LEVEL: perStage({ production: 'info' }) } })).toEqual([
      `${PATH}: env.LEVEL: stage.pick: no value for stage "development" and no default (given: production)`,
    ]);
  });
});

describe('volumes and config files', () => {
  test('a relative mount path is an error', () => {
    expect(workerErrors({ volumes: { data: Volume.emptyDir('data') } })).toEqual([`${PATH}: volumes: mount path "data" is not absolute`]);
  });

  test('two different volumes with one name are an error', () => {
    expect(workerErrors({ volumes: { '/a': Volume.configMap('settings'), '/b': Volume.secret('settings') } })).toEqual([
      `${PATH}: volumes: "/a" and "/b" mount two different volumes named "settings": give one another volumeName`,
    ]);
  });

  test('a volume named like the config files volume is an error', () => {
    expect(workerErrors({ configFiles: { path: '/etc/app', files: { a: '1' } }, volumes: { '/etc/other': Volume.emptyDir('config') } })).toEqual([
      `${PATH}: volumes: "/etc/app" and "/etc/other" mount two different volumes named "config": give one another volumeName`,
    ]);
  });

  test('two volumes at one path are an error', () => {
    expect(workerErrors({ configFiles: { path: '/etc/app', files: { a: '1' } }, volumes: { '/etc/app': Volume.secret('app') } })).toEqual([
      `${PATH}: volumes: "/etc/app" is mounted twice (volumes "config" and "app")`,
    ]);
  });

  test('an invalid volume name or size is an error', () => {
    expect(workerErrors({ volumes: { '/a': Volume.configMap('app.settings'), '/b': Volume.emptyDir('cache', { sizeLimit: '1GB' }) } })).toEqual([
      `${PATH}: volume name "app.settings" is not a DNS-1123 label ${DNS_LABEL}: give it a volumeName`,
      `${PATH}: volume cache: sizeLimit "1GB" is not a Kubernetes quantity (e.g. "512Mi", "1Gi")`,
    ]);
  });

  test('something else than a Volume is an error', () => {
    expect(workerErrors({ volumes: { '/a': { name: 'x' } } })).toEqual([`${PATH}: volumes["/a"] must be a Volume (Volume.configMap(...), Volume.secret(...) or Volume.emptyDir(...)), not {"name":"x"}`]);
  });

  test('a config file name with a slash is an error', () => {
    expect(workerErrors({ configFiles: { path: '/etc/app', files: { 'conf.d/app.yaml': '' } } })).toEqual([
      `${PATH}: configFiles: file name "conf.d/app.yaml" is not valid (letters, digits, '-', '_' and '.', no '/')`,
    ]);
  });
});

describe('probes', () => {
  test('a probe on a port the workload does not declare is an error', () => {
    expect(workerErrors({ ports: [{ name: 'metrics', port: 9090 }], probes: { readiness: Probe.http('/ready', { port: 'http' }) } })).toEqual([
      `${PATH}: probes.readiness: port "http" is not a port of this workload (ports: metrics)`,
    ]);
  });

  test('a port probe without any port is an error', () => {
    expect(workerErrors({ probes: { liveness: Probe.tcp() } })).toEqual([`${PATH}: probes.liveness: Probe.tcp needs a port, and the workload declares none`]);
  });

  test('a relative path, an empty command and bad timings are errors', () => {
    expect(workerErrors({ probes: { readiness: Probe.http('ready', { port: 80, periodSeconds: 0 }), startup: Probe.exec([], { initialDelaySeconds: -1 }) } })).toEqual([
      `${PATH}: probes.startup.initialDelaySeconds (-1) must be an integer of at least 0`,
      `${PATH}: probes.startup: Probe.exec needs a command`,
      `${PATH}: probes.readiness.periodSeconds (0) must be an integer of at least 1`,
      `${PATH}: probes.readiness: path "ready" must start with "/"`,
      `${PATH}: probes.readiness: port 80 is not a port of this workload (ports: none): the kubelet would probe a port the container does not serve; declare 80 in ports`,
    ]);
  });
});

describe('security and shutdown', () => {
  test('running as UID 0 needs allowRoot', () => {
    expect(workerErrors({ security: { runAsUser: 0 } })).toEqual([
      `${PATH}: security.runAsUser is 0 (root), but pods run as non-root: set security.allowRoot: true to run as root`,
    ]);
    expect(() => oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { runAsUser: 0, allowRoot: true, reason: 'vendor image' } }), { podSecurity: 'baseline' }).render()).not.toThrow();
  });

  test('malformed ids and capabilities are errors', () => {
    expect(workerErrors({ security: { runAsGroup: -1, addCapabilities: ['CAP_NET_ADMIN', 'net_raw', 'ALL'] } })).toEqual([
      `${PATH}: security.runAsGroup (-1) must be a non-negative integer`,
      `${PATH}: security.addCapabilities: "CAP_NET_ADMIN" is not a capability name (uppercase, without "CAP_", e.g. "NET_BIND_SERVICE")`,
      `${PATH}: security.addCapabilities: "net_raw" is not a capability name (uppercase, without "CAP_", e.g. "NET_BIND_SERVICE")`,
      `${PATH}: security.addCapabilities: "ALL" is not a capability name (uppercase, without "CAP_", e.g. "NET_BIND_SERVICE")`,
    ]);
  });

  test('draining must end before the grace period does', () => {
    expect(workerErrors({ shutdown: { gracePeriodSeconds: 10, drainSeconds: 10 } })).toEqual([
      `${PATH}: shutdown.drainSeconds (10) must be less than shutdown.gracePeriodSeconds (10): the app needs time to stop after draining`,
    ]);
    expect(workerErrors({ shutdown: { gracePeriodSeconds: -1, drainSeconds: 0.5 } })).toEqual([
      `${PATH}: shutdown.gracePeriodSeconds (-1) must be a non-negative integer`,
      `${PATH}: shutdown.drainSeconds (0.5) must be a non-negative integer`,
    ]);
  });
});

describe('network', () => {
  test('admitting peers to a workload without ports is an error', () => {
    const errors = errorsOf(
      oneCluster((apps) => {
        const web = new WebService(apps, 'web', BASE);
        new Worker(apps, 'app', { ...BASE, allowFrom: [web, Peer.namespace('monitoring')] });
      }),
    );
    expect(errors).toEqual([`${PATH}: allowFrom: WebService "web", namespace "monitoring" may reach no port, because the workload declares none`]);
  });

  test('a workload object of another cluster is an error pointing to Peer.workload', () => {
    let prodWeb: WebService | undefined;
    // prod-eu is declared, so built, first: dev-eu's definition can see its objects.
    const clusters = { 'prod-eu': { stage: Stage.PRODUCTION }, 'dev-eu': { stage: Stage.DEVELOPMENT } };
    const fleet = shopFleet((apps, cluster) => {
      if (cluster.name === 'prod-eu') prodWeb = new WebService(apps, 'web', BASE);
      else new WebService(apps, 'app', { ...BASE, allowFrom: [prodWeb!] });
    }, { clusters });
    expect(errorsOf(fleet)).toEqual([
      `${PATH}: allowFrom WebService "web": it is declared on cluster "prod-eu", not on "dev-eu": use Peer.workload("web")`,
    ]);
  });

  test('invalid peer names are errors', () => {
    const errors = errorsOf(oneCluster((apps) => new WebService(apps, 'app', { ...BASE, allowFrom: [Peer.namespace('Monitoring'), Peer.workload('web', { namespace: 'a_b' }), Peer.workload('Web')] })));
    expect(errors).toEqual([
      `${PATH}: allowFrom namespace "Monitoring": Peer.namespace: "Monitoring" is not a DNS-1123 label ${DNS_LABEL}`,
      `${PATH}: allowFrom workload "web": Peer.workload: namespace "a_b" is not a DNS-1123 label ${DNS_LABEL}`,
      `${PATH}: allowFrom workload "Web": Peer.workload: "Web" is not a DNS-1123 label ${DNS_LABEL}`,
    ]);
  });

  test('admitting the ingress controller on a cluster that declares none is an error', () => {
    const errors = errorsOf(oneCluster((apps) => new WebService(apps, 'app', { ...BASE, allowFrom: [Peer.ingressController()] }), { platform: false }));
    expect(errors).toEqual([
      `${PATH}: allowFrom the ingress controller: cluster "dev-eu" declares no ingressPeer (the namespace and pod labels of its ingress controller or gateway): install one on the platform`,
    ]);
  });
});

describe('storage', () => {
  test('an invalid claim name or size is an error', () => {
    const errors = errorsOf(oneCluster((apps) => new StatefulService(apps, 'app', { ...BASE, storage: { Data: { path: '/data', size: '20GB' } } })));
    expect(errors).toEqual([
      `${PATH}: storage: claim name "Data" is not a DNS-1123 label ${DNS_LABEL}`,
      `${PATH}: storage.Data.size "20GB" is not a Kubernetes quantity (e.g. "20Gi")`,
    ]);
  });
});

test('every error of a workload is reported at once, and nothing of it is rendered', () => {
  const errors = workerErrors({ image: 'app', resources: { cpu: '1', memory: 'lots' }, ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] });
  expect(errors).toEqual([
    `${PATH}: port clash: two ports are named "a"`,
    `${PATH}: image "app" is not pinned: add a version tag or a digest, e.g. "app:1.4.2" or "app@sha256:<digest>"`,
    `${PATH}: resources.memory "lots" is not a Kubernetes quantity (e.g. "256Mi" or "1Gi")`,
  ]);
});
