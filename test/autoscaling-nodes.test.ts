import { k8s } from 'cdk8s-plus-27';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  Autoscaling,
  DEFAULT_AMI_ALIAS,
  Duration,
  Fleet,
  INSTANCE_FAMILIES,
  NodePool,
  Provider,
  ScaledJob,
  SecretKey,
  Stage,
  Trigger,
  allocatable,
  instanceType,
  perStage,
  type NodePoolProps,
} from '../lib/index.js';
import { kustomizeBuild } from './support/kubectl.js';
import { errorsOf, filesOf, objectOf, objectsOf, testFleet } from './support/autoscaling-fleets.js';
import { FakeWorkload, type FakeWorkloadProps } from './support/scale-target.js';

const GiB = 2 ** 30;
const general: NodePoolProps = {
  capacityTypes: ['spot', 'on-demand'],
  instanceFamilies: ['m7i', 'c7i'],
  instanceSizes: ['large', 'xlarge', '2xlarge', '4xlarge'],
  limits: { cpu: 200, memory: '800Gi' },
};

/** dev-eu (aws, Karpenter) with node pools and one workload. */
function poolFleet(pools: Record<string, NodePoolProps>, workload?: FakeWorkloadProps, options: { capabilities?: string[]; clusters?: ('dev-eu' | 'prod-eu' | 'prod-us')[] } = {}) {
  return testFleet({
    ...options,
    platform: (platform) => {
      for (const [name, props] of Object.entries(pools)) new NodePool(platform, name, props);
    },
    apps: workload ? (apps) => new FakeWorkload(apps, 'web', workload) : undefined,
  });
}

const requirement = (pool: { spec: any }, key: string) => pool.spec.template.spec.requirements.filter((r: { key: string }) => r.key === key);

describe('instance types', () => {
  test('vCPUs, memory and architecture of common EC2 types', () => {
    expect(instanceType('m7i.4xlarge')).toMatchObject({ cpu: 16, memory: 64 * GiB, architecture: 'amd64', family: 'm7i', size: '4xlarge', category: 'm', generation: 7 });
    expect(instanceType('c5.9xlarge')).toMatchObject({ cpu: 36, memory: 72 * GiB });
    expect(instanceType('r7a.medium')).toMatchObject({ cpu: 1, memory: 8 * GiB });
    expect(instanceType('m8g.48xlarge')).toMatchObject({ cpu: 192, memory: 768 * GiB, architecture: 'arm64' });
    expect(instanceType('t3.nano')).toMatchObject({ cpu: 2, memory: 0.5 * GiB, category: 't', generation: 3 });
    expect(instanceType('m7i.metal-48xl')).toBeUndefined();
  });

  test('allocatable subtracts the kube-reserved cpu tiers, hypervisor overhead, kube-reserved base and eviction threshold', () => {
    expect(allocatable(1, 4 * GiB).cpu).toBeCloseTo(0.94, 6);
    expect(allocatable(2, 4 * GiB).cpu).toBeCloseTo(1.93, 6);
    expect(allocatable(4, 4 * GiB).cpu).toBeCloseTo(3.92, 6);
    expect(allocatable(16, 4 * GiB).cpu).toBeCloseTo(15.89, 6);
    expect(allocatable(16, 64 * GiB).memory).toBe(64 * GiB * 0.925 - 355 * 2 ** 20);
  });
});

