import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CronTask, Env, Peer, Probe, Provider, Stage, StatefulService, Testing, Volume, WebService, Worker, perStage,
  type Apps, type IAutoscaling, type ScaleTarget,
} from '../lib/index.js';
import { BASE, INGRESS_PEER, STAGES, errorsOf, find, objectsOf, oneCluster, shopFleet } from './support/fleets.js';
import { restrictedViolations, restrictedViolationsOf } from './support/restricted.js';

/** One workload of each type, as a developer would write it. */
const TYPES: Record<string, (apps: Apps) => void> = {
  WebService: (apps) =>
    new WebService(apps, 'storefront', {
      image: 'ghcr.io/acme/storefront:1.4.2',
      resources: { cpu: '250m', memory: '256Mi' },
      host: 'shop',
      env: { LOG_LEVEL: perStage({ development: 'debug', default: 'info' }), SESSION_KEY: Env.fromSecret('storefront', 'session-key') },
    }),
  Worker: (apps) =>
    new Worker(apps, 'orders', {
      image: 'ghcr.io/acme/orders:2.0.1',
      resources: { cpu: '100m', memory: '128Mi' },
      env: { QUEUE: Env.fromConfigMap('queues', 'orders') },
    }),
  CronTask: (apps) =>
    new CronTask(apps, 'nightly-report', {
      image: 'ghcr.io/acme/report:1.0.0',
      schedule: '0 3 * * *',
      timeZone: 'Europe/Berlin',
      resources: { cpu: '100m', memory: '256Mi' },
    }),
  StatefulService: (apps) =>
    new StatefulService(apps, 'orders-db', {
      image: 'ghcr.io/acme/orders-db:16.2',
      ports: [{ name: 'postgres', port: 5432 }],
      storage: { data: { path: '/var/lib/postgresql/data', size: '20Gi' } },
      resources: { cpu: '500m', memory: '1Gi' },
      security: { runAsUser: 999 },
    }),
};

/** A fake autoscaler: records what it was attached to and renders an HPA there. */
class FakeAutoscaling implements IAutoscaling {
  readonly attached: { scope: Construct; target: ScaleTarget }[] = [];
  constructor(
    readonly min: number,
    readonly max: number,
  ) {}
  attach(scope: Construct, target: ScaleTarget): void {
    this.attached.push({ scope, target });
    new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
      metadata: { name: target.name },
      spec: { scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name }, minReplicas: this.min, maxReplicas: this.max },
    });
  }
}

const allStages = Object.fromEntries(Object.values(STAGES).map((s) => [s.name, { stage: s.stage }]));

describe('snapshots', () => {
  describe.each(Object.keys(TYPES))('%s', (type) => {
    const fleet = shopFleet((apps) => TYPES[type](apps), { clusters: allStages });
    test.each(Object.values(STAGES).map((s) => [s.stage.name, s.name]))('on a %s cluster', (_, cluster) => {
      expect(Testing.synth(fleet, { cluster, layer: 'apps' }).files).toMatchSnapshot();
    });
  });
});

