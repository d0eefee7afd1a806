// Admission at max scale (ResourceQuota, LimitRange, requests ≤ limits) and scheduling (node pool
// limits, zone spread), for typed constructs and hand-written objects alike.
import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  Autoscaling, CronTask, Fleet, NodePool, Provider, SecretKey, Stage, StatefulService, Trigger, WebService, Worker,
  type Apps, type Cluster, type ContainerDefaults, type Platform, type TenantQuota,
} from '../lib/index.js';
import { BASE, errorsOf } from './support/fleets.js';
import { labelsFor, reported, webWorkload } from './support/policy.js';

interface CapacityFleet {
  readonly provider?: Provider;
  readonly quota?: TenantQuota;
  readonly defaults?: ContainerDefaults;
  readonly platform?: (platform: Platform, cluster: Cluster) => void;
}

/** One development cluster `c` (aws with Karpenter, unless told otherwise) with tenant `shop` and its apps. */
function capacityFleet(apps: (apps: Apps) => void, options: CapacityFleet = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: options.provider ?? Provider.aws() });
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
      `error [quota-admission] ${QUOTA}: ResourceQuota quota of namespace "shop" allows requests.memory 6Gi, but at max scale the namespace asks for 24Gi + 5Gi rollout surge of Deployment api (5 extra pods) = 29Gi, ` +
        '23Gi over, so the API server refuses pods before the workloads reach max scale (Deployment api 20 replicas at most × 1Gi, Deployment web 4 replicas × 1Gi)',
    );
    // 24 × 250m = 6 cores + 5 × 250m surge; memoryLimit defaults to memory, and the limits sum the same way.
    expect(errors.find((e) => e.includes('allows requests.cpu 4,'))).toContain('asks for 6 + 1250m rollout surge of Deployment api (5 extra pods) = 7250m, 3250m over');
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
    expect(finding?.hint).toBe("raise requests.memory of ResourceQuota quota to at least 29Gi (the quota of tenant shop), or lower the maximum replicas, concurrency or requests of Deployment api, Deployment web");
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
        '(one Flux reconcile that changes them all) adds 6Gi surge = 30Gi, 1Gi over, so some rollouts wait for quota',
      expect.stringContaining('warning [quota-concurrent-rollouts] c/infrastructure/configs/tenant-shop/quota: ResourceQuota quota of namespace "shop" allows requests.memory 29Gi: at max scale the namespace asks for 24Gi'),
    ]);
    expect(reported(twoServices('30Gi')).filter((r) => r.includes('quota'))).toEqual([]);
  });

  test('a surge that alone overflows the quota stalls the rollout at max scale', () => {
    // 4 replicas × 1Gi = 4Gi fit; maxSurge 25% of 4 = 1 more pod does not.
    const errors = reported(capacityFleet((apps) => new WebService(apps, 'web', { ...BASE, resources: { cpu: '100m', memory: '1Gi' }, replicas: 4 }), { quota: { cpu: '4', memory: '4Gi' } }), 'quota-admission');
    expect(errors).toEqual([
      expect.stringContaining('allows limits.memory 4Gi, but at max scale the namespace asks for 4Gi + 1Gi rollout surge'),
      `error [quota-admission] ${QUOTA}: ResourceQuota quota of namespace "shop" allows requests.memory 4Gi, but at max scale the namespace asks for 4Gi + 1Gi rollout surge of Deployment web (1 extra pod) = 5Gi, ` +
        '1Gi over, so the API server refuses pods of a rollout at max scale, which then stalls (Deployment web 4 replicas × 1Gi)',
    ]);
  });

  test('KEDA maxReplicaCount counts for a Worker', () => {
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
      `error [quota-admission] ${QUOTA}: ResourceQuota quota of namespace "shop" allows requests.storage 50Gi, but at max scale the namespace asks for 60Gi, 10Gi over, ` +
        'so the API server refuses pods before the workloads reach max scale (StatefulSet db 3 replicas × 20Gi)',
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
      'error [quota-admission] c/apps/shop/quota-pods: ResourceQuota pods of namespace "shop" allows pods 10, but at max scale the namespace asks for 18 + 2 rollout surge of Deployment web (2 extra pods) = 20, 10 over, ' +
        'so the API server refuses pods before the workloads reach max scale (ScaledJob batch 3 jobs × 2 pods (maxReplicaCount), Deployment web 5 replicas at most, ' +
        'CronJob report 2 runs × 2 pods (concurrencyPolicy Allow), Job migrate parallelism 3)',
    ]);
  });

  test('limits sum over the containers that state one (a container without a limit adds nothing)', () => {
    const errors = reported(capacityFleet((apps) => {
      handQuota(apps, 'disk', { 'limits.ephemeral-storage': '1Gi' });
      const labels = labelsFor('cache');
      new ApiObject(apps, 'cache', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cache', labels },
        spec: {
          replicas: 1, strategy: { type: 'Recreate' }, selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [
            { name: 'app', image: 'ghcr.io/acme/cache:1.0.0', resources: { limits: { 'ephemeral-storage': '2Gi' } } },
            { name: 'sidecar', image: 'ghcr.io/acme/sidecar:1.0.0' },
          ] } },
        },
      });
    }), 'quota-admission');
    expect(errors).toEqual([
      'error [quota-admission] c/apps/shop/quota-disk: ResourceQuota disk of namespace "shop" allows limits.ephemeral-storage 1Gi, but at max scale the namespace asks for 2Gi, 1Gi over, ' +
        'so the API server refuses pods before the workloads reach max scale (Deployment cache 1 replica × 2Gi)',
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
      'error [quota-admission] c/apps/shop/quota-memory: ResourceQuota memory of namespace "shop" allows requests.memory 1536Mi, but at max scale the namespace asks for 1664Mi + 128Mi rollout surge of Deployment plain (1 extra pod) = 1792Mi, ' +
        '256Mi over, so the API server refuses pods before the workloads reach max scale (Pod tool 1 pod × 1152Mi, Deployment plain 4 replicas × 128Mi)',
    ]);
  });
});

