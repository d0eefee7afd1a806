import { k8s } from 'cdk8s-plus-27';
import {
  Autoscaling,
  Duration,
  HorizontalAutoscaling,
  Metric,
  SecretKey,
  Trigger,
  checkAutoscaledReplicas,
  checkOneAutoscalerPerWorkload,
  isStageDependent,
  perStage,
} from '../lib/index.js';
import { errorsOf, filesOf, objectOf, testFleet } from './support/autoscaling-fleets.js';
import { FakeWorkload } from './support/scale-target.js';

const rabbit = () => Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } });

describe('HorizontalPodAutoscaler', () => {
  test('Autoscaling.cpu renders an autoscaling/v2 HPA named after the workload (snapshot)', () => {
    const fleet = testFleet({
      apps: (apps) => new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: 2, max: 20, utilization: 70 }) }),
    });
    expect(filesOf(fleet, 'apps', 'shop/horizontalpodautoscaler-')).toMatchSnapshot();
  });

  test('targets the workload, with its bounds, metric and labels', () => {
    const fleet = testFleet({
      apps: (apps) => new FakeWorkload(apps, 'storefront', { kind: 'StatefulSet', autoscaling: Autoscaling.cpu({ min: 2, max: 20, utilization: 65 }) }),
    });
    const hpa = objectOf(fleet, 'HorizontalPodAutoscaler');
    expect(hpa.metadata).toMatchObject({ name: 'storefront', namespace: 'shop' });
    expect(hpa.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'storefront', 'app.kubernetes.io/instance': 'storefront' });
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'storefront' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 20]);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }]);
  });

  test('cpu defaults to 70% utilization and memory to 80%; averageValue targets an amount per pod', () => {
    const fleet = testFleet({
      apps: (apps) => {
        new FakeWorkload(apps, 'a', { autoscaling: Autoscaling.cpu({ min: 1, max: 3 }) });
        new FakeWorkload(apps, 'b', { autoscaling: Autoscaling.memory({ min: 1, max: 3 }) });
        new FakeWorkload(apps, 'c', { autoscaling: Autoscaling.memory({ min: 1, max: 3, averageValue: '1Gi' }) });
      },
    });
    const targets = Object.values(filesOf(fleet, 'apps', 'shop/horizontalpodautoscaler-')).length;
    expect(targets).toBe(3);
    const metric = (name: string) => testFleetObjects(fleet).find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name)!.spec.metrics[0].resource;
    expect(metric('a')).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    expect(metric('b')).toEqual({ name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } });
    expect(metric('c')).toEqual({ name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } });
  });

  test('Autoscaling.resources combines cpu, memory, pods, object and external metrics', () => {
    const fleet = testFleet({
      apps: (apps) =>
        new FakeWorkload(apps, 'api', {
          autoscaling: Autoscaling.resources({
            min: 2,
            max: 30,
            cpu: { utilization: 60 },
            memory: { averageValue: '700Mi' },
            metrics: [
              Metric.pods({ name: 'http_requests_per_second', averageValue: 100 }),
              Metric.object({ name: 'requests_per_second', object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'api' }, value: '2k' }),
              Metric.external({ name: 'queue_messages_ready', selector: { queue: 'orders' }, averageValue: 30 }),
            ],
          }),
        }),
    });
    expect(objectOf(fleet, 'HorizontalPodAutoscaler').spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '700Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } },
      {
        type: 'Object',
        object: {
          metric: { name: 'requests_per_second' },
          describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'api' },
          target: { type: 'Value', value: '2k' },
        },
      },
      { type: 'External', external: { metric: { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'orders' } } }, target: { type: 'AverageValue', averageValue: '30' } } },
    ]);
  });

  test('behaviour defaults: scale up at once, scale down after a 300s window by at most half per minute', () => {
    const fleet = testFleet({ apps: (apps) => new FakeWorkload(apps, 'web', { autoscaling: Autoscaling.cpu({ min: 1, max: 5 }) }) });
    expect(objectOf(fleet, 'HorizontalPodAutoscaler').spec.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Percent', value: 100, periodSeconds: 15 },
          { type: 'Pods', value: 4, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
  });

  test('behaviour is configurable per direction; what is not given keeps its default', () => {
    const fleet = testFleet({
      apps: (apps) =>
        new FakeWorkload(apps, 'web', {
          autoscaling: Autoscaling.cpu({
            min: 1,
            max: 5,
            behavior: {
              scaleDown: { stabilizationWindow: Duration.minutes(10), policies: [{ pods: 1, per: Duration.minutes(2) }], select: 'min' },
              scaleUp: { select: 'disabled' },
            },
          }),
        }),
    });
    const behavior = objectOf(fleet, 'HorizontalPodAutoscaler').spec.behavior;
    expect(behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] });
    expect(behavior.scaleUp.selectPolicy).toBe('Disabled');
    expect(behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  });
});