describe('Karpenter node pools (aws)', () => {
  test('a NodePool and its EC2NodeClass in infrastructure/configs (snapshot)', () => {
    expect(filesOf(poolFleet({ general }), 'infrastructure/configs', '_cluster/')).toMatchSnapshot();
  });

  test('requirements from capacity types, families, sizes, architectures and zones', () => {
    const pool = objectOf(poolFleet({ general: { ...general, architectures: ['amd64', 'arm64'], instanceFamilies: ['m7i', 'm7g'], zones: ['eu-west-1a', 'eu-west-1b'] } }), 'NodePool');
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7g', 'm7i'] },
      { key: 'karpenter.k8s.aws/instance-size', operator: 'In', values: ['2xlarge', '4xlarge', 'large', 'xlarge'] },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] },
    ]);
  });

  test('without families: categories c, m, r of generation 6 or newer, on-demand, amd64', () => {
    const pool = objectOf(poolFleet({ general: { limits: { cpu: 100, memory: '400Gi' } } }), 'NodePool');
    expect(requirement(pool, 'karpenter.sh/capacity-type')[0].values).toEqual(['on-demand']);
    expect(requirement(pool, 'kubernetes.io/arch')[0].values).toEqual(['amd64']);
    expect(requirement(pool, 'karpenter.k8s.aws/instance-category')).toEqual([{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] }]);
    expect(requirement(pool, 'karpenter.k8s.aws/instance-generation')).toEqual([{ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] }]);
  });

  test('cpu and memory ranges are inclusive, rendered with the strict Gt/Lt operators', () => {
    const pool = objectOf(poolFleet({ general: { limits: general.limits, cpu: { min: 4, max: 16 }, memory: { min: '8Gi', max: '64Gi' } } }), 'NodePool');
    expect(requirement(pool, 'karpenter.k8s.aws/instance-cpu')).toEqual([
      { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['3'] },
      { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: ['17'] },
    ]);
    expect(requirement(pool, 'karpenter.k8s.aws/instance-memory')).toEqual([
      { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['8191'] },
      { key: 'karpenter.k8s.aws/instance-memory', operator: 'Lt', values: ['65537'] },
    ]);
  });

  test('exact instance types, labels, taints and weight', () => {
    const pool = objectOf(
      poolFleet({ gpu: { instanceTypes: ['m7i.2xlarge'], labels: { workload: 'batch' }, taints: [{ key: 'batch', value: 'true', effect: 'NoSchedule' }], weight: 10, limits: general.limits } }),
      'NodePool',
    );
    expect(requirement(pool, 'node.kubernetes.io/instance-type')[0].values).toEqual(['m7i.2xlarge']);
    expect(requirement(pool, 'karpenter.k8s.aws/instance-category')).toEqual([]);
    expect(pool.spec.template.metadata).toEqual({ labels: { workload: 'batch' } });
    expect(pool.spec.template.spec.taints).toEqual([{ key: 'batch', value: 'true', effect: 'NoSchedule' }]);
    expect(pool.spec.weight).toBe(10);
  });

  test('disruption: consolidation, expiry and budgets', () => {
    const defaults = objectOf(poolFleet({ general }), 'NodePool').spec;
    expect(defaults.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m', budgets: [{ nodes: '10%' }] });
    expect(defaults.template.spec.expireAfter).toBe('720h');
    expect(defaults.limits).toEqual({ cpu: '200', memory: '800Gi' });
    const set = objectOf(
      poolFleet({
        general: {
          ...general,
          disruption: {
            consolidation: 'WhenEmpty',
            consolidateAfter: 'Never',
            expireAfter: Duration.days(7),
            budgets: [{ nodes: '20%' }, { nodes: '0', schedule: '0 9 * * 1-5', duration: Duration.minutes(90), reasons: ['Drifted'] }],
          },
        },
      }),
      'NodePool',
    ).spec;
    expect(set.disruption).toEqual({
      consolidationPolicy: 'WhenEmpty',
      consolidateAfter: 'Never',
      budgets: [{ nodes: '20%' }, { nodes: '0', schedule: '0 9 * * 1-5', duration: '1h30m', reasons: ['Drifted'] }],
    });
    expect(set.template.spec.expireAfter).toBe('168h');
  });

  test('EC2NodeClass: pinned AMI alias, node role and discovery by the cluster tag, IMDSv2 only', () => {
    const nodeClass = objectOf(poolFleet({ general }), 'EC2NodeClass');
    expect(DEFAULT_AMI_ALIAS).toMatch(/^al2023@v\d{8}$/);
    expect(nodeClass.spec).toEqual({
      amiSelectorTerms: [{ alias: DEFAULT_AMI_ALIAS }],
      role: 'KarpenterNodeRole-dev-eu',
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'dev-eu' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'dev-eu' } }],
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
    });
    expect(objectOf(poolFleet({ general }), 'NodePool').spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'general' });
  });

  test('the AMI can be rolled out stage by stage; role, discovery tag and tags can be set', () => {
    const nodeClass = { amiAlias: perStage({ development: 'al2023@v20260501', default: DEFAULT_AMI_ALIAS }), role: 'eks-nodes', discoveryTag: 'acme-dev', tags: { team: 'platform' } };
    const fleet = poolFleet({ general: { ...general, nodeClass } }, undefined, { clusters: ['dev-eu', 'prod-eu'] });
    const dev = objectOf(fleet, 'EC2NodeClass', 'dev-eu').spec;
    expect(dev.amiSelectorTerms).toEqual([{ alias: 'al2023@v20260501' }]);
    expect(dev).toMatchObject({ role: 'eks-nodes', subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'acme-dev' } }], tags: { team: 'platform' } });
    expect(objectOf(fleet, 'EC2NodeClass', 'prod-eu').spec.amiSelectorTerms).toEqual([{ alias: DEFAULT_AMI_ALIAS }]);
  });

  test('pools are recorded on their cluster', () => {
    const fleet = poolFleet({ general, spot: { ...general, capacityTypes: ['spot'] } });
    fleet.render();
    expect(NodePool.of(fleet.cluster('dev-eu')).map((p) => p.name)).toEqual(['general', 'spot']);
  });
});