describe('quota-admission: what a quota requires and counts', () => {
  test('a typed workload without a cpu limit under a quota on limits.cpu: every pod is refused', () => {
    const errors = reported(capacityFleet((apps) => {
      handQuota(apps, 'limits', { 'limits.cpu': '10' });
      new WebService(apps, 'web', { ...BASE, replicas: 1 });
    }), 'quota-admission');
    expect(errors).toEqual([
      'error [quota-admission] c/apps/shop/web/deployment: ResourceQuota limits of namespace "shop" tracks limits.cpu, so the API server refuses every pod of Deployment web: ' +
        'container "web" states no limits.cpu and no LimitRange of the namespace gives it a default',
    ]);
  });

  test('a hand-written workload without a cpu limit is refused under limits.cpu, unless a LimitRange gives it a default', () => {
    const define = (withDefault: boolean) => (apps: Apps) => {
      handQuota(apps, 'limits', { 'limits.cpu': '10' });
      handWorkload(apps, 'Deployment', 'bare', { replicas: 1 });
      if (withDefault) new ApiObject(apps, 'lr', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'cpu' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] } });
    };
    // The tenant's LimitRange defaults cpu requests and memory limits, not cpu limits.
    expect(reported(capacityFleet(define(false)), 'quota-admission')).toEqual([
      'error [quota-admission] c/apps/shop/Deployment-bare: ResourceQuota limits of namespace "shop" tracks limits.cpu, so the API server refuses every pod of Deployment bare: ' +
        'container "app" states no limits.cpu and no LimitRange of the namespace gives it a default',
    ]);
    expect(reported(capacityFleet(define(true)), 'quota-admission')).toEqual([]);
  });

  test('a namespace without LimitRange defaults: a container without a memory request is refused under requests.memory', () => {
    const errors = reported(capacityFleet(() => undefined, {
      platform: (p) => {
        const at = p.configs;
        new ApiObject(at, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch' } });
        new ApiObject(at, 'quota', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'mem', namespace: 'batch' }, spec: { hard: { 'requests.memory': '1Gi' } } });
        const labels = labelsFor('job');
        new ApiObject(at, 'deploy', {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'job', namespace: 'batch', labels },
          spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/job:1.0.0', resources: { requests: { cpu: '100m' } } }] } } },
        });
      },
    }), 'quota-admission');
    expect(errors).toEqual([
      'error [quota-admission] c/infrastructure/configs/deploy: ResourceQuota mem of namespace "batch" tracks requests.memory, so the API server refuses every pod of Deployment job: ' +
        'container "app" states no requests.memory and no LimitRange of the namespace gives it a defaultRequest',
    ]);
  });

  test('object counts: count/deployments.apps and configmaps (with the kube-root-ca.crt Kubernetes adds)', () => {
    const errors = reported(capacityFleet((apps) => {
      handQuota(apps, 'objects', { 'count/deployments.apps': 1, configmaps: 1 });
      handWorkload(apps, 'Deployment', 'a', { replicas: 1 });
      handWorkload(apps, 'Deployment', 'b', { replicas: 1 });
      new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' }, data: { a: 'b' } });
    }), 'quota-admission');
    expect(errors).toEqual([
      'error [quota-admission] c/apps/shop/quota-objects: ResourceQuota objects of namespace "shop" allows configmaps 1, but the namespace declares 2 ' +
        '(ConfigMap settings, ConfigMap kube-root-ca.crt (Kubernetes creates it in every namespace)): the API server refuses the 1 applied last',
      'error [quota-admission] c/apps/shop/quota-objects: ResourceQuota objects of namespace "shop" allows count/deployments.apps 1, but the namespace declares 2 (Deployment a, Deployment b): the API server refuses the 1 applied last',
    ]);
  });

  test('a quota with scopes only counts some pods and is not judged', () => {
    expect(reported(capacityFleet((apps) => {
      handQuota(apps, 'scoped', { pods: 1 }, { scopes: ['BestEffort'] });
      handWorkload(apps, 'Deployment', 'a', { replicas: 3 });
    }), 'quota-admission')).toEqual([]);
  });
});