describe('stage awareness', () => {
  const stagedFleet = () =>
    testFleet({
      clusters: ['dev-eu', 'staging-eu', 'prod-eu'],
      apps: (apps) =>
        new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, production: 3, default: 2 }), max: perStage({ production: 20, default: 5 }) }) }),
    });

  test.each([
    ['dev-eu', 1, 5],
    ['staging-eu', 2, 5],
    ['prod-eu', 3, 20],
  ])('on %s the bounds are min %i, max %i', (cluster, min, max) => {
    const hpa = objectOf(stagedFleet(), 'HorizontalPodAutoscaler', cluster);
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([min, max]);
  });

  test('plain bounds give a plain policy, stage-dependent bounds a stage-dependent one the workload resolves', () => {
    expect(Autoscaling.cpu({ min: 1, max: 2 })).toBeInstanceOf(HorizontalAutoscaling);
    const staged = Autoscaling.cpu({ min: perStage({ development: 1, production: 3 }), max: 10 });
    expect(isStageDependent(staged)).toBe(true);
  });

  test('a stage that the bounds do not cover is an error on that cluster only', () => {
    const fleet = testFleet({
      clusters: ['dev-eu', 'staging-eu'],
      apps: (apps) => new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, production: 3 }), max: 10 }) }),
    });
    expect(errorsOf(fleet)).toEqual(['staging-eu: stage.pick: no value for stage "staging" and no default (given: development, production)']);
  });

  test('a misspelt stage is an error naming the valid ones', () => {
    const fleet = testFleet({
      apps: (apps) => new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, prod: 3 } as never), max: 10 }) }),
    });
    expect(errorsOf(fleet)).toEqual(['dev-eu: stage.pick: "prod" is not a stage (valid: development, staging, production, default)']);
  });

  test('bounds checks run on the resolved values of each stage', () => {
    const fleet = testFleet({
      clusters: ['dev-eu', 'prod-eu'],
      apps: (apps) => new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, production: 30 }), max: 20 }) }),
    });
    expect(errorsOf(fleet)).toEqual(['prod-eu/apps/shop/storefront: autoscaling.min (30) is greater than autoscaling.max (20)']);
  });
});