describe('cluster-autoscaler node pools (gcp)', () => {
  test('render nothing in-cluster but are recorded for the fit check', () => {
    const fleet = poolFleet({ general: { cpu: { max: 8 }, memory: { max: '32Gi' } } }, undefined, { clusters: ['prod-us'] });
    expect(objectsOf(fleet, 'NodePool', 'prod-us')).toEqual([]);
    expect(Object.keys(filesOf(fleet, 'infrastructure/configs', '', 'prod-us'))).toEqual(['prod-us/infrastructure/configs/kustomization.yaml']);
    expect(NodePool.of(fleet.cluster('prod-us')).map((p) => [p.name, p.shapes])).toEqual([['general', [{ name: '8 vCPU / 32Gi nodes', cpu: 8, memory: 32 * GiB }]]]);
  });

  test('their node size must be declared', () => {
    expect(errorsOf(poolFleet({ general: { cpu: { max: 8 } } }, undefined, { clusters: ['prod-us'] }))).toEqual([
      'prod-us/infrastructure/configs/node-pool-general: node pool "general" on cluster "prod-us" (cluster-autoscaler): declare the node size with cpu.max and memory.max, or EC2 instanceTypes (strata knows instance sizes only for EC2)',
    ]);
  });
});

describe('node pool errors', () => {
  const at = 'dev-eu/infrastructure/configs/node-pool-general';

  test('limits are required with Karpenter', () => {
    expect(errorsOf(poolFleet({ general: { ...general, limits: undefined } }))).toEqual([
      `${at}: node pool "general" has no limits: a Karpenter NodePool without limits launches nodes without bound; set limits: { cpu, memory } (e.g. { cpu: 200, memory: '800Gi' })`,
    ]);
  });

  test('Karpenter must be installed', () => {
    expect(errorsOf(poolFleet({ general }, undefined, { capabilities: ['keda'] }))).toEqual([
      `${at}/ec2nodeclass: EC2NodeClass general (karpenter.k8s.aws) and 1 more object need karpenter, but cluster dev-eu does not install it (installed: keda): add Components.nodeAutoscaler() to its platform`,
    ]);
  });

  test('unknown instance families, sizes or types', () => {
    expect(errorsOf(poolFleet({ general: { ...general, instanceFamilies: ['m5i'], instanceSizes: ['huge'] } }))).toEqual([
      `${at}: node pool "general": unknown instance family "m5i", size "huge" (strata knows ${[...INSTANCE_FAMILIES].join(', ')}; for others, declare the largest node with cpu.max and memory.max)`,
    ]);
  });

  test('constraints that exclude every instance type', () => {
    expect(errorsOf(poolFleet({ general: { ...general, instanceFamilies: ['m7g'] } }))).toEqual([
      `${at}: node pool "general" matches no instance type: its families, sizes, types, architectures and cpu/memory ranges exclude each other`,
    ]);
  });

  test('ranges, zones, weight, AMI alias and budgets are checked', () => {
    expect(
      errorsOf(
        poolFleet({
          general: {
            ...general,
            cpu: { min: 8, max: 4 },
            memory: { max: 'lots' },
            zones: ['us-east-1a'],
            weight: 0,
            nodeClass: { amiAlias: 'al2023' },
            disruption: { budgets: [{ nodes: 'ten', schedule: '0 9 * * *' }] },
          },
        }),
      ),
    ).toEqual([
      `${at}: node pool "general": memory.max ("lots") is not a positive Kubernetes quantity (e.g. "500m", "2", "512Mi", "4Gi")`,
      `${at}: node pool "general": weight (0) must be a whole number between 1 and 100`,
      `${at}: node pool "general": cpu.min (8) is greater than cpu.max (4)`,
      `${at}: node pool "general": zone "us-east-1a" is not a zone of region "eu-west-1" (e.g. "eu-west-1a")`,
      `${at}: node pool "general" matches no instance type: its families, sizes, types, architectures and cpu/memory ranges exclude each other`,
      `${at}: node pool "general": nodeClass.amiAlias "al2023" is not <family>@<version> (e.g. "${DEFAULT_AMI_ALIAS}"; families al2023, bottlerocket, al2, windows2019/2022/2025)`,
      `${at}: node pool "general": disruption.budgets[0].nodes ("ten") must be a count ("2") or a percentage ("10%")`,
      `${at}: node pool "general": disruption.budgets[0]: schedule and duration go together`,
    ]);
  });

  test('names, capacity types, architectures, memory ranges, limits and durations are checked', () => {
    expect(
      errorsOf(
        poolFleet({
          General: {
            ...general,
            capacityTypes: ['reserved' as 'spot'],
            architectures: [],
            memory: { min: '64Gi', max: '8Gi' },
            limits: { cpu: 'many', memory: '1Ti' },
            disruption: { consolidateAfter: Duration.millis(1500), budgets: [{ nodes: '1', schedule: 'weekdays', duration: Duration.seconds(90) }] },
          },
        }),
      ),
    ).toEqual([
      'dev-eu/infrastructure/configs/node-pool-General: node pool name "General" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": capacityTypes: "reserved" is not one of: on-demand, spot',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": architectures is empty (valid: amd64, arm64)',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": memory.min ("64Gi") is greater than memory.max ("8Gi")',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": limits.cpu ("many") is not a positive Kubernetes quantity (e.g. "500m", "2", "512Mi", "4Gi")',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General" matches no instance type: its families, sizes, types, architectures and cpu/memory ranges exclude each other',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": disruption.consolidateAfter (1500ms) must be a whole number of seconds',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": disruption.budgets[0].schedule ("weekdays") is not a five-field cron expression',
      'dev-eu/infrastructure/configs/node-pool-General: node pool "General": disruption.budgets[0].duration (90s) must be a positive whole number of minutes',
    ]);
  });

  test('Karpenter pools are rendered for AWS only', () => {
    const fleet = new Fleet({ name: 'acme' });
    fleet.addCluster('odd', { stage: Stage.DEVELOPMENT, region: 'europe-west1', provider: Provider.gcp({ nodeAutoscaler: 'karpenter' }) });
    fleet.platform((platform, cluster) => {
      cluster.capabilities.add('karpenter');
      new NodePool(platform, 'general', general);
    });
    expect(errorsOf(fleet)).toEqual(['odd/infrastructure/configs/node-pool-general: node pool "general": strata renders Karpenter node pools for AWS (EC2NodeClass) only, but cluster "odd" runs on gcp']);
  });
});

