// Admission at max scale (ResourceQuota, LimitRange, requests ≤ limits) and scheduling (node pool
// limits, zone spread), for typed constructs and hand-written objects alike.
import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  Autoscaling, CronTask, Fleet, NodePool, Provider, SecretKey, Stage, StatefulService, Trigger, WebService, Worker,
  type Apps, type Cluster, type ContainerDefaults, type Platform, type TenantQuota,
} from '../lib/index.js';
import { BASE } from './support/fleets.js';
import { labelsFor, reported, webWorkload } from './support/policy.js';

interface CapacityFleet {
  readonly quota?: TenantQuota;
  readonly defaults?: ContainerDefaults;
  readonly platform?: (platform: Platform, cluster: Cluster) => void;
}

/** One development cluster `c` (aws, Karpenter) with tenant `shop` and its apps. */
function capacityFleet(apps: (apps: Apps) => void, options: CapacityFleet = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform((p, cluster) => {
    p.addTenant('shop', { quota: options.quota, defaults: options.defaults, podSecurity: 'privileged' });
    options.platform?.(p, cluster);
  });
  fleet.apps('shop', apps);
  return fleet;
}

/** A hand-written ResourceQuota in the tenant namespace. */
function handQuota(scope: Apps, name: string, hard: Record<string, string | number>, extra: object = {}): ApiObject {
  return new ApiObject(scope, `quota-${name}`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...extra } });
}