describe('HPA errors', () => {
  const errors = (autoscaling: ReturnType<typeof Autoscaling.cpu> | HorizontalAutoscaling, containers?: { name: string; cpu?: string; memory?: string }[], capabilities?: string[]) =>
    errorsOf(testFleet({ capabilities, apps: (apps) => new FakeWorkload(apps, 'storefront', { autoscaling, containers }) }));

  test('min greater than max', () => {
    expect(errors(Autoscaling.cpu({ min: 5, max: 3 }))).toEqual(['dev-eu/apps/shop/storefront: autoscaling.min (5) is greater than autoscaling.max (3)']);
  });

  test('max below 1, and bounds that are not whole numbers', () => {
    expect(errors(Autoscaling.cpu({ min: 0, max: 0 }))).toEqual(['dev-eu/apps/shop/storefront: autoscaling.max (0) must be a whole number ≥ 1']);
    expect(errors(Autoscaling.cpu({ min: 1.5, max: 3 }))).toEqual(['dev-eu/apps/shop/storefront: autoscaling.min (1.5) must be a whole number ≥ 0']);
    expect(errors(Autoscaling.cpu({ min: -1, max: 3 }))).toEqual(['dev-eu/apps/shop/storefront: autoscaling.min (-1) must be a whole number ≥ 0']);
  });

  test('min 0 needs an event-driven scaler', () => {
    expect(errors(Autoscaling.cpu({ min: 0, max: 3 }))).toEqual([
      'dev-eu/apps/shop/storefront: autoscaling.min (0) needs an event-driven scaler: a HorizontalPodAutoscaler never scales to zero (use Autoscaling.events({ min: 0, triggers: [...] }), or set min ≥ 1)',
    ]);
  });

  test('a utilization target needs a request for that resource on every container', () => {
    const containers = [{ name: 'app', cpu: '250m', memory: '256Mi' }, { name: 'proxy', memory: '64Mi' }, { name: 'log', memory: '32Mi' }];
    expect(errors(Autoscaling.cpu({ min: 1, max: 3, utilization: 70 }), containers)).toEqual([
      'dev-eu/apps/shop/storefront: autoscaling targets 70% cpu utilization, but containers "proxy", "log" have no cpu request in Deployment "storefront": ' +
        'utilization is measured against requests, so set a cpu request on every container (or target an averageValue)',
    ]);
    expect(errors(Autoscaling.memory({ min: 1, max: 3 }), [{ name: 'app', cpu: '1' }])).toEqual([
      'dev-eu/apps/shop/storefront: autoscaling targets 80% memory utilization, but container "app" has no memory request in Deployment "storefront": ' +
        'utilization is measured against requests, so set a memory request on every container (or target an averageValue)',
    ]);
  });

  test('an averageValue target needs no request', () => {
    const fleet = testFleet({ apps: (apps) => new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: 1, max: 3, averageValue: '500m' }), containers: [{ name: 'app' }] }) });
    expect(objectOf(fleet, 'HorizontalPodAutoscaler').spec.metrics[0].resource.target).toEqual({ type: 'AverageValue', averageValue: '500m' });
  });

  test('resource metrics need metrics-server on the cluster', () => {
    expect(errors(Autoscaling.resources({ min: 1, max: 3, cpu: { utilization: 70 }, memory: { utilization: 70 } }), undefined, ['keda'])).toEqual([
      'dev-eu/apps/shop/storefront: HorizontalPodAutoscaler "storefront" (scaling on cpu and memory) needs metrics-server, but cluster "dev-eu" does not install it (installed: keda): add Components.metricsServer() to its platform',
    ]);
  });

  test('custom and external metrics alone do not need metrics-server', () => {
    const fleet = testFleet({
      capabilities: [],
      apps: (apps) => new FakeWorkload(apps, 'api', { autoscaling: Autoscaling.resources({ min: 1, max: 3, metrics: [Metric.external({ name: 'lag', value: 10 })] }) }),
    });
    expect(objectOf(fleet, 'HorizontalPodAutoscaler').spec.metrics).toHaveLength(1);
  });

  test('at least one metric', () => {
    expect(errors(Autoscaling.resources({ min: 1, max: 3 }))).toEqual(['dev-eu/apps/shop/storefront: autoscaling needs at least one metric: set cpu, memory or metrics']);
  });

  test('metric targets are checked', () => {
    expect(
      errors(
        Autoscaling.resources({
          min: 1,
          max: 3,
          cpu: { utilization: 70, averageValue: '1' },
          metrics: [Metric.pods({ name: 'rps', averageValue: 'lots' }), Metric.object({ name: '', object: { apiVersion: 'v1', kind: 'Service', name: 'api' } })],
        }),
      ),
    ).toEqual([
      'dev-eu/apps/shop/storefront: autoscaling.cpu needs exactly one of utilization (a percentage of requests) or averageValue (a quantity per pod)',
      'dev-eu/apps/shop/storefront: autoscaling.metrics[0].averageValue ("lots") is not a positive Kubernetes quantity (e.g. "500m", "2", "512Mi", "4Gi")',
      'dev-eu/apps/shop/storefront: autoscaling.metrics[1].name ("") must be a metric name',
      'dev-eu/apps/shop/storefront: autoscaling.metrics[1] needs exactly one of value or averageValue',
    ]);
  });

  test('behaviour limits: window up to 1h, periods 1s to 30m, whole seconds, positive values, at least one policy', () => {
    expect(
      errors(
        Autoscaling.cpu({
          min: 1,
          max: 3,
          behavior: {
            scaleUp: { stabilizationWindow: Duration.hours(2), policies: [{ pods: 0, per: Duration.hours(1) }] },
            scaleDown: { stabilizationWindow: Duration.millis(1500), policies: [] },
          },
        }),
      ),
    ).toEqual([
      'dev-eu/apps/shop/storefront: autoscaling.behavior.scaleUp.stabilizationWindow (7200s) must be between 0s and 3600s',
      'dev-eu/apps/shop/storefront: autoscaling.behavior.scaleUp.policies[0].per (3600s) must be between 1s and 1800s',
      'dev-eu/apps/shop/storefront: autoscaling.behavior.scaleUp.policies[0].pods (0) must be a whole number ≥ 1',
      'dev-eu/apps/shop/storefront: autoscaling.behavior.scaleDown.stabilizationWindow (1500ms) must be a whole number of seconds',
      "dev-eu/apps/shop/storefront: autoscaling.behavior.scaleDown.policies is empty: give at least one policy, or select 'disabled' to forbid scaling this way",
    ]);
  });
});