describe('secure by default', () => {
  const fleet = shopFleet((apps) => Object.values(TYPES).forEach((define) => define(apps)), { clusters: allStages });
  const objects = Object.values(STAGES).flatMap((s) => objectsOf(fleet, s.name));

  test('every pod template satisfies Pod Security "restricted"', () => {
    expect(objects.filter((o) => ['Deployment', 'StatefulSet', 'CronJob'].includes(o.kind))).toHaveLength(12);
    expect(restrictedViolationsOf(objects)).toEqual([]);
  });

  test('every container has a read-only root filesystem and a writable /tmp emptyDir', () => {
    for (const o of objects.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind))) {
      const pod = (o as any).spec.template.spec;
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } });
    }
  });

  test('every workload has its own ServiceAccount without an API token, on the account and the pod', () => {
    for (const name of ['storefront', 'orders', 'nightly-report', 'orders-db']) {
      const sa = find(objects, 'ServiceAccount', name);
      expect(sa.automountServiceAccountToken).toBe(false);
    }
    const pod = find(objects, 'Deployment', 'storefront').spec.template.spec;
    expect(pod.serviceAccountName).toBe('storefront');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('the restricted check finds what it is meant to find', () => {
    const base = { containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
    const ok = { ...base, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
    expect(restrictedViolations(ok)).toEqual([]);
    expect(restrictedViolations(base)).toEqual([
      'container c: may run as root (runAsNonRoot is not true)',
      'container c: no RuntimeDefault or Localhost seccompProfile',
    ]);
    expect(restrictedViolations({ ...ok, hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual([
      'hostNetwork is true',
      'volume h is a hostPath',
      'volume h has type hostPath',
    ]);
  });

  test.each([
    ['allowRoot', { allowRoot: true }, ['container app: may run as root (runAsNonRoot is not true)'], { podSc: { runAsNonRoot: false } }],
    ['allowPrivilegeEscalation', { allowPrivilegeEscalation: true }, ['container app: allowPrivilegeEscalation is not false'], { sc: { allowPrivilegeEscalation: true } }],
    ['addCapabilities', { addCapabilities: ['NET_ADMIN'] }, ['container app: adds capabilities NET_ADMIN'], { sc: { capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }],
    ['seccompUnconfined', { seccompUnconfined: true }, ['pod seccompProfile Unconfined', 'container app: no RuntimeDefault or Localhost seccompProfile'], { podSc: { seccompProfile: { type: 'Unconfined' } } }],
    ['writableRootFilesystem', { writableRootFilesystem: true }, [], { sc: { readOnlyRootFilesystem: false } }],
  ] as const)('security.%s is an explicit opt-out that shows in the manifest', (_, security, violations, shows) => {
    // Leaving "restricted" takes a reason (a waiver reviewers see) and a tenant that admits it.
    const reason = violations.length > 0 ? { reason: 'vendor image needs it' } : {};
    const fleet = oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { ...security, ...reason } }), { podSecurity: 'privileged' });
    const deployment = find(objectsOf(fleet), 'Deployment', 'app');
    const pod = deployment.spec.template.spec;
    expect(restrictedViolationsOf([deployment])).toEqual(violations.map((v) => `Deployment app: ${v}`));
    expect(deployment.metadata.annotations?.['strata.dev/waive.pod-security-restricted']).toBe(violations.length > 0 ? 'vendor image needs it' : undefined);
    if ('podSc' in shows) expect(pod.securityContext).toMatchObject(shows.podSc);
    if ('sc' in shows) expect(pod.containers[0].securityContext).toMatchObject(shows.sc);
  });

  test('leaving "restricted" without a reason is an error naming the opt-outs', () => {
    expect(errorsOf(oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { allowRoot: true, addCapabilities: ['NET_ADMIN', 'NET_BIND_SERVICE'] } }), { podSecurity: 'baseline' }))).toEqual([
      'dev-eu/apps/shop/app: security allowRoot, addCapabilities NET_ADMIN leaves the Pod Security "restricted" profile: say why in security.reason (it becomes a waiver of pod-security-restricted that reviewers see in Git)',
    ]);
  });

  test('a waived opt-out in a namespace that enforces "restricted" is an error: the API server would reject the pods', () => {
    expect(errorsOf(oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { allowRoot: true, reason: 'legacy image' } })))).toEqual([
      'dev-eu/apps/shop/app/deployment: Deployment app: namespace "shop" enforces Pod Security "restricted", so the API server rejects these pods (container "app": runAsNonRoot is not true (set it on the pod or the container)) whatever the waiver says: let the tenant admit them with podSecurity: \'baseline\' (or \'privileged\' for host access)',
    ]);
  });

  test('NET_BIND_SERVICE stays within "restricted"', () => {
    const fleet = oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { addCapabilities: ['NET_BIND_SERVICE'] } }));
    expect(restrictedViolationsOf(objectsOf(fleet))).toEqual([]);
  });

  test('user and group ids are set when given; fsGroup changes ownership only on mismatch', () => {
    const fleet = oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000 } }));
    expect(find(objectsOf(fleet), 'Deployment', 'app').spec.template.spec.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('serviceAccount.automountToken and annotations opt in to API access and cloud identity', () => {
    const fleet = oneCluster((apps) => new Worker(apps, 'app', { ...BASE, serviceAccount: { automountToken: true, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/app' } } }));
    const objects = objectsOf(fleet);
    expect(find(objects, 'ServiceAccount', 'app')).toMatchObject({ automountServiceAccountToken: true, metadata: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/app' } } });
    expect(find(objects, 'Deployment', 'app').spec.template.spec.automountServiceAccountToken).toBe(true);
  });
});

describe('container spec', () => {
  const container = (props: Partial<ConstructorParameters<typeof Worker>[2]>, stage = Stage.DEVELOPMENT) => {
    const fleet = oneCluster((apps) => new Worker(apps, 'app', { ...BASE, ...props }), { stage });
    return find(objectsOf(fleet), 'Deployment', 'app').spec.template.spec.containers[0];
  };

  test('the memory limit defaults to the request, with no CPU limit', () => {
    expect(container({}).resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } });
  });

  test('limits can be set', () => {
    expect(container({ resources: { cpu: '100m', memory: '128Mi', memoryLimit: '256Mi', cpuLimit: '1' } }).resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
  });

  test('images pinned by digest are accepted; the version label comes from the tag only', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const fleet = oneCluster((apps) => {
      new Worker(apps, 'by-digest', { ...BASE, image: `ghcr.io/acme/app@${digest}` });
      new Worker(apps, 'by-both', { ...BASE, image: `ghcr.io/acme/app:2.1.0@${digest}` });
      new Worker(apps, 'registry-port', { ...BASE, image: 'registry.local:5000/team/app:v3' });
    });
    const labels = (name: string) => find(objectsOf(fleet), 'Deployment', name).spec.template.metadata.labels;
    expect(labels('by-digest')['app.kubernetes.io/version']).toBeUndefined();
    expect(labels('by-both')['app.kubernetes.io/version']).toBe('2.1.0');
    expect(labels('registry-port')['app.kubernetes.io/version']).toBe('v3');
  });

  test('the version label is on the pod template, never on selectors or the Deployment', () => {
    const fleet = oneCluster((apps) => new Worker(apps, 'app', BASE));
    const deployment = find(objectsOf(fleet), 'Deployment', 'app');
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.4.2');
    expect(deployment.metadata.labels?.['app.kubernetes.io/version']).toBeUndefined();
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app' } });
  });

  test('env: literals become strings, references become valueFrom, per-stage values resolve per cluster', () => {
    const env = {
      PORT: 8080,
      DEBUG: false,
      MODE: perStage({ development: 'dev', production: 'prod' }),
      DB_URL: Env.fromSecret('db', 'url'),
      FLAGS: Env.fromConfigMap('flags', 'all', { optional: true }),
    };
    expect(container({ env }).env).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'DEBUG', value: 'false' },
      { name: 'MODE', value: 'dev' },
      { name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
      { name: 'FLAGS', valueFrom: { configMapKeyRef: { name: 'flags', key: 'all', optional: true } } },
    ]);
    expect(container({ env }, Stage.PRODUCTION).env[2]).toEqual({ name: 'MODE', value: 'prod' });
  });

  test('any prop may differ per stage', () => {
    const props = { image: perStage({ development: 'ghcr.io/acme/app:2.0.0-rc.1', default: 'ghcr.io/acme/app:1.9.0' }), resources: perStage({ production: { cpu: '1', memory: '1Gi' }, default: BASE.resources }) };
    const fleet = shopFleet((apps) => new Worker(apps, 'app', props));
    const dev = find(objectsOf(fleet, 'dev-eu'), 'Deployment', 'app').spec.template;
    const prod = find(objectsOf(fleet, 'prod-eu'), 'Deployment', 'app').spec.template;
    expect([dev.spec.containers[0].image, dev.metadata.labels['app.kubernetes.io/version'], dev.spec.containers[0].resources.requests.cpu]).toEqual(['ghcr.io/acme/app:2.0.0-rc.1', '2.0.0-rc.1', '100m']);
    expect([prod.spec.containers[0].image, prod.metadata.labels['app.kubernetes.io/version'], prod.spec.containers[0].resources.requests.cpu]).toEqual(['ghcr.io/acme/app:1.9.0', '1.9.0', '1']);
  });

  test('command, args and ports are passed through', () => {
    const c = container({ command: ['/app'], args: ['--queue', 'orders'], ports: [{ name: 'metrics', port: 9090 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(c.command).toEqual(['/app']);
    expect(c.args).toEqual(['--queue', 'orders']);
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]);
  });

  test('one port number over two protocols is no clash', () => {
    const c = container({ ports: [{ name: 'dns-tcp', port: 53 }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] });
    expect(c.ports).toHaveLength(2);
  });

  test('volumes: ConfigMaps and Secrets read-only, emptyDirs writable, one volume at two paths once', () => {
    const shared = Volume.configMap('settings', { items: { 'app.yaml': 'config.yaml' } });
    const fleet = oneCluster((apps) =>
      new Worker(apps, 'app', {
        ...BASE,
        volumes: {
          '/etc/app': shared,
          '/etc/app-copy': shared,
          '/etc/tls': Volume.secret('app-tls', { volumeName: 'tls', optional: true }),
          '/cache': Volume.emptyDir('cache', { sizeLimit: '2Gi' }),
          '/dev/shm': Volume.emptyDir('shm', { memory: true }),
        },
      }),
    );
    const pod = find(objectsOf(fleet), 'Deployment', 'app').spec.template.spec;
    // By mount path, whatever order the record was written in.
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'cache', mountPath: '/cache' },
      { name: 'shm', mountPath: '/dev/shm' },
      { name: 'settings', mountPath: '/etc/app', readOnly: true },
      { name: 'settings', mountPath: '/etc/app-copy', readOnly: true },
      { name: 'tls', mountPath: '/etc/tls', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'cache', emptyDir: { sizeLimit: '2Gi' } },
      { name: 'shm', emptyDir: { medium: 'Memory' } },
      { name: 'settings', configMap: { name: 'settings', items: [{ key: 'app.yaml', path: 'config.yaml' }] } },
      { name: 'tls', secret: { secretName: 'app-tls', optional: true } },
    ]);
  });

  test('a volume at /tmp replaces the default one', () => {
    const c = container({ volumes: { '/tmp': Volume.emptyDir('scratch', { sizeLimit: '10Gi' }) } });
    expect(c.volumeMounts).toEqual([{ name: 'scratch', mountPath: '/tmp' }]);
  });

  test('config files become a ConfigMap mounted read-only, and a change of content rolls the pods', () => {
    const render = (content: string) => {
      const fleet = oneCluster((apps) => new Worker(apps, 'app', { ...BASE, configFiles: { path: '/etc/app', files: { 'app.yaml': content } } }));
      return objectsOf(fleet);
    };
    const objects = render('level: info\n');
    expect(find(objects, 'ConfigMap', 'app-config').data).toEqual({ 'app.yaml': 'level: info\n' });
    const pod = find(objects, 'Deployment', 'app').spec.template;
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/app', readOnly: true });
    expect(pod.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'app-config' } });
    const checksum = pod.metadata.annotations['strata/config-checksum'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(find(render('level: info\n'), 'Deployment', 'app').spec.template.metadata.annotations['strata/config-checksum']).toBe(checksum);
    expect(find(render('level: debug\n'), 'Deployment', 'app').spec.template.metadata.annotations['strata/config-checksum']).not.toBe(checksum);
  });

  test('probes: given ones are rendered, a port left out is the first port', () => {
    const c = container({
      ports: [{ name: 'metrics', port: 9090 }],
      probes: { readiness: Probe.http('/ready', { periodSeconds: 5 }), liveness: Probe.tcp({ port: 9090 }), startup: Probe.exec(['/bin/check'], { failureThreshold: 10 }) },
    });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'metrics' }, periodSeconds: 5 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 9090 } });
    expect(c.startupProbe).toEqual({ exec: { command: ['/bin/check'] }, failureThreshold: 10 });
  });
});