/** A hand-written workload of `kind` running one container with `resources`. */
function handWorkload(scope: Apps, kind: string, name: string, spec: Record<string, unknown>, resources: object = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } }): ApiObject {
  const labels = labelsFor(name);
  const pod = { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/app:1.0.0', resources }], restartPolicy: kind === 'Deployment' || kind === 'StatefulSet' ? undefined : 'OnFailure' } };
  const apiVersion = kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  const body = kind === 'CronJob' ? { schedule: '0 3 * * *', ...spec, jobTemplate: { spec: { ...rec(spec.job), template: pod } } } : { selector: { matchLabels: labels }, template: pod, ...spec };
  if (kind === 'CronJob') delete (body as Record<string, unknown>).job;
  if (kind === 'Job') delete (body as Record<string, unknown>).selector;
  return new ApiObject(scope, `${kind}-${name}`, { apiVersion, kind, metadata: { name, labels }, spec: body });
}

function rec(value: unknown): Record<string, unknown> {
  return (value ?? {}) as Record<string, unknown>;
}

const QUOTA = 'c/infrastructure/configs/tenant-shop/quota';

describe('quota-admission: typed workloads at max scale', () => {
  // The example of the issue: a 6Gi tenant, one service of 4 replicas and one scaling to 20, 1Gi each.
  const fleet = () =>
    capacityFleet((apps) => {
      new WebService(apps, 'web', { ...BASE, resources: { cpu: '250m', memory: '1Gi' }, replicas: 4 });
      new WebService(apps, 'api', { ...BASE, resources: { cpu: '250m', memory: '1Gi' }, autoscaling: Autoscaling.cpu({ min: 2, max: 20 }) });
    }, { quota: { cpu: '4', memory: '6Gi' } });

  test('neither scale-up nor a rollout surge fits: the error names the quota, the contributors and the headroom', () => {
    const errors = reported(fleet(), 'quota-admission');
    // 4 × 1Gi + 20 × 1Gi = 24Gi; api's surge is 25% of 20 = 5 pods = 5Gi.
    expect(errors).toContain(
      `error [quota-admission] ${QUOTA}: ResourceQuota quota of namespace "shop" allows requests.memory 6Gi, but at max scale the namespace asks for 24Gi + 5Gi rollout surge of Deployment api (5 extra pods): ` +
        '29Gi, 23Gi over, so the API server refuses pods before the autoscalers reach their maximum (Deployment api 20 replicas at most × 1Gi, Deployment web 4 replicas × 1Gi)',
    );
    // 24 × 250m = 6 cores + 5 × 250m surge; memoryLimit defaults to memory, and the limits sum the same way.
    expect(errors.find((e) => e.includes('allows requests.cpu 4,'))).toContain('asks for 6 + 1250m rollout surge of Deployment api (5 extra pods): 7250m, 3250m over');
    expect(errors.find((e) => e.includes('allows limits.memory 6Gi,'))).toContain('asks for 24Gi + 5Gi rollout surge');
    expect(errors).toHaveLength(3);
  });

  test('the hint says how far to raise the quota and whom to lower', () => {
    const finding = (() => {
      try {
        fleet().render();
      } catch (e) {
        return (e as { errors: { rule?: string; message: string; hint?: string }[] }).errors.find((f) => f.rule === 'quota-admission' && f.message.includes('requests.memory'));
      }
      return undefined;
    })();
    expect(finding?.hint).toBe("raise requests.memory of ResourceQuota quota to at least 29Gi (the tenant's quota), or lower the maximum replicas, concurrency or requests of Deployment api, Deployment web");
  });

  const twoServices = (memory: string) =>
    capacityFleet((apps) => {
      new WebService(apps, 'web', { ...BASE, resources: { cpu: '250m', memory: '1Gi' }, replicas: 4 });
      new WebService(apps, 'api', { ...BASE, resources: { cpu: '250m', memory: '1Gi' }, autoscaling: Autoscaling.cpu({ min: 2, max: 20 }) });
    }, { quota: { cpu: '8', memory } });

  test('quota-concurrent-rollouts: max scale and the largest surge fit, both Deployments rolling at once do not (a warning)', () => {
    // 24Gi + 5Gi (api's surge) = 29Gi fits; + 1Gi (web's surge) does not.
    expect(reported(twoServices('29Gi')).filter((r) => r.includes('quota'))).toEqual([
      `warning [quota-concurrent-rollouts] ${QUOTA}: ResourceQuota quota of namespace "shop" allows limits.memory 29Gi: at max scale the namespace asks for 24Gi, and rolling out its 2 Deployments at once ` +
        '(one Flux reconcile that changes them all) adds 6Gi surge: 30Gi, 1Gi over, so some rollouts wait for quota',
      expect.stringContaining('warning [quota-concurrent-rollouts] c/infrastructure/configs/tenant-shop/quota: ResourceQuota quota of namespace "shop" allows requests.memory 29Gi: at max scale the namespace asks for 24Gi'),
    ]);
    expect(reported(twoServices('30Gi')).filter((r) => r.includes('quota'))).toEqual([]);
  });

  test('a surge that alone overflows the quota stalls the rollout at max scale', () => {
    // 4 replicas × 1Gi = 4Gi fit; maxSurge 25% of 4 = 1 more pod does not.
    const errors = reported(capacityFleet((apps) => new WebService(apps, 'web', { ...BASE, resources: { cpu: '100m', memory: '1Gi' }, replicas: 4 }), { quota: { cpu: '4', memory: '4Gi' } }), 'quota-admission');
    expect(errors).toEqual([
      expect.stringContaining('allows limits.memory 4Gi, but at max scale the namespace asks for 4Gi + 1Gi rollout surge'),
      `error [quota-admission] ${QUOTA}: ResourceQuota quota of namespace "shop" allows requests.memory 4Gi, but at max scale the namespace asks for 4Gi + 1Gi rollout surge of Deployment web (1 extra pod): ` +
        '5Gi, 1Gi over, so the API server refuses pods of a rollout at max scale, which then stalls (Deployment web 4 replicas × 1Gi)',
    ]);
  });

  test('KEDA maxReplicaCount counts for a Worker, and a StatefulService has no surge', () => {
    const errors = reported(capacityFleet((apps) => {
      new Worker(apps, 'orders', { ...BASE, resources: { cpu: '100m', memory: '128Mi' }, autoscaling: Autoscaling.events({ min: 0, max: 8, triggers: [Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } })] }) });
    }, { quota: { cpu: '100', memory: '1Gi' } }), 'quota-admission');
    // 8 × 128Mi = 1Gi exactly; the surge (25% of 8 = 2 pods) is what overflows.
    expect(errors[0]).toContain('asks for 1Gi + 256Mi rollout surge of Deployment orders (2 extra pods)');
  });

  test('storage of a StatefulService counts against requests.storage per replica', () => {
    const errors = reported(capacityFleet((apps) => {
      new StatefulService(apps, 'db', { ...BASE, replicas: 3, ports: [{ name: 'pg', port: 5432 }], storage: { data: { path: '/data', size: '20Gi' } } });
    }, { quota: { cpu: '10', memory: '10Gi', storage: '50Gi' } }), 'quota-admission');
    expect(errors).toEqual([
      `error [quota-admission] ${QUOTA}: ResourceQuota quota of namespace "shop" allows requests.storage 50Gi, but at max scale the namespace asks for 60Gi: 60Gi, 10Gi over, ` +
        'so the API server refuses pods before the autoscalers reach their maximum (StatefulSet db 3 replicas × 20Gi)',
    ]);
  });

  test('a CronTask counts one run at a time (concurrencyPolicy Forbid)', () => {
    const errors = reported(capacityFleet((apps) => {
      new CronTask(apps, 'report', { ...BASE, schedule: '0 3 * * *', resources: { cpu: '100m', memory: '512Mi' } });
      new WebService(apps, 'web', { ...BASE, resources: { cpu: '100m', memory: '512Mi' }, replicas: 1 });
    }, { quota: { cpu: '4', memory: '1536Mi' } }), 'quota-admission');
    // 512Mi (web) + 512Mi (one run) + 512Mi surge of web = 1.5Gi: fits exactly.
    expect(errors).toEqual([]);
  });
});