describe('HPA errors (remaining messages)', () => {
  const errors = (autoscaling: HorizontalAutoscaling) => errorsOf(testFleet({ apps: (apps) => new FakeWorkload(apps, 'web', { autoscaling }) }));

  test('resource targets and object references', () => {
    expect(
      errors(
        Autoscaling.resources({
          min: 1,
          max: 3,
          cpu: { utilization: 0 },
          memory: { averageValue: '-1Gi' },
          metrics: [Metric.object({ name: 'rps', object: { apiVersion: 'v1', kind: 'Service' } as never, value: 1 })],
        }),
      ),
    ).toEqual([
      'dev-eu/apps/shop/web: autoscaling.cpu.utilization (0) must be a whole number ≥ 1',
      'dev-eu/apps/shop/web: autoscaling.memory.averageValue ("-1Gi") is not a positive Kubernetes quantity (e.g. "500m", "2", "512Mi", "4Gi")',
      'dev-eu/apps/shop/web: autoscaling.metrics[0].object ({"apiVersion":"v1","kind":"Service"}) needs apiVersion, kind and name',
    ]);
  });

  test('behaviour: durations, select and percent policies', () => {
    expect(
      errors(
        Autoscaling.cpu({
          min: 1,
          max: 3,
          behavior: {
            scaleUp: { stabilizationWindow: 30 as never, select: 'fastest' as never },
            scaleDown: { policies: [{ percent: 0, per: Duration.minutes(1) }] },
          },
        }),
      ),
    ).toEqual([
      'dev-eu/apps/shop/web: autoscaling.behavior.scaleUp.stabilizationWindow (30) must be a Duration, e.g. Duration.minutes(5)',
      'dev-eu/apps/shop/web: autoscaling.behavior.scaleUp.select ("fastest") is not one of: max, min, disabled',
      'dev-eu/apps/shop/web: autoscaling.behavior.scaleDown.policies[0].percent (0) must be a whole number ≥ 1',
    ]);
  });
});