describe('pods must fit a node the pools can provide', () => {
  const big = (cpu: string, memory = '1Gi'): FakeWorkloadProps => ({ containers: [{ name: 'app', cpu, memory }] });

  test('a pod larger than the largest node is an error naming the workload and the largest nodes', () => {
    expect(errorsOf(poolFleet({ general }, big('20')))).toEqual([
      'dev-eu: Deployment "web" in namespace "shop" (dev-eu/apps/shop/web/deployment): a pod requests cpu 20 and memory 1Gi, more than any node its node pools can provide ' +
        '("general" allows at most 15.89 cpu (c7i.4xlarge) and 58.85Gi memory (m7i.4xlarge) after system reservations): it would stay Pending; lower the requests or allow larger nodes',
    ]);
  });

  test('a pod that fits one pool passes; the reservation is taken into account', () => {
    expect(() => poolFleet({ general }, big('15.8', '58Gi')).render()).not.toThrow();
    expect(errorsOf(poolFleet({ general }, big('15.9')))).toHaveLength(1);
    expect(() => poolFleet({ general, large: { ...general, instanceSizes: ['8xlarge'] } }, big('20')).render()).not.toThrow();
  });

  test('cpu and memory must fit on the same node', () => {
    // c7i.4xlarge has the cpu (16 vCPU, 32Gi), r7i.2xlarge the memory (8 vCPU, 64Gi); neither has both.
    const mixed: NodePoolProps = { instanceTypes: ['c7i.4xlarge', 'r7i.2xlarge'], limits: general.limits };
    expect(errorsOf(poolFleet({ mixed }, big('12', '40Gi')))).toEqual([
      'dev-eu: Deployment "web" in namespace "shop" (dev-eu/apps/shop/web/deployment): a pod requests cpu 12 and memory 40Gi, more than any node its node pools can provide ' +
        '("mixed" allows at most 15.89 cpu (c7i.4xlarge) and 58.85Gi memory (r7i.2xlarge) after system reservations): it would stay Pending; lower the requests or allow larger nodes',
    ]);
    expect(() => poolFleet({ mixed }, big('12', '20Gi')).render()).not.toThrow();
  });

  test('init containers run before the others: the larger of both counts; a limit without request counts as request', () => {
    const fleet = testFleet({
      platform: (platform) => new NodePool(platform, 'general', general),
      apps: (apps) => {
        new k8s.KubeDeployment(apps, 'migrate', {
          metadata: { name: 'migrate' },
          spec: {
            selector: { matchLabels: { app: 'migrate' } },
            template: {
              metadata: { labels: { app: 'migrate' } },
              spec: {
                initContainers: [{ name: 'init', image: 'i:1', resources: { requests: { cpu: k8s.Quantity.fromString('16') } } }],
                containers: [{ name: 'app', image: 'a:1', resources: { limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('80Gi') } } }],
              },
            },
          },
        });
      },
    });
    // (A hand-written Deployment also breaks the restricted profile; only the fit is asserted here.)
    expect(errorsOf(fleet)).toContainEqual(expect.stringContaining('dev-eu: Deployment "migrate" in namespace "shop" (dev-eu/apps/shop/migrate): a pod requests cpu 16 and memory 80Gi,'));
  });

  test('a nodeSelector or an untolerated taint can rule pools out', () => {
    const batch: NodePoolProps = { ...general, instanceFamilies: ['c7i'], instanceSizes: ['8xlarge'], taints: [{ key: 'batch', effect: 'NoSchedule' }], labels: { pool: 'batch' } };
    expect(errorsOf(poolFleet({ general }, { ...big('1'), nodeSelector: { 'kubernetes.io/arch': 'arm64' } }))).toEqual([
      'dev-eu: Deployment "web" in namespace "shop" (dev-eu/apps/shop/web/deployment): its pods match no node pool (their nodeSelector {"kubernetes.io/arch":"arm64"} and tolerations admit none of "general"): they would stay Pending',
    ]);
    // 20 cpu fits only the tainted batch pool.
    expect(errorsOf(poolFleet({ general, batch }, big('20')))[0]).toContain('("general" allows at most 15.89 cpu');
    expect(() => poolFleet({ general, batch }, { ...big('20'), tolerations: [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }] }).render()).not.toThrow();
    const batchOnly = { nodeSelector: { pool: 'batch' }, tolerations: [{ key: 'batch', operator: 'Exists' }] };
    expect(() => poolFleet({ general, batch }, { ...big('20'), ...batchOnly }).render()).not.toThrow();
    expect(errorsOf(poolFleet({ general, batch }, { ...big('1'), nodeSelector: { pool: 'batch' } }))[0]).toContain('its pods match no node pool');
    // A label only the batch pool declares rules the general pool out.
    expect(errorsOf(poolFleet({ general, batch: { ...batch, taints: [], instanceSizes: ['large'] } }, { ...big('4'), nodeSelector: { pool: 'batch' } }))[0]).toContain(
      '("batch" allows at most 1.93 cpu (c7i.large)',
    );
    expect(errorsOf(poolFleet({ general }, { ...big('1'), nodeSelector: { 'karpenter.sh/capacity-type': 'reserved' } }))[0]).toContain('its pods match no node pool');
    expect(errorsOf(poolFleet({ general }, { ...big('10'), nodeSelector: { 'node.kubernetes.io/instance-type': 'm7i.2xlarge' } }))[0]).toContain('allows at most 7.91 cpu (m7i.2xlarge)');
    expect(() => poolFleet({ general }, { ...big('1'), nodeSelector: { 'example.com/anything': 'x' } }).render()).not.toThrow();
  });

  test('ScaledJob pods are checked too', () => {
    const fleet = testFleet({
      platform: (platform) => new NodePool(platform, 'general', general),
      apps: (apps) =>
        new ScaledJob(apps, 'encode', {
          podSpec: { containers: [{ name: 'enc', image: 'e:1', resources: { requests: { cpu: k8s.Quantity.fromString('64') } } }] },
          max: 5,
          triggers: [Trigger.rabbitmq({ queue: 'videos', length: 1, auth: { host: SecretKey.of('rabbitmq', 'url') } })],
        }),
    });
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^dev-eu: ScaledJob "encode" in namespace "shop" \(dev-eu\/apps\/shop\/encode\/scaled-job\): a pod requests cpu 64 and memory 0Mi,/)]);
  });

  test('declared node sizes on cluster-autoscaler clusters', () => {
    expect(errorsOf(poolFleet({ general: { cpu: { max: 8 }, memory: { max: '32Gi' } } }, big('8'), { clusters: ['prod-us'] }))).toEqual([
      'prod-us: Deployment "web" in namespace "shop" (prod-us/apps/shop/web/deployment): a pod requests cpu 8 and memory 1Gi, more than any node its node pools can provide ' +
        '("general" allows at most 7.91 cpu (8 vCPU / 32Gi nodes) and 29.25Gi memory (8 vCPU / 32Gi nodes) after system reservations): it would stay Pending; lower the requests or allow larger nodes',
    ]);
  });

  test('without declared pools nothing is known about the nodes, so nothing is checked', () => {
    expect(() => poolFleet({}, big('500')).render()).not.toThrow();
  });
});