describe('requests-within-limits', () => {
  test('a hand-written container requesting more than its limit', () => {
    const errors = reported(capacityFleet((apps) => handWorkload(apps, 'Deployment', 'web', { replicas: 1 }, { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '256Mi' } })), 'requests-within-limits');
    expect(errors).toEqual([
      'error [requests-within-limits] c/apps/shop/Deployment-web: container "app": memory request 512Mi is greater than its limit 256Mi: the API server rejects the pod',
    ]);
  });

  test('a typed workload requesting more than the LimitRange default limit it is given', () => {
    const errors = reported(capacityFleet((apps) => {
      new ApiObject(apps, 'lr', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'cpu-limits' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] } });
      new WebService(apps, 'web', { ...BASE, resources: { cpu: '1', memory: '128Mi' }, replicas: 1 });
    }), 'requests-within-limits');
    expect(errors).toEqual([
      'error [requests-within-limits] c/apps/shop/web/deployment: container "web": cpu request 1 is greater than its limit 500m (the default of LimitRange cpu-limits, as it sets no limit): the API server rejects the pod',
    ]);
  });

  test('a request below the LimitRange min, a limit above its max (the max is also the default limit)', () => {
    const errors = reported(capacityFleet((apps) => {
      new ApiObject(apps, 'lr', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'bounds' }, spec: { limits: [{ type: 'Container', min: { cpu: '50m' }, max: { memory: '1Gi' } }] } });
      handWorkload(apps, 'Deployment', 'web', { replicas: 1 }, { requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '2Gi' } });
    }), 'requests-within-limits');
    expect(errors).toEqual([
      'error [requests-within-limits] c/apps/shop/Deployment-web: container "app": cpu request 10m is below min 50m of LimitRange bounds: the API server rejects the pod',
      'error [requests-within-limits] c/apps/shop/Deployment-web: container "app": memory limit 2Gi is above max 1Gi of LimitRange bounds: the API server rejects the pod',
    ]);
  });
});