describe('GitOps checks over the resolved objects', () => {
  test('an autoscaled Deployment that renders spec.replicas is an error naming both objects', () => {
    const fleet = testFleet({ apps: (apps) => new FakeWorkload(apps, 'storefront', { replicas: 3, autoscaling: Autoscaling.cpu({ min: 2, max: 10 }) }) });
    expect(errorsOf(fleet)).toEqual([
      'dev-eu/apps/shop/storefront/deployment: Deployment storefront sets spec.replicas (3), but HorizontalPodAutoscaler storefront (dev-eu/apps/shop/storefront/hpa) scales it: ' +
        "remove spec.replicas, or every Flux reconcile resets the autoscaler's choice",
    ]);
  });

  test('the same for a StatefulSet scaled by a ScaledObject', () => {
    const fleet = testFleet({ apps: (apps) => new FakeWorkload(apps, 'orders', { kind: 'StatefulSet', replicas: 1, autoscaling: Autoscaling.events({ min: 0, max: 5, triggers: [rabbit()] }) }) });
    expect(errorsOf(fleet)).toEqual([
      'dev-eu/apps/shop/orders/statefulset: StatefulSet orders sets spec.replicas (1), but ScaledObject orders (dev-eu/apps/shop/orders/scaled-object) scales it: ' +
        "remove spec.replicas, or every Flux reconcile resets the autoscaler's choice",
    ]);
  });

  test('a workload without an autoscaler may set replicas, and an autoscaled one without them passes', () => {
    const fleet = testFleet({
      apps: (apps) => {
        new FakeWorkload(apps, 'fixed', { replicas: 3 });
        new FakeWorkload(apps, 'scaled', { autoscaling: Autoscaling.cpu({ min: 2, max: 10 }) });
      },
    });
    expect(() => fleet.render()).not.toThrow();
  });

  test('two autoscalers on one workload are an error', () => {
    const fleet = testFleet({
      apps: (apps) => {
        const web = new FakeWorkload(apps, 'web', { autoscaling: Autoscaling.cpu({ min: 2, max: 10 }) });
        (Autoscaling.events({ min: 1, max: 10, triggers: [rabbit()] }) as ReturnType<typeof Autoscaling.events> & { attach: Function }).attach(web, web.target);
      },
    });
    expect(errorsOf(fleet)).toEqual([
      'dev-eu/apps/shop/web/scaled-object: ScaledObject web scales Deployment web in namespace shop, which HorizontalPodAutoscaler web (dev-eu/apps/shop/web/hpa) already scales: ' +
        'one autoscaler per workload, or they fight over its replicas',
    ]);
  });

  test('a hand-written HPA on an autoscaled workload is caught too', () => {
    const fleet = testFleet({
      apps: (apps) => {
        new FakeWorkload(apps, 'web', { autoscaling: Autoscaling.cpu({ min: 2, max: 10 }) });
        new k8s.KubeHorizontalPodAutoscalerV2(apps, 'extra', { metadata: { name: 'web-extra' }, spec: { maxReplicas: 4, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } });
      },
    });
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^dev-eu\/apps\/shop\/extra: HorizontalPodAutoscaler web-extra scales Deployment web in namespace shop, which HorizontalPodAutoscaler web/)]);
  });

  test('the checks are part of every synth and look only within a namespace', () => {
    const model = {
      name: 'acme',
      findings: [],
      clusters: [
        {
          name: 'c',
          stage: 'production' as const,
          layers: [],
          sources: [],
          folders: [
            {
              dir: 'c/apps',
              objects: [
                { path: 'a/hpa', manifest: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'a' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' } } } },
                { path: 'b/hpa', manifest: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'b' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' } } } },
                { path: 'b/web', manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'c' }, spec: { replicas: 2 } } },
              ],
            },
          ],
        },
      ],
    };
    expect(checkOneAutoscalerPerWorkload(model)).toEqual([]);
    expect(checkAutoscaledReplicas(model)).toEqual([]);
  });
});

function testFleetObjects(fleet: ReturnType<typeof testFleet>) {
  return fleet.render().model.clusters.flatMap((c) => c.folders.flatMap((f) => f.objects.map((o) => o.manifest as typeof o.manifest & { spec: any })));
}