describe('WebService', () => {
  const web = (props: Partial<ConstructorParameters<typeof WebService>[2]> = {}, options: Parameters<typeof oneCluster>[1] = {}) => {
    const fleet = oneCluster((apps) => new WebService(apps, 'web', { ...BASE, ...props }), options);
    return objectsOf(fleet, options.name ?? 'dev-eu');
  };

  test('renders exactly Deployment, Service, ServiceAccount and NetworkPolicy without a host, on one replica in development', () => {
    const objects = web();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Deployment/web', 'NetworkPolicy/web-ingress', 'Service/web', 'ServiceAccount/web']);
    expect(find(objects, 'Deployment', 'web').spec.replicas).toBe(1);
  });

  test('the Service exposes port 80 on the http port, and more ports on their own numbers', () => {
    const service = find(web({ port: 3000, ports: [{ name: 'grpc', port: 9000, servicePort: 9001 }, { name: 'admin', port: 9100 }] }), 'Service', 'web');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'grpc', port: 9001, targetPort: 'grpc', protocol: 'TCP' },
        { name: 'admin', port: 9100, targetPort: 'admin', protocol: 'TCP' },
      ],
    });
  });

  test('HTTP startup, readiness and liveness probes on healthPath by default; each can be replaced or turned off', () => {
    const c = find(web(), 'Deployment', 'web').spec.template.spec.containers[0];
    const get = { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 3 };
    expect(c.startupProbe).toEqual({ ...get, periodSeconds: 5, failureThreshold: 30 });
    expect(c.readinessProbe).toEqual({ ...get, periodSeconds: 10, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ ...get, periodSeconds: 10, failureThreshold: 3 });
    const custom = find(web({ healthPath: '/status', probes: { liveness: false, startup: false, readiness: Probe.http('/ready') } }), 'Deployment', 'web').spec.template.spec.containers[0];
    expect(custom.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'http' } });
    expect(custom.livenessProbe).toBeUndefined();
    expect(custom.startupProbe).toBeUndefined();
    expect(find(web({ healthPath: '/status' }), 'Deployment', 'web').spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/status');
  });

  test('graceful shutdown: a preStop sleep drains endpoints within the grace period', () => {
    const pod = find(web(), 'Deployment', 'web').spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    const custom = find(web({ shutdown: { gracePeriodSeconds: 60, drainSeconds: 0 } }), 'Deployment', 'web').spec.template.spec;
    expect(custom.terminationGracePeriodSeconds).toBe(60);
    expect(custom.containers[0].lifecycle).toBeUndefined();
  });

  test('rolling updates never drop capacity by default', () => {
    expect(find(web(), 'Deployment', 'web').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(find(web({ rollingUpdate: { maxSurge: 0, maxUnavailable: '50%' } }), 'Deployment', 'web').spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: '50%' });
  });

  test('production: two replicas, a PodDisruptionBudget and zone spread on the provider zone label', () => {
    const objects = web({}, { stage: Stage.PRODUCTION, name: 'prod-eu', provider: { zoneLabel: 'example.com/zone' } });
    const deployment = find(objects, 'Deployment', 'web');
    expect(deployment.spec.replicas).toBe(2);
    expect(find(objects, 'PodDisruptionBudget', 'web').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } } });
    expect(deployment.spec.template.spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'example.com/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } } },
    ]);
  });

  test('development: no PodDisruptionBudget and no spread; explicit replicas and zoneSpread override the stage', () => {
    const dev = web();
    expect(dev.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(find(dev, 'Deployment', 'web').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    const scaled = web({ replicas: 3, zoneSpread: true });
    expect(find(scaled, 'Deployment', 'web').spec.replicas).toBe(3);
    expect(find(scaled, 'PodDisruptionBudget', 'web')).toBeDefined();
    expect(find(scaled, 'Deployment', 'web').spec.template.spec.topologySpreadConstraints).toHaveLength(1);
    const single = web({ replicas: 1, zoneSpread: false }, { stage: Stage.PRODUCTION, name: 'prod-eu' });
    expect(single.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(find(single, 'Deployment', 'web').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('a host gets an Ingress on the provider class with a cert-manager certificate; a single label is under the cluster domain', () => {
    const ingress = find(web({ host: 'shop' }, { provider: { ingressClass: 'traefik' }, traffic: 'ingress' }), 'Ingress', 'web');
    // A development cluster gets certificates from the ACME staging issuer.
    expect(ingress.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-staging' });
    expect(ingress.spec).toEqual({
      ingressClassName: 'traefik',
      rules: [{ host: 'shop.dev-eu.acme.dev', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
      tls: [{ hosts: ['shop.dev-eu.acme.dev'], secretName: 'web-tls' }],
    });
  });

  test('a host with dots is taken as it is, and may differ per stage', () => {
    const fleet = shopFleet((apps) => new WebService(apps, 'web', { ...BASE, host: perStage({ production: 'shop.acme.com', default: 'shop' }) }), { traffic: 'ingress' });
    expect(find(objectsOf(fleet, 'prod-eu'), 'Ingress', 'web').spec.rules[0].host).toBe('shop.acme.com');
    expect(find(objectsOf(fleet, 'dev-eu'), 'Ingress', 'web').spec.rules[0].host).toBe('shop.dev-eu.acme.dev');
  });

  test('tls: false serves plain HTTP, and needs no issuer', () => {
    const fleet = oneCluster((apps, cluster) => {
      cluster.tlsIssuer = undefined;
      new WebService(apps, 'web', { ...BASE, host: 'shop', tls: false });
    }, { traffic: 'ingress' });
    const ingress = find(objectsOf(fleet), 'Ingress', 'web');
    expect(ingress.metadata.annotations).toBeUndefined();
    expect(ingress.spec.tls).toBeUndefined();
  });

  test('a host admits the ingress controller on the http port only', () => {
    const policy = find(web({ host: 'shop', ports: [{ name: 'admin', port: 9100 }] }, { traffic: 'ingress' }), 'NetworkPolicy', 'web-ingress');
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': INGRESS_PEER.namespace } }, podSelector: { matchLabels: INGRESS_PEER.podLabels } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });
});

describe('Worker', () => {
  test('a Deployment without Service, probes or preStop hook', () => {
    const objects = objectsOf(oneCluster((apps) => new Worker(apps, 'orders', BASE)));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Deployment/orders', 'NetworkPolicy/orders-ingress', 'ServiceAccount/orders']);
    const c = find(objects, 'Deployment', 'orders').spec.template.spec.containers[0];
    expect([c.readinessProbe, c.livenessProbe, c.startupProbe, c.lifecycle]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('production: two replicas, PodDisruptionBudget, zone spread', () => {
    const objects = objectsOf(oneCluster((apps) => new Worker(apps, 'orders', BASE), { stage: Stage.PRODUCTION, name: 'prod-eu' }), 'prod-eu');
    expect(find(objects, 'Deployment', 'orders').spec.replicas).toBe(2);
    expect(find(objects, 'PodDisruptionBudget', 'orders')).toBeDefined();
    expect(find(objects, 'Deployment', 'orders').spec.template.spec.topologySpreadConstraints).toHaveLength(1);
  });
});

describe('CronTask', () => {
  const cronJob = (props: Partial<ConstructorParameters<typeof CronTask>[2]> = {}) =>
    find(objectsOf(oneCluster((apps) => new CronTask(apps, 'report', { ...BASE, schedule: '@daily', ...props }))), 'CronJob', 'report');

  test('defaults: Forbid, UTC, bounded retries and run time, short history, pods never restart in place', () => {
    const job = cronJob();
    expect(job.spec).toMatchObject({
      schedule: '@daily',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      suspend: false,
      jobTemplate: { spec: { backoffLimit: 3, activeDeadlineSeconds: 3600, template: { spec: { restartPolicy: 'Never' } } } },
    });
    expect(job.spec.startingDeadlineSeconds).toBeUndefined();
  });

  test('every setting can be given', () => {
    const job = cronJob({
      schedule: '*/15 8-18 * * MON-FRI',
      timeZone: 'America/New_York',
      concurrencyPolicy: 'Replace',
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      startingDeadlineSeconds: 120,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      suspend: true,
    });
    expect(job.spec).toMatchObject({
      schedule: '*/15 8-18 * * MON-FRI',
      timeZone: 'America/New_York',
      concurrencyPolicy: 'Replace',
      startingDeadlineSeconds: 120,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      suspend: true,
      jobTemplate: { spec: { backoffLimit: 0, activeDeadlineSeconds: 600 } },
    });
  });

  test.each(['0 3 * * *', '*/5 * * * *', '0 0 1,15 * *', '30 2 ? JAN-MAR 0', '0 */2 * * sun', '5 4 * * 6', '@hourly', '@yearly', '@annually', '@midnight'])('accepts the schedule %s', (schedule) => {
    expect(cronJob({ schedule }).spec.schedule).toBe(schedule);
  });

  test.each(['UTC', 'Etc/UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires'])('accepts the time zone %s', (timeZone) => {
    expect(cronJob({ timeZone }).spec.timeZone).toBe(timeZone);
  });

  test('no Service, no PodDisruptionBudget, no probes', () => {
    const objects = objectsOf(oneCluster((apps) => new CronTask(apps, 'report', { ...BASE, schedule: '@daily' }), { stage: Stage.PRODUCTION, name: 'prod-eu' }), 'prod-eu');
    expect(objects.map((o) => o.kind).sort()).toEqual(['CronJob', 'NetworkPolicy', 'ServiceAccount']);
  });
});

describe('StatefulService', () => {
  const objects = (props: Partial<ConstructorParameters<typeof StatefulService>[2]> = {}, provider?: Provider) =>
    objectsOf(
      shopFleet(
        (apps) =>
          new StatefulService(apps, 'db', {
            ...BASE,
            ports: [{ name: 'postgres', port: 5432 }],
            storage: { data: { path: '/data', size: '20Gi' } },
            security: { runAsUser: 999 },
            ...props,
          }),
        { clusters: { 'dev-eu': { stage: Stage.DEVELOPMENT, provider } } },
      ),
    );

  test('a StatefulSet governed by a headless Service, with a TCP readiness probe on its first port', () => {
    const rendered = objects();
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['NetworkPolicy/db-ingress', 'Service/db', 'ServiceAccount/db', 'StatefulSet/db']);
    const set = find(rendered, 'StatefulSet', 'db');
    expect(set.spec.serviceName).toBe('db');
    expect(set.spec.replicas).toBe(1);
    expect(find(rendered, 'Service', 'db').spec).toMatchObject({ clusterIP: 'None', ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] });
    expect(set.spec.template.spec.containers[0].readinessProbe).toEqual({ tcpSocket: { port: 'postgres' }, periodSeconds: 10 });
  });

  test('claim templates use the provider storage class and are protected from Flux pruning; the StatefulSet stays prunable', () => {
    const set = find(objects({}, Provider.gcp({ acmeDns01: { cloudDns: { project: 'acme-dns' } } })), 'StatefulSet', 'db');
    expect(set.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' }, annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard-rwo', resources: { requests: { storage: '20Gi' } } },
      },
    ]);
    expect(set.metadata.annotations).toBeUndefined();
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(set.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
  });

  test('a claim can choose its storage class and access mode', () => {
    const set = find(objects({ storage: { wal: { path: '/wal', size: '5Gi', storageClass: 'fast', accessMode: 'ReadWriteOncePod' } } }), 'StatefulSet', 'db');
    expect(set.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', accessModes: ['ReadWriteOncePod'] });
  });

  test('volumes are group-owned by the running user (fsGroup), unless set otherwise', () => {
    expect(find(objects(), 'StatefulSet', 'db').spec.template.spec.securityContext.fsGroup).toBe(999);
    expect(find(objects({ security: { runAsUser: 999, runAsGroup: 1000 } }), 'StatefulSet', 'db').spec.template.spec.securityContext.fsGroup).toBe(1000);
    expect(find(objects({ security: { runAsUser: 999, fsGroup: 5 } }), 'StatefulSet', 'db').spec.template.spec.securityContext.fsGroup).toBe(5);
  });

  test('one replica in production too (replication is the application job), with PDB and spread once it runs more', () => {
    const prod = (props: Partial<ConstructorParameters<typeof StatefulService>[2]>) =>
      objectsOf(oneCluster((apps) => new StatefulService(apps, 'db', { ...BASE, ...props }), { stage: Stage.PRODUCTION, name: 'prod-eu' }), 'prod-eu');
    expect(find(prod({}), 'StatefulSet', 'db').spec.replicas).toBe(1);
    expect(prod({}).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(find(prod({ replicas: 3 }), 'PodDisruptionBudget', 'db').spec.maxUnavailable).toBe(1);
    expect(find(prod({ replicas: 3 }), 'StatefulSet', 'db').spec.template.spec.topologySpreadConstraints).toHaveLength(1);
  });

  test('replicas may reach each other once there can be more than one', () => {
    const policy = (replicas: number) =>
      find(objectsOf(oneCluster((apps) => new StatefulService(apps, 'db', { ...BASE, replicas, ports: [{ name: 'peer', port: 7000 }] }))), 'NetworkPolicy', 'db-ingress').spec.ingress;
    expect(policy(1)).toEqual([]);
    expect(policy(3)).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' } } }], ports: [{ port: 7000, protocol: 'TCP' }] }]);
  });
});

describe('autoscaling', () => {
  test.each([
    ['WebService', 'Deployment', (apps: Apps, a: IAutoscaling) => new WebService(apps, 'app', { ...BASE, autoscaling: a })],
    ['Worker', 'Deployment', (apps: Apps, a: IAutoscaling) => new Worker(apps, 'app', { ...BASE, autoscaling: a })],
    ['StatefulService', 'StatefulSet', (apps: Apps, a: IAutoscaling) => new StatefulService(apps, 'app', { ...BASE, autoscaling: a })],
  ] as const)('%s: no spec.replicas, attach called once with the target, a PDB when max > 1', (_, kind, declare) => {
    const autoscaling = new FakeAutoscaling(2, 10);
    const objects = objectsOf(oneCluster((apps) => declare(apps, autoscaling)));
    expect(find(objects, kind, 'app').spec.replicas).toBeUndefined();
    expect('replicas' in find(objects, kind, 'app').spec).toBe(false);
    expect(autoscaling.attached).toHaveLength(1);
    expect(autoscaling.attached[0].scope.node.path).toBe('dev-eu/apps/shop/app');
    expect(autoscaling.attached[0].target).toEqual({ apiVersion: 'apps/v1', kind, name: 'app', namespace: 'shop', containers: [{ name: 'app', cpu: '100m', memory: '128Mi' }] });
    expect(find(objects, 'HorizontalPodAutoscaler', 'app').metadata.namespace).toBe('shop');
    expect(find(objects, 'PodDisruptionBudget', 'app')).toBeDefined();
  });

  test('no PDB when the autoscaler never runs more than one replica', () => {
    const objects = objectsOf(oneCluster((apps) => new Worker(apps, 'app', { ...BASE, autoscaling: new FakeAutoscaling(0, 1) })));
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('autoscaling may be stage-dependent: fixed replicas where it resolves to nothing', () => {
    const autoscaling = new FakeAutoscaling(3, 20);
    const fleet = shopFleet((apps) => new WebService(apps, 'web', { ...BASE, autoscaling: perStage({ production: autoscaling, default: undefined }) }));
    expect(find(objectsOf(fleet, 'prod-eu'), 'Deployment', 'web').spec.replicas).toBeUndefined();
    expect(find(objectsOf(fleet, 'dev-eu'), 'Deployment', 'web').spec.replicas).toBe(1);
    expect(autoscaling.attached.map((a) => a.scope.node.path)).toEqual(['prod-eu/apps/shop/web']);
  });

  test('nothing is attached when the workload has errors', () => {
    const autoscaling = new FakeAutoscaling(1, 3);
    errorsOf(oneCluster((apps) => new Worker(apps, 'app', { ...BASE, image: 'nginx', autoscaling })));
    expect(autoscaling.attached).toEqual([]);
  });
});

describe('network', () => {
  test('a workload admits only the peers it declares, on its ports, by their name and instance labels', () => {
    const fleet = shopFleet((apps) => {
      const web = new WebService(apps, 'web', BASE);
      const db = new StatefulService(apps, 'db', { ...BASE, ports: [{ name: 'postgres', port: 5432 }], allowFrom: [web, Peer.namespace('monitoring')] });
      const worker = new Worker(apps, 'worker', BASE);
      db.allowFrom(worker, web); // later, and web twice: rendered once
    });
    expect(find(objectsOf(fleet), 'NetworkPolicy', 'db-ingress').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            // Canonical order (sorted), whatever the order of allowFrom.
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } } },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'worker', 'app.kubernetes.io/instance': 'worker' } } },
          ],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ],
    });
  });

  test('nobody may connect to a workload that declares no peers', () => {
    const policy = find(objectsOf(oneCluster((apps) => new Worker(apps, 'worker', BASE))), 'NetworkPolicy', 'worker-ingress');
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'worker', 'app.kubernetes.io/instance': 'worker' } }, policyTypes: ['Ingress'], ingress: [] });
  });

  test('peers in other namespaces are selected by namespace and pod labels', () => {
    const fleet = oneCluster((apps, cluster) => {
      const api = new WebService(cluster.appsIn('api'), 'api', BASE);
      new WebService(apps, 'web', { ...BASE, allowFrom: [api, Peer.workload('legacy', { namespace: 'old' }), Peer.workload('local'), Peer.ingressController()] });
    }, { tenants: ['shop', 'api'], traffic: 'ingress' });
    expect(find(objectsOf(fleet), 'NetworkPolicy', 'web-ingress').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'api' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: INGRESS_PEER.podLabels } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'old' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'legacy', 'app.kubernetes.io/instance': 'legacy' } } },
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'local', 'app.kubernetes.io/instance': 'local' } } },
    ]);
  });
});