describe('limit-range-coherent', () => {
  test('typed: tenant defaults requesting more memory than they limit', () => {
    const errors = reported(capacityFleet(() => undefined, { defaults: { memoryRequest: '2Gi', memoryLimit: '1Gi' } }), 'limit-range-coherent');
    expect(errors).toEqual([
      'error [limit-range-coherent] c/infrastructure/configs/tenant-shop/defaults: limits[0] (type Container): defaultRequest memory 2Gi is greater than default memory 1Gi, ' +
        'so the API server rejects the LimitRange (it requires min ≤ defaultRequest ≤ default ≤ max)',
    ]);
  });

  test('hand-written: a default above the max, a min above the default request it implies, a Pod min above its max, a default request above the max', () => {
    const errors = reported(capacityFleet((apps) => new ApiObject(apps, 'lr', {
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'bad' },
      spec: { limits: [
        { type: 'Container', max: { memory: '1Gi' }, default: { memory: '2Gi' } },
        { type: 'Container', min: { cpu: '1' }, default: { cpu: '500m' } },
        { type: 'Pod', min: { cpu: '2' }, max: { cpu: '1' } },
        { type: 'Container', max: { cpu: '1' }, defaultRequest: { cpu: '2' } },
      ] },
    })), 'limit-range-coherent');
    expect(errors).toEqual([
      'error [limit-range-coherent] c/apps/shop/lr: limits[0] (type Container): default memory 2Gi is greater than max memory 1Gi, so the API server rejects the LimitRange (it requires min ≤ defaultRequest ≤ default ≤ max)',
      expect.stringContaining('limits[1] (type Container): min cpu 1 is greater than defaultRequest (taken from default) cpu 500m'),
      expect.stringContaining('limits[2] (type Pod): min cpu 2 is greater than max cpu 1'),
      expect.stringContaining('limits[3] (type Container): defaultRequest cpu 2 is greater than default (taken from max) cpu 1'),
    ]);
  });
});

/** A hand-written Karpenter NodePool with `requirements` and `limits`. */
function karpenterPool(scope: Platform, name: string, requirements: object[], limits: object): ApiObject {
  return new ApiObject(scope.configs, `pool-${name}`, {
    apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name },
    spec: { limits, template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements } } },
  });
}