describe('the whole loop', () => {
  test('every object validates and real kustomize builds every folder', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'strata-autoscaling-')), 'dist');
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev', outdir });
    fleet.addCluster('prod-eu', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((platform, cluster) => {
      for (const c of ['metrics-server', 'keda', 'karpenter']) cluster.capabilities.add(c);
      new NodePool(platform, 'general', general);
      platform.addTenant('shop');
    });
    fleet.apps('shop', (apps) => {
      new FakeWorkload(apps, 'storefront', { autoscaling: Autoscaling.cpu({ min: 3, max: 20 }) });
      new FakeWorkload(apps, 'orders', { autoscaling: Autoscaling.events({ min: 0, max: 50, triggers: [Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } })] }) });
      new ScaledJob(apps, 'encode', {
        podSpec: { containers: [{ name: 'enc', image: 'e:1', resources: { requests: { cpu: k8s.Quantity.fromString('2'), memory: k8s.Quantity.fromString('4Gi') }, limits: { memory: k8s.Quantity.fromString('4Gi') } } }] },
        max: 5,
        triggers: [Trigger.sqs({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/videos', queueLength: 1 })],
      });
    });
    process.exitCode = 0;
    fleet.synth();
    expect(process.exitCode).toBe(0);
    const kinds = ['infrastructure/configs', 'apps/shop'].flatMap((layer) => parseAllDocuments(kustomizeBuild(join(outdir, 'prod-eu', layer))).map((d) => d.toJS().kind));
    const loop = new Set(['Deployment', 'EC2NodeClass', 'HorizontalPodAutoscaler', 'NodePool', 'ScaledJob', 'ScaledObject', 'TriggerAuthentication']);
    expect(kinds.filter((k) => loop.has(k)).sort()).toEqual(['Deployment', 'Deployment', 'EC2NodeClass', 'HorizontalPodAutoscaler', 'NodePool', 'ScaledJob', 'ScaledObject', 'TriggerAuthentication', 'TriggerAuthentication']);
  });
});