describe('quota-admission: hand-written objects', () => {
  test('an HPA, a CronJob that allows overlapping runs, a Job and a KEDA ScaledJob count at their most pods', () => {
    const errors = reported(capacityFleet((apps) => {
      handQuota(apps, 'pods', { pods: 10 });
      webWorkload(apps, 'web'); // HPA max 5, maxSurge 25% → 2 more
      handWorkload(apps, 'CronJob', 'report', { job: { parallelism: 2 } }); // Allow: 2 runs × 2 pods
      handWorkload(apps, 'Job', 'migrate', { parallelism: 4, completions: 3 }); // 3 at once
      new ApiObject(apps, 'scaled-job', {
        apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'batch' },
        spec: { maxReplicaCount: 3, jobTargetRef: { parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'ghcr.io/acme/batch:1.0.0', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } } }] } } }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 * * * *', end: '5 * * * *', desiredReplicas: '1' } }] },
      });
    }), 'quota-admission');
    expect(errors).toEqual([
      'error [quota-admission] c/apps/shop/quota-pods: ResourceQuota pods of namespace "shop" allows pods 10, but at max scale the namespace asks for 18 + 2 rollout surge of Deployment web (2 extra pods): 20, 10 over, ' +
        'so the API server refuses pods before the autoscalers reach their maximum (ScaledJob batch 3 jobs × 2 pods (maxReplicaCount), Deployment web 5 replicas at most, ' +
        'CronJob report 2 runs × 2 pods (concurrencyPolicy Allow), Job migrate parallelism 3)',
    ]);
  });

  test('Recreate has no surge and a StatefulSet rolls without one', () => {
    const errors = reported(capacityFleet((apps) => {
      handQuota(apps, 'pods', { pods: 5 });
      handWorkload(apps, 'Deployment', 'a', { replicas: 2, strategy: { type: 'Recreate' } });
      handWorkload(apps, 'StatefulSet', 'b', { replicas: 3, serviceName: 'b' });
    }), 'quota-admission');
    expect(errors).toEqual([]);
  });

  test('containers without requests get the LimitRange defaults before the quota counts them; init containers and pod overhead count too', () => {
    const errors = reported(capacityFleet((apps) => {
      handQuota(apps, 'memory', { 'requests.memory': '1536Mi' });
      // No requests: the tenant's LimitRange gives 128Mi each; 4 replicas (+ 1 surge).
      handWorkload(apps, 'Deployment', 'plain', { replicas: 4 }, {});
      // One pod: max(init 1Gi, 2 × 256Mi) + 128Mi overhead = 1152Mi.
      new ApiObject(apps, 'pod', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tool' },
        spec: {
          overhead: { memory: '128Mi' },
          initContainers: [{ name: 'init', image: 'ghcr.io/acme/init:1.0.0', resources: { requests: { memory: '1Gi' } } }],
          containers: ['a', 'b'].map((name) => ({ name, image: 'ghcr.io/acme/tool:1.0.0', resources: { requests: { memory: '256Mi' } } })),
        },
      });
    }), 'quota-admission');
    // 4 × 128Mi + 1152Mi = 1664Mi, + 128Mi surge = 1792Mi.
    expect(errors).toEqual([
      'error [quota-admission] c/apps/shop/quota-memory: ResourceQuota memory of namespace "shop" allows requests.memory 1536Mi, but at max scale the namespace asks for 1664Mi + 128Mi rollout surge of Deployment plain (1 extra pod): ' +
        '1792Mi, 256Mi over, so the API server refuses pods before the autoscalers reach their maximum (Pod tool 1 pod × 1152Mi, Deployment plain 4 replicas × 128Mi)',
    ]);
  });
});