describe('node-pool-limits', () => {
  test('typed: limits below the smallest allowed instance type', () => {
    const errors = reported(capacityFleet(() => undefined, { platform: (p) => new NodePool(p, 'tiny', { instanceFamilies: ['m7i'], limits: { cpu: 1, memory: '4Gi' } }) }), 'node-pool-limits');
    expect(errors).toEqual([
      'error [node-pool-limits] c/infrastructure/configs/node-pool-tiny/nodepool: limits (cpu 1, memory 4Gi) cannot hold even one node of the 9 instance types its requirements allow ' +
        '(the smallest is m7i.large: 2 vCPU, 8Gi): Karpenter never launches a node for this pool',
    ]);
  });

  test('typed, without Karpenter (the cloud manages the node group, nothing is rendered): limits below the declared node size', () => {
    const fleet = (limits: { cpu: number; memory: string }) => capacityFleet(() => undefined, {
      provider: Provider.gcp(),
      platform: (p) => new NodePool(p, 'general', { cpu: { max: 8 }, memory: { max: '32Gi' }, limits }),
    });
    expect(errorsOf(fleet({ cpu: 4, memory: '64Gi' }))).toEqual([
      'c/infrastructure/configs/node-pool-general: node pool "general": limits (cpu 4, memory "64Gi") cannot hold even one of its nodes (the smallest is 8 vCPU / 32Gi nodes): raise the limits or declare smaller nodes',
    ]);
    expect(reported(fleet({ cpu: 8, memory: '32Gi' }))).toEqual([]);
  });

  test('hand-written: one allowed instance type larger than the limits; a pool of families strata does not know is not judged', () => {
    const errors = reported(capacityFleet(() => undefined, {
      platform: (p) => {
        karpenterPool(p, 'one', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c6i.xlarge'] }], { cpu: '2' });
        karpenterPool(p, 'gpu', [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5'] }], { cpu: '1' });
        karpenterPool(p, 'fine', [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c'] }, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }], { cpu: '2', memory: '4Gi' });
      },
    }), 'node-pool-limits');
    expect(errors).toEqual([
      'error [node-pool-limits] c/infrastructure/configs/pool-one: limits (cpu 2) cannot hold even one node of the 1 instance types its requirements allow ' +
        '(the smallest is c6i.xlarge: 4 vCPU, 8Gi): Karpenter never launches a node for this pool',
    ]);
  });
});

describe('topology-spread-zones', () => {
  const spread = (minDomains: number, whenUnsatisfiable = 'DoNotSchedule') => [{ maxSkew: 1, minDomains, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable, labelSelector: { matchLabels: labelsFor('web') } }];

  test('typed: a node pool of two zones, a WebService asking for three', () => {
    const fleet = (minDomains: number, whenUnsatisfiable?: string) => capacityFleet((apps) => {
      const web = new WebService(apps, 'web', { ...BASE, replicas: 4 });
      const deployment = web.node.findAll().find((c) => ApiObject.isApiObject(c) && (c as ApiObject).kind === 'Deployment') as ApiObject;
      deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', spread(minDomains, whenUnsatisfiable)));
    }, { platform: (p) => new NodePool(p, 'general', { instanceFamilies: ['m7i'], zones: ['eu-west-1a', 'eu-west-1b'], limits: { cpu: 100, memory: '400Gi' } }) });
    expect(reported(fleet(3), 'topology-spread-zones')).toEqual([
      'error [topology-spread-zones] c/apps/shop/web/deployment: topologySpreadConstraints[0] asks for minDomains 3 zones, but its node pools (general) offer 2 (eu-west-1a, eu-west-1b): ' +
        'the scheduler then counts the global minimum as 0 and places at most maxSkew 1 per zone, 2 of 5 pods (4 at max scale + 1 rollout surge); the rest stay Pending',
    ]);
    expect(reported(fleet(2), 'topology-spread-zones')).toEqual([]);
    expect(reported(fleet(3, 'ScheduleAnyway'), 'topology-spread-zones')).toEqual([]);
  });

  test('hand-written: a Karpenter NodePool with one zone; a pool spanning the whole region is not judged', () => {
    const fleet = (zones?: string[]) => capacityFleet((apps) => {
      handWorkload(apps, 'StatefulSet', 'web', { replicas: 3, serviceName: 'web' });
      const sts = apps.node.findChild('StatefulSet-web') as ApiObject;
      sts.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', spread(2)));
    }, {
      platform: (p) => karpenterPool(p, 'zonal', [
        { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7i'] },
        ...(zones ? [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: zones }] : []),
      ], { cpu: '100' }),
    });
    expect(reported(fleet(['eu-west-1a']), 'topology-spread-zones')).toEqual([
      'error [topology-spread-zones] c/apps/shop/StatefulSet-web: topologySpreadConstraints[0] asks for minDomains 2 zones, but its node pools (zonal) offer 1 (eu-west-1a): ' +
        'the scheduler then counts the global minimum as 0 and places at most maxSkew 1 per zone, 1 of 3 pods (3 replicas); the rest stay Pending',
    ]);
    expect(reported(fleet(), 'topology-spread-zones')).toEqual([]);
  });
});
