// The example fleet: three clusters on two stages, two regions and two providers, the platform
// catalog everywhere, and one team's apps (web, queue worker, database, nightly job) on each.
import {
  Autoscaling, Components, CronTask, Egress, Env, Fleet, NodePool, Provider, SecretKey, Stage, StatefulService, Trigger, WebService, Worker, perStage,
} from './lib/index.js';

export const fleet = new Fleet({
  name: 'acme',
  domain: 'acme.dev',
  repository: { url: 'ssh://git@github.com/acme/fleet.git', branch: 'main' },
});

// Each cluster names the Kubernetes release it runs: objects are validated against that API, and
// development is upgraded first.
fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws(), kubernetesVersion: '1.34' });
fleet.addCluster('prod-eu', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws(), kubernetesVersion: '1.33' });
// GKE's managed gateway; cert-manager solves DNS-01 for its wildcard certificate in this Cloud DNS project.
fleet.addCluster('prod-us', {
  stage: Stage.PRODUCTION, region: 'us-east1', provider: Provider.gcp({ acmeDns01: { cloudDns: { project: 'acme-dns' } } }), kubernetesVersion: '1.33',
});

fleet.platform((platform, cluster) => {
  platform.install(Components.metricsServer());
  platform.install(Components.certManager({ email: 'platform@acme.dev' }));
  platform.install(Components.traffic()); // the Gateway API gateway: Envoy on aws, GKE's managed class on gcp
  platform.install(Components.externalDns());
  platform.install(Components.keda());
  platform.install(Components.nodeAutoscaler()); // the provider picks Karpenter or cluster-autoscaler
  platform.install(Components.externalSecrets());
  // Karpenter NodePool + EC2NodeClass on aws; on gcp the node group is cloud-managed and only recorded.
  new NodePool(platform, 'general', {
    capacityTypes: cluster.stage.pick({ development: ['spot'], production: ['spot', 'on-demand'] }),
    cpu: { min: 2, max: 16 },
    memory: { max: '64Gi' },
    limits: cluster.stage.pick({ development: { cpu: 64, memory: '256Gi' }, production: { cpu: 400, memory: '1600Gi' } }),
  });
  platform.addTenant('shop', { quota: { cpu: '20', memory: '64Gi' }, group: 'team-shop', exposed: true });
  platform.alerts({ type: 'slack', secretName: 'slack-webhook', channel: '#platform-alerts' });
});

fleet.apps('shop', (apps) => {
  const storefront = new WebService(apps, 'storefront', {
    image: 'ghcr.io/acme/storefront:1.4.2',
    resources: { cpu: '250m', memory: '256Mi' },
    host: 'shop',
    env: { ORDERS_DB_HOST: 'orders-db', LOG_LEVEL: perStage({ development: 'debug', default: 'info' }) },
    autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, production: 3 }), max: 20, utilization: 70 }),
  });
  const orders = new Worker(apps, 'orders', {
    image: 'ghcr.io/acme/orders:2.0.1',
    resources: { cpu: '100m', memory: '128Mi' },
    env: { DATABASE_PASSWORD: Env.fromSecret('orders-db', 'password') },
    autoscaling: Autoscaling.events({
      min: 0,
      max: 50,
      triggers: [Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } })],
    }),
    // The broker runs outside the cluster, in the peered network 10.64.0.0/24 (AMQP).
    egress: [Egress.toCidr('10.64.0.0/24', { ports: [5672] })],
  });
  new StatefulService(apps, 'orders-db', {
    image: 'ghcr.io/acme/orders-db:16.2',
    ports: [{ name: 'postgres', port: 5432 }],
    storage: { data: { path: '/var/lib/postgresql/data', size: '20Gi' } },
    resources: { cpu: '500m', memory: '1Gi' },
    security: { runAsUser: 999 },
    allowFrom: [storefront, orders],
  });
  new CronTask(apps, 'nightly-report', {
    image: 'ghcr.io/acme/report:1.0.0',
    schedule: '0 3 * * *',
    timeZone: 'Europe/Berlin',
    resources: { cpu: '100m', memory: '256Mi' },
  });
});

fleet.synth();