describe('stable names and selectors', () => {
  const declare = (apps: Construct) => {
    const web = new WebService(apps, 'storefront', { ...BASE, host: 'shop', configFiles: { path: '/etc/app', files: { 'a.yaml': 'a: 1' } } });
    new StatefulService(apps, 'orders-db', { ...BASE, ports: [{ name: 'postgres', port: 5432 }], storage: { data: { path: '/data', size: '1Gi' } }, allowFrom: [web] });
    new Worker(apps, 'orders', BASE);
    new CronTask(apps, 'report', { ...BASE, schedule: '@daily' });
  };

  test('moving workloads into other constructs changes no rendered object', () => {
    const flat = shopFleet((apps) => declare(apps));
    const nested = shopFleet((apps) => declare(new Construct(new Construct(apps, 'team-a'), 'checkout')));
    for (const cluster of ['dev-eu', 'prod-eu']) expect(objectsOf(nested, cluster)).toEqual(objectsOf(flat, cluster));
  });

  test('a construct id can change while the name stays', () => {
    const before = oneCluster((apps) => new WebService(apps, 'storefront', BASE));
    const after = oneCluster((apps) => new WebService(apps, 'shop-frontend', { ...BASE, name: 'storefront' }));
    expect(objectsOf(after)).toEqual(objectsOf(before));
  });

  test('every object is named from the workload name', () => {
    const objects = objectsOf(shopFleet((apps) => declare(apps)), 'prod-eu');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/storefront-config', 'CronJob/report', 'Deployment/orders', 'Deployment/storefront', 'HTTPRoute/storefront',
      'NetworkPolicy/orders-db-ingress', 'NetworkPolicy/orders-ingress', 'NetworkPolicy/report-ingress', 'NetworkPolicy/storefront-egress', 'NetworkPolicy/storefront-ingress',
      'PodDisruptionBudget/orders', 'PodDisruptionBudget/storefront', 'Service/orders-db', 'Service/storefront',
      'ServiceAccount/orders', 'ServiceAccount/orders-db', 'ServiceAccount/report', 'ServiceAccount/storefront', 'StatefulSet/orders-db',
    ]);
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'strata' });
    }
  });
});
